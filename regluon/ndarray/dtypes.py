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


_INT_BITS = {torch.uint8: (8, False), torch.int8: (8, True), torch.int32: (32, True), torch.int64: (64, True)}


def scalar_operands(data: torch.Tensor, scalar: float) -> tuple[torch.Tensor, float | int]:
    """The operands MXNet computes ``data <op> scalar`` with (for the ``_*_scalar`` operators).

    MXNet converts the number to the array's dtype first, as C does: for integer arrays it is
    truncated toward zero (``x * 1.5`` multiplies by 1, ``x > 2.5`` compares with 2) and wraps
    around (``uint8 - 1`` adds 255); a value out of the 32-bit range becomes the smallest int32,
    as on x86. For float16 it is rounded to float16. A bool array computes as int64.

    Example:
        >>> scalar_operands(torch.tensor([3, 7], dtype=torch.int32), 1.5)[1]
        1
    """
    dt = data.dtype
    if dt is torch.bool:
        data, dt = data.to(torch.int64), torch.int64
    if dt.is_floating_point:
        return data, float(np.float16(scalar)) if dt is torch.float16 else float(scalar)
    bits, signed = _INT_BITS[dt]
    value = int(scalar)  # truncates toward zero
    wide = 64 if bits == 64 else 32
    if not -(1 << (wide - 1)) <= value < (1 << (wide - 1)):
        value = -(1 << (wide - 1))
    value &= (1 << bits) - 1
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return data, value


def float_to_int(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Convert floating-point values to an integer dtype as MXNet's CPU kernels do (C casts on x86):
    truncation toward zero, values out of the 32-bit range (64-bit for int64) become the smallest
    integer of that width, and 8-bit types keep the low 8 bits.

    Example:
        >>> float_to_int(torch.tensor([2.7, -2.7, 128.0, 1e10]), torch.int8).tolist()
        [2, -2, -128, 0]
    """
    x = x.trunc()
    half = 2.0 ** (63 if dtype is torch.int64 else 31)
    x = torch.where((x >= -half) & (x < half), x, -half)  # NaN is out of range too
    return x.to(torch.int64).to(dtype)
