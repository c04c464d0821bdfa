"""
The fast executor against the reference interpreter, bit for bit, on programs
that take each of its paths: lock-step batches (strided views, gathers,
per-iteration valid extents, batched memref.load/store, insert/extract at
per-iteration offsets, nested loops and reductions) and every reason to fall
back to one iteration at a time (iterations sharing GM, divergent control flow,
a run-time error in some iteration).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from qkv_opt.interpreter import Executor, RunStats, ratio_allclose, run_function, seeded_inputs
from qkv_opt.interpreter.analysis import find_function
from qkv_opt.interpreter.torch_bridge import to_torch
from qkv_opt.utils.diagnostics import DiagnosticError, render
from qkv_opt.utils.source import parse_source, verify_module

Array = np.ndarray[Any, Any]
Parse = Callable[[str], ModuleOp]
RunBoth = Callable[[ModuleOp, str, Sequence[Array]], list[Array]]
BF16 = np.dtype(ml_dtypes.bfloat16)


def aiv_b1(k: int, n: int, kc: int, nv: int = 16) -> str:
    """The F1.2 batch-1 AIV form for x[1, k] @ w[k, n]."""
    return f"""
func.func @proj(%x: memref<1x{k}xbf16>, %w: memref<{k}x{n}xbf16>, %y: memref<1x{n}xf32>) {{
  %c0 = arith.constant 0 : index
  %nv = arith.constant {nv} : index
  %n = arith.constant {n} : index
  %kc = arith.constant {kc} : index
  %kd = arith.constant {k} : index
  scf.parallel (%n0) = (%c0) to (%n) step (%nv) {{
    tile.task vector "proj" {{
      %acc0 = tile.load %y[%c0, %n0] : memref<1x{n}xf32> -> !tile.tile<1x{nv}xf32, ub>
      %acc = scf.for %k0 = %c0 to %kd step %kc iter_args(%a = %acc0) -> (!tile.tile<1x{nv}xf32, ub>) {{
        %xb = tile.load %x[%c0, %k0] : memref<1x{k}xbf16> -> !tile.tile<1x{kc}xbf16, ub>
        %xf = tile.cast %xb : !tile.tile<1x{kc}xbf16, ub> -> !tile.tile<1x{kc}xf32, ub>
        %wb = tile.load %w[%k0, %n0] : memref<{k}x{n}xbf16> -> !tile.tile<{kc}x{nv}xbf16, ub>
        %wf = tile.cast %wb : !tile.tile<{kc}x{nv}xbf16, ub> -> !tile.tile<{kc}x{nv}xf32, ub>
        %wt = tile.transpose %wf : !tile.tile<{kc}x{nv}xf32, ub> -> !tile.tile<{nv}x{kc}xf32, ub>
        %xr = tile.col_expand %xf : !tile.tile<1x{kc}xf32, ub> -> !tile.tile<{nv}x{kc}xf32, ub>
        %p = tile.mul %wt, %xr : !tile.tile<{nv}x{kc}xf32, ub>
        %s = tile.row_sum %p : !tile.tile<{nv}x{kc}xf32, ub> -> !tile.tile<{nv}x1xf32, ub, col_major>
        %sr = tile.reshape %s : !tile.tile<{nv}x1xf32, ub, col_major> -> !tile.tile<1x{nv}xf32, ub>
        %a1 = tile.add %a, %sr : !tile.tile<1x{nv}xf32, ub>
        scf.yield %a1 : !tile.tile<1x{nv}xf32, ub>
      }}
      tile.store %acc, %y[%c0, %n0] : !tile.tile<1x{nv}xf32, ub> -> memref<1x{n}xf32>
    }}
    scf.reduce
  }}
  return
}}
"""


def aiv_batch(b: int, k: int, n: int, kc: int, nv: int = 16) -> str:
    """The F1.2 batch form: col_expand_mul per output column, inserted into the block."""
    return f"""
func.func @proj(%x: memref<{b}x{k}xbf16>, %w: memref<{k}x{n}xbf16>, %y: memref<{b}x{n}xf32>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %nv = arith.constant {nv} : index
  %n = arith.constant {n} : index
  %kc = arith.constant {kc} : index
  %kd = arith.constant {k} : index
  scf.parallel (%n0) = (%c0) to (%n) step (%nv) {{
    tile.task vector "proj" {{
      %acc0 = tile.load %y[%c0, %n0] : memref<{b}x{n}xf32> -> !tile.tile<{b}x{nv}xf32, ub>
      %acc = scf.for %k0 = %c0 to %kd step %kc iter_args(%a = %acc0) -> (!tile.tile<{b}x{nv}xf32, ub>) {{
        %xb = tile.load %x[%c0, %k0] : memref<{b}x{k}xbf16> -> !tile.tile<{b}x{kc}xbf16, ub>
        %xf = tile.cast %xb : !tile.tile<{b}x{kc}xbf16, ub> -> !tile.tile<{b}x{kc}xf32, ub>
        %wb = tile.load %w[%k0, %n0] : memref<{k}x{n}xbf16> -> !tile.tile<{kc}x{nv}xbf16, ub>
        %wf = tile.cast %wb : !tile.tile<{kc}x{nv}xbf16, ub> -> !tile.tile<{kc}x{nv}xf32, ub>
        %wt = tile.transpose %wf : !tile.tile<{kc}x{nv}xf32, ub> -> !tile.tile<{nv}x{kc}xf32, ub>
        %z = tile.full 0.0 : !tile.tile<{b}x{nv}xf32, ub>
        %blk = scf.for %j = %c0 to %nv step %c1 iter_args(%p = %z) -> (!tile.tile<{b}x{nv}xf32, ub>) {{
          %row = tile.extract %wt[%j, %c0] : !tile.tile<{nv}x{kc}xf32, ub> -> !tile.tile<1x{kc}xf32, ub>
          %pr = tile.col_expand_mul %xf, %row : !tile.tile<{b}x{kc}xf32, ub>, !tile.tile<1x{kc}xf32, ub> -> !tile.tile<{b}x{kc}xf32, ub>
          %col = tile.row_sum %pr : !tile.tile<{b}x{kc}xf32, ub> -> !tile.tile<{b}x1xf32, ub, col_major>
          %p1 = tile.insert %col into %p[%c0, %j] : !tile.tile<{b}x1xf32, ub, col_major> into !tile.tile<{b}x{nv}xf32, ub>
          scf.yield %p1 : !tile.tile<{b}x{nv}xf32, ub>
        }}
        %a1 = tile.add %a, %blk : !tile.tile<{b}x{nv}xf32, ub>
        scf.yield %a1 : !tile.tile<{b}x{nv}xf32, ub>
      }}
      tile.store %acc, %y[%c0, %n0] : !tile.tile<{b}x{nv}xf32, ub> -> memref<{b}x{n}xf32>
    }}
    scf.reduce
  }}
  return
}}
"""


def cube_split_k(k: int, n: int, tk: int, slices: int) -> str:
    """Cube split-K: ``slices`` tasks atomic-add partial products into the same y."""
    per = k // slices
    return f"""
func.func @proj(%x: memref<1x{k}xbf16>, %w: memref<{k}x{n}xbf16>, %y: memref<1x{n}xf32>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %per = arith.constant {per} : index
  %kd = arith.constant {k} : index
  %tk = arith.constant {tk} : index
  %cn = arith.constant {n} : index
  scf.parallel (%s0) = (%c0) to (%kd) step (%per) {{
    tile.task cube "proj" {{
      %a1 = tile.load %x[%c0, %s0] valid(%c1, %per) : memref<1x{k}xbf16> -> !tile.tile<16x{per}xbf16, l1>
      %b1 = tile.load %w[%s0, %c0] : memref<{k}x{n}xbf16> -> !tile.tile<{per}x{n}xbf16, l1>
      %a0 = tile.move %a1[%c0, %c0] : !tile.tile<16x{per}xbf16, l1> -> !tile.tile<16x{tk}xbf16, l0a>
      %b0 = tile.move %b1[%c0, %c0] : !tile.tile<{per}x{n}xbf16, l1> -> !tile.tile<{tk}x{n}xbf16, l0b>
      %p0 = tile.matmul %a0, %b0 : !tile.tile<16x{tk}xbf16, l0a>, !tile.tile<{tk}x{n}xbf16, l0b> -> !tile.tile<16x{n}xf32, l0c>
      %p = scf.for %kk = %tk to %per step %tk iter_args(%acc = %p0) -> (!tile.tile<16x{n}xf32, l0c>) {{
        %a = tile.move %a1[%c0, %kk] : !tile.tile<16x{per}xbf16, l1> -> !tile.tile<16x{tk}xbf16, l0a>
        %b = tile.move %b1[%kk, %c0] : !tile.tile<{per}x{n}xbf16, l1> -> !tile.tile<{tk}x{n}xbf16, l0b>
        %acc1 = tile.matmul_acc %acc, %a, %b : !tile.tile<16x{n}xf32, l0c>, !tile.tile<16x{tk}xbf16, l0a>, !tile.tile<{tk}x{n}xbf16, l0b> -> !tile.tile<16x{n}xf32, l0c>
        scf.yield %acc1 : !tile.tile<16x{n}xf32, l0c>
      }}
      tile.store %p, %y[%c0, %c0] valid(%c1, %cn) atomic add : !tile.tile<16x{n}xf32, l0c> -> memref<1x{n}xf32>
    }}
    scf.reduce
  }}
  return
}}
"""


def _golden(args: Sequence[Array]) -> Array:
    x, w, y = args
    xt = to_torch(x.astype(np.float32))
    wt = to_torch(w.astype(np.float32))
    return (xt @ wt + to_torch(y)).numpy()


def _inputs(module: ModuleOp, seed: int = 0) -> list[Array]:
    fn = find_function(module, "proj")
    assert fn is not None
    return seeded_inputs(fn, seed)


def _run(module: ModuleOp, entry: str, args: Sequence[Array]) -> tuple[list[Array], RunStats]:
    stats = RunStats()
    return run_function(module, entry, args, stats=stats), stats


# --------------------------------------------------------------------------- #
# Lock step: the lowered projections
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(("k", "n", "kc"), [(64, 32, 32), (96, 48, 32), (80, 16, 80)])
def test_aiv_b1_batched_same_bits(parse: Parse, run_both: RunBoth, k: int, n: int, kc: int) -> None:
    m = parse(aiv_b1(k, n, kc))
    args = _inputs(m)
    out = run_both(m, "proj", args)
    assert ratio_allclose(out[2], _golden(args)).passed
    _, stats = _run(m, "proj", args)
    # One task needs no batch; more run together.
    assert (stats.batched, stats.fell_back) == (int(n > 16), 0)


@pytest.mark.parametrize(("b", "kc"), [(4, 32), (3, 48)])
def test_aiv_batch_form_same_bits(parse: Parse, run_both: RunBoth, b: int, kc: int) -> None:
    m = parse(aiv_batch(b, 96, 32, kc))
    args = _inputs(m)
    out = run_both(m, "proj", args)
    assert ratio_allclose(out[2], _golden(args)).passed
    _, stats = _run(m, "proj", args)
    assert (stats.batched, stats.fell_back) == (1, 0)


def test_cube_split_k_falls_back_and_matches(parse: Parse, run_both: RunBoth) -> None:
    # Every slice adds into all of y: the iterations share GM, so lock step
    # could reorder the f32 additions; the fast executor must notice.
    m = parse(cube_split_k(128, 32, 16, 4))
    args = _inputs(m)
    out = run_both(m, "proj", args)
    assert ratio_allclose(out[2], _golden(args)).passed
    _, stats = _run(m, "proj", args)
    assert (stats.batched, stats.fell_back) == (0, 1)


def test_nan_and_inf_propagate_alike(parse: Parse, run_both: RunBoth) -> None:
    m = parse(aiv_b1(64, 32, 32))
    x, w, y = _inputs(m)
    x = x.copy()
    x[0, 3] = np.nan
    w = w.copy()
    w[5, 7] = np.inf
    out = run_both(m, "proj", [x, w, y])
    assert np.isnan(out[2]).all()


# --------------------------------------------------------------------------- #
# Lock step: the other batched paths
# --------------------------------------------------------------------------- #


def test_gather_valid_extents_and_batched_memref_access(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        """
func.func @g(%x: memref<8x64xf32>, %y: memref<8x64xf32>, %v: memref<8x2xi32>, %s: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    // Offsets that do not step evenly (i * i mod 5): a gather, not a strided view.
    %sq = arith.muli %i, %i : index
    %r = arith.remui %sq, %c5 : index
    %col = arith.muli %i, %c8 : index
    %t = tile.load %x[%r, %col] : memref<8x64xf32> -> !tile.tile<2x8xf32, ub>
    // Per-iteration valid extents, read from memory: 1 + (v mod 2) rows, 1 + (v mod 8) columns.
    %vr = memref.load %v[%i, %c0] : memref<8x2xi32>
    %vc = memref.load %v[%i, %c1] : memref<8x2xi32>
    %two = arith.constant 2 : i32
    %eight = arith.constant 8 : i32
    %one = arith.constant 1 : i32
    %mr = arith.remui %vr, %two : i32
    %mc = arith.remui %vc, %eight : i32
    %er = arith.addi %mr, %one : i32
    %ec = arith.addi %mc, %one : i32
    %rows = arith.index_cast %er : i32 to index
    %cols = arith.index_cast %ec : i32 to index
    %p = tile.load %x[%i, %col] valid(%c1, %cols) : memref<8x64xf32> -> !tile.tile<1x8xf32, ub>
    %sum = tile.add %t, %t : !tile.tile<2x8xf32, ub>
    tile.store %sum, %y[%c0, %col] valid(%rows, %cols) : !tile.tile<2x8xf32, ub> -> memref<8x64xf32>
    %q = tile.row_sum %p : !tile.tile<1x8xf32, ub> -> !tile.tile<1x1xf32, ub, col_major>
    // One element per iteration through memref.load / memref.store.
    %e = memref.load %x[%i, %c0] : memref<8x64xf32>
    %h = arith.constant 0.5 : f32
    %eh = arith.mulf %e, %h : f32
    memref.store %eh, %s[%i] : memref<8xf32>
    scf.reduce
  }
  return
}
"""
    )
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 64)).astype(np.float32)
    y = rng.standard_normal((8, 64)).astype(np.float32)
    v = rng.integers(0, 100, (8, 2)).astype(np.int32)
    s = np.zeros(8, np.float32)
    _, y_out, _, s_out = run_both(m, "g", [x, y, v, s])
    expected = y.copy()
    for i in range(8):
        r, col = (i * i) % 5, i * 8
        er, ec = 1 + v[i, 0] % 2, 1 + v[i, 1] % 8
        expected[0:er, col : col + ec] = (x[r : r + 2, col : col + 8] * 2)[:er, :ec]
    assert np.array_equal(y_out, expected)
    assert np.array_equal(s_out, x[:, 0] * np.float32(0.5))
    _, stats = _run(m, "g", [x, y, v, s])
    assert (stats.batched, stats.fell_back) == (1, 0)


def test_insert_extract_at_per_iteration_offsets_and_nested_loops(
    parse: Parse, run_both: RunBoth
) -> None:
    m = parse(
        """
func.func @h(%x: memref<4x32xf32>, %y: memref<4x32xf32>, %t: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  %total = scf.parallel (%n0) = (%c0) to (%c32) step (%c8) init (%zero) -> f32 {
    %a = tile.load %x[%c0, %n0] : memref<4x32xf32> -> !tile.tile<4x8xf32, ub>
    %j = arith.divui %n0, %c8 : index
    %blk = tile.extract %a[%j, %c0] : !tile.tile<4x8xf32, ub> -> !tile.tile<1x8xf32, ub>
    %z = tile.full 0.0 : !tile.tile<4x8xf32, ub>
    %ins = tile.insert %blk into %z[%j, %c0] : !tile.tile<1x8xf32, ub> into !tile.tile<4x8xf32, ub>
    %twice = scf.for %r = %c0 to %c2 step %c1 iter_args(%acc = %ins) -> (!tile.tile<4x8xf32, ub>) {
      %d = tile.add %acc, %ins : !tile.tile<4x8xf32, ub>
      scf.yield %d : !tile.tile<4x8xf32, ub>
    }
    tile.store %twice, %y[%c0, %n0] : !tile.tile<4x8xf32, ub> -> memref<4x32xf32>
    %part = memref.load %x[%j, %n0] : memref<4x32xf32>
    scf.reduce(%part : f32) {
    ^bb0(%l: f32, %r: f32):
      %s = arith.addf %l, %r : f32
      scf.reduce.return %s : f32
    }
  }
  memref.store %total, %t[%c0] : memref<1xf32>
  return
}
"""
    )
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 32)).astype(np.float32)
    _, y, t = run_both(m, "h", [x, np.zeros((4, 32), np.float32), np.zeros(1, np.float32)])
    expected = np.zeros((4, 32), np.float32)
    total = np.float32(0)
    for j, n0 in enumerate(range(0, 32, 8)):
        expected[j, n0 : n0 + 8] = x[j, n0 : n0 + 8] * 3
        total = np.float32(total + x[j, n0])
    assert np.array_equal(y, expected)
    assert t[0] == total
    _, stats = _run(m, "h", [x, np.zeros((4, 32), np.float32), np.zeros(1, np.float32)])
    assert (stats.batched, stats.fell_back) == (1, 0)


# --------------------------------------------------------------------------- #
# Falling back
# --------------------------------------------------------------------------- #


def test_divergent_if_and_loop_bounds_fall_back(parse: Parse, run_both: RunBoth) -> None:
    m = parse(
        """
func.func @d(%x: memref<1x64xf32>, %y: memref<1x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%n0) = (%c0) to (%c64) step (%c8) {
    %t = tile.load %x[%c0, %n0] : memref<1x64xf32> -> !tile.tile<1x8xf32, ub>
    %small = arith.cmpi ult, %n0, %c16 : index
    %u = scf.if %small -> (!tile.tile<1x8xf32, ub>) {
      %d = tile.add %t, %t : !tile.tile<1x8xf32, ub>
      scf.yield %d : !tile.tile<1x8xf32, ub>
    } else {
      scf.yield %t : !tile.tile<1x8xf32, ub>
    }
    %trips = arith.divui %n0, %c8 : index
    %v = scf.for %i = %c0 to %trips step %c1 iter_args(%a = %u) -> (!tile.tile<1x8xf32, ub>) {
      %m = tile.mul %a, %t : !tile.tile<1x8xf32, ub>
      scf.yield %m : !tile.tile<1x8xf32, ub>
    }
    tile.store %v, %y[%c0, %n0] : !tile.tile<1x8xf32, ub> -> memref<1x64xf32>
    scf.reduce
  }
  return
}
"""
    )
    x = np.random.default_rng(5).standard_normal((1, 64)).astype(np.float32)
    _, y = run_both(m, "d", [x, np.zeros((1, 64), np.float32)])
    expected = np.zeros((1, 64), np.float32)
    for n0 in range(0, 64, 8):
        t = x[0, n0 : n0 + 8]
        u = t + t if n0 < 16 else t
        for _ in range(n0 // 8):
            u = u * t
        expected[0, n0 : n0 + 8] = u
    assert np.array_equal(y, expected)
    _, stats = _run(m, "d", [x, np.zeros((1, 64), np.float32)])
    assert (stats.batched, stats.fell_back) == (0, 1)


def test_iterations_writing_one_place_keep_the_sequential_winner(
    parse: Parse, run_both: RunBoth
) -> None:
    m = parse(
        """
func.func @w(%x: memref<1x32xf32>, %y: memref<1x8xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  scf.parallel (%n0) = (%c0) to (%c32) step (%c8) {
    %t = tile.load %x[%c0, %n0] : memref<1x32xf32> -> !tile.tile<1x8xf32, ub>
    tile.store %t, %y[%c0, %c0] : !tile.tile<1x8xf32, ub> -> memref<1x8xf32>
    scf.reduce
  }
  return
}
"""
    )
    x = np.arange(32, dtype=np.float32).reshape(1, 32)
    _, y = run_both(m, "w", [x, np.zeros((1, 8), np.float32)])
    assert np.array_equal(y, x[:, 24:32])  # the last iteration's store wins


def _error_text(e: DiagnosticError) -> str:
    return "\n".join(render(d, None) for d in e.diagnostics)


def test_a_failing_iteration_gives_the_reference_error(parse: Parse) -> None:
    m = parse(aiv_b1(64, 32, 32).replace("%n = arith.constant 32", "%n = arith.constant 48"))
    args = _inputs(m)
    messages: list[str] = []
    executors: tuple[Executor, ...] = ("reference", "fast")
    for executor in executors:
        with pytest.raises(DiagnosticError) as info:
            run_function(m, "proj", args, executor=executor)
        messages.append(_error_text(info.value))
    assert messages[0] == messages[1]
    assert "'tile.load' op reads rows 0..0 x columns 32..47 of %y" in messages[0]
    assert "note: in the iteration where %n0 = 32" in messages[0]


def test_snapshot_restores_buffers_after_a_late_divergence(parse: Parse, run_both: RunBoth) -> None:
    # The stores of the first iterations happen in lock step before the last
    # iteration's load of another iteration's block is noticed: the snapshot
    # must undo them, or the atomic adds would count twice.
    m = parse(
        """
func.func @s(%x: memref<1x32xf32>, %y: memref<1x32xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c24 = arith.constant 24 : index
  %c32 = arith.constant 32 : index
  scf.parallel (%n0) = (%c0) to (%c32) step (%c8) {
    %t = tile.load %x[%c0, %n0] : memref<1x32xf32> -> !tile.tile<1x8xf32, ub>
    tile.store %t, %y[%c0, %n0] atomic add : !tile.tile<1x8xf32, ub> -> memref<1x32xf32>
    %last = arith.cmpi eq, %n0, %c24 : index
    %src = arith.select %last, %c0, %n0 : index
    %u = tile.load %y[%c0, %src] : memref<1x32xf32> -> !tile.tile<1x8xf32, ub>
    tile.store %u, %y[%c0, %n0] atomic add : !tile.tile<1x8xf32, ub> -> memref<1x32xf32>
    scf.reduce
  }
  return
}
"""
    )
    x = np.arange(32, dtype=np.float32).reshape(1, 32)
    y = np.ones((1, 32), np.float32)
    _, out = run_both(m, "s", [x, y])
    expected = y.copy()
    for n0 in range(0, 32, 8):
        expected[0, n0 : n0 + 8] += x[0, n0 : n0 + 8]
        src = 0 if n0 == 24 else n0
        expected[0, n0 : n0 + 8] += expected[0, src : src + 8].copy()
    assert np.array_equal(out, expected)
    _, stats = _run(m, "s", [x, y])
    assert (stats.batched, stats.fell_back) == (0, 1)


# --------------------------------------------------------------------------- #
# Property: random F1.2 shapes
# --------------------------------------------------------------------------- #


@settings(max_examples=12, deadline=None)
@given(
    blocks=st.integers(1, 3),
    kc=st.sampled_from([16, 32, 48]),
    tiles=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_random_aiv_shapes_match_the_golden_and_the_reference(
    blocks: int, kc: int, tiles: int, seed: int
) -> None:
    from qkv_opt.dialects import make_context

    ctx: Context = make_context()
    m = parse_source(ctx, aiv_b1(blocks * kc, tiles * 16, kc), "random.mlir")
    verify_module(m)
    args = _inputs(m, seed)
    fast = run_function(m, "proj", args)
    ref = run_function(m, "proj", args, executor="reference")
    assert np.array_equal(fast[2].view(np.uint32), ref[2].view(np.uint32))
    assert ratio_allclose(fast[2], _golden(args)).passed
