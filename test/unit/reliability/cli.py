"""
The lit suite's entry to the fuzzing harness (test/reliability/*.test).

    python -m reliability.cli truncations FILE STEP [QKV-OPT ARGS...]
    python -m reliability.cli replay

``truncations`` cuts a valid input at every line end and every STEP-th byte and
runs qkv-opt (with ``-o`` into a file holding a sentinel) on every prefix;
``replay`` runs every saved regression (test/reliability/Inputs/regressions)
again.  Both hold each run to the contract of ``harness.Outcome.violations``,
print one summary line and each run that broke it, and exit 1 if any did.
test/reliability/lit.local.cfg spells this command ``%reliability``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .harness import regression_cases, replay, run_qkv_opt


def truncations(argv: list[str]) -> int:
    path, step, args = Path(argv[0]), int(argv[1]), argv[2:]
    data = path.read_bytes()
    cuts = {i + 1 for i, b in enumerate(data) if b == ord("\n")}
    cuts |= set(range(0, len(data), step))
    cuts.discard(len(data))
    accepted = rejected = 0
    broken: list[str] = []
    for cut in sorted(cuts):
        outcome = run_qkv_opt(data[:cut], args)
        problems = outcome.violations()
        if problems:
            broken.append(f"prefix of {cut} bytes: {', '.join(problems)}\n{outcome.stderr}")
        elif outcome.code == 0:
            accepted += 1
        else:
            rejected += 1
    print(
        f"{len(cuts)} prefixes of {path.name}: {accepted} accepted, {rejected} rejected "
        f"with an error, {len(broken)} broke the contract"
    )
    for problem in broken:
        print(problem)
    return 1 if broken else 0


def replay_all() -> int:
    cases = regression_cases()
    broken: list[str] = []
    for case in cases:
        problems = replay(case).violations()
        if problems:
            broken.append(f"{case.path.name} ({case.found}): {', '.join(problems)}")
    tools = sorted({c.tool for c in cases})
    print(
        f"{len(cases)} regression inputs replayed ({', '.join(tools)}), "
        f"{len(broken)} broke the contract"
    )
    for line in broken:
        print(line)
    return 1 if broken else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["truncations"] and len(argv) >= 3:
        return truncations(argv[1:])
    if argv == ["replay"]:
        return replay_all()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
