"""
qkv-opt's benchmarks: each one times our code against a reference measured in
the same process, and reports the ratio (never a bare time).

    /work/venv/bin/python bench/run.py            # a table
    /work/venv/bin/python bench/run.py --json     # {"benchmarks": [...]}
    /work/venv/bin/python bench/run.py -k interp  # only names containing "interp"

Adding a benchmark: append a ``Benchmark(name, ours, reference, setup)`` to
``BENCHMARKS``.  ``setup`` (optional) runs once, untimed, before the timed
calls; ``ours`` and ``reference`` are called ``RUNS`` times each and the medians
are compared (the calls alternate between the two sides).  Interpreter
benchmarks have "interp" in their name.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from qkv_opt.dialects import make_context
from qkv_opt.interpreter import ratio_allclose, resolve_entry, run_function, seeded_inputs
from qkv_opt.interpreter.torch_bridge import to_torch
from qkv_opt.utils.source import parse_source, verify_module

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


@dataclass(frozen=True)
class Benchmark:
    """One measurement: ``ours`` against ``reference``, both timed in this process."""

    name: str
    ours: Callable[[], object]
    reference: Callable[[], object]
    setup: Callable[[], None] | None = None


# --------------------------------------------------------------------------- #
# Interpreter: lowered Qwen3-14B K / V projections vs the torch golden
# --------------------------------------------------------------------------- #


def _parse(ctx: Context, path: Path) -> ModuleOp:
    module = parse_source(ctx, path.read_text(), str(path))
    verify_module(module)
    return module


def lowering_source() -> str:
    """Which lowered IR the interpreter benchmarks run."""
    try:
        importlib.import_module("qkv_opt.passes.aiv_rowsum")
    except ImportError:
        return "hand-written AIV tile IR (test/interpreter/Inputs; qkv_opt.passes.aiv_rowsum not importable)"
    return "the aiv-rowsum pass applied to examples/"


def _lowered(ctx: Context, batch: int) -> ModuleOp:
    """The AIV form of examples/qwen3_14b_kv_proj*.mlir at ``batch``."""
    try:
        importlib.import_module("qkv_opt.passes.aiv_rowsum")
    except ImportError:
        name = "k_proj_aiv_b1.mlir" if batch == 1 else "k_proj_aiv_b16.mlir"
        return _parse(ctx, ROOT / "test" / "interpreter" / "Inputs" / name)
    from qkv_opt.passes import get_all_passes

    example = "qwen3_14b_kv_proj.mlir" if batch == 1 else "qwen3_14b_kv_proj_b16.mlir"
    module = _parse(ctx, ROOT / "examples" / example)
    get_all_passes()["aiv-rowsum"]()().apply(ctx, module)
    verify_module(module)
    return module


class _Projection:
    """Inputs, lowered module and golden for one projection at one batch."""

    def __init__(self, entry: str, batch: int):
        self.entry = entry
        self.batch = batch
        self.module: ModuleOp | None = None
        self.args: list[np.ndarray[Any, Any]] = []
        self.result: np.ndarray[Any, Any] | None = None
        self.golden_result: np.ndarray[Any, Any] | None = None

    def setup(self) -> None:
        ctx = make_context()
        self.module = _lowered(ctx, self.batch)
        self.args = seeded_inputs(resolve_entry(self.module, self.entry), seed=0)

    def ours(self) -> object:
        assert self.module is not None
        self.result = run_function(self.module, self.entry, self.args)[2]
        return self.result

    def golden(self) -> object:
        x, w, c = self.args
        with torch.no_grad():
            out = to_torch(x).float() @ to_torch(w).float() + to_torch(c)
        self.golden_result = out.numpy()
        return self.golden_result


def _projection(entry: str, batch: int) -> Benchmark:
    p = _Projection(entry, batch)
    return Benchmark(f"interp {entry} b{batch}", p.ours, p.golden, p.setup)


BENCHMARKS: list[Benchmark] = [
    _projection("k_proj", 1),
    _projection("v_proj", 1),
    _projection("k_proj", 16),
    _projection("v_proj", 16),
]


# --------------------------------------------------------------------------- #
# Compile speed: qkv-opt --aiv-rowsum vs qkv-opt's plain parse-and-print
# --------------------------------------------------------------------------- #


class _Compile:
    """
    The qkv-opt driver in process on one file, with and without ``--aiv-rowsum``.

    Both sides run the same ``main()`` (argument parsing, parse, verify, print,
    write to a file); the difference is the pass and printing its bigger output.
    """

    def __init__(self, example: str, flags: list[str]):
        self.path = ROOT / "examples" / example
        self.flags = flags
        self.out = Path(tempfile.gettempdir()) / f"qkv-bench-{os.getpid()}.mlir"

    def _run(self, flags: list[str]) -> None:
        from qkv_opt.tools.qkv_opt import main as qkv_opt_main

        code = qkv_opt_main([*flags, str(self.path), "-o", str(self.out)])
        if code != 0:
            raise RuntimeError(f"qkv-opt {' '.join(flags)} {self.path.name} exited with {code}")

    def ours(self) -> object:
        self._run(self.flags)
        return None

    def plain(self) -> object:
        self._run([])
        return None


def _compile(example: str, flags: list[str]) -> Benchmark:
    c = _Compile(example, flags)
    return Benchmark(f"compile {' '.join(flags)} {example}", c.ours, c.plain)


BENCHMARKS.append(_compile("qwen3_14b_qkv_proj.mlir", ["--aiv-rowsum"]))


class _Command(_Compile):
    """
    The same comparison as the user types it: two ``qkv-opt`` processes.

    Start-up (Python, xDSL, the dialect registry) is part of what a user waits
    for, so this is the cost of ``--aiv-rowsum`` as felt at the command line;
    the in-process benchmark above isolates the pass.
    """

    def _run(self, flags: list[str]) -> None:
        exe = Path(sys.executable).with_name("qkv-opt")
        subprocess.run(
            [str(exe), *flags, str(self.path), "-o", str(self.out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def _command(example: str, flags: list[str]) -> Benchmark:
    c = _Command(example, flags)
    return Benchmark(f"command qkv-opt {' '.join(flags)} {example}", c.ours, c.plain)


BENCHMARKS.append(_command("qwen3_14b_qkv_proj.mlir", ["--aiv-rowsum"]))


# --------------------------------------------------------------------------- #
# Driver
# --------------------------------------------------------------------------- #


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _medians(bench: Benchmark, runs: int) -> tuple[float, float]:
    """
    Median seconds of ``ours`` and of ``reference`` over ``runs`` calls each.

    The calls alternate, so that a busy spell of a shared machine slows both
    sides instead of skewing the ratio.
    """
    ours: list[float] = []
    reference: list[float] = []
    for _ in range(runs):
        ours.append(_seconds(bench.ours))
        reference.append(_seconds(bench.reference))
    return statistics.median(ours), statistics.median(reference)


def _check(bench: Benchmark) -> str:
    """For the interpreter benchmarks: does our result pass ratio_allclose against the golden?"""
    owner = getattr(bench.ours, "__self__", None)
    if not isinstance(owner, _Projection) or owner.result is None or owner.golden_result is None:
        return ""
    r = ratio_allclose(owner.result, owner.golden_result)
    return "pass" if r.passed else f"FAIL ({r.bad} bad of {r.numel})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("-k", metavar="TEXT", help="run only benchmarks whose name contains TEXT")
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"timed calls of each side (default {RUNS})"
    )
    args = parser.parse_args(argv)
    selected = [b for b in BENCHMARKS if args.k is None or args.k in b.name]
    rows: list[dict[str, Any]] = []
    checks: list[str] = []
    for bench in selected:
        if bench.setup is not None:
            bench.setup()
        # One untimed call each: imports, allocator and thread-pool warm-up.
        bench.ours()
        bench.reference()
        ours, reference = _medians(bench, args.runs)
        rows.append(
            {
                "name": bench.name,
                "ours_median_s": ours,
                "reference_median_s": reference,
                "ratio": ours / reference if reference > 0 else float("inf"),
            }
        )
        checks.append(_check(bench))
    notes = [
        f"interpreter benchmarks run {lowering_source()}",
        f"torch threads: {torch.get_num_threads()} for the golden, 1 inside the interpreter",
    ]
    if args.json:
        print(json.dumps({"benchmarks": rows, "notes": notes}, indent=2))
        return 0
    width = max([len(r["name"]) for r in rows] + [9])
    print(f"{'benchmark':<{width}}  {'ours (s)':>10}  {'reference (s)':>13}  {'ratio':>7}  check")
    for row, check in zip(rows, checks):
        print(
            f"{row['name']:<{width}}  {row['ours_median_s']:>10.4f}  "
            f"{row['reference_median_s']:>13.4f}  {row['ratio']:>7.2f}  {check}"
        )
    print(f"medians of {args.runs} runs; " + "; ".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
