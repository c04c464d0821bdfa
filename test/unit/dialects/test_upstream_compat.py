"""The fixes that let xDSL 0.75 read upstream MLIR's mixed-precision matmul and scf.parallel."""

from __future__ import annotations

import pytest
from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import BFloat16Type, Float32Type, IndexType, MemRefType
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Region
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.test_value import create_ssa_value

from qkv_opt.dialects import upstream_compat
from qkv_opt.utils.source import parse_source, verify_module

bf16, f32 = BFloat16Type(), Float32Type()


def _operands():
    x = create_ssa_value(MemRefType(bf16, (1, 64)))
    w = create_ssa_value(MemRefType(bf16, (64, 16)))
    y = create_ssa_value(MemRefType(f32, (1, 16)))
    return x, w, y


def test_xdsl_alone_builds_an_invalid_body():
    """The gap the fix closes: xDSL's own builder adds bf16 to f32."""
    x, w, y = _operands()
    region = upstream_compat._xdsl_matmul_region([x, w], [y])  # pyright: ignore[reportPrivateUsage]
    ops = list(region.block.ops)
    (add,) = (op for op in ops if isinstance(op, arith.AddfOp))
    with pytest.raises(VerifyException):
        add.verify()


def test_fixed_body_is_upstreams():
    upstream_compat.install()
    x, w, y = _operands()
    op = linalg.MatmulOp([x, w], [y])
    names = [o.name for o in op.body.block.ops]
    assert names == ["arith.extf", "arith.extf", "arith.mulf", "arith.addf", "linalg.yield"]
    add = list(op.body.block.ops)[3]
    assert isinstance(add, arith.AddfOp)
    assert add.lhs is op.body.block.args[2]  # addf(out, product), as mlir-opt prints it
    op.verify()
    for inner in op.body.block.ops:
        inner.verify()


def test_install_is_idempotent():
    upstream_compat.install()
    upstream_compat.install()
    x, w, y = _operands()
    assert len(list(linalg.MatmulOp([x, w], [y]).body.block.ops)) == 5


def test_parallel_custom_syntax_round_trips(ctx: Context):
    text = (
        "func.func @f(%y: memref<4x8xf32>) {\n"
        "  %c0 = arith.constant 0 : index\n"
        "  %c1 = arith.constant 1 : index\n"
        "  %c4 = arith.constant 4 : index\n"
        "  %c8 = arith.constant 8 : index\n"
        "  %cst = arith.constant 1.0 : f32\n"
        "  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {\n"
        "    memref.store %cst, %y[%i, %j] : memref<4x8xf32>\n"
        "  }\n"
        "  func.return\n"
        "}\n"
    )
    module = parse_source(ctx, text, "p.mlir")
    verify_module(module)
    par = next(op for op in module.walk() if isinstance(op, scf.ParallelOp))
    assert len(par.lowerBound) == 2
    assert isinstance(par.body.block.last_op, scf.ReduceOp)  # implicit terminator added
    printed = str(module)
    assert "scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {" in printed
    again = parse_source(ctx, printed, "p2.mlir")
    assert str(again) == printed


def test_parallel_with_reduction_round_trips(ctx: Context):
    text = (
        "func.func @f() -> f32 {\n"
        "  %c0 = arith.constant 0 : index\n"
        "  %c1 = arith.constant 1 : index\n"
        "  %c4 = arith.constant 4 : index\n"
        "  %init = arith.constant 0.0 : f32\n"
        "  %one = arith.constant 1.0 : f32\n"
        "  %r = scf.parallel (%i) = (%c0) to (%c4) step (%c1) init (%init) -> f32 {\n"
        "    scf.reduce(%one : f32) {\n"
        "    ^bb0(%a: f32, %b: f32):\n"
        "      %s = arith.addf %a, %b : f32\n"
        "      scf.reduce.return %s : f32\n"
        "    }\n"
        "  }\n"
        "  func.return %r : f32\n"
        "}\n"
    )
    module = parse_source(ctx, text, "r.mlir")
    verify_module(module)
    printed = str(module)
    assert "init (%init) -> f32" in printed
    assert str(parse_source(ctx, printed, "r2.mlir")) == printed


def test_parallel_bound_count_mismatch_is_a_parse_error(ctx: Context):
    from qkv_opt.utils.diagnostics import DiagnosticError

    text = (
        "func.func @f() {\n"
        "  %c0 = arith.constant 0 : index\n"
        "  scf.parallel (%i, %j) = (%c0) to (%c0) step (%c0) {\n"
        "  }\n"
        "  func.return\n"
        "}\n"
    )
    with pytest.raises(DiagnosticError, match="2 induction variables but 1 lower bounds"):
        parse_source(ctx, text, "bad.mlir")


def test_builder_made_parallel_prints_custom_syntax():
    lb = arith.ConstantOp.from_int_and_width(0, IndexType())
    body = Region(Block(arg_types=[lb.result.type]))
    body.block.add_op(scf.ReduceOp())
    par = scf.ParallelOp([lb], [lb], [lb], body)
    assert str(par).startswith("scf.parallel (")
