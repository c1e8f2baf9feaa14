"""Pooling layers (max, average, global; 1-d, 2-d, 3-d) and ReflectionPad2D.

MXNet keeps these in ``gluon.nn.conv_layers``; they are re-exported there. Channels-last layouts
(NWC, NHWC, NDHWC) run the channels-first operator between two transposes.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

from ..block import HybridBlock
from ._layer_utils import (
    CHANNELS_FIRST,
    check_layout,
    dims_arg,
    expand,
    sized_arg,
    to_channels_first,
    to_channels_last,
)


class _Pooling(HybridBlock):
    """Shared implementation of the pooling layers (MXNet's Pooling operator)."""

    def __init__(
        self,
        pool_size: tuple,
        strides: Any,
        padding: Any,
        ceil_mode: bool,
        global_pool: bool,
        pool_type: str,
        layout: str,
        count_include_pad: bool | None = None,
        **kwargs,
    ):
        name = self.__class__.__name__
        n = len(pool_size)
        if strides is None:
            strides = pool_size
        checked = {
            "kernel": dims_arg(name, "pool_size", pool_size, n, 1),
            "stride": dims_arg(name, "strides", strides, n, 1),
            "pad": dims_arg(name, "padding", padding, n, 0),
        }
        super().__init__(**kwargs)
        self._ndim = n
        self._channels_last = layout.find("C") != 1
        self._kwargs = {  # as MXNet keeps them (sequences as given); the operator gets checked tuples
            "kernel": pool_size,
            "stride": expand(strides, n),
            "pad": expand(padding, n),
            "global_pool": global_pool,
            "pool_type": pool_type,
            "layout": layout,
            "pooling_convention": "full" if ceil_mode else "valid",
        }
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad
        self._op_kwargs = dict(self._kwargs, **checked, layout=CHANNELS_FIRST[layout])

    def _alias(self) -> str:
        return "pool"

    def hybrid_forward(self, F, x):
        if self._channels_last:
            x = to_channels_first(F, x, self._ndim)
            return to_channels_last(F, F.Pooling(x, name="fwd", **self._op_kwargs), self._ndim)
        return F.Pooling(x, name="fwd", **self._op_kwargs)

    def __repr__(self) -> str:
        k = self._kwargs
        return (
            f"{self.__class__.__name__}(size={k['kernel']}, stride={k['stride']}, padding={k['pad']}, "
            f"ceil_mode={k['pooling_convention'] == 'full'}, global_pool={k['global_pool']}, "
            f"pool_type={k['pool_type']}, layout={k['layout']})"
        )


_POOL_MSG = "Only {} and {} layouts are valid for {}D Pooling"
_POOL_LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}


def _pool_init(
    block, dims, pool_size, strides, padding, ceil_mode, glob, pool_type, layout, kwargs, cip=None
):
    allowed = _POOL_LAYOUTS[dims]
    check_layout(layout, allowed, _POOL_MSG.format(*allowed, dims))
    pool_size = sized_arg("pool_size", pool_size, dims)
    _Pooling.__init__(block, pool_size, strides, padding, ceil_mode, glob, pool_type, layout, cip, **kwargs)


class MaxPool1D(_Pooling):
    """Max pooling over (N, C, W) data (or (N, W, C) with ``layout='NWC'``).

    Parameters
    ----------
    pool_size : int or tuple, default 2
        Window size.
    strides : int or tuple, optional
        Step between windows; defaults to ``pool_size``.
    padding : int or tuple, default 0
    layout : str, default 'NCW'
    ceil_mode : bool, default False
        Round the output size up ('full' convention) instead of down.

    Example:
        >>> nn.MaxPool1D()(mx.nd.array([[[1, 5, 2, 3]]]))
        <BLANKLINE>
        [[[5. 3.]]]
        <NDArray 1x1x2 @cpu(0)>
    """

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: Any = 0,
        layout: str = "NCW",
        ceil_mode: bool = False,
        **kwargs,
    ):
        _pool_init(self, 1, pool_size, strides, padding, ceil_mode, False, "max", layout, kwargs)


class MaxPool2D(_Pooling):
    """Max pooling over (N, C, H, W) data (or NHWC); arguments as :class:`MaxPool1D`, with 2-tuples.

    Example:
        >>> nn.MaxPool2D(pool_size=2, strides=2)(mx.nd.ones((1, 1, 4, 4))).shape
        (1, 1, 2, 2)
    """

    def __init__(
        self,
        pool_size: Any = (2, 2),
        strides: Any = None,
        padding: Any = 0,
        layout: str = "NCHW",
        ceil_mode: bool = False,
        **kwargs,
    ):
        _pool_init(self, 2, pool_size, strides, padding, ceil_mode, False, "max", layout, kwargs)


class MaxPool3D(_Pooling):
    """Max pooling over (N, C, D, H, W) data (or NDHWC); arguments as :class:`MaxPool1D`, with 3-tuples.

    Example:
        >>> nn.MaxPool3D()(mx.nd.ones((1, 1, 4, 4, 4))).shape
        (1, 1, 2, 2, 2)
    """

    def __init__(
        self,
        pool_size: Any = (2, 2, 2),
        strides: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        layout: str = "NCDHW",
        **kwargs,
    ):
        _pool_init(self, 3, pool_size, strides, padding, ceil_mode, False, "max", layout, kwargs)


class AvgPool1D(_Pooling):
    """Average pooling over (N, C, W) data; arguments as :class:`MaxPool1D`, plus
    ``count_include_pad`` (default True: padded zeros count in the average).

    Example:
        >>> nn.AvgPool1D()(mx.nd.array([[[1, 5, 2, 4]]]))
        <BLANKLINE>
        [[[3. 3.]]]
        <NDArray 1x1x2 @cpu(0)>
    """

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: Any = 0,
        layout: str = "NCW",
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        **kwargs,
    ):
        _pool_init(
            self, 1, pool_size, strides, padding, ceil_mode, False, "avg", layout, kwargs, count_include_pad
        )


class AvgPool2D(_Pooling):
    """Average pooling over (N, C, H, W) data (or NHWC); arguments as :class:`AvgPool1D`, with 2-tuples.

    Example:
        >>> nn.AvgPool2D(pool_size=3, strides=1, padding=1)(mx.nd.ones((1, 1, 4, 4))).shape
        (1, 1, 4, 4)
    """

    def __init__(
        self,
        pool_size: Any = (2, 2),
        strides: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        layout: str = "NCHW",
        count_include_pad: bool = True,
        **kwargs,
    ):
        _pool_init(
            self, 2, pool_size, strides, padding, ceil_mode, False, "avg", layout, kwargs, count_include_pad
        )


class AvgPool3D(_Pooling):
    """Average pooling over (N, C, D, H, W) data (or NDHWC); arguments as :class:`AvgPool1D`, with 3-tuples.

    Example:
        >>> nn.AvgPool3D()(mx.nd.ones((1, 1, 2, 2, 2))).shape
        (1, 1, 1, 1, 1)
    """

    def __init__(
        self,
        pool_size: Any = (2, 2, 2),
        strides: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        layout: str = "NCDHW",
        count_include_pad: bool = True,
        **kwargs,
    ):
        _pool_init(
            self, 3, pool_size, strides, padding, ceil_mode, False, "avg", layout, kwargs, count_include_pad
        )


class GlobalMaxPool1D(_Pooling):
    """The maximum over all of W for each sample and channel: (N, C, W) -> (N, C, 1).

    Example:
        >>> nn.GlobalMaxPool1D()(mx.nd.array([[[1, 5, 2]]]))
        <BLANKLINE>
        [[[5.]]]
        <NDArray 1x1x1 @cpu(0)>
    """

    def __init__(self, layout: str = "NCW", **kwargs):
        _pool_init(self, 1, (1,), None, 0, True, True, "max", layout, kwargs)


class GlobalMaxPool2D(_Pooling):
    """The maximum over H and W: (N, C, H, W) -> (N, C, 1, 1) (or NHWC).

    Example:
        >>> nn.GlobalMaxPool2D()(mx.nd.ones((2, 3, 4, 4))).shape
        (2, 3, 1, 1)
    """

    def __init__(self, layout: str = "NCHW", **kwargs):
        _pool_init(self, 2, (1, 1), None, 0, True, True, "max", layout, kwargs)


class GlobalMaxPool3D(_Pooling):
    """The maximum over D, H and W: (N, C, D, H, W) -> (N, C, 1, 1, 1) (or NDHWC).

    Example:
        >>> nn.GlobalMaxPool3D()(mx.nd.ones((2, 3, 2, 2, 2))).shape
        (2, 3, 1, 1, 1)
    """

    def __init__(self, layout: str = "NCDHW", **kwargs):
        _pool_init(self, 3, (1, 1, 1), None, 0, True, True, "max", layout, kwargs)


class GlobalAvgPool1D(_Pooling):
    """The mean over all of W for each sample and channel: (N, C, W) -> (N, C, 1).

    Example:
        >>> nn.GlobalAvgPool1D()(mx.nd.array([[[1, 5, 3]]]))
        <BLANKLINE>
        [[[3.]]]
        <NDArray 1x1x1 @cpu(0)>
    """

    def __init__(self, layout: str = "NCW", **kwargs):
        _pool_init(self, 1, (1,), None, 0, True, True, "avg", layout, kwargs)


class GlobalAvgPool2D(_Pooling):
    """The mean over H and W: (N, C, H, W) -> (N, C, 1, 1) (or NHWC).

    Example:
        >>> nn.GlobalAvgPool2D()(mx.nd.ones((2, 3, 4, 4))).shape
        (2, 3, 1, 1)
    """

    def __init__(self, layout: str = "NCHW", **kwargs):
        _pool_init(self, 2, (1, 1), None, 0, True, True, "avg", layout, kwargs)


class GlobalAvgPool3D(_Pooling):
    """The mean over D, H and W: (N, C, D, H, W) -> (N, C, 1, 1, 1) (or NDHWC).

    Example:
        >>> nn.GlobalAvgPool3D()(mx.nd.ones((2, 3, 2, 2, 2))).shape
        (2, 3, 1, 1, 1)
    """

    def __init__(self, layout: str = "NCDHW", **kwargs):
        _pool_init(self, 3, (1, 1, 1), None, 0, True, True, "avg", layout, kwargs)


class ReflectionPad2D(HybridBlock):
    """Pad the H and W axes of (N, C, H, W) data by mirroring it at the borders.

    Parameters
    ----------
    padding : int or tuple of 8 ints, default 0
        An int pads every side of H and W by that much; 8 ints are MXNet's ``pad_width``
        (before/after for each of the 4 axes; the first 4 must be 0).

    Example:
        >>> nn.ReflectionPad2D(1)(mx.nd.ones((1, 1, 2, 2))).shape
        (1, 1, 4, 4)
    """

    def __init__(self, padding: Any = 0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, Integral):
            padding = (0, 0, 0, 0, padding, padding, padding, padding)
        if len(padding) != 8:
            raise AssertionError(f"ReflectionPad2D: padding must be an int or 8 ints, got {padding}")
        self._padding = padding

    def hybrid_forward(self, F, x):
        return F.pad(x, mode="reflect", pad_width=self._padding)


__all__ = [
    "MaxPool1D",
    "MaxPool2D",
    "MaxPool3D",
    "AvgPool1D",
    "AvgPool2D",
    "AvgPool3D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPool3D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalAvgPool3D",
    "ReflectionPad2D",
]
