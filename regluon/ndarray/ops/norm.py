"""Normalisation operators: BatchNorm (MXNet's running-statistics rule), LayerNorm, InstanceNorm, GroupNorm."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..params import Bool, Float, Int, Optional, Param
from ..register import OpDef, Sample, register
from ..state import autograd_state
from ._common import float32_only, normalize_axes, rand


def _bshape(t: torch.Tensor, ndim: int, axis: int) -> torch.Tensor:
    """A per-channel vector reshaped to broadcast along ``axis`` of an ``ndim``-d array."""
    shape = [1] * ndim
    shape[axis] = -1
    return t.reshape(shape)


def _layout(t: torch.Tensor) -> torch.memory_format:
    """The memory format the BatchNorm kernels take ``t`` in: channels-last (what a convolution on
    CPU may hand over) stays so, everything else is made contiguous."""
    if t.dim() == 4 and not t.is_contiguous() and t.is_contiguous(memory_format=torch.channels_last):
        return torch.channels_last
    return torch.contiguous_format


class _BatchNormTrain(torch.autograd.Function):
    """Batch statistics in the forward pass; MXNet updates the moving statistics in the *backward*
    pass (a forward under ``record()`` without ``backward`` leaves them unchanged), with the biased
    batch variance: ``moving = moving * momentum + batch * (1 - momentum)``.

    The arithmetic is torch's fused batch-norm kernels (channels on axis 1)."""

    @staticmethod
    def forward(ctx, x, gamma, beta, moving_mean, moving_var, eps, momentum, fix_gamma, axis):
        g = torch.ones_like(gamma) if fix_gamma else gamma
        x1 = x if axis == 1 else x.movedim(axis, 1)
        out, mean, invstd = torch.ops.aten.native_batch_norm(x1, g, beta, None, None, True, 0.0, eps)
        ctx.save_for_backward(x1, g, mean, invstd, moving_mean, moving_var)
        ctx.cfg = (eps, momentum, fix_gamma, axis)
        return (out if axis == 1 else out.movedim(1, axis)), mean, invstd

    @staticmethod
    def backward(ctx, dy, _dmean, _dinvstd):
        x1, g, mean, invstd, moving_mean, moving_var = ctx.saved_tensors
        eps, momentum, fix_gamma, axis = ctx.cfg
        with torch.no_grad():
            var = invstd.double().pow(-2).sub_(eps).clamp_(min=0).to(moving_var.dtype)
            moving_mean.mul_(momentum).add_(mean.to(moving_mean.dtype), alpha=1 - momentum)
            moving_var.mul_(momentum).add_(var, alpha=1 - momentum)
        dy1 = (dy if axis == 1 else dy.movedim(axis, 1)).contiguous(memory_format=_layout(x1))
        dx, dgamma, dbeta = torch.ops.aten.native_batch_norm_backward(
            dy1, x1, g, None, None, mean, invstd, True, eps, [True, not fix_gamma, True]
        )
        if fix_gamma:
            dgamma = torch.zeros_like(dbeta)
        return (dx if axis == 1 else dx.movedim(1, axis)), dgamma, dbeta, None, None, None, None, None, None


class _BatchNormPredict(torch.autograd.Function):
    """Normalization with the moving statistics, differentiated as MXNet 1.9.1 does under
    ``record(train_mode=False)``: its backward applies the training-mode formula (the one that
    treats the statistics as functions of the batch) at the moving statistics. With
    ``use_global_stats=True`` MXNet differentiates the plain affine map instead (not this class)."""

    @staticmethod
    def forward(ctx, x, gamma, beta, moving_mean, moving_var, eps, fix_gamma, axis):
        g = torch.ones_like(gamma) if fix_gamma else gamma
        x1 = x if axis == 1 else x.movedim(axis, 1)
        mean, invstd = moving_mean.detach().clone(), torch.rsqrt(moving_var.detach() + eps)
        out = tF.batch_norm(x1, mean, moving_var.detach(), g, beta, training=False, eps=eps)
        ctx.save_for_backward(x1, g, mean, invstd)
        ctx.cfg = (eps, fix_gamma, axis)
        return out if axis == 1 else out.movedim(1, axis)

    @staticmethod
    def backward(ctx, dy):
        x1, g, mean, invstd = ctx.saved_tensors
        eps, fix_gamma, axis = ctx.cfg
        dy1 = (dy if axis == 1 else dy.movedim(axis, 1)).contiguous(memory_format=_layout(x1))
        dx, dgamma, dbeta = torch.ops.aten.native_batch_norm_backward(
            dy1, x1, g, None, None, mean, invstd, True, eps, [True, not fix_gamma, True]
        )
        if fix_gamma:
            dgamma = torch.zeros_like(dbeta)
        return (dx if axis == 1 else dx.movedim(1, axis)), dgamma, dbeta, None, None, None, None, None


def _check_dtypes(data, *params) -> None:
    """MXNet's BatchNorm types: floating-point data; gamma, beta and the moving statistics in the data's
    dtype, or float32 for float16 data. Checked before anything (fix_gamma's write) touches the inputs."""
    if not data.is_floating_point():
        raise MXNetError(f"BatchNorm: data must be a floating-point array, got {str(data.dtype)[6:]}")
    want = torch.float32 if data.dtype == torch.float16 else data.dtype
    for name, t in zip(("gamma", "beta", "moving_mean", "moving_var"), params):
        if t.dtype != want:
            raise MXNetError(
                f"BatchNorm: {name} has dtype {str(t.dtype)[6:]}, expected {str(want)[6:]} for "
                f"{str(data.dtype)[6:]} data {shape_str(data.shape)} (gamma, beta and the moving statistics "
                "share one dtype, float32 for float16 data)"
            )


def _batchnorm(
    data,
    gamma,
    beta,
    moving_mean,
    moving_var,
    eps,
    momentum,
    fix_gamma,
    use_global_stats,
    output_mean_var,
    axis,
    cudnn_off,
    min_calib_range,
    max_calib_range,
):
    ax = normalize_axes("BatchNorm", (axis,), data.dim())[0]
    c = data.shape[ax]
    for name, t in (
        ("gamma", gamma),
        ("beta", beta),
        ("moving_mean", moving_mean),
        ("moving_var", moving_var),
    ):
        if tuple(t.shape) != (c,):
            raise MXNetError(
                f"BatchNorm: {name} has shape {shape_str(t.shape)}, expected ({c},) for data "
                f"{shape_str(data.shape)} with axis={axis}"
            )
    _check_dtypes(data, gamma, beta, moving_mean, moving_var)
    if fix_gamma:  # MXNet writes the fixed gamma back into its input: it reads 1 afterwards
        with torch.no_grad():
            gamma.fill_(1.0)
    if autograd_state.training and not use_global_stats:
        out, mean, invstd = _BatchNormTrain.apply(
            data, gamma, beta, moving_mean, moving_var, eps, momentum, fix_gamma, ax
        )
    elif autograd_state.recording and not use_global_stats and torch.is_grad_enabled():
        out = _BatchNormPredict.apply(data, gamma, beta, moving_mean, moving_var, eps, fix_gamma, ax)
        mean, invstd = moving_mean.detach(), torch.rsqrt(moving_var.detach() + eps)
    else:
        mean, invstd = moving_mean.detach(), torch.rsqrt(moving_var.detach() + eps)
        g = torch.ones_like(gamma) if fix_gamma else gamma
        if ax == 1 and data.dim() > 2:  # one fused kernel
            out = tF.batch_norm(data, mean, moving_var.detach(), g, beta, training=False, eps=eps)
        else:
            out = (data - _bshape(mean, data.dim(), ax)) * _bshape(invstd * g, data.dim(), ax) + _bshape(
                beta, data.dim(), ax
            )
    return (out, mean, invstd) if output_mean_var else out


register(
    OpDef(
        "BatchNorm",
        impl=_batchnorm,
        inputs=("data", "gamma", "beta", "moving_mean", "moving_var"),
        no_grad_inputs=("moving_mean", "moving_var"),
        params=(
            Param("eps", Float(), 1e-3, "Added to the variance."),
            Param("momentum", Float(), 0.9, "Weight of the old moving statistics."),
            Param(
                "fix_gamma", Bool(), True, "Use gamma = 1: gamma is set to 1 in place and gets no gradient."
            ),
            Param("use_global_stats", Bool(), False, "Always use the moving statistics."),
            Param("output_mean_var", Bool(), False, "Also return the batch mean and inverse std."),
            Param("axis", Int(), 1, "The channel axis."),
            Param("cudnn_off", Bool(), False, "Accepted."),
            Param("min_calib_range", Optional(Float()), None, "Accepted (quantisation)."),
            Param("max_calib_range", Optional(Float()), None, "Accepted (quantisation)."),
        ),
        aliases=("BatchNorm_v1",),
        errors=lambda: [
            # refused before fix_gamma writes 1 into gamma: the inputs stay as they were
            (
                (rand(4, 3, 2), rand(3, seed=1).astype(np.float16), *(rand(3, seed=k) for k in (2, 3, 4))),
                {},
                r"BatchNorm: gamma has dtype float16, expected float32 for float32 data \(4, 3, 2\)",
            ),
            (
                (rand(4, 3, 2).astype(np.int32), *(rand(3, seed=k) for k in (1, 2, 3, 4))),
                {},
                r"BatchNorm: data must be a floating-point array, got int32",
            ),
        ],
        samples=lambda: [
            Sample(
                (
                    rand(4, 3, 2, 2),
                    rand(3, low=0.5, seed=1),
                    rand(3, seed=2),
                    rand(3, seed=3),
                    rand(3, low=0.5, high=2, seed=4),
                )
            ),
            Sample(
                (
                    rand(4, 3, 5),
                    rand(3, low=0.5, seed=1),
                    rand(3, seed=2),
                    rand(3, seed=3),
                    rand(3, low=0.5, high=2, seed=4),
                ),
                {"fix_gamma": False, "momentum": 0.8, "eps": 1e-5},
            ),
            Sample(
                (
                    rand(4, 3),
                    rand(3, low=0.5, seed=1),
                    rand(3, seed=2),
                    rand(3, seed=3),
                    rand(3, low=0.5, high=2, seed=4),
                ),
                {"fix_gamma": False, "use_global_stats": True},
            ),
            Sample(
                (
                    rand(2, 3, 4, 4),
                    rand(3, low=0.5, seed=1),
                    rand(3, seed=2),
                    rand(3, seed=3),
                    rand(3, low=0.5, high=2, seed=4),
                ),
                {"fix_gamma": False, "use_global_stats": True},
            ),
            Sample(
                (
                    rand(2, 3, 4),
                    rand(4, low=0.5, seed=1),
                    rand(4, seed=2),
                    rand(4, seed=3),
                    rand(4, low=0.5, high=2, seed=4),
                ),
                {"fix_gamma": False, "axis": -1},
            ),
            Sample(  # channels-last (NHWC) data: the channel axis is 3
                (
                    rand(2, 3, 2, 4),
                    rand(4, low=0.5, seed=1),
                    rand(4, seed=2),
                    rand(4, seed=3),
                    rand(4, low=0.5, high=2, seed=4),
                ),
                {"fix_gamma": False, "axis": 3, "momentum": 0.8},
            ),
        ],
        doc="Batch normalisation over all axes but ``axis``. While training (and not use_global_stats) the "
        "batch statistics normalise and, in the backward pass, update moving_mean/moving_var in place as MXNet "
        "does; otherwise the moving statistics normalise.",
    )
)


def _layernorm(data, gamma, beta, axis, eps, output_mean_var):
    ax = normalize_axes("LayerNorm", (axis,), data.dim())[0]
    n = data.shape[ax]
    if gamma.shape != (n,) or beta.shape != (n,):
        raise MXNetError(
            f"LayerNorm: gamma {shape_str(gamma.shape)} and beta {shape_str(beta.shape)} must both be ({n},) "
            f"for data {shape_str(data.shape)} with axis={axis}"
        )
    mean = data.mean(dim=ax, keepdim=True)
    var = data.var(dim=ax, unbiased=False, keepdim=True)
    std = torch.sqrt(var + eps)
    out = (data - mean) / std * _bshape(gamma, data.dim(), ax) + _bshape(beta, data.dim(), ax)
    return (out, mean, std) if output_mean_var else out


def _layernorm_ref(x, gamma, beta, axis=-1, eps=1e-5, output_mean_var=False):
    m = x.mean(axis=axis, keepdims=True)
    v = x.var(axis=axis, keepdims=True)
    shape = [1] * x.ndim
    shape[axis] = -1
    return (x - m) / np.sqrt(v + eps) * gamma.reshape(shape) + beta.reshape(shape)


register(
    OpDef(
        "LayerNorm",
        impl=_layernorm,
        inputs=("data", "gamma", "beta"),
        params=(
            Param("axis", Int(), -1, "Axis to normalise over."),
            Param("eps", Float(), 1e-5),
            Param("output_mean_var", Bool(), False, "Also return mean and std."),
        ),
        ref=_layernorm_ref,
        samples=lambda: [
            Sample((rand(3, 4), rand(4, seed=1), rand(4, seed=2))),
            Sample((rand(2, 3, 4), rand(3, seed=1), rand(3, seed=2)), {"axis": 1, "eps": 1e-3}),
            Sample((rand(4, 1), rand(1, seed=1), rand(1, seed=2)), {"axis": 1}),
        ],
        errors=lambda: [
            (
                (rand(2, 3), rand(4), rand(3)),
                {},
                r"LayerNorm: gamma \(4,\) and beta \(3,\) must both be \(3,\)",
            )
        ],
        doc="Normalise over one axis to zero mean and unit variance, then scale by gamma and shift by beta.",
    )
)


def _instancenorm(data, gamma, beta, eps):
    float32_only("InstanceNorm", data)
    c = data.shape[1] if data.dim() > 1 else 0
    if data.dim() < 3 or gamma.shape != (c,) or beta.shape != (c,):
        raise MXNetError(
            f"InstanceNorm: data must be (N, C, ...) with at least 3 dimensions and gamma, beta of shape (C,); "
            f"got data {shape_str(data.shape)}, gamma {shape_str(gamma.shape)}, beta {shape_str(beta.shape)}"
        )
    dims = tuple(range(2, data.dim()))
    mean = data.mean(dim=dims, keepdim=True)
    var = data.var(dim=dims, unbiased=False, keepdim=True)
    return (data - mean) / torch.sqrt(var + eps) * _bshape(gamma, data.dim(), 1) + _bshape(
        beta, data.dim(), 1
    )


def _instancenorm_ref(x, gamma, beta, eps=1e-3):
    dims = tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return (x - x.mean(axis=dims, keepdims=True)) / np.sqrt(
        x.var(axis=dims, keepdims=True) + eps
    ) * gamma.reshape(shape) + beta.reshape(shape)


register(
    OpDef(
        "InstanceNorm",
        impl=_instancenorm,
        inputs=("data", "gamma", "beta"),
        params=(Param("eps", Float(), 1e-3),),
        ref=_instancenorm_ref,
        # float32 only (as MXNet): its gradient is checked against MXNet's golden, not in float64
        samples=lambda: [Sample((rand(2, 3, 4, 2), rand(3, seed=1), rand(3, seed=2)), numeric_grad=False)],
        errors=lambda: [
            (
                (rand(2, 3, 4), rand(4), rand(3)),
                {},
                r"InstanceNorm: .* got data \(2, 3, 4\), gamma \(4,\), beta \(3,\)",
            )
        ],
        doc="Normalise each (sample, channel) over its spatial positions, then scale and shift per channel.",
    )
)


def _groupnorm(data, gamma, beta, num_groups, eps, output_mean_var):
    n, c = data.shape[:2]
    if c % num_groups:
        raise MXNetError(f"GroupNorm: {c} channels are not divisible by num_groups={num_groups}")
    x = data.reshape(n, num_groups, -1)
    mean = x.mean(dim=2, keepdim=True)
    var = x.var(dim=2, unbiased=False, keepdim=True)
    xhat = ((x - mean) / torch.sqrt(var + eps)).reshape(
        (n, num_groups, c // num_groups) + tuple(data.shape[2:])
    )
    shape = (1, num_groups) + (1,) * (data.dim() - 1)
    out = (xhat * gamma.reshape(shape) + beta.reshape(shape)).reshape(data.shape)
    return (
        (out, mean.reshape(n, num_groups), torch.sqrt(var + eps).reshape(n, num_groups))
        if output_mean_var
        else out
    )


def _groupnorm_ref(x, gamma, beta, num_groups=1, eps=1e-5, output_mean_var=False):
    n, c = x.shape[:2]
    xg = x.reshape(n, num_groups, -1)
    xhat = (xg - xg.mean(axis=2, keepdims=True)) / np.sqrt(xg.var(axis=2, keepdims=True) + eps)
    xhat = xhat.reshape((n, num_groups, c // num_groups) + x.shape[2:])
    shape = (1, num_groups) + (1,) * (x.ndim - 1)
    return (xhat * gamma.reshape(shape) + beta.reshape(shape)).reshape(x.shape)


register(
    OpDef(
        "GroupNorm",
        impl=_groupnorm,
        inputs=("data", "gamma", "beta"),
        params=(
            Param("num_groups", Int(), 1, "Channel groups."),
            Param("eps", Float(), 1e-5),
            Param("output_mean_var", Bool(), False),
        ),
        ref=_groupnorm_ref,
        samples=lambda: [
            Sample((rand(2, 4, 3), rand(2, seed=1), rand(2, seed=2)), {"num_groups": 2}),
            Sample((rand(2, 6, 2, 2), rand(3, seed=1), rand(3, seed=2)), {"num_groups": 3}),
        ],
        errors=lambda: [((rand(2, 5, 3), rand(2), rand(2)), {"num_groups": 2}, r"GroupNorm: 5 channels")],
        doc="Normalise groups of channels per sample; gamma and beta have one value per group, as in MXNet 1.x.",
    )
)
