"""
The dialects qkv-opt reads and writes.

``make_context()`` gives an xDSL ``Context`` that knows the tile dialect and every
dialect xDSL ships (registered lazily, so only the ones a file uses are loaded).
"""

from __future__ import annotations

from xdsl.context import Context
from xdsl.dialects import get_all_dialects
from xdsl.ir import Dialect

from qkv_opt.dialects import upstream_compat


def make_context(allow_unregistered: bool = False) -> Context:
    """A context with the tile dialect and all of xDSL's dialects, lazily loaded."""
    upstream_compat.install()
    ctx = Context(allow_unregistered=allow_unregistered)
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    ctx.register_dialect("tile", tile_dialect)
    return ctx


def tile_dialect() -> Dialect:
    """The tile dialect, imported on first use."""
    from qkv_opt.dialects.tile import Tile

    return Tile
