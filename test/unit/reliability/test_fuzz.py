"""
Mutation fuzzing of qkv-opt: deletions, duplications, token and digit swaps of
valid inputs must never crash, hang, or leave a partial output file.

Bounded for CI (QKV_FUZZ_EXAMPLES examples per property, default below); for a
long local run: ``QKV_FUZZ_EXAMPLES=5000 QKV_FUZZ_RANDOM=1 pytest test/unit/reliability``.
A failing input is saved under test/reliability/regressions/, where the lit suite
replays it forever after.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import ROOT, fuzz_budget, run_qkv_opt, save_regression

SEED_FILES = [
    ROOT / "examples" / "qwen3_14b_kv_proj.mlir",
    ROOT / "examples" / "qwen3_14b_qkv_proj.mlir",
    ROOT / "examples" / "qwen3_14b_kv_proj_b16.mlir",
    ROOT / "test" / "dialects" / "tile" / "roundtrip.mlir",
]
SEEDS = [p.read_text() for p in SEED_FILES]
TOKEN = re.compile(r"%[\w.]+|@[\w.]+|![\w.]+|#[\w.]+|\d+|[A-Za-z_][\w.]*|\S")
EXTRA_TOKENS = ["0", "-1", "99999999999", "f99", "x", "<", ">", "{", "}", "(", ")", ",", ":", "="]
VOCABULARY = [*sorted({t for text in SEEDS for t in TOKEN.findall(text)}), *EXTRA_TOKENS]
PIPELINES = [
    [],
    ["--aiv-rowsum"],
    ["--cube-matmul"],
    ["-p", "aiv-rowsum,cube-matmul"],
    ["--check-target"],
    ["--aiv-rowsum", "--memory-report=json"],
]

SETTINGS = settings(
    max_examples=fuzz_budget(60),
    deadline=None,
    derandomize=os.environ.get("QKV_FUZZ_RANDOM") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated_inputs(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "duplicate", "token", "digit"]))
        if not text:
            break
        start = draw(st.integers(0, len(text) - 1))
        if kind == "delete":
            end = draw(st.integers(start, min(len(text), start + 80)))
            text = text[:start] + text[end:]
        elif kind == "duplicate":
            end = draw(st.integers(start, min(len(text), start + 200)))
            text = text[:end] + text[start:end] + text[end:]
        elif kind == "token":
            matches = list(TOKEN.finditer(text))
            m = matches[draw(st.integers(0, len(matches) - 1))]
            text = text[: m.start()] + draw(st.sampled_from(VOCABULARY)) + text[m.end() :]
        else:
            digits = [m for m in re.finditer(r"\d+", text)]
            if not digits:
                continue
            m = digits[draw(st.integers(0, len(digits) - 1))]
            new = draw(
                st.sampled_from(
                    ["0", "1", "3", "8", "15", "17", "24", "1000", "2048", "65536", "4096000000"]
                )
            )
            text = text[: m.start()] + new + text[m.end() :]
    return text


def check(text: str, args: list[str]) -> None:
    outcome = run_qkv_opt(text, args)
    problems = outcome.violations()
    if problems:
        path = save_regression(text, args, problems)
        raise AssertionError(
            f"qkv-opt {' '.join(args)} broke its contract ({', '.join(problems)}); "
            f"input saved to {path.relative_to(ROOT)}\n--- stderr ---\n{outcome.stderr[-3000:]}"
        )


@SETTINGS
@given(text=mutated_inputs(), pipeline=st.sampled_from(PIPELINES))
def test_mutated_inputs_never_crash(text: str, pipeline: list[str]) -> None:
    check(text, pipeline)


@SETTINGS
@given(data=st.binary(max_size=400), pipeline=st.sampled_from(PIPELINES[:2]))
def test_random_bytes_never_crash(data: bytes, pipeline: list[str]) -> None:
    outcome = run_qkv_opt(data, pipeline)
    assert outcome.violations() == [], outcome.stderr


def test_seed_inputs_are_valid() -> None:
    """The mutations start from inputs qkv-opt accepts (else the fuzzing is vacuous)."""
    for text in SEEDS:
        outcome = run_qkv_opt(text, [])
        assert outcome.code == 0, outcome.stderr


def test_regression_files_exist_only_with_reasons() -> None:
    for path in (Path(ROOT) / "test" / "reliability" / "regressions").glob("*.mlir"):
        head = path.read_text(errors="replace").splitlines()[:2]
        assert head[0].startswith("// ARGS:"), path
        assert head[1].startswith("// FOUND:"), path
