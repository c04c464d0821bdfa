"""
qkv-opt's passes, registered lazily as xDSL registers its own: importing this
package imports no pass; ``get_all_passes()[name]()`` imports one.

One pass per file, file stem = pass name with ``-`` replaced by ``_``.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass


def get_all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Pass name -> a factory returning the pass class (imported on first use)."""

    def get_aiv_rowsum() -> type[ModulePass]:
        from qkv_opt.passes.aiv_rowsum import AivRowSumPass

        return AivRowSumPass

    def get_cube_matmul() -> type[ModulePass]:
        from qkv_opt.passes.cube_matmul import CubeMatmulPass

        return CubeMatmulPass

    def get_check_target() -> type[ModulePass]:
        from qkv_opt.passes.check_target import CheckTargetPass

        return CheckTargetPass

    return {
        "aiv-rowsum": get_aiv_rowsum,
        "cube-matmul": get_cube_matmul,
        "check-target": get_check_target,
    }


def get_generic_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """The few target-independent xDSL passes qkv-opt also offers."""
    from xdsl.transforms import get_all_passes as xdsl_passes

    available = xdsl_passes()
    return {name: available[name] for name in ("canonicalize", "cse", "dce") if name in available}
