"""Helpers shared by the nn layers: constructor-argument checks and shapes learned from the input."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

from ...base import MXNetError
from ...ndarray import NDArray
from ...ndarray.register import get_op


def arg_error(layer: str, arg: str, value: Any, rule: str) -> MXNetError:
    """The error a layer raises at construction for a bad argument."""
    return MXNetError(f"{layer}: invalid {arg}={value!r}: {rule}")


def check_int(layer: str, arg: str, value: Any, minimum: int) -> int:
    """``value`` as an int, or an MXNetError naming ``arg`` if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise arg_error(layer, arg, value, f"must be an integer >= {minimum}")
    return int(value)


def check_real(layer: str, arg: str, value: Any, low: float, high: float) -> None:
    """An MXNetError naming ``arg`` unless ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, Real) or not low <= value <= high:
        raise arg_error(layer, arg, value, f"must be a number in [{low}, {high}]")


def check_op_param(layer: str, arg: str, value: Any, op_name: str, param: str) -> None:
    """Validate a layer argument with the op table's own parser for the operator parameter it feeds."""
    try:
        get_op(op_name).param_map[param].convert(op_name, value)
    except ValueError as err:
        raise arg_error(layer, arg, value, str(err)) from None


def shape_known(shape) -> bool:
    return shape is not None and all(d > 0 for d in shape)


class InferShapesFromInput:
    """Mixin for HybridBlocks whose Parameter shapes follow from the first input's shape.

    A subclass implements ``_param_shapes(x_shape) -> {attribute: shape}``; on the first calls, the
    Parameters whose shapes are still unknown get them (and finish their deferred initialisation)
    before the computation runs.
    """

    _shapes_known = False

    def _param_shapes(self, x_shape: tuple) -> dict:
        raise NotImplementedError

    def _finish_shapes(self, x) -> None:
        done = True
        for attr, shape in self._param_shapes(tuple(x.shape)).items():
            param = getattr(self, attr)
            if param is None:
                continue
            if param._data is None and not shape_known(param.shape):
                param._finish_deferred_init(tuple(shape))
            done = done and param._data is not None
        self._shapes_known = done

    def forward(self, x, *args):
        if not self._shapes_known and isinstance(x, NDArray):  # a symbolic input has no shape to read
            self._finish_shapes(x)
        return super().forward(x, *args)


# ------------------------------------------------------------------ layouts and per-axis arguments
CHANNELS_FIRST = {
    "NCW": "NCW",
    "NWC": "NCW",
    "NCHW": "NCHW",
    "NHWC": "NCHW",
    "NCDHW": "NCDHW",
    "NDHWC": "NCDHW",
}


def expand(value: Any, n: int) -> Any:
    """A number as an n-tuple; a sequence as given (MXNet keeps a list a list, and prints it so)."""
    return (int(value),) * n if isinstance(value, Integral) else value


def dims_arg(layer: str, arg: str, value: Any, n: int, minimum: int) -> tuple:
    """A per-spatial-axis argument as an n-tuple of ints >= minimum (MXNetError naming ``arg`` if not)."""
    out = expand(value, n)
    try:
        out = tuple(out)
    except TypeError:
        raise arg_error(layer, arg, value, f"must be an integer or {n} integers") from None
    if len(out) != n:
        raise arg_error(layer, arg, value, f"must have {n} dimension(s), like kernel_size")
    for v in out:
        if isinstance(v, bool) or not isinstance(v, Integral) or v < minimum:
            raise arg_error(layer, arg, value, f"every entry must be an integer >= {minimum}")
    return tuple(int(v) for v in out)


def sized_arg(what: str, value: Any, n: int) -> Any:
    """kernel_size / pool_size / output_padding: a number or n ints (MXNet asserts this); as given."""
    out = expand(value, n)
    if len(out) != n:
        raise AssertionError(f"{what} must be a number or a list of {n} ints")
    return out


def check_layout(layout: str, allowed: tuple, message: str) -> None:
    if layout not in allowed:
        raise AssertionError(message)


def to_channels_first(F, x, n: int):
    return F.transpose(x, axes=(0, n + 1, *range(1, n + 1)))


def to_channels_last(F, x, n: int):
    return F.transpose(x, axes=(0, *range(2, n + 2), 1))
