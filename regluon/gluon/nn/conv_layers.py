"""Convolution and transposed-convolution layers (1-d, 2-d and 3-d); the pooling layers and
ReflectionPad2D (pooling_layers.py) are re-exported here, where MXNet has them.

Channels-last layouts (NWC, NHWC, NDHWC) are computed by moving the channel axis to position 1
around the channels-first operator, with the weight kept in MXNet's channels-last shape.
"""

from __future__ import annotations

from typing import Any

from ...base import MXNetError
from ..block import HybridBlock
from ._layer_utils import (
    CHANNELS_FIRST,
    InferShapesFromInput,
    arg_error,
    check_int,
    check_layout,
    dims_arg,
    expand,
    sized_arg,
    to_channels_first,
    to_channels_last,
)
from .activations import Activation
from .pooling_layers import (
    AvgPool1D,
    AvgPool2D,
    AvgPool3D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalAvgPool3D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPool3D,
    MaxPool1D,
    MaxPool2D,
    MaxPool3D,
    ReflectionPad2D,
)


def _checked_args(
    name, n, kernel_size, strides, padding, dilation, adj, channels, groups, in_channels
) -> dict:
    """Validate a convolution's arguments (MXNetError naming the bad one); the operator's tuples."""
    checked = {
        "kernel": dims_arg(name, "kernel_size", kernel_size, n, 1),
        "stride": dims_arg(name, "strides", strides, n, 1),
        "dilate": dims_arg(name, "dilation", dilation, n, 1),
        "pad": dims_arg(name, "padding", padding, n, 0),
    }
    if adj is not None:
        checked["adj"] = dims_arg(name, "output_padding", adj, n, 0)
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
    return checked


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
        n = len(kernel_size)
        checked = _checked_args(
            self.__class__.__name__,
            n,
            kernel_size,
            strides,
            padding,
            dilation,
            adj,
            channels,
            groups,
            in_channels,
        )
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            self._op_name = op_name
            self._ndim = n
            self._channels_last = layout.find("C") != 1
            # _kwargs as MXNet keeps them (numbers expanded, sequences as given: its repr shows them);
            # the operator gets the checked tuples
            self._kwargs = {
                "kernel": kernel_size,
                "stride": expand(strides, n),
                "dilate": expand(dilation, n),
                "pad": expand(padding, n),
                "num_filter": channels,
                "num_group": groups,
                "no_bias": not use_bias,
                "layout": layout,
            }
            if adj is not None:
                self._kwargs["adj"] = adj
            self._op_kwargs = dict(self._kwargs, **checked, layout=CHANNELS_FIRST[layout])
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
        groups, kernel = self._kwargs["num_group"], self._op_kwargs["kernel"]
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
            x, weight = to_channels_first(F, x, n), to_channels_first(F, weight, n)
        if bias is None:
            out = op(x, weight, name="fwd", **self._op_kwargs)
        else:
            out = op(x, weight, bias, name="fwd", **self._op_kwargs)
        if self._channels_last:
            out = to_channels_last(F, out, self._ndim)
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
    check_layout(layout, layouts, layout_msg)
    kernel_size = sized_arg("kernel_size", kernel_size, dims)
    transposed = output_padding is not None
    if transposed:
        output_padding = sized_arg("output_padding", output_padding, dims)
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
