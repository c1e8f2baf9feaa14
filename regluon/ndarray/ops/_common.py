"""Helpers shared by the operator declarations: sample inputs and small checks."""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..register import Sample


def rand(*shape, low=-2.0, high=2.0, seed=0, dtype="float32"):
    """Reproducible uniform test data."""
    rng = np.random.RandomState(seed + 7 * len(shape) + sum(shape))
    return rng.uniform(low, high, size=shape).astype(dtype)


def unary_samples(low=-2.0, high=2.0):
    def samples():
        return [
            Sample((rand(2, 3, low=low, high=high),)),
            Sample((rand(4, low=low, high=high, seed=1),)),
            Sample((rand(3, 1, 1, low=low, high=high, seed=2),)),  # size-1 axes
        ]

    return samples


def binary_samples(low=-2.0, high=2.0):
    def samples():
        a = rand(2, 3, low=low, high=high)
        return [
            Sample((a, rand(2, 3, low=low, high=high, seed=3))),
            Sample((a, rand(1, 3, low=low, high=high, seed=4))),
            Sample((rand(4, 1, 2, low=low, high=high), rand(3, 1, low=low, high=high, seed=5))),
            # broadcasting edge cases: both sides stretched, a (1, 1) array, a (1,) array against 3-d
            Sample((rand(2, 1, 3, low=low, high=high, seed=6), rand(1, 4, 1, low=low, high=high, seed=7))),
            Sample((rand(1, 1, low=low, high=high, seed=8), a)),
            Sample((rand(2, 3, 4, low=low, high=high, seed=9), rand(1, low=low, high=high, seed=10))),
        ]

    return samples


def broadcast_errors(op: str):
    """Error inputs of a broadcasting binary op: shapes that do not broadcast."""

    def errors():
        return [
            ((rand(2, 3), rand(3, 2)), {}, rf"{op}: operands could not be broadcast together: lhs \(2, 3\) "),
            ((rand(2, 3), rand(4)), {}, rf"{op}: .* lhs \(2, 3\) float32, rhs \(4,\) float32"),
        ]

    return errors


def broadcast_error(op: str, a, b) -> MXNetError:
    """The error for two shapes that do not broadcast (each axis, aligned from the end, must match or be 1)."""
    return MXNetError(
        f"{op}: operands could not be broadcast together: lhs {shape_str(a.shape)} {str(a.dtype)[6:]}, "
        f"rhs {shape_str(b.shape)} {str(b.dtype)[6:]} (aligned from the last axis, each axis must match or be 1)"
    )


def same_dtype(op, a, b):
    if a.dtype != b.dtype:
        raise MXNetError(
            f"{op}: inputs must have the same dtype, got {str(a.dtype)[6:]} {shape_str(a.shape)} "
            f"and {str(b.dtype)[6:]} {shape_str(b.shape)}; convert one with astype()"
        )


def normalize_axes(op: str, axes, ndim: int) -> tuple:
    out = []
    for ax in axes:
        a = ax + ndim if ax < 0 else ax
        if not 0 <= a < max(ndim, 1):
            raise MXNetError(f"{op}: axis {ax} is out of range for an array with {ndim} dimension(s)")
        out.append(a)
    return tuple(out)


def float32_only(op: str, t) -> None:
    """Some MXNet 1.9.1 CPU kernels exist for float32 only; regluon raises the same way."""
    if t.dtype != torch.float32:
        raise MXNetError(f"{op}: MXNet implements this operator for float32 only, got {str(t.dtype)[6:]}")


def axis_error(op: str, name: str, axis, shape, new_axis: bool = False) -> MXNetError:
    """The error for an axis parameter outside the data's axes (``new_axis``: one past the end is allowed)."""
    n = len(shape) + int(new_axis)
    return MXNetError(
        f"{op}: {name}={axis} is out of range for data of shape {shape_str(shape)}; it must be in [{-n}, {n - 1}]"
    )


def check_axis(op: str, name: str, axis: int, shape, new_axis: bool = False) -> None:
    n = len(shape) + int(new_axis)
    if not -n <= axis < n:
        raise axis_error(op, name, axis, shape, new_axis)


def four_d(op: str, data) -> None:
    if data.dim() != 4:
        raise MXNetError(
            f"{op}: data must be 4-d (batch, channel, height, width), got {shape_str(data.shape)}"
        )
