"""
What the executors need to know about a function before running it.

* which ops the interpreter implements (``check_supported`` fails, located,
  before anything runs, instead of half-way through a run);
* which GM buffers a function writes (``written_roots``): the seeded inputs of
  ``qkv-run --init zeros`` zero exactly those, ``run_function`` copies only
  those, and the fast executor returns views for loads from the others;
* the public entry functions and their signatures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xdsl.dialects import func, memref, scf
from xdsl.dialects.builtin import MemRefType, ModuleOp
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import BlockArgument, Operation, OpResult, SSAValue
from xdsl.ir.affine import AffineMap

from qkv_opt.dialects import tile
from qkv_opt.interpreter.dtypes import UnsupportedType, memref_element_type, numpy_dtype
from qkv_opt.interpreter.faults import Fault
from qkv_opt.interpreter.scalar import compile_arith, is_scalar_type
from qkv_opt.utils.diagnostics import error_at

__all__ = [
    "SUPPORTED_OPS",
    "check_supported",
    "function_signature",
    "public_functions",
    "reachable_functions",
    "root_of",
    "written_roots",
]

_STRUCTURE: tuple[type[Operation], ...] = (
    func.FuncOp,
    func.ReturnOp,
    func.CallOp,
    scf.ForOp,
    scf.ParallelOp,
    scf.IfOp,
    scf.YieldOp,
    scf.ReduceOp,
    scf.ReduceReturnOp,
)
_MEMREF: tuple[type[Operation], ...] = (
    memref.AllocOp,
    memref.AllocaOp,
    memref.DeallocOp,
    memref.SubviewOp,
    memref.LoadOp,
    memref.StoreOp,
    memref.CopyOp,
    memref.CastOp,
    linalg.MatmulOp,
    linalg.FillOp,
)
_TILE: tuple[type[Operation], ...] = tuple(tile.Tile.operations)

SUPPORTED_OPS: frozenset[type[Operation]] = frozenset((*_STRUCTURE, *_MEMREF, *_TILE))
"""Every op class the interpreter runs, besides the scalar ``arith`` ops."""

_SUPPORTED_TEXT = (
    "the interpreter runs func, scf (for, parallel, if), scalar arith, memref (alloc, "
    "subview, load, store, copy), linalg.matmul, linalg.fill and every tile op"
)


def public_functions(module: ModuleOp) -> list[func.FuncOp]:
    """Functions with a body that are not ``private``, in file order."""
    out: list[func.FuncOp] = []
    for op in module.walk():
        if not isinstance(op, func.FuncOp) or not op.body.blocks:
            continue
        visibility = op.sym_visibility
        if visibility is not None and visibility.data == "private":
            continue
        out.append(op)
    return out


def find_function(module: ModuleOp, name: str) -> func.FuncOp | None:
    """The ``func.func`` named ``name`` anywhere in the module, or None."""
    for op in module.walk():
        if isinstance(op, func.FuncOp) and op.sym_name.data == name:
            return op
    return None


def function_signature(fn: func.FuncOp) -> str:
    """``(memref<1x5120xbf16>, memref<5120x1024xbf16>) -> ()``."""
    inputs = ", ".join(str(t) for t in fn.function_type.inputs.data)
    outputs = fn.function_type.outputs.data
    result = str(outputs[0]) if len(outputs) == 1 else "(" + ", ".join(map(str, outputs)) + ")"
    return f"({inputs}) -> {result}"


def reachable_functions(module: ModuleOp, entry: func.FuncOp) -> list[func.FuncOp]:
    """``entry`` and every function it calls, directly or not; fails on a missing callee."""
    seen: list[func.FuncOp] = [entry]
    work = [entry]
    while work:
        fn = work.pop()
        for op in fn.walk():
            if not isinstance(op, func.CallOp):
                continue
            callee = find_function(module, op.callee.root_reference.data)
            if callee is None or not callee.body.blocks:
                raise error_at(
                    op,
                    f"calls @{op.callee.root_reference.data}, which has no body in this "
                    "module; the interpreter runs only functions it can see",
                )
            if callee not in seen:
                seen.append(callee)
                work.append(callee)
    return seen


def _check_types(op: Operation, values: Iterable[SSAValue]) -> None:
    for value in values:
        t = value.type
        if isinstance(t, tile.TileType) or is_scalar_type(t):
            try:
                numpy_dtype(t.element_type if isinstance(t, tile.TileType) else t)
            except UnsupportedType as e:
                raise error_at(op, f"{e}; {_SUPPORTED_TEXT}") from None
            continue
        if isinstance(t, MemRefType):
            try:
                numpy_dtype(memref_element_type(value.type))
            except UnsupportedType as e:
                raise error_at(op, f"{e}; {_SUPPORTED_TEXT}") from None
            continue
        raise error_at(
            op,
            f"has a value of type {t}; the interpreter holds index, integer and float "
            "scalars, memrefs and tiles only",
        )


def check_supported(module: ModuleOp, entry: func.FuncOp) -> list[func.FuncOp]:
    """
    Fail, located, on the first op the interpreter cannot run.

    Returns the functions that a call of ``entry`` may run.
    """
    functions = reachable_functions(module, entry)
    for fn in functions:
        for op in fn.walk():
            if op is fn:
                continue
            if isinstance(op.parent_op(), linalg.MatmulOp | linalg.FillOp):
                continue  # the hidden body of a named op: the op's semantics cover it
            _check_types(op, (*op.operands, *op.results))
            if type(op) in SUPPORTED_OPS:
                _check_op_details(op)
                continue
            if op.dialect_name() == "arith":
                try:
                    fn_ = compile_arith(op)
                except Fault as e:
                    raise error_at(op, e.message) from None
                if fn_ is not None:
                    continue
            raise error_at(op, f"is not supported by the interpreter; {_SUPPORTED_TEXT}")
    return functions


_MATMUL_MAPS = [
    AffineMap.from_callable(lambda i, _, k: (i, k)),
    AffineMap.from_callable(lambda _, j, k: (k, j)),
    AffineMap.from_callable(lambda i, j, _: (i, j)),
]


def _check_op_details(op: Operation) -> None:
    if isinstance(op, linalg.MatmulOp):
        if op.results or not all(isinstance(v.type, MemRefType) for v in op.operands):
            raise error_at(op, "on tensors is not supported by the interpreter; use memrefs")
        maps = [m.data for m in op.indexing_maps.data]
        if maps != _MATMUL_MAPS:
            raise error_at(
                op,
                "with non-default indexing_maps (a transposed or broadcast matmul) is not "
                "supported by the interpreter",
            )
    if isinstance(op, linalg.FillOp) and (
        op.results or not all(isinstance(v.type, MemRefType) for v in op.outputs)
    ):
        raise error_at(op, "on tensors is not supported by the interpreter; use memrefs")


# --------------------------------------------------------------------------- #
# Which GM buffers a function writes
# --------------------------------------------------------------------------- #


def root_of(value: SSAValue) -> SSAValue | None:
    """
    The allocation a memref value views: a function argument or an alloc result.

    None when the value comes from somewhere the analysis does not follow (an
    ``scf.for`` iter_arg, an ``scf.if`` result, a call result).
    """
    while True:
        if isinstance(value, BlockArgument):
            parent = value.block.parent_op()
            return value if isinstance(parent, func.FuncOp) else None
        if not isinstance(value, OpResult):
            return None
        owner = value.op
        if isinstance(owner, memref.SubviewOp):
            value = owner.source
            continue
        if isinstance(owner, memref.CastOp):
            value = owner.source
            continue
        if isinstance(owner, memref.AllocOp | memref.AllocaOp):
            return value
        return None


def _written_operands(op: Operation) -> Sequence[SSAValue]:
    if isinstance(op, tile.StoreOp):
        return (op.dest,)
    if isinstance(op, memref.StoreOp):
        return (op.memref,)
    if isinstance(op, memref.CopyOp):
        return (op.destination,)
    if isinstance(op, linalg.MatmulOp | linalg.FillOp):
        return tuple(op.outputs)
    if isinstance(op, func.CallOp):
        # A callee may write any memref it is given.
        return tuple(v for v in op.operands if isinstance(v.type, MemRefType))
    return ()


def written_roots(region_owner: Operation) -> set[SSAValue] | None:
    """
    The allocations that ops inside ``region_owner`` may write.

    None when some write goes to a memref whose allocation is unknown: then
    every buffer must be treated as written.
    """
    roots: set[SSAValue] = set()
    for op in region_owner.walk():
        for value in _written_operands(op):
            root = root_of(value)
            if root is None:
                return None
            roots.add(root)
    return roots


def written_arguments(fn: func.FuncOp) -> list[bool]:
    """For each argument of ``fn``: may the function write it?"""
    roots = written_roots(fn)
    args = fn.body.blocks.first.args if fn.body.blocks.first is not None else ()
    if roots is None:
        return [isinstance(a.type, MemRefType) for a in args]
    return [a in roots for a in args]
