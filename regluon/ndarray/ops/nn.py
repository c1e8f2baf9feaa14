"""Neural-network operators: FullyConnected, Activation, softmax."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as tF

from ...base import MXNetError, shape_str
from ..params import Bool, Enum, Float, Int, Optional, Param
from ..register import OpDef, Sample, register
from ._common import rand


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


def _softmax(fn):
    """Softmax in MXNet's formula (shift by the max, exponentiate, divide by the sum)."""

    def impl(data, axis, temperature, dtype=None, use_length=False):
        x = data if temperature in (None, 1.0) else data / temperature
        return fn(x, dim=axis)

    return impl


def _softmax_ref(x, axis=-1, temperature=None):
    z = x / (temperature or 1.0)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_SOFTMAX_PARAMS = (
    Param("axis", Int(), -1, "Axis to normalise over."),
    Param("temperature", Optional(Float()), None, "Divide the input by this first."),
)

register(
    OpDef(
        "softmax",
        impl=_softmax(_softmax_t),
        params=_SOFTMAX_PARAMS,
        ref=_softmax_ref,
        samples=lambda: [Sample((rand(2, 3),)), Sample((rand(2, 3),), {"axis": 0, "temperature": 2.0})],
        method="softmax",
        doc="Softmax: exp(x) / sum(exp(x)) along an axis.",
    )
)

register(
    OpDef(
        "log_softmax",
        impl=_softmax(_log_softmax_t),
        params=_SOFTMAX_PARAMS,
        ref=lambda x, axis=-1, temperature=None: np.log(_softmax_ref(x, axis, temperature)),
        samples=lambda: [Sample((rand(2, 3),)), Sample((rand(2, 3),), {"axis": 0})],
        method="log_softmax",
        doc="Logarithm of softmax along an axis, computed stably.",
    )
)
