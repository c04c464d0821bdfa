"""
The reference interpreter: one ``@impl`` per op on xDSL's interpreter framework.

It walks the IR op by op, slowly (about 25 us per op) and plainly: this is the
definition of what a program means, and the fast executor (``fast.py``) is
tested against it bit for bit.

Run-time values: scalars as in ``scalar.py`` (Python ints and bools, numpy
float scalars), memrefs as ``memory.Buffer``, tiles as numpy arrays of the
tile's logical [R, C] shape (the layout only matters to ``tile.reshape``).
xDSL's shipped arith / scf / memref impls use ``IntegerAttr`` / ``FloatAttr``
scalars and ``ShapedArray`` buffers; none of them is registered here, so the
two conventions never meet.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import DYNAMIC_INDEX, MemRefType, ModuleOp
from xdsl.dialects.linalg import ops as linalg
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    PythonValues,
    ReturnedValues,
    TerminatorValue,
    impl,
    impl_callable,
    impl_terminator,
    register_impls,
)
from xdsl.ir import Attribute, Operation, SSAValue

from qkv_opt.dialects import tile
from qkv_opt.interpreter import numerics
from qkv_opt.interpreter.dtypes import numpy_dtype
from qkv_opt.interpreter.faults import Fault, located
from qkv_opt.interpreter.memory import Buffer, MemoryBudget, alloc_buffer
from qkv_opt.interpreter.scalar import ScalarFn, bit_width, compile_arith, constant_value, wrap
from qkv_opt.interpreter.stats import RunStats
from qkv_opt.utils.diagnostics import DiagnosticError

__all__ = ["ReferenceInterpreter", "run_reference"]


class _Abort(BaseException):
    """
    Carries a run-time diagnostic out of the interpreter.

    xDSL's dispatcher catches every ``Exception`` an impl raises and prints the
    whole module into it, once per nesting level; a run-time check failure is
    not an interpreter bug, so it travels as a ``BaseException`` and
    ``run_reference`` unwraps it.
    """

    def __init__(self, error: DiagnosticError):
        super().__init__(str(error))
        self.error = error


@dataclass
class _State:
    budget: MemoryBudget
    stats: RunStats
    ivs: list[tuple[SSAValue, int]] = field(default_factory=lambda: list[tuple[SSAValue, int]]())
    arith: dict[Operation, ScalarFn] = field(default_factory=lambda: dict[Operation, ScalarFn]())


def _state(interpreter: Interpreter) -> _State:
    state = interpreter.get_data(ReferenceFunctions, "state", lambda: None)
    assert isinstance(state, _State), "run through run_reference()"
    return state


_OpT = TypeVar("_OpT", bound=Operation)
_Impl = Callable[[Any, Interpreter, _OpT, PythonValues], PythonValues]


def _checked(fn: _Impl[_OpT]) -> _Impl[_OpT]:
    """Turn a ``Fault`` of the impl into a diagnostic located at the op."""

    def run(self: Any, interpreter: Interpreter, op: _OpT, args: PythonValues) -> PythonValues:
        try:
            return fn(self, interpreter, op, args)
        except Fault as fault:
            raise _Abort(located(op, fault, list(_state(interpreter).ivs))) from None

    return run


def _ints(values: Sequence[Any]) -> list[int]:
    return [int(v) for v in values]


class _Counter(Interpreter.Listener):
    """Counts every op the interpreter runs, per name and per unit."""

    def __init__(self, stats: RunStats):
        self.stats = stats
        self.units: dict[type[Operation], str] = {}

    def will_interpret_op(self, op: Operation, args: PythonValues) -> None:
        unit = self.units.get(type(op))
        if unit is None:
            found = tile.unit_of(op)
            unit = self.units[type(op)] = found.value if found is not None else "other"
        self.stats.record(op.name, unit)


# --------------------------------------------------------------------------- #
# func, arith, scf
# --------------------------------------------------------------------------- #


@register_impls
class ReferenceFunctions(InterpreterFunctions):
    """func, scalar arith and scf."""

    @impl_callable(func.FuncOp)
    def call_func(
        self, interpreter: Interpreter, op: func.FuncOp, args: PythonValues
    ) -> PythonValues:
        """Run the body with the arguments bound to the entry block."""
        return interpreter.run_ssacfg_region(op.body, args, op.sym_name.data)

    @impl_terminator(func.ReturnOp)
    def run_return(
        self, interpreter: Interpreter, op: func.ReturnOp, args: PythonValues
    ) -> tuple[TerminatorValue, PythonValues]:
        """Hand the operands back to the caller."""
        return ReturnedValues(args), ()

    @impl(func.CallOp)
    def run_call(
        self, interpreter: Interpreter, op: func.CallOp, args: PythonValues
    ) -> PythonValues:
        """Call the callee with the operands; memrefs are passed by reference."""
        return interpreter.call_op(op.callee, args)

    # -- scf -------------------------------------------------------------- #

    @impl(scf.ForOp)
    @_checked
    def run_for(self, interpreter: Interpreter, op: scf.ForOp, args: PythonValues) -> PythonValues:
        """
        ``for iv = lb; iv < ub; iv += step`` with the iter_args carried.

        A step <= 0 is an error (upstream leaves it undefined).
        """
        lb, ub, step, *carried = args
        if int(step) <= 0:
            raise Fault(f"step is {int(step)}; an scf.for step must be positive")
        state = _state(interpreter)
        iv = op.body.block.args[0]
        values = tuple(carried)
        for i in range(int(lb), int(ub), int(step)):
            state.ivs.append((iv, i))
            try:
                values = interpreter.run_ssacfg_region(op.body, (i, *values), "scf.for")
            finally:
                state.ivs.pop()
        return values

    @impl(scf.ParallelOp)
    @_checked
    def run_parallel(
        self, interpreter: Interpreter, op: scf.ParallelOp, args: PythonValues
    ) -> PythonValues:
        """
        Every iteration of the index space, in order (the first IV outermost).

        Iterations are independent by definition; running them in order is one
        legal schedule.  After each iteration its ``scf.reduce`` operands are
        folded into the accumulators (initialised by ``init``) with the
        reduction regions, in iteration order.
        """
        n = len(op.lowerBound)
        lbs, ubs, steps = _ints(args[:n]), _ints(args[n : 2 * n]), _ints(args[2 * n : 3 * n])
        accs = list(args[3 * n :])
        for s in steps:
            if s <= 0:
                raise Fault(f"step is {s}; an scf.parallel step must be positive")
        state = _state(interpreter)
        ivs = op.body.block.args
        reduce_op = op.body.block.last_op
        assert isinstance(reduce_op, scf.ReduceOp)
        ranges = [range(lb, ub, s) for lb, ub, s in zip(lbs, ubs, steps)]
        for index in itertools.product(*ranges):
            state.ivs.extend(zip(ivs, index))
            try:
                values = interpreter.run_ssacfg_region(op.body, index, "scf.parallel")
            finally:
                del state.ivs[len(state.ivs) - n :]
            for k, region in enumerate(reduce_op.reductions):
                (accs[k],) = interpreter.run_ssacfg_region(
                    region, (accs[k], values[k]), "scf.reduce"
                )
        return tuple(accs)

    @impl(scf.IfOp)
    def run_if(self, interpreter: Interpreter, op: scf.IfOp, args: PythonValues) -> PythonValues:
        """Run the then or the else region; no else region yields nothing."""
        (cond,) = args
        region = op.true_region if cond else op.false_region
        return interpreter.run_ssacfg_region(region, (), "scf.if")

    @impl_terminator(scf.YieldOp)
    def run_yield(
        self, interpreter: Interpreter, op: scf.YieldOp, args: PythonValues
    ) -> tuple[TerminatorValue, PythonValues]:
        """The values of the region (loop-carried values, if results)."""
        return ReturnedValues(args), ()

    @impl_terminator(scf.ReduceOp)
    def run_reduce(
        self, interpreter: Interpreter, op: scf.ReduceOp, args: PythonValues
    ) -> tuple[TerminatorValue, PythonValues]:
        """One iteration's contributions; ``run_parallel`` folds them."""
        return ReturnedValues(args), ()

    @impl_terminator(scf.ReduceReturnOp)
    def run_reduce_return(
        self, interpreter: Interpreter, op: scf.ReduceReturnOp, args: PythonValues
    ) -> tuple[TerminatorValue, PythonValues]:
        """The folded value of one reduction step."""
        return ReturnedValues(args), ()


def _run_arith(
    self: InterpreterFunctions, interpreter: Interpreter, op: Operation, args: PythonValues
) -> PythonValues:
    """Every scalar arith op: the shared semantics of ``scalar.compile_arith``."""
    state = _state(interpreter)
    fn = state.arith.get(op)
    if fn is None:
        compiled = compile_arith(op)
        assert compiled is not None, f"{op.name} passed check_supported"
        fn = state.arith[op] = compiled
    try:
        return (fn(*args),)
    except Fault as fault:
        raise _Abort(located(op, fault, list(state.ivs))) from None


def _arith_functions() -> type[InterpreterFunctions]:
    """One ``@impl`` of ``_run_arith`` per arith op class, registered as xDSL does."""
    namespace: dict[str, Any] = {
        "__doc__": "Scalar arith: every op through ``scalar.compile_arith``.",
    }
    for op_type in arith.Arith.operations:
        namespace[f"run_{op_type.name.replace('.', '_')}"] = impl(op_type)(_run_arith)
    return register_impls(type("ArithFunctions", (InterpreterFunctions,), namespace))


ArithFunctions = _arith_functions()


# --------------------------------------------------------------------------- #
# memref and linalg
# --------------------------------------------------------------------------- #


def _index_list(static: Sequence[int], dynamic: Sequence[Any]) -> list[int]:
    values = iter(dynamic)
    return [int(next(values)) if s == DYNAMIC_INDEX else s for s in static]


def scalar_of(value: Any, element_type: Attribute) -> Any:
    """An element read from memory in the scalar convention of ``scalar.py``."""
    if isinstance(value, np.bool_ | np.integer):
        number = cast(Any, value)
        if isinstance(value, np.bool_):
            return bool(number)
        return wrap(int(number), bit_width(element_type))
    return value


@register_impls
class MemrefFunctions(InterpreterFunctions):
    """memref and linalg on ``memory.Buffer`` values."""

    @impl(memref.AllocOp)
    @_checked
    def run_alloc(
        self, interpreter: Interpreter, op: memref.AllocOp, args: PythonValues
    ) -> PythonValues:
        """A new buffer whose elements are uninitialised (reading one is an error)."""
        return (alloc_buffer(op, _ints(args), _state(interpreter).budget),)

    @impl(memref.AllocaOp)
    @_checked
    def run_alloca(
        self, interpreter: Interpreter, op: memref.AllocaOp, args: PythonValues
    ) -> PythonValues:
        """As memref.alloc."""
        return (alloc_buffer(op, _ints(args), _state(interpreter).budget),)

    @impl(memref.DeallocOp)
    def run_dealloc(
        self, interpreter: Interpreter, op: memref.DeallocOp, args: PythonValues
    ) -> PythonValues:
        """Nothing to do: Python frees the buffer when the last view goes."""
        return ()

    @impl(memref.CastOp)
    def run_cast(
        self, interpreter: Interpreter, op: memref.CastOp, args: PythonValues
    ) -> PythonValues:
        """The same buffer under another (compatible) type."""
        return (args[0],)

    @impl(memref.SubviewOp)
    @_checked
    def run_subview(
        self, interpreter: Interpreter, op: memref.SubviewOp, args: PythonValues
    ) -> PythonValues:
        """A strided window of the source (a view: writes reach the source)."""
        source = args[0]
        assert isinstance(source, Buffer)
        n_off, n_size = len(op.offsets), len(op.sizes)
        offsets = _index_list(op.static_offsets.get_values(), args[1 : 1 + n_off])
        sizes = _index_list(op.static_sizes.get_values(), args[1 + n_off : 1 + n_off + n_size])
        strides = _index_list(op.static_strides.get_values(), args[1 + n_off + n_size :])
        result_type = op.result.type
        assert isinstance(result_type, MemRefType)
        return (source.subview(offsets, sizes, strides, result_type.get_shape(), str(result_type)),)

    @impl(memref.LoadOp)
    @_checked
    def run_load(
        self, interpreter: Interpreter, op: memref.LoadOp, args: PythonValues
    ) -> PythonValues:
        """One element; out of bounds or never written is an error."""
        buf, *indices = args
        assert isinstance(buf, Buffer)
        return (scalar_of(buf.load(_ints(indices)), op.res.type),)

    @impl(memref.StoreOp)
    @_checked
    def run_store(
        self, interpreter: Interpreter, op: memref.StoreOp, args: PythonValues
    ) -> PythonValues:
        """Write one element; out of bounds is an error."""
        value, buf, *indices = args
        assert isinstance(buf, Buffer)
        buf.store(_ints(indices), value)
        return ()

    @impl(memref.CopyOp)
    @_checked
    def run_copy(
        self, interpreter: Interpreter, op: memref.CopyOp, args: PythonValues
    ) -> PythonValues:
        """Copy every element; the source must be fully initialised."""
        source, dest = args
        assert isinstance(source, Buffer)
        assert isinstance(dest, Buffer)
        dest.copy_from(source)
        return ()

    @impl(linalg.MatmulOp)
    @_checked
    def run_matmul(
        self, interpreter: Interpreter, op: linalg.MatmulOp, args: PythonValues
    ) -> PythonValues:
        """``C += A' @ B'``, inputs converted to C's type: the golden (``numerics.linalg_matmul``)."""
        a, b, c = args
        assert isinstance(a, Buffer)
        assert isinstance(b, Buffer)
        assert isinstance(c, Buffer)
        for buf, verb in ((a, "reads"), (b, "reads"), (c, "accumulates into")):
            buf.check_init(tuple(slice(None) for _ in buf.shape), verb)
        c.data[...] = numerics.linalg_matmul(a.data, b.data, c.data)
        return ()

    @impl(linalg.FillOp)
    @_checked
    def run_fill(
        self, interpreter: Interpreter, op: linalg.FillOp, args: PythonValues
    ) -> PythonValues:
        """Every element of the output becomes the value, converted to its type."""
        value, out = args
        assert isinstance(out, Buffer)
        out.data[...] = numerics.convert(np.asarray(value), out.data.dtype)
        out.mark_init(tuple(slice(None) for _ in out.shape))
        return ()


# --------------------------------------------------------------------------- #
# tile
# --------------------------------------------------------------------------- #


def _tile_type(value: SSAValue) -> tile.TileType:
    t = value.type
    assert isinstance(t, tile.TileType)
    return t


def _shape2(t: tile.TileType) -> tuple[int, int]:
    return (t.rows, t.cols)


@register_impls
class TileFunctions(InterpreterFunctions):
    """Every tile op on numpy [R, C] arrays (``numerics.py`` holds the math)."""

    @impl(tile.LoadOp)
    @_checked
    def run_load(
        self, interpreter: Interpreter, op: tile.LoadOp, args: PythonValues
    ) -> PythonValues:
        """GM -> UB / L1; with ``valid(r, c)`` only the top-left r x c is read, the rest is 0."""
        buf = args[0]
        assert isinstance(buf, Buffer)
        offsets = _ints(args[1:3])
        valid = _ints(args[3:5]) if op.valid else None
        t = _tile_type(op.result)
        value = buf.read_tile(offsets, _shape2(t), valid, numpy_dtype(t.element_type))
        elements = t.rows * t.cols if valid is None else valid[0] * valid[1]
        _state(interpreter).stats.move("gm", t.memory_space.value, elements * value.dtype.itemsize)
        return (value,)

    @impl(tile.StoreOp)
    @_checked
    def run_store(
        self, interpreter: Interpreter, op: tile.StoreOp, args: PythonValues
    ) -> PythonValues:
        """UB / L0C -> GM; ``valid`` limits it to the top-left part, ``atomic add`` adds."""
        value: np.ndarray[Any, Any] = args[0]
        buf = args[1]
        assert isinstance(buf, Buffer)
        offsets = _ints(args[2:4])
        valid = _ints(args[4:6]) if op.valid else None
        written = buf.write_tile(offsets, value, valid, op.atomic is not None)
        t = _tile_type(op.value)
        _state(interpreter).stats.move(t.memory_space.value, "gm", written * value.dtype.itemsize)
        return ()

    @impl(tile.MoveOp)
    @_checked
    def run_move(
        self, interpreter: Interpreter, op: tile.MoveOp, args: PythonValues
    ) -> PythonValues:
        """The block of the result's shape at the offsets of the L1 tile."""
        source = args[0]
        t = _tile_type(op.result)
        block = numerics.extract(source, (int(args[1]), int(args[2])), _shape2(t), "moves")
        source_space = _tile_type(op.source).memory_space.value
        _state(interpreter).stats.move(source_space, t.memory_space.value, block.nbytes)
        return (block,)

    @impl(tile.MatmulOp)
    def run_matmul(
        self, interpreter: Interpreter, op: tile.MatmulOp, args: PythonValues
    ) -> PythonValues:
        """Cube ``lhs @ rhs`` into a fresh accumulator: exact products, one rounding to f32."""
        lhs, rhs = args
        out = numpy_dtype(_tile_type(op.result).element_type)
        return (numerics.cube_matmul(lhs, rhs, None, out),)

    @impl(tile.MatmulAccOp)
    def run_matmul_acc(
        self, interpreter: Interpreter, op: tile.MatmulAccOp, args: PythonValues
    ) -> PythonValues:
        """Cube ``acc + lhs @ rhs``: the accumulator joins the exact sum before the rounding."""
        acc, lhs, rhs = args
        out = numpy_dtype(_tile_type(op.result).element_type)
        return (numerics.cube_matmul(lhs, rhs, acc, out),)

    @impl(tile.FullOp)
    def run_full(
        self, interpreter: Interpreter, op: tile.FullOp, args: PythonValues
    ) -> PythonValues:
        """Every element the constant, rounded (nearest even) to the element type."""
        t = _tile_type(op.result)
        value = constant_value(op.value, t.element_type)
        dtype = numpy_dtype(t.element_type)
        return (np.full(_shape2(t), value, dtype=dtype),)

    @impl(tile.CastOp)
    def run_cast(
        self, interpreter: Interpreter, op: tile.CastOp, args: PythonValues
    ) -> PythonValues:
        """Elementwise conversion (``numerics.convert``: nearest even for floats)."""
        dtype = numpy_dtype(_tile_type(op.result).element_type)
        return (numerics.convert(args[0], dtype),)

    @impl(tile.TransposeOp)
    def run_transpose(
        self, interpreter: Interpreter, op: tile.TransposeOp, args: PythonValues
    ) -> PythonValues:
        """[M, N] -> [N, M]: ``result[j, i] = source[i, j]``."""
        return (np.array(args[0].T, copy=True),)

    @impl(tile.ColExpandOp)
    def run_col_expand(
        self, interpreter: Interpreter, op: tile.ColExpandOp, args: PythonValues
    ) -> PythonValues:
        """Broadcast the [1, C] row over the R rows of the result."""
        return (numerics.col_expand(args[0], _tile_type(op.result).rows),)

    @impl(tile.ColExpandMulOp)
    def run_col_expand_mul(
        self, interpreter: Interpreter, op: tile.ColExpandMulOp, args: PythonValues
    ) -> PythonValues:
        """``lhs[r, c] * rhs[0, c]`` for every row r, in the tile's element type."""
        lhs, rhs = args
        with np.errstate(all="ignore"):
            return (lhs * rhs,)

    @impl(tile.MulOp)
    def run_mul(self, interpreter: Interpreter, op: tile.MulOp, args: PythonValues) -> PythonValues:
        """Elementwise product in the tile's element type."""
        with np.errstate(all="ignore"):
            return (args[0] * args[1],)

    @impl(tile.AddOp)
    def run_add(self, interpreter: Interpreter, op: tile.AddOp, args: PythonValues) -> PythonValues:
        """Elementwise sum in the tile's element type."""
        with np.errstate(all="ignore"):
            return (args[0] + args[1],)

    @impl(tile.RowSumOp)
    def run_row_sum(
        self, interpreter: Interpreter, op: tile.RowSumOp, args: PythonValues
    ) -> PythonValues:
        """[R, C] -> [R, 1]: each row summed in f32 in halving-tree order (``numerics.halving_tree_sum``)."""
        return (numerics.row_sum(args[0]),)

    @impl(tile.ReshapeOp)
    def run_reshape(
        self, interpreter: Interpreter, op: tile.ReshapeOp, args: PythonValues
    ) -> PythonValues:
        """The same elements in memory order (row_major: C order, col_major: Fortran order)."""
        source_t, result_t = _tile_type(op.source), _tile_type(op.result)
        return (
            numerics.memory_order_reshape(
                args[0], not source_t.is_row_major, _shape2(result_t), not result_t.is_row_major
            ),
        )

    @impl(tile.ExtractOp)
    @_checked
    def run_extract(
        self, interpreter: Interpreter, op: tile.ExtractOp, args: PythonValues
    ) -> PythonValues:
        """The sub-tile of the result's shape at the offsets."""
        t = _tile_type(op.result)
        return (numerics.extract(args[0], (int(args[1]), int(args[2])), _shape2(t), "extracts"),)

    @impl(tile.InsertOp)
    @_checked
    def run_insert(
        self, interpreter: Interpreter, op: tile.InsertOp, args: PythonValues
    ) -> PythonValues:
        """A copy of dest with source written at the offsets (dest itself is unchanged)."""
        source, dest = args[0], args[1]
        return (numerics.insert(source, dest, (int(args[2]), int(args[3]))),)

    @impl(tile.TaskOp)
    def run_task(
        self, interpreter: Interpreter, op: tile.TaskOp, args: PythonValues
    ) -> PythonValues:
        """Run the region: one core of the task's unit."""
        _state(interpreter).stats.tasks[op.task_unit.value] += 1
        interpreter.run_ssacfg_region(op.body, (), f"tile.task {op.task_name.data}")
        return ()


# --------------------------------------------------------------------------- #
# Entry point
# --------------------------------------------------------------------------- #


class ReferenceInterpreter(Interpreter):
    """An xDSL ``Interpreter`` with qkv-opt's impls of func, arith, scf, memref, linalg, tile."""

    def __init__(self, module: ModuleOp, budget: MemoryBudget, stats: RunStats):
        super().__init__(module, index_bitwidth=64, listeners=(_Counter(stats),))
        self.register_implementations(ReferenceFunctions())
        self.register_implementations(ArithFunctions())
        self.register_implementations(MemrefFunctions())
        self.register_implementations(TileFunctions())
        self.set_data(ReferenceFunctions, "state", _State(budget, stats))


def run_reference(
    module: ModuleOp,
    entry: func.FuncOp,
    args: Sequence[Any],
    budget: MemoryBudget,
    stats: RunStats,
) -> None:
    """Call ``entry`` with run-time values ``args``; raises ``DiagnosticError`` on a failed check."""
    interpreter = ReferenceInterpreter(module, budget, stats)
    try:
        with np.errstate(all="ignore"):
            interpreter.call_op(entry, tuple(args))
    except _Abort as abort:
        raise abort.error from None
