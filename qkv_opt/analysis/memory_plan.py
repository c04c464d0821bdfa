"""
The on-chip memory plan of a ``tile.task``: liveness, buffer sharing, offsets, peaks.

Tile values are immutable SSA values; on the chip each lives in a buffer of one
space (UB, L1, L0A, L0B, L0C).  ``plan_task`` decides which values share a buffer,
gives every buffer an aligned offset and reports each space's high-water mark,
the figure ``check-target`` compares with the target's capacity and
``--memory-report`` prints.  The rules, with a worked example, are in
``docs/memory-plan.md``; in short:

* **Program points.**  Every op of the task body gets a point, in program order
  (pre-order: a region op before the ops of its regions).  A loop (``scf.for``,
  ``scf.while``, ``scf.parallel``, ``affine.for``) gets one more point after its
  body, its *loop end* (the back edge).
* **Live ranges.**  A value is live from its definition to its last use.  A use
  inside a loop that does not contain the definition counts at that loop's end:
  a value defined outside a loop and read inside stays live through the whole
  loop.  An ``scf.for`` iteration argument is live over the whole loop
  (``[for, loop end]``): it carries the accumulator from one iteration to the next.
* **Sharing.**  Values in one buffer form a group; the group is live over the hull
  of its members' ranges.

  - views: ``tile.reshape`` and ``tile.extract`` alias their source (no new buffer);
  - in place: ``tile.add``, ``tile.mul`` (either operand), ``tile.col_expand_mul``
    (lhs), ``tile.matmul_acc`` (the accumulator) and ``tile.insert`` (the
    destination) write into an operand's buffer when that buffer dies at the op
    (every value in it has its last use there) and has the result's space and size;
  - loops: an ``scf.for`` iteration argument takes its init value's buffer when
    the init dies at the loop; the loop's results alias the yielded values;
  - everything else gets a fresh buffer, in particular the ops that are not
    in-place safe (``tile.transpose``, ``tile.row_sum``), ``tile.cast``,
    ``tile.col_expand``, ``tile.move``, ``tile.load``, ``tile.full``,
    ``tile.matmul`` and the results and block arguments of other region ops
    (``scf.if``, ``scf.while``), which are copies.
* **Scratch.**  On targets with ``row_sum_scratch`` (A2/A3) each ``tile.row_sum``
  needs a tmp tile the size of its input, live at the op only.
* **Offsets.**  Per space, buffers are placed at the lowest offset, aligned to
  ``target.base_alignment``, that does not collide with a buffer live at the same
  time (greedy, largest first; the best of three orders is kept).  The peak is the
  highest ``offset + footprint`` (the footprint is the size rounded up to the
  alignment).

Everything is near-linear in the size of the task: one walk numbers the points,
one pass over the uses gives the live ranges, and placement only compares a
buffer with the buffers live at the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from xdsl.dialects import scf
from xdsl.ir import Block, BlockArgument, Operation, OpResult, SSAValue

from qkv_opt.analysis.target_rules import check_tile_alignment, element_bytes
from qkv_opt.dialects.targets import Target
from qkv_opt.dialects.tile import (
    ON_CHIP,
    AddOp,
    ColExpandMulOp,
    ExtractOp,
    InsertOp,
    MatmulAccOp,
    MemorySpace,
    MulOp,
    ReshapeOp,
    RowSumOp,
    TaskOp,
    TileType,
)

__all__ = [
    "Buffer",
    "ProgramPoint",
    "TaskPlan",
    "check_tile_alignment",
    "plan_module",
    "plan_task",
    "tile_bytes",
    "value_name",
]

# Loop ops by name, so that dialects this module does not import (affine) count too.
_LOOP_OPS = frozenset({"scf.for", "scf.while", "scf.parallel", "affine.for", "affine.parallel"})

# Spaces in the order reports list them.
SPACE_ORDER: tuple[MemorySpace, ...] = (
    MemorySpace.UB,
    MemorySpace.L1,
    MemorySpace.L0A,
    MemorySpace.L0B,
    MemorySpace.L0C,
)


def tile_bytes(t: TileType) -> int:
    """Bytes of a tile's data: rows x cols x element size."""
    return t.rows * t.cols * element_bytes(t.element_type)


def _round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def value_name(value: SSAValue) -> str:
    """``%name`` from the value's name hint, else a description of where it comes from."""
    if value.name_hint is not None:
        return f"%{value.name_hint}"
    if isinstance(value, OpResult):
        op = value.op
        suffix = f"#{value.index}" if len(op.results) > 1 else ""
        return f"result{suffix} of '{op.name}'"
    assert isinstance(value, BlockArgument)
    parent = value.block.parent_op()
    where = f" of '{parent.name}'" if parent is not None else ""
    return f"block argument #{value.index}{where}"


@dataclass(frozen=True)
class ProgramPoint:
    """One step of the task in program order: an op, or the end of a loop's body."""

    index: int
    op: Operation
    loop_end: bool = False
    """The point after the body of the loop ``op`` (its back edge)."""

    def describe(self) -> str:
        return f"end of '{self.op.name}'" if self.loop_end else f"'{self.op.name}'"


@dataclass(eq=False)
class Buffer:
    """One on-chip allocation: a tile (and every value that shares it) or a scratch."""

    value: SSAValue
    """The value that made the buffer (for a scratch: the result of the op that needs it)."""
    space: MemorySpace
    offset: int
    """Bytes from the start of the space; a multiple of the space's base alignment."""
    size: int
    """Bytes of data (the footprint is this rounded up to the base alignment)."""
    first: int
    last: int
    """Live range, inclusive, in program points."""
    op: Operation
    """The op that made the buffer (for a scratch: the op that uses it)."""
    kind: str
    """``"tile"`` or ``"scratch"``."""
    values: tuple[SSAValue, ...] = ()
    """Every SSA value held in this buffer: views, in-place results, loop-carried values."""
    footprint: int = 0
    """Bytes reserved: ``size`` rounded up to the base alignment of the space."""

    @property
    def end(self) -> int:
        """First byte after the reserved footprint."""
        return self.offset + self.footprint

    @property
    def tile_type(self) -> TileType:
        t = self.value.type
        assert isinstance(t, TileType)
        return t

    @property
    def name(self) -> str:
        base = value_name(self.value)
        return f"scratch of {base}" if self.kind == "scratch" else base

    def live_at(self, point: int) -> bool:
        return self.first <= point <= self.last


@dataclass
class TaskPlan:
    """The memory plan of one task: its buffers and the peak of every on-chip space."""

    task: TaskOp
    buffers: list[Buffer]
    peak: dict[MemorySpace, int]
    """High-water mark (bytes) per on-chip space; 0 for a space the task does not use."""
    peak_point: dict[MemorySpace, int]
    """
    A program point where the peak is reached: among the points where a buffer ending
    at the high-water mark is live, the one with the most live bytes (the first on a
    tie); -1 for a space the task does not use.
    """
    points: list[ProgramPoint] = field(default_factory=lambda: list[ProgramPoint]())

    def live_at_peak(self, space: MemorySpace) -> list[Buffer]:
        """The buffers of ``space`` live at its peak point, largest first."""
        point = self.peak_point.get(space, -1)
        if point < 0:
            return []
        live = [b for b in self.buffers if b.space == space and b.live_at(point)]
        live.sort(key=lambda b: (-b.size, b.first, b.offset))
        return live

    def live_bytes(self, space: MemorySpace, point: int) -> int:
        """Sum of the footprints of the buffers of ``space`` live at ``point``."""
        return sum(b.footprint for b in self.buffers if b.space == space and b.live_at(point))

    def overflows(self, target: Target) -> list[MemorySpace]:
        """The spaces whose peak exceeds the target's capacity."""
        return [s for s in SPACE_ORDER if self.peak.get(s, 0) > target.capacity[s]]

    def fits(self, target: Target) -> bool:
        return not self.overflows(target)

    def buffer_of(self, value: SSAValue) -> Buffer | None:
        """The buffer that holds ``value`` (None for a value that is not a tile)."""
        for b in self.buffers:
            if b.kind == "tile" and any(v is value for v in b.values):
                return b
        return None

    def spaces(self) -> list[MemorySpace]:
        """The spaces the task uses, in report order."""
        used = {b.space for b in self.buffers}
        return [s for s in SPACE_ORDER if s in used]


# --------------------------------------------------------------------------- #
# Program points and live ranges
# --------------------------------------------------------------------------- #


def _is_loop(op: Operation) -> bool:
    return op.name in _LOOP_OPS


class _Liveness:
    """Program points of a task body and the last use of each value."""

    def __init__(self, task: TaskOp):
        self.task = task
        self.points: list[ProgramPoint] = []
        self.point_of: dict[Operation, int] = {}
        self.end_of: dict[Operation, int] = {}
        for block in task.body.blocks:
            self._number(block)
        self._last_use: dict[SSAValue, int] = {}

    def _number(self, block: Block) -> None:
        # Iterative pre-order walk: nesting is shallow, but a deep input must not hit
        # Python's recursion limit.
        stack: list[tuple[Operation, bool]] = [(op, False) for op in reversed(list(block.ops))]
        while stack:
            op, closing = stack.pop()
            if closing:
                if _is_loop(op):
                    self.points.append(ProgramPoint(len(self.points), op, loop_end=True))
                self.end_of[op] = len(self.points) - 1
                continue
            self.point_of[op] = len(self.points)
            self.points.append(ProgramPoint(len(self.points), op))
            if op.regions:
                stack.append((op, True))
                for region in reversed(op.regions):
                    for inner in reversed(region.blocks):
                        stack.extend((o, False) for o in reversed(list(inner.ops)))
            else:
                self.end_of[op] = self.point_of[op]

    @property
    def last_point(self) -> int:
        return len(self.points) - 1

    def def_point(self, value: SSAValue) -> int:
        if isinstance(value, OpResult):
            return self.point_of.get(value.op, 0)
        assert isinstance(value, BlockArgument)
        parent = value.block.parent_op()
        if parent is None or parent is self.task:
            return 0
        return self.point_of.get(parent, 0)

    def _def_block(self, value: SSAValue) -> Block | None:
        if isinstance(value, OpResult):
            return value.op.parent_block()
        assert isinstance(value, BlockArgument)
        return value.block

    def _use_point(self, user: Operation, def_block: Block | None) -> int:
        point = self.point_of.get(user)
        if point is None:
            # A use outside the task (only in unverified IR): live to the task's end.
            return self.last_point
        cur = user
        while True:
            block = cur.parent_block()
            if block is None or block is def_block:
                return point
            parent = block.parent_op()
            if parent is None or parent is self.task:
                return point
            if _is_loop(parent):
                # The value is read in every iteration: live up to the back edge.
                point = max(point, self.end_of[parent])
            cur = parent

    def last_use(self, value: SSAValue) -> int:
        """The last point at which ``value`` is read (its definition if never)."""
        cached = self._last_use.get(value)
        if cached is not None:
            return cached
        def_block = self._def_block(value)
        last = self.def_point(value)
        for use in value.uses:
            last = max(last, self._use_point(use.operation, def_block))
        self._last_use[value] = last
        return last


# --------------------------------------------------------------------------- #
# Buffer groups
# --------------------------------------------------------------------------- #


@dataclass(eq=False)
class _Group:
    """Values that share one buffer while the plan is being built."""

    value: SSAValue
    op: Operation
    space: MemorySpace
    size: int
    kind: str
    first: int
    last: int
    members: list[SSAValue] = field(default_factory=lambda: list[SSAValue]())

    def cover(self, first: int, last: int) -> None:
        self.first = min(self.first, first)
        self.last = max(self.last, last)


# op class -> the operand indices an in-place result may overwrite, in preference order
_IN_PLACE: dict[type[Operation], tuple[int, ...]] = {
    AddOp: (0, 1),
    MulOp: (0, 1),
    ColExpandMulOp: (0,),
    MatmulAccOp: (0,),
    InsertOp: (1,),
}
_VIEWS: tuple[type[Operation], ...] = (ReshapeOp, ExtractOp)


class _Builder:
    def __init__(self, task: TaskOp, target: Target):
        self.task = task
        self.target = target
        self.live = _Liveness(task)
        self.group_of: dict[SSAValue, _Group] = {}
        self.groups: list[_Group] = []
        # init values already handed to an iteration argument (one buffer, one arg).
        self.taken_inits: set[SSAValue] = set()

    # -- groups ------------------------------------------------------------ #

    def _new_group(
        self, value: SSAValue, op: Operation, first: int, last: int, kind: str = "tile"
    ) -> _Group:
        t = value.type
        assert isinstance(t, TileType)
        group = _Group(value, op, t.memory_space, tile_bytes(t), kind, first, last)
        self.groups.append(group)
        if kind == "tile":
            self._join(group, value, first, last)
        return group

    def _join(self, group: _Group, value: SSAValue, first: int, last: int) -> None:
        group.members.append(value)
        group.cover(first, last)
        self.group_of[value] = group

    def _value_range(self, value: SSAValue) -> tuple[int, int]:
        return self.live.def_point(value), self.live.last_use(value)

    def _dies_at(self, value: SSAValue, point: int, result_type: TileType) -> _Group | None:
        """The buffer of ``value`` if the op at ``point`` may overwrite it."""
        group = self.group_of.get(value)
        if group is None or group.kind != "tile":
            return None
        if group.space != result_type.memory_space or tile_bytes(result_type) > group.size:
            return None
        if any(self.live.last_use(m) > point for m in group.members):
            return None
        return group

    # -- the walk ------------------------------------------------------------ #

    def build(self) -> list[_Group]:
        for pp in self.live.points:
            if pp.loop_end:
                self._loop_results(pp.op)
            else:
                self._visit(pp.op, pp.index)
        return self.groups

    def _visit(self, op: Operation, point: int) -> None:
        if isinstance(op, scf.ForOp):
            self._for_args(op, point)
        elif op.regions:
            end = self.live.end_of[op]
            for region in op.regions:
                for block in region.blocks:
                    for arg in block.args:
                        if isinstance(arg.type, TileType):
                            # A copy made on entry, live over the whole op.
                            self._new_group(arg, op, point, max(end, self.live.last_use(arg)))
        if op.regions and _is_loop(op):
            return  # the results of a loop are made at its end point
        if op.regions:
            for result in op.results:
                if isinstance(result.type, TileType):
                    # Written by the terminators of the regions: live from the op's start.
                    self._new_group(result, op, point, self.live.last_use(result))
            return
        self._results(op, point)
        if isinstance(op, RowSumOp) and self.target.row_sum_scratch:
            source = op.source.type
            assert isinstance(source, TileType)
            scratch = self._new_group(op.result, op, point, point, kind="scratch")
            # The tmp is the size of the input (pypto reduction.cpp), not of the result.
            scratch.size = tile_bytes(source)

    def _results(self, op: Operation, point: int) -> None:
        for result in op.results:
            if not isinstance(result.type, TileType):
                continue
            first, last = self._value_range(result)
            if isinstance(op, _VIEWS):
                source = op.operands[0]
                group = self.group_of.get(source)
                if group is not None:
                    self._join(group, result, first, last)
                    continue
            candidates = _IN_PLACE.get(type(op), ())
            group = None
            for index in candidates:
                group = self._dies_at(op.operands[index], point, result.type)
                if group is not None:
                    break
            if group is not None:
                self._join(group, result, first, last)
            else:
                self._new_group(result, op, first, last)

    def _for_args(self, op: scf.ForOp, point: int) -> None:
        end = self.live.end_of[op]
        body_args = op.body.block.args[1:]
        for init, arg in zip(op.iter_args, body_args, strict=False):
            if not isinstance(arg.type, TileType):
                continue
            last = max(end, self.live.last_use(arg))
            group = None
            if init not in self.taken_inits:
                group = self._dies_at(init, point, arg.type)
            if group is not None:
                self.taken_inits.add(init)
                self._join(group, arg, point, last)
            else:
                # The init stays live after the loop (or is no tile): a copy.
                self._new_group(arg, op, point, last)

    def _loop_results(self, op: Operation) -> None:
        point = self.live.point_of[op]
        yielded: Sequence[SSAValue] = ()
        if isinstance(op, scf.ForOp):
            terminator = op.body.block.last_op
            if isinstance(terminator, scf.YieldOp):
                yielded = terminator.operands
        for index, result in enumerate(op.results):
            if not isinstance(result.type, TileType):
                continue
            first, last = self.live.end_of[op], self.live.last_use(result)
            group = self.group_of.get(yielded[index]) if index < len(yielded) else None
            if group is not None and group.kind == "tile":
                # The result is the last yielded value, in its buffer.
                self._join(group, result, first, last)
            else:
                self._new_group(result, op, point, last)


# --------------------------------------------------------------------------- #
# Placement
# --------------------------------------------------------------------------- #


@dataclass(eq=False)
class _Item:
    group: _Group
    footprint: int
    offset: int = 0


def _neighbours(items: Sequence[_Item]) -> list[list[int]]:
    """For each item, the items whose live ranges intersect its own (a sweep)."""
    result: list[list[int]] = [[] for _ in items]
    order = sorted(range(len(items)), key=lambda i: items[i].group.first)
    active: list[int] = []
    for i in order:
        first = items[i].group.first
        active = [j for j in active if items[j].group.last >= first]
        for j in active:
            result[i].append(j)
            result[j].append(i)
        active.append(i)
    return result


def _place_in_order(
    items: Sequence[_Item], order: Iterable[int], neighbours: Sequence[Sequence[int]], align: int
) -> tuple[list[int], int]:
    offsets = [-1] * len(items)
    peak = 0
    for i in order:
        size = items[i].footprint
        taken = sorted(
            (offsets[j], offsets[j] + items[j].footprint) for j in neighbours[i] if offsets[j] >= 0
        )
        candidate = 0
        for start, stop in taken:
            if candidate + size <= start:
                break
            candidate = max(candidate, _round_up(stop, align))
        offsets[i] = candidate
        peak = max(peak, candidate + size)
    return offsets, peak


# Above this many pairs of buffers live at the same time, only the first order is
# tried: each order costs O(pairs log pairs).
_PAIRS_FOR_ONE_ORDER = 100_000


def _max_live(items: Sequence[_Item]) -> int:
    """The most footprint bytes live at one program point (a lower bound of any plan)."""
    events: dict[int, int] = {}
    for it in items:
        events[it.group.first] = events.get(it.group.first, 0) + it.footprint
        events[it.group.last + 1] = events.get(it.group.last + 1, 0) - it.footprint
    running = best = 0
    for point in sorted(events):
        running += events[point]
        best = max(best, running)
    return best


def _place(items: list[_Item], align: int) -> int:
    """Give every item an offset; the resulting high-water mark."""
    if not items:
        return 0
    neighbours = _neighbours(items)

    def duration(i: int) -> int:
        return items[i].group.last - items[i].group.first

    indices = range(len(items))
    orders: list[Callable[[int], tuple[int, ...]]] = [
        # Largest first (the classic offline heuristic) ...
        lambda i: (-items[i].footprint, -duration(i), items[i].group.first, i),
        # ... longest-lived first (accumulators at the bottom) ...
        lambda i: (-duration(i), -items[i].footprint, items[i].group.first, i),
        # ... and program order (what a linear-scan allocator would do).
        lambda i: (items[i].group.first, -items[i].footprint, i),
    ]
    # No placement can beat the most bytes live at one point: stop there.
    bound = _max_live(items)
    pairs = sum(len(n) for n in neighbours) // 2
    best: tuple[list[int], int] | None = None
    for key in orders:
        offsets, peak = _place_in_order(items, sorted(indices, key=key), neighbours, align)
        if best is None or peak < best[1]:
            best = (offsets, peak)
        if best[1] <= bound or pairs > _PAIRS_FOR_ONE_ORDER:
            break
    assert best is not None
    for item, offset in zip(items, best[0], strict=True):
        item.offset = offset
    return best[1]


def _peak_point(buffers: Sequence[Buffer], peak: int, n_points: int) -> int:
    """Among the points where a buffer reaching the peak is live, the fullest one."""
    if not buffers:
        return -1
    delta = [0] * (n_points + 1)
    for b in buffers:
        delta[b.first] += b.footprint
        delta[b.last + 1] -= b.footprint
    live: list[int] = []
    running = 0
    for d in delta[:n_points]:
        running += d
        live.append(running)
    best_point, best_bytes = -1, -1
    for b in buffers:
        if b.end != peak:
            continue
        for p in range(b.first, b.last + 1):
            if live[p] > best_bytes or (live[p] == best_bytes and p < best_point):
                best_point, best_bytes = p, live[p]
    return best_point


# --------------------------------------------------------------------------- #
# Entry points
# --------------------------------------------------------------------------- #


def plan_task(task: TaskOp, target: Target) -> TaskPlan:
    """The memory plan of one task on ``target`` (it never fails; compare with ``fits``)."""
    builder = _Builder(task, target)
    groups = builder.build()
    n_points = max(1, len(builder.live.points))
    buffers: list[Buffer] = []
    peak: dict[MemorySpace, int] = {}
    peak_point: dict[MemorySpace, int] = {}
    for space in SPACE_ORDER:
        align = target.base_alignment[space]
        items = [_Item(g, _round_up(g.size, align)) for g in groups if g.space == space]
        peak[space] = _place(items, align)
        space_buffers = [
            Buffer(
                value=it.group.value,
                space=space,
                offset=it.offset,
                size=it.group.size,
                first=it.group.first,
                last=min(it.group.last, n_points - 1),
                op=it.group.op,
                kind=it.group.kind,
                values=tuple(it.group.members) if it.group.kind == "tile" else (),
                footprint=it.footprint,
            )
            for it in items
        ]
        peak_point[space] = _peak_point(space_buffers, peak[space], n_points)
        buffers.extend(space_buffers)
    assert set(peak) == ON_CHIP
    buffers.sort(key=lambda b: (SPACE_ORDER.index(b.space), b.first, b.offset))
    return TaskPlan(task, buffers, peak, peak_point, builder.live.points)


def plan_module(module: Operation, target: Target) -> list[TaskPlan]:
    """The plans of every ``tile.task`` under ``module``, in program order."""
    return [plan_task(op, target) for op in module.walk() if isinstance(op, TaskOp)]
