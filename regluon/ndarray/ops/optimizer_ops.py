"""Optimizer update operators with MXNet's update rules, written once with ``torch._foreach_*``.

Each single-tensor op (``sgd_update``) and its multi-tensor form (``multi_sgd_update``) share
one multi-tensor kernel. Passing ``out=weight`` (as MXNet's optimizers do) updates the weight
in place; without ``out`` the weight is left alone and a new array is returned.
"""

from __future__ import annotations

import numpy as np
import torch

from ..params import Bool, Float, FloatTuple, Int, Optional, Param
from ..register import OpDef, Sample, register
from ._common import rand

_COMMON = (
    Param("wd", Float(), 0.0, "Weight decay, added to the gradient as wd * weight."),
    Param("rescale_grad", Float(), 1.0, "Multiply the gradient by this first."),
    Param("clip_gradient", Float(), -1.0, "Clip the rescaled gradient to [-c, c]; negative: no clipping."),
)


def _scalars(values: list):
    """One scalar when all values agree (the cheaper foreach overload), else the list."""
    first = values[0]
    return first if all(v == first for v in values) else list(values)


def _step(grads, lrs, rescale_grad, clip_gradient):
    """-lr * clip(rescale_grad * grad) as new tensors, rounded in MXNet's order, one allocation."""
    if rescale_grad == 1.0 and clip_gradient < 0:
        return torch._foreach_mul(grads, _scalars([-lr for lr in lrs]))
    g = torch._foreach_mul(grads, rescale_grad)
    if clip_gradient >= 0:
        torch._foreach_clamp_min_(g, -clip_gradient)
        torch._foreach_clamp_max_(g, clip_gradient)
    torch._foreach_mul_(g, _scalars([-lr for lr in lrs]))
    return g


def sgd_kernel(weights, grads, moms, lrs, wds, momentum, rescale_grad, clip_gradient, fused=False):
    """MXNet's SGD rule on lists of tensors (in place on ``weights`` and ``moms``).

    Without momentum:  w = (1 - lr*wd) * w - lr * clip(rescale*g)
    With momentum:     m = momentum*m - lr*wd*w - lr*clip(rescale*g);  w = w + m

    The products are rounded in MXNet's order, so results match MXNet's kernels bit for bit
    where the hardware rounds the same way. ``fused=True`` (the multi-tensor ops, which Trainer
    uses) folds ``lr * rescale_grad`` into one kernel when nothing else applies.
    """
    if moms is None and fused and clip_gradient < 0 and not any(wds) and all(lr == lrs[0] for lr in lrs):
        # one kernel: w += (-lr * rescale) * g; equal to the two-step rounding up to one ulp
        torch._foreach_add_(weights, grads, alpha=-lrs[0] * rescale_grad)
        return
    step = _step(grads, lrs, rescale_grad, clip_gradient)
    if moms is None:
        if any(wds):
            torch._foreach_mul_(weights, _scalars([1.0 - lr * wd for lr, wd in zip(lrs, wds)]))
        torch._foreach_add_(weights, step)
        return
    torch._foreach_mul_(moms, momentum)
    torch._foreach_add_(moms, step)
    if any(wds):
        torch._foreach_add_(
            moms, torch._foreach_mul(weights, _scalars([-lr * wd for lr, wd in zip(lrs, wds)]))
        )
    torch._foreach_add_(weights, moms)


def _target(weight, out):
    return out if out is weight else weight.clone()


def _sgd_update(weight, grad, lr, wd, rescale_grad, clip_gradient, lazy_update, _out=None):
    w = _target(weight, _out)
    sgd_kernel([w], [grad], None, [lr], [wd], 0.0, rescale_grad, clip_gradient)
    return w


def _sgd_mom_update(weight, grad, mom, lr, momentum, wd, rescale_grad, clip_gradient, lazy_update, _out=None):
    w = _target(weight, _out)
    sgd_kernel([w], [grad], [mom], [lr], [wd], momentum, rescale_grad, clip_gradient)
    return w


def _sgd_ref(w, g, lr, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, lazy_update=True):
    g = rescale_grad * g
    if clip_gradient >= 0:
        g = np.clip(g, -clip_gradient, clip_gradient)
    return (1 - lr * wd) * w - lr * g


def _sgd_mom_ref(w, g, m, lr, momentum=0.0, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, lazy_update=True):
    g = rescale_grad * g
    if clip_gradient >= 0:
        g = np.clip(g, -clip_gradient, clip_gradient)
    m = momentum * m - lr * wd * w - lr * g
    return w + m


_LR = Param("lr", Float(), None, "Learning rate.", required=True)
_LAZY = Param("lazy_update", Bool(), True, "Accepted for compatibility (dense arrays only).")
_MOMENTUM = Param("momentum", Float(), 0.0, "Momentum factor.")

register(
    OpDef(
        "sgd_update",
        impl=_sgd_update,
        inputs=("weight", "grad"),
        params=(_LR, *_COMMON, _LAZY),
        takes_out=True,
        differentiable=False,
        ref=_sgd_ref,
        samples=lambda: [
            Sample((rand(2, 3), rand(2, 3, seed=1)), {"lr": 0.1, "wd": 0.01, "rescale_grad": 0.5}),
            Sample((rand(4), rand(4, seed=1)), {"lr": 0.2, "clip_gradient": 0.3}),
        ],
        doc="One SGD step: ``weight = (1 - lr*wd) * weight - lr * clip(rescale_grad * grad)``.",
    )
)

register(
    OpDef(
        "sgd_mom_update",
        impl=_sgd_mom_update,
        inputs=("weight", "grad", "mom"),
        params=(_LR, _MOMENTUM, *_COMMON, _LAZY),
        takes_out=True,
        differentiable=False,
        ref=_sgd_mom_ref,
        samples=lambda: [
            Sample(
                (rand(2, 3), rand(2, 3, seed=1), rand(2, 3, seed=2)),
                {"lr": 0.1, "momentum": 0.9, "wd": 0.01, "rescale_grad": 0.5},
            ),
            Sample(
                (rand(4), rand(4, seed=1), rand(4, seed=2)),
                {"lr": 0.2, "momentum": 0.5, "clip_gradient": 0.3},
            ),
        ],
        doc="One SGD step with momentum, MXNet's rule (the learning rate lives inside the momentum):\n"
        "``mom = momentum*mom - lr*wd*weight - lr*clip(rescale_grad*grad); weight += mom``.",
    )
)


def _multi(with_mom):
    def impl(*data, lrs, wds, momentum=0.0, rescale_grad, clip_gradient, num_weights, _out=None):
        step = 3 if with_mom else 2
        n = len(data) // step
        weights = list(data[0::step])
        if _out is None:
            weights = [w.clone() for w in weights]
        else:
            weights = list(_out)
        moms = list(data[2::step]) if with_mom else None
        sgd_kernel(
            weights,
            list(data[1::step]),
            moms,
            list(lrs)[:n],
            list(wds)[:n],
            momentum,
            rescale_grad,
            clip_gradient,
            fused=True,
        )
        return tuple(weights)

    return impl


for _name, _mom in (("multi_sgd_update", False), ("multi_sgd_mom_update", True)):
    register(
        OpDef(
            _name,
            impl=_multi(_mom),
            inputs=("data",),
            variadic=True,
            params=(
                Param("lrs", FloatTuple(), None, "Learning rate of each weight.", required=True),
                Param("wds", FloatTuple(), None, "Weight decay of each weight.", required=True),
                *((_MOMENTUM,) if _mom else ()),
                Param("rescale_grad", Float(), 1.0),
                Param("clip_gradient", Float(), -1.0),
                Param("num_weights", Optional(Int()), None, "How many weights are given."),
            ),
            takes_out=True,
            differentiable=False,
            doc=f"SGD{' with momentum' if _mom else ''} for several weights in one call; the inputs are "
            f"interleaved ({'weight, grad, mom' if _mom else 'weight, grad'}) per weight.",
        )
    )
