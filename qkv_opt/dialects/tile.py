"""
The tile dialect: on-chip tiles of an Ascend NPU and the ops of its three units.

GM (global memory) data are builtin memrefs.  Everything on chip is an SSA value
of type ``!tile.tile<RxCxT, space[, layout]>``: a 2-D tile of element type T that
lives in one on-chip buffer (UB, L1, L0A, L0B or L0C) in row-major or column-major
order.  Tile values are immutable; the memory plan of ``check-target`` decides
which of them share a buffer.

Each op belongs to one hardware unit, declared as a trait (``ExecutesOn``) and
queried generically:

* MTE (data movement): ``tile.load``, ``tile.store``, ``tile.move``
* cube (matrix unit): ``tile.matmul``, ``tile.matmul_acc``
* vector (AIV): ``tile.full``, ``tile.cast``, ``tile.transpose``,
  ``tile.col_expand``, ``tile.col_expand_mul``, ``tile.mul``, ``tile.add``,
  ``tile.row_sum``, ``tile.reshape``, ``tile.extract``, ``tile.insert``
* structure: ``tile.task``, the region one core of one unit runs

Op verifiers hold the rules that are true on every target (shapes, element
types, which spaces an operand may live in, layouts).  What depends on the chip
(32-byte rows, buffer capacities, vector dtypes, data paths) is checked by the
``check-target`` pass against ``qkv_opt.dialects.targets``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    BFloat16Type,
    ContainerType,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntAttr,
    IntegerAttr,
    IntegerType,
    MemRefType,
    NoneAttr,
    ShapedType,
    StringAttr,
)
from xdsl.ir import (
    Attribute,
    Block,
    Dialect,
    Operation,
    Region,
    SpacedOpaqueSyntaxAttribute,
    SSAValue,
    TypeAttribute,
)
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    ParametrizedAttribute,
    VarConstraint,
    base,
    irdl_attr_definition,
    irdl_op_definition,
    isa,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer
from xdsl.traits import (
    MemoryReadEffect,
    MemoryWriteEffect,
    NoTerminator,
    OpTrait,
    Pure,
    RecursiveMemoryEffect,
)
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.str_enum import StrEnum

from xdsl.dialects.utils.enum_attribute import EnumAttribute  # isort: skip

# --------------------------------------------------------------------------- #
# Attributes
# --------------------------------------------------------------------------- #


class MemorySpace(StrEnum):
    """Where data live: GM off chip, the rest on one AI core."""

    GM = "gm"
    UB = "ub"
    L1 = "l1"
    L0A = "l0a"
    L0B = "l0b"
    L0C = "l0c"


ON_CHIP: frozenset[MemorySpace] = frozenset(set(MemorySpace) - {MemorySpace.GM})


@irdl_attr_definition
class MemorySpaceAttr(EnumAttribute[MemorySpace], SpacedOpaqueSyntaxAttribute):
    """
    A memory space, ``#tile<space ub>`` (``#tile.space<ub>`` parses too).

    GM memrefs carry no memory space (or ``#tile<space gm>``); tiles carry an
    on-chip one.
    """

    name = "tile.space"

    @classmethod
    def parse_parameter(cls, parser: AttrParser) -> MemorySpace:
        # Also the bracketed spelling of DESIGN.md, ``#tile.space<gm>``.
        if parser.parse_optional_punctuation("<") is None:
            return super().parse_parameter(parser)
        space = parser.parse_str_enum(MemorySpace)
        parser.parse_punctuation(">", " after the memory space")
        return space


class Layout(StrEnum):
    """Element order of a tile in its buffer."""

    ROW_MAJOR = "row_major"
    COL_MAJOR = "col_major"


@irdl_attr_definition
class LayoutAttr(EnumAttribute[Layout], SpacedOpaqueSyntaxAttribute):
    """A tile layout, ``#tile<layout col_major>``."""

    name = "tile.layout"


class Unit(StrEnum):
    """The hardware unit that executes an op or a task."""

    CUBE = "cube"
    VECTOR = "vector"
    MTE = "mte"


@irdl_attr_definition
class UnitAttr(EnumAttribute[Unit], SpacedOpaqueSyntaxAttribute):
    """The unit of a ``tile.task``: ``cube`` (AIC) or ``vector`` (AIV)."""

    name = "tile.unit"


class AtomicKind(StrEnum):
    """Read-modify-write a store performs on GM."""

    ADD = "add"


@irdl_attr_definition
class AtomicKindAttr(EnumAttribute[AtomicKind], SpacedOpaqueSyntaxAttribute):
    """The atomic mode of a ``tile.store``: ``add``."""

    name = "tile.atomic"


# --------------------------------------------------------------------------- #
# The tile type
# --------------------------------------------------------------------------- #


def _is_scalar_type(element_type: Attribute) -> bool:
    return isinstance(element_type, AnyFloat | IntegerType)


def dtype_name(element_type: Attribute) -> str:
    """The short MLIR spelling of a scalar element type: ``bf16``, ``f32``, ``i8``."""
    match element_type:
        case BFloat16Type():
            return "bf16"
        case Float16Type():
            return "f16"
        case Float32Type():
            return "f32"
        case Float64Type():
            return "f64"
        case IntegerType():
            return f"i{element_type.width.data}"
        case _:
            return str(element_type)


def dtype_bytes(element_type: Attribute) -> int:
    """Bytes per element of a scalar type (at least 1: an i1 takes a byte)."""
    match element_type:
        case BFloat16Type() | Float16Type():
            return 2
        case Float32Type():
            return 4
        case Float64Type():
            return 8
        case IntegerType():
            return max(1, (element_type.width.data + 7) // 8)
        case _:
            raise ValueError(f"no size for element type {element_type}")


@irdl_attr_definition
class TileType(ParametrizedAttribute, TypeAttribute, ShapedType, ContainerType[Attribute]):
    """
    A 2-D tile in an on-chip buffer.

    ```mlir
    !tile.tile<16x1024xf32, ub>                // row-major, the default
    !tile.tile<16x1xf32, ub, col_major>        // row_sum's result
    !tile.tile<128x256xbf16, l0b>
    ```
    """

    name = "tile.tile"

    shape: ArrayAttr[IntAttr]
    element_type: Attribute
    space: MemorySpaceAttr
    layout: LayoutAttr

    def __init__(
        self,
        shape: Sequence[int],
        element_type: Attribute,
        space: MemorySpace | MemorySpaceAttr,
        layout: Layout | LayoutAttr = Layout.ROW_MAJOR,
    ):
        if isinstance(space, MemorySpace):
            space = MemorySpaceAttr(space)
        if isinstance(layout, Layout):
            layout = LayoutAttr(layout)
        super().__init__(ArrayAttr(IntAttr(d) for d in shape), element_type, space, layout)

    # ShapedType / ContainerType interface
    def get_num_dims(self) -> int:
        return len(self.shape.data)

    def get_shape(self) -> tuple[int, ...]:
        return tuple(d.data for d in self.shape.data)

    def get_element_type(self) -> Attribute:
        return self.element_type

    @property
    def rows(self) -> int:
        return self.shape.data[0].data

    @property
    def cols(self) -> int:
        return self.shape.data[1].data

    @property
    def memory_space(self) -> MemorySpace:
        return self.space.data

    @property
    def tile_layout(self) -> Layout:
        return self.layout.data

    @property
    def is_row_major(self) -> bool:
        return self.layout.data == Layout.ROW_MAJOR

    def with_space(self, space: MemorySpace) -> TileType:
        return TileType(self.get_shape(), self.element_type, space, self.layout)

    def with_element_type(self, element_type: Attribute) -> TileType:
        return TileType(self.get_shape(), element_type, self.space, self.layout)

    def verify(self) -> None:
        if len(self.shape.data) != 2:
            raise VerifyException(
                f"a tile is 2-D, got {len(self.shape.data)} dimension(s) ({self._shape_str()})"
            )
        for d in self.shape.data:
            if d.data < 1:
                raise VerifyException(
                    f"tile dimensions must be positive, got {d.data} in a {self._shape_str()} tile"
                )
        if not _is_scalar_type(self.element_type):
            raise VerifyException(
                f"tile element type must be an integer or float type, got {self.element_type}"
            )
        if self.space.data == MemorySpace.GM:
            raise VerifyException(
                "a tile lives on chip (ub, l1, l0a, l0b, l0c); GM data are memrefs"
            )

    def _shape_str(self) -> str:
        return "x".join(str(d.data) for d in self.shape.data)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            pos = parser.pos
            shape, element_type = parser.parse_ranked_shape()
            if any(d < 0 for d in shape):
                parser.raise_error("tile dimensions must be static", pos, parser.pos)
            parser.parse_punctuation(",", " between the tile shape and its memory space")
            space_pos = parser.pos
            space_name = parser.parse_identifier(
                context_msg=" (memory space: ub, l1, l0a, l0b, l0c)"
            )
            if space_name not in {s.value for s in MemorySpace}:
                parser.raise_error(
                    f"unknown memory space '{space_name}'; expected one of ub, l1, l0a, l0b, l0c",
                    space_pos,
                    parser.pos,
                )
            layout = Layout.ROW_MAJOR
            if parser.parse_optional_punctuation(",") is not None:
                layout_pos = parser.pos
                layout_name = parser.parse_identifier(context_msg=" (layout: row_major, col_major)")
                if layout_name not in {lay.value for lay in Layout}:
                    parser.raise_error(
                        f"unknown tile layout '{layout_name}'; expected row_major or col_major",
                        layout_pos,
                        parser.pos,
                    )
                layout = Layout(layout_name)
        return (
            ArrayAttr(IntAttr(d) for d in shape),
            element_type,
            MemorySpaceAttr(MemorySpace(space_name)),
            LayoutAttr(layout),
        )

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string(self._shape_str() + "x")
            printer.print_attribute(self.element_type)
            printer.print_string(f", {self.space.data.value}")
            if self.layout.data != Layout.ROW_MAJOR:
                printer.print_string(f", {self.layout.data.value}")


# --------------------------------------------------------------------------- #
# Unit traits
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ExecutesOn(OpTrait):
    """The hardware unit an op runs on; ``unit_of(op)`` reads it."""

    unit: Unit


def unit_of(op: Operation) -> Unit | None:
    """The unit an op runs on, or None for ops outside the tile dialect."""
    trait = op.get_trait(ExecutesOn)
    return None if trait is None else trait.unit


_MTE = ExecutesOn(Unit.MTE)
_CUBE = ExecutesOn(Unit.CUBE)
_VECTOR = ExecutesOn(Unit.VECTOR)


# --------------------------------------------------------------------------- #
# Verifier helpers: every message names the op's operand and the rule.
# --------------------------------------------------------------------------- #


def _tile(value: SSAValue, what: str) -> TileType:
    if not isinstance(value.type, TileType):
        raise VerifyException(f"{what} must be a !tile.tile, got {value.type}")
    return value.type


def _expect_space(t: TileType, what: str, *allowed: MemorySpace) -> None:
    if t.memory_space not in allowed:
        names = " or ".join(s.value for s in allowed)
        raise VerifyException(f"{what} must live in {names}, got {t} in {t.memory_space.value}")


def _expect_row_major(t: TileType, what: str, fix: str = "") -> None:
    if not t.is_row_major:
        raise VerifyException(
            f"{what} must be row_major, got {t}; elementwise vector ops read rows{fix}"
        )


def _expect_same_element_type(a: TileType, b: TileType, what: str) -> None:
    if a.element_type != b.element_type:
        raise VerifyException(
            f"{what}: element types differ ({a.element_type} vs {b.element_type})"
        )


def _gm_memref(value: SSAValue, what: str) -> MemRefType[Attribute]:
    memref_type = value.type
    if not isinstance(memref_type, MemRefType):
        raise VerifyException(f"{what} must be a GM memref, got {memref_type}")
    space = memref_type.memory_space
    if not (
        isinstance(space, NoneAttr)
        or (isinstance(space, MemorySpaceAttr) and space.data == MemorySpace.GM)
    ):
        raise VerifyException(
            f"{what} must be in GM (no memory space or #tile<space gm>), got {space}"
        )
    if memref_type.get_num_dims() != 2:
        raise VerifyException(f"{what} must be a 2-D memref, got rank {memref_type.get_num_dims()}")
    return memref_type  # pyright: ignore[reportUnknownVariableType]


def _verify_gm_access(
    op: Operation,
    memref_type: MemRefType[Attribute],
    tile_type: TileType,
    offsets: Sequence[SSAValue],
    valid: Sequence[SSAValue],
) -> None:
    if len(offsets) != 2:
        raise VerifyException(
            f"expected 2 offsets (row, column) into the memref, got {len(offsets)}"
        )
    if len(valid) not in (0, 2):
        raise VerifyException(f"'valid' takes 2 extents (rows, columns), got {len(valid)}")
    if memref_type.element_type != tile_type.element_type:
        raise VerifyException(
            f"element type of {tile_type} differs from the memref's "
            f"{memref_type.element_type}; convert with tile.cast on chip"
        )
    shape = memref_type.get_shape()
    if not valid:
        for axis, (t_dim, m_dim) in enumerate(zip(tile_type.get_shape(), shape)):
            if m_dim >= 0 and t_dim > m_dim:
                raise VerifyException(
                    f"tile {tile_type} is larger than {memref_type} along axis "
                    f"{axis} ({t_dim} > {m_dim}); give 'valid' extents for a "
                    "partial tile"
                )


# --------------------------------------------------------------------------- #
# MTE: data movement
# --------------------------------------------------------------------------- #


@irdl_op_definition
class LoadOp(IRDLOperation):
    """
    Load a tile from a GM memref at (row, column) offsets into UB or L1 (MTE2).

    With ``valid(%r, %c)`` only the top-left ``r x c`` elements are read from GM;
    the rest of the tile is zero-filled (the padding the cube needs for a batch
    of fewer than 16 rows, or for a tail block).

    ```mlir
    %x_blk = tile.load %x[%c0, %k0] : memref<1x5120xbf16> -> !tile.tile<1x1024xbf16, ub>
    %a_l1 = tile.load %x[%c0, %k0] valid(%c1, %c256)
        : memref<1x5120xbf16> -> !tile.tile<16x256xbf16, l1>
    ```
    """

    name = "tile.load"

    source = operand_def(MemRefType)
    offsets = var_operand_def(IndexType)
    valid = var_operand_def(IndexType)
    result = result_def(TileType)

    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    traits = traits_def(MemoryReadEffect(), _MTE)

    assembly_format = (
        "$source `[` $offsets `]` (`valid` `(` $valid^ `)`)? attr-dict "
        "`:` type($source) `->` type($result)"
    )

    def __init__(
        self,
        source: SSAValue | Operation,
        offsets: Sequence[SSAValue | Operation],
        result_type: TileType,
        valid: Sequence[SSAValue | Operation] = (),
    ):
        super().__init__(operands=[source, offsets, valid], result_types=[result_type])

    def verify_(self) -> None:
        memref_type = _gm_memref(self.source, "source")
        result = _tile(self.result, "result")
        _expect_space(result, "a loaded tile", MemorySpace.UB, MemorySpace.L1)
        _verify_gm_access(self, memref_type, result, self.offsets, self.valid)


@irdl_op_definition
class StoreOp(IRDLOperation):
    """
    Store a UB or L0C tile to a GM memref at (row, column) offsets (MTE3 / fixpipe).

    ``atomic add`` adds the tile to what GM holds instead of overwriting it: the
    split-K slices of the cube form meet in GM this way.  ``valid(%r, %c)`` stores
    only the top-left ``r x c`` part (the rows of a padded batch that exist).

    ```mlir
    tile.store %acc, %y[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
    tile.store %acc, %y[%c0, %n0] valid(%c1, %c256) atomic add
        : !tile.tile<16x256xf32, l0c> -> memref<1x1024xf32>
    ```
    """

    name = "tile.store"

    value = operand_def(TileType)
    dest = operand_def(MemRefType)
    offsets = var_operand_def(IndexType)
    valid = var_operand_def(IndexType)
    atomic = opt_prop_def(AtomicKindAttr)

    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    traits = traits_def(MemoryWriteEffect(), _MTE)

    assembly_format = (
        "$value `,` $dest `[` $offsets `]` (`valid` `(` $valid^ `)`)? "
        "(`atomic` $atomic^)? attr-dict `:` type($value) `->` type($dest)"
    )

    def __init__(
        self,
        value: SSAValue | Operation,
        dest: SSAValue | Operation,
        offsets: Sequence[SSAValue | Operation],
        valid: Sequence[SSAValue | Operation] = (),
        atomic: AtomicKind | None = None,
    ):
        super().__init__(
            operands=[value, dest, offsets, valid],
            properties={"atomic": AtomicKindAttr(atomic)} if atomic else {},
        )

    def verify_(self) -> None:
        value = _tile(self.value, "stored value")
        _expect_space(value, "a stored tile", MemorySpace.UB, MemorySpace.L0C)
        memref_type = _gm_memref(self.dest, "destination")
        _verify_gm_access(self, memref_type, value, self.offsets, self.valid)


# On-chip paths a tile.move may take on some target (MTE1: L1 -> L0A | L0B on
# every Ascend; Ascend950 also L0C -> UB, UB -> L1, L1 -> UB).  Which of them a
# chip has is the target table's `data_paths`, checked by check-target.
ON_CHIP_PATHS: frozenset[tuple[MemorySpace, MemorySpace]] = frozenset(
    {
        (MemorySpace.L1, MemorySpace.L0A),
        (MemorySpace.L1, MemorySpace.L0B),
        (MemorySpace.L0C, MemorySpace.UB),
        (MemorySpace.UB, MemorySpace.L1),
        (MemorySpace.L1, MemorySpace.UB),
    }
)


@irdl_op_definition
class MoveOp(IRDLOperation):
    """
    Move a block of an on-chip tile to another on-chip buffer, without going
    through GM.

    The common move is L1 -> L0A (left operand) or L0B (right operand) on MTE1.
    Ascend950 adds L0C -> UB (fixpipe) and UB <-> L1 hand-offs between the cube
    and vector sides; the verifier accepts every on-chip path some modelled
    target has (``ON_CHIP_PATHS``), and ``check-target`` rejects the ones the
    chosen target lacks.  The offsets select the block's top-left element in the
    source tile; the result type gives its shape.

    ```mlir
    %b_l0 = tile.move %b_l1[%kk, %c0]
        : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
    ```
    """

    name = "tile.move"

    source = operand_def(TileType)
    offsets = var_operand_def(IndexType)
    result = result_def(TileType)

    traits = traits_def(Pure(), _MTE)

    assembly_format = "$source `[` $offsets `]` attr-dict `:` type($source) `->` type($result)"

    def __init__(
        self,
        source: SSAValue | Operation,
        offsets: Sequence[SSAValue | Operation],
        result_type: TileType,
    ):
        super().__init__(operands=[source, offsets], result_types=[result_type])

    def verify_(self) -> None:
        source = _tile(self.source, "source")
        result = _tile(self.result, "result")
        path = (source.memory_space, result.memory_space)
        if path not in ON_CHIP_PATHS:
            legal = ", ".join(f"{a.value} -> {b.value}" for a, b in sorted(ON_CHIP_PATHS))
            raise VerifyException(
                f"no on-chip move from {path[0].value} to {path[1].value} on any target "
                f"(moves: {legal}; other data go through GM with tile.store and tile.load)"
            )
        _expect_same_element_type(source, result, "a move does not convert")
        if len(self.offsets) != 2:
            raise VerifyException(
                f"expected 2 offsets (row, column) into the source tile, got {len(self.offsets)}"
            )
        if result.rows > source.rows or result.cols > source.cols:
            raise VerifyException(f"moved block {result} is larger than its source {source}")


# --------------------------------------------------------------------------- #
# Cube
# --------------------------------------------------------------------------- #

# Input element type -> the accumulator element type the cube's MMAD produces.
# This is the ISA's pairing, the same on every target modelled here (pto-isa
# TMatmul.hpp); check-target also checks them against the target table.
CUBE_ACCUMULATOR: dict[str, str] = {"bf16": "f32", "f16": "f32", "i8": "i32", "f32": "f32"}


def _verify_cube(lhs: TileType, rhs: TileType, result: TileType) -> None:
    _expect_space(lhs, "the left operand of a matmul", MemorySpace.L0A)
    _expect_space(rhs, "the right operand of a matmul", MemorySpace.L0B)
    _expect_space(result, "the result of a matmul", MemorySpace.L0C)
    if lhs.cols != rhs.rows:
        raise VerifyException(
            f"contraction extents differ: {lhs} x {rhs} ({lhs.cols} != {rhs.rows})"
        )
    if (result.rows, result.cols) != (lhs.rows, rhs.cols):
        raise VerifyException(f"result {result} must be {lhs.rows}x{rhs.cols} for {lhs} x {rhs}")
    _expect_same_element_type(lhs, rhs, "matmul operands")
    lhs_name, acc_name = dtype_name(lhs.element_type), dtype_name(result.element_type)
    expected = CUBE_ACCUMULATOR.get(lhs_name)
    if expected is None or expected != acc_name:
        pairs = ", ".join(f"{i} -> {o}" for i, o in CUBE_ACCUMULATOR.items())
        raise VerifyException(
            f"the cube has no {lhs_name} x {lhs_name} -> {acc_name} matmul; legal pairs: {pairs}"
        )


@irdl_op_definition
class MatmulOp(IRDLOperation):
    """
    Cube matmul L0A x L0B -> L0C, starting a fresh accumulator.

    bf16 (or f16) inputs accumulate in f32; i8 in i32.

    ```mlir
    %acc = tile.matmul %a, %b : !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b>
        -> !tile.tile<16x256xf32, l0c>
    ```
    """

    name = "tile.matmul"

    lhs = operand_def(TileType)
    rhs = operand_def(TileType)
    result = result_def(TileType)

    traits = traits_def(Pure(), _CUBE)

    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)"

    def __init__(self, lhs: SSAValue | Operation, rhs: SSAValue | Operation, result_type: TileType):
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        _verify_cube(_tile(self.lhs, "lhs"), _tile(self.rhs, "rhs"), _tile(self.result, "result"))


@irdl_op_definition
class MatmulAccOp(IRDLOperation):
    """
    Cube matmul accumulating into an L0C tile: ``result = acc + lhs x rhs``.

    ```mlir
    %acc1 = tile.matmul_acc %acc0, %a, %b : !tile.tile<16x256xf32, l0c>,
        !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
    ```
    """

    name = "tile.matmul_acc"

    acc = operand_def(TileType)
    lhs = operand_def(TileType)
    rhs = operand_def(TileType)
    result = result_def(TileType)

    traits = traits_def(Pure(), _CUBE)

    assembly_format = (
        "$acc `,` $lhs `,` $rhs attr-dict `:` type($acc) `,` type($lhs) `,` "
        "type($rhs) `->` type($result)"
    )

    def __init__(
        self,
        acc: SSAValue | Operation,
        lhs: SSAValue | Operation,
        rhs: SSAValue | Operation,
    ):
        super().__init__(operands=[acc, lhs, rhs], result_types=[SSAValue.get(acc).type])

    def verify_(self) -> None:
        acc = _tile(self.acc, "accumulator")
        result = _tile(self.result, "result")
        if acc != result:
            raise VerifyException(f"result {result} must have the accumulator's type {acc}")
        _verify_cube(_tile(self.lhs, "lhs"), _tile(self.rhs, "rhs"), result)


# --------------------------------------------------------------------------- #
# Vector (AIV): every operand and result lives in UB.
# --------------------------------------------------------------------------- #


def _ub(value: SSAValue, what: str) -> TileType:
    t = _tile(value, what)
    _expect_space(t, f"{what} of a vector op", MemorySpace.UB)
    return t


@irdl_op_definition
class FullOp(IRDLOperation):
    """
    A UB tile with every element set to a constant.

    ```mlir
    %zero = tile.full 0.000000e+00 : !tile.tile<1x16xf32, ub>
    ```
    """

    name = "tile.full"

    value = prop_def(FloatAttr | IntegerAttr)
    result = result_def(TileType)

    traits = traits_def(Pure(), _VECTOR)

    def __init__(self, value: FloatAttr | IntegerAttr, result_type: TileType):
        super().__init__(properties={"value": value}, result_types=[result_type])

    @classmethod
    def get(cls, value: float, result_type: TileType) -> FullOp:
        """A tile of ``result_type`` filled with ``value`` (typed by its elements)."""
        element = result_type.element_type
        if isa(element, IntegerType):
            return cls(IntegerAttr(int(value), element), result_type)
        assert isinstance(element, AnyFloat)
        return cls(FloatAttr(float(value), element), result_type)

    # `tile.full 0.0 : !tile.tile<...>`: the literal takes the tile's element type,
    # as in `arith.constant 0.0 : f32`.  A declarative `$value` cannot do this: it
    # would read `0.0 : !tile.tile<...>` as a float attribute typed by the tile.
    @classmethod
    def parse(cls, parser: Parser) -> FullOp:
        pos = parser.pos
        value = parser.parse_number(context_msg=" (the fill value of tile.full)")
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        result_type = parser.parse_type()
        if not isinstance(result_type, TileType):
            parser.raise_error(f"tile.full makes a !tile.tile, got {result_type}", pos)
        element = result_type.element_type
        if isinstance(element, IntegerType) and isinstance(value, float):
            parser.raise_error(
                f"fill value {value} is not an integer, the tile holds {element}", pos
            )
        op = cls.get(value, result_type)
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        value = self.value
        if isinstance(value, IntegerAttr):
            printer.print_int(value.value.data)
        else:
            printer.print_float(value.value.data, value.type)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        result = _ub(self.result, "result")
        value_type = self.value.type
        if value_type != result.element_type:
            raise VerifyException(
                f"fill value has type {value_type}, tile {result} holds {result.element_type}"
            )


@irdl_op_definition
class CastOp(IRDLOperation):
    """
    Convert every element to another element type; shape and layout are kept.

    Float to float conversions round to nearest even.

    ```mlir
    %w_f32 = tile.cast %w_blk : !tile.tile<1024x16xbf16, ub> -> !tile.tile<1024x16xf32, ub>
    ```
    """

    name = "tile.cast"

    source = operand_def(TileType)
    result = result_def(TileType)

    traits = traits_def(Pure(), _VECTOR)

    assembly_format = "$source attr-dict `:` type($source) `->` type($result)"

    def __init__(self, source: SSAValue | Operation, element_type: Attribute):
        source_type = SSAValue.get(source).type
        assert isinstance(source_type, TileType)
        super().__init__(
            operands=[source], result_types=[source_type.with_element_type(element_type)]
        )

    def verify_(self) -> None:
        source = _ub(self.source, "source")
        result = _ub(self.result, "result")
        if source.get_shape() != result.get_shape() or source.layout != result.layout:
            raise VerifyException(f"a cast keeps shape and layout: {source} -> {result}")


@irdl_op_definition
class TransposeOp(IRDLOperation):
    """
    Transpose a row-major [M, N] tile into a row-major [N, M] tile.

    Each column of the source becomes a contiguous row: the way the AIV form
    turns a column slice of W, which the vector TLOAD cannot fetch, into rows.

    ```mlir
    %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
    ```
    """

    name = "tile.transpose"

    source = operand_def(TileType)
    result = result_def(TileType)

    traits = traits_def(Pure(), _VECTOR)

    assembly_format = "$source attr-dict `:` type($source) `->` type($result)"

    def __init__(self, source: SSAValue | Operation):
        st = SSAValue.get(source).type
        assert isinstance(st, TileType)
        super().__init__(
            operands=[source],
            result_types=[TileType((st.cols, st.rows), st.element_type, st.space)],
        )

    def verify_(self) -> None:
        source = _ub(self.source, "source")
        result = _ub(self.result, "result")
        _expect_row_major(source, "the source of a transpose")
        _expect_row_major(result, "the result of a transpose")
        _expect_same_element_type(source, result, "a transpose does not convert")
        if (result.rows, result.cols) != (source.cols, source.rows):
            raise VerifyException(
                f"transpose of {source} must be {source.cols}x{source.rows}, got {result}"
            )


@irdl_op_definition
class ColExpandOp(IRDLOperation):
    """
    Broadcast a [1, C] row over the R rows of the result: every row is a copy.

    ```mlir
    %x_rows = tile.col_expand %x_f32 : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
    ```
    """

    name = "tile.col_expand"

    source = operand_def(TileType)
    result = result_def(TileType)

    traits = traits_def(Pure(), _VECTOR)

    assembly_format = "$source attr-dict `:` type($source) `->` type($result)"

    def __init__(self, source: SSAValue | Operation, rows: int):
        st = SSAValue.get(source).type
        assert isinstance(st, TileType)
        super().__init__(
            operands=[source],
            result_types=[TileType((rows, st.cols), st.element_type, st.space)],
        )

    def verify_(self) -> None:
        source = _ub(self.source, "source")
        result = _ub(self.result, "result")
        _expect_row_major(source, "the source of col_expand")
        _expect_row_major(result, "the result of col_expand")
        _expect_same_element_type(source, result, "col_expand does not convert")
        if source.rows != 1 or source.cols != result.cols:
            raise VerifyException(
                f"col_expand broadcasts a [1, {result.cols}] row into {result}, got source {source}"
            )


def _verify_elementwise(op: IRDLOperation, lhs: SSAValue, rhs: SSAValue) -> None:
    lt, rt = _ub(lhs, "lhs"), _ub(rhs, "rhs")
    res = _ub(op.results[0], "result")
    fix = "; reshape a row_sum result [R, 1] to [1, R] first"
    _expect_row_major(lt, "lhs", fix)
    _expect_row_major(rt, "rhs", fix)
    if not (lt == rt == res):
        raise VerifyException(f"operands and result must have one type, got {lt}, {rt} -> {res}")


@irdl_op_definition
class ColExpandMulOp(IRDLOperation):
    """
    Multiply each row of an [R, C] tile by a [1, C] row, elementwise.

    The batch form of the AIV projection uses it to multiply the x block
    [B, KC] by one transposed W column ``wT[n, :]``.

    ```mlir
    %prod = tile.col_expand_mul %x_f32, %w_row
        : !tile.tile<16x512xf32, ub>, !tile.tile<1x512xf32, ub> -> !tile.tile<16x512xf32, ub>
    ```
    """

    name = "tile.col_expand_mul"

    lhs = operand_def(TileType)
    rhs = operand_def(TileType)
    result = result_def(TileType)

    traits = traits_def(Pure(), _VECTOR)

    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)"

    def __init__(self, lhs: SSAValue | Operation, rhs: SSAValue | Operation):
        super().__init__(operands=[lhs, rhs], result_types=[SSAValue.get(lhs).type])

    def verify_(self) -> None:
        lt, rt = _ub(self.lhs, "lhs"), _ub(self.rhs, "rhs")
        res = _ub(self.result, "result")
        _expect_row_major(lt, "lhs")
        _expect_row_major(rt, "rhs")
        _expect_same_element_type(lt, rt, "col_expand_mul operands")
        if rt.rows != 1 or rt.cols != lt.cols:
            raise VerifyException(f"rhs must be a [1, {lt.cols}] row for lhs {lt}, got {rt}")
        if res != lt:
            raise VerifyException(f"result must have the lhs type {lt}, got {res}")


@irdl_op_definition
class MulOp(IRDLOperation):
    """
    Elementwise product of two row-major UB tiles of one type.

    ```mlir
    %prod = tile.mul %w_t, %x_rows : !tile.tile<16x1024xf32, ub>
    ```
    """

    name = "tile.mul"

    T: ClassVar = VarConstraint("T", base(TileType))

    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)

    traits = traits_def(Pure(), _VECTOR)

    assembly_format = "$lhs `,` $rhs attr-dict `:` type($result)"

    def __init__(self, lhs: SSAValue | Operation, rhs: SSAValue | Operation):
        super().__init__(operands=[lhs, rhs], result_types=[SSAValue.get(lhs).type])

    def verify_(self) -> None:
        _verify_elementwise(self, self.lhs, self.rhs)


@irdl_op_definition
class AddOp(IRDLOperation):
    """
    Elementwise sum of two row-major UB tiles of one type.

    ```mlir
    %acc_next = tile.add %acc, %part_row : !tile.tile<1x16xf32, ub>
    ```
    """

    name = "tile.add"

    T: ClassVar = VarConstraint("T", base(TileType))

    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)

    traits = traits_def(Pure(), _VECTOR)

    assembly_format = "$lhs `,` $rhs attr-dict `:` type($result)"

    def __init__(self, lhs: SSAValue | Operation, rhs: SSAValue | Operation):
        super().__init__(operands=[lhs, rhs], result_types=[SSAValue.get(lhs).type])

    def verify_(self) -> None:
        _verify_elementwise(self, self.lhs, self.rhs)


@irdl_op_definition
class RowSumOp(IRDLOperation):
    """
    Sum each row of a row-major [R, C] tile into a column-major [R, 1] tile.

    The result is column-major, as on the hardware: reshape it to [1, R] (free,
    same bytes) before elementwise ops.  On A2/A3 the op needs a scratch buffer
    the size of its input; the memory plan accounts for it.

    ```mlir
    %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
    ```
    """

    name = "tile.row_sum"

    source = operand_def(TileType)
    result = result_def(TileType)

    traits = traits_def(Pure(), _VECTOR)

    assembly_format = "$source attr-dict `:` type($source) `->` type($result)"

    def __init__(self, source: SSAValue | Operation):
        st = SSAValue.get(source).type
        assert isinstance(st, TileType)
        super().__init__(
            operands=[source],
            result_types=[TileType((st.rows, 1), st.element_type, st.space, Layout.COL_MAJOR)],
        )

    def verify_(self) -> None:
        source = _ub(self.source, "source")
        result = _ub(self.result, "result")
        _expect_row_major(source, "the source of row_sum")
        _expect_same_element_type(source, result, "row_sum keeps the element type")
        if (result.rows, result.cols) != (source.rows, 1) or result.is_row_major:
            raise VerifyException(
                f"row_sum of {source} produces a col_major [{source.rows}, 1] tile, got {result}"
            )


def _linear_order_kept(source: TileType, result: TileType) -> bool:
    """
    Whether reinterpreting ``source``'s buffer as ``result`` keeps element order.

    A reshape is a new view of the same bytes, so the i-th element in memory of the
    source must be the i-th of the result.  That holds when both orders agree: for a
    tile with one row or one column the layout does not matter.
    """

    def order(t: TileType) -> Layout | None:
        return None if t.rows == 1 or t.cols == 1 else t.tile_layout

    so, ro = order(source), order(result)
    return so is None or ro is None or so == ro


@irdl_op_definition
class ReshapeOp(IRDLOperation):
    """
    View a UB tile's bytes with another shape or layout (free: no data move).

    The element count, element type and the order of elements in memory are kept;
    the common use turns row_sum's col_major [R, 1] into a row_major [1, R].

    ```mlir
    %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
    ```
    """

    name = "tile.reshape"

    source = operand_def(TileType)
    result = result_def(TileType)

    traits = traits_def(Pure(), _VECTOR)

    assembly_format = "$source attr-dict `:` type($source) `->` type($result)"

    def __init__(self, source: SSAValue | Operation, result_type: TileType):
        super().__init__(operands=[source], result_types=[result_type])

    def verify_(self) -> None:
        source = _ub(self.source, "source")
        result = _ub(self.result, "result")
        _expect_same_element_type(source, result, "a reshape does not convert")
        if source.element_count() != result.element_count():
            raise VerifyException(
                f"a reshape keeps the element count: {source} has "
                f"{source.element_count()}, {result} has {result.element_count()}"
            )
        if not _linear_order_kept(source, result):
            raise VerifyException(
                f"{source} -> {result} would reorder elements in memory; a reshape "
                "is a view of the same bytes (use tile.transpose to reorder)"
            )


@irdl_op_definition
class ExtractOp(IRDLOperation):
    """
    View a sub-tile of a row-major UB tile at (row, column) offsets (no data move).

    The batch AIV form reads one transposed W column ``wT[n, :]`` this way.

    ```mlir
    %w_row = tile.extract %w_t[%n, %c0] : !tile.tile<16x512xf32, ub> -> !tile.tile<1x512xf32, ub>
    ```
    """

    name = "tile.extract"

    source = operand_def(TileType)
    offsets = var_operand_def(IndexType)
    result = result_def(TileType)

    traits = traits_def(Pure(), _VECTOR)

    assembly_format = "$source `[` $offsets `]` attr-dict `:` type($source) `->` type($result)"

    def __init__(
        self,
        source: SSAValue | Operation,
        offsets: Sequence[SSAValue | Operation],
        result_type: TileType,
    ):
        super().__init__(operands=[source, offsets], result_types=[result_type])

    def verify_(self) -> None:
        source = _ub(self.source, "source")
        result = _ub(self.result, "result")
        _expect_row_major(source, "the source of extract")
        _expect_row_major(result, "the result of extract")
        _expect_same_element_type(source, result, "extract does not convert")
        if len(self.offsets) != 2:
            raise VerifyException(f"expected 2 offsets (row, column), got {len(self.offsets)}")
        if result.rows > source.rows or result.cols > source.cols:
            raise VerifyException(f"extracted {result} is larger than {source}")


@irdl_op_definition
class InsertOp(IRDLOperation):
    """
    A copy of ``dest`` with ``source`` written at (row, column) offsets.

    The batch AIV form inserts each column's [B, 1] row_sum into the [B, NV]
    accumulator; the memory plan updates ``dest``'s buffer in place.

    ```mlir
    %acc1 = tile.insert %part into %acc[%c0, %n]
        : !tile.tile<16x1xf32, ub, col_major> into !tile.tile<16x16xf32, ub>
    ```
    """

    name = "tile.insert"

    T: ClassVar = VarConstraint("T", base(TileType))

    source = operand_def(TileType)
    dest = operand_def(T)
    offsets = var_operand_def(IndexType)
    result = result_def(T)

    traits = traits_def(Pure(), _VECTOR)

    assembly_format = (
        "$source `into` $dest `[` $offsets `]` attr-dict `:` type($source) `into` type($dest)"
    )

    def __init__(
        self,
        source: SSAValue | Operation,
        dest: SSAValue | Operation,
        offsets: Sequence[SSAValue | Operation],
    ):
        super().__init__(operands=[source, dest, offsets], result_types=[SSAValue.get(dest).type])

    def verify_(self) -> None:
        source = _ub(self.source, "source")
        dest = _ub(self.dest, "dest")
        _expect_row_major(dest, "the destination of insert")
        _expect_same_element_type(source, dest, "insert does not convert")
        if self.result.type != dest:
            raise VerifyException(
                f"result must have the destination's type {dest}, got {self.result.type}"
            )
        if len(self.offsets) != 2:
            raise VerifyException(f"expected 2 offsets (row, column), got {len(self.offsets)}")
        if source.rows > dest.rows or source.cols > dest.cols:
            raise VerifyException(f"inserted {source} is larger than {dest}")


# --------------------------------------------------------------------------- #
# Structure
# --------------------------------------------------------------------------- #


@irdl_op_definition
class TaskOp(IRDLOperation):
    """
    A region that one core of one unit runs: an AIV (``vector``) or AIC (``cube``)
    task.

    Tasks launched by one ``scf.parallel`` are independent and may run on
    different cores; on-chip tiles never cross a task boundary (the memory plan
    of each task is separate), and tasks communicate only through GM.

    ```mlir
    scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
      tile.task vector "k_proj" {
        ...
      }
      scf.reduce
    }
    ```
    """

    name = "tile.task"

    unit = prop_def(UnitAttr)
    task_name = prop_def(StringAttr)
    body = region_def("single_block")

    traits = traits_def(NoTerminator(), RecursiveMemoryEffect())

    def __init__(self, unit: Unit, task_name: str, body: Region | None = None):
        super().__init__(
            properties={"unit": UnitAttr(unit), "task_name": StringAttr(task_name)},
            regions=[Region(Block()) if body is None else body],
        )

    # Custom syntax rather than a declarative format: an empty `{ }` body must
    # still be one (empty) block, which the declarative region directive does
    # not create.
    @classmethod
    def parse(cls, parser: Parser) -> TaskOp:
        unit = parser.parse_str_enum(Unit)
        task_name = parser.parse_str_literal(" (the task's name)")
        attrs = parser.parse_optional_attr_dict_with_keyword()
        body = parser.parse_region()
        if not body.blocks:
            body.add_block(Block())
        op = cls(unit, task_name, body)
        if attrs is not None:
            op.attributes |= attrs.data
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.task_unit.value} ")
        printer.print_string_literal(self.task_name.data)
        if self.attributes:
            printer.print_string(" attributes ")
            printer.print_attr_dict(self.attributes)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False)

    @property
    def task_unit(self) -> Unit:
        return self.unit.data

    def verify_(self) -> None:
        if self.task_unit == Unit.MTE:
            raise VerifyException(
                "a task runs on a core: unit must be 'cube' (AIC) or 'vector' (AIV)"
            )
        parent = self.parent_op()
        while parent is not None:
            if isinstance(parent, TaskOp):
                raise VerifyException("tasks do not nest")
            parent = parent.parent_op()
        for op in self.body.walk():
            for result in op.results:
                for use in result.uses:
                    if not self.is_ancestor(use.operation):
                        if isinstance(result.type, TileType):
                            raise VerifyException(
                                f"tile {result.type} made in task '{self.task_name.data}' "
                                "is used outside it; on-chip data leave a task only "
                                "through a tile.store to GM"
                            )


def is_on_chip_value(value: SSAValue) -> bool:
    """Whether an SSA value is a tile (lives in an on-chip buffer)."""
    return isinstance(value.type, TileType)


Tile = Dialect(
    "tile",
    [
        LoadOp,
        StoreOp,
        MoveOp,
        MatmulOp,
        MatmulAccOp,
        FullOp,
        CastOp,
        TransposeOp,
        ColExpandOp,
        ColExpandMulOp,
        MulOp,
        AddOp,
        RowSumOp,
        ReshapeOp,
        ExtractOp,
        InsertOp,
        TaskOp,
    ],
    [TileType, MemorySpaceAttr, LayoutAttr, UnitAttr, AtomicKindAttr],
)
