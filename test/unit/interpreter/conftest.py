"""Helpers of the interpreter's unit tests: parse a snippet, run it on both executors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from qkv_opt.interpreter import RunStats, run_function
from qkv_opt.utils.source import parse_source, verify_module

Array = np.ndarray[Any, Any]


@pytest.fixture
def parse(ctx: Context) -> Callable[[str], ModuleOp]:
    """Parse and verify MLIR text (ops get locations in "test.mlir")."""

    def parse_text(text: str) -> ModuleOp:
        module = parse_source(ctx, text, "test.mlir")
        verify_module(module)
        return module

    return parse_text


def same_bits(a: Array, b: Array) -> bool:
    """Equal shapes, dtypes and bits; any two NaNs count as equal."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f" or a.dtype.name == "bfloat16":
        wide_a, wide_b = a.astype(np.float64), b.astype(np.float64)
        both_nan = np.isnan(wide_a) & np.isnan(wide_b)
        raw_a = a.view(np.uint8).reshape(*a.shape, -1)
        raw_b = b.view(np.uint8).reshape(*b.shape, -1)
        equal = np.all(raw_a == raw_b, axis=-1)
        return bool(np.all(equal | both_nan))
    return bool(np.array_equal(a, b))


RunBoth = Callable[[ModuleOp, str, Sequence[Array]], list[Array]]


def _run_both(module: ModuleOp, entry: str, args: Sequence[Array]) -> list[Array]:
    """
    Run ``@entry`` on the reference and the fast executor; assert the same bits and
    the same op and byte counts; return the outputs.
    """
    ref_stats, fast_stats = RunStats(), RunStats()
    ref = run_function(module, entry, args, executor="reference", stats=ref_stats)
    fast = run_function(module, entry, args, stats=fast_stats)
    for i, (r, f) in enumerate(zip(ref, fast, strict=True)):
        assert same_bits(r, f), f"argument #{i} differs between the executors"
    assert ref_stats.as_json() == fast_stats.as_json()
    return fast


@pytest.fixture
def run_both() -> RunBoth:
    """``run_both(module, entry, args)``: both executors, same bits asserted."""
    return _run_both


@pytest.fixture
def bits_equal() -> Callable[[Array, Array], bool]:
    """``same_bits`` as a fixture (test modules do not import each other)."""
    return same_bits
