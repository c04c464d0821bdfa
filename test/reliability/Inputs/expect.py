"""
Run a command and check the tools' exit contract; print what it said for FileCheck.

    expect.py CODE [--stdin FILE] -- CMD ARGS...

Prints ``exit N`` and then the command's stderr.  Exits 1 (failing the RUN line)
when the exit code is not CODE, when the output holds a Python traceback or an
"internal error", or when a failure (exit 1 or 2) printed no ``error:`` line.
lit's ``not`` cannot tell a traceback's exit 1 from a diagnostic's; this can.
"""

from __future__ import annotations

import subprocess
import sys


def main(argv: list[str]) -> int:
    expected = int(argv[0])
    rest = argv[1:]
    stdin_path = None
    if rest[:1] == ["--stdin"]:
        stdin_path, rest = rest[1], rest[2:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    if stdin_path is None:
        proc = subprocess.run(rest, capture_output=True, timeout=600, check=False)
    else:
        with open(stdin_path, "rb") as stdin:
            proc = subprocess.run(rest, stdin=stdin, capture_output=True, timeout=600, check=False)
    stderr = proc.stderr.decode("utf-8", "replace")
    stdout = proc.stdout.decode("utf-8", "replace")
    print(f"exit {proc.returncode}")
    sys.stdout.write(stderr)
    problems: list[str] = []
    if proc.returncode != expected:
        problems.append(f"exit code {proc.returncode}, expected {expected}")
    if "Traceback" in stderr or "Traceback" in stdout:
        problems.append("a Python traceback")
    if "internal error" in stderr:
        problems.append("an internal error")
    if proc.returncode in (1, 2) and "error:" not in stderr:
        problems.append(f"exit {proc.returncode} without an 'error:' line")
    for problem in problems:
        print(f"expect.py: {problem}: {' '.join(rest)}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
