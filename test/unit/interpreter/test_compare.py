"""ratio_allclose at its boundaries, and against the reference harness's torch code."""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np
import pytest
import torch

from qkv_opt.interpreter.compare import ratio_allclose
from qkv_opt.interpreter.torch_bridge import to_torch

Array = np.ndarray[Any, Any]
RNG = np.random.default_rng(7)


def _harness(
    actual: Array, expected: Array, atol: float, rtol: float, ratio: float
) -> tuple[bool, int, int]:
    """pypto-lib golden/validation.py ratio_allclose, transcribed (torch, fp32)."""
    a = to_torch(np.asarray(actual, np.float32))
    e = to_torch(np.asarray(expected, np.float32))
    nan_count = int(torch.isnan(a).sum().item()) + int(torch.isnan(e).sum().item())
    inf_count = int(torch.isinf(a).sum().item()) + int(torch.isinf(e).sum().item())
    diff_abs = (a - e).abs()
    tolerance = atol + rtol * e.abs()
    error_count = int((diff_abs > tolerance).sum().item())
    threshold = round(ratio * a.numel())
    passed = not (nan_count or inf_count) and error_count <= threshold
    return passed, error_count, threshold


def test_identical_arrays_pass() -> None:
    x = RNG.standard_normal((4, 8)).astype(np.float32)
    r = ratio_allclose(x, x.copy())
    assert (r.passed, r.bad, r.numel, r.max_abs_err) == (True, 0, 32, 0.0)


def test_an_error_exactly_at_the_tolerance_is_not_bad() -> None:
    expected = np.array([1.0, 2.0], np.float32)
    tol = np.float32(3e-3) + np.float32(3e-3) * np.abs(expected)
    at = expected + tol  # |actual - expected| == tol after fp32 rounding?
    diff = np.abs(at - expected)
    r = ratio_allclose(at, expected, max_error_ratio=0.0)
    assert r.bad == int(np.count_nonzero(diff > tol))
    # Construct an element whose fp32 difference equals its tolerance exactly.
    e = np.array([0.0], np.float32)
    a = np.array([np.float32(3e-3)], np.float32)  # tol = atol + rtol * 0 = f32(3e-3)
    assert ratio_allclose(a, e, max_error_ratio=0.0).bad == 0
    above = np.array([np.nextafter(np.float32(3e-3), np.float32(1))], np.float32)
    r_above = ratio_allclose(above, e, max_error_ratio=0.0)
    assert (r_above.bad, r_above.passed) == (1, False)


def test_allowed_uses_python_round_half_to_even() -> None:
    # 0.02 * 125 = 2.5 -> round() = 2 (banker's rounding), 0.02 * 175 = 3.5 -> 4.
    for numel, allowed in ((125, round(0.02 * 125)), (175, round(0.02 * 175)), (49, 1), (24, 0)):
        x = np.zeros(numel, np.float32)
        assert ratio_allclose(x, x, max_error_ratio=0.02).allowed == allowed
    assert round(0.02 * 175) == 4


@pytest.mark.parametrize("bad", [2, 3])
def test_passes_iff_bad_is_at_most_allowed(bad: int) -> None:
    expected = np.zeros(125, np.float32)  # allowed = round(2.5) = 2
    actual = expected.copy()
    actual[:bad] = 1.0
    r = ratio_allclose(actual, expected, max_error_ratio=0.02)
    assert (r.bad, r.allowed, r.passed) == (bad, 2, bad <= 2)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["actual", "expected"])
def test_any_nan_or_inf_fails(value: float, where: str) -> None:
    actual = np.zeros(1000, np.float32)
    expected = np.zeros(1000, np.float32)
    (actual if where == "actual" else expected)[3] = value
    r = ratio_allclose(actual, expected, max_error_ratio=0.5)
    assert not r.passed
    assert r.nonfinite == 1


def test_nan_reports_nan_max_abs_err() -> None:
    actual = np.array([0.0, np.nan], np.float32)
    r = ratio_allclose(actual, np.zeros(2, np.float32))
    assert np.isnan(r.max_abs_err)
    assert r.worst_index == (1,)


def test_bf16_inputs_compare_in_fp32() -> None:
    x = RNG.standard_normal(64).astype(np.float32)
    r = ratio_allclose(x.astype(ml_dtypes.bfloat16), x)
    assert r.max_abs_err == pytest.approx(
        float(np.max(np.abs(x.astype(ml_dtypes.bfloat16).astype(np.float32) - x)))
    )


def test_empty_arrays_pass() -> None:
    r = ratio_allclose(np.zeros((0, 4), np.float32), np.zeros((0, 4), np.float32))
    assert (r.numel, r.bad, r.allowed, r.passed) == (0, 0, 0, True)


def test_shape_mismatch_and_bad_ratio_raise() -> None:
    with pytest.raises(ValueError, match="shapes differ"):
        ratio_allclose(np.zeros(3, np.float32), np.zeros(4, np.float32))
    with pytest.raises(ValueError, match="max_error_ratio"):
        ratio_allclose(np.zeros(3, np.float32), np.zeros(3, np.float32), max_error_ratio=1.5)


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_the_torch_harness(seed: int) -> None:
    rng = np.random.default_rng(seed)
    expected = (rng.standard_normal(5000) * 10).astype(np.float32)
    noise = rng.standard_normal(5000).astype(np.float32) * np.float32(0.02)
    actual = expected + noise
    # Put elements right at the tolerance boundary, the hardest case to agree on.
    tol = np.float32(3e-3) + np.float32(3e-3) * np.abs(expected[:50])
    actual[:50] = expected[:50] + tol
    r = ratio_allclose(actual, expected, 3e-3, 3e-3, 0.02)
    passed, bad, allowed = _harness(actual, expected, 3e-3, 3e-3, 0.02)
    assert (r.passed, r.bad, r.allowed) == (passed, bad, allowed)
