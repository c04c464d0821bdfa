"""The PyTorch frontend: nn.Module -> memref-form @forward through torch-mlir."""

from __future__ import annotations

import builtins
from typing import Any

import ml_dtypes
import numpy as np
import pytest
import torch
from xdsl.dialects import func
from xdsl.dialects.builtin import MemRefType, ModuleOp
from xdsl.ir import Attribute
from xdsl.irdl import isa

from qkv_opt import api
from qkv_opt.interpreter import ratio_allclose
from qkv_opt.interpreter.torch_bridge import to_torch

pytest.importorskip("torch_mlir")

from qkv_opt.frontends.torch import FrontendError, import_module


def as_numpy(t: torch.Tensor) -> np.ndarray[Any, Any]:
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def forward_of(module: ModuleOp) -> func.FuncOp:
    funcs = [op for op in module.ops if isinstance(op, func.FuncOp)]
    assert [f.sym_name.data for f in funcs] == ["forward"]
    return funcs[0]


def arg_shapes(fn: func.FuncOp) -> list[tuple[tuple[int, ...], str]]:
    shapes: list[tuple[tuple[int, ...], str]] = []
    for t in fn.function_type.inputs.data:
        assert isa(t, MemRefType[Attribute]), t
        shapes.append((t.get_shape(), str(t.get_element_type())))
    return shapes


def test_arguments_are_inputs_then_parameters_then_outputs() -> None:
    linear = torch.nn.Linear(64, 32, bias=True)
    module = import_module(linear, torch.randn(3, 64))
    fn = forward_of(module)
    assert arg_shapes(fn) == [((3, 64), "f32"), ((32, 64), "f32"), ((32,), "f32"), ((3, 32), "f32")]
    assert fn.function_type.outputs.data == ()
    assert "tensor<" not in api.print_module(module)


def test_two_layer_parameters_keep_named_parameters_order() -> None:
    model = torch.nn.Sequential(
        torch.nn.Linear(32, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8, bias=False)
    )
    module = import_module(model, torch.randn(1, 32))
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight"]
    shapes = [s for s, _ in arg_shapes(forward_of(module))]
    assert shapes == [(1, 32), (16, 32), (16,), (8, 16), (1, 8)]


def test_linear_bf16_lowered_to_aiv_matches_the_module() -> None:
    rng = np.random.default_rng(0)
    linear = torch.nn.Linear(4096, 1024, bias=False).to(torch.bfloat16)
    with torch.no_grad():  # deterministic data, scaled like the reference harness's
        linear.weight.copy_(to_torch(rng.standard_normal((1024, 4096)) * 0.02))
    x = to_torch(rng.standard_normal((2, 4096))).to(torch.bfloat16)
    module = import_module(linear, x)
    api.run_pipeline(module, "aiv-rowsum")
    lowered = api.print_module(module)
    assert "tile.row_sum" in lowered
    assert "linalg.matmul" not in lowered
    out = np.zeros((2, 1024), dtype=ml_dtypes.bfloat16)
    *_, result = api.execute(module, "forward", as_numpy(x), as_numpy(linear.weight), out)
    with torch.no_grad():
        expected = linear(x).float().numpy()
    check = ratio_allclose(result.astype(np.float32), expected, 3e-3, 3e-3, 0.02)
    assert check.passed, check


def test_weight_layout_skips_both_transposes() -> None:
    """nn.Linear's [N, K] weight rows are the output columns: no transpose is needed."""
    linear = torch.nn.Linear(256, 64, bias=False)
    module = import_module(linear, torch.randn(1, 256))
    assert "linalg.transpose" in api.print_module(module)
    api.run_pipeline(module, "aiv-rowsum")
    lowered = api.print_module(module)
    assert "linalg.transpose" not in lowered
    assert "tile.transpose" not in lowered
    x = torch.randn(1, 256)
    out = np.zeros((1, 64), dtype=np.float32)
    *_, result = api.execute(module, "forward", as_numpy(x), as_numpy(linear.weight), out)
    with torch.no_grad():
        expected = linear(x).numpy()
    check = ratio_allclose(result, expected, 3e-3, 3e-3, 0.02)
    assert check.passed, check


def test_missing_torch_mlir_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_torch_mlir(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("torch_mlir"):
            raise ImportError("No module named 'torch_mlir'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch_mlir)
    import importlib

    def import_module_without_torch_mlir(name: str) -> Any:
        return no_torch_mlir(name)

    monkeypatch.setattr(importlib, "import_module", import_module_without_torch_mlir)
    with pytest.raises(FrontendError, match=r"pip install 'qkv-opt\[torch\]'"):
        import_module(torch.nn.Linear(4, 4), torch.randn(1, 4))
