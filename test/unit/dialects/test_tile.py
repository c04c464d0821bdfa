"""Builders, verifiers and traits of the tile dialect."""

from __future__ import annotations

import pytest
from xdsl.context import Context
from xdsl.dialects import arith, test
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    Float32Type,
    IndexType,
    IntegerType,
    MemRefType,
    i32,
)
from xdsl.ir import Block, Region
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.test_value import create_ssa_value

from qkv_opt.dialects import tile
from qkv_opt.dialects.tile import Layout, MemorySpace, TileType, Unit, unit_of
from qkv_opt.utils.diagnostics import DiagnosticError
from qkv_opt.utils.source import parse_source, verify_module

bf16, f16, f32 = BFloat16Type(), Float16Type(), Float32Type()
UB, L1, L0A, L0B, L0C = (
    MemorySpace.UB,
    MemorySpace.L1,
    MemorySpace.L0A,
    MemorySpace.L0B,
    MemorySpace.L0C,
)


def val(t: TileType | MemRefType | IndexType):
    return create_ssa_value(t)


def idx():
    return create_ssa_value(IndexType())


def test_tile_type_accessors():
    t = TileType((16, 1), f32, UB, Layout.COL_MAJOR)
    assert (t.rows, t.cols) == (16, 1)
    assert t.memory_space == UB
    assert not t.is_row_major
    assert t.element_count() == 16
    assert str(t) == "!tile.tile<16x1xf32, ub, col_major>"
    assert str(TileType((2, 8), f16, L1)) == "!tile.tile<2x8xf16, l1>"


@pytest.mark.parametrize(
    ("shape", "space", "message"),
    [
        ((0, 16), UB, "tile dimensions must be positive"),
        ((16,), UB, "a tile is 2-D"),
        ((2, 2, 2), UB, "a tile is 2-D"),
        ((16, 16), MemorySpace.GM, "a tile lives on chip"),
    ],
)
def test_tile_type_rejects(shape: tuple[int, ...], space: MemorySpace, message: str):
    with pytest.raises(VerifyException, match=message):
        TileType(shape, f32, space)


def test_tile_type_rejects_non_scalar_elements():
    with pytest.raises(VerifyException, match="integer or float"):
        TileType((16, 16), IndexType(), UB)


def test_builders_infer_result_types():
    w = val(TileType((1024, 16), f32, UB))
    transpose = tile.TransposeOp(w)
    assert transpose.result.type == TileType((16, 1024), f32, UB)
    row_sum = tile.RowSumOp(transpose.result)
    assert row_sum.result.type == TileType((16, 1), f32, UB, Layout.COL_MAJOR)
    cast = tile.CastOp(val(TileType((1, 1024), bf16, UB)), f32)
    assert cast.result.type == TileType((1, 1024), f32, UB)
    expand = tile.ColExpandOp(cast.result, 16)
    assert expand.result.type == TileType((16, 1024), f32, UB)
    for op in (transpose, row_sum, cast, expand):
        op.verify()


def test_full_builder_types_the_literal():
    f = tile.FullOp.get(0.0, TileType((1, 16), f32, UB))
    f.verify()
    assert f.value.type == f32
    i = tile.FullOp.get(3, TileType((1, 8), i32, UB))
    i.verify()
    assert i.value.type == i32


def test_units_are_traits():
    a = val(TileType((16, 16), bf16, L0A))
    b = val(TileType((16, 16), bf16, L0B))
    mm = tile.MatmulOp(a, b, TileType((16, 16), f32, L0C))
    assert unit_of(mm) == Unit.CUBE
    add = tile.AddOp(val(TileType((1, 16), f32, UB)), val(TileType((1, 16), f32, UB)))
    assert unit_of(add) == Unit.VECTOR
    load = tile.LoadOp(val(MemRefType(f32, (1, 16))), [idx(), idx()], TileType((1, 16), f32, UB))
    assert unit_of(load) == Unit.MTE
    assert unit_of(arith.ConstantOp.from_int_and_width(0, 32)) is None


@pytest.mark.parametrize(
    ("lhs", "rhs", "acc", "ok"),
    [
        (bf16, bf16, f32, True),
        (f16, f16, f32, True),
        (f32, f32, f32, True),
        (IntegerType(8), IntegerType(8), i32, True),
        (bf16, bf16, bf16, False),
        (f16, f16, f16, False),
        (IntegerType(8), IntegerType(8), IntegerType(8), False),
        (bf16, f16, f32, False),
    ],
)
def test_cube_dtype_pairs(lhs: object, rhs: object, acc: object, ok: bool):
    a = val(TileType((16, 32), lhs, L0A))  # pyright: ignore[reportArgumentType]
    b = val(TileType((32, 16), rhs, L0B))  # pyright: ignore[reportArgumentType]
    mm = tile.MatmulOp(a, b, TileType((16, 16), acc, L0C))  # pyright: ignore[reportArgumentType]
    if ok:
        mm.verify()
    else:
        with pytest.raises(VerifyException):
            mm.verify()


def test_matmul_acc_updates_accumulator_type():
    acc = val(TileType((16, 256), f32, L0C))
    a = val(TileType((16, 128), bf16, L0A))
    b = val(TileType((128, 256), bf16, L0B))
    op = tile.MatmulAccOp(acc, a, b)
    op.verify()
    assert op.result.type == acc.type


def test_store_atomic_property_and_valid():
    t = val(TileType((16, 256), f32, L0C))
    y = val(MemRefType(f32, (1, 1024)))
    store = tile.StoreOp(t, y, [idx(), idx()], [idx(), idx()], tile.AtomicKind.ADD)
    store.verify()
    assert store.atomic is not None
    assert store.atomic.data == tile.AtomicKind.ADD
    # Without 'valid' a 16-row tile does not fit a 1-row memref.
    bad = tile.StoreOp(t, y, [idx(), idx()])
    with pytest.raises(VerifyException, match="give 'valid' extents"):
        bad.verify()


def test_reshape_order_rule():
    col = val(TileType((16, 1), f32, UB, Layout.COL_MAJOR))
    tile.ReshapeOp(col, TileType((1, 16), f32, UB)).verify()
    tile.ReshapeOp(col, TileType((16, 1), f32, UB)).verify()
    square = val(TileType((4, 8), f32, UB, Layout.COL_MAJOR))
    with pytest.raises(VerifyException, match="reorder elements"):
        tile.ReshapeOp(square, TileType((8, 4), f32, UB)).verify()
    # Same layout, same count: a row-major view with another row length is fine.
    rows = val(TileType((4, 8), f32, UB))
    tile.ReshapeOp(rows, TileType((2, 16), f32, UB)).verify()


def test_task_rejects_tiles_that_escape():
    x = val(MemRefType(f32, (1, 64)))
    c0 = arith.ConstantOp.from_int_and_width(0, IndexType())
    load = tile.LoadOp(x, [c0, c0], TileType((1, 64), f32, UB))
    task = tile.TaskOp(Unit.VECTOR, "t", Region(Block([load])))
    use = test.TestOp([load.result])
    func_body = Block([c0, task, use])
    Region(func_body)
    with pytest.raises(VerifyException, match="is used outside it"):
        task.verify()


def test_task_default_body_is_one_empty_block():
    task = tile.TaskOp(Unit.CUBE, "t")
    task.verify()
    assert len(task.body.blocks) == 1


def test_verify_module_locates_the_failing_op(ctx: Context):
    text = (
        "func.func @f(%a: !tile.tile<16x1xf32, ub, col_major>) {\n"
        "  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major>\n"
        "  func.return\n"
        "}\n"
    )
    module = parse_source(ctx, text, "k.mlir")
    with pytest.raises(DiagnosticError) as info:
        verify_module(module)
    (diag,) = info.value.diagnostics
    assert diag.loc is not None
    assert (diag.loc.file, diag.loc.line, diag.loc.col) == ("k.mlir", 2, 8)
    assert diag.message.startswith("'tile.add' op lhs must be row_major")


def test_dtype_helpers():
    assert [tile.dtype_name(t) for t in (bf16, f16, f32, i32, IntegerType(8))] == [
        "bf16",
        "f16",
        "f32",
        "i32",
        "i8",
    ]
    assert [tile.dtype_bytes(t) for t in (bf16, f16, f32, i32, IntegerType(8))] == [2, 2, 4, 4, 1]
