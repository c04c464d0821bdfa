"""
``check-target``: check a tile program against one NPU's rules.

Every rule of facts section 2, each reported as a located error that names the op,
the tile, the rule with its source, the numbers and the fix; all violations of a
module are reported together.  See ``docs/passes/check-target.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from math import gcd

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import ArrayAttr, IntegerAttr, ModuleOp, StringAttr
from xdsl.ir import BlockArgument, Operation, OpResult, SSAValue
from xdsl.irdl import isa
from xdsl.passes import ModulePass

from qkv_opt.analysis.memory_plan import Buffer, TaskPlan, plan_task, value_name
from qkv_opt.analysis.target_rules import (
    AXIS_OPTIONS,
    Origin,
    check_tile_alignment,
    cube_dtype_error,
    cube_extent_error,
    data_path_error,
    element_bytes,
    row_multiple,
    tile_dtype_error,
    tile_spelling,
    vector_dtype_error,
)
from qkv_opt.dialects.targets import DEFAULT_TARGET, Target, get_target
from qkv_opt.dialects.tile import (
    AddOp,
    ColExpandMulOp,
    ColExpandOp,
    ExtractOp,
    FullOp,
    InsertOp,
    LoadOp,
    MatmulAccOp,
    MatmulOp,
    MemorySpace,
    MoveOp,
    MulOp,
    RowSumOp,
    StoreOp,
    TaskOp,
    TileType,
    TransposeOp,
    Unit,
    dtype_name,
    unit_of,
)
from qkv_opt.utils.diagnostics import Diagnostic, DiagnosticError, error_at

__all__ = [
    "CheckTargetPass",
    "check_target",
    "check_tile_alignment",
    "target_violations",
]


@dataclass(frozen=True)
class CheckTargetPass(ModulePass):
    """
    Check tile programs against a target: alignment, budgets, data paths, dtypes, layouts.

    Every ``tile.task`` gets a memory plan (``qkv_opt.analysis.memory_plan``) whose
    per-space peak must fit the target's capacity; every tile keeps the 32-byte row
    (UB, L1) or cube fractal (L0A, L0B, L0C) rule; loads, stores and moves follow the
    target's data paths; vector and cube ops use the element types the units accept,
    in tasks of their own unit, with row-major operands.  The IR is not changed; all
    violations are reported together, each located at its op.

    ```mlir
    // qkv-opt --check-target: passes, prints the input unchanged
    tile.task vector "k_proj" {
      %w = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
      ...
    }

    // fails: a row of 8 bf16 is 16 B
    tile.task vector "k_proj" {
      // error: 'tile.load' op row of tile<1024x8xbf16> in ub is 16 B, not a multiple
      //        of the 32-byte block; the contiguous axis (8 columns) must be a
      //        multiple of 16 bf16 elements (...)
      %w = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x8xbf16, ub>
    }
    ```
    """

    name = "check-target"

    target: str = DEFAULT_TARGET

    def __post_init__(self) -> None:
        # An unknown target is a bad option (exit 1 at pipeline parsing), not a
        # failure halfway through a pipeline.
        get_target(self.target)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        check_target(op, get_target(self.target))


def check_target(module: ModuleOp, target: Target) -> None:
    """Raise a ``DiagnosticError`` carrying every violation of ``target``'s rules."""
    diagnostics = target_violations(module, target)
    if diagnostics:
        raise DiagnosticError(diagnostics)


def target_violations(module: Operation, target: Target) -> list[Diagnostic]:
    """Every violation of ``target``'s rules in ``module``, in program order."""
    checker = _Checker(target)
    checker.run(module)
    return checker.diagnostics


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


def _origin_of(op: Operation | None) -> Origin:
    """The ``tile.origin`` hint a lowering put on an op (see ``AXIS_OPTIONS``)."""
    if op is None:
        return None
    attr = op.attributes.get(AXIS_OPTIONS)
    if attr is None:  # the common case: checked first, it is on the hot path
        return None
    if isinstance(attr, StringAttr):
        return attr.data
    if isa(attr, ArrayAttr[StringAttr]) and len(attr.data) == 2:
        rows, cols = attr.data
        return (rows.data, cols.data)
    return None


def _spelling(t: TileType) -> str:
    return tile_spelling(t.get_shape(), t.element_type, t.tile_layout)


@dataclass(frozen=True)
class _Known:
    """What is known statically about an index: a multiple of ``divisor`` (0: it is 0)."""

    divisor: int
    constant: bool


def _known(value: SSAValue, depth: int = 0) -> _Known | None:
    """Divisibility of an index value built from constants, loop ivs, +, - and *."""
    if depth > 32:
        return None
    if isinstance(value, OpResult):
        op = value.op
        if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
            return _Known(abs(op.value.value.data), True)
        if isinstance(op, arith.AddiOp | arith.SubiOp | arith.MuliOp):
            lhs, rhs = _known(op.lhs, depth + 1), _known(op.rhs, depth + 1)
            if lhs is None or rhs is None:
                return None
            constant = lhs.constant and rhs.constant
            if isinstance(op, arith.MuliOp):
                return _Known(lhs.divisor * rhs.divisor, constant)
            if constant:
                a, b = lhs.divisor, rhs.divisor
                return _Known(abs(a + b) if isinstance(op, arith.AddiOp) else abs(a - b), True)
            return _Known(gcd(lhs.divisor, rhs.divisor), False)
        if isinstance(op, arith.IndexCastOp):
            return _known(op.input, depth + 1)
        return None
    assert isinstance(value, BlockArgument)
    parent = value.block.parent_op()
    if isinstance(parent, scf.ForOp) and value.index == 0:
        bounds = (parent.lb, parent.step)
    elif isinstance(parent, scf.ParallelOp) and value.index < len(parent.lowerBound):
        bounds = (parent.lowerBound[value.index], parent.step[value.index])
    else:
        return None
    lb, step = (_known(b, depth + 1) for b in bounds)
    if lb is None or step is None:
        return None
    # lb + i * step for i >= 0: a multiple of gcd(lb, step).
    return _Known(gcd(lb.divisor, step.divisor), False)


def _walk_with_task(root: Operation) -> Iterator[tuple[Operation, TaskOp | None]]:
    """
    Every op in pre-order (as ``Operation.walk``) with its innermost enclosing task.

    The task is carried down the walk: looking it up per op would cost the
    nesting depth each time (quadratic on deeply nested input).
    """
    stack: list[tuple[Operation, TaskOp | None]] = [(root, None)]
    while stack:
        op, task = stack.pop()
        yield op, task
        inner = op if isinstance(op, TaskOp) else task
        children = [
            (child, inner)
            for region in op.regions
            for block in region.blocks
            for child in block.ops
        ]
        stack.extend(reversed(children))


# --------------------------------------------------------------------------- #
# The checker
# --------------------------------------------------------------------------- #


class _Checker:
    """One walk over a module, collecting a diagnostic per violation."""

    def __init__(self, target: Target):
        self.target = target
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[tuple[str, str]] = set()
        # Tile types already reported in a task: one error per type, at its first value,
        # not one per value that carries it through a chain of ops.
        self._reported_types: set[tuple[int, TileType]] = set()

    def error(
        self, op: Operation | None, message: str, notes: Sequence[tuple[Operation | None, str]] = ()
    ) -> None:
        for diag in error_at(op, message, notes).diagnostics:
            key = (str(diag.loc), diag.message)
            if key in self._seen:
                # Lowered ops borrow their source op's location: one message, once.
                continue
            self._seen.add(key)
            self.diagnostics.append(diag)

    # -- walking ----------------------------------------------------------- #

    def run(self, module: Operation) -> None:
        outside: dict[int, list[Operation]] = {}
        for op, task in _walk_with_task(module):
            if isinstance(op, TaskOp):
                self.check_task(op)
                continue
            if task is not None:
                self.check_op(op, task)
            elif self._is_tile_op(op):
                scope = self._scope(op)
                outside.setdefault(id(scope), []).append(op)
        for ops in outside.values():
            self._outside_task(ops)

    @staticmethod
    def _is_tile_op(op: Operation) -> bool:
        if unit_of(op) is not None:
            return True
        values = [*op.operands, *op.results]
        values += [arg for region in op.regions for block in region.blocks for arg in block.args]
        return any(isinstance(v.type, TileType) for v in values)

    @staticmethod
    def _scope(op: Operation) -> Operation | None:
        """The function (or other symbol) around ``op``: outside-task errors group by it."""
        parent = op.parent_op()
        while parent is not None and parent.parent_op() is not None:
            if "sym_name" in parent.properties or "sym_name" in parent.attributes:
                return parent
            parent = parent.parent_op()
        return parent

    def _outside_task(self, ops: list[Operation]) -> None:
        first = ops[0]
        more = f" ({len(ops) - 1} more in this function)" if len(ops) > 1 else ""
        kind = "cube" if unit_of(first) == Unit.CUBE else "vector"
        self.error(
            first,
            f"uses on-chip tiles outside any tile.task{more}: on-chip data exist only inside "
            f'a task (one core of one unit); wrap the ops in `tile.task {kind} "name" '
            "{ ... }` and exchange data with other tasks through GM",
        )

    # -- one task ---------------------------------------------------------- #

    def check_task(self, task: TaskOp) -> None:
        plan = plan_task(task, self.target)
        for space in plan.overflows(self.target):
            self._overflow(plan, space)

    def check_op(self, op: Operation, task: TaskOp) -> None:
        self._unit(op, task)
        self._types(op, task)
        match op:
            case LoadOp():
                self._path(op, MemorySpace.GM, op.result.type)
            case StoreOp():
                self._path(op, op.value.type, MemorySpace.GM)
            case MoveOp():
                self._path(op, op.source.type, op.result.type)
                self._offsets(op, op.source, op.offsets)
            case AddOp() | MulOp():
                self._vector_dtype(op, op.result.type, op.name.removeprefix("tile."))
                self._row_major(op, [op.lhs, op.rhs, op.result])
            case ColExpandMulOp():
                self._vector_dtype(op, op.result.type, "col_expand_mul")
                self._row_major(op, [op.lhs, op.rhs, op.result])
            case ColExpandOp():
                self._vector_dtype(op, op.result.type, "col_expand")
                self._row_major(op, [op.source, op.result])
            case FullOp():
                self._vector_dtype(op, op.result.type, "full")
            case RowSumOp():
                self._vector_dtype(op, op.source.type, "row_sum", reduce=True)
                self._row_major(op, [op.source])
            case TransposeOp():
                self._row_major(op, [op.source, op.result])
            case ExtractOp():
                self._row_major(op, [op.source, op.result])
                self._offsets(op, op.source, op.offsets)
            case InsertOp():
                self._row_major(op, [op.dest])
            case MatmulOp() | MatmulAccOp():
                self._cube(op, op.lhs, op.rhs, op.result)
            case _:
                pass
        if unit_of(op) == Unit.VECTOR:
            self._spaces(op, {MemorySpace.UB}, "vector ops read and write ub only")

    # -- rules ------------------------------------------------------------- #

    def _unit(self, op: Operation, task: TaskOp) -> None:
        unit = unit_of(op)
        if unit is None or unit == Unit.MTE or unit == task.task_unit:
            return
        core = "AIV (vector)" if task.task_unit == Unit.VECTOR else "AIC (cube)"
        self.error(
            op,
            f"is a {unit.value} op in {task.task_unit.value} task "
            f'"{task.task_name.data}": an {core} core has no {unit.value} unit; put '
            f"it in a `tile.task {unit.value}` and hand data over through GM "
            "(MTE ops: load, store, move are allowed in both)",
        )

    def _types(self, op: Operation, task: TaskOp) -> None:
        values: list[tuple[SSAValue, Operation | None]] = [(r, op) for r in op.results]
        for region in op.regions:
            for block in region.blocks:
                values.extend((arg, None) for arg in block.args)
        for value, maker in values:
            t = value.type
            if not isinstance(t, TileType):
                continue
            key = (id(task), t)
            if key in self._reported_types:
                continue
            dtype_message = tile_dtype_error(t.element_type, self.target)
            if dtype_message is not None:
                self._reported_types.add(key)
                self.error(op, f"{_spelling(t)} in {t.memory_space.value}: {dtype_message}")
                continue
            message = check_tile_alignment(
                t.get_shape(),
                t.element_type,
                t.memory_space,
                t.tile_layout,
                self.target,
                origin=_origin_of(maker),
            )
            if message is not None:
                self._reported_types.add(key)
                self.error(op, message)

    def _path(self, op: Operation, source: object, dest: object) -> None:
        src = source.memory_space if isinstance(source, TileType) else source
        dst = dest.memory_space if isinstance(dest, TileType) else dest
        if not isinstance(src, MemorySpace) or not isinstance(dst, MemorySpace):
            return
        message = data_path_error(src, dst, self.target)
        if message is not None:
            self.error(op, message)

    def _spaces(self, op: Operation, allowed: set[MemorySpace], rule: str) -> None:
        for value in (*op.operands, *op.results):
            t = value.type
            if isinstance(t, TileType) and t.memory_space not in allowed:
                names = " or ".join(sorted(s.value for s in allowed))
                self.error(
                    op,
                    f"{value_name(value)} is {_spelling(t)} in {t.memory_space.value}: "
                    f"{rule} on {self.target.name}; it must live in {names}",
                )

    def _vector_dtype(self, op: Operation, t: object, what: str, *, reduce: bool = False) -> None:
        if not isinstance(t, TileType):
            return
        message = vector_dtype_error(what, t.element_type, self.target, reduce=reduce)
        if message is not None:
            self.error(op, f"{_spelling(t)}: {message}")

    def _row_major(self, op: Operation, values: Sequence[SSAValue]) -> None:
        for index, value in enumerate(values):
            t = value.type
            if not isinstance(t, TileType) or t.is_row_major:
                continue
            role = (
                "result"
                if isinstance(value, OpResult) and value.op is op
                else (f"operand #{index}")
            )
            if t.cols == 1:
                fix = (
                    f"reshape row_sum's col_major [{t.rows}, 1] result to [1, {t.rows}] first "
                    f"(tile.reshape, free: same bytes)"
                )
            else:
                fix = "make it row_major first (tile.transpose reorders the elements)"
            self.error(
                op,
                f"{role} {value_name(value)} is {_spelling(t)}: {op.name} needs row_major "
                f"operands on {self.target.name} (elementwise vector ops read rows; pypto "
                f"issue #581: 'pto.tadd' op expects src0, src1, and dst to use row-major "
                f"layout); {fix}",
            )

    def _cube(self, op: Operation, lhs: SSAValue, rhs: SSAValue, result: SSAValue) -> None:
        lt, rt, ot = lhs.type, rhs.type, result.type
        if not (isinstance(lt, TileType) and isinstance(rt, TileType) and isinstance(ot, TileType)):
            return
        for value, space in (
            (lhs, MemorySpace.L0A),
            (rhs, MemorySpace.L0B),
            (result, MemorySpace.L0C),
        ):
            self._spaces_of(op, value, space)
        message = cube_dtype_error(lt.element_type, ot.element_type, self.target)
        if message is not None:
            self.error(op, f"{_spelling(lt)} x {_spelling(rt)} -> {_spelling(ot)}: {message}")
        message = cube_extent_error(lt.rows, lt.cols, rt.cols, self.target)
        if message is not None:
            self.error(op, f"{_spelling(lt)} x {_spelling(rt)}: {message}")

    def _spaces_of(self, op: Operation, value: SSAValue, space: MemorySpace) -> None:
        t = value.type
        if isinstance(t, TileType) and t.memory_space != space:
            self.error(
                op,
                f"{value_name(value)} is {_spelling(t)} in {t.memory_space.value}: the "
                f"cube reads l0a x l0b and writes l0c on {self.target.name}; it must live "
                f"in {space.value}",
            )

    def _offsets(self, op: Operation, source: SSAValue, offsets: Sequence[SSAValue]) -> None:
        t = source.type
        if not isinstance(t, TileType) or len(offsets) != 2:
            return
        known = [_known(v) for v in offsets]
        if known[0] is None or known[1] is None:
            # Not statically known (e.g. loaded from memory): the interpreter checks
            # bounds at run time; alignment cannot be proven either way.
            return
        row, col = known[0], known[1]
        size = element_bytes(t.element_type)
        if t.is_row_major:
            row_stride, col_stride = t.cols * size, size
        else:
            row_stride, col_stride = size, t.rows * size
        divisor = gcd(row.divisor * row_stride, col.divisor * col_stride)
        align = self.target.base_alignment[t.memory_space]
        if divisor % align == 0:
            return
        if row.constant and col.constant:
            start = row.divisor * row_stride + col.divisor * col_stride
            where = f"starts at byte {start} of"
        else:
            where = f"starts at an offset known only to be a multiple of {divisor} B in"
        axis = "column" if t.is_row_major else "row"
        multiple = row_multiple(t.element_type, self.target)
        result = op.results[0].type if op.results else None
        what = _spelling(result) if isinstance(result, TileType) else "the sub-tile"
        self.error(
            op,
            f"{what} {where} its {t.memory_space.value} tile {_spelling(t)}, not a multiple "
            f"of the {align}-byte block: on-chip addresses are {align}-B aligned on "
            f"{self.target.name} (AscendNPU-IR NPUTargetSpec.td); use {axis} offsets that "
            f"are multiples of {multiple} {dtype_name(t.element_type)} elements",
        )

    def _overflow(self, plan: TaskPlan, space: MemorySpace) -> None:
        target = self.target
        task = plan.task
        capacity = target.capacity[space]
        peak = plan.peak[space]
        point = plan.peak_point[space]
        live = plan.live_at_peak(space)
        where = plan.points[point]
        usable = " usable" if space == MemorySpace.UB else ""
        entries = ", ".join(
            f"{b.name} {_spelling(b.tile_type) if b.kind == 'tile' else _scratch_spelling(b)} "
            f"('{b.op.name}') {b.size} B"
            for b in live
        )
        total = sum(b.footprint for b in live)
        message = (
            f'{space.value} overflow in task "{task.task_name.data}": peak {peak} B > '
            f"{capacity} B{usable} on {target.name}; live at the peak (point "
            f"{point}, {where.describe()}; {len(live)} buffer{'s' if len(live) != 1 else ''}, "
            f"{total} B): {entries}; "
            f"fix: {self._overflow_fix(plan, live, peak - capacity)}"
        )
        notes: list[tuple[Operation | None, str]] = [
            (
                where.op,
                f'the {space.value} peak of task "{task.task_name.data}" is at point '
                f"{point} ({where.describe()})",
            )
        ]
        for b in live:
            also = ", ".join(value_name(v) for v in b.values[1:])
            what = (
                f"{b.name}{f' (also {also})' if also else ''}: {_spelling(b.tile_type)}"
                if b.kind == "tile"
                else f"{b.name}: row_sum's tmp, the size of its input ({_scratch_spelling(b)})"
            )
            notes.append(
                (
                    b.op,
                    f"live at the peak: {what} in {space.value}, {b.size} B at offset "
                    f"{b.offset}, live over points {b.first}..{b.last}",
                )
            )
        self.error(task, message, notes)

    def _overflow_fix(self, plan: TaskPlan, live: Sequence[Buffer], excess: int) -> str:
        options: list[str] = []
        for b in live:
            for name in _origin_names(_origin_of(b.op)):
                if name not in options:
                    options.append(name)
        shrink = f"the live tiles must shrink by {excess} B"
        if options:
            return f"{shrink}: lower {' or '.join(options)}"
        if plan.task.task_unit == Unit.VECTOR:
            return (
                f"{shrink}: make the largest live tiles smaller (aiv-rowsum: lower kc, "
                "or let kc=auto pick the largest kc that fits)"
            )
        return f"{shrink}: make the largest live tiles smaller (cube-matmul: lower tk, tn or tm)"


def _origin_names(origin: Origin) -> list[str]:
    if origin is None:
        return []
    if isinstance(origin, str):
        return [origin] if origin else []
    return [name for name in origin if name]


def _scratch_spelling(b: Buffer) -> str:
    """The tile a scratch is sized after: the input of the op that needs it."""
    source = b.op.operands[0].type if b.op.operands else None
    return _spelling(source) if isinstance(source, TileType) else "tmp"
