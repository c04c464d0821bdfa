"""qkv-opt pipelines inside an upstream MLIR PassManager (torch-mlir's bindings)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from qkv_opt.interop.upstream_pass import QkvOptPass

ROOT = Path(__file__).resolve().parents[3]
KV = (ROOT / "examples" / "qwen3_14b_kv_proj.mlir").read_text()

ir: Any = pytest.importorskip("torch_mlir.ir")
passmanager: Any = importlib.import_module("torch_mlir.passmanager")


def _module(text: str) -> tuple[Any, Any]:
    ctx = ir.Context()
    ctx.allow_unregistered_dialects = True
    return ctx, ir.Module.parse(text, ctx)


def test_aiv_rowsum_runs_between_upstream_passes() -> None:
    ctx, module = _module(KV)
    with ctx:
        pm = passmanager.PassManager.parse("builtin.module(canonicalize)")
        QkvOptPass("aiv-rowsum").add_to(pm)
        pm.add("canonicalize,cse")
        pm.run(module.operation)
    text = str(module)
    assert "tile.row_sum" in text
    assert "linalg.matmul" not in text
    assert module.operation.verify()


def test_result_reads_back_in_qkv_opt_and_keeps_the_tile_ops() -> None:
    from qkv_opt import api

    ctx, module = _module(KV)
    with ctx:
        pm = passmanager.PassManager.parse("builtin.module(canonicalize)")
        QkvOptPass("cube-matmul").add_to(pm)
        pm.run(module.operation)
        text = module.operation.get_asm(print_generic_op_form=True)
    reread = api.print_module(api.parse_module(text))
    assert "tile.matmul" in reread
    assert "atomic add" in reread


def test_failure_signals_the_pass_manager_and_keeps_the_module() -> None:
    ctx, module = _module(KV)
    bridge = QkvOptPass("aiv-rowsum{nv=8}")
    with ctx:
        pm = passmanager.PassManager.parse("builtin.module(canonicalize)")
        bridge.add_to(pm)
        with pytest.raises(Exception, match="Failure while executing pass pipeline"):
            pm.run(module.operation)
    assert bridge.last_error is not None
    assert "32" in str(bridge.last_error)
    assert "linalg.matmul" in str(module)
