"""``SVMOutput``: a support-vector-machine output layer (forward identity, backward the hinge-loss gradient).

The last axis of ``data`` holds the class scores and ``label`` (the shape of ``data`` without its
last axis) the class of each row, truncated to an integer (a class outside ``[0, classes)`` marks no
score as the true one). Like MXNet's other output layers the backward pass ignores the head gradient
and gives, for score ``s`` of a row with margin ``m`` and coefficient ``c``:

* the true class: ``-c * 2 * (m - s)`` where ``m > s`` (L2-SVM, the default), ``-c`` there with
  ``use_linear=True`` (L1-SVM); 0 elsewhere;
* the other classes: ``c * 2 * (s + m)`` where ``m > -s`` (L2), ``c`` there (L1); 0 elsewhere.

The label gets a zero gradient.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Float, Param
from ..register import OpDef, Sample, register
from ._common import rand


def _svm_grad(scores, label, margin, coef, linear):
    """The SVMOutput gradient for 2-d ``scores`` (rows x classes) and 1-d ``label``."""
    cls = torch.arange(scores.shape[1], device=scores.device)
    true = label.trunc().to(torch.int64)[:, None] == cls
    if linear:
        own = -(margin > scores).to(scores.dtype) * coef
        other = (margin > -scores).to(scores.dtype) * coef
    else:
        own = torch.where(margin > scores, 2 * (margin - scores), 0.0) * -coef
        other = torch.where(margin > -scores, -2 * (-scores - margin), 0.0) * coef
    return torch.where(true, own, other)


class _SVMOutput(torch.autograd.Function):
    @staticmethod
    def forward(ctx, data, label, margin, coef, linear):
        ctx.save_for_backward(data, label)
        ctx.cfg = (margin, coef, linear)
        return data.clone()

    @staticmethod
    def backward(ctx, _grad):
        data, label = ctx.saved_tensors
        flat = data.reshape(-1, data.shape[-1])
        grad = _svm_grad(flat, label.reshape(-1), *ctx.cfg).reshape(data.shape)
        return grad, torch.zeros_like(label), None, None, None


def _svm_output(data, label, margin, regularization_coefficient, use_linear):
    if data.dim() < 2 or tuple(label.shape) != tuple(data.shape[:-1]):
        raise MXNetError(
            f"SVMOutput: label {shape_str(label.shape)} must have the shape of data {shape_str(data.shape)} "
            "without its last (class) axis, and data at least 2 axes"
        )
    if label.dtype != data.dtype or not data.is_floating_point():
        raise MXNetError(
            f"SVMOutput: data and label must be floating point of one dtype, got {str(data.dtype)[6:]} and "
            f"{str(label.dtype)[6:]}"
        )
    return _SVMOutput.apply(data, label, margin, regularization_coefficient, use_linear)


def _samples():
    edge = np.array([[1.0, -1.0, 0.5, 0.2], [0.3, 2.0, -0.9, -1.0]], np.float32)  # scores on the margins
    return [
        Sample((rand(3, 4), np.array([0, 2, 3], np.float32)), numeric_grad=False),
        Sample(
            (rand(3, 4, seed=1), np.array([1, 0, 3], np.float32)), {"use_linear": True}, numeric_grad=False
        ),
        Sample(
            (rand(2, 5, seed=2), np.array([4, 1], np.float32)),
            {"margin": 0.5, "regularization_coefficient": 2.0},
            numeric_grad=False,
        ),
        Sample(
            (rand(2, 3, seed=3), np.array([1.7, -0.5], np.float32)),  # truncated to 1 and 0
            {"use_linear": "1", "margin": "2", "regularization_coefficient": "0.5"},
            numeric_grad=False,
        ),
        Sample((rand(2, 3, seed=4), np.array([5, -1], np.float32)), numeric_grad=False),  # no true class
        Sample((rand(2, 3, 4, seed=5), np.array([[0, 1, 3], [2, 2, 0]], np.float32)), numeric_grad=False),
        Sample((edge, np.array([0, 1], np.float32)), numeric_grad=False),
        Sample((edge, np.array([0, 1], np.float32)), {"use_linear": True}, numeric_grad=False),
    ]


register(
    OpDef(
        "SVMOutput",
        impl=_svm_output,
        inputs=("data", "label"),
        params=(
            Param("margin", Float(), 1.0, "Scores within this margin of the wrong side are penalised."),
            Param("regularization_coefficient", Float(), 1.0, "Scale of the gradient."),
            Param(
                "use_linear", Bool(), False, "L1-SVM (hinge) gradient instead of the L2-SVM (squared hinge)."
            ),
        ),
        ref=lambda x, label, margin=1.0, regularization_coefficient=1.0, use_linear=False: x.copy(),
        samples=_samples,
        errors=lambda: [
            (
                (rand(2, 3), np.array([1, 0, 1], np.float32)),
                {},
                r"SVMOutput: label \(3,\) must have the shape",
            ),
            (
                (rand(2, 3, 2), np.array([0, 1], np.float32)),
                {},
                r"SVMOutput: label \(2,\) must have the shape",
            ),
            ((rand(3), np.array([1], np.float32)), {}, r"SVMOutput: label \(1,\) must have the shape"),
            (
                (rand(2, 3), np.array([1, 0], np.int32)),
                {},
                r"SVMOutput: data and label must be floating point",
            ),
        ],
        doc="Support vector machine output layer: returns data unchanged; its backward pass gives the "
        "(L2- or, with use_linear, L1-) SVM loss gradient against label, ignoring the head gradient.\n\n"
        "Example:\n    >>> y = mx.nd.SVMOutput(scores, label, margin=1.0)",
    )
)
