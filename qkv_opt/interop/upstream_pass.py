"""
Run a qkv-opt pipeline as a pass of an upstream MLIR ``PassManager``.

Upstream MLIR's Python bindings (here torch-mlir's) accept a Python callable as a
pass.  ``QkvOptPass`` is such a callable: it prints the module it is given in the
generic form, reads it with qkv-opt, runs the pipeline, prints the result in the
generic form and moves the re-parsed ops into the upstream module.

```python
from torch_mlir import ir
from torch_mlir.passmanager import PassManager
from qkv_opt.interop.upstream_pass import QkvOptPass

with ir.Context() as ctx:
    ctx.allow_unregistered_dialects = True     # tile ops are unknown upstream
    module = ir.Module.parse(text)
    pm = PassManager.parse("builtin.module(canonicalize)")
    QkvOptPass("aiv-rowsum").add_to(pm)
    pm.run(module.operation)
```

Limits (by design of a text bridge):

* the IR crosses as generic-form text, twice: fine for kernels, slow for
  100k-op modules;
* the upstream context must allow unregistered dialects: ``tile`` ops are
  opaque there (verified structurally only);
* it runs on the ``builtin.module`` it is given (a module-level pass);
* source locations survive only as far as upstream prints them; qkv-opt
  diagnostics point at the generic text (``<upstream>:LINE:COL``);
* on failure the pass signals failure and the module is left unchanged; the
  diagnostics are kept on ``last_error``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from qkv_opt import api


@dataclass
class QkvOptPass:
    """A qkv-opt pipeline (``qkv-opt -p`` syntax) usable as an upstream pass."""

    pipeline: str
    name: str = "qkv-opt"
    last_error: api.QkvOptError | None = field(default=None, init=False)

    def __call__(self, op: Any, pass_: Any) -> None:
        """Upstream's external-pass signature: ``(operation, pass) -> None``."""
        # torch-mlir ships no type stubs: its bindings are typed as Any here.
        ir: Any = importlib.import_module("torch_mlir.ir")

        self.last_error = None
        try:
            module = api.parse_module(op.get_asm(print_generic_op_form=True), "<upstream>")
            api.run_pipeline(module, self.pipeline)
            lowered = api.print_module(module, generic=True)
        except api.QkvOptError as e:
            self.last_error = e
            pass_.signal_pass_failure()
            return
        replacement: Any = ir.Module.parse(lowered, op.context)
        block = op.regions[0].blocks[0]
        for old in list(block.operations):
            old.erase()
        for new in list(replacement.body.operations):
            block.append(new)

    def add_to(self, pass_manager: Any) -> None:
        """Append this pass to an upstream ``PassManager``."""
        # A generic operation pass: scheduled on the pass manager's own anchor, the
        # builtin.module (an op_name would make MLIR look for a nested module).
        pass_manager.add(self, name=self.name, argument=self.name)
