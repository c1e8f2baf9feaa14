"""Output and loss layers: LinearRegressionOutput, LogisticRegressionOutput, MAERegressionOutput, MakeLoss,
make_loss and softmax_cross_entropy. The regression outputs and MakeLoss have MXNet's loss gradients in
their backward pass, whatever the head gradient."""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Enum, Float, Param
from ..register import OpDef, Sample, register
from ._common import rand


# ------------------------------------------------------------------ regression outputs and MakeLoss
class _RegressionOutput(torch.autograd.Function):
    """Forward: identity (or sigmoid); backward: grad_scale * (out - label) / outputs per sample (or its sign),
    whatever the head gradient, as MXNet's *RegressionOutput layers do. The label gets no gradient."""

    @staticmethod
    def forward(ctx, data, label, kind, grad_scale):
        out = torch.sigmoid(data) if kind == "logistic" else data.clone()
        ctx.save_for_backward(out, label)
        ctx.cfg = (kind, grad_scale)
        return out

    @staticmethod
    def backward(ctx, _grad):
        out, label = ctx.saved_tensors
        kind, scale = ctx.cfg
        diff = out - label.reshape(out.shape)
        if kind == "mae":
            diff = torch.sign(diff)
        per_sample = out.numel() // out.shape[0] if out.dim() and out.shape[0] else 1
        return diff * (scale / per_sample), torch.zeros_like(label), None, None


def _regression(kind: str, op: str):
    def impl(data, label, grad_scale):
        if label.numel() != data.numel():
            raise MXNetError(
                f"{op}: label {shape_str(label.shape)} must have as many elements as data {shape_str(data.shape)}"
            )
        return _RegressionOutput.apply(data, label, kind, grad_scale)

    return impl


_REGRESSION_REFS = {
    "linear": lambda x, label, grad_scale=1.0: x.copy(),
    "logistic": lambda x, label, grad_scale=1.0: (1 / (1 + np.exp(-x))).astype(x.dtype),
    "mae": lambda x, label, grad_scale=1.0: x.copy(),
}

for _kind, _op in (
    ("linear", "LinearRegressionOutput"),
    ("logistic", "LogisticRegressionOutput"),
    ("mae", "MAERegressionOutput"),
):
    register(
        OpDef(
            _op,
            impl=_regression(_kind, _op),
            inputs=("data", "label"),
            params=(Param("grad_scale", Float(), 1.0, "Scale of the gradient."),),
            ref=_REGRESSION_REFS[_kind],
            # the backward is MXNet's loss gradient, not the derivative of the forward: golden-checked
            samples=lambda: [
                Sample((rand(2, 3), rand(2, 3, seed=1)), numeric_grad=False),
                Sample((rand(4, 1), rand(4, seed=2)), {"grad_scale": 2.0}, numeric_grad=False),
            ],
            errors=lambda _o=_op: [
                ((rand(2, 3), rand(2, 2)), {}, rf"{_o}: label \(2, 2\) must have as many")
            ],
            doc=f"{_op}: the output layer of a regression; the forward pass gives "
            + ("sigmoid(data)" if _kind == "logistic" else "data")
            + ", the backward pass the gradient of the "
            + ("absolute" if _kind == "mae" else "squared" if _kind == "linear" else "logistic")
            + " loss against label, scaled by grad_scale / (outputs per sample).",
        )
    )


class _MakeLoss(torch.autograd.Function):
    """Forward: identity; backward: a constant gradient (MakeLoss / make_loss ignore the head gradient)."""

    @staticmethod
    def forward(ctx, data, scale):
        ctx.cfg = (scale, data.shape, data.dtype)
        return data.clone()

    @staticmethod
    def backward(ctx, _grad):
        scale, shape, dtype = ctx.cfg
        return torch.full(shape, scale, dtype=dtype, device=_grad.device), None


def _make_loss_v1(data, grad_scale, valid_thresh, normalization):
    scale = grad_scale
    if normalization == "batch" and data.dim():
        scale /= data.shape[0]
    elif normalization == "valid":
        scale /= max(int((data > valid_thresh).sum()), 1)
    return _MakeLoss.apply(data, scale)


register(
    OpDef(
        "MakeLoss",
        impl=_make_loss_v1,
        params=(
            Param("grad_scale", Float(), 1.0, "The gradient every element gets."),
            Param("valid_thresh", Float(), 0.0, "With normalization='valid': elements above it count."),
            Param(
                "normalization", Enum("null", "batch", "valid"), "null", "Divide the gradient by this count."
            ),
        ),
        ref=lambda x, grad_scale=1.0, valid_thresh=0.0, normalization="null": x.copy(),
        samples=lambda: [
            Sample((rand(2, 3),), numeric_grad=False),
            Sample((rand(2, 3),), {"grad_scale": 2.0, "normalization": "batch"}, numeric_grad=False),
            Sample((rand(2, 3),), {"normalization": "valid", "valid_thresh": 0.5}, numeric_grad=False),
        ],
        doc="Mark data as a loss: the forward pass is the identity, the backward pass gives every element "
        "grad_scale (divided by the batch size or the count of elements above valid_thresh).",
    )
)
register(
    OpDef(
        "make_loss",
        impl=lambda data: _MakeLoss.apply(data, 1.0),
        ref=lambda x: x.copy(),
        samples=lambda: [Sample((rand(2, 3),), numeric_grad=False)],
        doc="Mark data as a loss: identity forward, a gradient of ones backward.",
    )
)


# ------------------------------------------------------------------------------- softmax_cross_entropy
def _softmax_cross_entropy(data, label):
    if data.dim() != 2 or label.shape != (data.shape[0],):
        raise MXNetError(
            f"softmax_cross_entropy: data must be (batch, classes) and label (batch,); got data "
            f"{shape_str(data.shape)} and label {shape_str(label.shape)}"
        )
    idx = label.detach().to(torch.long).clamp(0, data.shape[1] - 1)
    logp = torch.log_softmax(data, dim=1)
    return -logp.gather(1, idx[:, None]).sum().reshape(1)


def _softmax_cross_entropy_ref(x, label):
    z = x - x.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return np.array([-logp[np.arange(len(x)), label.astype(np.int64)].sum()], dtype=x.dtype)


register(
    OpDef(
        "softmax_cross_entropy",
        impl=_softmax_cross_entropy,
        inputs=("data", "label"),
        no_grad_inputs=("label",),
        ref=_softmax_cross_entropy_ref,
        samples=lambda: [
            Sample((rand(3, 4), np.array([0, 3, 1], "float32"))),
            Sample((rand(2, 2, seed=1), np.array([1, 1], "float32"))),
        ],
        errors=lambda: [
            (
                (rand(2, 3), np.array([0, 1, 2], "float32")),
                {},
                r"softmax_cross_entropy: data must be \(batch, classes\) and label \(batch,\); got data \(2, 3\)",
            )
        ],
        doc="The cross-entropy of softmax(data) against integer class labels, summed over the batch: "
        "shape (1,).\n\nExample: ``nd.softmax_cross_entropy(scores, labels)``",
    )
)
