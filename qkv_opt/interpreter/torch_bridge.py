"""
numpy <-> torch without copies, for the fast executor and the linalg golden.

bf16 is ``ml_dtypes.bfloat16`` in numpy and ``torch.bfloat16`` in torch: the
same 16 bits, so an array moves between the two by reinterpreting its bytes,
never by converting values.  Kept apart from ``dtypes`` so that importing the
interpreter does not import torch (seconds of start-up for ``qkv-run``) until a
run needs it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch

from qkv_opt.interpreter.dtypes import BF16

__all__ = ["to_numpy", "to_torch", "torch_dtype"]

_TORCH: dict[np.dtype[Any], torch.dtype] = {
    BF16: torch.bfloat16,
    np.dtype(np.float16): torch.float16,
    np.dtype(np.float32): torch.float32,
    np.dtype(np.float64): torch.float64,
    np.dtype(np.int8): torch.int8,
    np.dtype(np.int16): torch.int16,
    np.dtype(np.int32): torch.int32,
    np.dtype(np.int64): torch.int64,
    np.dtype(np.bool_): torch.bool,
}


def torch_dtype(dtype: np.dtype[Any]) -> torch.dtype:
    """The torch dtype with the same bits as a numpy dtype."""
    return _TORCH[dtype]


def to_torch(array: np.ndarray[Any, Any]) -> torch.Tensor:
    """
    A torch view of a numpy array's memory (bf16 by reinterpreting its bits).

    The interpreter hands read-only views of the arguments a function never
    writes; torch warns that it cannot protect them, but nothing writes through
    the tensors made here.
    """
    if not array.flags.writeable:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
            return _from_numpy(array)
    return _from_numpy(array)


def _from_numpy(array: np.ndarray[Any, Any]) -> torch.Tensor:
    if array.dtype == BF16:
        return torch.from_numpy(array.view(np.int16)).view(torch.bfloat16)  # pyright: ignore[reportUnknownMemberType]
    return torch.from_numpy(array)  # pyright: ignore[reportUnknownMemberType]


def to_numpy(tensor: torch.Tensor) -> np.ndarray[Any, Any]:
    """A numpy view of a CPU tensor's memory (bf16 as ``ml_dtypes.bfloat16``)."""
    if tensor.dtype == torch.bfloat16:
        return tensor.view(torch.int16).numpy().view(BF16)
    return tensor.numpy()
