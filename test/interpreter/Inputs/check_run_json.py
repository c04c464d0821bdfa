"""
Check one qkv-run --json object on stdin against the contract (DESIGN section 6)
and print it as short lines for FileCheck:

    entry=NAME passed=BOOL reference=yes|no ops=N seconds=ok
    arg I shape=[...] dtype=T numel=N passed=BOOL|None

A missing or mistyped field fails with a message (exit 1).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def fail(message: str) -> None:
    print(f"check_run_json: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    text = sys.stdin.read()
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        fail(f"expected one JSON object on one line, got {len(lines)} lines")
    data: dict[str, Any] = json.loads(lines[0])
    top = {"entry": str, "passed": bool, "args": list, "ops_executed": int, "seconds": float}
    for key, kind in top.items():
        if not isinstance(data.get(key), kind):
            fail(f"field {key!r} is missing or not {kind.__name__}: {data.get(key)!r}")
    compared = data.get("reference") is not None
    for i, arg in enumerate(data["args"]):
        if arg.get("index") != i:
            fail(f"args[{i}].index is {arg.get('index')!r}")
        for key, kind in {"shape": list, "dtype": str, "numel": int}.items():
            if not isinstance(arg.get(key), kind):
                fail(f"args[{i}].{key} is missing or not {kind.__name__}")
        for key, kind in {
            "max_abs_err": (float, int),
            "bad": int,
            "allowed": int,
            "passed": bool,
        }.items():
            if key not in arg:
                fail(f"args[{i}] has no {key!r}")
            value = arg[key]
            if not compared and value is not None:
                fail(f"args[{i}].{key} must be null without --reference, got {value!r}")
            if compared and key != "max_abs_err" and not isinstance(value, kind):
                fail(f"args[{i}].{key} must be {kind} with --reference, got {value!r}")
    if data["seconds"] <= 0:
        fail("seconds must be positive")
    print(
        f"entry={data['entry']} passed={data['passed']} reference={'yes' if compared else 'no'} "
        f"ops={data['ops_executed']} seconds=ok"
    )
    for arg in data["args"]:
        print(
            f"arg {arg['index']} shape={arg['shape']} dtype={arg['dtype']} numel={arg['numel']} "
            f"passed={arg['passed']}"
        )
    if "stats" in data:
        print("stats " + json.dumps(data["stats"]["per_unit"], sort_keys=True))


if __name__ == "__main__":
    main()
