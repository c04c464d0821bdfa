"""Building, lowering and running single-matmul programs for the lowering tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.passes import ModulePass

from qkv_opt.dialects import make_context
from qkv_opt.dialects.tile import TaskOp
from qkv_opt.interpreter import ratio_allclose, resolve_entry, run_function, seeded_inputs
from qkv_opt.utils.source import parse_source, verify_module


@dataclass(frozen=True)
class Case:
    """``y[m, n] (+)= x[m, k] @ w[k, n]``, inputs of ``dtype``, output of ``out``."""

    m: int
    k: int
    n: int
    dtype: str = "bf16"
    out: str = "f32"
    fill: float | None = None
    unit: str | None = None

    def text(self, name: str = "proj") -> str:
        x = f"memref<{self.m}x{self.k}x{self.dtype}>"
        w = f"memref<{self.k}x{self.n}x{self.dtype}>"
        y = f"memref<{self.m}x{self.n}x{self.out}>"
        body = ""
        if self.fill is not None:
            value = repr(self.fill) if self.out.startswith("f") else str(int(self.fill))
            body += f"  %cst = arith.constant {value} : {self.out}\n"
            body += f"  linalg.fill ins(%cst : {self.out}) outs(%y : {y})\n"
        attr = f' {{tile.unit = "{self.unit}"}}' if self.unit else ""
        body += f"  linalg.matmul{attr} ins(%x, %w : {x}, {w}) outs(%y : {y})\n"
        return f"func.func @{name}(%x: {x}, %w: {w}, %y: {y}) {{\n{body}  return\n}}\n"


def parse(text: str) -> ModuleOp:
    module = parse_source(make_context(), text, "case.mlir")
    verify_module(module)
    return module


def lower(text: str, passes: Sequence[ModulePass]) -> ModuleOp:
    """Parse ``text`` and run ``passes``; the result verifies."""
    ctx = make_context()
    module = parse_source(ctx, text, "case.mlir")
    verify_module(module)
    for p in passes:
        p.apply(ctx, module)
        verify_module(module)
    return module


def agrees(reference: ModuleOp, lowered: ModuleOp, entry: str = "proj", seed: int = 0) -> bool:
    """Whether every argument after ``lowered`` matches ``reference`` on seeded inputs."""
    args = seeded_inputs(resolve_entry(reference, entry), seed=seed)
    # The reference executor: the op-by-op definition of the semantics.
    want = run_function(reference, entry, args, executor="reference")
    got = run_function(lowered, entry, args, executor="reference")
    return all(ratio_allclose(g, w).passed for g, w in zip(got, want))


def op_names(module: ModuleOp) -> list[str]:
    return [op.name for op in module.walk()]


def structural_size(module: ModuleOp) -> int:
    """
    Ops other than index constants: the lowered program's size.

    Constants are shared per function, so one that happens to equal another
    extent (N = kc = 1024) is printed once; they do not scale with the shape.
    """
    return sum(1 for op in module.walk() if op.name != "arith.constant")


def tasks(module: ModuleOp) -> list[TaskOp]:
    return [op for op in module.walk() if isinstance(op, TaskOp)]


def k_loop_step(module: ModuleOp) -> int | None:
    """The step of the first task's K-block loop (``scf.for %k0``): the kc used."""
    for task in tasks(module):
        for op in task.walk():
            if isinstance(op, scf.ForOp) and op.body.block.args[0].name_hint == "k0":
                step = op.step.owner
                assert isinstance(step, arith.ConstantOp)
                assert isinstance(step.value, IntegerAttr)
                return step.value.value.data
    return None


Array = np.ndarray[Any, Any]
