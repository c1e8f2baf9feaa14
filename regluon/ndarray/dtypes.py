"""dtype names shared by NumPy, MXNet and torch."""

from __future__ import annotations

import numpy as np
import torch

NP2TORCH = {
    "float16": torch.float16,
    "float32": torch.float32,
    "float64": torch.float64,
    "uint8": torch.uint8,
    "int8": torch.int8,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
}
TORCH2NP = {v: k for k, v in NP2TORCH.items()}


_CACHE: dict = {}


def to_torch(dtype) -> torch.dtype:
    """A torch dtype for a NumPy dtype, NumPy type or dtype name."""
    hit = _CACHE.get(dtype)
    if hit is not None:
        return hit
    if isinstance(dtype, torch.dtype):
        return dtype
    name = np.dtype(dtype).name
    try:
        res = NP2TORCH[name]
    except KeyError:
        raise TypeError(f"dtype {name} is not supported; use one of {', '.join(NP2TORCH)}") from None
    _CACHE[dtype] = res
    return res


def np_type(dtype: torch.dtype) -> type:
    """The NumPy scalar type (``numpy.float32``) MXNet reports for a torch dtype."""
    return np.dtype(TORCH2NP[dtype]).type
