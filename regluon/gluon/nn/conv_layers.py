"""Convolution, transposed convolution, pooling and reflection-padding layers (1-d, 2-d and 3-d).

Channels-last layouts (NWC, NHWC, NDHWC) are computed by moving the channel axis to position 1
around the channels-first operator, with the weight kept in MXNet's channels-last shape.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

from ...base import MXNetError
from ..block import HybridBlock
from ._layer_utils import InferShapesFromInput, arg_error, check_int
from .activations import Activation

_CHANNELS_FIRST = {
    "NCW": "NCW",
    "NWC": "NCW",
    "NCHW": "NCHW",
    "NHWC": "NCHW",
    "NCDHW": "NCDHW",
    "NDHWC": "NCDHW",
}


def _expand(value: Any, n: int) -> tuple:
    return (value,) * n if isinstance(value, Integral) else tuple(value)


def _dims_arg(layer: str, arg: str, value: Any, n: int, minimum: int) -> tuple:
    """A per-spatial-axis argument as an n-tuple of ints >= minimum (MXNetError naming ``arg`` if not)."""
    out = _expand(value, n)
    if len(out) != n:
        raise arg_error(layer, arg, value, f"must have {n} dimension(s), like kernel_size")
    for v in out:
        if isinstance(v, bool) or not isinstance(v, Integral) or v < minimum:
            raise arg_error(layer, arg, value, f"every entry must be an integer >= {minimum}")
    return tuple(int(v) for v in out)


def _sized_arg(what: str, value: Any, n: int) -> tuple:
    """kernel_size / pool_size / output_padding: a number or n ints (MXNet asserts this)."""
    out = _expand(value, n)
    if len(out) != n:
        raise AssertionError(f"{what} must be a number or a list of {n} ints")
    return out


def _check_layout(layout: str, allowed: tuple, message: str) -> None:
    if layout not in allowed:
        raise AssertionError(message)


def _to_channels_first(F, x, n: int):
    return F.transpose(x, axes=(0, n + 1, *range(1, n + 1)))


def _to_channels_last(F, x, n: int):
    return F.transpose(x, axes=(0, *range(2, n + 2), 1))


class _Conv(InferShapesFromInput, HybridBlock):
    """Shared implementation of the Conv*D and Conv*DTranspose layers."""

    def __init__(
        self,
        channels: int,
        kernel_size: tuple,
        strides: Any,
        padding: Any,
        dilation: Any,
        groups: int,
        layout: str,
        in_channels: int = 0,
        activation: str | None = None,
        use_bias: bool = True,
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        op_name: str = "Convolution",
        adj: tuple | None = None,
        prefix: str | None = None,
        params=None,
    ):
        name = self.__class__.__name__
        n = len(kernel_size)
        kernel_size = _dims_arg(name, "kernel_size", kernel_size, n, 1)
        strides = _dims_arg(name, "strides", strides, n, 1)
        padding = _dims_arg(name, "padding", padding, n, 0)
        dilation = _dims_arg(name, "dilation", dilation, n, 1)
        check_int(name, "channels", channels, 1)
        check_int(name, "groups", groups, 1)
        check_int(name, "in_channels", in_channels, 0)
        if channels % groups or in_channels % groups:
            raise arg_error(
                name,
                "groups",
                groups,
                f"channels={channels} and in_channels={in_channels} must be divisible by it",
            )
        if adj is not None:
            adj = _dims_arg(name, "output_padding", adj, n, 0)
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            self._op_name = op_name
            self._ndim = n
            self._channels_last = layout.find("C") != 1
            self._kwargs = {
                "kernel": kernel_size,
                "stride": strides,
                "dilate": dilation,
                "pad": padding,
                "num_filter": channels,
                "num_group": groups,
                "no_bias": not use_bias,
                "layout": layout,
            }
            if adj is not None:
                self._kwargs["adj"] = adj
            self._op_kwargs = dict(self._kwargs, layout=_CHANNELS_FIRST[layout])
            self.weight = self.params.get(
                "weight",
                shape=self._weight_shape(in_channels),
                init=weight_initializer,
                allow_deferred_init=True,
            )
            if use_bias:
                self.bias = self.params.get(
                    "bias", shape=(channels,), init=bias_initializer, allow_deferred_init=True
                )
            else:
                self.bias = None
            self.act = Activation(activation, prefix=activation + "_") if activation is not None else None

    def _weight_shape(self, in_channels: int) -> tuple:
        groups, kernel = self._kwargs["num_group"], self._kwargs["kernel"]
        if self._op_name == "Convolution":
            outer, inner = self._channels, in_channels // groups
        else:
            outer, inner = in_channels, self._channels // groups
        return (outer, *kernel, inner) if self._channels_last else (outer, inner, *kernel)

    def _param_shapes(self, x_shape: tuple) -> dict:
        layout = self._kwargs["layout"]
        if len(x_shape) != len(layout):
            raise MXNetError(
                f"{self.__class__.__name__}: layout {layout} needs {len(layout)}-d input, got shape {x_shape}"
            )
        return {"weight": self._weight_shape(x_shape[layout.find("C")])}

    def _alias(self) -> str:
        return "conv"

    def hybrid_forward(self, F, x, weight, bias=None):
        op = getattr(F, self._op_name)
        if self._channels_last:
            n = self._ndim
            x, weight = _to_channels_first(F, x, n), _to_channels_first(F, weight, n)
        if bias is None:
            out = op(x, weight, name="fwd", **self._op_kwargs)
        else:
            out = op(x, weight, bias, name="fwd", **self._op_kwargs)
        if self._channels_last:
            out = _to_channels_last(F, out, self._ndim)
        if self.act is not None:
            out = self.act(out)
        return out

    def __repr__(self) -> str:
        k = self._kwargs
        n = len(k["kernel"])
        parts = [f"kernel_size={k['kernel']}", f"stride={k['stride']}"]
        if k["pad"] != (0,) * n:
            parts.append(f"padding={k['pad']}")
        if k["dilate"] != (1,) * n:
            parts.append(f"dilation={k['dilate']}")
        # MXNet 1.9.1 never prints output_padding (its repr looks for an attribute it does not set)
        if k["num_group"] != 1:
            parts.append(f"groups={k['num_group']}")
        if self.bias is None:
            parts.append("bias=False")
        if self.act:
            parts.append(repr(self.act))
        shape = self.weight.shape
        mapping = f"{shape[1] if shape[1] else None} -> {shape[0]}"
        return f"{self.__class__.__name__}({mapping}, {', '.join(parts)})"


def _conv_init(
    block, dims, layouts, layout_msg, channels, kernel_size, layout, output_padding, kwargs, **rest
):
    """The part every Conv*D(Transpose) constructor shares: MXNet's assertions, then _Conv."""
    _check_layout(layout, layouts, layout_msg)
    kernel_size = _sized_arg("kernel_size", kernel_size, dims)
    transposed = output_padding is not None
    if transposed:
        output_padding = _sized_arg("output_padding", output_padding, dims)
    op_name = kwargs.pop("op_name", "Deconvolution" if transposed else "Convolution")
    _Conv.__init__(
        block, channels, kernel_size, layout=layout, op_name=op_name, adj=output_padding, **rest, **kwargs
    )
    if transposed:
        block.outpad = output_padding


_LAYOUT_1D = ("NCW",)
_LAYOUT_2D = ("NCHW", "NHWC")
_LAYOUT_3D = ("NCDHW", "NDHWC")
_MSG_1D = "Only supports 'NCW' layout for now"
_MSG_2D = "Only supports 'NCHW' and 'NHWC' layout for now"
_MSG_3D = "Only supports 'NCDHW' and 'NDHWC' layout for now"


class Conv1D(_Conv):
    """1-d convolution over (N, C, W) data.

    Parameters
    ----------
    channels : int
        Number of output channels.
    kernel_size : int or tuple of 1 int
    strides, padding, dilation : int or tuple, defaults 1, 0, 1
    groups : int, default 1
        Split input and output channels into this many groups convolved separately.
    layout : str, default 'NCW'
    activation : str, optional
        Activation applied to the output.
    use_bias : bool, default True
    weight_initializer, bias_initializer : Initializer or str
    in_channels : int, default 0
        Number of input channels; 0 learns it from the first input.

    The weight has shape (channels, in_channels / groups, width).

    Example:
        >>> layer = nn.Conv1D(4, kernel_size=3)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((1, 2, 5))).shape
        (1, 4, 3)
    """

    def __init__(
        self,
        channels: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        layout: str = "NCW",
        activation: str | None = None,
        use_bias: bool = True,
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        in_channels: int = 0,
        **kwargs,
    ):
        _conv_init(
            self,
            1,
            _LAYOUT_1D,
            _MSG_1D,
            channels,
            kernel_size,
            layout,
            None,
            kwargs,
            strides=strides,
            padding=padding,
            dilation=dilation,
            groups=groups,
            in_channels=in_channels,
            activation=activation,
            use_bias=use_bias,
            weight_initializer=weight_initializer,
            bias_initializer=bias_initializer,
        )


class Conv2D(_Conv):
    """2-d convolution over (N, C, H, W) data (or (N, H, W, C) with ``layout='NHWC'``).

    Same parameters as :class:`Conv1D`, with 2-tuples; the weight has shape
    (channels, in_channels / groups, kh, kw), or (channels, kh, kw, in_channels / groups) for NHWC.

    Example:
        >>> layer = nn.Conv2D(6, kernel_size=5, padding=2, activation='sigmoid')
        >>> layer.initialize()
        >>> layer(mx.nd.ones((1, 1, 28, 28))).shape
        (1, 6, 28, 28)
    """

    def __init__(
        self,
        channels: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: Any = (0, 0),
        dilation: Any = (1, 1),
        groups: int = 1,
        layout: str = "NCHW",
        activation: str | None = None,
        use_bias: bool = True,
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        in_channels: int = 0,
        **kwargs,
    ):
        _conv_init(
            self,
            2,
            _LAYOUT_2D,
            _MSG_2D,
            channels,
            kernel_size,
            layout,
            None,
            kwargs,
            strides=strides,
            padding=padding,
            dilation=dilation,
            groups=groups,
            in_channels=in_channels,
            activation=activation,
            use_bias=use_bias,
            weight_initializer=weight_initializer,
            bias_initializer=bias_initializer,
        )


class Conv3D(_Conv):
    """3-d convolution over (N, C, D, H, W) data (or (N, D, H, W, C) with ``layout='NDHWC'``).

    Same parameters as :class:`Conv1D`, with 3-tuples.

    Example:
        >>> layer = nn.Conv3D(2, kernel_size=3)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((1, 1, 4, 4, 4))).shape
        (1, 2, 2, 2, 2)
    """

    def __init__(
        self,
        channels: int,
        kernel_size: Any,
        strides: Any = (1, 1, 1),
        padding: Any = (0, 0, 0),
        dilation: Any = (1, 1, 1),
        groups: int = 1,
        layout: str = "NCDHW",
        activation: str | None = None,
        use_bias: bool = True,
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        in_channels: int = 0,
        **kwargs,
    ):
        _conv_init(
            self,
            3,
            _LAYOUT_3D,
            _MSG_3D,
            channels,
            kernel_size,
            layout,
            None,
            kwargs,
            strides=strides,
            padding=padding,
            dilation=dilation,
            groups=groups,
            in_channels=in_channels,
            activation=activation,
            use_bias=use_bias,
            weight_initializer=weight_initializer,
            bias_initializer=bias_initializer,
        )


class Conv1DTranspose(_Conv):
    """1-d transposed convolution (deconvolution), the gradient of a convolution with respect to its
    input; it upsamples: out = (in - 1) * stride - 2 * pad + dilation * (k - 1) + 1 + output_padding.

    Same parameters as :class:`Conv1D`, plus ``output_padding`` (int or tuple, default 0). The weight
    has shape (in_channels, channels / groups, width).

    Example:
        >>> layer = nn.Conv1DTranspose(4, kernel_size=3, strides=2)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((1, 2, 5))).shape
        (1, 4, 11)
    """

    def __init__(
        self,
        channels: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        layout: str = "NCW",
        activation: str | None = None,
        use_bias: bool = True,
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        in_channels: int = 0,
        **kwargs,
    ):
        _conv_init(
            self,
            1,
            _LAYOUT_1D,
            _MSG_1D,
            channels,
            kernel_size,
            layout,
            output_padding,
            kwargs,
            strides=strides,
            padding=padding,
            dilation=dilation,
            groups=groups,
            in_channels=in_channels,
            activation=activation,
            use_bias=use_bias,
            weight_initializer=weight_initializer,
            bias_initializer=bias_initializer,
        )


class Conv2DTranspose(_Conv):
    """2-d transposed convolution (see :class:`Conv1DTranspose`); layout 'NCHW' or 'NHWC'.

    Example:
        >>> layer = nn.Conv2DTranspose(3, kernel_size=4, strides=2, padding=1)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((1, 2, 8, 8))).shape
        (1, 3, 16, 16)
    """

    def __init__(
        self,
        channels: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: Any = (0, 0),
        output_padding: Any = (0, 0),
        dilation: Any = (1, 1),
        groups: int = 1,
        layout: str = "NCHW",
        activation: str | None = None,
        use_bias: bool = True,
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        in_channels: int = 0,
        **kwargs,
    ):
        _conv_init(
            self,
            2,
            _LAYOUT_2D,
            _MSG_2D,
            channels,
            kernel_size,
            layout,
            output_padding,
            kwargs,
            strides=strides,
            padding=padding,
            dilation=dilation,
            groups=groups,
            in_channels=in_channels,
            activation=activation,
            use_bias=use_bias,
            weight_initializer=weight_initializer,
            bias_initializer=bias_initializer,
        )


class Conv3DTranspose(_Conv):
    """3-d transposed convolution (see :class:`Conv1DTranspose`); layout 'NCDHW' or 'NDHWC'.

    Example:
        >>> layer = nn.Conv3DTranspose(2, kernel_size=2, strides=2)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((1, 1, 2, 2, 2))).shape
        (1, 2, 4, 4, 4)
    """

    def __init__(
        self,
        channels: int,
        kernel_size: Any,
        strides: Any = (1, 1, 1),
        padding: Any = (0, 0, 0),
        output_padding: Any = (0, 0, 0),
        dilation: Any = (1, 1, 1),
        groups: int = 1,
        layout: str = "NCDHW",
        activation: str | None = None,
        use_bias: bool = True,
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        in_channels: int = 0,
        **kwargs,
    ):
        _conv_init(
            self,
            3,
            _LAYOUT_3D,
            _MSG_3D,
            channels,
            kernel_size,
            layout,
            output_padding,
            kwargs,
            strides=strides,
            padding=padding,
            dilation=dilation,
            groups=groups,
            in_channels=in_channels,
            activation=activation,
            use_bias=use_bias,
            weight_initializer=weight_initializer,
            bias_initializer=bias_initializer,
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
        pool_size = _dims_arg(name, "pool_size", pool_size, n, 1)
        strides = pool_size if strides is None else _dims_arg(name, "strides", strides, n, 1)
        padding = _dims_arg(name, "padding", padding, n, 0)
        super().__init__(**kwargs)
        self._ndim = n
        self._channels_last = layout.find("C") != 1
        self._kwargs = {
            "kernel": pool_size,
            "stride": strides,
            "pad": padding,
            "global_pool": global_pool,
            "pool_type": pool_type,
            "layout": layout,
            "pooling_convention": "full" if ceil_mode else "valid",
        }
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad
        self._op_kwargs = dict(self._kwargs, layout=_CHANNELS_FIRST[layout])

    def _alias(self) -> str:
        return "pool"

    def hybrid_forward(self, F, x):
        if self._channels_last:
            x = _to_channels_first(F, x, self._ndim)
            return _to_channels_last(F, F.Pooling(x, name="fwd", **self._op_kwargs), self._ndim)
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
    _check_layout(layout, allowed, _POOL_MSG.format(*allowed, dims))
    pool_size = _sized_arg("pool_size", pool_size, dims)
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
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
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
