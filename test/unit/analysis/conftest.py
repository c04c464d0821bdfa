"""Fixtures of the analysis tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ir_helpers import parse_module
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

Parse = Callable[..., ModuleOp]


@pytest.fixture
def parse(ctx: Context) -> Parse:
    """``parse(body, args=..., unit=...)``: a verified module with one task (see ``wrap``)."""

    def run(text: str, *, args: str = "", unit: str = "vector", raw: bool = False) -> ModuleOp:
        return parse_module(ctx, text, args=args, unit=unit, raw=raw)

    return run
