"""
The semantics of ``arith`` on scalars, shared by both executors.

Run-time values of scalar SSA values:

* ``index`` and ``iN`` (N > 1): a Python ``int`` in the signed range of the
  width (index is 64-bit); arithmetic wraps (two's complement);
* ``i1``: a Python ``bool``;
* floats: a numpy scalar of the type (``np.float32``, ``ml_dtypes.bfloat16``...);
  every operation rounds to nearest even in the type.

The fast executor runs independent ``scf.parallel`` iterations together; there a
value that differs between iterations is a 1-D numpy array (int64, bool or the
float dtype) with one element per iteration.  Every function here accepts both
forms, so the two executors cannot disagree about a scalar.

``compile_arith(op)`` returns the function computing one op's result from its
operand values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
from xdsl.dialects import arith
from xdsl.dialects.builtin import (
    AnyFloat,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
)
from xdsl.ir import Attribute, Operation

from qkv_opt.interpreter import numerics
from qkv_opt.interpreter.dtypes import INDEX_BITS, numpy_dtype
from qkv_opt.interpreter.faults import Fault

__all__ = ["compile_arith", "constant_value", "is_scalar_type", "to_python", "wrap"]

ScalarFn = Callable[..., Any]


def is_scalar_type(t: Attribute) -> bool:
    """Types the interpreter holds as scalars: index, iN, and the float types."""
    return isinstance(t, IndexType | IntegerType | AnyFloat)


def bit_width(t: Attribute) -> int:
    """Bits of an integer-like type (index: 64)."""
    if isinstance(t, IntegerType):
        return int(cast(IntegerType, t).width.data)
    if isinstance(t, IndexType):
        return INDEX_BITS
    raise Fault(f"{t} is not an integer type")


Array = np.ndarray[Any, Any]


def as_array(x: object) -> Array | None:
    """``x`` as a per-iteration array, or None for a uniform scalar."""
    return cast(Array, x) if isinstance(x, np.ndarray) else None


def _batched(*values: Any) -> bool:
    return any(isinstance(v, np.ndarray) for v in values)


def _any(flags: Any) -> bool:
    arr = as_array(flags)
    return bool(np.any(arr)) if arr is not None else bool(flags)


def _where(cond: Any, a: Any, b: Any) -> Any:
    if _batched(cond, a, b):
        return cast(Array, np.where(cond, a, b))
    return a if cond else b


def wrap(x: Any, width: int) -> Any:
    """``x`` reduced to the signed range of ``width`` bits (i1: a bool)."""
    arr = as_array(x)
    if width == 1:
        if arr is not None:
            return (arr.astype(np.int64) & 1).astype(np.bool_)
        return bool(int(x) & 1)
    half, mask = 1 << (width - 1), (1 << width) - 1
    if arr is not None:
        arr = arr.astype(np.int64, copy=False)
        if width >= 64:
            return arr
        return ((arr + half) & mask) - half
    return ((int(x) + half) & mask) - half


def as_signed(x: Any, width: int) -> Any:
    """The signed integer a value stands for (i1 true is -1)."""
    if width == 1:
        arr = as_array(x)
        if arr is not None:
            return -arr.astype(np.int64)
        return -int(x)
    return x


def as_unsigned(x: Any, width: int) -> Any:
    """The unsigned integer a value's bits stand for."""
    arr = as_array(x)
    if arr is not None:
        if width >= 64:
            return arr.astype(np.int64).view(np.uint64)
        return arr.astype(np.int64) & ((1 << width) - 1)
    return int(x) & ((1 << width) - 1)


def to_python(x: Any) -> Any:
    """A uniform scalar as a plain Python value for messages and bounds."""
    if isinstance(x, np.generic):
        return cast(np.generic[Any], x).item()
    return x


# --------------------------------------------------------------------------- #
# Integer ops
# --------------------------------------------------------------------------- #


def _check_nonzero(divisor: Any) -> None:
    if _any(divisor == 0):
        raise Fault(f"divides by zero (the divisor is 0){_where_batched(divisor)}")


def _where_batched(x: Any) -> str:
    return "" if not isinstance(x, np.ndarray) else " in some iteration"


def _div_trunc(a: Any, b: Any) -> Any:
    q = abs(a) // abs(b)
    return _where((a < 0) != (b < 0), -q, q)


def _int_binary(width: int, kind: type[Operation]) -> ScalarFn | None:
    def s(v: Any) -> Any:
        return as_signed(v, width)

    def u(v: Any) -> Any:
        return as_unsigned(v, width)

    def add(a: Any, b: Any) -> Any:
        return wrap(s(a) + s(b), width)

    def sub(a: Any, b: Any) -> Any:
        return wrap(s(a) - s(b), width)

    def mul(a: Any, b: Any) -> Any:
        return wrap(s(a) * s(b), width)

    def and_(a: Any, b: Any) -> Any:
        return wrap(u(a) & u(b), width)

    def or_(a: Any, b: Any) -> Any:
        return wrap(u(a) | u(b), width)

    def xor(a: Any, b: Any) -> Any:
        return wrap(u(a) ^ u(b), width)

    def div_s(a: Any, b: Any) -> Any:
        _check_nonzero(b)
        return wrap(_div_trunc(s(a), s(b)), width)

    def rem_s(a: Any, b: Any) -> Any:
        _check_nonzero(b)
        sa, sb = s(a), s(b)
        return wrap(sa - sb * _div_trunc(sa, sb), width)

    def div_u(a: Any, b: Any) -> Any:
        _check_nonzero(b)
        return wrap(u(a) // u(b), width)

    def rem_u(a: Any, b: Any) -> Any:
        _check_nonzero(b)
        return wrap(u(a) % u(b), width)

    def floor_div_s(a: Any, b: Any) -> Any:
        _check_nonzero(b)
        return wrap(s(a) // s(b), width)

    def ceil_div_s(a: Any, b: Any) -> Any:
        _check_nonzero(b)
        return wrap(-((-s(a)) // s(b)), width)

    def ceil_div_u(a: Any, b: Any) -> Any:
        _check_nonzero(b)
        ua, ub = u(a), u(b)
        return wrap(ua // ub + (ua % ub != 0), width)

    def shift_amount(b: Any) -> Any:
        ub = u(b)
        if _any(ub >= width):
            raise Fault(f"shifts by {to_python(b)}, not less than the width {width}")
        return ub

    def shl(a: Any, b: Any) -> Any:
        return wrap(u(a) << shift_amount(b), width)

    def shr_u(a: Any, b: Any) -> Any:
        return wrap(u(a) >> shift_amount(b), width)

    def shr_s(a: Any, b: Any) -> Any:
        return wrap(s(a) >> shift_amount(b), width)

    def min_s(a: Any, b: Any) -> Any:
        return _where(s(a) <= s(b), a, b)

    def max_s(a: Any, b: Any) -> Any:
        return _where(s(a) >= s(b), a, b)

    def min_u(a: Any, b: Any) -> Any:
        return _where(u(a) <= u(b), a, b)

    def max_u(a: Any, b: Any) -> Any:
        return _where(u(a) >= u(b), a, b)

    table: dict[type[Operation], ScalarFn] = {
        arith.AddiOp: add,
        arith.SubiOp: sub,
        arith.MuliOp: mul,
        arith.AndIOp: and_,
        arith.OrIOp: or_,
        arith.XOrIOp: xor,
        arith.DivSIOp: div_s,
        arith.RemSIOp: rem_s,
        arith.DivUIOp: div_u,
        arith.RemUIOp: rem_u,
        arith.FloorDivSIOp: floor_div_s,
        arith.CeilDivSIOp: ceil_div_s,
        arith.CeilDivUIOp: ceil_div_u,
        arith.ShLIOp: shl,
        arith.ShRUIOp: shr_u,
        arith.ShRSIOp: shr_s,
        arith.MinSIOp: min_s,
        arith.MaxSIOp: max_s,
        arith.MinUIOp: min_u,
        arith.MaxUIOp: max_u,
    }
    return table.get(kind)


_CMPI: dict[str, Callable[[Any, Any, Any, Any], Any]] = {
    # (signed a, signed b, unsigned a, unsigned b) -> i1
    "eq": lambda sa, sb, ua, ub: ua == ub,
    "ne": lambda sa, sb, ua, ub: ua != ub,
    "slt": lambda sa, sb, ua, ub: sa < sb,
    "sle": lambda sa, sb, ua, ub: sa <= sb,
    "sgt": lambda sa, sb, ua, ub: sa > sb,
    "sge": lambda sa, sb, ua, ub: sa >= sb,
    "ult": lambda sa, sb, ua, ub: ua < ub,
    "ule": lambda sa, sb, ua, ub: ua <= ub,
    "ugt": lambda sa, sb, ua, ub: ua > ub,
    "uge": lambda sa, sb, ua, ub: ua >= ub,
}


def _boolean(x: Any) -> Any:
    arr = as_array(x)
    return arr if arr is not None else bool(x)


# --------------------------------------------------------------------------- #
# Float ops
# --------------------------------------------------------------------------- #


def _typed(dtype: np.dtype[Any]) -> Callable[[Any], Any]:
    """Force a float result into its type (numpy keeps it there already)."""

    def typed(x: Any) -> Any:
        arr = as_array(x)
        if arr is not None:
            return arr.astype(dtype, copy=False)
        return dtype.type(x)

    return typed


_FLOAT_BINARY: dict[type[Operation], Callable[[Any, Any], Any]] = {
    arith.AddfOp: np.add,
    arith.SubfOp: np.subtract,
    arith.MulfOp: np.multiply,
    arith.DivfOp: np.divide,
    # maximumf / minimumf propagate NaN; maxnumf / minnumf prefer the number.
    arith.MaximumfOp: np.maximum,
    arith.MinimumfOp: np.minimum,
    arith.MaxnumfOp: np.fmax,
    arith.MinnumfOp: np.fmin,
}


def _nan(x: Any) -> Any:
    return np.isnan(x)


_CMPF: dict[str, Callable[[Any, Any], Any]] = {
    "false": lambda a, b: np.zeros(np.shape(a + b), np.bool_) if _batched(a, b) else False,
    "oeq": lambda a, b: a == b,
    "ogt": lambda a, b: a > b,
    "oge": lambda a, b: a >= b,
    "olt": lambda a, b: a < b,
    "ole": lambda a, b: a <= b,
    "one": lambda a, b: (a != b) & ~(_nan(a) | _nan(b)),
    "ord": lambda a, b: ~(_nan(a) | _nan(b)),
    "ueq": lambda a, b: (a == b) | _nan(a) | _nan(b),
    "ugt": lambda a, b: ~(a <= b),
    "uge": lambda a, b: ~(a < b),
    "ult": lambda a, b: ~(a >= b),
    "ule": lambda a, b: ~(a > b),
    "une": lambda a, b: a != b,
    "uno": lambda a, b: _nan(a) | _nan(b),
    "true": lambda a, b: np.ones(np.shape(a + b), np.bool_) if _batched(a, b) else True,
}


def _convert_scalar(x: Any, dtype: np.dtype[Any]) -> Any:
    """``numerics.convert`` for a scalar or a per-iteration array."""
    arr = as_array(x)
    if arr is not None:
        return numerics.convert(arr, dtype)
    source: Array = np.asarray(x)
    if source.dtype == np.dtype(object) or (isinstance(x, int) and not isinstance(x, bool)):
        # A Python int: int64 holds every signed value up to 64 bits.
        source = np.asarray(x, dtype=np.uint64 if x >= 1 << 63 else np.int64)
    return numerics.convert(source, dtype)[()]


def _int_result(x: Any, width: int) -> Any:
    """A converted integer back in the scalar convention (Python int, wrapped)."""
    if isinstance(x, np.ndarray):
        return wrap(x.astype(np.int64), width)
    return wrap(int(x), width)


def constant_value(value: Attribute, result_type: Attribute) -> Any:
    """The run-time value of an ``arith.constant`` value attribute."""
    if isinstance(value, IntegerAttr):
        number = cast(IntegerAttr[Any], value).value.data
        return wrap(int(number), bit_width(result_type))
    if isinstance(value, FloatAttr):
        dtype = numpy_dtype(result_type)
        literal = cast(FloatAttr[Any], value).value.data
        # Round the literal once, from its exact (f64) value, to the type.
        return numerics.convert(np.asarray(float(literal), np.float64), dtype)[()]
    raise Fault(f"constant {value} is not a scalar; the interpreter holds scalars only")


def compile_arith(op: Operation) -> ScalarFn | None:
    """The function from operand values to the result of one ``arith`` op, or None."""
    if not op.results:
        return None
    result_type = op.results[0].type
    kind = type(op)
    if isinstance(op, arith.ConstantOp):
        value = constant_value(op.value, result_type)

        def constant() -> Any:
            return value

        return constant
    if kind is arith.SelectOp:
        return _where
    if isinstance(op, arith.CmpiOp):
        return _compile_cmpi(op)
    if isinstance(op, arith.CmpfOp):
        fpredicate = _CMPF[arith.CMPF_COMPARISON_OPERATIONS[op.predicate.value.data]]

        def cmpf(a: Any, b: Any) -> Any:
            return _boolean(fpredicate(a, b))

        return cmpf
    if kind in _FLOAT_BINARY:
        fn = _FLOAT_BINARY[kind]
        typed = _typed(numpy_dtype(result_type))

        def float_binary(a: Any, b: Any) -> Any:
            return typed(fn(a, b))

        return float_binary
    if kind is arith.NegfOp:
        typed_neg = _typed(numpy_dtype(result_type))

        def negf(a: Any) -> Any:
            return typed_neg(np.negative(a))

        return negf
    if is_integer_type(result_type) and len(op.operands) == 2:
        return _int_binary(bit_width(result_type), kind)
    return _compile_cast(op, kind, result_type)


def is_integer_type(t: Attribute) -> bool:
    """index or iN."""
    return isinstance(t, IntegerType | IndexType)


def _compile_cmpi(op: arith.CmpiOp) -> ScalarFn:
    width = bit_width(op.lhs.type)
    predicate = _CMPI[arith.CMPI_COMPARISON_OPERATIONS[op.predicate.value.data]]

    def cmpi(a: Any, b: Any) -> Any:
        return _boolean(
            predicate(
                as_signed(a, width),
                as_signed(b, width),
                as_unsigned(a, width),
                as_unsigned(b, width),
            )
        )

    return cmpi


def _compile_cast(op: Operation, kind: type[Operation], result_type: Attribute) -> ScalarFn | None:
    if len(op.operands) != 1:
        return None
    source_type = op.operands[0].type
    if kind in (arith.ExtFOp, arith.TruncFOp):
        dtype = numpy_dtype(result_type)

        def float_cast(x: Any) -> Any:
            return _convert_scalar(x, dtype)

        return float_cast
    if kind in (arith.SIToFPOp, arith.UIToFPOp):
        dtype = numpy_dtype(result_type)
        width = bit_width(source_type)
        to_int = as_signed if kind is arith.SIToFPOp else as_unsigned

        def int_to_float(x: Any) -> Any:
            return _convert_scalar(to_int(x, width), dtype)

        return int_to_float
    if kind is arith.FPToSIOp:
        width = bit_width(result_type)
        target = numpy_dtype(result_type)

        def fptosi(x: Any) -> Any:
            return _int_result(_convert_scalar(x, target), width)

        return fptosi
    if kind is arith.FPToUIOp:
        return _compile_fptoui(bit_width(result_type))
    if kind in (arith.ExtSIOp, arith.ExtUIOp, arith.TruncIOp, arith.IndexCastOp):
        src = bit_width(source_type)
        dst = bit_width(result_type)
        widen = as_unsigned if kind is arith.ExtUIOp else as_signed

        def int_cast(x: Any) -> Any:
            return wrap(widen(x, src), dst)

        return int_cast
    return None


def _compile_fptoui(width: int) -> ScalarFn:
    def fptoui(x: Any) -> Any:
        wide = _convert_scalar(x, np.dtype(np.float64))
        clipped = np.clip(np.nan_to_num(np.trunc(wide), nan=0.0), 0.0, float((1 << width) - 1))
        as_int: Array = np.asarray(clipped).astype(np.uint64).astype(np.int64)
        return _int_result(as_int if isinstance(x, np.ndarray) else as_int[()], width)

    return fptoui
