"""Seeded inputs: standard normals in each argument's type, reproducible."""

from __future__ import annotations

from collections.abc import Callable

import ml_dtypes
import numpy as np
from xdsl.dialects.builtin import ModuleOp

from qkv_opt.interpreter import resolve_entry, seeded_inputs

Parse = Callable[[str], ModuleOp]

PROGRAM = """
func.func @f(%x: memref<64x64xbf16>, %i: memref<8xi32>, %d: memref<4xf64>, %y: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<64x64xbf16> -> !tile.tile<64x64xbf16, ub>
  %f = tile.cast %t : !tile.tile<64x64xbf16, ub> -> !tile.tile<64x64xf32, ub>
  tile.store %f, %y[%c0, %c0] : !tile.tile<64x64xf32, ub> -> memref<64x64xf32>
  return
}
"""


def test_same_seed_same_arrays_other_seed_other_arrays(parse: Parse) -> None:
    fn = resolve_entry(parse(PROGRAM), "f")
    a, b, c = seeded_inputs(fn, 3), seeded_inputs(fn, 3), seeded_inputs(fn, 4)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype
        assert np.array_equal(x.view(np.uint8), y.view(np.uint8))
    assert not np.array_equal(a[3], c[3])


def test_dtypes_shapes_and_standard_normal_values(parse: Parse) -> None:
    fn = resolve_entry(parse(PROGRAM), "f")
    x, i, d, y = seeded_inputs(fn, 0)
    assert (x.dtype, x.shape) == (np.dtype(ml_dtypes.bfloat16), (64, 64))
    assert (i.dtype, d.dtype, y.dtype) == (np.int32, np.float64, np.float32)
    wide = x.astype(np.float64)
    assert abs(float(wide.mean())) < 0.1
    assert 0.9 < float(wide.std()) < 1.1
    # bf16 values are f32 normals rounded to nearest even, not truncated.
    assert np.array_equal(
        x.astype(np.float32).astype(ml_dtypes.bfloat16).view(np.uint16), x.view(np.uint16)
    )


def test_init_zeros_zeroes_only_what_the_function_writes(parse: Parse) -> None:
    fn = resolve_entry(parse(PROGRAM), "f")
    random = seeded_inputs(fn, 1)
    zeros = seeded_inputs(fn, 1, "zeros")
    assert not zeros[3].any()
    assert random[3].any()
    for k in range(3):  # read-only arguments keep the values of the random mode
        assert np.array_equal(zeros[k].view(np.uint8), random[k].view(np.uint8))
