"""The Python examples in the docs run as written (from the repository root)."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _blocks(doc: str) -> list[tuple[str, str]]:
    text = (ROOT / doc).read_text()
    return [(f"{doc}#{i}", code) for i, code in enumerate(BLOCK.findall(text))]


DOC_BLOCKS = _blocks("docs/embedding.md")


def _needs(code: str) -> str | None:
    needs_torch_mlir = "torch_mlir" in code or "frontends.torch" in code
    if needs_torch_mlir and importlib.util.find_spec("torch_mlir") is None:
        return "torch-mlir (pip install 'qkv-opt[torch]')"
    return None


@pytest.mark.parametrize(("name", "code"), DOC_BLOCKS, ids=[n for n, _ in DOC_BLOCKS])
def test_doc_example_runs(name: str, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = _needs(code)
    if missing is not None:
        pytest.skip(f"needs {missing}")
    monkeypatch.chdir(ROOT)
    exec(compile(code, name, "exec"), {"__name__": "__doc_example__"})


def test_docs_have_examples() -> None:
    assert len(DOC_BLOCKS) >= 4
    assert os.path.exists(ROOT / "docs" / "embedding.md")
