"""SGD-family optimizer update operators with MXNet's update rules, written once with ``torch._foreach_*``.

Each single-tensor op (``sgd_update``) and its multi-tensor forms (``multi_sgd_update``,
``preloaded_multi_sgd_update``, the ``mp_`` mixed-precision variants) share one kernel working on
lists of tensors. Passing ``out=weight`` (as MXNet's optimizers do) updates the weight in place;
without ``out`` the weight is left alone and a new array is returned, while optimizer states
(momentum, float32 master weights) are always updated in place, as in MXNet.

The adaptive rules (Adam, RMSProp, FTML, Ftrl) are in ``adaptive_optimizer_ops``, LAMB and AdamW in
``lamb_ops``.
"""

from __future__ import annotations

import threading

import numpy as np
import torch

from ...base import MXNetError
from ..params import Bool, Float, FloatTuple, Int, Optional, Param
from ..register import OpDef, Sample, register
from ._common import rand
from ._update_check import guarded

_COMMON = (
    Param("wd", Float(), 0.0, "Weight decay, added to the gradient as wd * weight."),
    Param("rescale_grad", Float(), 1.0, "Multiply the gradient by this first."),
    Param("clip_gradient", Float(), -1.0, "Clip the rescaled gradient to [-c, c]; negative: no clipping."),
)
_LR = Param("lr", Float(), None, "Learning rate.", required=True)
_LAZY = Param("lazy_update", Bool(), True, "Accepted for compatibility (dense arrays only).")
_MOMENTUM = Param("momentum", Float(), 0.0, "Momentum factor.")
_NUM_WEIGHTS = Param("num_weights", Optional(Int()), None, "How many weights are given.")


def f32(x: float) -> float:
    """A hyper-parameter as MXNet's operators hold it: rounded to float32 (so ``1 - beta`` is what MXNet
    computes, e.g. ``1 - 0.999`` is 0.00099998713, not 0.001)."""
    return float(np.float32(x))


def scalars(values: list):
    """One scalar when all values agree (the cheaper foreach overload), else the list."""
    first = values[0]
    for v in values:
        if v != first:
            return list(values)
    return first


class _Scratch(threading.local):
    """Per-thread temporaries of the update kernels, kept between calls: a fresh CPU tensor of tens of
    megabytes costs a page fault per 4 KiB page when first written, as much as a whole arithmetic pass
    over it, so the CPU kernels reuse one flat buffer per (slot, dtype, device) and hand out views."""

    def __init__(self):
        self.flat: dict = {}
        self.views: dict = {}


_SCRATCH = _Scratch()


def scratch(like, slot: int = 0, dtype=None) -> list:
    """Temporaries shaped like the tensors ``like`` (in ``dtype``, default theirs), valid until the next
    ``scratch`` call with the same ``slot`` on this thread; never hand them out as results. On CPU they
    are views into a buffer kept between calls; elsewhere (where torch's caching allocator makes
    allocations cheap) they are new tensors.

    Example:
        >>> den = scratch(variances, slot=1)   # then torch.sqrt(v, out=d) for each pair
    """
    dtype = dtype or like[0].dtype
    device = like[0].device
    if device.type != "cpu":
        return [torch.empty(t.shape, dtype=dtype, device=device) for t in like]
    shapes = tuple(t.shape for t in like)
    key = (slot, dtype, device)
    views = _SCRATCH.views.get((key, shapes))
    if views is not None:
        return views
    sizes = [t.numel() for t in like]
    flat = _SCRATCH.flat.get(key)
    if flat is None or flat.numel() < sum(sizes):
        flat = _SCRATCH.flat[key] = torch.empty(sum(sizes), dtype=dtype, device=device)
        _SCRATCH.views = {k: v for k, v in _SCRATCH.views.items() if k[0] != key}
    if len(_SCRATCH.views) > 32:  # many different groups: forget the views, keep the buffers
        _SCRATCH.views.clear()
    views = [v.view(s) for v, s in zip(torch.split(flat[: sum(sizes)], sizes), shapes)]
    _SCRATCH.views[(key, shapes)] = views
    return views


def add_decay(targets, weights, wds) -> None:
    """``targets += wd * weights`` in place, one kernel per group of equal ``wd`` (no temporaries)."""
    groups: dict = {}
    for k, wd in enumerate(wds):
        if wd:
            groups.setdefault(wd, []).append(k)
    for wd, ks in groups.items():
        torch._foreach_add_([targets[k] for k in ks], [weights[k] for k in ks], alpha=wd)


def clipped(grads, rescale_grad: float, clip_gradient: float, weights=None, wds=None, out=None):
    """``clip(rescale_grad * grad [+ wd * weight])`` as new tensors, or written into the tensors ``out``
    (e.g. :func:`scratch` ones); weight decay, when given, joins before clipping (Adam, RMSProp, FTML
    do that; the SGD family adds it after)."""
    if out is None:
        g = torch._foreach_mul(grads, rescale_grad)
    else:
        g = out
        for o, x in zip(out, grads):
            if x.dtype == o.dtype:
                torch.mul(x, rescale_grad, out=o)
            else:  # a float16 gradient for a float32 master weight: widen first, as MXNet does
                o.copy_(x).mul_(rescale_grad)
    if wds is not None:
        add_decay(g, weights, wds)
    if clip_gradient >= 0:
        torch._foreach_clamp_min_(g, -clip_gradient)
        torch._foreach_clamp_max_(g, clip_gradient)
    return g


def _step(grads, lrs, rescale_grad, clip_gradient):
    """-lr * clip(rescale_grad * grad) as new tensors, rounded in MXNet's order, one allocation."""
    if rescale_grad == 1.0 and clip_gradient < 0:
        return torch._foreach_mul(grads, scalars([-lr for lr in lrs]))
    g = clipped(grads, rescale_grad, clip_gradient)
    torch._foreach_mul_(g, scalars([-lr for lr in lrs]))
    return g


def _groups(lrs, wds) -> list[tuple[float, float, list[int]]]:
    """Positions grouped by their (lr, wd) pair, so each group runs with plain scalar arguments."""
    groups: dict = {}
    for k, key in enumerate(zip(lrs, wds)):
        groups.setdefault(key, []).append(k)
    return [(lr, wd, ks) for (lr, wd), ks in groups.items()]


def sgd_kernel(weights, grads, moms, lrs, wds, momentum, rescale_grad, clip_gradient, fused=False):
    """MXNet's SGD rule on lists of tensors (in place on ``weights`` and ``moms``).

    Without momentum:  w = (1 - lr*wd) * w - lr * clip(rescale*g)
    With momentum:     m = momentum*m - lr*wd*w - lr*clip(rescale*g);  w = w + m

    The single-weight ops round every product in MXNet's order (bit for bit where the hardware
    rounds the same way). ``fused=True`` (the multi-tensor ops, which Trainer uses) without
    clipping gives each group of weights sharing (lr, wd) three or four in-place multi-tensor
    kernels and no temporary; folding the scalar products moves results by at most an ulp.
    """
    if fused and clip_gradient < 0:
        for lr, wd, ks in _groups(lrs, wds):
            ws, gs = [weights[k] for k in ks], [grads[k] for k in ks]
            if moms is None:
                if wd:
                    torch._foreach_mul_(ws, 1.0 - lr * wd)
                torch._foreach_add_(ws, gs, alpha=-lr * rescale_grad)
                continue
            ms = [moms[k] for k in ks]
            torch._foreach_mul_(ms, momentum)
            if wd:
                torch._foreach_add_(ms, ws, alpha=-lr * wd)
            torch._foreach_add_(ms, gs, alpha=-lr * rescale_grad)
            torch._foreach_add_(ws, ms)
        return
    step = _step(grads, lrs, rescale_grad, clip_gradient)
    if moms is None:
        if any(wds):
            torch._foreach_mul_(weights, scalars([1.0 - lr * wd for lr, wd in zip(lrs, wds)]))
        torch._foreach_add_(weights, step)
        return
    torch._foreach_mul_(moms, momentum)
    torch._foreach_add_(moms, step)
    if any(wds):
        torch._foreach_add_(
            moms, torch._foreach_mul(weights, scalars([-lr * wd for lr, wd in zip(lrs, wds)]))
        )
    torch._foreach_add_(weights, moms)


def nag_kernel(weights, grads, moms, lrs, wds, momentum, rescale_grad, clip_gradient, reread=True):
    """MXNet's Nesterov rule on lists of tensors (in place)::

        step = -lr * (clip(rescale*g) + wd*w)
        w    = w + momentum * (momentum*m + step) + step
        m    = momentum*m - lr * (clip(rescale*g) + wd*w)

    MXNet's kernel writes the weight before it updates the momentum, so when the weight is
    updated in place (``out=weight``, what its optimizer does) the momentum sees the new weight:
    ``reread=True`` reproduces that.
    """
    g = clipped(grads, rescale_grad, clip_gradient)
    neg = scalars([-lr for lr in lrs])
    decay = scalars([-lr * wd for lr, wd in zip(lrs, wds)]) if any(wds) else None
    step = torch._foreach_mul(g, neg)
    if decay is not None:
        torch._foreach_add_(step, torch._foreach_mul(weights, decay))
    ahead = torch._foreach_mul(moms, momentum)
    torch._foreach_add_(ahead, step)
    torch._foreach_mul_(ahead, momentum)
    torch._foreach_add_(ahead, step)
    torch._foreach_add_(weights, ahead)
    if reread and decay is not None:
        torch._foreach_mul_(g, neg)
        torch._foreach_add_(g, torch._foreach_mul(weights, decay))
        step = g
    torch._foreach_mul_(moms, momentum)
    torch._foreach_add_(moms, step)


def _target(weight, out):
    return out if out is weight else weight.clone()


def targets(weights, out) -> list:
    """The tensors a multi-tensor op updates: the weights themselves with ``out=weights`` (what the
    optimizers pass), else ``out`` (or new tensors) holding a copy of them, the inputs left alone."""
    if out is None:
        return [w.clone() for w in weights]
    return [o if o is w else o.copy_(w) for o, w in zip(out, weights)]


def _cast_into(weights, masters, out):
    """Copy float32 master weights into the (float16) weights, or into new arrays without ``out``."""
    if out is None:
        return [m.to(w.dtype) for w, m in zip(weights, masters)]
    targets = list(out) if isinstance(out, (list, tuple)) else [out]
    for t, m in zip(targets, masters):
        t.copy_(m)
    return targets


def _sgd_update(weight, grad, lr, wd, rescale_grad, clip_gradient, lazy_update, _out=None):
    w = _target(weight, _out)
    sgd_kernel([w], [grad], None, [lr], [wd], 0.0, rescale_grad, clip_gradient)
    return w


def _sgd_mom_update(weight, grad, mom, lr, momentum, wd, rescale_grad, clip_gradient, lazy_update, _out=None):
    w = _target(weight, _out)
    sgd_kernel([w], [grad], [mom], [lr], [wd], momentum, rescale_grad, clip_gradient)
    return w


def check_master(op: str, weight32) -> None:
    """Mixed-precision ops keep their master copy in float32, as MXNet requires."""
    if weight32.dtype != torch.float32:
        raise MXNetError(f"{op}: weight32 must be float32, got {str(weight32.dtype)[6:]}")


def _mp_sgd_update(weight, grad, weight32, lr, wd, rescale_grad, clip_gradient, lazy_update, _out=None):
    check_master("mp_sgd_update", weight32)
    sgd_kernel([weight32], [grad.float()], None, [lr], [wd], 0.0, rescale_grad, clip_gradient)
    return _cast_into([weight], [weight32], _out)[0]


def _mp_sgd_mom_update(
    weight, grad, mom, weight32, lr, momentum, wd, rescale_grad, clip_gradient, lazy_update, _out=None
):
    check_master("mp_sgd_mom_update", weight32)
    sgd_kernel([weight32], [grad.float()], [mom], [lr], [wd], momentum, rescale_grad, clip_gradient)
    return _cast_into([weight], [weight32], _out)[0]


def _nag_mom_update(weight, grad, mom, lr, momentum, wd, rescale_grad, clip_gradient, _out=None):
    w = _target(weight, _out)
    nag_kernel([w], [grad], [mom], [lr], [wd], momentum, rescale_grad, clip_gradient, reread=w is weight)
    return w


def _mp_nag_mom_update(weight, grad, mom, weight32, lr, momentum, wd, rescale_grad, clip_gradient, _out=None):
    check_master("mp_nag_mom_update", weight32)
    nag_kernel([weight32], [grad.float()], [mom], [lr], [wd], momentum, rescale_grad, clip_gradient)
    return _cast_into([weight], [weight32], _out)[0]


def _signsgd_update(weight, grad, lr, wd, rescale_grad, clip_gradient, _out=None):
    w = _target(weight, _out)
    if wd:
        w.mul_(1.0 - lr * wd)
    w.sub_(torch.sign(grad), alpha=lr)
    return w


def _signum_update(weight, grad, mom, lr, momentum, wd, rescale_grad, clip_gradient, wd_lh, _out=None):
    w = _target(weight, _out)
    g = clipped([grad], rescale_grad, clip_gradient)[0]
    if wd:
        g.add_(w, alpha=wd)
    momentum = f32(momentum)
    mom.mul_(momentum).sub_(g, alpha=1.0 - momentum)
    if wd_lh:
        w.mul_(1.0 - lr * wd_lh)
    w.add_(torch.sign(mom), alpha=lr)
    return w


# ---------------------------------------------------------------------------------------------
# NumPy references (the formulas as MXNet documents them; checked against MXNet 1.9.1 by the goldens)


def _clip(g, c):
    return np.clip(g, -c, c) if c >= 0 else g


def _sgd_ref(w, g, lr, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, lazy_update=True):
    return (1 - lr * wd) * w - lr * _clip(rescale_grad * g, clip_gradient)


def _sgd_mom_ref(w, g, m, lr, momentum=0.0, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, lazy_update=True):
    m = momentum * m - lr * wd * w - lr * _clip(rescale_grad * g, clip_gradient)
    return w + m


def _mp_sgd_ref(w, g, w32, lr, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, lazy_update=True):
    return _sgd_ref(w32, g.astype(np.float32), lr, wd, rescale_grad, clip_gradient).astype(w.dtype)


def _mp_sgd_mom_ref(
    w, g, m, w32, lr, momentum=0.0, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, lazy_update=True
):
    return _sgd_mom_ref(w32, g.astype(np.float32), m, lr, momentum, wd, rescale_grad, clip_gradient).astype(
        w.dtype
    )


def _nag_ref(w, g, m, lr, momentum=0.0, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0):
    g = _clip(rescale_grad * g, clip_gradient) + wd * w
    return w + momentum * (momentum * m - lr * g) - lr * g


def _mp_nag_ref(w, g, m, w32, lr, momentum=0.0, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0):
    return _nag_ref(w32, g.astype(np.float32), m, lr, momentum, wd, rescale_grad, clip_gradient).astype(
        w.dtype
    )


def _signsgd_ref(w, g, lr, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0):
    return (1 - lr * wd) * w - lr * np.sign(g)


def _signum_ref(w, g, m, lr, momentum=0.0, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, wd_lh=0.0):
    m = momentum * m - (1 - momentum) * (wd * w + _clip(rescale_grad * g, clip_gradient))
    return (1 - lr * wd_lh) * w + lr * np.sign(m)


def _half(*shape, seed=0):
    return rand(*shape, seed=seed).astype(np.float16)


#: why the multi-tensor ops have no generic MXNet goldens
MULTI_NO_GOLDEN = (
    "MXNet 1.9.1 runs its multi-tensor update ops only with out= (without it they fail), which the generic "
    "golden generator does not pass; tests/test_optimizer.py checks them against MXNet through the optimizers "
    "that use them (tests/golden/optimizer_cases.npz)"
)


def _op(name, impl, inputs, params, ref, samples, doc, layout=(), tail=(), **kw):
    if layout or "weight" in inputs:  # an update: MXNet's shape and dtype rules before anything is written
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


_op(
    "sgd_update",
    _sgd_update,
    ("weight", "grad"),
    (_LR, *_COMMON, _LAZY),
    _sgd_ref,
    lambda: [
        Sample((rand(2, 3), rand(2, 3, seed=1)), {"lr": 0.1, "wd": 0.01, "rescale_grad": 0.5}),
        Sample((rand(4), rand(4, seed=1)), {"lr": 0.2, "clip_gradient": 0.3}),
    ],
    "One SGD step: ``weight = (1 - lr*wd) * weight - lr * clip(rescale_grad * grad)``.",
)
_op(
    "sgd_mom_update",
    _sgd_mom_update,
    ("weight", "grad", "mom"),
    (_LR, _MOMENTUM, *_COMMON, _LAZY),
    _sgd_mom_ref,
    lambda: [
        Sample(
            (rand(2, 3), rand(2, 3, seed=1), rand(2, 3, seed=2)),
            {"lr": 0.1, "momentum": 0.9, "wd": 0.01, "rescale_grad": 0.5},
        ),
        Sample(
            (rand(4), rand(4, seed=1), rand(4, seed=2)), {"lr": 0.2, "momentum": 0.5, "clip_gradient": 0.3}
        ),
    ],
    "One SGD step with momentum, MXNet's rule (the learning rate lives inside the momentum):\n"
    "``mom = momentum*mom - lr*wd*weight - lr*clip(rescale_grad*grad); weight += mom``.",
    errors=lambda: [
        # MXNet infers one shape and dtype for every array of an update; nothing is written on failure
        (
            (rand(2, 3), rand(2, 3, seed=1), rand(3, 3, seed=2)),
            {"lr": 0.1, "momentum": 0.9},
            r"sgd_mom_update: mom has shape \(3, 3\) but the weight has shape \(2, 3\)",
        ),
        (
            (rand(2, 3), rand(2, 3, seed=1).astype(np.int32), rand(2, 3, seed=2)),
            {"lr": 0.1, "momentum": 0.9},
            r"sgd_mom_update: grad has dtype int32 but the weight has float32",
        ),
    ],
)
_op(
    "mp_sgd_update",
    _mp_sgd_update,
    ("weight", "grad", "weight32"),
    (_LR, *_COMMON, _LAZY),
    _mp_sgd_ref,
    lambda: [
        Sample(
            (_half(2, 3), _half(2, 3, seed=1), rand(2, 3)),
            {"lr": 0.1, "wd": 0.01, "rescale_grad": 0.5, "clip_gradient": 0.4},
        ),
    ],
    "sgd_update on the float32 master copy ``weight32`` (updated in place); the result is that "
    "copy cast to the dtype of ``weight`` (float16 training with float32 accumulation).",
)
_op(
    "mp_sgd_mom_update",
    _mp_sgd_mom_update,
    ("weight", "grad", "mom", "weight32"),
    (_LR, _MOMENTUM, *_COMMON, _LAZY),
    _mp_sgd_mom_ref,
    lambda: [
        Sample(
            (_half(2, 3), _half(2, 3, seed=1), rand(2, 3, seed=2), rand(2, 3)),
            {"lr": 0.1, "momentum": 0.9, "wd": 0.01, "rescale_grad": 0.5},
        ),
    ],
    "sgd_mom_update on the float32 master copy ``weight32``; returns it cast to the weight's dtype.",
    errors=lambda: [
        (
            (_half(2, 3), _half(2, 3, seed=1), _half(2, 3, seed=2), rand(2, 3)),
            {"lr": 0.1, "momentum": 0.9},
            r"mp_sgd_mom_update: mom must be float32, got float16 \(2, 3\)",
        ),
        (
            (_half(2, 3), _half(2, 3, seed=1), rand(2, 3, seed=2), rand(2, 3)[None]),
            {"lr": 0.1},
            r"mp_sgd_mom_update: weight32 has shape \(1, 2, 3\) but the weight has shape \(2, 3\)",
        ),
    ],
)
_op(
    "nag_mom_update",
    _nag_mom_update,
    ("weight", "grad", "mom"),
    (_LR, _MOMENTUM, *_COMMON),
    _nag_ref,
    lambda: [
        Sample(
            (rand(2, 3), rand(2, 3, seed=1), rand(2, 3, seed=2)),
            {"lr": 0.1, "momentum": 0.9, "wd": 0.05, "rescale_grad": 0.5},
        ),
        Sample(
            (rand(4), rand(4, seed=1), rand(4, seed=2)), {"lr": 0.2, "momentum": 0.5, "clip_gradient": 0.3}
        ),
    ],
    "One Nesterov momentum step, MXNet's rule: with ``step = -lr*(clip(rescale_grad*grad) + wd*weight)``, "
    "``weight += momentum*(momentum*mom + step) + step`` and ``mom = momentum*mom + step`` (with "
    "``out=weight`` the momentum's weight-decay term reads the updated weight, as in MXNet).",
)
_op(
    "mp_nag_mom_update",
    _mp_nag_mom_update,
    ("weight", "grad", "mom", "weight32"),
    (_LR, _MOMENTUM, *_COMMON),
    _mp_nag_ref,
    lambda: [
        Sample(
            (_half(2, 3), _half(2, 3, seed=1), rand(2, 3, seed=2), rand(2, 3)),
            {"lr": 0.1, "momentum": 0.9, "wd": 0.05, "rescale_grad": 0.5},
        ),
    ],
    "nag_mom_update on the float32 master copy ``weight32``; returns it cast to the weight's dtype.",
)
_op(
    "signsgd_update",
    _signsgd_update,
    ("weight", "grad"),
    (_LR, *_COMMON),
    _signsgd_ref,
    lambda: [Sample((rand(2, 3), rand(2, 3, seed=1)), {"lr": 0.1, "wd": 0.05})],
    "SignSGD: ``weight = (1 - lr*wd) * weight - lr * sign(grad)``.",
)
_op(
    "signum_update",
    _signum_update,
    ("weight", "grad", "mom"),
    (_LR, _MOMENTUM, *_COMMON, Param("wd_lh", Float(), 0.0, "Decoupled weight decay (Loshchilov & Hutter).")),
    _signum_ref,
    lambda: [
        Sample(
            (rand(2, 3), rand(2, 3, seed=1), rand(2, 3, seed=2)),
            {
                "lr": 0.1,
                "momentum": 0.9,
                "wd": 0.05,
                "rescale_grad": 0.5,
                "clip_gradient": 0.4,
                "wd_lh": 0.01,
            },
        )
    ],
    "Signum: ``mom = momentum*mom - (1-momentum)*(wd*weight + clip(rescale_grad*grad))``, "
    "``weight = (1 - lr*wd_lh)*weight + lr*sign(mom)``.",
    errors=lambda: [
        (
            (rand(2, 3), rand(2, 3, seed=1), rand(2, 4, seed=2)),
            {"lr": 0.1, "momentum": 0.9},
            r"signum_update: mom has shape \(2, 4\) but the weight has shape \(2, 3\)",
        )
    ],
)


# ---------------------------------------------------------------------------------------------
# multi-tensor forms: interleaved inputs per weight; ``preloaded_`` takes lrs and wds as arrays


def _multi(group: int, mom: bool, mp: bool, preloaded: bool):
    def impl(*data, momentum=0.0, rescale_grad, clip_gradient, num_weights, lrs=None, wds=None, _out=None):
        if preloaded:
            data, lrs, wds = data[:-2], data[-2].tolist(), data[-1].tolist()
        n = len(data) // group
        weights = list(data[0::group])
        grads = list(data[1::group])
        moms = list(data[2::group]) if mom else None
        lrs, wds = list(lrs)[:n], list(wds)[:n]
        if mp:
            masters = list(data[group - 1 :: group])
            for m in masters:
                check_master("multi_mp_sgd_update", m)
            grads = [g.float() for g in grads]
            sgd_kernel(masters, grads, moms, lrs, wds, momentum, rescale_grad, clip_gradient, fused=True)
            return tuple(_cast_into(weights, masters, _out))
        weights = targets(weights, _out)
        sgd_kernel(weights, grads, moms, lrs, wds, momentum, rescale_grad, clip_gradient, fused=True)
        return tuple(weights)

    return impl


def _multi_ref(group: int, mom: bool, mp: bool, preloaded: bool):
    def ref(*data, momentum=0.0, rescale_grad=1.0, clip_gradient=-1.0, num_weights=None, lrs=None, wds=None):
        if preloaded:
            data, lrs, wds = data[:-2], data[-2], data[-1]
        out = []
        for i in range(len(data) // group):
            w, g = data[i * group], data[i * group + 1]
            base = data[i * group + group - 1] if mp else w
            g = g.astype(base.dtype)
            if mom:
                new = _sgd_mom_ref(
                    base, g, data[i * group + 2], lrs[i], momentum, wds[i], rescale_grad, clip_gradient
                )
            else:
                new = _sgd_ref(base, g, lrs[i], wds[i], rescale_grad, clip_gradient)
            out.append(new.astype(w.dtype))
        return out

    return ref


def _multi_samples(group: int, mom: bool, mp: bool, preloaded: bool):
    def samples():
        data = []
        for i, shape in enumerate(((2, 3), (4,))):
            w = _half(*shape, seed=i) if mp else rand(*shape, seed=i)
            g = _half(*shape, seed=i + 5) if mp else rand(*shape, seed=i + 5)
            data += [w, g]
            if mom:
                data.append(rand(*shape, seed=i + 9))
            if mp:
                data.append(rand(*shape, seed=i))
        params = {"rescale_grad": 0.5, "clip_gradient": 0.6, "num_weights": 2}
        if mom:
            params["momentum"] = 0.9
        lrs, wds = (0.1, 0.2), (0.01, 0.0)
        if preloaded:
            data += [np.array(lrs, np.float32), np.array(wds, np.float32)]
        else:
            params.update(lrs=lrs, wds=wds)
        return [Sample(tuple(data), params)]

    return samples


def _multi_errors(name: str, group: int, mom: bool, mp: bool, preloaded: bool):
    """A second weight whose gradient has another shape: refused before the first weight is touched."""

    def errors():
        sample = _multi_samples(group, mom, mp, preloaded)()[0]
        data = list(sample.inputs)
        data[group + 1] = data[group + 1][:3]
        return [
            (
                tuple(data),
                sample.params,
                rf"{name}: grad of weight 1 has shape \(3,\) but the weight has shape \(4,\)",
            )
        ]

    return errors


for _mom in (False, True):
    for _mp in (False, True):
        for _pre in (False, True):
            _group = 2 + _mom + _mp
            _name = f"{'preloaded_' if _pre else ''}multi_{'mp_' if _mp else ''}sgd_{'mom_' if _mom else ''}update"
            _layout = ", ".join(["weight", "grad"] + ["mom"] * _mom + ["weight32"] * _mp)
            _op(
                _name,
                _multi(_group, _mom, _mp, _pre),
                ("data",),
                (
                    *(
                        ()
                        if _pre
                        else (
                            Param("lrs", FloatTuple(), None, "Learning rate of each weight.", required=True),
                        )
                    ),
                    *(
                        ()
                        if _pre
                        else (
                            Param("wds", FloatTuple(), None, "Weight decay of each weight.", required=True),
                        )
                    ),
                    *((_MOMENTUM,) if _mom else ()),
                    Param("rescale_grad", Float(), 1.0),
                    Param("clip_gradient", Float(), -1.0),
                    _NUM_WEIGHTS,
                ),
                _multi_ref(_group, _mom, _mp, _pre),
                _multi_samples(_group, _mom, _mp, _pre),
                f"{'mixed-precision ' if _mp else ''}SGD{' with momentum' if _mom else ''} for several weights in "
                f"one call; the inputs are interleaved ({_layout}) per weight"
                + (", followed by two arrays: the learning rates and the weight decays." if _pre else "."),
                variadic=True,
                no_golden=MULTI_NO_GOLDEN,
                layout=("weight", "grad") + ("mom",) * _mom + ("weight32",) * _mp,
                tail=("lrs", "wds") if _pre else (),
                errors=_multi_errors(_name, _group, _mom, _mp, _pre),
            )


# ---------------------------------------------------------------------------------------------
# LARS (multi_sum_sq, which LARS also uses, is in misc)


def _multi_lars(lrs, weights_sum_sq, grads_sum_sq, wds, eta, eps, rescale_grad, _out=None):
    for t in (lrs, weights_sum_sq, grads_sum_sq, wds):
        if t.dtype != torch.float32:
            raise MXNetError(f"multi_lars: MXNet supports float32 inputs only, got {str(t.dtype)[6:]}")
    w_norm = torch.sqrt(weights_sum_sq)
    g_norm = torch.sqrt(grads_sum_sq) * rescale_grad
    trust = lrs * eta * w_norm / (g_norm + wds * w_norm + eps)
    return torch.where((w_norm > 0) & (g_norm > 0), trust, lrs)


def _multi_lars_ref(lrs, wss, gss, wds, eta, eps, rescale_grad=1.0):
    wn, gn = np.sqrt(wss), np.sqrt(gss) * rescale_grad
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((wn > 0) & (gn > 0), lrs * eta * wn / (gn + wds * wn + eps), lrs)


_op(
    "multi_lars",
    _multi_lars,
    ("lrs", "weights_sum_sq", "grads_sum_sq", "wds"),
    (
        Param("eta", Float(), None, "LARS trust coefficient.", required=True),
        Param("eps", Float(), None, "Added to the denominator.", required=True),
        Param("rescale_grad", Float(), 1.0, "Gradient scale (applies to the gradient norm)."),
    ),
    _multi_lars_ref,
    lambda: [
        Sample(
            (
                np.array([0.1, 0.2, 0.3], np.float32),
                np.array([4.0, 0.0, 9.0], np.float32),
                np.array([1.0, 2.0, 0.5], np.float32),
                np.array([0.1, 0.2, 0.0], np.float32),
            ),
            {"eta": 0.01, "eps": 1e-3, "rescale_grad": 0.5},
        )
    ],
    "Layer-wise learning rates: ``lr * eta * |w| / (|g| * rescale_grad + wd*|w| + eps)`` from the "
    "squared norms, or ``lr`` where either norm is zero.",
)
