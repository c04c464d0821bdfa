"""
Run ``qkv-opt`` and ``qkv-run`` on hostile input and classify what happened.

The contract every input must meet: exit 0, or exit 1 with an ``error:`` line;
never a Python traceback or an "internal error", never a hang, never a crash,
and never a partial ``-o`` file (on failure the output file keeps its previous
contents).

The tools run in a worker process (spawned once, then reused: a run costs
about a millisecond more than in-process), because a hang can sit in C code
that holds the GIL (one did: a regular expression of xDSL's lexer) where no
signal or thread of this process can stop it.  A run that outlives its time
limit kills the worker (a new one takes its place) and counts as a hang; a
worker that dies counts as a crash.

Budgets come from the environment (test/reliability/README.md):
``QKV_FUZZ_EXAMPLES`` (examples per property), ``QKV_FUZZ_RANDOM=1`` (a fresh
random seed instead of the derandomized CI run), ``QKV_FUZZ_TIMEOUT`` (seconds
per run, default 30).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
REGRESSIONS = ROOT / "test" / "reliability" / "Inputs" / "regressions"
"""Inputs that once broke the contract; test/reliability/fuzz-regressions.test replays them."""
SENTINEL = "// previous output, kept on failure\n"
REFERENCE = "{reference}"
"""Stands for the reference file in the saved arguments of a qkv-run case."""


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    output_after: str | None
    hung: bool = False
    writes_output: bool = True
    """Whether the run had ``-o`` (qkv-opt), whose file is then checked."""
    crashed: bool = False

    def violations(self) -> list[str]:
        problems: list[str] = []
        if self.hung:
            return ["hang (time limit exceeded)"]
        if self.crashed:
            return [f"crash (the process died, exit {self.code})"]
        if self.code not in (0, 1):
            problems.append(f"exit code {self.code}")
        if "Traceback" in self.stderr or "Traceback" in self.stdout:
            problems.append("Python traceback")
        if "internal error" in self.stderr:
            problems.append("internal error")
        if self.code == 1 and "error:" not in self.stderr:
            problems.append("exit 1 without an 'error:' line")
        if not self.writes_output:
            return problems
        if self.code != 0 and self.output_after != SENTINEL:
            problems.append("-o file changed although the run failed")
        if self.code == 0 and (self.output_after is None or self.output_after == SENTINEL):
            problems.append("-o file not written although the run succeeded")
        return problems


def default_timeout() -> int:
    return int(os.environ.get("QKV_FUZZ_TIMEOUT", "30"))


# --------------------------------------------------------------------------- #
# The worker process
# --------------------------------------------------------------------------- #


def _tool_main(tool: str) -> Callable[[Sequence[str]], int]:
    from qkv_opt.tools import qkv_opt, qkv_run

    return {"qkv-opt": qkv_opt.main, "qkv-run": qkv_run.main}[tool]


def _capture(tool: str, argv: Sequence[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of a tool's ``main``, run in this process."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = _tool_main(tool)(argv)
        except SystemExit as e:  # argparse usage errors
            code = e.code if isinstance(e.code, int) else 2
    return code, stdout.getvalue(), stderr.getvalue()


def serve(job_fd: int, result_fd: int) -> None:
    """The worker's loop: run each ``(job name, args)`` it reads, write back the result."""
    from . import jobs

    known: dict[str, Callable[..., Any]] = {"tool": _capture, **jobs.JOBS}
    inbox, outbox = Connection(job_fd, writable=False), Connection(result_fd, readable=False)
    while True:
        try:
            name, args = inbox.recv()
        except EOFError:  # the parent is gone
            return
        outbox.send(known[name](*args))


_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from reliability.harness import serve; serve(int(sys.argv[2]), int(sys.argv[3]))"
)


class _Worker:
    """
    A Python process that runs jobs for this one, started on first use.

    A plain subprocess (not multiprocessing's spawn, which re-imports the
    parent's ``__main__``) talking pickles over two pipes of its own, so
    nothing a tool prints can garble them.
    """

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._jobs: Connection | None = None
        self._results: Connection | None = None

    def _start(self) -> tuple[subprocess.Popen[bytes], Connection, Connection]:
        if self._proc is None or self._jobs is None or self._results is None:
            job_r, job_w = os.pipe()
            result_r, result_w = os.pipe()
            unit = str(Path(__file__).resolve().parents[1])
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, unit, str(job_r), str(result_w)],
                pass_fds=(job_r, result_w),
                stdin=subprocess.DEVNULL,
            )
            os.close(job_r)
            os.close(result_w)
            self._jobs = Connection(job_w, readable=False)
            self._results = Connection(result_r, writable=False)
        return self._proc, self._jobs, self._results

    def _stop(self) -> int:
        proc, self._proc = self._proc, None
        for conn in (self._jobs, self._results):
            if conn is not None:
                conn.close()
        self._jobs = self._results = None
        if proc is None:
            return -1
        proc.kill()
        return proc.wait()

    def call(self, name: str, args: tuple[Any, ...], timeout: int) -> tuple[str, Any]:
        """``("ok", result)``, ``("hang", None)`` or ``("crash", exit code)``."""
        proc, jobs, results = self._start()
        try:
            jobs.send((name, args))
            if not results.poll(timeout):
                self._stop()
                return "hang", None
            return "ok", results.recv()
        except (EOFError, OSError):
            proc.wait(5)
            code = proc.returncode if proc.returncode is not None else -1
            self._stop()
            return "crash", code


_worker = _Worker()


def run_job(name: str, *args: Any, timeout: int | None = None) -> tuple[str, Any]:
    """Run ``jobs.JOBS[name](*args)`` in the worker: see ``_Worker.call``."""
    return _worker.call(name, args, timeout or default_timeout())


def _run_main(tool: str, argv: Sequence[str], timeout: int) -> tuple[int, str, str, str]:
    """(exit code, stdout, stderr, "ok" | "hang" | "crash") of a tool run in the worker."""
    status, result = _worker.call("tool", (tool, list(argv)), timeout)
    if status == "ok":
        code, stdout, stderr = result
        return code, stdout, stderr, status
    return (result if isinstance(result, int) else -1), "", "", status


def _data(text: str | bytes) -> bytes:
    return text.encode() if isinstance(text, str) else text


def run_qkv_opt(text: str | bytes, args: Sequence[str], timeout: int | None = None) -> Outcome:
    """Run qkv-opt on ``text`` with ``args`` and ``-o`` into a file that holds a sentinel."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "input.mlir"
        src.write_bytes(_data(text))
        out = Path(tmp) / "out.mlir"
        out.write_text(SENTINEL)
        code, stdout, stderr, status = _run_main(
            "qkv-opt", [str(src), *args, "-o", str(out)], timeout or default_timeout()
        )
        output_after = out.read_text() if out.exists() else None
        leftovers = [
            p.name for p in Path(tmp).iterdir() if p.name not in ("input.mlir", "out.mlir")
        ]
        if leftovers:
            stderr += f"\n(harness) temporary files left behind: {leftovers}"
            output_after = None
        return Outcome(
            code,
            stdout,
            stderr,
            output_after,
            hung=status == "hang",
            crashed=status == "crash",
        )


def run_qkv_run(
    text: str | bytes,
    args: Sequence[str],
    reference: str | None = None,
    timeout: int | None = None,
) -> Outcome:
    """
    Run qkv-run on ``text`` with ``args``.

    With a ``reference`` text, ``args`` may name it as ``REFERENCE`` (``{reference}``).
    """
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "input.mlir"
        src.write_bytes(_data(text))
        argv = [str(src), *args]
        if reference is not None:
            ref = Path(tmp) / "reference.mlir"
            ref.write_text(reference)
            argv = [str(ref) if a == REFERENCE else a for a in argv]
        code, stdout, stderr, status = _run_main("qkv-run", argv, timeout or default_timeout())
        return Outcome(
            code,
            stdout,
            stderr,
            None,
            hung=status == "hang",
            writes_output=False,
            crashed=status == "crash",
        )


def save_regression(
    text: str | bytes,
    args: Sequence[str],
    problems: Sequence[str],
    tool: str = "qkv-opt",
    reference: str | None = None,
) -> Path:
    """
    Keep a failing input as a regression case for test/reliability.

    The file starts with ``// TOOL:``, ``// ARGS:`` and ``// FOUND:`` lines (the
    replay reads them); a qkv-run reference goes beside it as ``<case>.ref.mlir``.
    """
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    data = _data(text)
    digest = hashlib.sha256(data + " ".join(args).encode()).hexdigest()[:12]
    path = REGRESSIONS / f"case-{digest}.mlir"
    header = (
        f"// TOOL: {tool}\n// ARGS: {' '.join(args)}\n// FOUND: {'; '.join(problems)}\n"
    ).encode()
    path.write_bytes(header + data)
    if reference is not None:
        path.with_suffix(".ref.mlir").write_text(reference)
    return path


@dataclass(frozen=True)
class RegressionCase:
    path: Path
    tool: str
    args: list[str]
    found: str
    reference: str | None


def regression_cases() -> list[RegressionCase]:
    """Every saved regression input with its header parsed (files without one fail)."""
    cases: list[RegressionCase] = []
    for path in sorted(REGRESSIONS.glob("*.mlir")):
        if path.name.endswith(".ref.mlir"):
            continue
        head = path.read_bytes().split(b"\n", 3)[:3]
        fields = dict(line.decode(errors="replace")[3:].split(": ", 1) for line in head)
        if set(fields) != {"TOOL", "ARGS", "FOUND"}:
            raise ValueError(f"{path}: needs // TOOL:, // ARGS: and // FOUND: header lines")
        ref = path.with_suffix(".ref.mlir")
        cases.append(
            RegressionCase(
                path,
                fields["TOOL"],
                fields["ARGS"].split(),
                fields["FOUND"],
                ref.read_text() if ref.exists() else None,
            )
        )
    return cases


def replay(case: RegressionCase) -> Outcome:
    """Run a saved case again (its header lines are comments: the input is unchanged)."""
    data = case.path.read_bytes()
    if case.tool == "qkv-run":
        return run_qkv_run(data, case.args, case.reference)
    return run_qkv_opt(data, case.args)


def fuzz_budget(default: int) -> int:
    """Examples per property: QKV_FUZZ_EXAMPLES overrides (the long local mode)."""
    return int(os.environ.get("QKV_FUZZ_EXAMPLES", default))
