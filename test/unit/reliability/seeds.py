"""
Valid inputs the fuzzers mutate: the examples, the tile round-trip file, and the
tile IR the two lowerings print for them (generated at test time, so the seeds
follow the passes), plus small lowered programs with their unlowered reference
for qkv-run.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from qkv_opt import api

from .harness import ROOT

SOURCE_FILES = [
    ROOT / "examples" / "qwen3_14b_kv_proj.mlir",
    ROOT / "examples" / "qwen3_14b_qkv_proj.mlir",
    ROOT / "examples" / "qwen3_14b_kv_proj_b16.mlir",
    ROOT / "test" / "dialects" / "tile" / "roundtrip.mlir",
]

LOWERINGS = [
    ("qwen3_14b_kv_proj.mlir", "aiv-rowsum", False),
    ("qwen3_14b_kv_proj.mlir", "cube-matmul", False),
    ("qwen3_14b_qkv_proj.mlir", "aiv-rowsum,cube-matmul", False),
    ("qwen3_14b_kv_proj_b16.mlir", "aiv-rowsum{nv=32 kc=512}", False),
    ("qwen3_14b_kv_proj_b16.mlir", "cube-matmul{tn=128 tk=128 k-slice=512}", True),
]
"""(example, pipeline, print generic): the lowered tile IR seeds."""


def _lowered(text: str, pipeline: str, generic: bool = False) -> str:
    module = api.parse_module(text)
    api.run_pipeline(module, pipeline)
    return api.print_module(module, generic=generic)


@functools.cache
def source_seeds() -> list[str]:
    return [p.read_text() for p in SOURCE_FILES]


@functools.cache
def lowered_seeds() -> list[str]:
    """``qkv-opt --aiv-rowsum`` / ``--cube-matmul`` output on the examples."""
    return [
        _lowered((ROOT / "examples" / name).read_text(), pipeline, generic)
        for name, pipeline, generic in LOWERINGS
    ]


def _proj(m: int, k: int, n: int, dtype: str, fill: float | None = None) -> str:
    x, w, y = f"memref<{m}x{k}x{dtype}>", f"memref<{k}x{n}x{dtype}>", f"memref<{m}x{n}xf32>"
    body = ""
    if fill is not None:
        body += f"  %cst = arith.constant {fill!r} : f32\n"
        body += f"  linalg.fill ins(%cst : f32) outs(%y : {y})\n"
    body += f"  linalg.matmul ins(%x, %w : {x}, {w}) outs(%y : {y})\n"
    return f"func.func @proj(%x: {x}, %w: {w}, %y: {y}) {{\n{body}  return\n}}\n"


@dataclass(frozen=True)
class RunSeed:
    """A small lowered program and the unlowered input it must agree with."""

    program: str
    reference: str
    what: str


RUN_SHAPES = [
    # (m, k, n, dtype, fill, pipeline): every lowered form, kept small (< 100 KB of
    # data) so that each mutated program runs in milliseconds.
    (1, 64, 32, "bf16", None, "aiv-rowsum"),
    (4, 96, 48, "f32", 0.0, "aiv-rowsum"),
    (1, 80, 40, "f32", None, "aiv-rowsum{kc=32}"),
    (3, 200, 40, "bf16", None, "cube-matmul{tk=64 k-slice=128}"),
    (2, 64, 32, "f16", 0.0, "cube-matmul"),
]


@functools.cache
def run_seeds() -> list[RunSeed]:
    seeds: list[RunSeed] = []
    for m, k, n, dtype, fill, pipeline in RUN_SHAPES:
        reference = _proj(m, k, n, dtype, fill)
        seeds.append(
            RunSeed(_lowered(reference, pipeline), reference, f"{m}x{k}x{n} {dtype} {pipeline}")
        )
    return seeds


TOKEN = re.compile(r"%[\w.]+|@[\w.]+|![\w.]+|#[\w.]+|\d+|[A-Za-z_][\w.]*|\S")
"""What a token substitution replaces: SSA names, symbols, types, numbers, words, punctuation."""


@functools.cache
def vocabulary() -> list[str]:
    """Tokens a substitution may write: every token of the seeds, and some hostile ones."""
    texts = [*source_seeds(), *lowered_seeds(), *(s.program for s in run_seeds())]
    words = sorted({t for text in texts for t in TOKEN.findall(text)})
    hostile = ["0", "-1", "99999999999", "f99", "x", "<", ">", "{", "}", "(", ")", ",", ":", "="]
    hostile += ["?", "index", "i1", "f64", "l0c", "gm", "col_major", "atomic", "\x00"]
    return [*words, *hostile]
