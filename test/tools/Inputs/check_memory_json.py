"""
Validate ``qkv-opt --memory-report=json`` against the schema of docs/memory-plan.md.

Reads the report on stdin, checks every documented key and its type, and prints a
short summary for FileCheck.  Any missing key or wrong type exits 1.
"""

import json
import sys
from typing import Any

SPACES = ("ub", "l1", "l0a", "l0b", "l0c")


def need(obj: dict[str, Any], key: str, kind: type) -> Any:
    if key not in obj:
        sys.exit(f"missing key '{key}' in {sorted(obj)}")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        sys.exit(f"key '{key}' is {type(value).__name__}, expected {kind}")
    return value


def main() -> None:
    doc = json.load(sys.stdin)
    need(doc, "schema", int)
    need(doc, "target", str)
    for table in ("capacity", "alignment"):
        t = need(doc, table, dict)
        for s in SPACES:
            need(t, s, int)
    need(doc, "fits", bool)
    tasks = need(doc, "tasks", list)
    print(f"schema {doc['schema']} target {doc['target']} fits {doc['fits']} tasks {len(tasks)}")
    for task in tasks:
        need(task, "name", str)
        need(task, "unit", str)
        if task.get("loc") is not None:
            need(task, "loc", str)
        need(task, "fits", bool)
        points = need(task, "points", list)
        for p in points:
            need(p, "point", int)
            need(p, "op", str)
            need(p, "loop_end", bool)
        print(f"task {task['name']} {task['unit']} fits {task['fits']}")
        for space, info in need(task, "spaces", dict).items():
            for key in ("peak", "peak_point", "capacity", "live_bytes_at_peak"):
                need(info, key, int)
            need(info, "fits", bool)
            live = need(info, "live_at_peak", list)
            if not 0 <= info["peak_point"] < len(points):
                sys.exit(f"peak_point {info['peak_point']} is not a program point")
            print(
                f"{space} peak {info['peak']} point {info['peak_point']} "
                f"capacity {info['capacity']} live {live}"
            )
        for b in need(task, "buffers", list):
            for key in ("name", "kind", "space", "type", "op"):
                need(b, key, str)
            for key in ("offset", "size", "footprint", "first", "last"):
                need(b, key, int)
            values = need(b, "values", list)
            if b["space"] not in SPACES or b["kind"] not in ("tile", "scratch"):
                sys.exit(f"bad buffer {b}")
            if b["offset"] % doc["alignment"][b["space"]]:
                sys.exit(f"misaligned buffer {b}")
            if not 0 <= b["first"] <= b["last"] < len(points):
                sys.exit(f"bad live range {b}")
            print(
                f"buffer {b['name']} {b['kind']} {b['space']} offset {b['offset']} "
                f"size {b['size']} live {b['first']}..{b['last']} values {values}"
            )


main()
