"""
The fast executor: the IR compiled once into Python closures, independent
``scf.parallel`` iterations run together as batched torch operations.

Compilation gives every SSA value of a function a slot in one list; each op
becomes a closure reading and writing slots, each block a list of closures.

**Batching.**  An ``scf.parallel`` whose body only holds ops with a batched form
runs all its iterations in lock step: every value inside the body that depends
on the induction variables gets a leading batch dimension (a tile becomes a
[B, R, C] tensor, an index an int64 array of B values); values that do not
depend on them stay unbatched and broadcast.  ``tile.load`` with batched
offsets becomes a gather (a strided view when the offsets step evenly);
``scf.for`` / ``scf.if`` whose bounds or condition agree across the batch run
once for all of it.

**Same bits as the reference.**  Every op keeps the exact semantics of
``numerics.py``: the torch kernels do the same IEEE operations in the same
order (no fusion that changes a rounding; views are used where a value is only
re-indexed: transpose, col_expand, loads from memory the program never writes).
Lock step equals the reference's iteration-by-iteration order as long as no
two iterations touch the same GM element; the executor checks exactly that:
while a batched ``scf.parallel`` runs, every buffer its body may write records
which iteration touched each element, and a second iteration touching it (or
control flow or shapes that differ between iterations, or any run-time error)
abandons the batch: the buffers are restored from a snapshot and the
iterations run one after another, which also reproduces the reference's first
error exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.lib.stride_tricks import as_strided
from xdsl.dialects import func, memref, scf
from xdsl.dialects.builtin import MemRefType
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Block, Operation, SSAValue

from qkv_opt.dialects import tile
from qkv_opt.interpreter import numerics
from qkv_opt.interpreter.analysis import written_roots
from qkv_opt.interpreter.dtypes import numpy_dtype
from qkv_opt.interpreter.faults import Fault, located
from qkv_opt.interpreter.memory import Buffer, MemoryBudget, Root, alloc_buffer
from qkv_opt.interpreter.reference import scalar_of
from qkv_opt.interpreter.scalar import as_array, bit_width, compile_arith, constant_value, wrap
from qkv_opt.interpreter.stats import RunStats
from qkv_opt.interpreter.torch_bridge import to_numpy, to_torch, torch_dtype
from qkv_opt.utils.diagnostics import DiagnosticError

__all__ = ["run_fast"]

CHUNK_BYTES = 256 << 20
"""Largest batched tile a parallel body may create: bigger batches run in chunks."""

Step = Callable[["Frame"], None]


class _Diverged(Exception):
    """Lock step cannot reproduce the sequential order: run the iterations one by one."""


# --------------------------------------------------------------------------- #
# Run-time state
# --------------------------------------------------------------------------- #


@dataclass
class _Run:
    budget: MemoryBudget
    stats: RunStats
    block_exec: list[int] = field(default_factory=lambda: list[int]())


@dataclass
class Frame:
    """The values of one function call, and how many iterations run together."""

    vals: list[Any]
    run: _Run
    width: int = 1
    """Iterations executing each op at once (1 outside a batched scf.parallel)."""
    batched: bool = False
    ids: np.ndarray[Any, Any] | None = None
    """Global iteration numbers of the batch (owner ids of the touched elements)."""
    ivs: list[tuple[SSAValue, int]] = field(default_factory=lambda: list[tuple[SSAValue, int]]())

    def sub(self, width: int, ids: np.ndarray[Any, Any]) -> Frame:
        return Frame(self.vals, self.run, width, True, ids, self.ivs)


def _is_batched(x: Any) -> bool:
    if isinstance(x, torch.Tensor):
        return x.dim() == 3
    return isinstance(x, np.ndarray)


def _iteration(x: Any, b: int) -> Any:
    """Iteration ``b``'s value of a possibly batched value, in the unbatched convention."""
    if isinstance(x, torch.Tensor):
        return x[b] if x.dim() == 3 else x
    arr = as_array(x)
    if arr is None:
        return x
    element = arr[b]
    # Integers and i1 are Python ints and bools outside a batch (scalar.py).
    return element.item() if arr.dtype.kind in "biu" else element


def _uniform_int(x: Any) -> int:
    """An index the whole batch agrees on, or _Diverged."""
    if isinstance(x, np.ndarray):
        first = int(x[0])
        if not bool(np.all(x == first)):
            raise _Diverged
        return first
    return int(x)


# --------------------------------------------------------------------------- #
# Compiled blocks
# --------------------------------------------------------------------------- #


@dataclass
class CompiledBlock:
    """The steps of a block, where its arguments go and where its results come from."""

    id: int
    arg_slots: list[int]
    steps: list[Step]
    ops: list[Operation]
    result_slots: list[int]


def run_block(block: CompiledBlock, frame: Frame, args: Sequence[Any]) -> list[Any]:
    """Run a block; a failed check becomes a diagnostic located at its op."""
    vals = frame.vals
    for slot, value in zip(block.arg_slots, args):
        vals[slot] = value
    steps = block.steps
    i = 0
    try:
        for i in range(len(steps)):
            steps[i](frame)
    except Fault as fault:
        if frame.batched:
            raise _Diverged from None
        raise located(block.ops[i], fault, list(frame.ivs)) from None
    frame.run.block_exec[block.id] += frame.width
    return [vals[s] for s in block.result_slots]


@dataclass
class _BlockInfo:
    counts: list[tuple[str, str]]
    """(op name, unit) of every op directly in the block, terminator included."""


class Compiler:
    """Turns the functions of a module into closures, once."""

    def __init__(self) -> None:
        self.slots: dict[SSAValue, int] = {}
        self.blocks: list[_BlockInfo] = []
        self.functions: dict[func.FuncOp, CompiledFunction] = {}
        self.units: dict[type[Operation], str] = {}

    def slot(self, value: SSAValue) -> int:
        found = self.slots.get(value)
        if found is None:
            found = self.slots[value] = len(self.slots)
        return found

    def function(self, fn: func.FuncOp) -> CompiledFunction:
        compiled = self.functions.get(fn)
        if compiled is None:
            compiled = CompiledFunction(fn, self)
            self.functions[fn] = compiled
            entry = fn.body.blocks.first
            assert entry is not None, "check_supported runs functions with a body only"
            compiled.body = self.block(entry)
        return compiled

    def block(self, block: Block) -> CompiledBlock:
        info = _BlockInfo([])
        for op in block.ops:
            unit = self.units.get(type(op))
            if unit is None:
                found = tile.unit_of(op)
                unit = self.units[type(op)] = found.value if found is not None else "other"
            info.counts.append((op.name, unit))
        block_id = len(self.blocks)
        self.blocks.append(info)
        steps: list[Step] = []
        ops: list[Operation] = []
        result_slots: list[int] = []
        for op in block.ops:
            if isinstance(op, func.ReturnOp | scf.YieldOp | scf.ReduceOp | scf.ReduceReturnOp):
                result_slots = [self.slot(v) for v in op.operands]
                continue
            steps.append(self.op(op))
            ops.append(op)
        return CompiledBlock(block_id, [self.slot(a) for a in block.args], steps, ops, result_slots)

    def op(self, op: Operation) -> Step:
        compile_fn = _COMPILERS.get(type(op))
        if compile_fn is not None:
            return compile_fn(self, op)
        return _compile_arith(self, op)


@dataclass(eq=False)
class CompiledFunction:
    fn: func.FuncOp
    compiler: Compiler
    body: CompiledBlock | None = None

    def call(self, run: _Run, args: Sequence[Any]) -> list[Any]:
        frame = Frame([None] * len(self.compiler.slots), run)
        assert self.body is not None
        return run_block(self.body, frame, args)


_COMPILERS: dict[type[Operation], Callable[[Compiler, Any], Step]] = {}


def _compiles(
    *kinds: type[Operation],
) -> Callable[[Callable[[Compiler, Any], Step]], Callable[[Compiler, Any], Step]]:
    def register(fn: Callable[[Compiler, Any], Step]) -> Callable[[Compiler, Any], Step]:
        for kind in kinds:
            _COMPILERS[kind] = fn
        return fn

    return register


# --------------------------------------------------------------------------- #
# func and arith
# --------------------------------------------------------------------------- #


@_compiles(func.CallOp)
def _call(c: Compiler, op: func.CallOp) -> Step:
    callee_name = op.callee.root_reference.data
    module = op.get_toplevel_object()
    callee: func.FuncOp | None = None
    for candidate in module.walk() if isinstance(module, Operation) else ():
        if isinstance(candidate, func.FuncOp) and candidate.sym_name.data == callee_name:
            callee = candidate
            break
    assert callee is not None, "check_supported found every callee"
    target = c.function(callee)
    ins = [c.slot(v) for v in op.operands]
    outs = [c.slot(v) for v in op.results]

    def step(f: Frame) -> None:
        results = target.call(f.run, [f.vals[s] for s in ins])
        for s, v in zip(outs, results):
            f.vals[s] = v

    return step


def _compile_arith(c: Compiler, op: Operation) -> Step:
    fn = compile_arith(op)
    assert fn is not None, f"check_supported accepted {op.name}"
    ins = [c.slot(v) for v in op.operands]
    out = c.slot(op.results[0])
    if not ins:

        def constant(f: Frame) -> None:
            f.vals[out] = fn()

        return constant
    if len(ins) == 1:
        (a,) = ins

        def unary(f: Frame) -> None:
            f.vals[out] = fn(f.vals[a])

        return unary
    if len(ins) == 2:
        a, b = ins

        def binary(f: Frame) -> None:
            v = f.vals
            v[out] = fn(v[a], v[b])

        return binary

    def nary(f: Frame) -> None:
        v = f.vals
        v[out] = fn(*[v[s] for s in ins])

    return nary


# --------------------------------------------------------------------------- #
# scf
# --------------------------------------------------------------------------- #


@_compiles(scf.ForOp)
def _for(c: Compiler, op: scf.ForOp) -> Step:
    lb, ub, st = c.slot(op.lb), c.slot(op.ub), c.slot(op.step)
    inits = [c.slot(v) for v in op.iter_args]
    outs = [c.slot(v) for v in op.res]
    body = c.block(op.body.block)
    iv = op.body.block.args[0]

    def step(f: Frame) -> None:
        v = f.vals
        lo, hi, s = _uniform_int(v[lb]), _uniform_int(v[ub]), _uniform_int(v[st])
        if s <= 0:
            raise Fault(f"step is {s}; an scf.for step must be positive")
        carried = [v[x] for x in inits]
        for i in range(lo, hi, s):
            f.ivs.append((iv, i))
            try:
                carried = run_block(body, f, (i, *carried))
            finally:
                f.ivs.pop()
        for slot, value in zip(outs, carried):
            v[slot] = value

    return step


@_compiles(scf.IfOp)
def _if(c: Compiler, op: scf.IfOp) -> Step:
    cond = c.slot(op.cond)
    then = c.block(op.true_region.block)
    other = c.block(op.false_region.block) if op.false_region.blocks else None
    outs = [c.slot(v) for v in op.output]

    def step(f: Frame) -> None:
        flag = f.vals[cond]
        if isinstance(flag, np.ndarray):
            first = bool(flag[0])
            if not bool(np.all(flag == first)):
                raise _Diverged
            flag = first
        chosen = then if flag else other
        if chosen is None:
            return
        for slot, value in zip(outs, run_block(chosen, f, ())):
            f.vals[slot] = value

    return step


_BATCHABLE: frozenset[type[Operation]] = frozenset(
    {
        scf.ForOp,
        scf.IfOp,
        scf.YieldOp,
        scf.ParallelOp,
        scf.ReduceOp,
        scf.ReduceReturnOp,
        memref.LoadOp,
        memref.StoreOp,
        memref.SubviewOp,
        memref.CastOp,
        *tile.Tile.operations,
    }
)


def _batch_plan(op: scf.ParallelOp) -> tuple[bool, int]:
    """
    Whether the body has a batched form (only ops that have one), and the
    largest tile it makes, in bytes (8 per element: the f64 intermediates of the
    cube kernels), from which the batch is cut into chunks.
    """
    batchable = True
    largest = 1
    for inner in op.body.walk():
        if type(inner) not in _BATCHABLE and inner.dialect_name() != "arith":
            batchable = False
        for r in inner.results:
            t = r.type
            if isinstance(t, tile.TileType):
                largest = max(largest, t.rows * t.cols * 8)
    return batchable, largest


@_compiles(scf.ParallelOp)
def _parallel(c: Compiler, op: scf.ParallelOp) -> Step:
    n = len(op.lowerBound)
    lbs = [c.slot(v) for v in op.lowerBound]
    ubs = [c.slot(v) for v in op.upperBound]
    sts = [c.slot(v) for v in op.step]
    inits = [c.slot(v) for v in op.initVals]
    outs = [c.slot(v) for v in op.res]
    body = c.block(op.body.block)
    reduce_op = op.body.block.last_op
    assert isinstance(reduce_op, scf.ReduceOp)
    reductions = [c.block(r.block) for r in reduce_op.reductions]
    ivs = list(op.body.block.args)
    written = written_roots(op)
    known_ops, largest_tile = _batch_plan(op)
    # Lock step needs to know every buffer the body may write (to guard it).
    batchable = known_ops and written is not None
    root_slots = sorted(c.slot(r) for r in written or ())
    chunk = max(1, CHUNK_BYTES // (4 * largest_tile))

    def fold(f: Frame, accs: list[Any], values: Sequence[Any], b: int | None) -> None:
        for k, region in enumerate(reductions):
            value = values[k] if b is None else _iteration(values[k], b)
            (accs[k],) = run_block(region, f, (accs[k], value))

    def sequential(f: Frame, ranges: list[range], accs: list[Any]) -> None:
        for index in itertools.product(*ranges):
            f.ivs.extend(zip(ivs, index))
            try:
                values = run_block(body, f, index)
            finally:
                del f.ivs[len(f.ivs) - n :]
            fold(f, accs, values, None)

    def batched(f: Frame, ranges: list[range], accs: list[Any]) -> list[Any]:
        grids = np.meshgrid(
            *[np.arange(r.start, r.stop, r.step, dtype=np.int64) for r in ranges], indexing="ij"
        )
        flat = [g.reshape(-1) for g in grids]
        total = flat[0].size
        for start in range(0, total, chunk):
            stop = min(total, start + chunk)
            sub = f.sub(stop - start, np.arange(start, stop, dtype=np.int32))
            values = run_block(body, sub, [x[start:stop] for x in flat])
            for b in range(stop - start):
                fold(f, accs, values, b)
        return accs

    def step(f: Frame) -> None:
        v = f.vals
        if f.batched:
            lo = [_uniform_int(v[s]) for s in lbs]
            hi = [_uniform_int(v[s]) for s in ubs]
            st = [_uniform_int(v[s]) for s in sts]
        else:
            lo = [int(v[s]) for s in lbs]
            hi = [int(v[s]) for s in ubs]
            st = [int(v[s]) for s in sts]
        for s in st:
            if s <= 0:
                raise Fault(f"step is {s}; an scf.parallel step must be positive")
        ranges = [range(a, b, s) for a, b, s in zip(lo, hi, st)]
        accs = [v[s] for s in inits]
        count = int(np.prod([len(r) for r in ranges], dtype=np.int64))
        guard = None
        if not f.batched and batchable and count > 1:
            guard = _Guard.take([v[s] for s in root_slots], f.run)
        if guard is None:
            # Inside a batch the iterations run in order, each in lock step
            # across the outer batch.
            sequential(f, ranges, accs)
        else:
            try:
                accs = batched(f, ranges, list(accs))
            except (_Diverged, DiagnosticError):
                guard.restore(f.run)
                f.run.stats.fell_back += 1
                sequential(f, ranges, accs)
            else:
                guard.release(f.run)
                f.run.stats.batched += 1
        for slot, value in zip(outs, accs):
            v[slot] = value

    return step


@dataclass
class _Guard:
    """What a batched scf.parallel may change, saved to undo it, and the owner maps."""

    roots: list[Root]
    data: list[np.ndarray[Any, Any]]
    init: list[np.ndarray[Any, Any] | None]
    block_exec: list[int]
    stats: RunStats
    nbytes: int

    @staticmethod
    def take(buffers: Sequence[Any], run: _Run) -> _Guard | None:
        """Snapshot the written buffers; None (run sequentially) if that does not fit."""
        roots: list[Root] = []
        for b in buffers:
            if isinstance(b, Buffer) and all(b.root is not r for r in roots):
                roots.append(b.root)
        # A copy of each buffer (and its init flags) plus a 4-byte owner per element.
        nbytes = sum(r.data.nbytes + r.data.size * 5 for r in roots)
        try:
            run.budget.reserve(nbytes, "the snapshot of a batched scf.parallel")
        except Fault:
            return None
        for r in roots:
            r.owner = np.full(r.data.shape, -1, np.int32)
        stats = RunStats()
        stats.merge(run.stats)
        return _Guard(
            roots,
            [r.data.copy() for r in roots],
            [None if r.init is None else r.init.copy() for r in roots],
            list(run.block_exec),
            stats,
            nbytes,
        )

    def restore(self, run: _Run) -> None:
        """Undo the batched attempt: buffers, init flags and counters as before it."""
        for r, data, init in zip(self.roots, self.data, self.init):
            r.data[...] = data
            if init is not None and r.init is not None:
                r.init[...] = init
        run.block_exec[:] = self.block_exec
        for counter, saved in (
            (run.stats.ops, self.stats.ops),
            (run.stats.units, self.stats.units),
            (run.stats.moved, self.stats.moved),
            (run.stats.tasks, self.stats.tasks),
        ):
            counter.clear()
            counter.update(saved)
        self.release(run)

    def release(self, run: _Run) -> None:
        for r in self.roots:
            r.owner = None
        run.budget.release(self.nbytes)


# --------------------------------------------------------------------------- #
# memref and linalg
# --------------------------------------------------------------------------- #


def _claim(buf: Buffer, index: tuple[Any, ...], ids: np.ndarray[Any, Any]) -> None:
    """
    Record that each iteration of the batch touches the elements ``index`` selects.

    ``index`` is a tuple of integer arrays broadcasting to [B, ...] (one block of
    elements per iteration); an element already touched by another iteration,
    or touched by two iterations of this batch, means lock step could differ from
    the sequential order.
    """
    owner = buf.root.owner
    if owner is None:
        return
    view = buf.aux(owner)
    shape = np.broadcast_shapes(*(np.shape(i) for i in index))
    want = np.broadcast_to(ids.reshape((-1,) + (1,) * (len(shape) - 1)), shape)
    seen = view[index]
    if not bool(np.all((seen == -1) | (seen == want))):
        raise _Diverged
    view[index] = want
    if not bool(np.all(view[index] == want)):
        raise _Diverged


def _region_index(region: tuple[slice, slice]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Row and column index arrays of one block of GM (for a single iteration's claim)."""
    rows = np.arange(region[0].start, region[0].stop, dtype=np.int64).reshape(-1, 1)
    cols = np.arange(region[1].start, region[1].stop, dtype=np.int64).reshape(1, -1)
    return rows, cols


def _batch_of(x: Any, width: int) -> np.ndarray[Any, Any]:
    """One int64 per iteration (an unbatched index repeated)."""
    arr = as_array(x)
    if arr is not None:
        return arr.astype(np.int64, copy=False)
    return np.full(width, int(x), dtype=np.int64)


def _block_index(
    r0: np.ndarray[Any, Any], c0: np.ndarray[Any, Any], rows: int, cols: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Row and column index arrays of one [rows, cols] block per iteration: [B, rows, 1], [B, 1, cols]."""
    ri = r0[:, None, None] + np.arange(rows, dtype=np.int64)[None, :, None]
    ci = c0[:, None, None] + np.arange(cols, dtype=np.int64)[None, None, :]
    return ri, ci


def _step_of(x: np.ndarray[Any, Any]) -> int | None:
    """The common difference of an arithmetic progression, or None."""
    if x.size < 2:
        return 0
    d = int(x[1] - x[0])
    return d if bool(np.array_equal(x, x[0] + d * np.arange(x.size, dtype=np.int64))) else None


def _strided_blocks(
    data: np.ndarray[Any, Any],
    r0: np.ndarray[Any, Any],
    c0: np.ndarray[Any, Any],
    rows: int,
    cols: int,
) -> np.ndarray[Any, Any] | None:
    """
    The [B, rows, cols] blocks as one strided view when the offsets step evenly.

    The caller has checked every block lies inside ``data``.
    """
    dr, dc = _step_of(r0), _step_of(c0)
    if dr is None or dc is None:
        return None
    s0, s1 = data.strides
    batch_stride = dr * s0 + dc * s1
    if batch_stride < 0 or s0 < 0 or s1 < 0:
        return None
    start = data[int(r0[0]) :, int(c0[0]) :]
    return as_strided(start, shape=(r0.size, rows, cols), strides=(batch_stride, s0, s1))


def _in_bounds(
    buf: Buffer, r0: np.ndarray[Any, Any], c0: np.ndarray[Any, Any], rows: int, cols: int
) -> bool:
    m_rows, m_cols = buf.shape
    return (
        int(r0.min()) >= 0
        and int(c0.min()) >= 0
        and int(r0.max()) + rows <= m_rows
        and int(c0.max()) + cols <= m_cols
    )


@_compiles(memref.AllocOp, memref.AllocaOp)
def _alloc(c: Compiler, op: memref.AllocOp) -> Step:
    sizes = [c.slot(v) for v in op.operands]
    out = c.slot(op.results[0])

    def step(f: Frame) -> None:
        f.vals[out] = alloc_buffer(op, [int(f.vals[s]) for s in sizes], f.run.budget)

    return step


@_compiles(memref.DeallocOp)
def _dealloc(c: Compiler, op: memref.DeallocOp) -> Step:
    def step(f: Frame) -> None:
        return None

    return step


@_compiles(memref.CastOp)
def _memref_cast(c: Compiler, op: memref.CastOp) -> Step:
    src, out = c.slot(op.source), c.slot(op.dest)

    def step(f: Frame) -> None:
        f.vals[out] = f.vals[src]

    return step


@_compiles(memref.SubviewOp)
def _subview(c: Compiler, op: memref.SubviewOp) -> Step:
    from xdsl.dialects.builtin import DYNAMIC_INDEX

    src = c.slot(op.source)
    dyn_off = [c.slot(v) for v in op.offsets]
    dyn_size = [c.slot(v) for v in op.sizes]
    dyn_stride = [c.slot(v) for v in op.strides]
    static = (
        op.static_offsets.get_values(),
        op.static_sizes.get_values(),
        op.static_strides.get_values(),
    )
    result_type = op.result.type
    assert isinstance(result_type, MemRefType)
    result_shape = result_type.get_shape()
    type_str = str(result_type)
    out = c.slot(op.result)

    def fill(static_values: Sequence[int], slots: list[int], f: Frame) -> list[int]:
        it = iter(slots)
        return [_uniform_int(f.vals[next(it)]) if s == DYNAMIC_INDEX else s for s in static_values]

    def step(f: Frame) -> None:
        buf = f.vals[src]
        assert isinstance(buf, Buffer)
        f.vals[out] = buf.subview(
            fill(static[0], dyn_off, f),
            fill(static[1], dyn_size, f),
            fill(static[2], dyn_stride, f),
            result_shape,
            type_str,
        )

    return step


def _scalar_from_memory(x: Any, element_type: Attribute) -> Any:
    """Loaded elements in the scalar convention (per-iteration arrays stay arrays)."""
    arr = as_array(x)
    if arr is None:
        return scalar_of(x, element_type)
    if np.issubdtype(arr.dtype, np.integer):
        return wrap(arr.astype(np.int64), bit_width(element_type))
    return arr.copy()


@_compiles(memref.LoadOp)
def _memref_load(c: Compiler, op: memref.LoadOp) -> Step:
    src = c.slot(op.memref)
    idx = [c.slot(v) for v in op.indices]
    out = c.slot(op.res)
    element_type = op.res.type

    def step(f: Frame) -> None:
        buf = f.vals[src]
        assert isinstance(buf, Buffer)
        indices = [f.vals[s] for s in idx]
        if not f.batched or not any(isinstance(i, np.ndarray) for i in indices):
            if f.batched and f.width > 1 and buf.root.owner is not None:
                raise _Diverged  # every iteration reads one element another may write
            value = buf.load([int(i) for i in indices])
            if f.batched and buf.root.owner is not None:
                assert f.ids is not None
                single = tuple(np.asarray([int(i)], dtype=np.int64) for i in indices)
                _claim(buf, single, f.ids)
            f.vals[out] = _scalar_from_memory(value, element_type)
            return
        arrays = [_batch_of(i, f.width) for i in indices]
        for a, dim in zip(arrays, buf.shape):
            if not bool(np.all((a >= 0) & (a < dim))):
                raise _Diverged
        index = tuple(arrays)
        if buf.root.init is not None and not bool(np.all(buf.aux(buf.root.init)[index])):
            raise _Diverged
        assert f.ids is not None
        _claim(buf, index, f.ids)
        f.vals[out] = _scalar_from_memory(buf.data[index], element_type)

    return step


@_compiles(memref.StoreOp)
def _memref_store(c: Compiler, op: memref.StoreOp) -> Step:
    val = c.slot(op.value)
    dst = c.slot(op.memref)
    idx = [c.slot(v) for v in op.indices]

    def step(f: Frame) -> None:
        buf = f.vals[dst]
        assert isinstance(buf, Buffer)
        value = f.vals[val]
        indices = [f.vals[s] for s in idx]
        if not f.batched:
            buf.store([int(i) for i in indices], value)
            return
        arrays = [_batch_of(i, f.width) for i in indices]
        for a, dim in zip(arrays, buf.shape):
            if not bool(np.all((a >= 0) & (a < dim))):
                raise _Diverged
        index = tuple(arrays)
        assert f.ids is not None
        _claim(buf, index, f.ids)
        buf.data[index] = value
        if buf.root.init is not None:
            buf.aux(buf.root.init)[index] = True

    return step


@_compiles(memref.CopyOp)
def _copy(c: Compiler, op: memref.CopyOp) -> Step:
    src, dst = c.slot(op.source), c.slot(op.destination)

    def step(f: Frame) -> None:
        source, dest = f.vals[src], f.vals[dst]
        assert isinstance(source, Buffer)
        assert isinstance(dest, Buffer)
        dest.copy_from(source)

    return step


@_compiles(linalg.MatmulOp)
def _linalg_matmul(c: Compiler, op: linalg.MatmulOp) -> Step:
    a, b, out = (c.slot(v) for v in op.operands)

    def step(f: Frame) -> None:
        bufs = [f.vals[a], f.vals[b], f.vals[out]]
        for buf, verb in zip(bufs, ("reads", "reads", "accumulates into")):
            assert isinstance(buf, Buffer)
            buf.check_init(tuple(slice(None) for _ in buf.shape), verb)
        bufs[2].data[...] = numerics.linalg_matmul(bufs[0].data, bufs[1].data, bufs[2].data)

    return step


@_compiles(linalg.FillOp)
def _linalg_fill(c: Compiler, op: linalg.FillOp) -> Step:
    val, out = c.slot(op.inputs[0]), c.slot(op.outputs[0])

    def step(f: Frame) -> None:
        buf = f.vals[out]
        assert isinstance(buf, Buffer)
        buf.data[...] = numerics.convert(np.asarray(f.vals[val]), buf.data.dtype)
        buf.mark_init(tuple(slice(None) for _ in buf.shape))

    return step


# --------------------------------------------------------------------------- #
# tile: data movement
# --------------------------------------------------------------------------- #


def _tile_type(value: SSAValue) -> tile.TileType:
    t = value.type
    assert isinstance(t, tile.TileType)
    return t


@_compiles(tile.LoadOp)
def _tile_load(c: Compiler, op: tile.LoadOp) -> Step:
    src = c.slot(op.source)
    ro, co = (c.slot(v) for v in op.offsets)
    valid = [c.slot(v) for v in op.valid]
    out = c.slot(op.result)
    t = _tile_type(op.result)
    rows, cols = t.rows, t.cols
    dtype = numpy_dtype(t.element_type)
    space = t.memory_space.value

    def uniform(f: Frame, buf: Buffer, r0: int, c0: int, extents: list[int] | None) -> None:
        root = buf.root
        if f.batched and root.owner is not None:
            if f.width > 1:
                raise _Diverged  # every iteration reads a block another may write
            assert f.ids is not None
            region = buf.tile_region("reads", (r0, c0), (rows, cols), extents)
            ri, ci = _block_index(
                np.asarray([r0]), np.asarray([c0]), region[0].stop - r0, region[1].stop - c0
            )
            _claim(buf, (ri, ci), f.ids)
        if extents is None and root.init is None and not root.written_by_program:
            # Memory nothing writes during the run: a view is the value.
            region = buf.tile_region("reads", (r0, c0), (rows, cols), None)
            f.vals[out] = to_torch(buf.data[region])
        else:
            f.vals[out] = to_torch(buf.read_tile((r0, c0), (rows, cols), extents, dtype))
        elements = rows * cols if extents is None else extents[0] * extents[1]
        f.run.stats.move("gm", space, elements * dtype.itemsize * f.width)

    def step(f: Frame) -> None:
        v = f.vals
        buf = v[src]
        assert isinstance(buf, Buffer)
        r0, c0 = v[ro], v[co]
        extents = [v[s] for s in valid] if valid else None
        per_iteration = _is_batched(r0) or _is_batched(c0) or any(map(_is_batched, extents or ()))
        if not per_iteration:
            uniform(
                f, buf, int(r0), int(c0), None if extents is None else [int(e) for e in extents]
            )
            return
        width = f.width
        assert f.ids is not None
        rb, cb = _batch_of(r0, width), _batch_of(c0, width)
        if extents is not None:
            # Partial tiles of per-iteration extents: one iteration at a time.
            vr, vc = _batch_of(extents[0], width), _batch_of(extents[1], width)
            blocks: list[np.ndarray[Any, Any]] = []
            for b in range(width):
                region = buf.tile_region(
                    "reads", (int(rb[b]), int(cb[b])), (rows, cols), [int(vr[b]), int(vc[b])]
                )
                if buf.root.owner is not None:
                    _claim(
                        buf,
                        _region_index(region),
                        f.ids[b : b + 1],
                    )
                blocks.append(
                    buf.read_tile(
                        (int(rb[b]), int(cb[b])), (rows, cols), [int(vr[b]), int(vc[b])], dtype
                    )
                )
            v[out] = to_torch(np.stack(blocks))
            f.run.stats.move("gm", space, int(np.sum(vr * vc)) * dtype.itemsize)
            return
        if not _in_bounds(buf, rb, cb, rows, cols):
            raise _Diverged
        root = buf.root
        view = _strided_blocks(buf.data, rb, cb, rows, cols)
        if view is None or root.init is not None or root.owner is not None:
            # Index arrays only where they are needed: a W block of 1024 rows
            # per task would make them as large as the data.
            ri, ci = _block_index(rb, cb, rows, cols)
            if root.init is not None and not bool(np.all(buf.aux(root.init)[ri, ci])):
                raise _Diverged
            if root.owner is not None:
                _claim(buf, (ri, ci), f.ids)
            if view is None:
                # A gather copies: no later store can change the loaded tile.
                v[out] = to_torch(buf.data[ri, ci])
                f.run.stats.move("gm", space, rows * cols * dtype.itemsize * width)
                return
        if root.written_by_program or root.init is not None:
            # A later store may overwrite this memory; the tile must not change.
            view = np.array(view, copy=True)
        v[out] = to_torch(view)
        f.run.stats.move("gm", space, rows * cols * dtype.itemsize * width)

    return step


@_compiles(tile.StoreOp)
def _tile_store(c: Compiler, op: tile.StoreOp) -> Step:
    val = c.slot(op.value)
    dst = c.slot(op.dest)
    ro, co = (c.slot(v) for v in op.offsets)
    valid = [c.slot(v) for v in op.valid]
    atomic = op.atomic is not None
    t = _tile_type(op.value)
    rows, cols = t.rows, t.cols
    space = t.memory_space.value
    itemsize = numpy_dtype(t.element_type).itemsize

    def step(f: Frame) -> None:
        v = f.vals
        buf = v[dst]
        assert isinstance(buf, Buffer)
        value = v[val]
        r0, c0 = v[ro], v[co]
        extents = [v[s] for s in valid] if valid else None
        per_iteration = (
            _is_batched(value)
            or _is_batched(r0)
            or _is_batched(c0)
            or any(map(_is_batched, extents or ()))
        )
        if not f.batched or (not per_iteration and f.width == 1):
            offsets = (int(r0), int(c0))
            ext = None if extents is None else [int(e) for e in extents]
            array = to_numpy(value)
            if array.ndim == 3:
                array = array[0]
            if f.batched:
                assert f.ids is not None
                region = buf.tile_region("writes", offsets, (rows, cols), ext)
                ri, ci = _block_index(
                    np.asarray([offsets[0]]),
                    np.asarray([offsets[1]]),
                    region[0].stop - offsets[0],
                    region[1].stop - offsets[1],
                )
                _claim(buf, (ri, ci), f.ids)
            written = buf.write_tile(offsets, array, ext, atomic)
            f.run.stats.move(space, "gm", written * itemsize)
            return
        width = f.width
        assert f.ids is not None
        if not per_iteration:
            raise _Diverged  # every iteration writes the same block
        array = to_numpy(value)
        if array.ndim == 2:
            array = np.broadcast_to(array, (width, rows, cols))
        rb, cb = _batch_of(r0, width), _batch_of(c0, width)
        if extents is not None:
            vr, vc = _batch_of(extents[0], width), _batch_of(extents[1], width)
            total = 0
            for b in range(width):
                ext = [int(vr[b]), int(vc[b])]
                offsets = (int(rb[b]), int(cb[b]))
                region = buf.tile_region("writes", offsets, (rows, cols), ext)
                _claim(
                    buf,
                    _region_index(region),
                    f.ids[b : b + 1],
                )
                total += buf.write_tile(offsets, array[b], ext, atomic)
            f.run.stats.move(space, "gm", total * itemsize)
            return
        if not _in_bounds(buf, rb, cb, rows, cols):
            raise _Diverged
        ri, ci = _block_index(rb, cb, rows, cols)
        root = buf.root
        if atomic and root.init is not None and not bool(np.all(buf.aux(root.init)[ri, ci])):
            raise _Diverged
        _claim(buf, (ri, ci), f.ids)
        # The claim proved the blocks disjoint, so the order of the writes is moot.
        view = _strided_blocks(buf.data, rb, cb, rows, cols)
        with np.errstate(all="ignore"):
            if view is not None:
                writable = as_strided(view, view.shape, view.strides, writeable=True)
                writable[...] = writable + array if atomic else array
            elif atomic:
                buf.data[ri, ci] = buf.data[ri, ci] + array
            else:
                buf.data[ri, ci] = array
        if root.init is not None:
            buf.aux(root.init)[ri, ci] = True
        f.run.stats.move(space, "gm", rows * cols * itemsize * width)

    return step


def _block_slices(
    x: torch.Tensor, r0: Any, c0: Any, rows: int, cols: int, what: str, width: int
) -> torch.Tensor:
    """``tile.move`` / ``tile.extract``: the [rows, cols] block at the offsets (per iteration)."""
    shape = (int(x.shape[-2]), int(x.shape[-1]))
    if not (_is_batched(r0) or _is_batched(c0)):
        numerics.check_block(what, (int(r0), int(c0)), (rows, cols), shape)
        r, c = int(r0), int(c0)
        return x[..., r : r + rows, c : c + cols]
    rb, cb = _batch_of(r0, width), _batch_of(c0, width)
    if not bool(np.all((rb >= 0) & (cb >= 0) & (rb + rows <= shape[0]) & (cb + cols <= shape[1]))):
        raise _Diverged
    ri, ci = _block_index(rb, cb, rows, cols)
    rt, ct = to_torch(ri), to_torch(ci)
    if x.dim() == 3:
        bt = torch.arange(width)[:, None, None]
        return x[bt, rt, ct]
    return x[rt, ct]


@_compiles(tile.MoveOp, tile.ExtractOp)
def _move(c: Compiler, op: tile.MoveOp | tile.ExtractOp) -> Step:
    src = c.slot(op.source)
    ro, co = (c.slot(v) for v in op.offsets)
    out = c.slot(op.result)
    t = _tile_type(op.result)
    rows, cols = t.rows, t.cols
    is_move = isinstance(op, tile.MoveOp)
    what = "moves" if is_move else "extracts"
    path = (_tile_type(op.source).memory_space.value, t.memory_space.value)
    nbytes = rows * cols * numpy_dtype(t.element_type).itemsize
    # A block of a strided view (a transposed tile) is read many times when a
    # loop extracts its rows one by one: copy the source into rows once and
    # slice the copy.  ``last`` remembers the source it was made from.
    last: list[torch.Tensor] = []

    def step(f: Frame) -> None:
        v = f.vals
        x = v[src]
        if x.stride(-1) != 1 and x.shape[-1] > 1:
            if not last or last[0] is not x:
                last[:] = [x, x.contiguous()]
            x = last[1]
        v[out] = _block_slices(x, v[ro], v[co], rows, cols, what, f.width)
        if is_move:
            f.run.stats.move(path[0], path[1], nbytes * f.width)

    return step


@_compiles(tile.InsertOp)
def _insert(c: Compiler, op: tile.InsertOp) -> Step:
    src, dst = c.slot(op.source), c.slot(op.dest)
    ro, co = (c.slot(v) for v in op.offsets)
    out = c.slot(op.result)
    st, dt = _tile_type(op.source), _tile_type(op.dest)
    rows, cols = st.rows, st.cols

    def step(f: Frame) -> None:
        v = f.vals
        source, dest = v[src], v[dst]
        r0, c0 = v[ro], v[co]
        width = f.width
        batched = source.dim() == 3 or dest.dim() == 3 or _is_batched(r0) or _is_batched(c0)
        if not batched:
            numerics.check_block("inserts", (int(r0), int(c0)), (rows, cols), (dt.rows, dt.cols))
            result = dest.clone()
            result[int(r0) : int(r0) + rows, int(c0) : int(c0) + cols] = source
            v[out] = result
            return
        result = dest.expand(width, dt.rows, dt.cols).clone()
        if not (_is_batched(r0) or _is_batched(c0)):
            numerics.check_block("inserts", (int(r0), int(c0)), (rows, cols), (dt.rows, dt.cols))
            result[:, int(r0) : int(r0) + rows, int(c0) : int(c0) + cols] = source
            v[out] = result
            return
        rb, cb = _batch_of(r0, width), _batch_of(c0, width)
        if not bool(
            np.all((rb >= 0) & (cb >= 0) & (rb + rows <= dt.rows) & (cb + cols <= dt.cols))
        ):
            raise _Diverged
        ri, ci = _block_index(rb, cb, rows, cols)
        bt = torch.arange(width)[:, None, None]
        result[bt, to_torch(ri), to_torch(ci)] = source.expand(width, rows, cols)
        v[out] = result

    return step


# --------------------------------------------------------------------------- #
# tile: compute
# --------------------------------------------------------------------------- #


def _converter(dtype: np.dtype[Any]) -> Callable[[torch.Tensor], torch.Tensor]:
    """``numerics.convert`` to ``dtype`` on a tensor: the casts torch does not round alike."""

    def convert(x: torch.Tensor) -> torch.Tensor:
        return to_torch(np.ascontiguousarray(numerics.convert(to_numpy(x), dtype)))

    return convert


_TORCH_FLOATS = (torch.float32, torch.bfloat16, torch.float16)


@dataclass(frozen=True)
class _Product:
    """
    A ``tile.mul`` / ``tile.col_expand_mul`` result that only a ``row_sum`` reads.

    The row sum's first tree level multiplies and adds the two halves directly,
    so the full product is never written out; every product and every sum is
    the same IEEE operation as unfused, so the bits are the same.
    """

    lhs: torch.Tensor
    rhs: torch.Tensor


def _broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast of two shapes (torch.broadcast_shapes is slow Python)."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + a
    b = (1,) * (n - len(b)) + b
    return tuple(max(x, y) for x, y in zip(a, b))


class _Scratch:
    """
    Working buffers of one ``row_sum``, kept from one execution to the next.

    A row sum of a batched [B, R, C] tile runs once per loop iteration with the
    same shapes; allocating its buffers anew each time costs page faults on
    fresh memory, which is more than the additions, and slicing out the views of
    the tree's levels every time costs more than adding the small ones.  Nothing
    outside the sum sees these buffers: its result is a copy of their first
    column.
    """

    def __init__(self) -> None:
        self.buffers: dict[tuple[Any, ...], _TreeBuffer] = {}

    def get(self, like: torch.Tensor, shape: tuple[int, ...], dtype: torch.dtype) -> _TreeBuffer:
        """
        The buffer for a first tree level of ``shape``, its axes in memory in
        the order ``like``'s are: each level's halves are then whole blocks of
        memory, whatever view (a transpose, a strided load) ``like`` is.
        """
        order = _memory_order(like, len(shape))
        index = (shape, dtype, order)
        found = self.buffers.get(index)
        if found is None:
            found = self.buffers[index] = _TreeBuffer(shape, dtype, order)
        return found


def _memory_order(like: torch.Tensor, ndim: int) -> tuple[int, ...]:
    """
    The axes of ``like`` (aligned to ``ndim`` trailing axes), outermost in memory
    first.  Axes of size 1 (broadcast in the result) keep their place before
    the next axis in index order.
    """
    offset = ndim - like.dim()
    real = [d for d in range(ndim) if d >= offset and like.shape[d - offset] > 1]
    real.sort(key=lambda d: (-like.stride(d - offset), d))
    order: list[int] = []
    pending = [d for d in range(ndim) if d not in real]
    for d in real:
        order.extend(p for p in pending if p < d and p not in order)
        order.append(d)
    order.extend(p for p in pending if p not in order)
    return tuple(order)


class _TreeBuffer:
    """A first-level buffer and the views of every later level of the halving tree."""

    def __init__(self, shape: tuple[int, ...], dtype: torch.dtype, order: tuple[int, ...]):
        inverse = [order.index(d) for d in range(len(shape))]

        def empty(last: int) -> torch.Tensor:
            sizes = (*shape[:-1], last)
            return torch.empty([sizes[d] for d in order], dtype=dtype).permute(inverse)

        width = shape[-1]
        self.buf = empty(width)
        self.upper = empty(width)
        # (lower half, upper half, carried-from, carried-to) of each later level.
        self.levels: list[
            tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor | None]
        ] = []
        while width > 1:
            half, odd = width // 2, width % 2
            buf = self.buf
            self.levels.append(
                (
                    buf[..., :half],
                    buf[..., half : 2 * half],
                    buf[..., 2 * half] if odd else None,
                    buf[..., half] if odd else None,
                )
            )
            width = half + odd
        self.first = self.buf[..., :1]

    def reduce(self) -> torch.Tensor:
        """Run the later levels in place; a copy of the sum column."""
        for lower, upper, carry_from, carry_to in self.levels:
            lower.add_(upper)
            if carry_to is not None and carry_from is not None:
                carry_to.copy_(carry_from)
        return self.first.clone()


def _tree_sum(x: torch.Tensor | _Product, scratch: _Scratch) -> torch.Tensor:
    """
    ``numerics.halving_tree_sum`` in torch: the same additions in the same order.

    The first level writes a scratch buffer (from the two products directly,
    for a fused ``_Product``); the later ones add its upper half into its lower
    half in place (the two halves never overlap), and an odd width carries its
    last element down one column, as the numpy kernel's concatenate does.
    """
    if isinstance(x, _Product):
        a, b = x.lhs, x.rhs
        shape = _broadcast_shape(tuple(a.shape), tuple(b.shape))
        width = shape[-1]
        if width == 1:
            return a * b
        half, odd = width // 2, width % 2
        dtype = torch.promote_types(a.dtype, b.dtype)
        # The larger operand decides the memory order (the other broadcasts).
        big = a if a.numel() >= b.numel() else b
        tree = scratch.get(big, (*shape[:-1], half + odd), dtype)
        lower = tree.buf[..., :half]
        upper = tree.upper[..., :half]
        torch.mul(a[..., :half], b[..., :half], out=lower)
        torch.mul(a[..., half : 2 * half], b[..., half : 2 * half], out=upper)
        lower.add_(upper)
        if odd:
            torch.mul(a[..., 2 * half], b[..., 2 * half], out=tree.buf[..., half])
        return tree.reduce()
    width = x.shape[-1]
    if width == 1:
        return x
    half, odd = width // 2, width % 2
    tree = scratch.get(x, (*x.shape[:-1], half + odd), x.dtype)
    torch.add(x[..., :half], x[..., half : 2 * half], out=tree.buf[..., :half])
    if odd:
        tree.buf[..., half] = x[..., 2 * half]
    return tree.reduce()


@_compiles(tile.RowSumOp)
def _row_sum(c: Compiler, op: tile.RowSumOp) -> Step:
    src, out = c.slot(op.source), c.slot(op.result)
    dtype = numpy_dtype(_tile_type(op.source).element_type)
    acc = torch_dtype(numerics.accumulation_dtype(dtype))
    own = torch_dtype(dtype)
    to_own = _converter(dtype)
    scratch = _Scratch()

    def step(f: Frame) -> None:
        x = f.vals[src]
        if isinstance(x, _Product):
            f.vals[out] = _tree_sum(x, scratch)
            return
        summed = _tree_sum(x.to(acc) if x.dtype != acc else x, scratch)
        if acc != own:
            # The one rounding back to the tile's type, as numerics.convert does it.
            summed = to_own(summed)
        f.vals[out] = summed

    return step


def _feeds_only_row_sum(value: SSAValue) -> bool:
    """A product whose only reader is a row_sum accumulating in its own type."""
    uses = list(value.uses)
    if len(uses) != 1 or not isinstance(uses[0].operation, tile.RowSumOp):
        return False
    dtype = numpy_dtype(_tile_type(value).element_type)
    return numerics.accumulation_dtype(dtype) == dtype


def _rows_are_extracted(value: SSAValue) -> bool:
    """A cast feeding only a transpose whose rows are then extracted or moved."""
    uses = list(value.uses)
    if len(uses) != 1 or not isinstance(uses[0].operation, tile.TransposeOp):
        return False
    transposed = uses[0].operation.results[0]
    return any(isinstance(u.operation, tile.ExtractOp | tile.MoveOp) for u in transposed.uses)


@_compiles(tile.CastOp)
def _cast(c: Compiler, op: tile.CastOp) -> Step:
    src, out = c.slot(op.source), c.slot(op.result)
    source_dtype = numpy_dtype(_tile_type(op.source).element_type)
    dtype = numpy_dtype(_tile_type(op.result).element_type)
    target = torch_dtype(dtype)
    exact_widening = target == torch.float32 and torch_dtype(source_dtype) in _TORCH_FLOATS
    # Where the value goes decides only its memory layout: when the transposed
    # tile's rows are read one by one, write the converted elements in the
    # transposed order right away (one pass instead of a cast and a copy).
    transposed_layout = _rows_are_extracted(op.result)
    convert = _converter(dtype)

    def step(f: Frame) -> None:
        x = f.vals[src]
        if not exact_widening:
            f.vals[out] = convert(x)
        elif transposed_layout and x.dtype != target:
            y = torch.empty((*x.shape[:-2], x.shape[-1], x.shape[-2]), dtype=target)
            y = y.transpose(-1, -2)
            y.copy_(x)
            f.vals[out] = y
        else:
            # bf16 / f16 -> f32 is exact: torch and ml_dtypes agree bit for bit.
            f.vals[out] = x.to(target)

    return step


@_compiles(tile.FullOp)
def _full(c: Compiler, op: tile.FullOp) -> Step:
    t = _tile_type(op.result)
    dtype = numpy_dtype(t.element_type)
    value = constant_value(op.value, t.element_type)
    filled = to_torch(np.full((t.rows, t.cols), value, dtype=dtype))
    out = c.slot(op.result)

    def step(f: Frame) -> None:
        # Tiles are immutable: every execution may share the one filled tensor.
        f.vals[out] = filled

    return step


@_compiles(tile.TransposeOp)
def _transpose(c: Compiler, op: tile.TransposeOp) -> Step:
    src, out = c.slot(op.source), c.slot(op.result)

    def step(f: Frame) -> None:
        f.vals[out] = f.vals[src].transpose(-1, -2)

    return step


@_compiles(tile.ColExpandOp)
def _col_expand(c: Compiler, op: tile.ColExpandOp) -> Step:
    src, out = c.slot(op.source), c.slot(op.result)
    rows = _tile_type(op.result).rows

    def step(f: Frame) -> None:
        x = f.vals[src]
        f.vals[out] = x.expand(*x.shape[:-2], rows, x.shape[-1])

    return step


@_compiles(tile.MulOp, tile.ColExpandMulOp)
def _mul(c: Compiler, op: tile.MulOp | tile.ColExpandMulOp) -> Step:
    a, b, out = c.slot(op.lhs), c.slot(op.rhs), c.slot(op.result)
    if _feeds_only_row_sum(op.result):

        def deferred(f: Frame) -> None:
            v = f.vals
            v[out] = _Product(v[a], v[b])

        return deferred

    def step(f: Frame) -> None:
        v = f.vals
        v[out] = v[a] * v[b]

    return step


@_compiles(tile.AddOp)
def _add(c: Compiler, op: tile.AddOp) -> Step:
    a, b, out = c.slot(op.lhs), c.slot(op.rhs), c.slot(op.result)

    def step(f: Frame) -> None:
        v = f.vals
        v[out] = v[a] + v[b]

    return step


@_compiles(tile.ReshapeOp)
def _reshape(c: Compiler, op: tile.ReshapeOp) -> Step:
    src, out = c.slot(op.source), c.slot(op.result)
    st, rt = _tile_type(op.source), _tile_type(op.result)
    source_col, result_col = not st.is_row_major, not rt.is_row_major
    rows, cols = rt.rows, rt.cols

    def step(f: Frame) -> None:
        x = f.vals[src]
        lead = tuple(x.shape[:-2])
        flat = (x.transpose(-1, -2) if source_col else x).reshape(*lead, -1)
        if result_col:
            f.vals[out] = flat.reshape(*lead, cols, rows).transpose(-1, -2)
        else:
            f.vals[out] = flat.reshape(*lead, rows, cols)

    return step


@_compiles(tile.MatmulOp, tile.MatmulAccOp)
def _cube(c: Compiler, op: tile.MatmulOp | tile.MatmulAccOp) -> Step:
    lhs, rhs, out = c.slot(op.lhs), c.slot(op.rhs), c.slot(op.result)
    acc = c.slot(op.acc) if isinstance(op, tile.MatmulAccOp) else None
    dtype = numpy_dtype(_tile_type(op.result).element_type)
    target = torch_dtype(dtype)
    floats = target.is_floating_point

    def step(f: Frame) -> None:
        v = f.vals
        a, b = v[lhs], v[rhs]
        if not floats:
            accumulator = None if acc is None else to_numpy(v[acc])
            exact = numerics.cube_matmul(to_numpy(a), to_numpy(b), accumulator, dtype)
            v[out] = to_torch(np.ascontiguousarray(exact))
            return
        # Exact products, one f64 sum, one rounding: numerics.cube_matmul.
        wide = a.to(torch.float64) @ b.to(torch.float64)
        if acc is not None:
            wide = wide + v[acc].to(torch.float64)
        v[out] = wide.to(target)

    return step


@_compiles(tile.TaskOp)
def _task(c: Compiler, op: tile.TaskOp) -> Step:
    body = c.block(op.body.block)
    unit = op.task_unit.value

    def step(f: Frame) -> None:
        f.run.stats.tasks[unit] += f.width
        run_block(body, f, ())

    return step


# --------------------------------------------------------------------------- #
# Entry point
# --------------------------------------------------------------------------- #


def run_fast(
    fn: func.FuncOp, buffers: Sequence[Buffer], budget: MemoryBudget, stats: RunStats
) -> None:
    """Compile ``fn`` (and, as their calls are compiled, its callees) and call it on ``buffers``."""
    compiler = Compiler()
    compiled = compiler.function(fn)
    run = _Run(budget, stats, [0] * len(compiler.blocks))
    threads = torch.get_num_threads()
    # One thread: the batched ops are memory bound, and on a shared machine a
    # second torch thread that waits for a busy core costs more than it gives.
    torch.set_num_threads(1)
    try:
        with np.errstate(all="ignore"), torch.no_grad():
            compiled.call(run, list(buffers))
    finally:
        torch.set_num_threads(threads)
    for info, times in zip(compiler.blocks, run.block_exec):
        if times:
            for name, unit in info.counts:
                stats.record(name, unit, times)
