"""
Run ``qkv-opt`` in-process on hostile input and classify what happened.

The contract every input must meet: exit 0, or exit 1 with an ``error:`` line;
never a Python traceback or an "internal error", never a hang (each run is
bounded by ``SIGALRM``), and never a partial ``-o`` file (on failure the output
file keeps its previous contents).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import tempfile
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from qkv_opt.tools import qkv_opt

ROOT = Path(__file__).resolve().parents[3]
REGRESSIONS = ROOT / "test" / "reliability" / "regressions"
SENTINEL = "// previous output, kept on failure\n"


class Hang(BaseException):
    """Raised by SIGALRM; a BaseException so the tool's guard cannot swallow it."""


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    output_after: str | None
    hung: bool = False

    def violations(self) -> list[str]:
        problems: list[str] = []
        if self.hung:
            problems.append("hang (time limit exceeded)")
            return problems
        if self.code not in (0, 1):
            problems.append(f"exit code {self.code}")
        if "Traceback" in self.stderr or "Traceback" in self.stdout:
            problems.append("Python traceback")
        if "internal error" in self.stderr:
            problems.append("internal error")
        if self.code == 1 and "error:" not in self.stderr:
            problems.append("exit 1 without an 'error:' line")
        if self.code != 0 and self.output_after != SENTINEL:
            problems.append("-o file changed although the run failed")
        if self.code == 0 and (self.output_after is None or self.output_after == SENTINEL):
            problems.append("-o file not written although the run succeeded")
        return problems


@contextlib.contextmanager
def time_limit(seconds: int) -> Generator[None]:
    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_qkv_opt(text: str | bytes, args: Sequence[str], timeout: int = 20) -> Outcome:
    """Run qkv-opt on ``text`` with ``args`` and ``-o`` into a file that holds a sentinel."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "input.mlir"
        src.write_bytes(text.encode() if isinstance(text, str) else text)
        out = Path(tmp) / "out.mlir"
        out.write_text(SENTINEL)
        stdout, stderr = io.StringIO(), io.StringIO()
        hung = False
        code = -1
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                with time_limit(timeout):
                    code = qkv_opt.main([str(src), *args, "-o", str(out)])
            except Hang:
                hung = True
            except SystemExit as e:  # argparse usage errors
                code = e.code if isinstance(e.code, int) else 2
        output_after = out.read_text() if out.exists() else None
        return Outcome(code, stdout.getvalue(), stderr.getvalue(), output_after, hung)


def save_regression(text: str | bytes, args: Sequence[str], problems: Sequence[str]) -> Path:
    """Keep a failing input as a regression case for test/reliability."""
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    data = text.encode() if isinstance(text, str) else text
    digest = f"{abs(hash(data)) % 10**10:010d}"
    path = REGRESSIONS / f"case-{digest}.mlir"
    header = f"// ARGS: {' '.join(args)}\n// FOUND: {'; '.join(problems)}\n".encode()
    path.write_bytes(header + data)
    return path


def fuzz_budget(default: int) -> int:
    """Examples per property: QKV_FUZZ_EXAMPLES overrides (the long local mode)."""
    return int(os.environ.get("QKV_FUZZ_EXAMPLES", default))
