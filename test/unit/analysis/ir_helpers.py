"""Tile IR from text for the analysis tests: one task at a time, values by name."""

from __future__ import annotations

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue

from qkv_opt.dialects.tile import TaskOp
from qkv_opt.utils.source import parse_source, verify_module


def wrap(body: str, args: str = "", unit: str = "vector", name: str = "t") -> str:
    """A function with the index constants %c0 %c1 %c4 %c8 %c16 %c64 and one task."""
    return f"""
func.func @f({args}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  tile.task {unit} "{name}" {{
{body}
  }}
  func.return
}}
"""


def parse_module(
    ctx: Context, text: str, *, args: str = "", unit: str = "vector", raw: bool = False
) -> ModuleOp:
    """Parse and verify ``text``, a whole module if ``raw`` else a task body (``wrap``)."""
    source = text if raw else wrap(text, args, unit)
    module = parse_source(ctx, source, "test.mlir")
    verify_module(module)
    return module


def only_task(module: ModuleOp) -> TaskOp:
    tasks = [op for op in module.walk() if isinstance(op, TaskOp)]
    assert len(tasks) == 1
    return tasks[0]


def values_by_name(module: ModuleOp) -> dict[str, SSAValue]:
    """Every named SSA value of the module, by name hint."""
    found: dict[str, SSAValue] = {}
    for op in module.walk():
        for v in op.results:
            if v.name_hint is not None:
                found[v.name_hint] = v
        for region in op.regions:
            for block in region.blocks:
                for a in block.args:
                    if a.name_hint is not None:
                        found[a.name_hint] = a
    return found
