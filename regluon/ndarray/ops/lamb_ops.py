"""LAMB and AdamW update operators with MXNet 1.9.1's rules (``lamb_update_phase1/2``, their ``mp_``
forms, ``_multi_lamb_update`` / ``_multi_mp_lamb_update`` and ``contrib.adamw_update`` / ``mp_adamw_update``).

As everywhere in the optimizer ops, each rule is one kernel on lists of tensors built from
``torch._foreach_*``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ...base import MXNetError
from ..params import Bool, Float, FloatTuple, Int, Param, Shape
from ..register import OpDef, Sample, register
from ._common import rand
from ._update_check import guarded
from .adaptive_optimizer_ops import (
    _BETA1,
    _BETA2,
    _CLIP,
    _LR,
    _RESCALE,
    _WD,
    _WGMV,
    _clip,
    _half,
    _moments,
    _op,
    _pos,
    _target,
)
from .optimizer_ops import MULTI_NO_GOLDEN, add_decay, check_master, clipped, f32, scalars, scratch
from .optimizer_ops import targets as _targets


def adamw_kernel(
    weights,
    grads,
    means,
    variances,
    lrs,
    wds,
    etas,
    beta1,
    beta2,
    epsilon,
    rescale,
    clip_gradient,
    keep_grad,
    multi=False,
):
    """AdamW (decoupled weight decay): ``w -= eta * (lr * m / (sqrt(v) + eps) + wd * w)``. Like MXNet's
    single-weight kernel, the gradients are overwritten with ``clip(rescale * grad)`` unless ``keep_grad``
    (mixed precision, and the multi-tensor ops). MXNet's multi-tensor kernel (``multi=True``) writes
    the moments as ``m = beta1 * (m - g) + g`` and ``v = beta2 * (v - g^2) + g^2``, which rounds
    differently from the single-weight ``beta1 * m + (1 - beta1) * g``; both are reproduced."""
    g = clipped(grads, rescale, clip_gradient, out=scratch(weights))
    if not keep_grad:
        torch._foreach_copy_(grads, g)
    if multi:
        sq = torch._foreach_mul(g, g)
        for states, new, beta in ((means, g, beta1), (variances, sq, beta2)):
            torch._foreach_sub_(states, new)
            torch._foreach_mul_(states, f32(beta))
            torch._foreach_add_(states, new)
        del sq
    else:
        _moments(means, variances, g, beta1, beta2)
    den = g  # g's buffer takes sqrt(v) + epsilon
    for d, v in zip(den, variances):
        torch.sqrt(v, out=d)
    torch._foreach_add_(den, epsilon)
    upd = scratch(weights, slot=1)
    for u, m, lr in zip(upd, means, lrs):
        torch.mul(m, lr, out=u)
    torch._foreach_div_(upd, den)
    add_decay(upd, weights, wds)
    torch._foreach_mul_(upd, scalars([-e for e in etas]))
    torch._foreach_add_(weights, upd)


def _skips(rescale: float) -> bool:
    """MXNet's AdamW skips the whole update when the gradient scale is 0, NaN or Inf."""
    return rescale == 0 or not math.isfinite(rescale)


def _rescale_of(op: str, arr) -> float:
    if arr.dtype != torch.float32:
        raise MXNetError(f"{op}: rescale_grad must be a float32 array, got {str(arr.dtype)[6:]}")
    return float(arr.reshape(-1)[0])


def lamb_direction(
    weights, grads, means, variances, steps, wds, beta1, beta2, epsilon, bias_correction, rescale, clip, out
):
    """LAMB phase 1 on lists: updates the moments and writes ``m_hat / (sqrt(v_hat) + eps) + wd * w``
    into the tensors ``out`` (which also hold ``g`` meanwhile: no other temporary but one scratch)."""
    g = clipped(grads, rescale, clip, out=out)
    _moments(means, variances, g, beta1, beta2)
    beta1, beta2 = f32(beta1), f32(beta2)
    den = scratch(variances, slot=1)
    if bias_correction:
        for d, v, t in zip(den, variances, steps):
            torch.div(v, 1.0 - beta2**t, out=d)
        torch._foreach_sqrt_(den)
    else:
        for d, v in zip(den, variances):
            torch.sqrt(v, out=d)
    torch._foreach_add_(den, epsilon)
    if bias_correction:
        for u, m, t in zip(out, means, steps):
            torch.div(m, 1.0 - beta1**t, out=u)
        torch._foreach_div_(out, den)
    else:
        for u, m, d in zip(out, means, den):
            torch.div(m, d, out=u)
    add_decay(out, weights, wds)
    return out


def lamb_apply(weights, upd, r1, r2, lrs, lower_bound, upper_bound) -> None:
    """LAMB phase 2 on lists: ``w -= lr * (r1 / r2) * upd`` with ``r1`` (the weight norm) clamped to
    the bounds where they are positive, and ratio 1 where either norm is zero. ``r1``/``r2`` are
    Python floats."""
    for w, u, a, b, lr in zip(weights, upd, r1, r2, lrs):
        if lower_bound > 0:
            a = max(a, lower_bound)
        if upper_bound > 0:
            a = min(a, upper_bound)
        w.add_(u, alpha=-lr * (1.0 if a == 0 or b == 0 else a / b))


def _norms(tensors) -> list[float]:
    return torch.stack([n.float() for n in torch._foreach_norm(tensors)]).tolist()


def _lamb_phase1(
    weight, grad, mean, var, beta1, beta2, epsilon, t, bias_correction, wd, rescale_grad, clip_gradient
):
    return lamb_direction(
        [weight],
        [grad],
        [mean],
        [var],
        [t],
        [wd],
        beta1,
        beta2,
        epsilon,
        bias_correction,
        rescale_grad,
        clip_gradient,
        [torch.empty_like(weight)],
    )[0]


def _lamb_phase2(weight, g, r1, r2, lr, lower_bound, upper_bound, _out=None):
    w = _target(weight, _out)
    lamb_apply(
        [w],
        [g],
        [float(r1.reshape(-1)[0])],
        [float(r2.reshape(-1)[0])],
        [lr],
        lower_bound,
        upper_bound,
    )
    return w


def _mp_lamb_phase1(
    weight,
    grad,
    mean,
    var,
    weight32,
    beta1,
    beta2,
    epsilon,
    t,
    bias_correction,
    wd,
    rescale_grad,
    clip_gradient,
):
    check_master("mp_lamb_update_phase1", weight32)
    return lamb_direction(
        [weight32],
        [grad.float()],
        [mean],
        [var],
        [t],
        [wd],
        beta1,
        beta2,
        epsilon,
        bias_correction,
        rescale_grad,
        clip_gradient,
        [torch.empty_like(weight32)],
    )[0]


def _mp_lamb_phase2(weight, g, r1, r2, weight32, lr, lower_bound, upper_bound, _out=None):
    """MXNet 1.9.1 writes ``weight32 - lr*ratio*g`` to the output only: weight32 itself is left as it was."""
    check_master("mp_lamb_update_phase2", weight32)
    new = weight32.clone()
    lamb_apply(
        [new],
        [g],
        [float(r1.reshape(-1)[0])],
        [float(r2.reshape(-1)[0])],
        [lr],
        lower_bound,
        upper_bound,
    )
    if _out is None:
        return new.to(weight.dtype)
    _out.copy_(new)
    return _out


def _multi_lamb(mp: bool):
    group = 5 if mp else 4

    def impl(
        *data,
        learning_rates,
        wds,
        step_count,
        beta1,
        beta2,
        epsilon,
        lower_bound,
        upper_bound,
        bias_correction,
        rescale_grad,
        clip_gradient,
        num_tensors,
        _out=None,
    ):
        weights, n = list(data[0::group]), len(data) // group
        grads = list(data[1::group])
        if mp:
            targets = list(data[4::group])
            for m in targets:
                check_master("_multi_mp_lamb_update", m)
        else:
            targets = _targets(weights, _out)
        upd = lamb_direction(
            targets,
            grads,
            list(data[2::group]),
            list(data[3::group]),
            list(step_count)[:n],
            list(wds)[:n],
            beta1,
            beta2,
            epsilon,
            bias_correction,
            rescale_grad,
            clip_gradient,
            scratch(targets),
        )
        lamb_apply(
            targets, upd, _norms(targets), _norms(upd), list(learning_rates)[:n], lower_bound, upper_bound
        )
        if not mp:
            return tuple(targets)
        if _out is None:
            return tuple(m.to(w.dtype) for w, m in zip(weights, targets))
        for o, m in zip(_out, targets):
            o.copy_(m)
        return tuple(_out)

    return impl


def _adamw(mp: bool):
    def impl(weight, grad, mean, var, *rest, lr, eta, wd, beta1, beta2, epsilon, clip_gradient, _out=None):
        rescale = _rescale_of("mp_adamw_update" if mp else "adamw_update", rest[-1])
        if mp:
            check_master("_mp_adamw_update", rest[0])
            target, grad = rest[0], grad.float()
        else:
            target = _target(weight, _out)
        if not _skips(rescale):
            adamw_kernel(
                [target],
                [grad],
                [mean],
                [var],
                [lr],
                [wd],
                [eta],
                beta1,
                beta2,
                epsilon,
                rescale,
                clip_gradient,
                keep_grad=mp,
            )
        if not mp:
            return target
        if _out is None:
            return target.to(weight.dtype)
        _out.copy_(target)
        return _out

    return impl


def _multi_adamw(mp: bool):
    group = 5 if mp else 4
    name = f"_multi_{'mp_' if mp else ''}adamw_update"

    def impl(*data, lrs, wds, etas, beta1, beta2, epsilon, clip_gradient, num_weights, _out=None):
        rescale = _rescale_of(name, data[-1])
        data = data[:-1]
        n = len(data) // group
        weights = list(data[0::group])
        if mp:
            masters = list(data[4::group])
            for m in masters:
                check_master(name, m)
        else:
            masters = _targets(weights, _out)
        if not _skips(rescale):
            adamw_kernel(
                masters,
                list(data[1::group]),
                list(data[2::group]),
                list(data[3::group]),
                list(lrs)[:n],
                list(wds)[:n],
                list(etas)[:n],
                beta1,
                beta2,
                epsilon,
                rescale,
                clip_gradient,
                keep_grad=True,
                multi=True,
            )
        if not mp:
            return tuple(masters)
        if _out is None:
            return tuple(m.to(w.dtype) for w, m in zip(weights, masters))
        for o, m in zip(_out, masters):
            o.copy_(m)
        return tuple(_out)

    return impl


def _lamb1_ref(
    w,
    g,
    m,
    v,
    t,
    beta1=0.9,
    beta2=0.999,
    epsilon=1e-6,
    bias_correction=True,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
):
    beta1, beta2 = f32(beta1), f32(beta2)  # MXNet's float32 hyper-parameters
    g = _clip(rescale_grad * g, clip_gradient)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    if bias_correction:
        m, v = m / (1 - beta1**t), v / (1 - beta2**t)
    return m / (np.sqrt(v) + epsilon) + wd * w


def _lamb2_ref(w, g, r1, r2, lr, lower_bound=-1.0, upper_bound=-1.0):
    r1, r2 = float(r1.reshape(-1)[0]), float(r2.reshape(-1)[0])
    if lower_bound > 0:
        r1 = max(r1, lower_bound)
    if upper_bound > 0:
        r1 = min(r1, upper_bound)
    return w - lr * (1.0 if r1 == 0 or r2 == 0 else r1 / r2) * g


def _multi_lamb_ref(mp: bool):
    group = 5 if mp else 4

    def ref(
        *data, learning_rates, wds, step_count, lower_bound=-1.0, upper_bound=-1.0, num_tensors=None, **kw
    ):
        out = []
        for i in range(len(data) // group):
            w, g, m, v = data[group * i : group * i + 4]
            base = data[group * i + 4] if mp else w
            upd = _lamb1_ref(base, g.astype(base.dtype), m, v, step_count[i], wd=wds[i], **kw)
            r1, r2 = np.linalg.norm(base.astype(np.float64)), np.linalg.norm(upd.astype(np.float64))
            new = _lamb2_ref(
                base, upd, np.array([r1]), np.array([r2]), learning_rates[i], lower_bound, upper_bound
            )
            out.append(new.astype(w.dtype))
        return out

    return ref


def _adamw_ref(
    w,
    g,
    m,
    v,
    rescale,
    lr,
    eta,
    beta1=0.9,
    beta2=0.999,
    epsilon=1e-8,
    wd=0.0,
    clip_gradient=-1.0,
    multi=False,
):
    beta1, beta2 = f32(beta1), f32(beta2)  # MXNet's float32 hyper-parameters
    g = _clip(float(rescale.reshape(-1)[0]) * g, clip_gradient)
    if multi:  # the multi-tensor kernel's form
        m, v = beta1 * (m - g) + g, beta2 * (v - g * g) + g * g
    else:
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
    return w - eta * (lr * m / (np.sqrt(v) + epsilon) + wd * w)


def _multi_adamw_ref(mp: bool):
    group = 5 if mp else 4

    def ref(*data, lrs, wds, etas, num_weights=None, **kw):
        data, rescale = data[:-1], data[-1]
        out = []
        for i in range(len(data) // group):
            w, g, m, v = data[group * i : group * i + 4]
            base = data[group * i + 4] if mp else w
            new = _adamw_ref(
                base, g.astype(np.float32), m, v, rescale, lrs[i], etas[i], wd=wds[i], multi=True, **kw
            )
            out.append(new.astype(w.dtype))
        return out

    return ref


def _mp_ref(fn):
    def ref(w, g, *states, **kw):
        *states, w32, scale = states if fn is _adamw_ref else (*states, None)
        extra = (scale,) if fn is _adamw_ref else ()
        return fn(w32, g.astype(np.float32), *states, *extra, **kw).astype(w.dtype)

    return ref


def _mp_lamb1_ref(w, g, m, v, w32, **kw):
    return _lamb1_ref(w32, g.astype(np.float32), m, v, **kw)


def _mp_lamb2_ref(w, g, r1, r2, w32, lr, lower_bound=-1.0, upper_bound=-1.0):
    return _lamb2_ref(w32, g, r1, r2, lr, lower_bound, upper_bound).astype(w.dtype)


_PHASE1 = (
    _BETA1,
    _BETA2,
    Param("epsilon", Float(), 1e-6),
    Param("t", Int(), None, "Number of this update (1, 2, ...).", required=True),
    Param("bias_correction", Bool(), True, "Divide the moments by (1 - beta^t)."),
    Param("wd", Float(), None, "Weight decay.", required=True),
    _RESCALE,
    _CLIP,
)
_BOUNDS = (
    Param("lower_bound", Float(), -1.0, "Lower limit of the weight norm; <= 0: none."),
    Param("upper_bound", Float(), -1.0, "Upper limit of the weight norm; <= 0: none."),
)
_R = (np.array([2.0], np.float32), np.array([1.5], np.float32))

register(
    OpDef(
        "lamb_update_phase1",
        impl=guarded("lamb_update_phase1", _lamb_phase1, ("weight", "grad", "mean", "var")),
        inputs=("weight", "grad", "mean", "var"),
        params=_PHASE1,
        differentiable=False,
        ref=_lamb1_ref,
        samples=lambda: [
            Sample(_WGMV, {"t": 3, "wd": 0.3, "rescale_grad": 0.5, "clip_gradient": 0.4}),
            Sample(_WGMV, {"t": 2, "wd": 0.0, "bias_correction": False}),
        ],
        doc="LAMB, first half: updates mean and var like Adam (``g = clip(rescale_grad*grad)``) and returns the "
        "direction ``m_hat / (sqrt(v_hat) + epsilon) + wd*weight`` (``m_hat = mean/(1-beta1^t)`` when "
        "bias_correction).",
    )
)
_op(
    "lamb_update_phase2",
    _lamb_phase2,
    ("weight", "g", "r1", "r2"),
    (_LR, *_BOUNDS),
    _lamb2_ref,
    lambda: [
        Sample((rand(2, 3), rand(2, 3, seed=1), *_R), {"lr": 0.1}),
        Sample((rand(2, 3), rand(2, 3, seed=1), *_R), {"lr": 0.1, "lower_bound": 3.0}),
        Sample((rand(2, 3), rand(2, 3, seed=1), *_R), {"lr": 0.1, "upper_bound": 0.5}),
    ],
    "LAMB, second half: ``weight -= lr * (r1 / r2) * g`` where r1 (the weight norm, clamped to the "
    "bounds) and r2 (the norm of g) are 1-element arrays; the ratio is 1 when either norm is 0.",
)
register(
    OpDef(
        "mp_lamb_update_phase1",
        impl=guarded("mp_lamb_update_phase1", _mp_lamb_phase1, ("weight", "grad", "mean", "var", "weight32")),
        inputs=("weight", "grad", "mean", "var", "weight32"),
        params=_PHASE1,
        differentiable=False,
        ref=_mp_lamb1_ref,
        samples=lambda: [
            Sample((_half(2, 3), _half(2, 3, seed=1), *_WGMV[2:], rand(2, 3)), {"t": 3, "wd": 0.3})
        ],
        doc="lamb_update_phase1 on the float32 master copy ``weight32``.",
    )
)
_op(
    "mp_lamb_update_phase2",
    _mp_lamb_phase2,
    ("weight", "g", "r1", "r2", "weight32"),
    (_LR, *_BOUNDS),
    _mp_lamb2_ref,
    lambda: [Sample((_half(2, 3), rand(2, 3, seed=1), *_R, rand(2, 3)), {"lr": 0.1})],
    "lamb_update_phase2 on the float32 master copy ``weight32`` (updated in place); returns it cast to the "
    "weight's dtype.",
)

for _mp in (False, True):
    _name = f"_multi_{'mp_' if _mp else ''}lamb_update"
    _op(
        _name,
        _multi_lamb(_mp),
        ("data",),
        (
            Param("learning_rates", FloatTuple(), None, "Learning rate of each tensor.", required=True),
            Param("wds", FloatTuple(), None, "Weight decay of each tensor.", required=True),
            Param("step_count", Shape(), None, "Update count of each tensor.", required=True),
            _BETA1,
            _BETA2,
            Param("epsilon", Float(), 1e-6),
            *_BOUNDS,
            Param("bias_correction", Bool(), True),
            _RESCALE,
            _CLIP,
            Param("num_tensors", Int(), 1),
        ),
        _multi_lamb_ref(_mp),
        (
            lambda mp: (
                lambda: [
                    Sample(
                        (
                            _half(2, 3),
                            _half(2, 3, seed=1),
                            *_WGMV[2:],
                            rand(2, 3),
                            _half(4),
                            _half(4, seed=1),
                            rand(4, seed=2),
                            _pos(4),
                            rand(4),
                        )
                        if mp
                        else (*_WGMV, rand(4), rand(4, seed=1), rand(4, seed=2), _pos(4)),
                        {
                            "learning_rates": (0.1, 0.2),
                            "wds": (0.3, 0.0),
                            "step_count": (1, 3),
                            "rescale_grad": 0.5,
                            "num_tensors": 2,
                            "upper_bound": 2.0,
                        },
                    )
                ]
            )
        )(_mp),
        f"The whole LAMB step for several tensors in one call (what the LAMB optimizer uses); inputs "
        f"interleaved (weight, grad, mean, var{', weight32' if _mp else ''}) per tensor.",
        variadic=True,
        no_golden=MULTI_NO_GOLDEN,
        layout=("weight", "grad", "mean", "var") + ("weight32",) * _mp,
    )

_ADAMW = (_BETA1, _BETA2, Param("epsilon", Float(), 1e-8), _CLIP)
_op(
    "_adamw_update",
    _adamw(False),
    ("weight", "grad", "mean", "var", "rescale_grad"),
    (_LR, Param("eta", Float(), None, "Schedule multiplier of the whole step.", required=True), _WD, *_ADAMW),
    _adamw_ref,
    lambda: [
        Sample(
            (*_WGMV, np.array([0.5], np.float32)), {"lr": 0.1, "eta": 0.7, "wd": 0.3, "clip_gradient": 0.3}
        )
    ],
    "AdamW (decoupled weight decay): ``g = clip(rescale_grad*grad)``, Adam moments, "
    "``weight -= eta * (lr * mean / (sqrt(var) + epsilon) + wd * weight)``; ``rescale_grad`` is an array "
    "and a zero, NaN or Inf scale skips the update. ``nd.contrib.adamw_update`` also takes a number.",
)
_op(
    "_mp_adamw_update",
    _adamw(True),
    ("weight", "grad", "mean", "var", "weight32", "rescale_grad"),
    (_LR, Param("eta", Float(), None, "Schedule multiplier of the whole step.", required=True), _WD, *_ADAMW),
    _mp_ref(_adamw_ref),
    lambda: [
        Sample(
            (_half(2, 3), _half(2, 3, seed=1), *_WGMV[2:], rand(2, 3), np.array([0.5], np.float32)),
            {"lr": 0.1, "eta": 0.7, "wd": 0.3},
        )
    ],
    "_adamw_update on the float32 master copy ``weight32``.",
)
for _mp in (False, True):
    _op(
        f"_multi_{'mp_' if _mp else ''}adamw_update",
        _multi_adamw(_mp),
        ("data",),
        (
            Param("lrs", FloatTuple(), None, "Learning rate of each weight.", required=True),
            Param("wds", FloatTuple(), None, "Weight decay of each weight.", required=True),
            Param("etas", FloatTuple(), None, "Schedule multiplier of each weight.", required=True),
            *_ADAMW,
            Param("num_weights", Int(), 1, "How many weights are given."),
        ),
        _multi_adamw_ref(_mp),
        (
            lambda mp: (
                lambda: [
                    Sample(
                        (
                            (_half(2, 3), _half(2, 3, seed=1), *_WGMV[2:], rand(2, 3))
                            + (_half(4), _half(4, seed=1), rand(4, seed=2), _pos(4), rand(4))
                            if mp
                            else (*_WGMV, rand(4), rand(4, seed=1), rand(4, seed=2), _pos(4))
                        )
                        + (np.array([0.5], np.float32),),
                        {
                            "lrs": (0.1, 0.2),
                            "wds": (0.3, 0.0),
                            "etas": (0.7, 0.9),
                            "clip_gradient": 0.4,
                            "num_weights": 2,
                        },
                    )
                ]
            )
        )(_mp),
        f"_adamw_update for several weights in one call; inputs interleaved (weight, grad, mean, "
        f"var{', weight32' if _mp else ''}) per weight, then the rescale_grad array. The gradients are "
        f"left as they are.",
        variadic=True,
        no_golden=MULTI_NO_GOLDEN,
        layout=("weight", "grad", "mean", "var") + ("weight32",) * _mp,
        tail=("rescale_grad",),
    )
