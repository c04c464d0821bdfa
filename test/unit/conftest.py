"""Shared fixtures of qkv-opt's unit tests."""

from __future__ import annotations

import pytest
from xdsl.context import Context

from qkv_opt.dialects import make_context


@pytest.fixture
def ctx() -> Context:
    """A context with the tile dialect and every xDSL dialect."""
    return make_context()
