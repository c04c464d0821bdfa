"""
The numeric semantics of every tile op, as numpy kernels on [R, C] arrays.

These are the reference semantics: the xDSL-framework interpreter
(``reference.py``) calls them, the fast executor (``fast.py``) reimplements the
hot ones in torch and is differential-tested against them bit for bit.

Rules that hold throughout:

* A conversion to a floating-point type rounds to nearest even, once, from the
  exact source value (bf16 through ml_dtypes, whose casts round directly; no
  detour through f32 that would round twice).
* A conversion to an integer type truncates toward zero, saturates at the type's
  range and maps NaN to 0 (upstream MLIR leaves these cases undefined).
* Vector arithmetic (add, mul, col_expand_mul) happens in the tile's element
  type: an f32 tile adds in f32, a bf16 tile rounds every result to bf16
  (computing in f32 first is exact enough: f32 has more than 2 * 8 + 2 bits).
* ``row_sum`` sums each row in f32 (f64 for f64 tiles, the integer type with
  wrap-around for integer tiles) in the fixed *halving-tree* order of
  ``halving_tree_sum`` and rounds the sum once to the tile's type.
* Cube ``matmul`` / ``matmul_acc``: each product of two bf16 (or f16, f32)
  values is exact in f64; a matmul sums its K products in f64 and rounds once to
  the f32 accumulator; ``matmul_acc`` adds the f32 accumulator into that f64 sum
  before the single rounding.  i8 x i8 accumulates exactly and wraps to i32.
* ``linalg.matmul`` is the golden: ``C + A' @ B'`` with A', B' the inputs
  converted to C's element type, computed by torch on the CPU exactly as the
  reference harness computes ``x.float() @ w.float()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qkv_opt.interpreter.dtypes import BF16, is_float_dtype
from qkv_opt.interpreter.faults import Fault

__all__ = [
    "accumulation_dtype",
    "check_block",
    "col_expand",
    "convert",
    "cube_matmul",
    "extract",
    "halving_tree_sum",
    "insert",
    "linalg_matmul",
    "memory_order_reshape",
    "row_sum",
]

Array = np.ndarray[Any, Any]


def _int_range(dtype: np.dtype[Any]) -> tuple[int, int]:
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def convert(x: Array, dtype: np.dtype[Any]) -> Array:
    """
    Convert every element of ``x`` to ``dtype`` (a new array).

    Float targets round to nearest even once; integer targets truncate toward
    zero, saturate and send NaN to 0; integer to integer wraps (two's
    complement); anything to i1 tests for non-zero.
    """
    src = x.dtype
    if src == dtype:
        return x.copy()
    if dtype == np.bool_:
        return x != 0
    if is_float_dtype(dtype):
        if is_float_dtype(src):
            # ml_dtypes and numpy round float -> bf16 / f16 directly.
            return x.astype(dtype)
        if dtype in (BF16, np.dtype(np.float16)):
            # int -> f64 is exact below 2**53; from there one rounding.
            return x.astype(np.float64).astype(dtype)
        return x.astype(dtype)
    lo, hi = _int_range(dtype)
    if is_float_dtype(src):
        with np.errstate(invalid="ignore"):
            wide = np.trunc(x.astype(np.float64))
            wide = np.where(np.isnan(wide), 0.0, wide)
            below = wide < float(lo)
            above = wide >= float(hi) + 1.0
            safe = np.where(below | above, 0.0, wide).astype(np.int64)
        out = np.where(below, lo, np.where(above, hi, safe))
        return out.astype(dtype)
    # Integer to integer: numpy's narrowing cast wraps, a widening one extends.
    return x.astype(dtype)


def accumulation_dtype(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The type ``row_sum`` accumulates in: f32 for 16/32-bit floats, else the type itself."""
    if dtype in (BF16, np.dtype(np.float16), np.dtype(np.float32)):
        return np.dtype(np.float32)
    return dtype


def halving_tree_sum(x: Array) -> Array:
    """
    Sum the last axis of ``x`` in the halving-tree order; returns shape [..., 1].

    While the width w > 1: h = w // 2, element i (i < h) becomes
    ``x[i] + x[i + h]``, and for an odd w the last element ``x[2h]`` is carried
    unchanged as element h; the new width is h + (w mod 2).  For w = 1024 that is
    ``(x[0] + x[512]) + (x[256] + x[768])`` and so on: ten levels of pairwise f32
    additions, each exactly rounded.  The order depends only on the width, so a
    batch of rows summed together gives the same bits as each row alone.
    """
    width = x.shape[-1]
    with np.errstate(all="ignore"):
        while width > 1:
            half = width // 2
            pairs = x[..., :half] + x[..., half : 2 * half]
            x = pairs if width % 2 == 0 else np.concatenate([pairs, x[..., 2 * half :]], axis=-1)
            width = half + width % 2
    return x


def row_sum(x: Array) -> Array:
    """``tile.row_sum``: [R, C] -> [R, 1], see ``halving_tree_sum``."""
    acc = accumulation_dtype(x.dtype)
    summed = halving_tree_sum(x.astype(acc) if acc != x.dtype else x)
    # convert() copies, so a one-column source is not aliased by its sum.
    return convert(summed, x.dtype)


def memory_order_reshape(
    x: Array, source_col_major: bool, shape: tuple[int, int], result_col_major: bool
) -> Array:
    """
    ``tile.reshape``: the same bytes seen with another shape and layout.

    A tile's elements lie in memory in C order (row_major) or Fortran order
    (col_major); the i-th element in memory of the source is the i-th of the
    result.  The col_major [R, 1] of a row_sum becomes the row_major [1, R] with
    the same element order.
    """
    flat = x.reshape(-1, order="F" if source_col_major else "C")
    return np.array(flat.reshape(shape, order="F" if result_col_major else "C"), copy=True)


def col_expand(x: Array, rows: int) -> Array:
    """``tile.col_expand``: every row of the [rows, C] result is the [1, C] source."""
    return np.array(np.broadcast_to(x, (rows, x.shape[1])), copy=True)


def check_block(
    what: str, offsets: tuple[int, int], block: tuple[int, int], shape: tuple[int, int]
) -> None:
    r0, c0 = offsets
    rows, cols = block
    if r0 < 0 or c0 < 0 or r0 + rows > shape[0] or c0 + cols > shape[1]:
        raise Fault(
            f"{what} a {rows}x{cols} block at [{r0}, {c0}] of a {shape[0]}x{shape[1]} tile: "
            f"rows {r0}..{r0 + rows - 1}, columns {c0}..{c0 + cols - 1} must lie within "
            f"0..{shape[0] - 1} and 0..{shape[1] - 1}; fix the offsets"
        )


def extract(x: Array, offsets: tuple[int, int], shape: tuple[int, int], what: str) -> Array:
    """``tile.extract`` / ``tile.move``: the block of ``shape`` at ``offsets``."""
    check_block(what, offsets, shape, (x.shape[0], x.shape[1]))
    r0, c0 = offsets
    return np.array(x[r0 : r0 + shape[0], c0 : c0 + shape[1]], copy=True)


def insert(source: Array, dest: Array, offsets: tuple[int, int]) -> Array:
    """``tile.insert``: a copy of ``dest`` with ``source`` written at ``offsets``."""
    check_block(
        "inserts", offsets, (source.shape[0], source.shape[1]), (dest.shape[0], dest.shape[1])
    )
    r0, c0 = offsets
    out = dest.copy()
    out[r0 : r0 + source.shape[0], c0 : c0 + source.shape[1]] = source
    return out


def cube_matmul(lhs: Array, rhs: Array, acc: Array | None, out_dtype: np.dtype[Any]) -> Array:
    """
    ``tile.matmul`` (``acc`` None) and ``tile.matmul_acc``: see the module notes.

    Floats: exact products, summed in f64 with the accumulator, rounded once to
    ``out_dtype``.  Integers: exact (int64) and wrapped to ``out_dtype``.
    """
    if is_float_dtype(out_dtype):
        wide = lhs.astype(np.float64) @ rhs.astype(np.float64)
        if acc is not None:
            wide = wide + acc.astype(np.float64)
        return convert(wide, out_dtype)
    wide_i = lhs.astype(np.int64) @ rhs.astype(np.int64)
    if acc is not None:
        wide_i = wide_i + acc.astype(np.int64)
    return wide_i.astype(out_dtype)


def linalg_matmul(a: Array, b: Array, c: Array) -> Array:
    """
    ``linalg.matmul``: ``C + A' @ B'`` in C's element type (the golden).

    Floats go through torch on the CPU, the computation of the reference harness
    (``x.float() @ w.float()``), then add C; integers are exact and wrap.
    """
    out_dtype = c.dtype
    if is_float_dtype(out_dtype):
        # torch on first use only: it costs seconds of start-up.
        import torch

        from qkv_opt.interpreter.torch_bridge import to_numpy, to_torch

        ta = to_torch(np.ascontiguousarray(a))
        tb = to_torch(np.ascontiguousarray(b))
        tc = to_torch(np.ascontiguousarray(c))
        target = tc.dtype
        with torch.no_grad():
            product = ta.to(target) @ tb.to(target)
            result = product + tc
        return np.array(to_numpy(result), copy=True)
    wide = convert(a, np.dtype(np.int64)) @ convert(b, np.dtype(np.int64))
    return (wide + c.astype(np.int64)).astype(out_dtype)
