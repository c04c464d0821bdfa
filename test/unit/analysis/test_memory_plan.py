"""The memory planner: liveness, sharing rules, offsets, peaks (docs/memory-plan.md)."""

from __future__ import annotations

import random
import time

import pytest
from conftest import Parse
from ir_helpers import only_task, parse_module, values_by_name
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from qkv_opt.analysis.memory_plan import Buffer, TaskPlan, plan_task
from qkv_opt.dialects.targets import get_target
from qkv_opt.dialects.tile import MemorySpace

A2 = get_target("ascend910b")
A5 = get_target("ascend950")
UB = MemorySpace.UB
F32 = "memref<64x64xf32>"


def plan(module: ModuleOp, target_name: str = "ascend910b") -> TaskPlan:
    return plan_task(only_task(module), get_target(target_name))


def buf(p: TaskPlan, module: ModuleOp, name: str) -> Buffer:
    b = p.buffer_of(values_by_name(module)[name])
    assert b is not None, name
    return b


def check_consistent(p: TaskPlan) -> None:
    """No two buffers live at once overlap in memory; offsets are aligned; peaks are right."""
    for space in MemorySpace:
        if space == MemorySpace.GM:
            continue
        bs = [b for b in p.buffers if b.space == space]
        align = A2.base_alignment[space]
        for b in bs:
            assert b.offset % align == 0
            assert b.footprint >= b.size
            assert b.footprint % align == 0
        for i, a in enumerate(bs):
            for b in bs[i + 1 :]:
                in_time = a.first <= b.last and b.first <= a.last
                in_space = a.offset < b.end and b.offset < a.end
                assert not (in_time and in_space), (a.name, b.name)
        assert p.peak[space] == max((b.end for b in bs), default=0)
        if bs:
            point = p.peak_point[space]
            assert any(b.live_at(point) and b.end == p.peak[space] for b in bs)


# --------------------------------------------------------------------------- #
# Reuse of dead buffers
# --------------------------------------------------------------------------- #


def test_dead_buffer_is_reused(parse: Parse) -> None:
    m = parse(
        """
    %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<64x64xf32, ub>
    tile.store %a, %x[%c0, %c0] : !tile.tile<64x64xf32, ub> -> memref<64x64xf32>
    %b = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<64x64xf32, ub>
    tile.store %b, %x[%c0, %c0] : !tile.tile<64x64xf32, ub> -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    a, b = buf(p, m, "a"), buf(p, m, "b")
    assert a is not b
    assert (a.first, a.last) == (0, 1)
    assert (b.first, b.last) == (2, 3)
    assert a.offset == b.offset == 0
    assert p.peak[UB] == 16384
    assert p.fits(A2)
    check_consistent(p)


def test_live_buffers_do_not_overlap(parse: Parse) -> None:
    m = parse(
        """
    %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<64x64xf32, ub>
    %b = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<64x64xf32, ub>
    %s = tile.add %a, %b : !tile.tile<64x64xf32, ub>
    tile.store %s, %x[%c0, %c0] : !tile.tile<64x64xf32, ub> -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    assert p.peak[UB] == 2 * 16384
    assert {b.offset for b in p.buffers} == {0, 16384}
    assert [b.name for b in p.live_at_peak(UB)] == ["%a", "%b"]
    check_consistent(p)


# --------------------------------------------------------------------------- #
# In-place ops and ops that are not in-place safe
# --------------------------------------------------------------------------- #


def test_add_writes_into_the_operand_that_dies(parse: Parse) -> None:
    m = parse(
        """
    %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<64x64xf32, ub>
    %b = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<64x64xf32, ub>
    %s = tile.add %a, %b : !tile.tile<64x64xf32, ub>
    tile.store %s, %x[%c0, %c0] : !tile.tile<64x64xf32, ub> -> memref<64x64xf32>
    tile.store %a, %x[%c0, %c0] : !tile.tile<64x64xf32, ub> -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    # %a is read after the add, %b is not: the sum overwrites %b.
    assert buf(p, m, "s") is buf(p, m, "b")
    assert buf(p, m, "s") is not buf(p, m, "a")
    assert p.peak[UB] == 2 * 16384


def test_no_operand_dies_gives_a_fresh_buffer(parse: Parse) -> None:
    m = parse(
        """
    %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<64x64xf32, ub>
    %p = tile.mul %a, %a : !tile.tile<64x64xf32, ub>
    tile.store %p, %x[%c0, %c0] : !tile.tile<64x64xf32, ub> -> memref<64x64xf32>
    tile.store %a, %x[%c0, %c0] : !tile.tile<64x64xf32, ub> -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    assert buf(p, m, "p") is not buf(p, m, "a")
    assert p.peak[UB] == 2 * 16384


@pytest.mark.parametrize("op", ["tile.transpose", "tile.cast"])
def test_not_in_place_safe_ops_get_fresh_buffers(parse: Parse, op: str) -> None:
    result = "!tile.tile<64x64xf32, ub>"
    m = parse(
        f"""
    %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<64x64xf32, ub>
    %t = {op} %a : !tile.tile<64x64xf32, ub> -> {result}
    tile.store %t, %x[%c0, %c0] : {result} -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    a, t = buf(p, m, "a"), buf(p, m, "t")
    # %a dies at the op, but the op reads all of it while it writes: both are live there.
    assert a is not t
    assert a.last == t.first
    assert p.peak[UB] == 2 * 16384
    check_consistent(p)


def test_col_expand_mul_reuses_only_its_lhs(parse: Parse) -> None:
    m = parse(
        """
    %x2 = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<64x64xf32, ub>
    %w = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<1x64xf32, ub>
    %p = tile.col_expand_mul %x2, %w : !tile.tile<64x64xf32, ub>, !tile.tile<1x64xf32, ub> -> !tile.tile<64x64xf32, ub>
    tile.store %p, %x[%c0, %c0] : !tile.tile<64x64xf32, ub> -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    assert buf(p, m, "p") is buf(p, m, "x2")
    assert p.peak[UB] == 16384 + 256


def test_insert_and_matmul_acc_update_in_place(parse: Parse) -> None:
    m = parse(
        """
    %a1 = tile.load %a[%c0, %c0] : memref<16x16xbf16> -> !tile.tile<16x16xbf16, l1>
    %a0 = tile.move %a1[%c0, %c0] : !tile.tile<16x16xbf16, l1> -> !tile.tile<16x16xbf16, l0a>
    %b0 = tile.move %a1[%c0, %c0] : !tile.tile<16x16xbf16, l1> -> !tile.tile<16x16xbf16, l0b>
    %acc = tile.matmul %a0, %b0 : !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xf32, l0c>
    %acc1 = tile.matmul_acc %acc, %a0, %b0 : !tile.tile<16x16xf32, l0c>, !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xf32, l0c>
    tile.store %acc1, %y[%c0, %c0] : !tile.tile<16x16xf32, l0c> -> memref<16x16xf32>
    """,
        args="%a: memref<16x16xbf16>, %y: memref<16x16xf32>",
        unit="cube",
    )
    p = plan(m)
    assert buf(p, m, "acc1") is buf(p, m, "acc")
    assert p.peak[MemorySpace.L0C] == 1024
    # L0A / L0B / L0C buffers are 512-B aligned.
    assert p.peak[MemorySpace.L0A] == 512

    m = parse(
        """
    %acc = tile.full 0.0 : !tile.tile<16x16xf32, ub>
    %s = tile.full 1.0 : !tile.tile<16x1xf32, ub, col_major>
    %acc1 = tile.insert %s into %acc[%c0, %c1] : !tile.tile<16x1xf32, ub, col_major> into !tile.tile<16x16xf32, ub>
    %keep = tile.full 0.0 : !tile.tile<16x16xf32, ub>
    %acc2 = tile.insert %s into %keep[%c0, %c1] : !tile.tile<16x1xf32, ub, col_major> into !tile.tile<16x16xf32, ub>
    %sum = tile.add %keep, %acc2 : !tile.tile<16x16xf32, ub>
    tile.store %sum, %y[%c0, %c0] : !tile.tile<16x16xf32, ub> -> memref<16x16xf32>
    tile.store %acc1, %y[%c0, %c0] : !tile.tile<16x16xf32, ub> -> memref<16x16xf32>
    """,
        args="%y: memref<16x16xf32>",
    )
    p = plan(m)
    assert buf(p, m, "acc1") is buf(p, m, "acc")
    # %keep is read after the insert: the insert writes a copy.
    assert buf(p, m, "acc2") is not buf(p, m, "keep")


# --------------------------------------------------------------------------- #
# Views
# --------------------------------------------------------------------------- #


def test_views_alias_their_source_and_extend_its_life(parse: Parse) -> None:
    m = parse(
        """
    %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<16x64xf32, ub>
    %s = tile.row_sum %a : !tile.tile<16x64xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
    %r = tile.reshape %s : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
    %e = tile.extract %a[%c1, %c0] : !tile.tile<16x64xf32, ub> -> !tile.tile<1x64xf32, ub>
    tile.store %e, %x[%c0, %c0] : !tile.tile<1x64xf32, ub> -> memref<64x64xf32>
    tile.store %r, %x[%c0, %c0] : !tile.tile<1x16xf32, ub> -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    a, s = buf(p, m, "a"), buf(p, m, "s")
    assert buf(p, m, "r") is s
    assert buf(p, m, "e") is a
    # %a lives until its view %e is stored (point 4), %s until %r is (point 5).
    assert a.last == 4
    assert s.last == 5
    assert [v.name_hint for v in a.values] == ["a", "e"]
    tiles = [b for b in p.buffers if b.kind == "tile"]
    assert len(tiles) == 2


def test_a_live_view_blocks_in_place_reuse(parse: Parse) -> None:
    m = parse(
        """
    %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<1x64xf32, ub>
    %b = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<1x64xf32, ub>
    %v = tile.reshape %a : !tile.tile<1x64xf32, ub> -> !tile.tile<1x64xf32, ub>
    %s = tile.add %a, %b : !tile.tile<1x64xf32, ub>
    tile.store %v, %x[%c0, %c0] : !tile.tile<1x64xf32, ub> -> memref<64x64xf32>
    tile.store %s, %x[%c0, %c0] : !tile.tile<1x64xf32, ub> -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    # %a dies at the add, but its view %v is stored later: the sum takes %b's buffer.
    assert buf(p, m, "s") is buf(p, m, "b")


# --------------------------------------------------------------------------- #
# Loops
# --------------------------------------------------------------------------- #

LOOP = """
    %acc0 = tile.full 0.0 : !tile.tile<1x64xf32, ub>
    %w = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<1x64xf32, ub>
    %acc = scf.for %i = %c0 to %c64 step %c16 iter_args(%a = %acc0) -> (!tile.tile<1x64xf32, ub>) {
      %t = tile.load %x[%c0, %i] : memref<64x64xf32> -> !tile.tile<1x64xf32, ub>
      %u = tile.mul %t, %w : !tile.tile<1x64xf32, ub>
      %a1 = tile.add %a, %u : !tile.tile<1x64xf32, ub>
      scf.yield %a1 : !tile.tile<1x64xf32, ub>
    }
    tile.store %acc, %x[%c0, %c0] : !tile.tile<1x64xf32, ub> -> memref<64x64xf32>
"""


def test_loop_carried_values_live_across_the_loop(parse: Parse) -> None:
    m = parse(LOOP, args=f"%x: {F32}")
    p = plan(m)
    points = [pp.describe() for pp in p.points]
    assert points == [
        "'tile.full'",
        "'tile.load'",
        "'scf.for'",
        "'tile.load'",
        "'tile.mul'",
        "'tile.add'",
        "'scf.yield'",
        "end of 'scf.for'",
        "'tile.store'",
    ]
    acc = buf(p, m, "acc0")
    # init, iteration argument, the in-place add, the yield and the loop result share one buffer
    assert [v.name_hint for v in acc.values] == ["acc0", "a", "a1", "acc"]
    assert (acc.first, acc.last) == (0, 8)
    # %w is defined before the loop and read inside: live up to the loop's end.
    w = buf(p, m, "w")
    assert (w.first, w.last) == (1, 7)
    # %t is read in its own iteration only: its buffer is taken by %u (in place).
    t = buf(p, m, "t")
    assert buf(p, m, "u") is t
    assert (t.first, t.last) == (3, 5)
    # The in-place mul must not overwrite %w: it is read again next iteration.
    assert t is not w
    assert p.peak[UB] == 3 * 256
    check_consistent(p)


def test_init_still_needed_after_the_loop_is_copied(parse: Parse) -> None:
    m = parse(
        """
    %acc0 = tile.full 0.0 : !tile.tile<1x64xf32, ub>
    %acc = scf.for %i = %c0 to %c64 step %c16 iter_args(%a = %acc0) -> (!tile.tile<1x64xf32, ub>) {
      %a1 = tile.add %a, %a : !tile.tile<1x64xf32, ub>
      scf.yield %a1 : !tile.tile<1x64xf32, ub>
    }
    tile.store %acc, %x[%c0, %c0] : !tile.tile<1x64xf32, ub> -> memref<64x64xf32>
    tile.store %acc0, %x[%c0, %c0] : !tile.tile<1x64xf32, ub> -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    assert buf(p, m, "a") is not buf(p, m, "acc0")
    assert buf(p, m, "acc") is buf(p, m, "a")
    assert p.peak[UB] == 2 * 256


def test_nested_loops_keep_outer_values_live(parse: Parse) -> None:
    m = parse(
        """
    %w = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<16x64xf32, ub>
    scf.for %i = %c0 to %c64 step %c16 {
      %v = tile.load %x[%c0, %i] : memref<64x64xf32> -> !tile.tile<16x64xf32, ub>
      scf.for %j = %c0 to %c16 step %c1 {
        %r = tile.extract %w[%j, %c0] : !tile.tile<16x64xf32, ub> -> !tile.tile<1x64xf32, ub>
        %p = tile.col_expand_mul %v, %r : !tile.tile<16x64xf32, ub>, !tile.tile<1x64xf32, ub> -> !tile.tile<16x64xf32, ub>
        tile.store %p, %x[%c0, %c0] : !tile.tile<16x64xf32, ub> -> memref<64x64xf32>
      }
    }
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    ends = [pp.index for pp in p.points if pp.loop_end]
    inner_end, outer_end = ends
    w, v, prod = buf(p, m, "w"), buf(p, m, "v"), buf(p, m, "p")
    assert w.last == outer_end
    assert v.last == inner_end
    # %v is read in every inner iteration: the product is never written into it.
    assert prod is not v
    assert p.peak[UB] == 3 * 4096
    check_consistent(p)


def test_if_results_are_fresh_buffers(parse: Parse) -> None:
    m = parse(
        """
    %cond = arith.constant true
    %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<1x64xf32, ub>
    %r = scf.if %cond -> (!tile.tile<1x64xf32, ub>) {
      scf.yield %a : !tile.tile<1x64xf32, ub>
    } else {
      %b = tile.add %a, %a : !tile.tile<1x64xf32, ub>
      scf.yield %b : !tile.tile<1x64xf32, ub>
    }
    tile.store %r, %x[%c0, %c0] : !tile.tile<1x64xf32, ub> -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    r = buf(p, m, "r")
    assert r is not buf(p, m, "a")
    assert r.op.name == "scf.if"
    check_consistent(p)


# --------------------------------------------------------------------------- #
# Scratch, alignment
# --------------------------------------------------------------------------- #

ROW_SUM = """
    %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<16x64xf32, ub>
    %s = tile.row_sum %a : !tile.tile<16x64xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
    tile.store %s, %y[%c0, %c0] : !tile.tile<16x1xf32, ub, col_major> -> memref<16x1xf32>
"""


def test_row_sum_needs_a_tmp_the_size_of_its_input_on_a2(parse: Parse) -> None:
    m = parse(ROW_SUM, args=f"%x: {F32}, %y: memref<16x1xf32>")
    p = plan(m)
    scratch = [b for b in p.buffers if b.kind == "scratch"]
    assert len(scratch) == 1
    (tmp,) = scratch
    assert tmp.size == 16 * 64 * 4
    assert (tmp.first, tmp.last) == (1, 1)
    assert tmp.op.name == "tile.row_sum"
    assert tmp.name == "scratch of %s"
    assert p.peak[UB] == 2 * 4096 + 64
    check_consistent(p)
    p950 = plan(m, "ascend950")
    assert not [b for b in p950.buffers if b.kind == "scratch"]
    assert p950.peak[UB] == 4096 + 64


def test_offsets_are_rounded_to_the_base_alignment(parse: Parse) -> None:
    # 12-byte tiles (misaligned: check-target reports them) still get 32-B aligned offsets.
    m = parse(
        """
    %a = tile.full 0.0 : !tile.tile<1x3xf32, ub>
    %b = tile.full 0.0 : !tile.tile<1x3xf32, ub>
    %s = tile.add %a, %b : !tile.tile<1x3xf32, ub>
    tile.store %s, %x[%c0, %c0] : !tile.tile<1x3xf32, ub> -> memref<64x64xf32>
    tile.store %a, %x[%c0, %c0] : !tile.tile<1x3xf32, ub> -> memref<64x64xf32>
    """,
        args=f"%x: {F32}",
    )
    p = plan(m)
    assert sorted(b.offset for b in p.buffers) == [0, 32]
    assert all(b.size == 12 and b.footprint == 32 for b in p.buffers)
    assert p.peak[UB] == 64
    check_consistent(p)


def test_unused_spaces_and_empty_tasks(parse: Parse) -> None:
    p = plan(parse("", args=""))
    assert p.buffers == []
    assert all(v == 0 for v in p.peak.values())
    assert all(v == -1 for v in p.peak_point.values())
    assert p.live_at_peak(UB) == []
    assert p.fits(A2)


# --------------------------------------------------------------------------- #
# The F1.2 calibration and the planner's quality and speed
# --------------------------------------------------------------------------- #


def f12(kc: int) -> str:
    return f"""
    %acc0 = tile.full 0.0 : !tile.tile<1x16xf32, ub>
    %acc = scf.for %k0 = %c0 to %c64 step %c16 iter_args(%a = %acc0) -> (!tile.tile<1x16xf32, ub>) {{
      %x_blk = tile.load %x[%c0, %k0] : memref<1x5120xbf16> -> !tile.tile<1x{kc}xbf16, ub>
      %x_f32 = tile.cast %x_blk : !tile.tile<1x{kc}xbf16, ub> -> !tile.tile<1x{kc}xf32, ub>
      %w_blk = tile.load %w[%k0, %c0] : memref<5120x1024xbf16> -> !tile.tile<{kc}x16xbf16, ub>
      %w_f32 = tile.cast %w_blk : !tile.tile<{kc}x16xbf16, ub> -> !tile.tile<{kc}x16xf32, ub>
      %w_t = tile.transpose %w_f32 : !tile.tile<{kc}x16xf32, ub> -> !tile.tile<16x{kc}xf32, ub>
      %x_rows = tile.col_expand %x_f32 : !tile.tile<1x{kc}xf32, ub> -> !tile.tile<16x{kc}xf32, ub>
      %prod = tile.mul %w_t, %x_rows : !tile.tile<16x{kc}xf32, ub>
      %part = tile.row_sum %prod : !tile.tile<16x{kc}xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
      %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
      %a_next = tile.add %a, %part_row : !tile.tile<1x16xf32, ub>
      scf.yield %a_next : !tile.tile<1x16xf32, ub>
    }}
    tile.store %acc, %y[%c0, %c0] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
    """


F12_ARGS = "%x: memref<1x5120xbf16>, %w: memref<5120x1024xbf16>, %y: memref<1x1024xf32>"


@pytest.mark.parametrize(("kc", "peak", "fits"), [(1024, 135232, True), (2048, 270400, False)])
def test_f12_calibration(parse: Parse, kc: int, peak: int, fits: bool) -> None:
    m = parse(f12(kc), args=F12_ARGS)
    p = plan(m)
    assert p.peak[UB] == peak
    assert p.fits(A2) is fits
    assert p.points[p.peak_point[UB]].op.name == "tile.transpose"
    live = [(b.name, b.size) for b in p.live_at_peak(UB)]
    assert live == [
        ("%w_f32", kc * 64),
        ("%w_t", kc * 64),
        ("%x_f32", kc * 4),
        ("%acc0", 64),
    ]
    check_consistent(p)


def test_largest_kc_that_fits_batch_1(ctx: Context) -> None:
    fitting = [
        kc for kc in range(16, 2049, 16) if plan(parse_module(ctx, f12(kc), args=F12_ARGS)).fits(A2)
    ]
    # 132 B per kc (W f32, its transpose, the f32 x row) + the 64 B accumulator.
    assert max(fitting) == 1424 == (A2.capacity[UB] - 64) // 132 // 16 * 16
    assert fitting == list(range(16, 1425, 16))


def test_random_programs_plan_consistently(ctx: Context) -> None:
    rng = random.Random(7)
    for _ in range(40):
        lines: list[str] = []
        names: list[str] = []
        for i in range(rng.randint(2, 30)):
            kind = rng.random()
            rows = rng.choice([1, 2, 4, 8])
            if kind < 0.4 or len(names) < 2:
                lines.append(
                    f"%v{i} = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<{rows}x64xf32, ub>"
                )
                names.append(f"v{i}:{rows}")
            else:
                a, b = rng.sample(names, 2)
                ra, rb = int(a.split(":")[1]), int(b.split(":")[1])
                if ra != rb:
                    lines.append(
                        f"%v{i} = tile.transpose %{a.split(':')[0]} : "
                        f"!tile.tile<{ra}x64xf32, ub> -> !tile.tile<64x{ra}xf32, ub>"
                    )
                    continue
                lines.append(
                    f"%v{i} = tile.add %{a.split(':')[0]}, %{b.split(':')[0]} : "
                    f"!tile.tile<{ra}x64xf32, ub>"
                )
                names.append(f"v{i}:{ra}")
            if rng.random() < 0.3 and names:
                victim = rng.choice(names)
                rows_v = victim.split(":")[1]
                lines.append(
                    f"tile.store %{victim.split(':')[0]}, %x[%c0, %c0] : "
                    f"!tile.tile<{rows_v}x64xf32, ub> -> memref<64x64xf32>"
                )
        m = parse_module(ctx, "\n".join(lines), args=f"%x: {F32}")
        p = plan(m)
        check_consistent(p)
        # The plan never needs less than what is live at once, and stays within 2x of it.
        most = max(p.live_bytes(UB, i) for i in range(len(p.points)))
        assert most <= p.peak[UB] <= 2 * most


def test_planning_is_fast_on_big_tasks(ctx: Context) -> None:
    # 2000 tiles, 1000 of them live at once at the middle: no quadratic blow-up
    # beyond the pairs that really are live together.
    n = 1000
    loads = [
        f"%v{i} = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<1x8xf32, ub>"
        for i in range(n)
    ]
    stores = [
        f"tile.store %v{i}, %x[%c0, %c0] : !tile.tile<1x8xf32, ub> -> memref<64x64xf32>"
        for i in reversed(range(n))
    ]
    chain = [
        f"%w{i} = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<1x8xf32, ub>\n"
        f"tile.store %w{i}, %x[%c0, %c0] : !tile.tile<1x8xf32, ub> -> memref<64x64xf32>"
        for i in range(n)
    ]
    m = parse_module(ctx, "\n".join(loads + stores + chain), args=f"%x: {F32}")
    task = only_task(m)
    start = time.perf_counter()
    p = plan_task(task, A2)
    elapsed = time.perf_counter() - start
    assert p.peak[UB] == n * 32
    assert elapsed < 3.0, elapsed


def test_planning_scales_with_the_live_set_not_the_task(ctx: Context) -> None:
    # 3000 tiles, never more than two live at once: linear work.
    chain = [
        f"%w{i} = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<1x8xf32, ub>\n"
        f"%s{i} = tile.add %w{i}, %w{i} : !tile.tile<1x8xf32, ub>\n"
        f"tile.store %s{i}, %x[%c0, %c0] : !tile.tile<1x8xf32, ub> -> memref<64x64xf32>"
        for i in range(1500)
    ]
    m = parse_module(ctx, "\n".join(chain), args=f"%x: {F32}")
    task = only_task(m)
    start = time.perf_counter()
    p = plan_task(task, A2)
    elapsed = time.perf_counter() - start
    assert p.peak[UB] == 32
    assert elapsed < 1.0, elapsed
