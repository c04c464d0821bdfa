"""
What a run did: ops executed (per op name and per hardware unit) and the bytes
each data movement carried between GM and the on-chip spaces.

Both executors count the same way: every op the run executes counts once per
execution, terminators (``scf.yield``, ``func.return``, ``scf.reduce``) and
structure ops included, the way xDSL's ``OpCounter`` counts; ``unit`` is
``qkv_opt.dialects.tile.unit_of`` of the op (ops outside the tile dialect
count under ``other``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RunStats"]


@dataclass
class RunStats:
    """Counters of one run."""

    ops: Counter[str] = field(default_factory=Counter[str])
    """Executions per op name (``tile.load``, ``arith.addi``, ...)."""

    units: Counter[str] = field(default_factory=Counter[str])
    """Executions per unit: ``cube``, ``vector``, ``mte``, ``other``."""

    moved: Counter[str] = field(default_factory=Counter[str])
    """Bytes per data path, ``gm->ub``, ``l0c->gm``, ``l1->l0a``..."""

    tasks: Counter[str] = field(default_factory=Counter[str])
    """``tile.task`` executions per unit (``vector``: AIV, ``cube``: AIC)."""

    batched: int = 0
    """Fast executor only: ``scf.parallel`` loops whose iterations ran in lock step."""

    fell_back: int = 0
    """Fast executor only: batched attempts abandoned for one-by-one execution."""

    @property
    def ops_executed(self) -> int:
        return sum(self.ops.values())

    def record(self, name: str, unit: str, count: int = 1) -> None:
        self.ops[name] += count
        self.units[unit] += count

    def move(self, source: str, dest: str, nbytes: int) -> None:
        self.moved[f"{source}->{dest}"] += nbytes

    def merge(self, other: RunStats) -> None:
        self.ops.update(other.ops)
        self.units.update(other.units)
        self.moved.update(other.moved)
        self.tasks.update(other.tasks)

    def as_json(self) -> dict[str, Any]:
        """``{"ops_executed", "per_unit", "per_op", "bytes_moved", "tasks"}``, keys sorted."""
        return {
            "ops_executed": self.ops_executed,
            "per_unit": {k: self.units[k] for k in sorted(self.units)},
            "per_op": {k: self.ops[k] for k in sorted(self.ops)},
            "bytes_moved": {k: self.moved[k] for k in sorted(self.moved)},
            "tasks": {k: self.tasks[k] for k in sorted(self.tasks)},
        }

    def render(self) -> str:
        """The ``--stats`` text block."""
        lines = [f"ops executed: {self.ops_executed:,}"]
        for unit in ("cube", "vector", "mte", "other"):
            if self.units[unit]:
                lines.append(f"  {unit:<7} {self.units[unit]:>12,}")
        if self.tasks:
            tasks = ", ".join(f"{self.tasks[u]:,} {u}" for u in sorted(self.tasks))
            lines.append(f"tasks: {tasks}")
        if self.batched or self.fell_back:
            lines.append(
                f"scf.parallel: {self.batched:,} run batched, {self.fell_back:,} "
                "fell back to one iteration at a time"
            )
        if self.moved:
            lines.append("bytes moved:")
            for path in sorted(self.moved):
                lines.append(f"  {path:<9} {self.moved[path]:>14,} B")
        return "\n".join(lines)
