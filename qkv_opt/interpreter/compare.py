"""
``ratio_allclose``: the golden comparison of the reference harness.

Exactly pypto-lib's ``golden/validation.py`` ``ratio_allclose`` (F3): both
arrays are converted to fp32 and compared in fp32,
``tol = atol + rtol * |expected|``; an element is bad if
``|actual - expected| > tol``; the comparison passes iff
``bad <= round(max_error_ratio * numel)`` (Python's ``round``: halves go to the
even integer) and neither array holds a NaN or an Inf.

The harness computes with torch; numpy's fp32 subtract, abs, multiply, add and
compare are the same IEEE operations (torch too rounds the Python scalars atol
and rtol to fp32 before it multiplies and adds), so the counts are identical,
which the unit tests check against a transcription of the torch code.  Doing
it in numpy keeps torch out of a run that does not need it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CompareResult", "ratio_allclose"]


@dataclass(frozen=True)
class CompareResult:
    """The outcome for one array."""

    numel: int
    max_abs_err: float
    """Largest ``|actual - expected|`` in fp32 (NaN when a NaN was compared)."""
    bad: int
    """Elements with ``|actual - expected| > atol + rtol * |expected|``."""
    allowed: int
    """``round(max_error_ratio * numel)``."""
    passed: bool
    nonfinite: int = 0
    """NaN or Inf elements in either array (any fails the comparison)."""
    worst_index: tuple[int, ...] | None = None
    """Where ``max_abs_err`` occurs."""


def _fp32(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.asarray(x).astype(np.float32)


def ratio_allclose(
    actual: np.ndarray[Any, Any],
    expected: np.ndarray[Any, Any],
    atol: float = 3e-3,
    rtol: float = 3e-3,
    max_error_ratio: float = 0.02,
) -> CompareResult:
    """Compare ``actual`` with ``expected`` as the reference harness does (see the module)."""
    if actual.shape != expected.shape:
        raise ValueError(f"shapes differ: {actual.shape} vs {expected.shape}")
    if not 0.0 <= max_error_ratio <= 1.0:
        raise ValueError(f"max_error_ratio must be in [0, 1], got {max_error_ratio}")
    a = _fp32(actual)
    e = _fp32(expected)
    numel = int(a.size)
    allowed = round(max_error_ratio * numel)
    if numel == 0:
        return CompareResult(0, 0.0, 0, allowed, True)
    nonfinite = int(np.count_nonzero(~np.isfinite(a))) + int(np.count_nonzero(~np.isfinite(e)))
    with np.errstate(all="ignore"):
        diff = np.abs(a - e)
        tolerance = np.float32(atol) + np.float32(rtol) * np.abs(e)
        bad = int(np.count_nonzero(diff > tolerance))
    flat = diff.reshape(-1)
    nan_at = np.flatnonzero(np.isnan(flat))
    if nan_at.size:
        max_abs_err, worst = math.nan, int(nan_at[0])
    else:
        worst = int(np.argmax(flat))
        max_abs_err = float(flat[worst])
    worst_index = tuple(int(i) for i in np.unravel_index(worst, actual.shape))
    return CompareResult(
        numel=numel,
        max_abs_err=max_abs_err,
        bad=bad,
        allowed=allowed,
        passed=nonfinite == 0 and bad <= allowed,
        nonfinite=nonfinite,
        worst_index=worst_index,
    )
