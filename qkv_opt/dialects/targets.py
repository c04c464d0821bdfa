"""
The hardware table: every number qkv-opt knows about an Ascend NPU, in one place.

Each figure carries the public source it comes from.  Passes, checks and the
interpreter read them from here and nowhere else, so a new chip is one new entry.

Sources (short names used below):

* ``soc.cpp``: hw-native-sys/pypto ``src/backend/common/soc.cpp``
* ``NPUTargetSpec.td``: Ascend/AscendNPU-IR
  ``bishengir/include/bishengir/Dialect/HACC/Targets/NPUTargetSpec.td``
* ``pto_tile.hpp``: pto-isa ``include/pto/common/pto_tile.hpp`` (row alignment
  static_assert)
* ``TMatmul.hpp``, ``TMul.hpp``, ``TRowReduceOps.hpp``: pto-isa
  ``include/pto/...`` (cube extents, vector dtypes)
* ``reduction.cpp``: hw-native-sys/pypto (row_sum scratch tile on A2/A3)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from qkv_opt.dialects.tile import MemorySpace, dtype_bytes, dtype_name

__all__ = ["TARGETS", "Target", "dtype_bytes", "dtype_name", "get_target"]

KIB = 1024


@dataclass(frozen=True)
class Target:
    """One NPU: capacities, alignment rules and the legal data paths and dtypes."""

    name: str
    description: str

    capacity: Mapping[MemorySpace, int]
    """Usable bytes per on-chip space (UB: the usable part, not the physical size)."""

    physical_ub: int
    """Physical UB bytes, for messages; the planner only uses ``capacity``."""

    base_alignment: Mapping[MemorySpace, int]
    """Every on-chip buffer starts at a multiple of this many bytes."""

    row_alignment: int
    """The contiguous axis of a UB / L1 tile is a multiple of this many bytes."""

    data_paths: frozenset[tuple[MemorySpace, MemorySpace]]
    """(from, to) pairs that a load, store or move may connect."""

    vector_dtypes: frozenset[str]
    """Element types elementwise vector arithmetic (add, mul, col_expand...) accepts."""

    reduce_dtypes: frozenset[str]
    """Element types row reductions (row_sum) accept."""

    cube_dtypes: Mapping[str, str]
    """Cube input element type -> the accumulator type it produces in L0C."""

    cube_m_multiple: int
    """The cube's M extent must be a multiple of this (the 16-row fractal)."""

    cube_max_extent: int
    """Largest m, k or n of one matmul instruction."""

    row_sum_scratch: bool
    """row_sum needs a scratch tile the size of its input (A2/A3)."""

    aic_cores: int
    aiv_cores: int

    def fractal_cols(self, element_bytes: int) -> int:
        """Columns of a 16 x (32 B / element size) cube fractal."""
        return self.row_alignment // element_bytes


_GM, _UB, _L1 = MemorySpace.GM, MemorySpace.UB, MemorySpace.L1
_L0A, _L0B, _L0C = MemorySpace.L0A, MemorySpace.L0B, MemorySpace.L0C

# Paths common to every Ascend generation qkv-opt models: GM -> UB | L1 (MTE2),
# UB -> GM (MTE3), L1 -> L0A | L0B (MTE1), L0C -> GM (FIXPIPE).
_BASE_PATHS = frozenset(
    {
        (_GM, _UB),
        (_GM, _L1),
        (_UB, _GM),
        (_L1, _L0A),
        (_L1, _L0B),
        (_L0C, _GM),
    }
)

_CUBE_PAIRS = MappingProxyType(
    # TMatmul.hpp: bf16 x bf16 -> f32, f16 x f16 -> f32, i8 x i8 -> i32, f32 -> f32.
    {"bf16": "f32", "f16": "f32", "i8": "i32", "f32": "f32"}
)

ASCEND910B = Target(
    name="ascend910b",
    description="Ascend 910B (A2/A3): 24 AIC + 48 AIV on 910B1/B2",
    capacity=MappingProxyType(
        {
            # soc.cpp; pto-isa issue #170, pypto issue #1804: 192 KiB physical, the top
            # ~8 KiB silently corrupts data, 188,416 B usable.
            _UB: 188_416,
            _L1: 512 * KIB,  # soc.cpp; NPUTargetSpec.td
            _L0A: 64 * KIB,  # soc.cpp; NPUTargetSpec.td
            _L0B: 64 * KIB,  # soc.cpp; NPUTargetSpec.td
            _L0C: 128 * KIB,  # soc.cpp; NPUTargetSpec.td
        }
    ),
    physical_ub=192 * KIB,  # NPUTargetSpec.td; pto-isa buffer_limits.hpp
    base_alignment=MappingProxyType(
        # NPUTargetSpec.td: UbAlignSize / L1AlignSize 32 B, L0cAlignSize 512 B (the
        # compiler's allocation rule; the hardware minimum is 64 B per asc-devkit's
        # C-API general constraints).  L0A / L0B 512 B: asc-devkit, same page.
        {_UB: 32, _L1: 32, _L0A: 512, _L0B: 512, _L0C: 512}
    ),
    row_alignment=32,  # pto_tile.hpp static_assert; PTOAS PR #659 at pto.alloc_tile
    # No UB <-> L1 and no L0C -> UB on A2/A3: a cube -> vector hand-off goes via GM.
    data_paths=_BASE_PATHS,
    # a2a3/TMul.hpp, a2a3/TAdd.hpp, a2a3/TRowReduceOps.hpp: int32 / int16 / half /
    # float only, no bf16 vector arithmetic on A2/A3.
    vector_dtypes=frozenset({"f32", "f16", "i32", "i16"}),
    reduce_dtypes=frozenset({"f32", "f16", "i32", "i16"}),
    cube_dtypes=_CUBE_PAIRS,
    # 16-row fractal (AscendNPU-IR HIVMMacroOps.cpp); pto_tile.hpp: boxed tile rows
    # divisible by the 16 inner box rows.
    cube_m_multiple=16,
    cube_max_extent=4095,  # a2a3/TMatmul.hpp MMAD_MAX_SUPPORT_LENGTH: m, k, n in [1, 4095]
    # pypto reduction.cpp; pto-isa docs/isa/TROWSUM.md: an undersized tmp compiles
    # and gives silently wrong results.
    row_sum_scratch=True,
    aic_cores=24,  # NPUTargetSpec.td (910B1/B2; 20 + 40 on 910B3/B4)
    aiv_cores=48,
)

ASCEND950 = Target(
    name="ascend950",
    description="Ascend 950PR/950DT (arch 3510): UB 256 KiB physical, L0C 256 KiB",
    capacity=MappingProxyType(
        {
            # Physical UB is 256 KiB (pto-isa include/pto/common/buffer_limits.hpp);
            # NPUTargetSpec.td gives 248 KiB after an 8 KiB compiler reserve, and
            # soc.cpp caps the safe allocation at 240 KiB (pto-isa issue #170).  We
            # use pypto's 240 KiB, the same rule that gives 188,416 B on A2/A3.
            _UB: 240 * KIB,
            _L1: 512 * KIB,  # NPUTargetSpec.td; buffer_limits.hpp
            _L0A: 64 * KIB,
            _L0B: 64 * KIB,
            _L0C: 256 * KIB,  # NPUTargetSpec.td; buffer_limits.hpp
        }
    ),
    physical_ub=256 * KIB,
    base_alignment=MappingProxyType({_UB: 32, _L1: 32, _L0A: 512, _L0B: 512, _L0C: 512}),
    row_alignment=32,  # pto_tile.hpp is common to A2/A3 and A5
    # AscendNPU-IR HIVMDMAOps.td ("UB to L1 / L0C to UB (for Ascend950 series)");
    # asc-devkit asc_copy_ub2l1.md, asc_copy_l12ub.md, asc_copy_l0c2ub.md;
    # soc.cpp: Vec -> {Mat, DDR}, Acc -> {Vec, Mat, DDR} on 950.
    data_paths=_BASE_PATHS | {(_UB, _L1), (_L1, _UB), (_L0C, _UB)},
    # pto-isa a5/TAdd.hpp, a5/TMul.hpp accept bfloat16_t ...
    vector_dtypes=frozenset({"f32", "f16", "bf16", "i32", "i16"}),
    # ... but a5/TRowReduce.hpp: "Row reduction only supports 'half', 'float',
    # 'int32', or 'int16'".
    reduce_dtypes=frozenset({"f32", "f16", "i32", "i16"}),
    cube_dtypes=_CUBE_PAIRS,  # a5/TMatmul.hpp adds fp8 / hif8 pairs, not modelled
    cube_m_multiple=16,
    cube_max_extent=4095,  # a5/TMatmul.hpp MMAD_MAX_SUPPORT_LENGTH
    # pto-isa docs/isa/TROWSUM.md: tmp "is accepted by the interface but not used
    # by the A5 implementation".
    row_sum_scratch=False,
    # NPUTargetSpec.td Ascend950PR_9599 (the part soc.cpp models: 18 mix clusters
    # per die x 2 dies); smaller 950 parts have fewer.
    aic_cores=36,
    aiv_cores=72,
)

TARGETS: Mapping[str, Target] = MappingProxyType({t.name: t for t in (ASCEND910B, ASCEND950)})
DEFAULT_TARGET = ASCEND910B.name


def get_target(name: str) -> Target:
    """Look a target up by name; the error lists the known ones."""
    try:
        return TARGETS[name]
    except KeyError:
        known = ", ".join(TARGETS)
        raise ValueError(f"unknown target '{name}'; known targets: {known}") from None
