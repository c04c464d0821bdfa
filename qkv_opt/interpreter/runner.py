"""
``run_function``: call a function of a module on numpy arrays.

The arguments are checked against the signature (shape and dtype, bf16 as
``ml_dtypes.bfloat16``); the function runs on working copies, so the caller's
arrays are never modified; every memref argument is returned after the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, cast

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import DYNAMIC_INDEX, MemRefType, ModuleOp
from xdsl.ir import Attribute

from qkv_opt.dialects.tile import TileType
from qkv_opt.interpreter.analysis import (
    check_supported,
    find_function,
    public_functions,
    written_arguments,
)
from qkv_opt.interpreter.dtypes import UnsupportedType, memref_element_type, numpy_dtype
from qkv_opt.interpreter.faults import Fault, value_name
from qkv_opt.interpreter.memory import Buffer, MemoryBudget, Root, format_bytes
from qkv_opt.interpreter.stats import RunStats
from qkv_opt.utils.diagnostics import Diagnostic, DiagnosticError, Severity, error_at

__all__ = ["Executor", "check_arguments", "resolve_entry", "run_function"]

Executor = Literal["fast", "reference"]


def resolve_entry(module: ModuleOp, entry: str | None, what: str = "the input") -> func.FuncOp:
    """
    The function ``entry`` names, or the only public function when it is None.

    Raises a ``DiagnosticError`` listing the public functions otherwise.
    """
    public = public_functions(module)
    names = ", ".join(f"@{f.sym_name.data}" for f in public) or "none"
    if entry is None:
        if len(public) == 1:
            return public[0]
        if not public:
            raise _error(f"{what} has no public function with a body to run")
        raise _error(
            f"{what} has {len(public)} public functions ({names}); choose one with --entry"
        )
    fn = find_function(module, entry.removeprefix("@"))
    if fn is None or not fn.body.blocks:
        raise _error(
            f"{what} has no function @{entry.removeprefix('@')} to run (public functions: {names})"
        )
    return fn


def _error(message: str) -> DiagnosticError:
    return DiagnosticError([Diagnostic(Severity.ERROR, message)])


def memref_type_of(fn: func.FuncOp, index: int, t: Attribute) -> MemRefType[Any]:
    """The memref type of argument ``index``, or a located error for other types."""
    if not isinstance(t, MemRefType):
        raise error_at(
            fn,
            f"argument #{index} has type {t}; the interpreter passes memref arguments only "
            "(make it a memref<1xT> and load it)",
        )
    return cast(MemRefType[Any], t)


def check_arguments(fn: func.FuncOp, args: Sequence[np.ndarray[Any, Any]]) -> None:
    """Fail, located at the function, unless ``args`` fit its signature."""
    types = list(fn.function_type.inputs.data)
    name = f"@{fn.sym_name.data}"
    if len(args) != len(types):
        raise error_at(fn, f"{name} takes {len(types)} arguments, got {len(args)} arrays")
    block_args = fn.body.blocks.first.args if fn.body.blocks.first is not None else ()
    for i, (t, array) in enumerate(zip(types, args)):
        memref_type = memref_type_of(fn, i, t)
        label = f"argument #{i}"
        if i < len(block_args) and block_args[i].name_hint:
            label += f" ({value_name(block_args[i])})"
        if not isinstance(array, np.ndarray):
            raise error_at(
                fn, f"{label} of {name} must be a numpy array, got {type(array).__name__}"
            )
        try:
            dtype = numpy_dtype(memref_element_type(memref_type))
        except UnsupportedType as e:
            raise error_at(fn, f"{label} of {name}: {e}") from None
        shape = memref_type.get_shape()
        fits = len(shape) == array.ndim and all(
            d == DYNAMIC_INDEX or d == a for d, a in zip(shape, array.shape)
        )
        if not fits or array.dtype != dtype:
            raise error_at(
                fn,
                f"{label} of {name} is {memref_type}: it needs an array of shape "
                f"{tuple(d if d != DYNAMIC_INDEX else '?' for d in shape)} and dtype "
                f"{dtype.name}, got shape {array.shape} and dtype {array.dtype.name}",
            )


def _argument_name(fn: func.FuncOp, index: int) -> tuple[str, str]:
    """(name, detail) of an argument for messages: ``("%k", "argument #2")``."""
    block = fn.body.blocks.first
    if block is not None and index < len(block.args) and block.args[index].name_hint:
        return value_name(block.args[index]), f"argument #{index}"
    return f"argument #{index}", ""


def make_roots(
    fn: func.FuncOp,
    args: Sequence[np.ndarray[Any, Any]],
    budget: MemoryBudget,
) -> list[Buffer]:
    """
    The buffers the function runs on: working copies of the arguments it may
    write, read-only views of the others (a write through one would raise).
    """
    written = written_arguments(fn)
    copies = written
    total = sum(a.nbytes for a, c in zip(args, copies) if c)
    try:
        budget.reserve(total, f"the working copies of the arguments @{fn.sym_name.data} writes")
    except Fault as fault:
        raise error_at(fn, fault.message) from None
    buffers: list[Buffer] = []
    for i, (array, copy, t) in enumerate(zip(args, copies, fn.function_type.inputs.data)):
        if copy:
            try:
                data = np.array(array, copy=True, order="C")
            except MemoryError:
                raise error_at(
                    fn, f"the system could not allocate a copy of argument #{i} ({t})"
                ) from None
        else:
            data = np.ascontiguousarray(array).view()
            data.flags.writeable = False
        name, detail = _argument_name(fn, i)
        root = Root(data, name, written_by_program=written[i], detail=detail)
        buffers.append(Buffer.whole(root, str(t)))
    return buffers


def _check_tile_sizes(functions: Sequence[func.FuncOp], budget: MemoryBudget) -> None:
    """
    Fail before running when one tile alone would not fit the memory budget.

    The tile dialect bounds no shape (check-target compares them with the
    on-chip capacities); the interpreter holds every tile in host memory.
    """
    for fn in functions:
        for op in fn.walk():
            for result in op.results:
                t = result.type
                if not isinstance(t, TileType):
                    continue
                nbytes = t.rows * t.cols * numpy_dtype(t.element_type).itemsize
                if nbytes > budget.limit - budget.reserved:
                    raise error_at(
                        op,
                        f"makes a {t} of {format_bytes(nbytes)}, more than {budget.description} "
                        f"of {format_bytes(budget.limit)}; on chip it could not exist either "
                        "(check-target compares tiles with the buffer capacities)",
                    )


def run_function(
    module: ModuleOp,
    entry: str,
    args: Sequence[np.ndarray[Any, Any]],
    *,
    executor: Executor = "fast",
    budget: MemoryBudget | None = None,
    stats: RunStats | None = None,
) -> list[np.ndarray[Any, Any]]:
    """
    Run ``@entry`` on ``args`` and return every memref argument after the run.

    The inputs are not modified.  ``executor="reference"`` runs the op-by-op
    xDSL interpreter (the definition of the semantics); the default ``fast``
    executor gives the same bits much sooner.  Arguments the function never
    writes come back as read-only views of the inputs (no copy).  Run-time
    check failures raise ``DiagnosticError`` located at the failing op;
    ``stats``, when given, receives the op and byte counts.
    """
    fn = resolve_entry(module, entry)
    functions = check_supported(module, fn)
    check_arguments(fn, args)
    budget = MemoryBudget.default() if budget is None else budget
    _check_tile_sizes(functions, budget)
    stats = RunStats() if stats is None else stats
    buffers = make_roots(fn, args, budget)
    if executor == "reference":
        from qkv_opt.interpreter.reference import run_reference

        run_reference(module, fn, buffers, budget, stats)
    else:
        from qkv_opt.interpreter.fast import run_fast

        run_fast(fn, buffers, budget, stats)
    return [b.root.data for b in buffers]
