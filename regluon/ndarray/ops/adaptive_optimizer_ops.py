"""Adaptive optimizer update operators (Adam, RMSProp, FTML, Ftrl) with MXNet's rules; LAMB and AdamW
are in ``lamb_ops``.

As in ``optimizer_ops``, every rule is one kernel on lists of tensors built from
``torch._foreach_*``; the single-tensor op and the multi-tensor op call the same kernel. States
(means, variances, ...) are updated in place; the weight too when ``out=weight``.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Float, FloatTuple, Int, Param
from ..register import OpDef, Sample, register
from ._common import rand
from ._update_check import guarded
from .optimizer_ops import clipped, f32, scalars, scratch, targets

_LR = Param("lr", Float(), None, "Learning rate.", required=True)
_WD = Param("wd", Float(), 0.0, "Weight decay.")
_RESCALE = Param("rescale_grad", Float(), 1.0, "Multiply the gradient by this first.")
_CLIP = Param("clip_gradient", Float(), -1.0, "Clip the gradient to [-c, c]; negative: no clipping.")
_BETA1 = Param("beta1", Float(), 0.9, "Decay rate of the first moment.")
_BETA2 = Param("beta2", Float(), 0.999, "Decay rate of the second moment.")


def _addcdiv_(targets, num, den, values) -> None:
    v = scalars(values)
    if isinstance(v, list):
        torch._foreach_addcdiv_(targets, num, den, v)
    else:
        torch._foreach_addcdiv_(targets, num, den, value=v)


def _moments(means, variances, g, beta1, beta2) -> None:
    beta1, beta2 = f32(beta1), f32(beta2)
    torch._foreach_mul_(means, beta1)
    torch._foreach_add_(means, g, alpha=1.0 - beta1)
    torch._foreach_mul_(variances, beta2)
    torch._foreach_addcmul_(variances, g, g, value=1.0 - beta2)


def adam_kernel(
    weights, grads, means, variances, lrs, wds, beta1, beta2, epsilon, rescale_grad, clip_gradient
):
    """MXNet's Adam step on lists (bias correction is the caller's, folded into ``lrs``)::

    g = clip(rescale*grad + wd*w); m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2
    w -= lr * m / (sqrt(v) + epsilon)
    """
    g = clipped(grads, rescale_grad, clip_gradient, weights, wds, out=scratch(weights))
    _moments(means, variances, g, beta1, beta2)
    den = g  # g's buffer takes sqrt(v) + epsilon
    for d, v in zip(den, variances):
        torch.sqrt(v, out=d)
    torch._foreach_add_(den, epsilon)
    _addcdiv_(weights, means, den, [-lr for lr in lrs])


def _target(weight, out):
    return out if out is weight else weight.clone()


def _adam_update(
    weight,
    grad,
    mean,
    var,
    lr,
    beta1,
    beta2,
    epsilon,
    wd,
    rescale_grad,
    clip_gradient,
    lazy_update,
    _out=None,
):
    w = _target(weight, _out)
    adam_kernel([w], [grad], [mean], [var], [lr], [wd], beta1, beta2, epsilon, rescale_grad, clip_gradient)
    return w


def _multi_adam_update(
    *data, lrs, wds, beta1, beta2, epsilon, rescale_grad, clip_gradient, num_weights, _out=None
):
    weights = targets(data[0::4], _out)
    n = len(weights)
    adam_kernel(
        weights,
        list(data[1::4]),
        list(data[2::4]),
        list(data[3::4]),
        list(lrs)[:n],
        list(wds)[:n],
        beta1,
        beta2,
        epsilon,
        rescale_grad,
        clip_gradient,
    )
    return tuple(weights)


def _rmsprop_update(
    weight, grad, n, lr, gamma1, epsilon, wd, rescale_grad, clip_gradient, clip_weights, _out=None
):
    w = _target(weight, _out)
    g = clipped([grad], rescale_grad, clip_gradient, [w], [wd])[0]
    gamma1 = f32(gamma1)
    n.mul_(gamma1).addcmul_(g, g, value=1.0 - gamma1)
    w.addcdiv_(g, torch.sqrt(n + epsilon), value=-lr)
    if clip_weights >= 0:
        w.clamp_(-clip_weights, clip_weights)
    return w


def _rmspropalex_update(
    weight,
    grad,
    n,
    g_avg,
    delta,
    lr,
    gamma1,
    gamma2,
    epsilon,
    wd,
    rescale_grad,
    clip_gradient,
    clip_weights,
    _out=None,
):
    w = _target(weight, _out)
    g = clipped([grad], rescale_grad, clip_gradient, [w], [wd])[0]
    gamma1 = f32(gamma1)
    n.mul_(gamma1).addcmul_(g, g, value=1.0 - gamma1)
    g_avg.mul_(gamma1).add_(g, alpha=1.0 - gamma1)
    den = torch.addcmul(n, g_avg, g_avg, value=-1.0).add_(epsilon).sqrt_()
    delta.mul_(gamma2).addcdiv_(g, den, value=-lr)
    w.add_(delta)
    if clip_weights >= 0:
        w.clamp_(-clip_weights, clip_weights)
    return w


def _ftml_update(weight, grad, d, v, z, lr, beta1, beta2, epsilon, t, wd, rescale_grad, clip_grad, _out=None):
    w = _target(weight, _out)
    g = clipped([grad], rescale_grad, clip_grad, [w], [wd])[0]
    # MXNet's FTML kernel holds beta1/beta2 in the weight's dtype (float16 rounds 0.999 to 0.99902)
    beta1, beta2 = (torch.tensor(b, dtype=w.dtype).item() for b in (beta1, beta2))
    v.mul_(beta2).addcmul_(g, g, value=1.0 - beta2)
    d_t = torch.sqrt(v / (1.0 - beta2**t)).add_(epsilon).mul_((1.0 - beta1**t) / lr)
    sigma = d_t - beta1 * d
    z.mul_(beta1).add_(g, alpha=1.0 - beta1).sub_(sigma * w)
    d.copy_(d_t)
    torch.div(z, d_t, out=w).neg_()
    return w


def _ftrl_update(weight, grad, z, n, lr, lamda1, beta, wd, rescale_grad, clip_gradient, _out=None):
    w = _target(weight, _out)
    g = clipped([grad], rescale_grad, clip_gradient)[0]
    n_new = torch.addcmul(n, g, g)
    z.add_(g).sub_((torch.sqrt(n_new) - torch.sqrt(n)) * w / lr)
    n.copy_(n_new)
    shrunk = (torch.sign(z) * lamda1 - z) / ((beta + torch.sqrt(n)) / lr + wd)
    w.copy_(torch.where(torch.abs(z) > lamda1, shrunk, torch.zeros_like(shrunk)))
    return w


def _group_adagrad_update(weight, grad, history, lr, rescale_grad, clip_gradient, epsilon, _out=None):
    rows = weight.shape[0] if weight.dim() else 1
    if history.numel() != rows or history.dim() not in (1, 2) or history.shape[0] != rows:
        raise MXNetError(
            f"group_adagrad_update: history must hold one value per row of the weight, shape ({rows}, 1) "
            f"or ({rows},), got {shape_str(history.shape)} for a weight of shape {shape_str(weight.shape)}"
        )
    w = _target(weight, _out)
    g = clipped([grad], rescale_grad, clip_gradient)[0]
    flat = g.reshape(rows, -1)
    history.add_(flat.square().mean(dim=1).view(history.shape))
    scale = torch.sqrt(history.reshape(rows) + epsilon).view((rows,) + (1,) * (g.dim() - 1))
    w.sub_(g.div_(scale).mul_(lr))
    return w


# ---------------------------------------------------------------------------------------------
# NumPy references (MXNet's documented formulas; MXNet's own values come from the goldens)


def _clip(g, c):
    return np.clip(g, -c, c) if c >= 0 else g


def _adam_ref(
    w,
    g,
    m,
    v,
    lr,
    beta1=0.9,
    beta2=0.999,
    epsilon=1e-8,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    lazy_update=True,
):
    beta1, beta2 = f32(beta1), f32(beta2)  # MXNet's float32 hyper-parameters
    g = _clip(rescale_grad * g + wd * w, clip_gradient)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * m / (np.sqrt(v) + epsilon)


def _multi_adam_ref(*data, lrs, wds, num_weights=None, **kw):
    return [_adam_ref(*data[4 * i : 4 * i + 4], lrs[i], wd=wds[i], **kw) for i in range(len(data) // 4)]


def _rmsprop_ref(
    w, g, n, lr, gamma1=0.95, epsilon=1e-8, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, clip_weights=-1.0
):
    gamma1 = f32(gamma1)  # MXNet's float32 hyper-parameters
    g = _clip(rescale_grad * g + wd * w, clip_gradient)
    n = (1 - gamma1) * g * g + gamma1 * n
    return _clip(w - lr * g / np.sqrt(n + epsilon), clip_weights)


def _rmspropalex_ref(
    w,
    g,
    n,
    gb,
    d,
    lr,
    gamma1=0.95,
    gamma2=0.9,
    epsilon=1e-8,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    clip_weights=-1.0,
):
    gamma1 = f32(gamma1)  # MXNet's float32 hyper-parameters
    g = _clip(rescale_grad * g + wd * w, clip_gradient)
    n = (1 - gamma1) * g * g + gamma1 * n
    gb = (1 - gamma1) * g + gamma1 * gb
    d = gamma2 * d - lr * g / np.sqrt(n - gb * gb + epsilon)
    return _clip(w + d, clip_weights)


def _ftml_ref(
    w, g, d, v, z, lr, t, beta1=0.6, beta2=0.999, epsilon=1e-8, wd=0.0, rescale_grad=1.0, clip_grad=-1.0
):
    beta1, beta2 = f32(beta1), f32(beta2)  # MXNet's float32 hyper-parameters
    g = _clip(rescale_grad * g + wd * w, clip_grad)
    v = beta2 * v + (1 - beta2) * g * g
    d_t = (1 - beta1**t) / lr * (np.sqrt(v / (1 - beta2**t)) + epsilon)
    z = beta1 * z + (1 - beta1) * g - (d_t - beta1 * d) * w
    return -z / d_t


def _ftrl_ref(w, g, z, n, lr, lamda1=0.01, beta=1.0, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0):
    g = _clip(rescale_grad * g, clip_gradient)
    z = z + g - (np.sqrt(n + g * g) - np.sqrt(n)) * w / lr
    n = n + g * g
    return (np.abs(z) > lamda1) * (np.sign(z) * lamda1 - z) / ((beta + np.sqrt(n)) / lr + wd)


def _group_adagrad_ref(w, g, h, lr, rescale_grad=1.0, clip_gradient=-1.0, epsilon=1e-5):
    g = _clip(rescale_grad * g, clip_gradient)
    h = h + (g * g).reshape(len(g), -1).mean(axis=1).reshape(h.shape)
    return w - g / np.sqrt(h.reshape((-1,) + (1,) * (g.ndim - 1)) + epsilon) * lr


# ---------------------------------------------------------------------------------------------
# the table


def _pos(*shape, seed=0):
    return rand(*shape, low=0.1, high=1.0, seed=seed)


def _half(*shape, seed=0):
    return rand(*shape, seed=seed).astype(np.float16)


def _op(name, impl, inputs, params, ref, samples, doc, layout=(), tail=(), **kw):
    if layout or "weight" in inputs:  # MXNet's shape and dtype rules before anything is written
        impl = guarded(name, impl, inputs, layout, tail)
    register(
        OpDef(
            name,
            impl=impl,
            inputs=inputs,
            params=params,
            takes_out=True,
            differentiable=False,
            ref=ref,
            samples=samples,
            doc=doc,
            **kw,
        )
    )


_WGMV = (rand(2, 3), rand(2, 3, seed=1), rand(2, 3, seed=2), _pos(2, 3, seed=3))

_op(
    "adam_update",
    _adam_update,
    ("weight", "grad", "mean", "var"),
    (
        _LR,
        _BETA1,
        _BETA2,
        Param("epsilon", Float(), 1e-8),
        _WD,
        _RESCALE,
        _CLIP,
        Param("lazy_update", Bool(), True, "Accepted for compatibility (dense arrays only)."),
    ),
    _adam_ref,
    lambda: [
        Sample(_WGMV, {"lr": 0.1, "wd": 0.3, "rescale_grad": 0.5, "epsilon": 1e-3}),
        Sample(_WGMV, {"lr": 0.05, "beta1": 0.8, "beta2": 0.9, "clip_gradient": 0.3, "wd": 0.1}),
    ],
    "One Adam step, MXNet's rule (no bias correction here: the Adam optimizer folds it into ``lr``): "
    "``g = clip(rescale_grad*grad + wd*weight)``, ``mean = beta1*mean + (1-beta1)*g``, "
    "``var = beta2*var + (1-beta2)*g^2``, ``weight -= lr * mean / (sqrt(var) + epsilon)``.",
    errors=lambda: [
        (
            (*_WGMV[:3], _pos(2, 4, seed=3)),
            {"lr": 0.1},
            r"adam_update: var has shape \(2, 4\) but the weight has shape \(2, 3\)",
        ),
        (
            (_WGMV[0].astype(np.int32), *_WGMV[1:]),
            {"lr": 0.1},
            r"adam_update: weight must be a floating-point array .* got int32 \(2, 3\)",
        ),
    ],
)
_op(
    "_multi_adam_update",
    _multi_adam_update,
    ("data",),
    (
        Param("lrs", FloatTuple(), None, "Learning rate of each weight.", required=True),
        Param("wds", FloatTuple(), None, "Weight decay of each weight.", required=True),
        _BETA1,
        _BETA2,
        Param("epsilon", Float(), 1e-8),
        _RESCALE,
        _CLIP,
        Param("num_weights", Int(), 1, "How many weights are given."),
    ),
    _multi_adam_ref,
    lambda: [
        Sample(
            (*_WGMV, rand(4), rand(4, seed=1), rand(4, seed=2), _pos(4)),
            {"lrs": (0.1, 0.2), "wds": (0.0, 0.1), "rescale_grad": 0.5, "num_weights": 2},
        )
    ],
    "adam_update for several weights in one multi-tensor call (regluon's; MXNet 1.9.1 has no such "
    "op); the inputs are interleaved (weight, grad, mean, var) per weight.",
    variadic=True,
    layout=("weight", "grad", "mean", "var"),
    no_golden="regluon-only multi-tensor form of adam_update (MXNet has none); checked against its NumPy "
    "reference and, through the Adam optimizer, against MXNet's adam_update trajectories",
)
_op(
    "rmsprop_update",
    _rmsprop_update,
    ("weight", "grad", "n"),
    (
        _LR,
        Param("gamma1", Float(), 0.95, "Decay rate of the squared-gradient average."),
        Param("epsilon", Float(), 1e-8),
        _WD,
        _RESCALE,
        _CLIP,
        Param("clip_weights", Float(), -1.0, "Clip the weights to [-c, c]; negative: no clipping."),
    ),
    _rmsprop_ref,
    lambda: [
        Sample(_WGMV[:2] + _WGMV[3:], {"lr": 0.1, "wd": 0.3, "rescale_grad": 0.5, "clip_weights": 0.9}),
        Sample(_WGMV[:2] + _WGMV[3:], {"lr": 0.1, "clip_gradient": 0.3, "epsilon": 1e-3}),
    ],
    "RMSProp (Tieleman & Hinton): ``g = clip(rescale_grad*grad + wd*weight)``, "
    "``n = (1-gamma1)*g^2 + gamma1*n``, ``weight -= lr * g / sqrt(n + epsilon)``, then clip_weights.",
)
_op(
    "rmspropalex_update",
    _rmspropalex_update,
    ("weight", "grad", "n", "g", "delta"),
    (
        _LR,
        Param("gamma1", Float(), 0.95, "Decay rate of the gradient averages."),
        Param("gamma2", Float(), 0.9, "Momentum of the step."),
        Param("epsilon", Float(), 1e-8),
        _WD,
        _RESCALE,
        _CLIP,
        Param("clip_weights", Float(), -1.0, "Clip the weights to [-c, c]; negative: no clipping."),
    ),
    _rmspropalex_ref,
    lambda: [
        Sample(
            (
                rand(2, 3),
                rand(2, 3, seed=1),
                _pos(2, 3, seed=3) + 0.5,
                rand(2, 3, low=-0.1, high=0.1, seed=4),
                rand(2, 3, seed=5),
            ),
            {"lr": 0.1, "wd": 0.3, "rescale_grad": 0.5, "clip_weights": 0.9},
        ),
    ],
    "Centered RMSProp (Graves 2013): ``n = (1-gamma1)*g^2 + gamma1*n``, ``g_avg = (1-gamma1)*g + gamma1*g_avg``, "
    "``delta = gamma2*delta - lr * g / sqrt(n - g_avg^2 + epsilon)``, ``weight += delta``.",
    errors=lambda: [
        (
            (rand(2, 3), rand(2, 3, seed=1), _pos(2, 3, seed=2), rand(3, seed=3), rand(2, 3, seed=4)),
            {"lr": 0.1},
            r"rmspropalex_update: g has shape \(3,\) but the weight has shape \(2, 3\)",
        )
    ],
)
_op(
    "ftml_update",
    _ftml_update,
    ("weight", "grad", "d", "v", "z"),
    (
        _LR,
        Param("beta1", Float(), 0.6),
        _BETA2,
        Param("epsilon", Float(), 1e-8),
        Param("t", Int(), None, "Number of this update (1, 2, ...).", required=True),
        _WD,
        _RESCALE,
        Param("clip_grad", Float(), -1.0, "Clip the gradient to [-c, c]; negative: no clipping."),
    ),
    _ftml_ref,
    lambda: [
        Sample(
            (rand(2, 3), rand(2, 3, seed=1), _pos(2, 3, seed=2), _pos(2, 3, seed=3), rand(2, 3, seed=4)),
            {"lr": 0.1, "t": 3, "wd": 0.3, "rescale_grad": 0.5, "clip_grad": 0.4},
        ),
    ],
    "FTML (Zheng & Kwok 2017): ``g = clip(rescale_grad*grad + wd*weight)``, ``v = beta2*v + (1-beta2)*g^2``, "
    "``d_t = (1-beta1^t)/lr * (sqrt(v/(1-beta2^t)) + epsilon)``, "
    "``z = beta1*z + (1-beta1)*g - (d_t - beta1*d)*weight``, ``d = d_t``, ``weight = -z / d_t``.",
    errors=lambda: [
        (
            (rand(2, 3), rand(2, 3, seed=1), _pos(2, 3, seed=2), _pos(2, 3, seed=3), rand(1, 2, 3, seed=4)),
            {"lr": 0.1, "t": 1},
            r"ftml_update: z has shape \(1, 2, 3\) but the weight has shape \(2, 3\)",
        )
    ],
)
_op(
    "ftrl_update",
    _ftrl_update,
    ("weight", "grad", "z", "n"),
    (
        _LR,
        Param("lamda1", Float(), 0.01, "L1 regularisation."),
        Param("beta", Float(), 1.0),
        _WD,
        _RESCALE,
        _CLIP,
    ),
    _ftrl_ref,
    lambda: [
        Sample(
            (rand(2, 3), rand(2, 3, seed=1), rand(2, 3, seed=2), _pos(2, 3, seed=3)),
            {"lr": 0.1, "lamda1": 0.5, "beta": 1.5, "wd": 0.3, "rescale_grad": 0.5, "clip_gradient": 0.4},
        ),
    ],
    "FTRL-proximal: ``z += g - (sqrt(n + g^2) - sqrt(n)) * weight / lr``, ``n += g^2``, "
    "``weight = (|z| > lamda1) * (sign(z)*lamda1 - z) / ((beta + sqrt(n))/lr + wd)``, "
    "with ``g = clip(rescale_grad*grad)``.",
)
_op(
    "_contrib_group_adagrad_update",
    _group_adagrad_update,
    ("weight", "grad", "history"),
    (
        _LR,
        _RESCALE,
        _CLIP,
        Param("epsilon", Float(), 1e-5, "Added to the history under the square root."),
    ),
    _group_adagrad_ref,
    lambda: [
        Sample((rand(3, 4), rand(3, 4, seed=1), _pos(3, 1, seed=2)), {"lr": 0.1, "rescale_grad": 0.5}),
        Sample((rand(3, 2, 2), rand(3, 2, 2, seed=1), _pos(3, seed=2)), {"lr": 0.2, "clip_gradient": 0.3}),
    ],
    "AdaGrad with one accumulated value per row (``history`` has one entry per row): "
    "``g = clip(rescale_grad*grad)``, ``history += mean(g^2 over the row)``, "
    "``weight -= g / sqrt(history + epsilon) * lr``. Rows whose gradient is zero do not move, so a "
    "row-sparse gradient updates only its rows, as in MXNet.",
    aliases=("contrib.group_adagrad_update",),
    errors=lambda: [
        (
            (rand(3, 4), rand(3, 4), rand(2, 1)),
            {"lr": 0.1},
            r"group_adagrad_update: history must hold one value",
        ),
    ],
    no_golden="MXNet 1.9.1 has no CPU kernel for a dense gradient and needs out=weight with a row-sparse one; "
    "tests/test_optimizer.py checks it against MXNet's row-sparse trajectories (optimizer_cases.npz)",
)
