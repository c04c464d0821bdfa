"""
Every op through ``run_function``, against an independent numpy / torch result.

Each program runs on both executors (``run_both`` asserts the same bits and the
same counts), so these tests also pin the fast executor to the reference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ml_dtypes
import numpy as np
import pytest
import torch
from xdsl.dialects.builtin import ModuleOp

from qkv_opt.interpreter import Executor, RunStats, run_function
from qkv_opt.interpreter.torch_bridge import to_torch

Array = np.ndarray[Any, Any]
Parse = Callable[[str], ModuleOp]
RunBoth = Callable[[ModuleOp, str, Sequence[Array]], list[Array]]
BF16 = np.dtype(ml_dtypes.bfloat16)
RNG = np.random.default_rng(11)


def _randn(shape: tuple[int, ...], dtype: Any = np.float32) -> Array:
    return RNG.standard_normal(shape).astype(np.float32).astype(dtype)


def _tile_prog(body: str, args: str) -> str:
    return f"func.func @f({args}) {{\n  %c0 = arith.constant 0 : index\n{body}\n  return\n}}\n"


# --------------------------------------------------------------------------- #
# Data movement
# --------------------------------------------------------------------------- #


def test_load_store_at_offsets(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        _tile_prog(
            """  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %t = tile.load %x[%c1, %c16] : memref<4x64xf32> -> !tile.tile<2x16xf32, ub>
  tile.store %t, %y[%c0, %c16] : !tile.tile<2x16xf32, ub> -> memref<2x32xf32>""",
            "%x: memref<4x64xf32>, %y: memref<2x32xf32>",
        )
    )
    x, y = _randn((4, 64)), _randn((2, 32))
    _, out = run_both(m, "f", [x, y])
    expected = y.copy()
    expected[:, 16:32] = x[1:3, 16:32]
    assert np.array_equal(out, expected)


def test_load_valid_pads_with_zeros(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        _tile_prog(
            """  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %t = tile.load %x[%c0, %c0] valid(%c1, %c5) : memref<1x5xbf16> -> !tile.tile<16x16xbf16, l1>
  %b = tile.move %t[%c0, %c0] : !tile.tile<16x16xbf16, l1> -> !tile.tile<16x16xbf16, l0a>
  %w = tile.load %i[%c0, %c0] : memref<16x16xbf16> -> !tile.tile<16x16xbf16, l1>
  %wb = tile.move %w[%c0, %c0] : !tile.tile<16x16xbf16, l1> -> !tile.tile<16x16xbf16, l0b>
  %p = tile.matmul %b, %wb : !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xf32, l0c>
  tile.store %p, %y[%c0, %c0] : !tile.tile<16x16xf32, l0c> -> memref<16x16xf32>""",
            "%x: memref<1x5xbf16>, %i: memref<16x16xbf16>, %y: memref<16x16xf32>",
        )
    )
    x = _randn((1, 5), BF16)
    eye = np.eye(16, dtype=np.float32).astype(BF16)
    *_, out = run_both(m, "f", [x, eye, _randn((16, 16))])
    expected = np.zeros((16, 16), np.float32)
    expected[0, :5] = x.astype(np.float32)[0]
    assert np.array_equal(out, expected)


def test_store_valid_writes_only_the_top_left(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        _tile_prog(
            """  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %t = tile.load %x[%c0, %c0] : memref<4x8xf32> -> !tile.tile<4x8xf32, ub>
  tile.store %t, %y[%c0, %c0] valid(%c2, %c3) : !tile.tile<4x8xf32, ub> -> memref<4x8xf32>""",
            "%x: memref<4x8xf32>, %y: memref<4x8xf32>",
        )
    )
    x, y = _randn((4, 8)), _randn((4, 8))
    _, out = run_both(m, "f", [x, y])
    expected = y.copy()
    expected[:2, :3] = x[:2, :3]
    assert np.array_equal(out, expected)


def test_atomic_add_store_adds(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        _tile_prog(
            """  %t = tile.load %x[%c0, %c0] : memref<2x8xf32> -> !tile.tile<2x8xf32, ub>
  tile.store %t, %y[%c0, %c0] atomic add : !tile.tile<2x8xf32, ub> -> memref<2x8xf32>
  tile.store %t, %y[%c0, %c0] atomic add : !tile.tile<2x8xf32, ub> -> memref<2x8xf32>""",
            "%x: memref<2x8xf32>, %y: memref<2x8xf32>",
        )
    )
    x, y = _randn((2, 8)), _randn((2, 8))
    _, out = run_both(m, "f", [x, y])
    assert np.array_equal(out, (y + x) + x)


def test_move_copies_a_block_of_l1(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        _tile_prog(
            """  %c16 = arith.constant 16 : index
  %l1 = tile.load %w[%c0, %c0] : memref<32x32xbf16> -> !tile.tile<32x32xbf16, l1>
  %b = tile.move %l1[%c16, %c0] : !tile.tile<32x32xbf16, l1> -> !tile.tile<16x32xbf16, l0b>
  %a0 = tile.load %i[%c0, %c0] : memref<16x16xbf16> -> !tile.tile<16x16xbf16, l1>
  %a = tile.move %a0[%c0, %c0] : !tile.tile<16x16xbf16, l1> -> !tile.tile<16x16xbf16, l0a>
  %p = tile.matmul %a, %b : !tile.tile<16x16xbf16, l0a>, !tile.tile<16x32xbf16, l0b> -> !tile.tile<16x32xf32, l0c>
  tile.store %p, %y[%c0, %c0] : !tile.tile<16x32xf32, l0c> -> memref<16x32xf32>""",
            "%w: memref<32x32xbf16>, %i: memref<16x16xbf16>, %y: memref<16x32xf32>",
        )
    )
    w = _randn((32, 32), BF16)
    eye = np.eye(16, dtype=np.float32).astype(BF16)
    stats = RunStats()
    run_function(m, "f", [w, eye, _randn((16, 32))], stats=stats)
    *_, out = run_both(m, "f", [w, eye, _randn((16, 32))])
    assert np.array_equal(out, w[16:32].astype(np.float32))
    assert stats.moved["l1->l0b"] == 16 * 32 * 2
    assert stats.moved["gm->l1"] == (32 * 32 + 16 * 16) * 2


# --------------------------------------------------------------------------- #
# Cube
# --------------------------------------------------------------------------- #


def test_matmul_then_matmul_acc(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        _tile_prog(
            """  %c16 = arith.constant 16 : index
  %a1 = tile.load %x[%c0, %c0] : memref<16x32xbf16> -> !tile.tile<16x32xbf16, l1>
  %b1 = tile.load %w[%c0, %c0] : memref<32x16xbf16> -> !tile.tile<32x16xbf16, l1>
  %a_lo = tile.move %a1[%c0, %c0] : !tile.tile<16x32xbf16, l1> -> !tile.tile<16x16xbf16, l0a>
  %b_lo = tile.move %b1[%c0, %c0] : !tile.tile<32x16xbf16, l1> -> !tile.tile<16x16xbf16, l0b>
  %a_hi = tile.move %a1[%c0, %c16] : !tile.tile<16x32xbf16, l1> -> !tile.tile<16x16xbf16, l0a>
  %b_hi = tile.move %b1[%c16, %c0] : !tile.tile<32x16xbf16, l1> -> !tile.tile<16x16xbf16, l0b>
  %p0 = tile.matmul %a_lo, %b_lo : !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xf32, l0c>
  %p1 = tile.matmul_acc %p0, %a_hi, %b_hi : !tile.tile<16x16xf32, l0c>, !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xf32, l0c>
  tile.store %p1, %y[%c0, %c0] : !tile.tile<16x16xf32, l0c> -> memref<16x16xf32>""",
            "%x: memref<16x32xbf16>, %w: memref<32x16xbf16>, %y: memref<16x16xf32>",
        )
    )
    x, w = _randn((16, 32), BF16), _randn((32, 16), BF16)
    *_, out = run_both(m, "f", [x, w, _randn((16, 16))])
    golden = (to_torch(x.astype(np.float32)) @ to_torch(w.astype(np.float32))).numpy()
    assert np.allclose(out, golden, rtol=1e-5, atol=1e-5)
    # Two roundings to f32: after the first K half, and after the second.
    xf, wf = x.astype(np.float64), w.astype(np.float64)
    first = (xf[:, :16] @ wf[:16]).astype(np.float32)
    second = (first.astype(np.float64) + xf[:, 16:] @ wf[16:]).astype(np.float32)
    assert np.array_equal(out, second)


# --------------------------------------------------------------------------- #
# Vector
# --------------------------------------------------------------------------- #

_VECTOR_ARGS = "%x: memref<4x16xf32>, %r: memref<1x16xf32>, %y: memref<4x16xf32>"


def _vector(parse: Parse, body: str) -> ModuleOp:
    m = parse(
        _tile_prog(
            "  %a = tile.load %x[%c0, %c0] : memref<4x16xf32> -> !tile.tile<4x16xf32, ub>\n"
            "  %row = tile.load %r[%c0, %c0] : memref<1x16xf32> -> !tile.tile<1x16xf32, ub>\n"
            + body
            + "\n  tile.store %out, %y[%c0, %c0] : !tile.tile<4x16xf32, ub> -> memref<4x16xf32>",
            _VECTOR_ARGS,
        )
    )
    return m


VECTOR_CASES: list[tuple[str, Callable[[Array, Array], Array]]] = [
    ("  %out = tile.add %a, %a : !tile.tile<4x16xf32, ub>", lambda x, r: x + x),
    ("  %out = tile.mul %a, %a : !tile.tile<4x16xf32, ub>", lambda x, r: x * x),
    (
        "  %out = tile.col_expand %row : !tile.tile<1x16xf32, ub> -> !tile.tile<4x16xf32, ub>",
        lambda x, r: np.tile(r, (4, 1)),
    ),
    (
        "  %out = tile.col_expand_mul %a, %row : !tile.tile<4x16xf32, ub>, "
        "!tile.tile<1x16xf32, ub> -> !tile.tile<4x16xf32, ub>",
        lambda x, r: x * r,
    ),
    (
        "  %out = tile.full 2.5 : !tile.tile<4x16xf32, ub>",
        lambda x, r: np.full((4, 16), 2.5, np.float32),
    ),
    (
        "  %t = tile.transpose %a : !tile.tile<4x16xf32, ub> -> !tile.tile<16x4xf32, ub>\n"
        "  %out = tile.transpose %t : !tile.tile<16x4xf32, ub> -> !tile.tile<4x16xf32, ub>",
        lambda x, r: x,
    ),
]


@pytest.mark.parametrize(
    ("body", "expected"),
    VECTOR_CASES,
    ids=["add", "mul", "col_expand", "col_expand_mul", "full", "transpose_twice"],
)
def test_vector_elementwise(
    parse: Parse, run_both: RunBoth, body: str, expected: Callable[[Array, Array], Array]
) -> None:
    m = _vector(parse, body)
    x, r = _randn((4, 16)), _randn((1, 16))
    *_, out = run_both(m, "f", [x, r, _randn((4, 16))])
    assert np.array_equal(out, expected(x, r))


def test_transpose(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        _tile_prog(
            """  %t = tile.load %x[%c0, %c0] : memref<16x8xf32> -> !tile.tile<16x8xf32, ub>
  %u = tile.transpose %t : !tile.tile<16x8xf32, ub> -> !tile.tile<8x16xf32, ub>
  tile.store %u, %y[%c0, %c0] : !tile.tile<8x16xf32, ub> -> memref<8x16xf32>""",
            "%x: memref<16x8xf32>, %y: memref<8x16xf32>",
        )
    )
    x = _randn((16, 8))
    _, out = run_both(m, "f", [x, _randn((8, 16))])
    assert np.array_equal(out, x.T)


def test_bf16_arithmetic_rounds_in_bf16(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        _tile_prog(
            """  %t = tile.load %x[%c0, %c0] : memref<2x16xbf16> -> !tile.tile<2x16xbf16, ub>
  %s = tile.mul %t, %t : !tile.tile<2x16xbf16, ub>
  %u = tile.add %s, %t : !tile.tile<2x16xbf16, ub>
  tile.store %u, %y[%c0, %c0] : !tile.tile<2x16xbf16, ub> -> memref<2x16xbf16>""",
            "%x: memref<2x16xbf16>, %y: memref<2x16xbf16>",
        )
    )
    x = _randn((2, 16), BF16)
    _, out = run_both(m, "f", [x, _randn((2, 16), BF16)])
    xt = to_torch(x)
    golden = (xt * xt + xt).view(torch.int16).numpy()
    assert np.array_equal(out.view(np.int16), golden)


CAST_CASES: list[tuple[str, str, Callable[[Array], Array]]] = [
    ("bf16", "f32", lambda x: x.astype(np.float32)),
    ("f32", "bf16", lambda x: x.astype(BF16)),
    ("f32", "f16", lambda x: x.astype(np.float16)),
    ("f16", "f32", lambda x: x.astype(np.float32)),
    ("f32", "i32", lambda x: np.trunc(x).astype(np.int32)),
]


@pytest.mark.parametrize(("source", "target", "check"), CAST_CASES)
def test_cast(
    parse: Parse, run_both: RunBoth, source: str, target: str, check: Callable[[Array], Array]
) -> None:
    m = parse(
        _tile_prog(
            f"""  %t = tile.load %x[%c0, %c0] : memref<2x16x{source}> -> !tile.tile<2x16x{source}, ub>
  %u = tile.cast %t : !tile.tile<2x16x{source}, ub> -> !tile.tile<2x16x{target}, ub>
  tile.store %u, %y[%c0, %c0] : !tile.tile<2x16x{target}, ub> -> memref<2x16x{target}>""",
            f"%x: memref<2x16x{source}>, %y: memref<2x16x{target}>",
        )
    )
    dtypes = {"bf16": BF16, "f32": np.float32, "f16": np.float16, "i32": np.int32}
    x = (_randn((2, 16)) * 50).astype(dtypes[source])
    _, out = run_both(m, "f", [x, np.zeros((2, 16), dtypes[target])])
    assert np.array_equal(out.view(np.uint8), check(x).view(np.uint8))


def test_row_sum_and_reshape(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        _tile_prog(
            """  %t = tile.load %x[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32, ub>
  %s = tile.row_sum %t : !tile.tile<16x64xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
  %r = tile.reshape %s : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
  tile.store %r, %y[%c0, %c0] : !tile.tile<1x16xf32, ub> -> memref<1x16xf32>""",
            "%x: memref<16x64xf32>, %y: memref<1x16xf32>",
        )
    )
    x = _randn((16, 64))
    _, out = run_both(m, "f", [x, _randn((1, 16))])
    assert out.shape == (1, 16)
    assert np.allclose(out[0], x.astype(np.float64).sum(axis=1), rtol=1e-5, atol=1e-5)
    # Exactly the halving tree: 64 -> 32 -> ... -> 1 of f32 pairwise sums.
    level = x.copy()
    while level.shape[1] > 1:
        half = level.shape[1] // 2
        level = level[:, :half] + level[:, half:]
    assert np.array_equal(out[0], level[:, 0])


def test_extract_and_insert(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        _tile_prog(
            """  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %t = tile.load %x[%c0, %c0] : memref<4x16xf32> -> !tile.tile<4x16xf32, ub>
  %e = tile.extract %t[%c1, %c8] : !tile.tile<4x16xf32, ub> -> !tile.tile<2x8xf32, ub>
  %z = tile.full 0.0 : !tile.tile<4x16xf32, ub>
  %i = tile.insert %e into %z[%c0, %c0] : !tile.tile<2x8xf32, ub> into !tile.tile<4x16xf32, ub>
  tile.store %i, %y[%c0, %c0] : !tile.tile<4x16xf32, ub> -> memref<4x16xf32>""",
            "%x: memref<4x16xf32>, %y: memref<4x16xf32>",
        )
    )
    x = _randn((4, 16))
    _, out = run_both(m, "f", [x, _randn((4, 16))])
    expected = np.zeros((4, 16), np.float32)
    expected[:2, :8] = x[1:3, 8:16]
    assert np.array_equal(out, expected)


# --------------------------------------------------------------------------- #
# func, arith, scf, memref, linalg
# --------------------------------------------------------------------------- #


def test_scalar_loops_memref_and_calls(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        """
func.func private @double(%v: f32) -> f32 {
  %two = arith.constant 2.0 : f32
  %r = arith.mulf %v, %two : f32
  return %r : f32
}
func.func @f(%x: memref<3x4xf32>, %y: memref<3x4xf32>, %s: memref<1xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0 : i32
  %n = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %zero) -> (i32) {
    %inner = scf.for %j = %c0 to %c4 step %c1 iter_args(%a = %acc) -> (i32) {
      %v = memref.load %x[%i, %j] : memref<3x4xf32>
      %d = func.call @double(%v) : (f32) -> f32
      %pos = arith.cmpf ogt, %v, %d : f32
      %w = arith.select %pos, %v, %d : f32
      memref.store %w, %y[%i, %j] : memref<3x4xf32>
      %one = arith.constant 1 : i32
      %inc = scf.if %pos -> (i32) {
        scf.yield %one : i32
      } else {
        scf.yield %zero : i32
      }
      %a1 = arith.addi %a, %inc : i32
      scf.yield %a1 : i32
    }
    scf.yield %inner : i32
  }
  memref.store %n, %s[%c0] : memref<1xi32>
  return
}
"""
    )
    x = _randn((3, 4))
    _, y, s = run_both(m, "f", [x, _randn((3, 4)), np.zeros(1, np.int32)])
    assert np.array_equal(y, np.maximum(x, 2 * x))
    assert int(s[0]) == int(np.count_nonzero(x > 2 * x))


def test_subview_copy_fill_and_alloc(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        """
func.func @f(%x: memref<4x8xf32>, %y: memref<4x8xf32>) {
  %buf = memref.alloc() : memref<4x8xf32>
  %half = arith.constant 0.5 : f32
  linalg.fill ins(%half : f32) outs(%buf : memref<4x8xf32>)
  %src = memref.subview %x[1, 2] [2, 3] [1, 2] : memref<4x8xf32> to memref<2x3xf32, strided<[8, 2], offset: 10>>
  %dst = memref.subview %buf[0, 0] [2, 3] [1, 1] : memref<4x8xf32> to memref<2x3xf32, strided<[8, 1]>>
  "memref.copy"(%src, %dst) : (memref<2x3xf32, strided<[8, 2], offset: 10>>, memref<2x3xf32, strided<[8, 1]>>) -> ()
  "memref.copy"(%buf, %y) : (memref<4x8xf32>, memref<4x8xf32>) -> ()
  return
}
"""
    )
    x = _randn((4, 8))
    _, y = run_both(m, "f", [x, _randn((4, 8))])
    expected = np.full((4, 8), 0.5, np.float32)
    expected[0:2, 0:3] = x[1:3, 2:8:2]
    assert np.array_equal(y, expected)


def test_parallel_reduction_and_index_arith(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        """
func.func @f(%x: memref<1x8xf32>, %s: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %init = arith.constant 0.0 : f32
  %r = scf.parallel (%i) = (%c0) to (%c8) step (%c1) init (%init) -> f32 {
    %v = memref.load %x[%c0, %i] : memref<1x8xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %sum = arith.addf %a, %b : f32
      scf.reduce.return %sum : f32
    }
  }
  memref.store %r, %s[%c0] : memref<1xf32>
  return
}
"""
    )
    x = _randn((1, 8))
    _, s = run_both(m, "f", [x, np.zeros(1, np.float32)])
    expected = np.float32(0)
    for v in x[0]:  # folded in iteration order
        expected = np.float32(expected + v)
    assert s[0] == expected


def test_linalg_matmul_with_mixed_types(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        """
func.func @f(%x: memref<2x32xbf16>, %w: memref<32x16xbf16>, %y: memref<2x16xf32>) {
  linalg.matmul ins(%x, %w : memref<2x32xbf16>, memref<32x16xbf16>) outs(%y : memref<2x16xf32>)
  return
}
"""
    )
    x, w, y = _randn((2, 32), BF16), _randn((32, 16), BF16), _randn((2, 16))
    *_, out = run_both(m, "f", [x, w, y])
    golden = (to_torch(x.astype(np.float32)) @ to_torch(w.astype(np.float32))).numpy() + y
    assert np.array_equal(out, golden)


def test_inputs_are_not_modified_and_unwritten_args_are_read_only(parse: Parse) -> None:
    m = parse(
        _tile_prog(
            """  %t = tile.load %x[%c0, %c0] : memref<2x8xf32> -> !tile.tile<2x8xf32, ub>
  tile.store %t, %y[%c0, %c0] atomic add : !tile.tile<2x8xf32, ub> -> memref<2x8xf32>""",
            "%x: memref<2x8xf32>, %y: memref<2x8xf32>",
        )
    )
    x, y = _randn((2, 8)), _randn((2, 8))
    x0, y0 = x.copy(), y.copy()
    executors: tuple[Executor, ...] = ("fast", "reference")
    for executor in executors:
        xo, yo = run_function(m, "f", [x, y], executor=executor)
        assert np.array_equal(x, x0)
        assert np.array_equal(y, y0)
        assert np.array_equal(yo, y0 + x0)
        assert np.array_equal(xo, x0)
        assert yo.flags.writeable
