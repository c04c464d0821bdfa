"""
Mutation fuzzing of qkv-opt and qkv-run: deletions, duplications, truncations,
token and digit substitutions and stray bytes in valid inputs (the examples, the
tile round-trip file, and the tile IR both lowerings print) must never crash,
hang, or leave a partial output file; every failure is exit 1 with an
``error:`` line.  Mutated tile programs run by qkv-run obey the same contract,
and the fast executor agrees with the reference interpreter on every program
that parses.

Bounded for CI (the defaults below, derandomized: the same examples every run);
for a long local run see test/reliability/README.md, e.g.
``QKV_FUZZ_EXAMPLES=2000 QKV_FUZZ_RANDOM=1 pytest test/unit/reliability``.
A failing input is saved under test/reliability/Inputs/regressions/, where
test/reliability/fuzz-regressions.test replays it forever after.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from .harness import (
    REFERENCE,
    ROOT,
    Outcome,
    fuzz_budget,
    regression_cases,
    run_job,
    run_qkv_opt,
    run_qkv_run,
    save_regression,
)
from .seeds import TOKEN, RunSeed, lowered_seeds, run_seeds, source_seeds, vocabulary


def _settings(examples: int) -> settings:
    # No shrinking: the first input that breaks the contract is saved as found
    # (shrinking would rerun a hang many times, and save each failing step).
    return settings(
        max_examples=fuzz_budget(examples),
        deadline=None,
        derandomize=os.environ.get("QKV_FUZZ_RANDOM") != "1",
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


PIPELINES = [
    [],
    ["--aiv-rowsum"],
    ["--cube-matmul"],
    ["-p", "aiv-rowsum,cube-matmul"],
    ["-p", "cube-matmul{target=ascend950},aiv-rowsum{target=ascend950}"],
    ["--check-target"],
    ["--aiv-rowsum", "--memory-report=json"],
    ["--cube-matmul", "--check-target", "--memory-report"],
    ["--split-input-file", "--aiv-rowsum"],
    ["--print-op-generic"],
]
"""What qkv-opt runs on mutated inputs (source or tile IR)."""

TILE_PIPELINES = [
    [],
    ["--check-target"],
    ["--check-target=target=ascend950"],
    ["--memory-report"],
    ["--memory-report=json", "--target", "ascend950"],
    ["--memory-report=svg"],
    ["-p", "aiv-rowsum,cube-matmul,check-target"],
    ["--print-op-generic", "--check-target"],
    ["--verify-diagnostics"],
]
"""What qkv-opt runs on mutated tile IR: the checks, the memory report, printing."""

RUN_ARGS = [
    ["--reference", REFERENCE],
    ["--reference", REFERENCE, "--executor", "reference"],
    ["--reference", REFERENCE, "--init", "zeros", "--json"],
    ["--reference", REFERENCE, "--seed", "7", "--stats"],
    ["--print-outputs"],
    ["--all-entries", "--executor", "reference"],
]
"""What qkv-run runs mutated programs with (always under a 256 MiB budget)."""

BIG_DIGITS = ["0", "1", "3", "8", "15", "17", "24", "1000", "2048", "65536", "4096000000"]
SMALL_DIGITS = ["0", "1", "2", "3", "7", "8", "15", "16", "17", "24", "31", "32", "48", "64", "96"]
"""Digit substitutions for programs that run: bounded, so every loop stays short."""


SYNTAX_KINDS = ["delete", "duplicate", "truncate", "token", "swap", "digit"]
"""Every mutation, equally likely: most results no longer parse."""
VALUE_KINDS = ["constant", "constant", "constant", "digit", "digit", "swap", "token", "delete"]
"""Mostly index constants, numbers and same-kind tokens: many results still verify and run."""
INDEX_CONSTANT = re.compile(r"(?<=arith.constant )\d+(?= : index)")


def _kind_of(token: str) -> str:
    return token[0] if token[0] in "%@!#" else "number" if token.isdigit() else "word"


@st.composite
def mutations(
    draw: st.DrawFn,
    seeds: Sequence[str],
    digits: Sequence[str],
    words: Sequence[str],
    kinds: Sequence[str] = SYNTAX_KINDS,
) -> bytes:
    """
    A seed with 1-3 mutations, and now and then a stray byte, as the file's bytes.

    ``token`` writes a word of ``words``; ``swap`` another token of the same kind
    from the same text (``%w_blk`` for ``%x_blk``, ``ub`` for ``l1``); ``digit``
    one of ``digits`` for a number, ``constant`` for the value of an index
    constant (an offset, a bound, a step, a valid extent).
    """
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 3))):
        if not text:
            break
        kind = draw(st.sampled_from(kinds))
        start = draw(st.integers(0, len(text) - 1))
        if kind == "delete":
            end = draw(st.integers(start, min(len(text), start + 80)))
            text = text[:start] + text[end:]
        elif kind == "duplicate":
            end = draw(st.integers(start, min(len(text), start + 200)))
            text = text[:end] + text[start:end] + text[end:]
        elif kind == "truncate":
            text = text[:start]
        elif kind in ("token", "swap"):
            matches = list(TOKEN.finditer(text))
            m = matches[draw(st.integers(0, len(matches) - 1))]
            if kind == "token":
                new = draw(st.sampled_from(words))
            else:
                same = sorted({t for t in TOKEN.findall(text) if _kind_of(t) == _kind_of(m[0])})
                new = draw(st.sampled_from(same))
            text = text[: m.start()] + new + text[m.end() :]
        else:
            pattern = INDEX_CONSTANT if kind == "constant" else re.compile(r"\d+")
            numbers = list(pattern.finditer(text))
            if not numbers:
                continue
            m = numbers[draw(st.integers(0, len(numbers) - 1))]
            text = text[: m.start()] + draw(st.sampled_from(digits)) + text[m.end() :]
    data = text.encode()
    if data and draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at:]
    return data


def _source_or_lowered() -> st.SearchStrategy[bytes]:
    seeds = [*source_seeds(), *lowered_seeds()]
    return mutations(seeds, BIG_DIGITS, vocabulary())


def _lowered() -> st.SearchStrategy[bytes]:
    return mutations(lowered_seeds(), BIG_DIGITS, vocabulary())


def _small_words() -> list[str]:
    """The vocabulary without numbers beyond SMALL_DIGITS (loop bounds stay small)."""
    return [w for w in vocabulary() if not w.isdigit() or w in SMALL_DIGITS]


@st.composite
def mutated_programs(draw: st.DrawFn) -> tuple[bytes, RunSeed]:
    seed = draw(st.sampled_from(run_seeds()))
    data = draw(mutations([seed.program], SMALL_DIGITS, _small_words(), VALUE_KINDS))
    return data, seed


def _verdict(outcome: Outcome) -> str:
    """How a run that kept the contract ended, for hypothesis' statistics."""
    if outcome.code == 0:
        return "exit 0"
    first = next((line for line in outcome.stderr.splitlines() if "error:" in line), "")
    if "differs from the reference" in first:
        return "exit 1, a mismatch against the reference"
    if re.search(r"error: '(tile|memref|scf)\.\w+' op (reads|writes|step)", first):
        return "exit 1, a run-time check"
    if "input.mlir:" in first and "' op " in first:
        return "exit 1, an op's diagnostic (verify, pass, check)"
    return "exit 1, a parse error (or another error on no op)"


def _fail(tool: str, data: bytes, args: list[str], outcome: Outcome, ref: str | None) -> None:
    problems = outcome.violations()
    if not problems:
        event(f"{tool}: {_verdict(outcome)}")
        return
    path = save_regression(data, args, problems, tool, ref)
    raise AssertionError(
        f"{tool} {' '.join(args)} broke its contract ({', '.join(problems)}); "
        f"input saved to {path.relative_to(ROOT)}\n--- stderr ---\n{outcome.stderr[-3000:]}"
    )


def check_qkv_opt(data: bytes, args: list[str]) -> None:
    _fail("qkv-opt", data, args, run_qkv_opt(data, args), None)


@_settings(500)
@given(data=_source_or_lowered(), pipeline=st.sampled_from(PIPELINES))
def test_mutated_inputs_never_crash(data: bytes, pipeline: list[str]) -> None:
    check_qkv_opt(data, pipeline)


@_settings(500)
@given(data=_lowered(), pipeline=st.sampled_from(TILE_PIPELINES))
def test_mutated_tile_ir_never_crashes(data: bytes, pipeline: list[str]) -> None:
    """Lowered IR, mutated, through check-target, the memory report and the printers."""
    check_qkv_opt(data, pipeline)


@_settings(250)
@given(data=st.binary(max_size=400), pipeline=st.sampled_from(PIPELINES[:3]))
def test_random_bytes_never_crash(data: bytes, pipeline: list[str]) -> None:
    check_qkv_opt(data, pipeline)


@_settings(500)
@given(case=mutated_programs(), args=st.sampled_from(RUN_ARGS))
def test_mutated_programs_run_or_fail_cleanly(case: tuple[bytes, RunSeed], args: list[str]) -> None:
    """qkv-run on a mutated small tile program: results, a mismatch, or a located error."""
    data, seed = case
    argv = [*args, "--memory-budget", "256M"]
    _fail("qkv-run", data, argv, run_qkv_run(data, argv, seed.reference), seed.reference)


@_settings(500)
@given(case=mutated_programs(), seed=st.integers(0, 3))
def test_executors_agree_on_mutated_programs(case: tuple[bytes, RunSeed], seed: int) -> None:
    """
    Whatever a mutated program does, the fast executor does it too: the same
    bits, or a DiagnosticError from both (any other exception fails the test).
    """
    data, _ = case
    status, verdict = run_job("compare_executors", data, seed)
    problem = verdict if status == "ok" else f"PROBLEM: {status} in the worker"
    if problem.startswith("PROBLEM"):
        path = save_regression(
            data, ["--all-entries", "--executor", "fast"], [problem[:200]], "qkv-run"
        )
        raise AssertionError(f"{problem}\ninput saved to {path.relative_to(ROOT)}")
    event(verdict)


def test_seed_inputs_are_valid() -> None:
    """The mutations start from inputs the tools accept (else the fuzzing is vacuous)."""
    for text in source_seeds():
        outcome = run_qkv_opt(text, [])
        assert outcome.code == 0, outcome.stderr
    for text in lowered_seeds():
        outcome = run_qkv_opt(text, ["--check-target"])
        assert outcome.code == 0, outcome.stderr
    for seed in run_seeds():
        outcome = run_qkv_run(seed.program, ["--reference", REFERENCE], seed.reference)
        assert outcome.code == 0, f"{seed.what}: {outcome.stderr}"
        assert "passed against" in outcome.stdout, outcome.stdout


def test_regression_files_have_headers() -> None:
    """Every saved regression parses (its replay is test/reliability/fuzz-regressions.test)."""
    for case in regression_cases():
        assert case.tool in ("qkv-opt", "qkv-run"), case.path
        assert case.found, case.path
