"""The numeric kernels of the tile ops against independent computations."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import ml_dtypes
import numpy as np
import pytest
import torch

from qkv_opt.interpreter import numerics
from qkv_opt.interpreter.faults import Fault
from qkv_opt.interpreter.torch_bridge import to_torch

Array = np.ndarray[Any, Any]
BF16 = np.dtype(ml_dtypes.bfloat16)
RNG = np.random.default_rng(20240601)


def _bits16(x: Array) -> Array:
    return x.view(np.uint16)


# --------------------------------------------------------------------------- #
# convert: round to nearest even
# --------------------------------------------------------------------------- #


def test_f32_to_bf16_matches_torch_round_to_nearest_even() -> None:
    x = RNG.standard_normal(100_000).astype(np.float32) * np.float32(100.0)
    ours = numerics.convert(x, BF16)
    golden = to_torch(x).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    assert np.array_equal(_bits16(ours), golden)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0 + 2.0**-8, 1.0),  # a tie: 1.0 has the even mantissa
        (1.0 + 3 * 2.0**-8, 1.0 + 2.0**-6),  # a tie: rounds up to the even neighbour
        (1.0 + 2.0**-8 + 2.0**-20, 1.0 + 2.0**-7),  # just above the tie
        (-(1.0 + 2.0**-8), -1.0),
    ],
)
def test_f32_to_bf16_ties(value: float, expected: float) -> None:
    out = numerics.convert(np.array([value], np.float32), BF16)
    assert float(out.astype(np.float64)[0]) == expected


def test_f64_to_bf16_rounds_once() -> None:
    # Through f32 this would round twice: first to the tie 1 + 2**-8, then to 1.0.
    x = np.array([1.0 + 2.0**-8 + 2.0**-30])
    out = numerics.convert(x, BF16)
    assert float(out.astype(np.float64)[0]) == 1.0 + 2.0**-7


def test_bf16_to_f32_is_exact() -> None:
    bits = np.arange(0, 1 << 16, dtype=np.uint32)
    x = bits.astype(np.uint16).view(BF16)
    out = numerics.convert(x, np.dtype(np.float32))
    # bf16 is the top half of an f32: widening shifts the bits up.
    expected = (bits << 16).view(np.float32)
    finite = np.isfinite(expected)
    assert np.array_equal(out[finite], expected[finite])
    assert np.array_equal(np.isnan(out), np.isnan(expected))


def test_float_to_int_truncates_saturates_and_maps_nan_to_zero() -> None:
    x = np.array([2.7, -2.7, 1e10, -1e10, np.nan, 127.9, -128.5], np.float32)
    out = numerics.convert(x, np.dtype(np.int8))
    assert out.tolist() == [2, -2, 127, -128, 0, 127, -128]


def test_int_to_int_wraps() -> None:
    out = numerics.convert(np.array([127, 128, -129, 300], np.int32), np.dtype(np.int8))
    assert out.tolist() == [127, -128, 127, 44]


def test_int_to_bf16_rounds_once() -> None:
    # 2**24 + 2**16 + 1 sits just above the bf16 tie between 2**24 + 0 and 2**24 + 2**17:
    # one rounding goes up; rounding through f32 (2**24 + 2**16) would tie to even.
    n = 2**24 + 2**16 + 1
    out = numerics.convert(np.array([n], np.int64), BF16)
    assert float(out.astype(np.float64)[0]) == 2**24 + 2**17


# --------------------------------------------------------------------------- #
# row_sum: f32, halving tree
# --------------------------------------------------------------------------- #


def _tree_python(row: list[np.float32]) -> np.float32:
    """The documented order, element by element with f32 scalars."""
    values = list(row)
    while len(values) > 1:
        half = len(values) // 2
        nxt = [np.float32(values[i] + values[i + half]) for i in range(half)]
        if len(values) % 2:
            nxt.append(values[2 * half])
        values = nxt
    return values[0]


@pytest.mark.parametrize("cols", [1, 2, 3, 5, 7, 16, 80, 720, 1024])
def test_row_sum_is_the_documented_halving_tree(cols: int) -> None:
    x = RNG.standard_normal((4, cols)).astype(np.float32)
    out = numerics.row_sum(x)
    assert out.shape == (4, 1)
    assert out.dtype == np.float32
    for r in range(4):
        expected = _tree_python([np.float32(v) for v in x[r]])
        assert out[r, 0].view(np.uint32) == np.float32(expected).view(np.uint32)


def test_row_sum_is_close_to_the_exact_sum() -> None:
    x = RNG.standard_normal((3, 1024)).astype(np.float32)
    out = numerics.row_sum(x)
    for r in range(3):
        exact = math.fsum(float(v) for v in x[r])
        assert abs(float(out[r, 0]) - exact) <= 1e-4 * max(1.0, abs(exact))


def test_row_sum_of_bf16_accumulates_in_f32() -> None:
    # 256 ones and a 1.0: in bf16 256 + 1 rounds back to 256 at every step.
    x = np.ones((1, 257), np.float32).astype(BF16)
    out = numerics.row_sum(x)
    assert out.dtype == BF16
    assert float(out.astype(np.float32)[0, 0]) == 256.0  # 257 is not a bf16: RNE to 256
    y = np.full((1, 512), 0.5, np.float32).astype(BF16)
    assert float(numerics.row_sum(y).astype(np.float32)[0, 0]) == 256.0


def test_row_sum_of_integers_wraps() -> None:
    x = np.full((1, 4), 2**30, np.int32)
    assert int(numerics.row_sum(x)[0, 0]) == 0  # 4 * 2**30 wraps to 0 in i32


# --------------------------------------------------------------------------- #
# reshape, transpose-like views, blocks
# --------------------------------------------------------------------------- #


def test_reshape_col_major_column_to_row_keeps_element_order() -> None:
    col = np.arange(16, dtype=np.float32).reshape(16, 1)
    row = numerics.memory_order_reshape(col, True, (1, 16), False)
    assert row.tolist() == [list(range(16))]


def test_reshape_is_memory_order() -> None:
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    # row_major 3x4 -> col_major 4x3: memory order 0..11 filled column by column.
    out = numerics.memory_order_reshape(x, False, (4, 3), True)
    assert np.array_equal(out, np.arange(12, dtype=np.float32).reshape(4, 3, order="F"))
    back = numerics.memory_order_reshape(out, True, (3, 4), False)
    assert np.array_equal(back, x)


def test_col_expand_broadcasts_the_row() -> None:
    row = np.arange(5, dtype=np.float32).reshape(1, 5)
    out = numerics.col_expand(row, 3)
    assert np.array_equal(out, np.tile(row, (3, 1)))
    out[0, 0] = 99  # a copy, not a view of the source
    assert row[0, 0] == 0


def test_extract_and_insert() -> None:
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    block = numerics.extract(x, (1, 2), (2, 3), "extracts")
    assert np.array_equal(block, x[1:3, 2:5])
    dest = np.zeros((4, 6), np.float32)
    out = numerics.insert(block, dest, (2, 3))
    assert np.array_equal(out[2:4, 3:6], block)
    assert float(dest.sum()) == 0.0  # dest itself is unchanged


def test_extract_outside_the_tile_is_a_fault() -> None:
    x = np.zeros((4, 6), np.float32)
    with pytest.raises(Fault, match=r"a 2x3 block at \[3, 2\] of a 4x6 tile"):
        numerics.extract(x, (3, 2), (2, 3), "extracts")


# --------------------------------------------------------------------------- #
# cube and linalg matmuls
# --------------------------------------------------------------------------- #


def _exact_f32(products: list[Fraction]) -> np.float32:
    """The exact sum rounded once to f32 (via Fraction: no intermediate rounding)."""
    total = sum(products, Fraction(0))
    return np.float32(float(total)) if total == Fraction(float(total)) else _round_fraction(total)


def _round_fraction(x: Fraction) -> np.float32:
    # float(Fraction) rounds to nearest even in f64; f32 needs one more careful step.
    lo = np.float32(float(x))
    candidates = [np.nextafter(lo, np.float32(-np.inf)), lo, np.nextafter(lo, np.float32(np.inf))]
    return min(candidates, key=lambda c: (abs(Fraction(float(c)) - x), int(c.view(np.uint32)) & 1))


def test_cube_matmul_is_the_exact_sum_rounded_once() -> None:
    a = RNG.standard_normal((16, 32)).astype(np.float32).astype(BF16)
    b = RNG.standard_normal((32, 8)).astype(np.float32).astype(BF16)
    out = numerics.cube_matmul(a, b, None, np.dtype(np.float32))
    fa, fb = a.astype(np.float64), b.astype(np.float64)
    for i in range(16):
        for j in range(8):
            exact = _exact_f32([Fraction(fa[i, k]) * Fraction(fb[k, j]) for k in range(32)])
            assert out[i, j].view(np.uint32) == exact.view(np.uint32)


def test_cube_matmul_acc_adds_the_accumulator_before_rounding() -> None:
    a = RNG.standard_normal((16, 16)).astype(np.float32).astype(BF16)
    b = RNG.standard_normal((16, 16)).astype(np.float32).astype(BF16)
    acc = RNG.standard_normal((16, 16)).astype(np.float32)
    out = numerics.cube_matmul(a, b, acc, np.dtype(np.float32))
    golden = (to_torch(a.astype(np.float32)) @ to_torch(b.astype(np.float32))).numpy() + acc
    assert np.allclose(out, golden, rtol=1e-5, atol=1e-5)
    fa, fb = a.astype(np.float64), b.astype(np.float64)
    exact = _exact_f32(
        [Fraction(float(acc[3, 5]))] + [Fraction(fa[3, k]) * Fraction(fb[k, 5]) for k in range(16)]
    )
    assert out[3, 5].view(np.uint32) == exact.view(np.uint32)


def test_cube_matmul_int8_accumulates_in_int32() -> None:
    a = RNG.integers(-128, 128, (16, 64)).astype(np.int8)
    b = RNG.integers(-128, 128, (64, 16)).astype(np.int8)
    out = numerics.cube_matmul(a, b, None, np.dtype(np.int32))
    assert out.dtype == np.int32
    assert np.array_equal(out, a.astype(np.int64) @ b.astype(np.int64))


def test_linalg_matmul_is_the_torch_golden_plus_c() -> None:
    x = RNG.standard_normal((4, 64)).astype(np.float32).astype(BF16)
    w = RNG.standard_normal((64, 32)).astype(np.float32).astype(BF16)
    c = RNG.standard_normal((4, 32)).astype(np.float32)
    out = numerics.linalg_matmul(x, w, c)
    xt = to_torch(x)
    wt = to_torch(w)
    golden = (xt.float() @ wt.float() + to_torch(c)).numpy()
    assert np.array_equal(out.view(np.uint32), golden.view(np.uint32))


def test_linalg_matmul_of_integers_is_exact() -> None:
    a = RNG.integers(-100, 100, (3, 5)).astype(np.int32)
    b = RNG.integers(-100, 100, (5, 2)).astype(np.int32)
    c = RNG.integers(-100, 100, (3, 2)).astype(np.int32)
    assert np.array_equal(numerics.linalg_matmul(a, b, c), a @ b + c)
