"""Deformable convolution layers (``gluon.contrib.cnn``): DeformableConvolution (v1) and
ModulatedDeformableConvolution (v2).

Both learn where each kernel tap samples the input: a plain convolution (the *offset branch*, with
its own ``offset_weight`` / ``offset_bias``, zero-initialised so training starts from an ordinary
convolution) predicts per-position (dy, dx) offsets, and v2 also a modulation mask; the deformable
operator then convolves the bilinearly sampled input with ``deformable_conv_weight``.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

from ...block import HybridBlock
from ...nn._layer_utils import arg_error, check_int, dims_arg, expand
from ...nn.activations import Activation

_LAYOUT_MSG = "Only supports 'NCHW' and 'NHWC' layout for now"


def _deformable_args(
    name: str,
    channels: int,
    kernel_size: Any,
    strides: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    num_deformable_group: int,
    layout: str,
    in_channels: int,
    adj: Any,
    taps_per_offset: int,
) -> tuple[dict, dict, dict]:
    """Validate the constructor arguments; return the offset convolution's and the deformable
    operator's kwargs as MXNet keeps them (numbers expanded, sequences as given), and the checked
    tuples the operators get."""
    if layout not in ("NCHW", "NHWC"):
        raise AssertionError(_LAYOUT_MSG)
    if layout != "NCHW":
        raise arg_error(
            name,
            "layout",
            layout,
            "the deformable operators run on NCHW data only (MXNet 1.9.1 accepts 'NHWC' here and then "
            "fails at the first forward)",
        )
    if adj:
        raise arg_error(name, "adj", adj, "the operators take no adj (MXNet fails at the first forward)")
    kernel = dims_arg(name, "kernel_size", kernel_size, 2, 1)
    checked = {
        "kernel": kernel,
        "stride": dims_arg(name, "strides", strides, 2, 1),
        "dilate": dims_arg(name, "dilation", dilation, 2, 1),
        "pad": dims_arg(name, "padding", padding, 2, 0),
    }
    check_int(name, "channels", channels, 1)
    check_int(name, "groups", groups, 1)
    check_int(name, "num_deformable_group", num_deformable_group, 1)
    check_int(name, "in_channels", in_channels, 0)
    offset_channels = taps_per_offset * kernel[0] * kernel[1] * num_deformable_group
    for what, count in (
        ("channels", channels),
        ("in_channels", in_channels),
        ("offset channels", offset_channels),
    ):
        if count % groups:
            raise arg_error(name, "groups", groups, f"{what}={count} must be divisible by it")
    if in_channels % num_deformable_group:
        raise arg_error(
            name,
            "num_deformable_group",
            num_deformable_group,
            f"in_channels={in_channels} must be divisible by it",
        )
    given = {
        "kernel": expand(kernel_size, 2),
        "stride": expand(strides, 2),
        "dilate": expand(dilation, 2),
        "pad": expand(padding, 2),
    }
    common = {"num_group": groups, "layout": layout}
    offset = dict(given, num_filter=offset_channels, **common)
    deform = dict(given, num_filter=channels, num_deformable_group=num_deformable_group, **common)
    return offset, deform, checked


class _DeformableBase(HybridBlock):
    """The parts both deformable layers share: arguments, Parameters, the offset branch, the repr."""

    _taps_per_offset = 2  # (dy, dx) per kernel tap; v2 adds a mask value
    _offset_first = True  # the order MXNet registers the Parameters in (collect_params shows it)

    def __init__(
        self,
        channels: int,
        kernel_size: Any,
        strides: Any,
        padding: Any,
        dilation: Any,
        groups: int,
        num_deformable_group: int,
        layout: str,
        use_bias: bool,
        in_channels: int,
        activation: str | None,
        weight_initializer: Any,
        bias_initializer: Any,
        offset_weight_initializer: Any,
        offset_bias_initializer: Any,
        offset_use_bias: bool,
        op_name: str,
        adj: Any,
        prefix: str | None,
        params: Any,
    ):
        name = self.__class__.__name__
        if isinstance(kernel_size, Integral):
            kernel_size = (kernel_size,) * 2
        offset, deform, checked = _deformable_args(
            name,
            channels,
            kernel_size,
            strides,
            padding,
            dilation,
            groups,
            num_deformable_group,
            layout,
            in_channels,
            adj,
            self._taps_per_offset,
        )
        super().__init__(prefix=prefix, params=params)
        self._channels = channels
        self._in_channels = in_channels
        self._op_name = op_name
        self._kwargs_offset = dict(offset, no_bias=not offset_use_bias)
        self._kwargs_deformable_conv = dict(deform, no_bias=not use_bias)
        self._offset_op_kwargs = dict(self._kwargs_offset, **checked, cudnn_off=True)
        self._deform_op_kwargs = dict(self._kwargs_deformable_conv, **checked)
        kh, kw = checked["kernel"]
        with self.name_scope():
            offset_args = (
                in_channels,
                groups,
                offset_weight_initializer,
                offset_bias_initializer,
                offset_use_bias,
            )
            deform_args = (channels, kh, kw, weight_initializer, bias_initializer, use_bias)
            if self._offset_first:
                self._add_offset_params(*offset_args)
                self._add_deformable_params(*deform_args)
            else:
                self._add_deformable_params(*deform_args)
                self._add_offset_params(*offset_args)
            self.act = Activation(activation, prefix=activation + "_") if activation else None

    def _add_offset_params(self, in_channels, groups, weight_init, bias_init, use_bias) -> None:
        offset_channels = self._kwargs_offset["num_filter"]
        kernel = self._offset_op_kwargs["kernel"]
        self.offset_weight = self.params.get(
            "offset_weight",
            shape=(offset_channels, in_channels // groups, *kernel),
            init=weight_init,
            allow_deferred_init=True,
        )
        self.offset_bias = (
            self.params.get("offset_bias", shape=(offset_channels,), init=bias_init, allow_deferred_init=True)
            if use_bias
            else None
        )

    def _add_deformable_params(self, channels, kh, kw, weight_init, bias_init, use_bias) -> None:
        # MXNet leaves the input-channel dimension to the first forward even when in_channels is given
        self.deformable_conv_weight = self.params.get(
            "deformable_conv_weight", shape=(channels, 0, kh, kw), init=weight_init, allow_deferred_init=True
        )
        self.deformable_conv_bias = (
            self.params.get(
                "deformable_conv_bias", shape=(channels,), init=bias_init, allow_deferred_init=True
            )
            if use_bias
            else None
        )

    def _offsets(self, F, x, offset_weight, offset_bias):
        if offset_bias is None:
            return F.Convolution(x, offset_weight, **self._offset_op_kwargs)
        return F.Convolution(x, offset_weight, offset_bias, **self._offset_op_kwargs)

    def _activate(self, out):
        return self.act(out) if self.act is not None else out


class DeformableConvolution(_DeformableBase):
    """2-d deformable convolution (Dai et al., 2017) over NCHW data: an offset convolution with the
    same kernel, strides, padding and dilation predicts 2 * kh * kw * num_deformable_group offset
    channels, and the kernel taps sample the input at the shifted positions (bilinear interpolation).

    Parameters
    ----------
    channels : int
        Output channels.
    kernel_size : int or tuple of 2 ints, default (1, 1)
    strides, padding, dilation : int or tuple of 2 ints, defaults (1, 1), (0, 0), (1, 1)
    groups : int, default 1
        Channel groups of both the offset convolution and the deformable convolution.
    num_deformable_group : int, default 1
        Groups of input channels that share one set of offsets.
    layout : str, default 'NCHW'
        Only 'NCHW' runs (as in MXNet 1.9.1, whose operator refuses 'NHWC').
    use_bias : bool, default True
        Give the deformable convolution a bias.
    in_channels : int, default 0
        Input channels; 0 learns them from the first input.
    activation : str, optional
        An activation applied to the output (e.g. 'relu').
    weight_initializer, bias_initializer
        For ``deformable_conv_weight`` / ``deformable_conv_bias`` (default: the global initializer, 'zeros').
    offset_weight_initializer, offset_bias_initializer : default 'zeros'
        For the offset convolution's ``offset_weight`` / ``offset_bias``.
    offset_use_bias : bool, default True
        Give the offset convolution a bias.
    op_name, adj
        Accepted as in MXNet; ``adj`` must stay None (no operator here takes it).

    Parameters of the block: ``offset_weight`` (2*kh*kw*num_deformable_group, in_channels/groups, kh, kw),
    ``offset_bias``, ``deformable_conv_weight`` (channels, in_channels/groups, kh, kw) and
    ``deformable_conv_bias``.

    Example:
        >>> from mxnet.gluon.contrib.cnn import DeformableConvolution
        >>> layer = DeformableConvolution(8, kernel_size=3, padding=1)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((2, 4, 10, 10))).shape
        (2, 8, 10, 10)
    """

    def __init__(
        self,
        channels: int,
        kernel_size: int | tuple = (1, 1),
        strides: int | tuple = (1, 1),
        padding: int | tuple = (0, 0),
        dilation: int | tuple = (1, 1),
        groups: int = 1,
        num_deformable_group: int = 1,
        layout: str = "NCHW",
        use_bias: bool = True,
        in_channels: int = 0,
        activation: str | None = None,
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        offset_weight_initializer: Any = "zeros",
        offset_bias_initializer: Any = "zeros",
        offset_use_bias: bool = True,
        op_name: str = "DeformableConvolution",
        adj: Any = None,
        prefix: str | None = None,
        params: Any = None,
    ):
        super().__init__(
            channels,
            kernel_size,
            strides,
            padding,
            dilation,
            groups,
            num_deformable_group,
            layout,
            use_bias,
            in_channels,
            activation,
            weight_initializer,
            bias_initializer,
            offset_weight_initializer,
            offset_bias_initializer,
            offset_use_bias,
            op_name,
            adj,
            prefix,
            params,
        )

    def hybrid_forward(
        self, F, x, offset_weight, deformable_conv_weight, offset_bias=None, deformable_conv_bias=None
    ):
        offset = self._offsets(F, x, offset_weight, offset_bias)
        inputs = (x, offset, deformable_conv_weight)
        if deformable_conv_bias is not None:
            inputs += (deformable_conv_bias,)
        out = F.contrib.DeformableConvolution(*inputs, name="fwd", **self._deform_op_kwargs)
        return self._activate(out)

    def _alias(self) -> str:
        return "deformable_conv"

    def __repr__(self) -> str:
        k = self._kwargs_deformable_conv
        parts = [f"kernel_size={k['kernel']}", f"stride={k['stride']}"]
        if k["pad"] != (0, 0):
            parts.append(f"padding={k['pad']}")
        if k["dilate"] != (1, 1):
            parts.append(f"dilation={k['dilate']}")
        if k["num_group"] != 1:
            parts.append(f"groups={k['num_group']}")
        if self.deformable_conv_bias is None:
            parts.append("bias=False")
        if self.act is not None:
            parts.append(repr(self.act))
        shape = self.deformable_conv_weight.shape
        mapping = f"{shape[1] if shape[1] else None} -> {shape[0]}"
        return f"{self.__class__.__name__}({mapping}, {', '.join(parts)})"


class ModulatedDeformableConvolution(_DeformableBase):
    """2-d modulated deformable convolution (DCN v2, Zhu et al., 2019) over NCHW data: the offset
    convolution predicts 3 * kh * kw * num_deformable_group channels; the first two thirds are the
    (dy, dx) offsets, the last third passes through ``2 * sigmoid`` and scales each sampled value.

    Parameters
    ----------
    The same as :class:`DeformableConvolution` (``op_name`` defaults to
    'ModulatedDeformableConvolution'); ``groups`` must divide the offset channels
    3 * kh * kw * num_deformable_group.

    The Parameters are registered deformable-first, as in MXNet: ``deformable_conv_weight``,
    ``deformable_conv_bias``, ``offset_weight``, ``offset_bias``.

    Example:
        >>> from mxnet.gluon.contrib.cnn import ModulatedDeformableConvolution
        >>> layer = ModulatedDeformableConvolution(8, kernel_size=3, padding=1)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((2, 4, 10, 10))).shape
        (2, 8, 10, 10)
    """

    _taps_per_offset = 3
    _offset_first = False

    def __init__(
        self,
        channels: int,
        kernel_size: int | tuple = (1, 1),
        strides: int | tuple = (1, 1),
        padding: int | tuple = (0, 0),
        dilation: int | tuple = (1, 1),
        groups: int = 1,
        num_deformable_group: int = 1,
        layout: str = "NCHW",
        use_bias: bool = True,
        in_channels: int = 0,
        activation: str | None = None,
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        offset_weight_initializer: Any = "zeros",
        offset_bias_initializer: Any = "zeros",
        offset_use_bias: bool = True,
        op_name: str = "ModulatedDeformableConvolution",
        adj: Any = None,
        prefix: str | None = None,
        params: Any = None,
    ):
        super().__init__(
            channels,
            kernel_size,
            strides,
            padding,
            dilation,
            groups,
            num_deformable_group,
            layout,
            use_bias,
            in_channels,
            activation,
            weight_initializer,
            bias_initializer,
            offset_weight_initializer,
            offset_bias_initializer,
            offset_use_bias,
            op_name,
            adj,
            prefix,
            params,
        )
        kh, kw = self._offset_op_kwargs["kernel"]
        self.offset_split_index = 2 * kh * kw * num_deformable_group

    def hybrid_forward(
        self, F, x, offset_weight, deformable_conv_weight, offset_bias=None, deformable_conv_bias=None
    ):
        offset = self._offsets(F, x, offset_weight, offset_bias)
        split = self.offset_split_index
        shifts = F.slice_axis(offset, axis=1, begin=0, end=split)
        mask = F.sigmoid(F.slice_axis(offset, axis=1, begin=split, end=None)) * 2
        inputs = (x, shifts, mask, deformable_conv_weight)
        if deformable_conv_bias is not None:
            inputs += (deformable_conv_bias,)
        out = F.contrib.ModulatedDeformableConvolution(*inputs, name="fwd", **self._deform_op_kwargs)
        return self._activate(out)

    def _alias(self) -> str:
        return "modulated_deformable_conv"


__all__ = ["DeformableConvolution", "ModulatedDeformableConvolution"]
