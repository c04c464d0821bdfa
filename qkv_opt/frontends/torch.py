"""
PyTorch frontend: from an ``nn.Module`` to a memref-form ``@forward`` function.

The upstream stack does all the work:

1. ``torch_mlir.fx.export_and_import`` (``torch.export`` + torch-mlir's FX
   importer) lowers the module to linalg on tensors.  Parameters become
   function arguments: the module is called through ``torch.func.functional_call``
   so ``torch.export`` sees them as inputs, in ``named_parameters()`` order,
   instead of inlining them as constants.
2. Upstream MLIR bufferization through torch-mlir's bindings:
   ``one-shot-bufferize`` with function boundaries (identity layouts, so every
   argument is a plain row-major memref), then ``buffer-results-to-out-params``
   so each result becomes a trailing out-parameter.
3. The generic form is read by qkv-opt's parser.

The function's arguments are the example inputs, then the parameters, then one
out-param per result.  ``nn.Linear`` stores its weight as [N, K] and computes
``x @ W^T``: torch-mlir emits ``linalg.transpose`` of the weight into a
temporary before the ``linalg.matmul``; ``aiv-rowsum`` recognises the pattern and
reads the [N, K] rows directly, skipping both the transpose and the on-chip one.

Needs the ``torch`` extra: ``pip install 'qkv-opt[torch]'`` (torch-mlir).
"""

from __future__ import annotations

import importlib
from typing import Any

import torch
from xdsl.dialects.builtin import ModuleOp

from qkv_opt.dialects import make_context
from qkv_opt.utils.diagnostics import DiagnosticError
from qkv_opt.utils.source import parse_source, verify_module

BUFFERIZE_PIPELINE = (
    "builtin.module("
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
    "canonicalize)"
)


class FrontendError(Exception):
    """The module could not be imported (torch-mlir missing or an import failure)."""


class _ParametersAsInputs(torch.nn.Module):
    """Calls ``module`` with its parameters passed in, so export lifts them to inputs."""

    def __init__(self, module: torch.nn.Module, n_inputs: int):
        super().__init__()
        self.wrapped = module
        self.n_inputs = n_inputs
        self.names = [name for name, _ in module.named_parameters()]

    def forward(self, *args: torch.Tensor) -> Any:
        inputs, params = args[: self.n_inputs], args[self.n_inputs :]
        return torch.func.functional_call(self.wrapped, dict(zip(self.names, params)), inputs)


def import_module(module: torch.nn.Module, *example_args: torch.Tensor) -> ModuleOp:
    """
    Import ``module`` called on ``example_args`` as one public ``@forward`` function.

    Arguments: the example inputs, then ``module.named_parameters()`` in order,
    then one out-parameter per result, all memrefs in GM.
    """
    try:
        # torch-mlir ships no type stubs: its bindings are typed as Any here.
        fx: Any = importlib.import_module("torch_mlir.fx")
        passmanager: Any = importlib.import_module("torch_mlir.passmanager")
    except ImportError as e:
        raise FrontendError(
            f"the PyTorch frontend needs torch-mlir ({e}); install it with "
            "pip install 'qkv-opt[torch]'"
        ) from None

    params = [p.detach() for _, p in module.named_parameters()]
    wrapper = _ParametersAsInputs(module, len(example_args)).eval()
    try:
        imported_module: Any = fx.export_and_import(
            wrapper,
            *example_args,
            *params,
            output_type="linalg-on-tensors",
            func_name="forward",
        )
    except Exception as e:
        raise FrontendError(f"torch-mlir could not import the module: {e}") from e

    with imported_module.context:
        try:
            passmanager.PassManager.parse(BUFFERIZE_PIPELINE).run(imported_module.operation)
        except Exception as e:
            raise FrontendError(f"upstream bufferization failed: {e}") from e
        text: str = imported_module.operation.get_asm(
            print_generic_op_form=True, large_elements_limit=None
        )

    try:
        result = parse_source(make_context(), text, "<torch-mlir>")
        verify_module(result)
    except DiagnosticError as e:
        raise FrontendError(f"qkv-opt could not read torch-mlir's output: {e}") from e
    return result
