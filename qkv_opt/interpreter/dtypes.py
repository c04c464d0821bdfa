"""
Element types of the IR and the numpy / torch dtypes that hold them at run time.

bf16 lives in numpy as ``ml_dtypes.bfloat16`` (``torch_bridge`` maps it to
``torch.bfloat16``, the same 16 bits).
"""

from __future__ import annotations

from typing import Any, cast

import ml_dtypes
import numpy as np
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    Float32Type,
    Float64Type,
    IndexType,
    IntegerType,
    MemRefType,
)
from xdsl.ir import Attribute

from qkv_opt.dialects.tile import TileType, dtype_name

__all__ = [
    "BF16",
    "element_dtype",
    "is_float_dtype",
    "memref_element_type",
    "memref_shape",
    "numpy_dtype",
    "short_type",
]

BF16: np.dtype[Any] = np.dtype(ml_dtypes.bfloat16)

INDEX_BITS = 64
"""Index values are 64-bit signed integers, as on the 64-bit hosts MLIR targets."""


class UnsupportedType(Exception):
    """An element type the interpreter has no run-time representation for."""


def numpy_dtype(element_type: Attribute) -> np.dtype[Any]:
    """The numpy dtype that holds elements of ``element_type``."""
    match element_type:
        case BFloat16Type():
            return BF16
        case Float16Type():
            return np.dtype(np.float16)
        case Float32Type():
            return np.dtype(np.float32)
        case Float64Type():
            return np.dtype(np.float64)
        case IndexType():
            return np.dtype(np.int64)
        case IntegerType():
            width = element_type.width.data
            if width == 1:
                return np.dtype(np.bool_)
            # Signless integers are stored in two's complement; arithmetic wraps
            # to the declared width (see scalar.wrap).
            for bits, dtype in ((8, np.int8), (16, np.int16), (32, np.int32), (64, np.int64)):
                if width <= bits:
                    return np.dtype(dtype)
            raise UnsupportedType(f"i{width} is wider than 64 bits")
        case _:
            raise UnsupportedType(f"no run-time representation for element type {element_type}")


def element_dtype(shaped: Attribute) -> np.dtype[Any]:
    """The numpy dtype of a memref's or tile's elements."""
    if isinstance(shaped, TileType):
        return numpy_dtype(shaped.element_type)
    if isinstance(shaped, MemRefType):
        return numpy_dtype(memref_element_type(cast(Attribute, shaped)))
    raise UnsupportedType(f"{shaped} is not a memref or a tile")


def is_float_dtype(dtype: np.dtype[Any]) -> bool:
    """Whether a numpy dtype holds floating-point numbers (bf16 included)."""
    return dtype == BF16 or np.issubdtype(dtype, np.floating)


def memref_element_type(t: Attribute) -> Attribute:
    """The element type of a memref type (``MemRefType`` is generic in it)."""
    return cast(MemRefType[Attribute], t).element_type


def memref_shape(t: Attribute) -> tuple[int, ...]:
    """The shape of a memref type, ``DYNAMIC_INDEX`` for ``?``."""
    return tuple(d.data for d in cast(MemRefType[Attribute], t).shape.data)


def short_type(element_type: Attribute) -> str:
    """``bf16``, ``f32``, ``i8``, ``index``: the element type as MLIR spells it."""
    if isinstance(element_type, IndexType):
        return "index"
    return dtype_name(element_type)
