"""
Print a deeply nested MLIR program (generated, so no MB-sized file is committed).

    nest.py for DEPTH     DEPTH nested scf.for loops in a function (valid IR)
    nest.py module DEPTH  DEPTH nested builtin.module ops on one line (valid IR)
    nest.py array DEPTH   an attribute of DEPTH nested arrays (valid IR)
"""

from __future__ import annotations

import sys


def main(kind: str, depth: int) -> str:
    if kind == "for":
        lines = [
            "func.func @deep(%x: memref<4xf32>) {",
            "  %c0 = arith.constant 0 : index",
            "  %c1 = arith.constant 1 : index",
        ]
        lines += [f"  scf.for %i{d} = %c0 to %c1 step %c1 {{" for d in range(depth)]
        lines += ["    %v = memref.load %x[%c0] : memref<4xf32>"]
        lines += ["  }"] * depth
        lines += ["  return", "}"]
        return "\n".join(lines)
    if kind == "module":
        return "builtin.module {" * depth + "}" * depth
    if kind == "array":
        return "func.func @deep() attributes {a = " + "[" * depth + "]" * depth + "} {\n  return\n}"
    raise SystemExit(f"unknown kind {kind!r}")


if __name__ == "__main__":
    print(main(sys.argv[1], int(sys.argv[2])))
