"""The IR in docs/passes/{aiv-rowsum,cube-matmul}.md is what the passes print today."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from xdsl.dialects import func
from xdsl.printer import Printer

from qkv_opt.dialects import make_context
from qkv_opt.passes import get_all_passes
from qkv_opt.passes.pipeline import build_pipeline
from qkv_opt.utils.source import parse_source

ROOT = Path(__file__).resolve().parents[3]
GENERATED = re.compile(r"<!-- generated: (\S+) (\S+) @(\w+) -->\n```mlir\n(.*?)```", re.DOTALL)
DOCS = ["docs/passes/aiv-rowsum.md", "docs/passes/cube-matmul.md"]
BLOCKS = [
    (f"{doc}@{m.group(3)}:{m.group(2)}", m.groups())
    for doc in DOCS
    for m in GENERATED.finditer((ROOT / doc).read_text())
]


def test_every_doc_has_generated_ir() -> None:
    for doc in DOCS:
        assert GENERATED.search((ROOT / doc).read_text()), doc


@pytest.mark.parametrize(("name", "block"), BLOCKS, ids=[n for n, _ in BLOCKS])
def test_doc_ir_is_current(name: str, block: tuple[str, ...]) -> None:
    spec, path, entry, text = block
    ctx = make_context()
    module = parse_source(ctx, (ROOT / path).read_text(), path)
    for p in build_pipeline(get_all_passes(), spec):
        p.apply(ctx, module)
    (fn,) = [
        op for op in module.walk() if isinstance(op, func.FuncOp) and op.sym_name.data == entry
    ]
    out = StringIO()
    Printer(stream=out).print_op(fn)
    assert out.getvalue().strip() == text.strip(), f"{name}: regenerate the block"
