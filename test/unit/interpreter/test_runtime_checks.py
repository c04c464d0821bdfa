"""
Run-time checks: each stops the run with a located error naming the op and the
indices, the same on both executors.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

from qkv_opt.interpreter import Executor, MemoryBudget, resolve_entry, run_function, seeded_inputs
from qkv_opt.utils.diagnostics import DiagnosticError, render

Array = np.ndarray[Any, Any]
Parse = Callable[[str], ModuleOp]

PROGRAMS = """
func.func @oob_load(%x: memref<4x64xf32>, %y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c56 = arith.constant 56 : index
  %t = tile.load %x[%c0, %c56] : memref<4x64xf32> -> !tile.tile<4x16xf32, ub>
  tile.store %t, %y[%c0, %c0] : !tile.tile<4x16xf32, ub> -> memref<4x64xf32>
  return
}
func.func @oob_valid_store(%x: memref<4x64xf32>, %y: memref<2x64xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  %t = tile.load %x[%c0, %c0] : memref<4x64xf32> -> !tile.tile<4x16xf32, ub>
  tile.store %t, %y[%c0, %c0] valid(%c3, %c16) : !tile.tile<4x16xf32, ub> -> memref<2x64xf32>
  return
}
func.func @valid_beyond_tile(%x: memref<4x64xf32>, %y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c17 = arith.constant 17 : index
  %c1 = arith.constant 1 : index
  %t = tile.load %x[%c0, %c0] valid(%c1, %c17) : memref<4x64xf32> -> !tile.tile<4x16xf32, ub>
  tile.store %t, %y[%c0, %c0] : !tile.tile<4x16xf32, ub> -> memref<4x64xf32>
  return
}
func.func @negative_offset(%x: memref<4x64xf32>, %y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %m1 = arith.constant -1 : index
  %t = tile.load %x[%m1, %c0] : memref<4x64xf32> -> !tile.tile<2x16xf32, ub>
  tile.store %t, %y[%c0, %c0] : !tile.tile<2x16xf32, ub> -> memref<4x64xf32>
  return
}
func.func @in_parallel(%x: memref<4x64xf32>, %y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c72 = arith.constant 72 : index
  scf.parallel (%n0) = (%c0) to (%c72) step (%c8) {
    tile.task vector "t" {
      %t = tile.load %x[%c0, %n0] : memref<4x64xf32> -> !tile.tile<4x8xf32, ub>
      tile.store %t, %y[%c0, %n0] : !tile.tile<4x8xf32, ub> -> memref<4x64xf32>
    }
    scf.reduce
  }
  return
}
func.func @uninitialised(%y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %buf = memref.alloc() : memref<4x64xf32>
  %v = arith.constant 1.0 : f32
  memref.store %v, %buf[%c0, %c0] : memref<4x64xf32>
  %t = tile.load %buf[%c0, %c0] : memref<4x64xf32> -> !tile.tile<4x8xf32, ub>
  tile.store %t, %y[%c0, %c0] : !tile.tile<4x8xf32, ub> -> memref<4x64xf32>
  return
}
func.func @memref_oob(%y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %v = memref.load %y[%c0, %c64] : memref<4x64xf32>
  return
}
func.func @extract_oob(%x: memref<4x64xf32>, %y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %t = tile.load %x[%c0, %c0] : memref<4x64xf32> -> !tile.tile<4x16xf32, ub>
  %e = tile.extract %t[%c3, %c0] : !tile.tile<4x16xf32, ub> -> !tile.tile<2x16xf32, ub>
  return
}
func.func @divide_by_zero(%y: memref<1xindex>) {
  %c0 = arith.constant 0 : index
  %c5 = arith.constant 5 : index
  %q = arith.divsi %c5, %c0 : index
  memref.store %q, %y[%c0] : memref<1xindex>
  return
}
func.func @zero_step(%y: memref<1xindex>) {
  %c0 = arith.constant 0 : index
  %c5 = arith.constant 5 : index
  scf.for %i = %c0 to %c5 step %c0 {
  }
  return
}
func.func @big_alloc(%y: memref<1xf32>) {
  %buf = memref.alloc() : memref<100000x100000xf32>
  return
}
"""

CASES = [
    # (entry, text on the failing op's line, what the error must say)
    (
        "oob_load",
        "tile.load %x[%c0, %c56]",
        r"'tile.load' op reads rows 0..3 x columns 56..71 of %x \(argument #0, memref<4x64xf32>\) \(offsets \[0, 56\], extent 4x16\): column 71 is past the last column 63",
    ),
    (
        "oob_valid_store",
        "valid(%c3, %c16)",
        r"'tile.store' op writes rows 0..2 x columns 0..15 of %y .*: row 2 is past the last row 1",
    ),
    ("valid_beyond_tile", "valid(%c1, %c17)", r"valid\(1, 17\) is outside the 4x16 tile"),
    (
        "negative_offset",
        "%x[%m1, %c0]",
        r"rows -1..0 x columns 0..15 .*offsets must not be negative",
    ),
    ("in_parallel", "tile.load %x[%c0, %n0]", r"columns 64..71 of %x"),
    (
        "uninitialised",
        "tile.load %buf",
        r"reads element \[0, 1\] of the memref.alloc at test.mlir:47:10 .* before anything was stored there",
    ),
    (
        "memref_oob",
        "memref.load %y[%c0, %c64]",
        r"'memref.load' op reads element \[0, 64\] of %y .*: index 64 along axis 1 is outside 0..63",
    ),
    (
        "extract_oob",
        "tile.extract %t[%c3, %c0]",
        r"'tile.extract' op extracts a 2x16 block at \[3, 0\] of a 4x16 tile",
    ),
    ("divide_by_zero", "arith.divsi", r"'arith.divsi' op divides by zero"),
    ("zero_step", "step %c0 {", r"'scf.for' op step is 0"),
    (
        "big_alloc",
        "memref.alloc() : memref<100000x100000xf32>",
        r"allocating memref<100000x100000xf32>: 40,000,000,000 B .* needed, more than",
    ),
]


def _line_of(text: str) -> int:
    lines = PROGRAMS.splitlines()
    (index,) = [i for i, line in enumerate(lines) if text in line]
    return index + 1


def _error(
    module: ModuleOp, entry: str, executor: Executor, budget: MemoryBudget | None = None
) -> str:
    fn = resolve_entry(module, entry)
    args = seeded_inputs(fn, 0)
    with pytest.raises(DiagnosticError) as info:
        run_function(module, entry, args, executor=executor, budget=budget)
    return "\n".join(render(d, None) for d in info.value.diagnostics)


@pytest.mark.parametrize(("entry", "marker", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_check_stops_the_run_located(parse: Parse, entry: str, marker: str, pattern: str) -> None:
    module = parse(PROGRAMS)
    budget = MemoryBudget(1 << 30)
    reference = _error(module, entry, "reference", budget)
    fast = _error(module, entry, "fast", MemoryBudget(1 << 30))
    assert reference == fast
    first = reference.splitlines()[0]
    assert first.startswith(f"test.mlir:{_line_of(marker)}:")
    assert ": error: " in first
    assert re.search(pattern, first), first


def test_parallel_error_names_the_iteration(parse: Parse) -> None:
    text = _error(parse(PROGRAMS), "in_parallel", "fast")
    assert text.splitlines()[1] == "note: in the iteration where %n0 = 64"


def test_arguments_are_checked(parse: Parse) -> None:
    module = parse(PROGRAMS)
    x = np.zeros((4, 64), np.float32)
    with pytest.raises(DiagnosticError, match=r"@oob_load takes 2 arguments, got 1 arrays"):
        run_function(module, "oob_load", [x])
    with pytest.raises(
        DiagnosticError,
        match=r"argument #1 \(%y\) of @oob_load is memref<4x64xf32>: it needs an array of "
        r"shape \(4, 64\) and dtype float32, got shape \(64, 4\) and dtype float32",
    ):
        run_function(module, "oob_load", [x, np.zeros((64, 4), np.float32)])
    with pytest.raises(DiagnosticError, match=r"got shape \(4, 64\) and dtype bfloat16"):
        run_function(module, "oob_load", [x, np.zeros((4, 64), ml_dtypes.bfloat16)])
    with pytest.raises(
        DiagnosticError, match=r"no function @nope to run \(public functions: @oob_load"
    ):
        run_function(module, "nope", [x])


def test_an_input_beyond_the_budget_is_refused_before_allocating(parse: Parse) -> None:
    module = parse("func.func @huge(%x: memref<100000x1000000xf32>) {\n  return\n}\n")
    fn = resolve_entry(module, "huge")
    start = time.perf_counter()
    with pytest.raises(DiagnosticError) as info:
        seeded_inputs(fn, 0, budget=MemoryBudget(8 << 30, "an 8 GiB budget"))
    assert time.perf_counter() - start < 5  # nothing of 400 GB was touched
    text = render(info.value.diagnostics[0], None)
    assert text.startswith("test.mlir:1:1: error:")
    assert "400,000,000,000 B" in text
    assert "more than an 8 GiB budget of 8,589,934,592 B" in text


def test_unsupported_ops_fail_before_running(parse: Parse) -> None:
    module = parse(
        """
func.func @f(%y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %v = arith.constant dense<1.0> : vector<4xf32>
  return
}
"""
    )
    with pytest.raises(DiagnosticError, match=r"type vector<4xf32>; the interpreter holds"):
        run_function(module, "f", [np.zeros(4, np.float32)])


def test_a_tile_beyond_the_budget_fails_before_running(parse: Parse) -> None:
    module = parse(
        """
func.func @f(%y: memref<1x16xf32>) {
  %t = tile.full 0.0 : !tile.tile<100000x100000xf32, ub>
  return
}
"""
    )
    with pytest.raises(DiagnosticError) as info:
        run_function(module, "f", [np.zeros((1, 16), np.float32)], budget=MemoryBudget(1 << 30))
    text = render(info.value.diagnostics[0], None)
    assert text.startswith("test.mlir:3:8: error: 'tile.full' op makes a")
    assert "40,000,000,000 B" in text
