"""
qkv-opt's Python API: four functions, stable across releases.

```python
from qkv_opt import api

module = api.parse_module(open("examples/qwen3_14b_kv_proj.mlir").read())
api.run_pipeline(module, "aiv-rowsum{nv=16},check-target")
print(api.print_module(module))
x, w, y = ...                                  # numpy arrays (bf16 via ml_dtypes)
x_after, w_after, y_after = api.execute(module, "k_proj", x, w, y)
```

Failures raise ``QkvOptError``, whose ``diagnostics`` are the located messages
``qkv-opt`` would print (``str(error)`` renders them MLIR style).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.printer import Printer

from qkv_opt.dialects import make_context
from qkv_opt.passes import get_all_passes, get_generic_passes
from qkv_opt.passes.pipeline import PipelineError, build_pipeline
from qkv_opt.utils.diagnostics import (
    Diagnostic,
    DiagnosticEngine,
    DiagnosticError,
    Severity,
    SourceFiles,
    collecting,
    render,
)
from qkv_opt.utils.source import parse_source, verify_module

__all__ = ["QkvOptError", "execute", "parse_module", "print_module", "run_pipeline"]


class QkvOptError(Exception):
    """
    A parse, verification, pass or execution failure.

    ``diagnostics`` holds every located message (errors with their notes, and any
    warnings or remarks emitted on the way); ``str()`` renders them as
    ``FILE:LINE:COL: error: ...`` lines.
    """

    diagnostics: list[Diagnostic]

    def __init__(self, diagnostics: Sequence[Diagnostic], sources: SourceFiles | None = None):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(render(d, sources) for d in self.diagnostics))


_ctx = make_context()


def parse_module(text: str, filename: str = "<string>") -> ModuleOp:
    """
    Parse and verify MLIR text (upstream or qkv-opt syntax, generic or custom).

    Every op records its source location in ``filename``, so later diagnostics
    point into the text.
    """
    sources = SourceFiles()
    sources.add(filename, text)
    try:
        module = parse_source(_ctx, text, filename)
        verify_module(module)
    except DiagnosticError as e:
        raise QkvOptError(e.diagnostics, sources) from None
    return module


def run_pipeline(module: ModuleOp, pipeline: str) -> None:
    """
    Run a pipeline in place, with the syntax of ``qkv-opt -p``.

    The module is verified after every pass.  On failure the module may be
    partially rewritten: run on ``module.clone()`` to keep the original.
    """
    registry = {**get_all_passes(), **get_generic_passes()}
    try:
        passes = build_pipeline(registry, pipeline)
    except PipelineError as e:
        raise QkvOptError([Diagnostic(Severity.ERROR, str(e))]) from None
    engine = DiagnosticEngine()
    with collecting(engine):
        try:
            for p in passes:
                p.apply(_ctx, module)
                verify_module(module)
        except DiagnosticError as e:
            raise QkvOptError([*engine.diagnostics, *e.diagnostics]) from None


def print_module(module: ModuleOp, generic: bool = False) -> str:
    """The module's text, in custom syntax or (``generic=True``) the generic form."""
    from io import StringIO

    out = StringIO()
    Printer(stream=out, print_generic_format=generic).print_op(module)
    out.write("\n")
    return out.getvalue()


def execute(module: ModuleOp, entry: str, *args: np.ndarray) -> list[np.ndarray]:
    """
    Run function ``entry`` on the CPU interpreter.

    ``args`` are numpy arrays matching the function's memref arguments (shape and
    element type; bf16 as ``ml_dtypes.bfloat16``).  Returns every memref argument
    after execution, in order; the arrays passed in are not modified.
    """
    from qkv_opt.interpreter import run_function

    try:
        return run_function(module, entry, list(args))
    except DiagnosticError as e:
        raise QkvOptError(e.diagnostics) from None
