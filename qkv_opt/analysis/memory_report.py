"""
``qkv-opt --memory-report[=text|json|svg]``: the memory plan of every task, for people.

The UB estimate users ask for before compiling: per ``tile.task``, every buffer with
its planned offset, size and live range in program points, the peak of each space
against the target's capacity, and what is live at the peak.  ``text`` is for a
terminal, ``json`` for scripts (schema in ``docs/memory-plan.md``), ``svg`` an
occupancy chart: offset against program point, one rectangle per buffer, a line at
the capacity.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from xdsl.ir import Operation

from qkv_opt.analysis.memory_plan import (
    SPACE_ORDER,
    Buffer,
    TaskPlan,
    plan_module,
    value_name,
)
from qkv_opt.analysis.target_rules import tile_spelling
from qkv_opt.dialects.targets import Target
from qkv_opt.dialects.tile import MemorySpace, TileType
from qkv_opt.utils.diagnostics import op_loc

__all__ = ["REPORT_FORMATS", "SCHEMA_VERSION", "render_report", "report_data"]

REPORT_FORMATS = ("text", "json", "svg")
SCHEMA_VERSION = 1


def render_report(module: Operation, target: Target, fmt: str) -> str:
    """The memory plan of every ``tile.task`` in ``module`` as ``text``, ``json`` or ``svg``."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"unknown memory report format '{fmt}'; expected one of text, json, svg")
    plans = plan_module(module, target)
    if fmt == "json":
        return json.dumps(report_data(plans, target), indent=2) + "\n"
    if fmt == "svg":
        return _svg(plans, target)
    return _text(plans, target)


# --------------------------------------------------------------------------- #
# Shared pieces
# --------------------------------------------------------------------------- #


def _loc(op: Operation) -> str | None:
    loc = op_loc(op)
    return None if loc is None else str(loc)


def _type_of(b: Buffer) -> str:
    if b.kind == "scratch":
        source = b.op.operands[0].type if b.op.operands else None
        if isinstance(source, TileType):
            return tile_spelling(source.get_shape(), source.element_type, source.tile_layout)
        return "tmp"
    t = b.tile_type
    return tile_spelling(t.get_shape(), t.element_type, t.tile_layout)


def _capacity_word(space: MemorySpace) -> str:
    return "usable" if space == MemorySpace.UB else "capacity"


def _percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


# --------------------------------------------------------------------------- #
# JSON
# --------------------------------------------------------------------------- #


def _buffer_data(b: Buffer) -> dict[str, Any]:
    return {
        "name": b.name,
        "kind": b.kind,
        "space": b.space.value,
        "type": _type_of(b),
        "op": b.op.name,
        "loc": _loc(b.op),
        "offset": b.offset,
        "size": b.size,
        "footprint": b.footprint,
        "first": b.first,
        "last": b.last,
        "values": [value_name(v) for v in b.values],
    }


def _task_data(plan: TaskPlan, target: Target) -> dict[str, Any]:
    spaces: dict[str, Any] = {}
    for space in plan.spaces():
        point = plan.peak_point[space]
        capacity = target.capacity[space]
        spaces[space.value] = {
            "peak": plan.peak[space],
            "peak_point": point,
            "capacity": capacity,
            "fits": plan.peak[space] <= capacity,
            "live_bytes_at_peak": plan.live_bytes(space, point),
            "live_at_peak": [b.name for b in plan.live_at_peak(space)],
        }
    return {
        "name": plan.task.task_name.data,
        "unit": plan.task.task_unit.value,
        "loc": _loc(plan.task),
        "fits": plan.fits(target),
        "spaces": spaces,
        "buffers": [_buffer_data(b) for b in plan.buffers],
        "points": [
            {
                "point": p.index,
                "op": p.op.name,
                "loop_end": p.loop_end,
                "loc": _loc(p.op),
            }
            for p in plan.points
        ],
    }


def report_data(plans: Sequence[TaskPlan], target: Target) -> dict[str, Any]:
    """The JSON document of ``--memory-report=json`` (schema: docs/memory-plan.md)."""
    return {
        "schema": SCHEMA_VERSION,
        "target": target.name,
        "capacity": {s.value: target.capacity[s] for s in SPACE_ORDER},
        "alignment": {s.value: target.base_alignment[s] for s in SPACE_ORDER},
        "fits": all(p.fits(target) for p in plans),
        "tasks": [_task_data(p, target) for p in plans],
    }


# --------------------------------------------------------------------------- #
# Text
# --------------------------------------------------------------------------- #


def _table(rows: Sequence[Sequence[str]], right: frozenset[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines: list[str] = []
    for r in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(r)
        ]
        lines.append("    " + "  ".join(cells).rstrip())
    return lines


def _text(plans: Sequence[TaskPlan], target: Target) -> str:
    caps = ", ".join(
        f"{s.value} {target.capacity[s]:,} B{' usable' if s == MemorySpace.UB else ''}"
        for s in SPACE_ORDER
    )
    out = [f"memory plan on {target.name} ({caps})"]
    if not plans:
        out.append("no tile.task in the input: nothing lives on chip")
        return "\n".join(out) + "\n"
    for plan in plans:
        task = plan.task
        where = _loc(task)
        out.append("")
        out.append(
            f'task "{task.task_name.data}" ({task.task_unit.value})'
            + (f" at {where}" if where else "")
        )
        for space in plan.spaces():
            peak, capacity = plan.peak[space], target.capacity[space]
            point = plan.peak_point[space]
            verdict = "fits" if peak <= capacity else f"OVERFLOW by {peak - capacity:,} B"
            live = ", ".join(f"{b.name} {b.size} B" for b in plan.live_at_peak(space))
            out.append(
                f"  {space.value}: peak {peak:,} B of {capacity:,} B {_capacity_word(space)} "
                f"({_percent(peak, capacity)}), {verdict}; at point {point} "
                f"({plan.points[point].describe()}) live: {live}"
            )
        if not plan.buffers:
            out.append("  no on-chip buffers")
        else:
            rows: list[list[str]] = [
                ["buffer", "kind", "space", "offset", "size", "live", "op", "type", "values"]
            ]
            for b in plan.buffers:
                aliases = [value_name(v) for v in b.values[1:]]
                rows.append(
                    [
                        b.name,
                        b.kind,
                        b.space.value,
                        str(b.offset),
                        str(b.size),
                        f"{b.first}..{b.last}",
                        b.op.name,
                        _type_of(b),
                        ("= " + ", ".join(aliases)) if aliases else "",
                    ]
                )
            out.extend(_table(rows, frozenset({3, 4})))
        out.append("  program points:")
        width = max((len(p.describe()) for p in plan.points), default=0)
        for p in plan.points:
            loc = _loc(p.op)
            suffix = f"  {loc}" if loc and not p.loop_end else ""
            out.append(f"    {p.index:>4}  {p.describe():<{width}}{suffix}".rstrip())
    total_fit = sum(1 for p in plans if p.fits(target))
    out.append("")
    out.append(f"{len(plans)} task(s), {total_fit} fit, {len(plans) - total_fit} overflow")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- #
# SVG
# --------------------------------------------------------------------------- #

_PANEL_W, _PANEL_H = 760, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 90, 20, 36, 40
_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#edc948", "#b07aa1", "#9c755f")
_SCRATCH_COLOR = "#e15759"


def _svg_panel(plan: TaskPlan, space: MemorySpace, target: Target, y0: int, out: list[str]) -> None:
    capacity = target.capacity[space]
    peak = plan.peak[space]
    top_bytes = max(capacity, peak, 1)
    n_points = max(1, len(plan.points))
    plot_w = _PANEL_W - _LEFT - _RIGHT
    plot_h = _PANEL_H - _TOP - _BOTTOM
    dx = plot_w / n_points
    sy = plot_h / top_bytes
    bottom = y0 + _TOP + plot_h
    title = (
        f'task "{plan.task.task_name.data}" {space.value}: peak {peak:,} B of '
        f"{capacity:,} B {_capacity_word(space)} ({_percent(peak, capacity)})"
    )
    out.append(
        f'<text x="{_LEFT}" y="{y0 + 22}" font-size="14" font-weight="bold">{escape(title)}</text>'
    )
    out.append(
        f'<rect x="{_LEFT}" y="{y0 + _TOP}" width="{plot_w}" height="{plot_h}" '
        'fill="#fafafa" stroke="#999"/>'
    )
    buffers = [b for b in plan.buffers if b.space == space]
    for i, b in enumerate(buffers):
        x = _LEFT + b.first * dx
        w = max(1.0, (b.last - b.first + 1) * dx)
        h = max(1.0, b.footprint * sy)
        y = bottom - (b.offset + b.footprint) * sy
        color = _SCRATCH_COLOR if b.kind == "scratch" else _COLORS[i % len(_COLORS)]
        tip = (
            f"{b.name} ({b.op.name}) {_type_of(b)}: offset {b.offset}, {b.size} B, "
            f"points {b.first}..{b.last}"
        )
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{color}" '
            f'fill-opacity="0.75" stroke="#333" stroke-width="0.5"><title>{escape(tip)}</title>'
            "</rect>"
        )
        if h >= 12 and w >= 7 * len(b.name):
            out.append(
                f'<text x="{x + 3:.1f}" y="{y + h / 2 + 4:.1f}" font-size="10">'
                f"{escape(b.name)}</text>"
            )
    cap_y = bottom - capacity * sy
    out.append(
        f'<line x1="{_LEFT}" y1="{cap_y:.1f}" x2="{_LEFT + plot_w}" y2="{cap_y:.1f}" '
        'stroke="#d62728" stroke-width="1.5" stroke-dasharray="6,3"/>'
    )
    out.append(
        f'<text x="{_LEFT + plot_w - 4}" y="{cap_y - 4:.1f}" font-size="10" fill="#d62728" '
        f'text-anchor="end">capacity {capacity:,} B</text>'
    )
    if peak and peak != capacity:
        peak_y = bottom - peak * sy
        out.append(
            f'<line x1="{_LEFT}" y1="{peak_y:.1f}" x2="{_LEFT + plot_w}" y2="{peak_y:.1f}" '
            'stroke="#333" stroke-width="1" stroke-dasharray="2,2"/>'
        )
        out.append(
            f'<text x="{_LEFT + 4}" y="{peak_y - 4:.1f}" font-size="10">peak {peak:,} B</text>'
        )
    # Axes: bytes on the left, program points below.
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        value = int(top_bytes * frac)
        ty = bottom - value * sy
        out.append(
            f'<text x="{_LEFT - 6}" y="{ty + 4:.1f}" font-size="10" text-anchor="end">'
            f"{value:,}</text>"
        )
    step = max(1, n_points // 10)
    for p in range(0, n_points, step):
        tx = _LEFT + (p + 0.5) * dx
        out.append(
            f'<text x="{tx:.1f}" y="{bottom + 14}" font-size="10" text-anchor="middle">{p}</text>'
        )
    out.append(
        f'<text x="{_LEFT + plot_w / 2:.1f}" y="{bottom + 30}" font-size="11" '
        'text-anchor="middle">program point</text>'
    )
    out.append(
        f'<text x="14" y="{y0 + _TOP + plot_h / 2:.1f}" font-size="11" '
        f'transform="rotate(-90 14 {y0 + _TOP + plot_h / 2:.1f})" text-anchor="middle">'
        "offset (bytes)</text>"
    )


def _svg(plans: Sequence[TaskPlan], target: Target) -> str:
    panels = [(plan, space) for plan in plans for space in plan.spaces()]
    height = max(1, len(panels)) * _PANEL_H + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_PANEL_W}" height="{height}" '
        f'viewBox="0 0 {_PANEL_W} {height}" font-family="sans-serif">',
        f"<title>qkv-opt memory plan on {escape(target.name)}</title>",
    ]
    if not panels:
        out.append('<text x="10" y="20" font-size="14">no on-chip buffers (no tile.task)</text>')
    for i, (plan, space) in enumerate(panels):
        out.append(
            f'<g class="panel" data-task="{escape(plan.task.task_name.data)}" '
            f'data-space="{space.value}">'
        )
        _svg_panel(plan, space, target, i * _PANEL_H, out)
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
