"""
The target rules of ``check-target`` as plain functions, shared with the lowerings.

Each function takes shapes, element types and a ``Target`` and returns the message
of the violated rule, or None.  ``check-target`` turns a message into a located
error on the op; the lowerings call the same functions to validate their options
before they build anything (``aiv_rowsum_option_error``, ``cube_matmul_option_error``),
so a bad ``nv`` is reported with exactly the words check-target would use.

Rules and sources (``docs/passes/check-target.md`` has the full table):

* row alignment: the contiguous axis of a UB / L1 tile is a multiple of 32 B
  (pto-isa ``include/pto/common/pto_tile.hpp`` static_assert; PTOAS PR #659);
* cube fractal: L0A tiles are M x K in 16 x (32 B / element size) fractals, L0B
  tiles K x N in (32 B / element size) x 16 fractals, L0C tiles M x N in 16 x 16
  fractals; M % 16 == 0 is the cube's row rule (AscendNPU-IR ``HIVMMacroOps.cpp``;
  pto-isa ``pto_tile.hpp`` boxed tiles);
* vector dtypes: ``target.vector_dtypes`` / ``reduce_dtypes`` (pto-isa
  ``a2a3/TAdd.hpp``, ``TMul.hpp``, ``TRowReduceOps.hpp``);
* cube dtypes and extents: ``target.cube_dtypes``, m, k, n in [1, 4095] (pto-isa
  ``TMatmul.hpp``);
* data paths: ``target.data_paths`` (pypto ``soc.cpp``, AscendNPU-IR ``HIVMDMAOps.td``).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import gcd

from xdsl.dialects.builtin import BFloat16Type, FixedBitwidthType, Float32Type
from xdsl.ir import Attribute

from qkv_opt.dialects.targets import Target
from qkv_opt.dialects.tile import Layout, MemorySpace, dtype_bytes, dtype_name

__all__ = [
    "AXIS_OPTIONS",
    "Origin",
    "aiv_rowsum_option_error",
    "check_tile_alignment",
    "cube_dtype_error",
    "cube_extent_error",
    "cube_matmul_option_error",
    "data_path_error",
    "element_bytes",
    "fractal_multiples",
    "parse_origin",
    "row_multiple",
    "tile_dtype_error",
    "tile_spelling",
    "vector_dtype_error",
]

Origin = str | tuple[str | None, str | None] | None
"""
Which user-visible option set a tile's axes, for messages that name the option:
a string names the option of the contiguous axis (``"nv"``: the columns of a
row-major tile), a pair names the options of (rows, columns), ``None`` none.
"""

AXIS_OPTIONS = "tile.origin"
"""
Op attribute a lowering may set on an op that makes a tile from an option:
``tile.origin = "nv"`` (the option of the contiguous axis) or
``tile.origin = ["kc", "nv"]`` (the options of rows and columns; ``""`` for none).
"""

_CUBE_SPACES = (MemorySpace.L0A, MemorySpace.L0B, MemorySpace.L0C)
_ROW_SPACES = (MemorySpace.UB, MemorySpace.L1)

_ROW_RULE = "pto-isa pto_tile.hpp"
_FRACTAL_RULE = "AscendNPU-IR HIVMMacroOps.cpp"


def element_bytes(element_type: Attribute) -> int:
    """
    Bytes per element, also for types no target computes on (f80: 10).

    ``dtype_bytes`` knows the types qkv-opt models; an exotic float still needs a size
    so that the plan and the messages can be made (``tile_dtype_error`` rejects it).
    """
    try:
        return dtype_bytes(element_type)
    except ValueError:
        if isinstance(element_type, FixedBitwidthType):
            return max(1, -(-element_type.bitwidth // 8))
        return 1


def tile_spelling(shape: Sequence[int], element_type: Attribute, layout: Layout) -> str:
    """``tile<1024x8xbf16>``, or ``tile<16x1xf32, col_major>``: a tile as messages show it."""
    dims = "x".join(str(d) for d in shape)
    suffix = ", col_major" if layout == Layout.COL_MAJOR else ""
    return f"tile<{dims}x{dtype_name(element_type)}{suffix}>"


def parse_origin(origin: Origin) -> tuple[str | None, str | None, str | None]:
    """(contiguous-axis option, rows option, cols option) of an ``Origin``."""
    if origin is None:
        return None, None, None
    if isinstance(origin, str):
        return origin or None, None, None
    rows, cols = origin
    return None, rows or None, cols or None


def row_multiple(element_type: Attribute, target: Target) -> int:
    """Elements per 32-byte block: the multiple a contiguous axis must be (16 for bf16)."""
    size = element_bytes(element_type)
    return target.row_alignment // gcd(target.row_alignment, size)


def fractal_multiples(
    space: MemorySpace, element_type: Attribute, target: Target
) -> tuple[int, int]:
    """
    (rows, cols) multiples of a cube tile: its fractal's shape.

    A fractal row holds 32 B of the contraction axis K, so K takes
    ``32 B / element size`` elements per fractal (16 for bf16, 32 for i8) and the
    other axis 16: L0A is M x K (16 x 32B/e), L0B is K x N (32B/e x 16), L0C is
    M x N (16 x 16 whatever the accumulator type).
    """
    k = row_multiple(element_type, target)
    m = target.cube_m_multiple
    if space == MemorySpace.L0A:
        return m, k
    if space == MemorySpace.L0B:
        return k, 16
    if space == MemorySpace.L0C:
        return m, 16
    raise ValueError(f"{space.value} is not a cube space")


def _row_alignment_error(
    shape: Sequence[int],
    element_type: Attribute,
    space: MemorySpace,
    layout: Layout,
    target: Target,
    origin: Origin,
) -> str | None:
    rows, cols = shape
    size = element_bytes(element_type)
    row_major = layout == Layout.ROW_MAJOR
    extent = cols if row_major else rows
    nbytes = extent * size
    if nbytes % target.row_alignment == 0:
        return None
    multiple = row_multiple(element_type, target)
    contiguous, rows_opt, cols_opt = parse_origin(origin)
    option = contiguous or (cols_opt if row_major else rows_opt)
    axis = "row" if row_major else "column"
    dtype = dtype_name(element_type)
    if option is not None:
        fix = f"{option} must be a multiple of {multiple} for {dtype}"
    else:
        what = f"{extent} columns" if row_major else f"{extent} rows"
        fix = f"the contiguous axis ({what}) must be a multiple of {multiple} {dtype} elements"
    return (
        f"{axis} of {tile_spelling(shape, element_type, layout)} in {space.value} is "
        f"{nbytes} B, not a multiple of the {target.row_alignment}-byte block; {fix} "
        f"({target.name}: the contiguous axis of a ub / l1 tile is a multiple of "
        f"{target.row_alignment} B, {_ROW_RULE})"
    )


def _fractal_error(
    shape: Sequence[int],
    element_type: Attribute,
    space: MemorySpace,
    layout: Layout,
    target: Target,
    origin: Origin,
) -> str | None:
    rows, cols = shape
    row_mult, col_mult = fractal_multiples(space, element_type, target)
    _, rows_opt, cols_opt = parse_origin(origin)
    spelled = tile_spelling(shape, element_type, layout)
    dtype = dtype_name(element_type)
    fractal = f"{row_mult} x {col_mult}"
    problems: list[str] = []
    if rows % row_mult:
        if space in (MemorySpace.L0A, MemorySpace.L0C):
            fix = (
                f"{rows_opt} must be a multiple of {row_mult}"
                if rows_opt
                else f"pad M to {-(-rows // row_mult) * row_mult} rows (a load with "
                "valid(...) zero-fills the padding)"
            )
            problems.append(
                f"cube M (rows of {spelled} in {space.value}) is {rows}, not a multiple "
                f"of {row_mult}; {fix}"
            )
        else:
            fix = (
                f"{rows_opt} must be a multiple of {row_mult}"
                if rows_opt
                else (f"the K extent must be a multiple of {row_mult} {dtype} elements")
            )
            problems.append(
                f"rows of {spelled} in {space.value} are {rows}, not a multiple of "
                f"{row_mult}; {fix}"
            )
    if cols % col_mult:
        fix = (
            f"{cols_opt} must be a multiple of {col_mult}"
            if cols_opt
            else f"the columns must be a multiple of {col_mult} {dtype} elements"
        )
        problems.append(
            f"columns of {spelled} in {space.value} are {cols}, not a multiple of {col_mult}; {fix}"
        )
    if not problems:
        return None
    return "; ".join(problems) + (
        f" (the {space.value} fractal for {dtype} is {fractal}, rows x columns; {_FRACTAL_RULE})"
    )


def check_tile_alignment(
    shape: Sequence[int],
    element_type: Attribute,
    space: MemorySpace,
    layout: Layout,
    target: Target,
    *,
    origin: Origin = None,
) -> str | None:
    """
    The alignment rule a tile of this shape breaks on ``target``, or None.

    UB / L1: the contiguous axis (columns of a row-major tile, rows of a
    column-major one) is a multiple of ``target.row_alignment`` bytes.  L0A / L0B
    / L0C: rows and columns are multiples of the cube fractal
    (``fractal_multiples``), which includes the cube's M % 16 rule.  ``origin``
    names the options that set the axes, so the fix can say ``nv must be ...``.
    """
    if len(shape) != 2:
        raise ValueError(f"a tile is 2-D, got shape {tuple(shape)}")
    if space in _ROW_SPACES:
        return _row_alignment_error(shape, element_type, space, layout, target, origin)
    if space in _CUBE_SPACES:
        return _fractal_error(shape, element_type, space, layout, target, origin)
    return None


def tile_dtype_error(element_type: Attribute, target: Target) -> str | None:
    """Whether any unit of ``target`` handles this element type (the union of its tables)."""
    known = (
        set(target.vector_dtypes)
        | set(target.reduce_dtypes)
        | set(target.cube_dtypes)
        | set(target.cube_dtypes.values())
        | {"bf16"}  # moved, cast and transposed natively everywhere (facts F2)
    )
    dtype = dtype_name(element_type)
    if dtype in known:
        return None
    return (
        f"{dtype} is not an element type of {target.name}: its units handle "
        f"{', '.join(sorted(known))}; convert the data to one of them before loading it"
    )


def vector_dtype_error(
    op_name: str, element_type: Attribute, target: Target, *, reduce: bool = False
) -> str | None:
    """Whether the vector unit of ``target`` computes ``op_name`` on this element type."""
    dtype = dtype_name(element_type)
    allowed = target.reduce_dtypes if reduce else target.vector_dtypes
    if dtype in allowed:
        return None
    kind = "row reduction" if reduce else "vector arithmetic"
    source = "TRowReduceOps.hpp" if reduce else "TAdd.hpp / TMul.hpp"
    legal = ", ".join(sorted(allowed))
    fix = (
        "cast to f32 first with tile.cast"
        if dtype in ("bf16", "f64")
        else (f"cast to one of {legal} first with tile.cast")
    )
    return (
        f"{dtype} {kind} ({op_name}) is not supported on {target.name}: it accepts "
        f"{legal} (pto-isa {source}); {fix}"
    )


def cube_dtype_error(lhs_type: Attribute, result_type: Attribute, target: Target) -> str | None:
    """Whether the cube of ``target`` has a ``lhs x lhs -> result`` matmul."""
    lhs, acc = dtype_name(lhs_type), dtype_name(result_type)
    expected = target.cube_dtypes.get(lhs)
    if expected == acc:
        return None
    pairs = ", ".join(f"{i} x {i} -> {o}" for i, o in target.cube_dtypes.items())
    fix = (
        f"accumulate {lhs} in {expected}"
        if expected is not None
        else "cast the operands to bf16 or f16"
    )
    return (
        f"the cube of {target.name} has no {lhs} x {lhs} -> {acc} matmul (legal: {pairs}; "
        f"pto-isa TMatmul.hpp); {fix}"
    )


def cube_extent_error(m: int, k: int, n: int, target: Target) -> str | None:
    """Whether one matmul instruction's m, k, n are in ``[1, target.cube_max_extent]``."""
    bad = [
        f"{name} = {value}"
        for name, value in (("m", m), ("k", k), ("n", n))
        if not 1 <= value <= target.cube_max_extent
    ]
    if not bad:
        return None
    return (
        f"matmul extent {', '.join(bad)} is outside [1, {target.cube_max_extent}] on "
        f"{target.name} (pto-isa TMatmul.hpp MMAD_MAX_SUPPORT_LENGTH); split the "
        "matmul into smaller tiles"
    )


def _paths(target: Target) -> str:
    by_source: dict[MemorySpace, list[str]] = {}
    for src, dst in sorted(target.data_paths, key=lambda p: (p[0].value, p[1].value)):
        by_source.setdefault(src, []).append(dst.value)
    return ", ".join(f"{src.value} -> {'|'.join(dsts)}" for src, dsts in by_source.items())


def data_path_error(source: MemorySpace, dest: MemorySpace, target: Target) -> str | None:
    """Whether data can move from ``source`` to ``dest`` in one transfer on ``target``."""
    if (source, dest) in target.data_paths:
        return None
    hint = ""
    if source == MemorySpace.L0C and dest == MemorySpace.UB:
        hint = (
            "; a cube -> vector hand-off goes through GM: store the l0c tile, then load it into ub"
        )
    elif {source, dest} == {MemorySpace.UB, MemorySpace.L1}:
        hint = "; go through GM: store, then load"
    elif source == MemorySpace.GM:
        hint = "; load into ub or l1, then move"
    return (
        f"there is no {source.value} -> {dest.value} data path on {target.name} "
        f"(legal: {_paths(target)}; pypto soc.cpp){hint}"
    )


# --------------------------------------------------------------------------- #
# Option validation for the lowerings
# --------------------------------------------------------------------------- #


def _positive(name: str, value: int) -> str | None:
    if value >= 1:
        return None
    return f"{name}={value}: {name} must be a positive integer"


def _first_errors(problems: Sequence[str | None]) -> str | None:
    seen: list[str] = []
    for p in problems:
        if p is not None and p not in seen:
            seen.append(p)
    return "; ".join(seen) if seen else None


def aiv_rowsum_option_error(
    nv: int,
    kc: int | None,
    target: Target,
    *,
    max_batch: int = 16,
    element_type: Attribute | None = None,
    accumulator_type: Attribute | None = None,
    kc_auto_max: int = 1024,
) -> str | None:
    """
    What is wrong with aiv-rowsum's ``nv`` / ``kc`` / ``max-batch``, or None.

    ``kc=None`` is ``kc=auto``.  The rules are those of the tiles the options shape
    (F1.2): the W block [kc, nv] and the x block [1, kc] in the input type, their
    f32 copies, the transposed block [nv, kc], the [1, nv] accumulator and the
    col_major [nv, 1] row_sum, all in UB, checked with ``check_tile_alignment``.
    """
    elem = element_type if element_type is not None else BFloat16Type()
    acc = accumulator_type if accumulator_type is not None else Float32Type()
    problems = [_positive("nv", nv), _positive("max-batch", max_batch)]
    if kc is not None:
        problems.append(_positive("kc", kc))
    if any(problems):
        return _first_errors(problems)
    rows = kc if kc is not None else kc_auto_max
    ub, row, col = MemorySpace.UB, Layout.ROW_MAJOR, Layout.COL_MAJOR
    checks: list[tuple[tuple[int, int], Attribute, Layout, Origin]] = [
        ((rows, nv), elem, row, ("kc", "nv")),
        ((rows, nv), acc, row, ("kc", "nv")),
        ((nv, 1), acc, col, ("nv", None)),
        ((1, nv), acc, row, (None, "nv")),
    ]
    if kc is not None:
        checks += [
            ((1, kc), elem, row, (None, "kc")),
            ((nv, kc), acc, row, ("nv", "kc")),
        ]
    # The first broken rule is enough: the bf16 W block's is the strictest, and the
    # others follow from it for 2-byte inputs.
    for shape, t, layout, origin in checks:
        message = check_tile_alignment(shape, t, ub, layout, target, origin=origin)
        if message is not None:
            return f"nv={nv}, kc={kc if kc is not None else 'auto'}: {message}"
    return None


def cube_matmul_option_error(
    tm: int,
    tn: int,
    tk: int,
    target: Target,
    *,
    k_slice: int | None = None,
    element_type: Attribute | None = None,
    accumulator_type: Attribute | None = None,
) -> str | None:
    """
    What is wrong with cube-matmul's ``tm`` / ``tn`` / ``tk`` / ``k-slice``, or None.

    The tiles these options shape (F1.1): A [tm, tk] in L1 and L0A, B [tk, tn] in
    L1 and L0B, the accumulator [tm, tn] in L0C.  Each must keep the row and fractal
    rules and the matmul extents must be in [1, 4095].  Capacities are not checked
    here: how a lowering splits these blocks into L0 tiles is its own choice, and
    check-target's memory plan of the lowered tasks decides.
    """
    elem = element_type if element_type is not None else BFloat16Type()
    acc = accumulator_type if accumulator_type is not None else Float32Type()
    problems = [_positive("tm", tm), _positive("tn", tn), _positive("tk", tk)]
    if k_slice is not None:
        problems.append(_positive("k-slice", k_slice))
    if any(problems):
        return _first_errors(problems)
    prefix = f"tm={tm}, tn={tn}, tk={tk}: "
    row = Layout.ROW_MAJOR
    tiles: list[tuple[tuple[int, int], Attribute, MemorySpace, Origin]] = [
        ((tm, tk), elem, MemorySpace.L0A, ("tm", "tk")),
        ((tk, tn), elem, MemorySpace.L0B, ("tk", "tn")),
        ((tm, tn), acc, MemorySpace.L0C, ("tm", "tn")),
        ((tm, tk), elem, MemorySpace.L1, ("tm", "tk")),
        ((tk, tn), elem, MemorySpace.L1, ("tk", "tn")),
    ]
    messages: list[str | None] = [
        check_tile_alignment(shape, t, space, row, target, origin=origin)
        for shape, t, space, origin in tiles
    ]
    messages.append(cube_extent_error(tm, tk, tn, target))
    # The first broken rule only: tm's rule breaks both the l0a and the l0c tile.
    error = next((m for m in messages if m is not None), None)
    return prefix + error if error else None
