"""``IdentityAttachKLSparseReg``: identity forward; the backward adds a KL sparseness penalty.

Meant to follow a sigmoid in sparse auto-encoders. ``moving_avg`` (one value per column of the 2-d
``data``, an auxiliary state in MXNet) is updated in place by each backward pass, before it is used:
``moving_avg = momentum * moving_avg + (1 - momentum) * data.mean(axis=0)``; then the gradient is
``head_grad + penalty * (-sparseness_target / moving_avg + (1 - sparseness_target) / (1 - moving_avg))``,
the same for every row. As in MXNet 1.9.1, the backward pass exists for 2-d data only.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Float, Param
from ..register import OpDef, Sample, register
from ._common import rand


class _KLSparseReg(torch.autograd.Function):
    @staticmethod
    def forward(ctx, data, moving_avg, target, penalty, momentum):
        ctx.data = data.detach()
        ctx.state = moving_avg  # updated in place by the backward pass
        ctx.cfg = (target, penalty, momentum)
        return data.clone()

    @staticmethod
    def backward(ctx, grad):
        data, avg = ctx.data, ctx.state
        target, penalty, momentum = ctx.cfg
        if data.dim() != 2:
            raise MXNetError(
                f"IdentityAttachKLSparseReg: MXNet computes the gradient for 2-d data only, got {shape_str(data.shape)}"
            )
        with torch.no_grad():
            avg.mul_(momentum).add_(data.mean(0).to(avg.dtype), alpha=1 - momentum)
            reg = penalty * (-target / avg + (1 - target) / (1 - avg))
        return grad + reg.to(grad.dtype), None, None, None, None


def _kl_sparse_reg(data, moving_avg, sparseness_target, penalty, momentum):
    if data.dim() < 2 or tuple(moving_avg.shape) != (data.shape[1],):
        raise MXNetError(
            f"IdentityAttachKLSparseReg: moving_avg {shape_str(moving_avg.shape)} must have one value per "
            f"column of data {shape_str(data.shape)} (shape (data.shape[1],))"
        )
    return _KLSparseReg.apply(data, moving_avg, sparseness_target, penalty, momentum)


register(
    OpDef(
        "IdentityAttachKLSparseReg",
        impl=_kl_sparse_reg,
        inputs=("data", "moving_avg"),
        no_grad_inputs=("moving_avg",),
        params=(
            Param("sparseness_target", Float(), 0.1, "The mean activation the penalty pulls towards."),
            Param("penalty", Float(), 0.001, "Weight of the sparseness penalty."),
            Param("momentum", Float(), 0.9, "Momentum of the moving average of the activations."),
        ),
        ref=lambda x, moving_avg, sparseness_target=0.1, penalty=0.001, momentum=0.9: x.copy(),
        samples=lambda: [
            Sample(
                (rand(3, 4, low=0.05, high=0.95), np.array([0.5, 0.3, 0.2, 0.1], np.float32)),
                numeric_grad=False,
            ),
            Sample(
                (rand(2, 3, low=0.1, high=0.9, seed=1), np.full(3, 0.3, np.float32)),
                {"sparseness_target": 0.2, "penalty": 0.01, "momentum": 0.5},
                numeric_grad=False,
            ),
        ],
        errors=lambda: [
            (
                (rand(3, 4), np.zeros(3, np.float32)),
                {},
                r"IdentityAttachKLSparseReg: moving_avg \(3,\) must have",
            ),
        ],
        # MXNet's nd binding has no argument for the moving_avg auxiliary state, so the table's golden
        # generator cannot call it: tools/gen_ops_more_golden.py runs it through MXNet's symbol executor.
        no_golden="moving_avg is an auxiliary state MXNet's nd function cannot take; see tests/test_ops_more.py",
        doc="Identity whose backward pass adds a KL-divergence sparseness penalty on the mean activation of "
        "each column, tracked in moving_avg (updated in place by backward).\n\n"
        "Example:\n    >>> avg = mx.nd.full((4,), 0.1)\n"
        "    >>> y = mx.nd.IdentityAttachKLSparseReg(mx.nd.sigmoid(x), avg, penalty=0.001)",
    )
)
