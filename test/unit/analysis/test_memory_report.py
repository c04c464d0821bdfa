"""render_report: the text, JSON and SVG forms of the memory plan."""

from __future__ import annotations

import json
import xml.dom.minidom

import pytest
from conftest import Parse
from xdsl.dialects.builtin import ModuleOp

from qkv_opt.analysis.memory_report import render_report
from qkv_opt.dialects.targets import get_target

A2 = get_target("ascend910b")

BODY = """
    %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> !tile.tile<16x64xf32, ub>
    %s = tile.row_sum %a : !tile.tile<16x64xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
    %r = tile.reshape %s : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
    tile.store %r, %x[%c0, %c0] : !tile.tile<1x16xf32, ub> -> memref<64x64xf32>
"""


def test_json_has_every_buffer_and_the_peak(parse: Parse) -> None:
    doc = json.loads(render_report(parse(BODY, args="%x: memref<64x64xf32>"), A2, "json"))
    assert doc["schema"] == 1
    assert doc["target"] == "ascend910b"
    assert doc["fits"] is True
    (task,) = doc["tasks"]
    assert task["name"] == "t"
    assert task["unit"] == "vector"
    assert task["loc"] == "test.mlir:9:3"
    ub = task["spaces"]["ub"]
    assert ub == {
        "peak": 8256,
        "peak_point": 1,
        "capacity": 188416,
        "fits": True,
        "live_bytes_at_peak": 8256,
        "live_at_peak": ["%a", "scratch of %s", "%s"],
    }
    buffers = {b["name"]: b for b in task["buffers"]}
    assert buffers["%s"]["values"] == ["%s", "%r"]
    assert buffers["scratch of %s"]["kind"] == "scratch"
    assert buffers["scratch of %s"]["type"] == "tile<16x64xf32>"
    assert [p["op"] for p in task["points"]] == [
        "tile.load",
        "tile.row_sum",
        "tile.reshape",
        "tile.store",
    ]


def test_text_lists_buffers_and_points(parse: Parse) -> None:
    text = render_report(parse(BODY, args="%x: memref<64x64xf32>"), A2, "text")
    assert 'task "t" (vector) at test.mlir:9:3' in text
    assert "ub: peak 8,256 B of 188,416 B usable (4.4%), fits; at point 1 ('tile.row_sum')" in text
    assert "scratch of %s" in text
    assert "= %r" in text
    assert "1 task(s), 1 fit, 0 overflow" in text


def test_svg_is_well_formed_with_one_rectangle_per_buffer(parse: Parse) -> None:
    svg = render_report(parse(BODY, args="%x: memref<64x64xf32>"), A2, "svg")
    dom = xml.dom.minidom.parseString(svg)
    rects = [r for r in dom.getElementsByTagName("rect") if r.getElementsByTagName("title")]
    assert len(rects) == 3
    assert "capacity 188,416 B" in svg


def test_empty_module_and_bad_format() -> None:
    empty = ModuleOp([])
    assert "no tile.task in the input" in render_report(empty, A2, "text")
    assert json.loads(render_report(empty, A2, "json"))["tasks"] == []
    xml.dom.minidom.parseString(render_report(empty, A2, "svg"))
    with pytest.raises(ValueError, match="unknown memory report format 'html'"):
        render_report(empty, A2, "html")
