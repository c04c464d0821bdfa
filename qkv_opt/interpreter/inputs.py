"""
Seeded inputs for a function signature: what ``qkv-run`` feeds a program.

Every memref argument gets standard-normal data in its element type, drawn from
one ``numpy.random.default_rng(seed)`` stream in argument order (floats: f32
normals rounded to nearest even into bf16 / f16, f64 normals for f64; integers:
normals rounded to the nearest integer; i1: ``normal > 0``).  With
``init="zeros"`` the arguments the function may write (its outputs) are zero
instead; the stream is drawn all the same, so the other arguments get the same
values in both modes.  The same seed always gives the same arrays.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import DYNAMIC_INDEX

from qkv_opt.interpreter.analysis import written_arguments
from qkv_opt.interpreter.dtypes import (
    BF16,
    UnsupportedType,
    is_float_dtype,
    memref_element_type,
    numpy_dtype,
)
from qkv_opt.interpreter.faults import Fault
from qkv_opt.interpreter.memory import MemoryBudget, format_bytes
from qkv_opt.interpreter.runner import memref_type_of
from qkv_opt.utils.diagnostics import error_at

__all__ = ["Init", "input_bytes", "seeded_inputs"]

Init = Literal["random", "zeros"]


def _shapes(fn: func.FuncOp) -> list[tuple[tuple[int, ...], np.dtype[Any]]]:
    out: list[tuple[tuple[int, ...], np.dtype[Any]]] = []
    for i, t in enumerate(fn.function_type.inputs.data):
        memref_type = memref_type_of(fn, i, t)
        shape = memref_type.get_shape()
        if any(d == DYNAMIC_INDEX for d in shape):
            raise error_at(
                fn,
                f"argument #{i} is {memref_type}, with a dynamic size; qkv-run needs static "
                "shapes to make its inputs",
            )
        try:
            dtype = numpy_dtype(memref_element_type(memref_type))
        except UnsupportedType as e:
            # Before anything runs, so run_function's own check has not said it yet.
            raise error_at(
                fn, f"argument #{i} is {memref_type}: {e}; qkv-run cannot make its inputs"
            ) from None
        out.append((tuple(shape), dtype))
    return out


def input_bytes(fn: func.FuncOp) -> list[int]:
    """Bytes of each argument of ``fn`` (computed without allocating)."""
    return [int(np.prod(s, dtype=object)) * d.itemsize for s, d in _shapes(fn)]


def _normal(
    rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype[Any]
) -> np.ndarray[Any, Any]:
    if dtype == np.float64:
        return rng.standard_normal(shape)
    if is_float_dtype(dtype):
        # bf16 / f16 / f32: f32 normals, rounded to nearest even into the type.
        return rng.standard_normal(shape, dtype=np.float32).astype(dtype)
    if dtype == np.bool_:
        return rng.standard_normal(shape, dtype=np.float32) > 0
    info = np.iinfo(dtype)
    values = np.rint(rng.standard_normal(shape, dtype=np.float32))
    return np.clip(values, info.min, info.max).astype(dtype)


def seeded_inputs(
    fn: func.FuncOp,
    seed: int = 0,
    init: Init = "random",
    budget: MemoryBudget | None = None,
    copies: int = 1,
) -> list[np.ndarray[Any, Any]]:
    """
    One array per argument of ``fn`` (see the module notes).

    ``copies`` is how many arrays of the same size the caller will hold besides
    the inputs (qkv-run: one per program it runs); the total is checked against
    ``budget`` before anything is allocated.
    """
    shapes = _shapes(fn)
    sizes = input_bytes(fn)
    budget = MemoryBudget.default() if budget is None else budget
    # A bf16 or f16 input passes through an f32 array of 4 bytes per element.
    scratch = max(
        (int(np.prod(s, dtype=object)) * 4 for s, d in shapes if d in (BF16, np.float16)),
        default=0,
    )
    total = sum(sizes) * (1 + copies) + scratch
    largest = max(range(len(sizes)), key=lambda i: sizes[i], default=None)
    detail = ""
    if largest is not None:
        detail = (
            f"; the largest is argument #{largest}, {fn.function_type.inputs.data[largest]}, "
            f"of {format_bytes(sizes[largest])}"
        )
    count = f"{len(sizes)} argument{'s' if len(sizes) != 1 else ''}"
    # Every term of ``total`` is named, so the figures in the message add up.
    through = (
        f", plus {format_bytes(scratch)} for the f32 normals a bf16 or f16 input is rounded from"
        if scratch
        else ""
    )
    try:
        budget.reserve(
            total,
            f"the inputs of @{fn.sym_name.data} ({count} of {format_bytes(sum(sizes))} in all, "
            f"held {1 + copies} times: the inputs and each run's outputs{through}{detail})",
        )
    except Fault as fault:
        raise error_at(fn, fault.message) from None
    rng = np.random.default_rng(seed)
    zero = written_arguments(fn) if init == "zeros" else [False] * len(shapes)
    arrays: list[np.ndarray[Any, Any]] = []
    try:
        for (shape, dtype), make_zero in zip(shapes, zero):
            values = _normal(rng, shape, dtype)
            arrays.append(np.zeros(shape, dtype) if make_zero else values)
    except MemoryError:
        # The budget allowed it (it was raised on purpose) but the system did not.
        raise error_at(
            fn,
            f"the system could not allocate the inputs of @{fn.sym_name.data} "
            f"({format_bytes(sum(sizes))}) although the memory budget allowed it; "
            "lower --memory-budget or run a smaller shape",
        ) from None
    return arrays
