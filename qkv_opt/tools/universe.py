"""
qkv-opt's ``xdsl.universe`` plugin: after ``pip install qkv-opt``, plain
``xdsl-opt`` knows the tile dialect and every qkv-opt pass.

Importing ``qkv_opt`` also applies the upstream-compatibility fixes (mixed
precision ``linalg.matmul``, ``scf.parallel`` syntax), so ``xdsl-opt`` reads the
same files ``qkv-opt`` reads.
"""

from __future__ import annotations

from xdsl.universe import Universe

from qkv_opt.dialects import tile_dialect
from qkv_opt.passes import get_all_passes

QKV_OPT_UNIVERSE = Universe(
    all_dialects={"tile": tile_dialect},
    all_passes=get_all_passes(),
)
