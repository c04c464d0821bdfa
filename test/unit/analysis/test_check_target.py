"""
check-target on IR built in Python, including IR the op verifiers would reject.

The verifiers already reject a col_major add or an l0c -> ub move on every target;
check-target reports the same rules from the target table (where Ascend950 allows
more), with the rule's source and the fix.  These tests build such IR directly.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Parse
from xdsl.context import Context
from xdsl.dialects import arith, func
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float32Type,
    IndexType,
    IntegerType,
    MemRefType,
    ModuleOp,
)
from xdsl.ir import Block, Operation, Region, SSAValue

from qkv_opt.dialects.targets import get_target
from qkv_opt.dialects.tile import (
    AddOp,
    FullOp,
    Layout,
    LoadOp,
    MatmulOp,
    MemorySpace,
    MoveOp,
    StoreOp,
    TaskOp,
    TileType,
    Unit,
)
from qkv_opt.passes import get_all_passes
from qkv_opt.passes.check_target import CheckTargetPass, check_target, target_violations
from qkv_opt.passes.pipeline import PipelineError, build_pipeline
from qkv_opt.utils.diagnostics import DiagnosticError

A2 = get_target("ascend910b")
A5 = get_target("ascend950")
F32, BF16 = Float32Type(), BFloat16Type()
UB, L1, L0A, L0B, L0C = (
    MemorySpace.UB,
    MemorySpace.L1,
    MemorySpace.L0A,
    MemorySpace.L0B,
    MemorySpace.L0C,
)

Body = Callable[[SSAValue, SSAValue], list[Operation]]


def build(unit: Unit, body: Body, memref: MemRefType | None = None) -> ModuleOp:
    """A function with one memref argument, a constant 0 and one task of ``body``."""
    mt = memref if memref is not None else MemRefType(F32, [64, 64])
    block = Block(arg_types=[mt])
    c0 = arith.ConstantOp.from_int_and_width(0, IndexType())
    task = TaskOp(unit, "t", Region(Block(body(block.args[0], c0.result))))
    block.add_ops([c0, task, func.ReturnOp()])
    f = func.FuncOp("f", ([mt], []), Region(block))
    return ModuleOp([f])


def messages(module: ModuleOp, target_name: str = "ascend910b") -> list[str]:
    return [d.message for d in target_violations(module, get_target(target_name))]


def test_l0c_to_ub_is_a_path_on_950_only() -> None:
    def body(x: SSAValue, c0: SSAValue) -> list[Operation]:
        a = LoadOp(x, [c0, c0], TileType((16, 16), F32, UB))
        # The cube result handed to the vector unit on chip (the verifier of
        # tile.move rejects it everywhere; the target table decides).
        acc = FullOp.get(0.0, TileType((16, 16), F32, L0C))
        move = MoveOp(acc, [c0, c0], TileType((16, 16), F32, UB))
        return [a, acc, move]

    m = build(Unit.VECTOR, body)
    a2 = [msg for msg in messages(m) if "data path" in msg]
    assert a2 == [
        "'tile.move' op there is no l0c -> ub data path on ascend910b (legal: gm -> l1|ub, "
        "l0c -> gm, l1 -> l0a|l0b, ub -> gm; pypto soc.cpp); a cube -> vector hand-off goes "
        "through GM: store the l0c tile, then load it into ub"
    ]
    assert not [msg for msg in messages(m, "ascend950") if "data path" in msg]
    # full into l0c is still a vector op writing outside ub, on both targets.
    assert any("vector ops read and write ub only" in msg for msg in messages(m, "ascend950"))


def test_store_path_from_the_table() -> None:
    def body(x: SSAValue, c0: SSAValue) -> list[Operation]:
        t = LoadOp(x, [c0, c0], TileType((16, 16), F32, L1))
        return [t, StoreOp(t, x, [c0, c0])]

    msgs = messages(build(Unit.CUBE, body))
    assert any("there is no l1 -> gm data path on ascend910b" in m for m in msgs)


def test_col_major_add_gets_the_target_rule_and_the_fix() -> None:
    def body(x: SSAValue, c0: SSAValue) -> list[Operation]:
        s = FullOp.get(0.0, TileType((16, 1), F32, UB, Layout.COL_MAJOR))
        return [s, AddOp(s, s)]

    msgs = [m for m in messages(build(Unit.VECTOR, body)) if "row_major" in m]
    assert len(msgs) == 3  # lhs, rhs, result
    assert msgs[0].startswith("'tile.add' op operand #0 ")
    assert "needs row_major operands on ascend910b" in msgs[0]
    assert "pypto issue #581" in msgs[0]
    assert msgs[0].endswith(
        "reshape row_sum's col_major [16, 1] result to [1, 16] first (tile.reshape, free: same bytes)"
    )
    assert msgs[2].startswith("'tile.add' op result ")


def test_cube_dtype_pairs_from_the_table() -> None:
    i8, i32 = IntegerType(8), IntegerType(32)
    mt = MemRefType(i8, [64, 64])

    def body(x: SSAValue, c0: SSAValue) -> list[Operation]:
        a1 = LoadOp(x, [c0, c0], TileType((16, 32), i8, L1))
        a0 = MoveOp(a1, [c0, c0], TileType((16, 32), i8, L0A))
        b0 = MoveOp(a1, [c0, c0], TileType((32, 16), i8, L0B))
        good = MatmulOp(a0, b0, TileType((16, 16), i32, L0C))
        bad = MatmulOp(a0, b0, TileType((16, 16), F32, L0C))
        return [a1, a0, b0, good, bad]

    msgs = messages(build(Unit.CUBE, body, mt))
    assert msgs == [
        "'tile.matmul' op tile<16x32xi8> x tile<32x16xi8> -> tile<16x16xf32>: the cube of "
        "ascend910b has no i8 x i8 -> f32 matmul (legal: bf16 x bf16 -> f32, f16 x f16 -> f32, "
        "i8 x i8 -> i32, f32 x f32 -> f32; pto-isa TMatmul.hpp); accumulate i8 in i32"
    ]


def test_cube_operands_must_be_in_l0() -> None:
    def body(x: SSAValue, c0: SSAValue) -> list[Operation]:
        a1 = LoadOp(x, [c0, c0], TileType((16, 16), F32, L1))
        return [a1, MatmulOp(a1, a1, TileType((16, 16), F32, L0C))]

    msgs = messages(build(Unit.CUBE, body))
    assert sum("the cube reads l0a x l0b and writes l0c" in m for m in msgs) == 2


def test_all_violations_are_collected_and_deduplicated(parse: Parse) -> None:
    m = parse(
        """
    %a = tile.load %x[%c0, %c0] : memref<64x64xbf16> -> !tile.tile<64x4xbf16, ub>
    %b = tile.load %x[%c0, %c0] : memref<64x64xbf16> -> !tile.tile<64x4xbf16, ub>
    %c = tile.load %x[%c0, %c0] : memref<64x64xbf16> -> !tile.tile<64x64xbf16, ub>
    %d = tile.add %c, %c : !tile.tile<64x64xbf16, ub>
    """,
        args="%x: memref<64x64xbf16>",
    )
    with pytest.raises(DiagnosticError) as info:
        check_target(m, A2)
    diags = info.value.diagnostics
    # One error for the misaligned type (not one per value), one for the bf16 add.
    assert len(diags) == 2
    assert diags[0].loc is not None
    assert diags[0].loc.line == 11
    assert "row of tile<64x4xbf16> in ub is 8 B" in diags[0].message
    assert "bf16 vector arithmetic (add)" in diags[1].message
    assert diags[1].loc is not None
    assert diags[1].loc.line == 14


OVERFLOW = """
    %a = tile.load %x[%c0, %c0] {tile.origin = ["kc", "nv"]} : memref<512x256xf32> -> !tile.tile<512x64xf32, ub>
    %b = tile.load %x[%c0, %c0] : memref<512x256xf32> -> !tile.tile<256x64xf32, ub>
    %c = tile.add %b, %b : !tile.tile<256x64xf32, ub>
    tile.store %a, %x[%c0, %c0] : !tile.tile<512x64xf32, ub> -> memref<512x256xf32>
    tile.store %c, %x[%c0, %c0] : !tile.tile<256x64xf32, ub> -> memref<512x256xf32>
"""


def test_overflow_names_every_live_tile_and_the_option_to_lower(parse: Parse) -> None:
    m = parse(OVERFLOW, args="%x: memref<512x256xf32>")
    diags = target_violations(m, A2)
    assert len(diags) == 1
    d = diags[0]
    assert d.message == (
        "'tile.task' op ub overflow in task \"t\": peak 196608 B > 188416 B usable on "
        "ascend910b; live at the peak (point 1, 'tile.load'; 2 buffers, 196608 B): "
        "%a tile<512x64xf32> ('tile.load') 131072 B, %b tile<256x64xf32> ('tile.load') "
        "65536 B; fix: the live tiles must shrink by 8192 B: lower kc or nv"
    )
    assert d.loc is not None
    assert d.loc.line == 9
    notes = [(n.loc.line if n.loc else None, n.message) for n in d.notes]
    assert notes == [
        (12, "the ub peak of task \"t\" is at point 1 ('tile.load')"),
        (
            11,
            "live at the peak: %a: tile<512x64xf32> in ub, 131072 B at offset 0, live over "
            "points 0..3",
        ),
        (
            12,
            "live at the peak: %b (also %c): tile<256x64xf32> in ub, 65536 B at offset "
            "131072, live over points 1..4",
        ),
    ]
    # 240 KiB of UB on Ascend950: it fits.
    assert target_violations(m, A5) == []


def test_the_pass(parse: Parse, ctx: Context) -> None:
    assert get_all_passes()["check-target"]() is CheckTargetPass
    assert CheckTargetPass().target == "ascend910b"
    (p,) = build_pipeline(get_all_passes(), "check-target{target=ascend950}")
    assert isinstance(p, CheckTargetPass)
    assert p.target == "ascend950"
    with pytest.raises(PipelineError, match="unknown target 'ascend310'; known targets"):
        build_pipeline(get_all_passes(), "check-target{target=ascend310}")
    with pytest.raises(ValueError, match="unknown target"):
        CheckTargetPass(target="nope")
    m = parse(OVERFLOW, args="%x: memref<512x256xf32>")
    with pytest.raises(DiagnosticError, match="ub overflow"):
        CheckTargetPass().apply(ctx, m)
    CheckTargetPass(target="ascend950").apply(ctx, m)
