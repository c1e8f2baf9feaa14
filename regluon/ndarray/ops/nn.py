"""Neural-network operators: FullyConnected, Activation, softmax."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..dtypes import to_torch
from ..params import Bool, DType, Enum, Float, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register
from ..state import autograd_state
from ._common import axis_error, check_axis, rand


def _fc_infer(op, shapes, params):
    """Shapes of (data, weight, bias) for FullyConnected; checks the ones given."""
    data, weight, bias = (list(shapes) + [None, None])[:3]
    if data is None:
        raise MXNetError("FullyConnected: the shape of data must be known")
    n = params["num_hidden"]
    k = math.prod(data[1:]) if params["flatten"] else data[-1]
    want_w = (n, k)
    if weight is not None and tuple(weight) != want_w:
        raise MXNetError(
            f"FullyConnected: weight has shape {shape_str(weight)} but data of shape {shape_str(data)} with "
            f"num_hidden={n} needs weight {shape_str(want_w)} (input width {k} vs {weight[1] if len(weight) > 1 else '?'})"
        )
    if not params["no_bias"] and bias is not None and tuple(bias) != (n,):
        raise MXNetError(f"FullyConnected: bias has shape {shape_str(bias)}, expected {shape_str((n,))}")
    return [tuple(data), want_w, (n,)]


def _fc(data, weight, bias, num_hidden, no_bias, flatten):
    x = data.reshape(data.shape[0], -1) if flatten and data.dim() != 2 else data
    if (
        weight.shape[0] != num_hidden
        or weight.shape[-1] != x.shape[-1]
        or (not no_bias and (bias is None or bias.shape != (num_hidden,)))
    ):
        shapes = [tuple(t.shape) if t is not None else None for t in (data, weight, bias)]
        _fc_infer(None, shapes, {"num_hidden": num_hidden, "no_bias": no_bias, "flatten": flatten})
        raise MXNetError("FullyConnected: bias is required unless no_bias=True")
    return tF.linear(x, weight, None if no_bias else bias)


def _fc_ref(x, w, b=None, num_hidden=None, no_bias=False, flatten=True):
    x2 = x.reshape(x.shape[0], -1) if flatten else x
    out = x2 @ w.T
    return out if no_bias else out + b


register(
    OpDef(
        "FullyConnected",
        impl=_fc,
        inputs=("data", "weight", "bias"),
        optional_inputs=("bias",),
        params=(
            Param("num_hidden", Int(), None, "Number of output units.", required=True),
            Param("no_bias", Bool(), False, "Leave the bias out."),
            Param("flatten", Bool(), True, "Flatten all axes but the first before the product."),
        ),
        aliases=("npx.fully_connected",),
        infer_shape=_fc_infer,
        ref=_fc_ref,
        samples=lambda: [
            Sample((rand(4, 3), rand(2, 3, seed=1), rand(2, seed=2)), {"num_hidden": 2}),
            Sample((rand(4, 2, 3), rand(5, 6, seed=1)), {"num_hidden": 5, "no_bias": True}),
            Sample((rand(4, 2, 3), rand(5, 3, seed=1), rand(5, seed=2)), {"num_hidden": 5, "flatten": False}),
        ],
        errors=lambda: [
            (
                (rand(10, 3), rand(1, 2), rand(1)),
                {"num_hidden": 1},
                r"FullyConnected: weight has shape \(1, 2\)",
            ),
        ],
        doc="Dense layer: ``out = dot(data, weight.T) + bias``.\n\n"
        "``data`` (N, ...) is flattened to (N, K) unless ``flatten=False``; ``weight`` is (num_hidden, K).",
    )
)

_ACTS = {
    "relu": (torch.relu, lambda x: np.maximum(x, 0)),
    "sigmoid": (torch.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    "tanh": (torch.tanh, np.tanh),
    "softrelu": (lambda t: torch.where(t > 20, t, torch.log1p(torch.exp(t))), lambda x: np.log1p(np.exp(x))),
    "softsign": (tF.softsign, lambda x: x / (1 + np.abs(x))),
}

register(
    OpDef(
        "Activation",
        impl=lambda data, act_type: _ACTS[act_type][0](data),
        params=(Param("act_type", Enum(*_ACTS), None, "Which activation function.", required=True),),
        ref=lambda x, act_type: _ACTS[act_type][1](x),
        samples=lambda: [Sample((rand(2, 3),), {"act_type": a}) for a in _ACTS],
        doc="Apply an activation function element-wise (relu, sigmoid, tanh, softrelu, softsign, ...).",
    )
)


def _softmax_t(x, dim):
    e = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return e / e.sum(dim=dim, keepdim=True)


def _log_softmax_t(x, dim):
    z = x - x.amax(dim=dim, keepdim=True)
    return z - torch.log(torch.exp(z).sum(dim=dim, keepdim=True))


def _length_mask(data, length, axis):
    """True where the position along ``axis`` is below the per-row ``length``."""
    ax = axis % data.dim()
    steps = torch.arange(data.shape[ax], device=data.device)
    shape = [1] * data.dim()
    shape[ax] = -1
    return steps.reshape(shape) < length.to(torch.long).unsqueeze(ax)


def _softmax(fn, masked_value):
    """Softmax in MXNet's formula (shift by the max, exponentiate, divide by the sum)."""

    def impl(data, length, axis, temperature, dtype, use_length):
        if not -data.dim() <= axis < data.dim():
            raise axis_error("softmax" if masked_value == 0.0 else "log_softmax", "axis", axis, data.shape)
        x = data if temperature in (None, 1.0) else data / temperature
        if use_length:
            if length is None:
                raise MXNetError("softmax: use_length=True needs the length input")
            if length.is_floating_point():
                raise MXNetError(f"softmax: length must be an integer array, got {str(length.dtype)[6:]}")
            mask = _length_mask(data, length, axis)
            out = fn(x.masked_fill(~mask, float("-inf")), dim=axis)
            out = out.masked_fill(~mask, masked_value)
        else:
            out = fn(x, dim=axis)
        return out.to(to_torch(dtype)) if dtype else out

    return impl


def _softmax_ref(x, length=None, axis=-1, temperature=None, dtype=None, use_length=False):
    z = x / (temperature or 1.0)
    if use_length:
        ax = axis % x.ndim
        steps = np.arange(x.shape[ax]).reshape([-1 if i == ax else 1 for i in range(x.ndim)])
        mask = steps < np.expand_dims(length, ax)
        z = np.where(mask, z, -np.inf)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)
    return out.astype(dtype) if dtype else out


_SOFTMAX_PARAMS = (
    Param("axis", Int(), -1, "Axis to normalise over."),
    Param("temperature", Optional(Float()), None, "Divide the input by this first."),
    Param("dtype", Optional(DType()), None, "Output type (the input's by default)."),
    Param("use_length", Optional(Bool()), False, "Only the first ``length`` positions along the axis count."),
)

register(
    OpDef(
        "softmax",
        impl=_softmax(_softmax_t, 0.0),
        inputs=("data", "length"),
        optional_inputs=("length",),
        no_grad_inputs=("length",),
        params=_SOFTMAX_PARAMS,
        ref=_softmax_ref,
        errors=lambda: [
            (
                (rand(2, 4), np.array([2, 3], "float32")),
                {"use_length": True},
                r"softmax: length must be an integer array",
            ),
            ((rand(2, 3),), {"axis": 2}, r"softmax: axis=2 is out of range for data of shape \(2, 3\)"),
        ],
        samples=lambda: [
            Sample((rand(2, 3),)),
            Sample((rand(2, 3),), {"axis": 0, "temperature": 2.0}),
            Sample((rand(2, 4), np.array([2, 3], "int32")), {"use_length": True}),
            Sample((rand(2, 3),), {"dtype": "float64"}),
        ],
        method="softmax",
        doc="Softmax: exp(x) / sum(exp(x)) along an axis; with use_length, positions past each row's "
        "length get 0 and do not count.",
    )
)


def _log_softmax(data, axis, temperature, dtype, use_length):
    """MXNet's log_softmax has no ``length`` input (``use_length`` is accepted but cannot apply)."""
    if use_length:
        raise MXNetError("log_softmax: use_length=True needs a length input, which log_softmax does not take")
    return _softmax(_log_softmax_t, float("-inf"))(data, None, axis, temperature, dtype, False)


register(
    OpDef(
        "log_softmax",
        impl=_log_softmax,
        inputs=("data",),
        params=_SOFTMAX_PARAMS,
        ref=lambda x, axis=-1, temperature=None, dtype=None, use_length=False: np.log(
            _softmax_ref(x, None, axis, temperature, dtype, use_length)
        ),
        samples=lambda: [Sample((rand(2, 3),)), Sample((rand(2, 3),), {"axis": 0})],
        errors=lambda: [((rand(2, 3),), {"axis": -3}, r"log_softmax: axis=-3 is out of range")],
        method="log_softmax",
        doc="Logarithm of softmax along an axis, computed stably.",
    )
)


def _softmin(data, axis, temperature, dtype, use_length):
    if use_length:
        raise MXNetError("softmin: use_length=True needs a length input, which softmin does not take")
    check_axis("softmin", "axis", axis, data.shape)
    return _softmax(_softmax_t, 0.0)(-data, None, axis, temperature, dtype, False)


register(
    OpDef(
        "softmin",
        impl=_softmin,
        inputs=("data",),
        params=_SOFTMAX_PARAMS,
        ref=lambda x, axis=-1, temperature=None, dtype=None, use_length=False: _softmax_ref(
            -x, None, axis, temperature, dtype
        ),
        samples=lambda: [Sample((rand(2, 3),)), Sample((rand(2, 3),), {"axis": 0, "temperature": 0.5})],
        errors=lambda: [
            ((rand(2, 3),), {"axis": 2}, r"softmin: axis=2 is out of range for data of shape \(2, 3\)")
        ],
        method="softmin",
        doc="Softmax of the negated input: small values get large weights.\n\n"
        "Example: ``nd.softmin(nd.array([[1, 2, 3]]))``",
    )
)


def _hard_sigmoid(data, alpha, beta):
    return (data * alpha + beta).clamp(0.0, 1.0)


register(
    OpDef(
        "hard_sigmoid",
        impl=_hard_sigmoid,
        params=(Param("alpha", Float(), 0.2, "Slope."), Param("beta", Float(), 0.5, "Offset.")),
        ref=lambda x, alpha=0.2, beta=0.5: np.clip(x * alpha + beta, 0.0, 1.0).astype(x.dtype),
        samples=lambda: [
            Sample((rand(2, 3, low=-4, high=4),)),
            Sample((rand(4, low=-2, high=2, seed=1),), {"alpha": 0.5, "beta": 0.3}),
        ],
        doc="Piecewise-linear sigmoid: clip(alpha * x + beta, 0, 1).\n\nExample: ``nd.hard_sigmoid(x)``",
    )
)


# ------------------------------------------------------------------------------------------ Dropout
def _dropout(data, p, mode, axes, cudnn_off):
    if not 0.0 <= p <= 1.0:
        raise MXNetError(f"Dropout: p={p} must be in [0, 1] (the fraction of elements dropped)")
    if not (mode == "always" or autograd_state.training) or p == 0:
        return data.clone()
    if p >= 1:
        return torch.zeros_like(data)
    mask_shape = [1 if i in axes else d for i, d in enumerate(data.shape)]
    keep = (torch.rand(mask_shape, device=data.device) >= p).to(data.dtype)
    return data * keep / (1.0 - p)


def _check_dropout(out, params, x):
    p = params.get("p", 0.5)
    kept = out != 0
    scaled_ok = np.allclose(out[kept], x[kept] / (1 - p), rtol=1e-5)
    frac = 1 - kept.mean()
    return scaled_ok and abs(frac - p) < 0.05


register(
    OpDef(
        "Dropout",
        impl=_dropout,
        params=(
            Param("p", Float(), 0.5, "Fraction of elements set to zero."),
            Param("mode", Enum("training", "always"), "training", "Drop only in training mode, or always."),
            Param("axes", Shape(), (), "Axes along which one mask value is shared (variational dropout)."),
            Param("cudnn_off", Bool(), False, "Accepted for compatibility."),
        ),
        check=_check_dropout,
        samples=lambda: [Sample((rand(100, 40, low=0.5, high=1.5),), {"p": 0.3, "mode": "always"})],
        errors=lambda: [((rand(2, 3),), {"p": -0.1}, r"Dropout: p=-0.1 must be in \[0, 1\]")],
        doc="Zero a random fraction ``p`` of the elements and scale the rest by 1/(1-p) while training "
        "(or always, with ``mode='always'``); the identity otherwise.",
    )
)


# ------------------------------------------------------------------------------------------ Embedding
def _embedding_infer(op, shapes, params):
    data, weight = shapes
    want = (params["input_dim"], params["output_dim"])
    if weight is not None and tuple(weight) != want:
        raise MXNetError(f"Embedding: weight has shape {shape_str(weight)}, expected {shape_str(want)}")
    return [data, want]


def _embedding(data, weight, input_dim, output_dim, dtype, sparse_grad):
    if tuple(weight.shape) != (input_dim, output_dim):
        _embedding_infer(
            None, [tuple(data.shape), tuple(weight.shape)], {"input_dim": input_dim, "output_dim": output_dim}
        )
    idx = (data.long() if data.is_floating_point() else data.to(torch.long)).clamp(0, input_dim - 1)
    return tF.embedding(idx, weight)


register(
    OpDef(
        "Embedding",
        impl=_embedding,
        inputs=("data", "weight"),
        no_grad_inputs=("data",),
        params=(
            Param("input_dim", Int(), None, "Vocabulary size.", required=True),
            Param("output_dim", Int(), None, "Embedding size.", required=True),
            Param("dtype", DType(), "float32"),
            Param("sparse_grad", Bool(), False, "Accepted; gradients are dense."),
        ),
        infer_shape=_embedding_infer,
        ref=lambda d, w, input_dim, output_dim, dtype="float32", sparse_grad=False: w[
            np.clip(d.astype(np.int64), 0, input_dim - 1)
        ],
        samples=lambda: [
            Sample((np.array([[0, 2], [3, 1]], "float32"), rand(4, 3)), {"input_dim": 4, "output_dim": 3})
        ],
        errors=lambda: [
            (
                (np.array([0, 1], "float32"), rand(4, 3)),
                {"input_dim": 5, "output_dim": 3},
                r"Embedding: weight has shape \(4, 3\)",
            )
        ],
        doc="Look up rows of ``weight`` (input_dim, output_dim) for the integer indices in ``data``.",
    )
)


# ------------------------------------------------------------------------------------------ LeakyReLU
_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


class _MXNetSELU(torch.autograd.Function):
    """SELU with MXNet 1.9.1's gradient. For x <= 0 its kernel returns scale * (out + alpha), where
    ``out`` already includes the scale; the exact derivative would be out + scale * alpha. Training
    curves reproduce MXNet's only with MXNet's gradient, so regluon follows it."""

    @staticmethod
    def forward(ctx, x):
        out = _SELU_SCALE * torch.where(x > 0, x, _SELU_ALPHA * torch.expm1(x))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * torch.where(x > 0, torch.full_like(x, _SELU_SCALE), _SELU_SCALE * (out + _SELU_ALPHA))


def _leaky(data, gamma, act_type, slope, lower_bound, upper_bound):
    if act_type == "leaky":
        return torch.where(data > 0, data, data * slope)
    if act_type == "prelu":
        if gamma is None:
            raise MXNetError("LeakyReLU: act_type='prelu' needs the gamma input")
        g = (
            gamma.reshape((1, -1) + (1,) * (data.dim() - 2))
            if gamma.numel() > 1 and data.dim() > 1
            else gamma
        )
        return torch.where(data > 0, data, data * g)
    if act_type == "elu":
        return torch.where(data > 0, data, slope * torch.expm1(data))
    if act_type == "selu":
        return _MXNetSELU.apply(data)
    if act_type == "gelu":
        return 0.5 * data * (1.0 + torch.erf(data / np.sqrt(2.0)))
    if autograd_state.training:  # rrelu
        s = torch.empty_like(data).uniform_(lower_bound, upper_bound)
    else:
        s = (lower_bound + upper_bound) / 2.0
    return torch.where(data > 0, data, data * s)


def _leaky_ref(x, gamma=None, act_type="leaky", slope=0.25, lower_bound=0.125, upper_bound=0.334):
    from math import erf

    if act_type == "leaky":
        return np.where(x > 0, x, x * slope)
    if act_type == "prelu":
        g = gamma.reshape((1, -1) + (1,) * (x.ndim - 2)) if gamma.size > 1 else gamma
        return np.where(x > 0, x, x * g)
    if act_type == "elu":
        return np.where(x > 0, x, slope * np.expm1(x))
    if act_type == "selu":
        return _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(x))
    return (0.5 * x * (1 + np.vectorize(erf)(x / np.sqrt(2)))).astype(x.dtype)


register(
    OpDef(
        "LeakyReLU",
        impl=_leaky,
        inputs=("data", "gamma"),
        optional_inputs=("gamma",),
        params=(
            Param("act_type", Enum("leaky", "prelu", "elu", "selu", "gelu", "rrelu"), "leaky"),
            Param("slope", Float(), 0.25, "Negative slope (leaky) or alpha (elu)."),
            Param("lower_bound", Float(), 0.125, "rrelu: lower bound of the random slope."),
            Param("upper_bound", Float(), 0.334, "rrelu: upper bound of the random slope."),
        ),
        ref=_leaky_ref,
        samples=lambda: [
            Sample((rand(2, 3),)),
            Sample((rand(2, 3),), {"act_type": "elu", "slope": 0.5}),
            # MXNet's selu gradient differs from the exact one (see _MXNetSELU): checked by the golden only
            Sample((rand(2, 3),), {"act_type": "selu"}, numeric_grad=False),
            Sample((rand(2, 3),), {"act_type": "gelu"}),
            Sample((rand(2, 3, 2), rand(3, seed=1)), {"act_type": "prelu"}),
        ],
        doc="Leaky rectifiers: leaky, prelu (learned slope per channel), elu, selu, gelu, rrelu.",
    )
)


def _smooth_l1(data, scalar):
    s2 = scalar * scalar
    return torch.where(data.abs() < 1.0 / s2, 0.5 * (scalar * data) ** 2, data.abs() - 0.5 / s2)


register(
    OpDef(
        "smooth_l1",
        impl=_smooth_l1,
        params=(Param("scalar", Float(), 1.0, "sigma: the quadratic zone is |x| < 1/sigma**2."),),
        ref=lambda x, scalar=1.0: np.where(
            np.abs(x) < 1 / scalar**2, 0.5 * (scalar * x) ** 2, np.abs(x) - 0.5 / scalar**2
        ),
        samples=lambda: [
            Sample((rand(3, 4, low=-3, high=3),), {"scalar": 1.0}),
            Sample((rand(3, 4, low=-1, high=1),), {"scalar": 2.0}),
        ],
        doc="Smooth L1: 0.5*(sigma*x)**2 where |x| < 1/sigma**2, else |x| - 0.5/sigma**2.",
    )
)


def _l2norm(data, eps, mode):
    if mode != "instance" and data.dim() < 3:
        raise MXNetError(
            f"L2Normalization: mode='{mode}' needs data with at least 3 dimensions, got {shape_str(data.shape)}"
        )
    if mode == "instance":
        dims = tuple(range(1, data.dim()))
    elif mode == "channel":
        dims = (1,)
    else:
        dims = tuple(range(2, data.dim()))
    return data / torch.sqrt((data * data).sum(dim=dims, keepdim=True) + eps)


def _l2norm_ref(x, eps=1e-10, mode="instance"):
    dims = (
        tuple(range(1, x.ndim))
        if mode == "instance"
        else (1,)
        if mode == "channel"
        else tuple(range(2, x.ndim))
    )
    return x / np.sqrt((x * x).sum(axis=dims, keepdims=True) + eps)


register(
    OpDef(
        "L2Normalization",
        impl=_l2norm,
        params=(
            Param("eps", Float(), 1e-10, "Added under the square root."),
            Param(
                "mode", Enum("instance", "channel", "spatial"), "instance", "Which axes to normalise over."
            ),
        ),
        ref=_l2norm_ref,
        samples=lambda: [
            Sample((rand(2, 3, 4),)),
            Sample((rand(2, 3, 4),), {"mode": "channel"}),
            Sample((rand(2, 3, 2, 2),), {"mode": "spatial"}),
            Sample((rand(2, 3),)),
        ],
        errors=lambda: [
            ((rand(3),), {"mode": "channel"}, r"L2Normalization: mode='channel' needs data with at least 3")
        ],
        doc="Divide by the L2 norm over all but the batch axis (instance), the channel axis, or spatial axes.",
    )
)


# ------------------------------------------------------------------------------------------ SoftmaxOutput
class _SoftmaxOutputCfg(NamedTuple):
    grad_scale: float
    ignore_label: float
    multi_output: bool
    use_ignore: bool
    preserve_shape: bool
    normalization: str
    out_grad: bool
    smooth_alpha: float


class _SoftmaxOutput(torch.autograd.Function):
    """Softmax forward; MXNet's backward ignores the incoming gradient (unless out_grad) and returns
    (softmax - one_hot(label)) * grad_scale / normalisation, the cross-entropy gradient."""

    @staticmethod
    def forward(ctx, data, label, cfg: _SoftmaxOutputCfg):
        if cfg.multi_output:
            x, axis = data, 1
        elif cfg.preserve_shape:
            x, axis = data, data.dim() - 1
        else:
            x, axis = data.reshape(data.shape[0], -1), 1
        p = torch.softmax(x, dim=axis)
        ctx.save_for_backward(p, label)
        ctx.cfg, ctx.axis, ctx.shape = cfg, axis, data.shape
        return p.reshape(data.shape)

    @staticmethod
    def backward(ctx, grad):
        p, label = ctx.saved_tensors
        cfg, axis = ctx.cfg, ctx.axis
        k = p.shape[axis]
        lab = label.reshape(p.shape[:axis] + p.shape[axis + 1 :]).to(torch.long)
        valid = lab != int(cfg.ignore_label) if cfg.use_ignore else torch.ones_like(lab, dtype=torch.bool)
        onehot = torch.nn.functional.one_hot(lab.clamp(0, k - 1), k).movedim(-1, axis).to(p.dtype)
        if cfg.smooth_alpha > 0:
            onehot = onehot * (1 - cfg.smooth_alpha) + (1 - onehot) * (cfg.smooth_alpha / (k - 1))
        g = (p - onehot) * valid.unsqueeze(axis).to(p.dtype)
        if cfg.out_grad:
            g = g * grad.reshape(p.shape)
        if cfg.normalization == "batch":  # every label position counts (N, or N x spatial with multi_output)
            g = g / lab.numel()
        elif cfg.normalization == "valid":
            g = g / max(int(valid.sum()), 1)
        return (g * cfg.grad_scale).reshape(ctx.shape), None, None


def _softmax_output(data, label, **params):
    return _SoftmaxOutput.apply(data, label, _SoftmaxOutputCfg(**params))


register(
    OpDef(
        "SoftmaxOutput",
        impl=_softmax_output,
        inputs=("data", "label"),
        no_grad_inputs=("label",),
        params=(
            Param("grad_scale", Float(), 1.0, "Scale of the gradient."),
            Param("ignore_label", Float(), -1.0, "Label whose rows get no gradient (with use_ignore)."),
            Param("multi_output", Bool(), False, "Softmax over axis 1 of (N, C, ...) with labels (N, ...)."),
            Param("use_ignore", Bool(), False, "Honour ignore_label."),
            Param("preserve_shape", Bool(), False, "Softmax over the last axis without flattening."),
            Param(
                "normalization",
                Enum("null", "batch", "valid"),
                "null",
                "Divide the gradient by 1, N, or the number of non-ignored labels.",
            ),
            Param("out_grad", Bool(), False, "Multiply by the incoming gradient (ignored by default)."),
            Param("smooth_alpha", Float(), 0.0, "Label smoothing."),
        ),
        aliases=("Softmax",),
        samples=lambda: [
            Sample((rand(4, 3), np.array([0, 2, 1, 2], "float32"))),
            Sample(
                (rand(4, 3), np.array([0, 2, -1, 2], "float32")),
                {"use_ignore": True, "normalization": "valid", "grad_scale": 2.0},
            ),
            Sample(
                (rand(2, 3, 4), np.array([[0, 1, 2, 1], [2, 2, 0, 1]], "float32")),
                {"multi_output": True, "normalization": "batch"},
            ),
            Sample((rand(4, 3), np.array([1, 0, 1, 2], "float32")), {"smooth_alpha": 0.1}),
        ],
        doc="Softmax whose backward pass is the cross-entropy gradient for ``label`` (MXNet's legacy output "
        "layer): (softmax - one_hot(label)) * grad_scale, normalised as asked; the incoming gradient is ignored "
        "unless out_grad=True.",
    )
)
