"""
What ``aiv-rowsum`` and ``cube-matmul`` share: recognising the ``linalg.matmul``
they lower, reading its ``tile.unit`` request, proving an output filled with a
constant, recognising what the PyTorch frontend wraps around a matmul, naming
tasks, and building located, readably named IR.

Both lowerings build their replacement detached from the module first (a
``LoweringBuilder`` appends to free-standing blocks and keeps the index
constants apart), so that a candidate can be inspected, measured or dropped
before anything in the user's function changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    AffineMapAttr,
    AnyFloat,
    ArrayAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    NoneAttr,
    StringAttr,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.linalg.attrs import IteratorType
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineMap
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.traits import is_side_effect_free

from qkv_opt.analysis.target_rules import check_tile_alignment
from qkv_opt.dialects.targets import Target
from qkv_opt.dialects.tile import (
    MemorySpace,
    MemorySpaceAttr,
    TaskOp,
    TileType,
    Unit,
    UnitAttr,
    dtype_name,
)
from qkv_opt.passes.check_target import check_target
from qkv_opt.utils.diagnostics import Severity, emit, error_at

OpT = TypeVar("OpT", bound=Operation)

UNIT_ATTR = "tile.unit"
"""The attribute on a ``linalg.matmul`` that asks for one unit: ``"cube"`` or ``"vector"``."""

ALIGN = 16
"""kc, tk, tn: multiples of 16 elements (32 B of bf16 / f16, the cube's 16-wide fractal)."""


# --------------------------------------------------------------------------- #
# The matmuls we lower
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class GmMatmul:
    """A ``linalg.matmul`` ``C[M, N] += A[M, K] * B[K, N]`` on static 2-D GM memrefs."""

    op: linalg.MatmulOp
    a: SSAValue
    b: SSAValue
    c: SSAValue
    m: int
    n: int
    k: int
    a_elem: Attribute
    b_elem: Attribute
    c_elem: Attribute

    @property
    def shape_str(self) -> str:
        a, b, c = (dtype_name(t) for t in (self.a_elem, self.b_elem, self.c_elem))
        return f"[{self.m}x{self.k}x{a}] x [{self.k}x{self.n}x{b}] -> [{self.m}x{self.n}x{c}]"


def _is_gm(t: MemRefType[Attribute]) -> bool:
    space = t.memory_space
    return isinstance(space, NoneAttr) or (
        isinstance(space, MemorySpaceAttr) and space.data == MemorySpace.GM
    )


_MATMUL_MAPS = ArrayAttr(
    [
        AffineMapAttr(AffineMap.from_callable(lambda i, _, k: (i, k))),
        AffineMapAttr(AffineMap.from_callable(lambda _, j, k: (k, j))),
        AffineMapAttr(AffineMap.from_callable(lambda i, j, _: (i, j))),
    ]
)
"""linalg.matmul's own maps: C[i, j] += A[i, k] * B[k, j]."""


def match_gm_matmul(op: linalg.MatmulOp) -> GmMatmul | str:
    """
    The matmul's operands and extents, or why it is not one we lower.

    We lower the plain named op on GM memrefs with static shapes and an identity
    layout: the tile loads address rows and columns of a dense row-major array.
    """
    if enclosing(op, TaskOp) is not None:
        return "it is inside a tile.task (the lowering makes tasks, and tasks do not nest)"
    if len(op.inputs) != 2 or len(op.outputs) != 1 or op.results:
        return "it is not a matmul on memrefs (tensor semantics are not lowered)"
    if op.indexing_maps != _MATMUL_MAPS:
        return "it has non-default indexing maps (a transposed or broadcast matmul)"
    values = (op.inputs[0], op.inputs[1], op.outputs[0])
    types: list[MemRefType[Attribute]] = []
    for what, value in zip(("A", "B", "C"), values):
        vt: Attribute = value.type
        if not isinstance(vt, MemRefType):
            return f"its {what} operand is {vt}, not a memref"
        # (isinstance, not xDSL's isa: isa re-derives the constraint on every call.)
        t = cast(MemRefType[Attribute], vt)
        if t.get_num_dims() != 2 or any(d < 0 for d in t.get_shape()):
            return f"its {what} operand {t} is not a static 2-D memref"
        if not _is_gm(t):
            return f"its {what} operand {t} is not in GM (no memory space or #tile<space gm>)"
        if not isinstance(t.layout, NoneAttr):
            return f"its {what} operand {t} has a non-identity layout"
        types.append(t)
    (m, k), (k2, n), (m2, n2) = (t.get_shape() for t in types)
    if k != k2 or m != m2 or n != n2:
        return f"its operand shapes {', '.join(str(t) for t in types)} do not form a matmul"
    return GmMatmul(
        op,
        *values,
        m,
        n,
        k,
        *(t.get_element_type() for t in types),  # pyright: ignore
    )


def erase_if_empty(mm: GmMatmul) -> bool:
    """
    Erase a matmul with a zero extent (M, N or K = 0), with a remark; whether it did.

    ``C += A * B`` with M or N = 0 has no element of C to write, and with K = 0
    adds an empty sum to every element: C is unchanged either way, so the exact
    lowering is no code at all (a tile cannot have a zero dimension).  What
    precedes the matmul (a ``linalg.fill`` of C, a transpose of W) is kept: it
    still has its own effect.
    """
    extents = [f"{axis} = 0" for axis, n in (("M", mm.m), ("N", mm.n), ("K", mm.k)) if n == 0]
    if not extents:
        return False
    emit(
        mm.op,
        Severity.REMARK,
        f"{mm.shape_str} has {' and '.join(extents)}: C += A * B leaves C unchanged, "
        "so the matmul is erased",
    )
    mm.op.detach()
    mm.op.erase()
    return True


def requested_unit(op: Operation) -> Unit | None:
    """The unit ``tile.unit`` asks for, None without the attribute; a bad value is an error."""
    attr = op.attributes.get(UNIT_ATTR)
    if attr is None:
        return None
    if isinstance(attr, UnitAttr) and attr.data in (Unit.CUBE, Unit.VECTOR):
        return attr.data
    if isinstance(attr, StringAttr) and attr.data in (Unit.CUBE.value, Unit.VECTOR.value):
        return Unit(attr.data)
    raise error_at(op, f'{UNIT_ATTR} must be "cube" or "vector", got {attr}')


def is_float(t: Attribute) -> bool:
    return isinstance(t, AnyFloat)


# --------------------------------------------------------------------------- #
# An output filled with a constant
# --------------------------------------------------------------------------- #


def fill_constant(fill: linalg.FillOp) -> float:
    """The value a ``fill_before`` fill writes (converted to C's type by the fill)."""
    owner = fill.inputs[0].owner
    assert isinstance(owner, arith.ConstantOp)
    attr = owner.value
    if isinstance(attr, FloatAttr | IntegerAttr):
        return float(attr.value.data)
    raise AssertionError("fill_before only returns fills of scalar constants")


def fill_before(op: Operation, c: SSAValue) -> linalg.FillOp | None:
    """
    The ``linalg.fill`` of a constant into ``c`` that ``op`` is the next reader of.

    The proof is local and conservative: the fill is in ``op``'s block and every
    op between them is free of memory effects (constants, index math), so
    nothing can read or write ``c`` (or an alias of it) in between.
    """
    prev = op.prev_op
    while prev is not None:
        if isinstance(prev, linalg.FillOp):
            return prev if _fills_with_constant(prev, c) else None
        if not is_side_effect_free(prev):
            return None
        prev = prev.prev_op
    return None


def _fills_with_constant(fill: linalg.FillOp, c: SSAValue) -> bool:
    if len(fill.outputs) != 1 or fill.outputs[0] is not c or fill.results:
        return False
    if len(fill.inputs) != 1:
        return False
    owner = fill.inputs[0].owner
    return isinstance(owner, arith.ConstantOp) and isinstance(owner.value, FloatAttr | IntegerAttr)


def erase_fill(fill: linalg.FillOp) -> None:
    """Erase a fill the lowering made dead, and its constant when nothing else uses it."""
    value = fill.inputs[0]
    fill.detach()
    fill.erase()
    owner = value.owner
    if not value.uses and isinstance(owner, arith.ConstantOp):
        owner.detach()
        owner.erase()


# --------------------------------------------------------------------------- #
# What the PyTorch frontend wraps around a matmul
# --------------------------------------------------------------------------- #
#
# torch-mlir lowers ``nn.Linear`` (``y = x @ W^T``, W stored [N, K]) to a
# ``linalg.transpose`` of W into a fresh buffer before the ``linalg.matmul``, and
# a bf16 ``nn.Linear`` to a matmul into a zero-filled f32 buffer followed by an
# elementwise ``linalg.generic`` that truncates it into the bf16 result.  The
# row-sum form wants W's [N, K] rows (they are the transposed blocks it builds on
# chip) and can round its f32 accumulator before the store, so it absorbs both.


def _is_alloc(value: SSAValue) -> bool:
    return isinstance(value.owner, memref.AllocOp)


def _only_fresh_writes(
    op: Operation, protected: Sequence[SSAValue], output: SSAValue | None = None
) -> bool:
    """
    Whether ``op`` cannot touch ``protected`` memory: it is free of effects, an
    allocation, or a fill of a fresh allocation (which aliases nothing else) or
    of the matmul's own ``output`` (the lowerings, like the matmul, take C not to
    alias its inputs).
    """
    if is_side_effect_free(op) or isinstance(op, memref.AllocOp):
        return True
    if isinstance(op, linalg.FillOp):
        return all(
            (o is output or _is_alloc(o)) and all(o is not p for p in protected) for o in op.outputs
        )
    return False


def _between(first: Operation, last: Operation) -> list[Operation] | None:
    """The ops strictly between two ops of one block, or None if not in that order."""
    if first.parent is not last.parent or first.parent is None:
        return None
    ops: list[Operation] = []
    op = first.next_op
    while op is not None and op is not last:
        ops.append(op)
        op = op.next_op
    return ops if op is last else None


def _users_besides(value: SSAValue, *allowed: Operation) -> list[Operation]:
    """Users of ``value`` other than ``allowed`` and ``memref.dealloc``s."""
    users = {id(u.operation): u.operation for u in value.uses}
    return [
        u
        for u in users.values()
        if all(u is not a for a in allowed) and not isinstance(u, memref.DeallocOp)
    ]


def _deallocs(value: SSAValue) -> list[Operation]:
    return [u.operation for u in value.uses if isinstance(u.operation, memref.DeallocOp)]


@dataclass(frozen=True)
class TransposedWeight:
    """``B = transpose(W)`` into a buffer only the matmul reads: W [N, K] is the source."""

    rows: SSAValue
    """W as [N, K]: row n is output column n."""
    transpose: linalg.TransposeOp

    def erase(self, b: SSAValue) -> None:
        """Erase the transpose, then ``b``'s buffer if nothing else uses it."""
        self.transpose.detach()
        self.transpose.erase()
        erase_buffer(b)


def transposed_weight(mm: GmMatmul) -> TransposedWeight | None:
    """
    The [N, K] source of ``mm``'s B when B is a fresh buffer holding its transpose.

    The transpose must precede the matmul in its block with nothing in between
    that can write W or B (only effect-free ops, allocations and fills of other
    fresh buffers), and nothing but the transpose, the matmul and deallocs may
    use B.
    """
    if not _is_alloc(mm.b):
        return None
    writers = [u.operation for u in mm.b.uses if isinstance(u.operation, linalg.TransposeOp)]
    if len(writers) != 1:
        return None
    transpose = writers[0]
    if _users_besides(mm.b, transpose, mm.op):
        return None
    if len(transpose.inputs) != 1 or len(transpose.outputs) != 1 or transpose.res:
        return None
    if transpose.outputs[0] is not mm.b or tuple(transpose.permutation.get_values()) != (1, 0):
        return None
    source = transpose.inputs[0]
    st = source.type
    if not isinstance(st, MemRefType) or not isinstance(st.layout, NoneAttr):
        return None
    source_type = cast(MemRefType[Attribute], st)
    if source_type.get_shape() != (mm.n, mm.k) or not _is_gm(source_type):
        return None
    if source_type.get_element_type() != mm.b_elem or source is mm.c:
        return None
    between = _between(transpose, mm.op)
    if between is None or not all(_only_fresh_writes(op, (source, mm.b), mm.c) for op in between):
        return None
    return TransposedWeight(source, transpose)


@dataclass(frozen=True)
class CastEpilogue:
    """
    ``out = convert(C)`` elementwise right after the matmul, C a fresh buffer
    that is filled with a constant, multiplied into and read only by the
    conversion: the lowering stores its accumulator, converted, into ``out``.
    """

    generic: linalg.GenericOp
    out: SSAValue
    out_elem: Attribute

    def erase(self, c: SSAValue) -> None:
        """Erase the conversion, then C's buffer (its fill and matmul are gone)."""
        self.generic.detach()
        self.generic.erase()
        erase_buffer(c)


def _identity_2d(maps: ArrayAttr[AffineMapAttr]) -> bool:
    return all(m.data == AffineMap.identity(2) for m in maps.data)


def cast_epilogue(mm: GmMatmul, fill: linalg.FillOp | None) -> CastEpilogue | None:
    """The conversion ``linalg.generic`` the matmul's C feeds, when it can be absorbed."""
    if fill is None or not _is_alloc(mm.c):
        return None
    generics = [u.operation for u in mm.c.uses if isinstance(u.operation, linalg.GenericOp)]
    if len(generics) != 1:
        return None
    generic = generics[0]
    if _users_besides(mm.c, fill, mm.op, generic):
        return None
    if len(generic.inputs) != 1 or generic.inputs[0] is not mm.c or len(generic.outputs) != 1:
        return None
    if generic.res or not _identity_2d(generic.indexing_maps) or len(generic.indexing_maps) != 2:
        return None
    if not all(t.data == IteratorType.PARALLEL for t in generic.iterator_types.data):
        return None
    out = generic.outputs[0]
    ot = out.type
    if not isinstance(ot, MemRefType) or not isinstance(ot.layout, NoneAttr):
        return None
    out_type = cast(MemRefType[Attribute], ot)
    if out_type.get_shape() != (mm.m, mm.n) or not _is_gm(out_type):
        return None
    out_elem = out_type.get_element_type()
    if not _is_conversion_body(generic.body.block, mm.c_elem, out_elem):
        return None
    between = _between(mm.op, generic)
    if between is None or not all(_only_fresh_writes(op, (mm.c, out)) for op in between):
        return None
    return CastEpilogue(generic, out, out_elem)


def _is_conversion_body(block: Block, src: Attribute, dst: Attribute) -> bool:
    """``^bb(%in: src, %out: dst): %v = truncf/extf %in; linalg.yield %v`` (or yield %in)."""
    ops = list(block.ops)
    if len(block.args) != 2 or block.args[0].type != src or block.args[1].type != dst:
        return False
    yielded = ops[-1] if ops else None
    if not isinstance(yielded, linalg.YieldOp) or len(yielded.operands) != 1:
        return False
    if len(ops) == 1:
        return src == dst and yielded.operands[0] is block.args[0]
    if len(ops) != 2 or not isinstance(ops[0], arith.TruncFOp | arith.ExtFOp):
        return False
    conv = ops[0]
    return conv.input is block.args[0] and yielded.operands[0] is conv.result


def erase_buffer(value: SSAValue) -> None:
    """Erase a ``memref.alloc`` and its deallocs once nothing else uses it."""
    owner = value.owner
    if not isinstance(owner, memref.AllocOp):
        return
    if any(not isinstance(u.operation, memref.DeallocOp) for u in value.uses):
        return
    for dealloc in _deallocs(value):
        dealloc.detach()
        dealloc.erase()
    owner.detach()
    owner.erase()


# --------------------------------------------------------------------------- #
# Task names
# --------------------------------------------------------------------------- #


@dataclass
class TaskNamer:
    """
    ``<func>_<i>``: the task of the i-th ``linalg.matmul`` of a function.

    i is the matmul's position among the function's matmuls when the pass
    starts, so in ``qkv_proj`` Q, K and V are ``_0``, ``_1``, ``_2`` whichever
    pass lowers them; a name another task already has is skipped.
    """

    taken: set[str] = field(default_factory=lambda: set[str]())
    position: dict[int, tuple[str, int]] = field(
        default_factory=lambda: dict[int, tuple[str, int]]()
    )

    @staticmethod
    def for_module(module: ModuleOp) -> TaskNamer:
        namer = TaskNamer()
        counts: dict[str, int] = {}
        for op in module.walk():
            if isinstance(op, TaskOp):
                namer.taken.add(op.task_name.data)
            elif isinstance(op, linalg.MatmulOp):
                parent = enclosing(op, func.FuncOp)
                base = parent.sym_name.data if parent is not None else "task"
                namer.position[id(op)] = (base, counts.get(base, 0))
                counts[base] = counts.get(base, 0) + 1
        return namer

    def next(self, op: Operation) -> str:
        base, i = self.position.get(id(op), ("task", 0))
        while any(n == f"{base}_{i}" or n.startswith(f"{base}_{i}_") for n in self.taken):
            i += 1
        name = f"{base}_{i}"
        self.taken.add(name)
        return name


# --------------------------------------------------------------------------- #
# Building located, named IR off to the side
# --------------------------------------------------------------------------- #


@dataclass
class IndexConstants:
    """
    ``arith.constant N : index`` ops, one per value.

    ``for_function`` reuses the index constants already at the top of the
    function's entry block, so the lowerings of several matmuls (in one pass or
    in two) share one ``%c0``.  New constants stay detached until ``place``.
    """

    location: Attribute
    ops: dict[int, arith.ConstantOp] = field(default_factory=lambda: dict[int, arith.ConstantOp]())
    """Constants made here and not placed yet."""
    existing: dict[int, SSAValue] = field(default_factory=lambda: dict[int, SSAValue]())
    """Constants already in the function, reused."""
    entry: Block | None = None
    """Where ``place`` puts new constants: the function's entry block."""

    @staticmethod
    def for_function(op: Operation) -> IndexConstants:
        consts = IndexConstants(op.location)
        fn = enclosing(op, func.FuncOp)
        if fn is None or fn.body.blocks.first is None:
            return consts
        consts.entry = fn.body.blocks.first
        for top in consts.entry.ops:
            if not isinstance(top, arith.ConstantOp):
                break
            value = top.value
            if isinstance(top.result.type, IndexType) and isinstance(value, IntegerAttr):
                consts.existing.setdefault(value.value.data, top.result)
        return consts

    def get(self, value: int) -> SSAValue:
        if value in self.existing:
            return self.existing[value]
        if value not in self.ops:
            op = arith.ConstantOp.from_int_and_width(value, IndexType())
            op.location = self.location  # pyright: ignore[reportAttributeAccessIssue]
            op.result.name_hint = f"c{value}"
            self.ops[value] = op
        return self.ops[value].result

    def take(self) -> list[arith.ConstantOp]:
        """The new constants in increasing value, leaving this set empty."""
        ops = [self.ops[v] for v in sorted(self.ops)]
        self.ops = {}
        return ops

    def place(self, anchor: Operation) -> None:
        """
        Put the new constants after the function's leading constants (so they
        dominate every use and the next lowering finds them), else before
        ``anchor``.
        """
        items = sorted(self.ops.items())
        self.ops = {}
        if self.entry is None:
            for _, op in items:
                Rewriter.insert_op(op, InsertPoint.before(anchor))
            return
        first = self.entry.first_op
        while isinstance(first, arith.ConstantOp):
            first = first.next_op
        for value, op in items:
            point = (
                InsertPoint.before(first) if first is not None else InsertPoint.at_end(self.entry)
            )
            Rewriter.insert_op(op, point)
            self.existing[value] = op.result


@dataclass
class LoweringBuilder:
    """Appends ops to a block; every op gets the lowered op's location and a name."""

    block: Block
    location: Attribute
    consts: IndexConstants

    def add(self, op: OpT, *names: str) -> OpT:
        op.location = self.location  # pyright: ignore[reportAttributeAccessIssue]
        for result, name in zip(op.results, names):
            result.name_hint = name
        self.block.add_op(op)
        return op

    def value(self, op: Operation, name: str) -> SSAValue:
        return self.add(op, name).results[0]

    def index(self, value: int) -> SSAValue:
        return self.consts.get(value)

    def nested(self, block: Block) -> LoweringBuilder:
        return LoweringBuilder(block, self.location, self.consts)

    # -- structured control flow ------------------------------------------ #

    def parallel(
        self, lb: SSAValue, ub: SSAValue, step: SSAValue, iv_name: str
    ) -> tuple[scf.ParallelOp, LoweringBuilder, SSAValue]:
        """An ``scf.parallel`` over one index; returns it, a builder for its body, the iv."""
        body = Block(arg_types=[IndexType()])
        body.args[0].name_hint = iv_name
        inner = self.nested(body)
        par = scf.ParallelOp([lb], [ub], [step], Region(body))
        self.add(par)
        return par, inner, body.args[0]

    def close_parallel(self) -> None:
        """End the body of an ``scf.parallel`` this builder fills."""
        self.add(scf.ReduceOp())

    def for_loop(
        self,
        lb: SSAValue,
        ub: SSAValue,
        step: SSAValue,
        iter_arg: SSAValue,
        iv_name: str,
        arg_name: str,
    ) -> tuple[Block, LoweringBuilder, SSAValue, SSAValue]:
        """The body of an ``scf.for`` with one iter_arg (finish with ``end_for``)."""
        body = Block(arg_types=[IndexType(), iter_arg.type])
        body.args[0].name_hint = iv_name
        body.args[1].name_hint = arg_name
        return body, self.nested(body), body.args[0], body.args[1]

    def end_for(
        self,
        body: Block,
        inner: LoweringBuilder,
        lb: SSAValue,
        ub: SSAValue,
        step: SSAValue,
        init: SSAValue,
        yielded: SSAValue,
        result_name: str,
    ) -> SSAValue:
        inner.add(scf.YieldOp(yielded))
        loop = scf.ForOp(lb, ub, step, [init], body)
        return self.add(loop, result_name).results[0]

    def task(self, unit: Unit, name: str) -> tuple[TaskOp, LoweringBuilder]:
        body = Block()
        task = TaskOp(unit, name, Region(body))
        self.add(task)
        return task, self.nested(body)


def place_before(anchor: Operation, consts: IndexConstants, ops: Iterable[Operation]) -> None:
    """Place the new index constants, then move the lowered ops in front of ``anchor``."""
    consts.place(anchor)
    for op in ops:
        if op.parent is not None:
            op.detach()
        Rewriter.insert_op(op, InsertPoint.before(anchor))


def detached_ops(block: Block) -> list[Operation]:
    ops = list(block.ops)
    for op in ops:
        op.detach()
    return ops


def drop(ops: Iterable[Operation]) -> None:
    """Erase detached candidate IR, releasing its uses of the function's values."""
    for op in reversed(list(ops)):
        if op.parent is not None:
            op.detach()
        op.erase(safe_erase=False)


# --------------------------------------------------------------------------- #
# Target checks
# --------------------------------------------------------------------------- #


def tile_types(ops: Iterable[Operation]) -> Iterable[tuple[Operation, TileType]]:
    """Every tile type a lowering produces, with the op that produces it."""
    for top in ops:
        for op in top.walk():
            for result in op.results:
                if isinstance(result.type, TileType):
                    yield op, result.type


def alignment_problem(t: TileType, target: Target) -> str | None:
    """Why a tile breaks the row (UB, L1) or fractal (L0A/B/C) rule of ``target``, or None."""
    return check_tile_alignment(
        t.get_shape(), t.element_type, t.memory_space, t.tile_layout, target
    )


def first_misaligned(
    ops: Iterable[Operation], target: Target
) -> tuple[Operation, TileType, str] | None:
    """The first produced tile that breaks an alignment rule: its op, type and the reason."""
    for op, t in tile_types(ops):
        problem = alignment_problem(t, target)
        if problem is not None:
            return op, t, problem
    return None


def enclosing(op: Operation, kind: type[OpT]) -> OpT | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, kind):
        parent = parent.parent_op()
    return parent


def run_target_checks(module: ModuleOp, target: Target) -> None:
    """Fail with every target violation (alignment, budgets, paths, dtypes) in ``module``."""
    check_target(module, target)


def ceil_to(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple
