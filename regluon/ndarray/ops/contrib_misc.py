"""Smaller ``nd.contrib`` operators: ``allclose``, ``hawkesll``, and the Python-level ``rand_zipfian`` and
``uniform`` (MXNet's ``nd.contrib.uniform`` is ``nd.random.uniform`` itself)."""

from __future__ import annotations

import math

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Float, Param
from ..register import OpDef, Sample, register
from ._common import rand


# ------------------------------------------------------------------------------------------- allclose
def _f32(v: float) -> float:
    return float(np.float32(v))  # MXNet's rtol/atol parameters are C floats


def _allclose(a, b, rtol, atol, equal_nan):
    if a.shape != b.shape or a.dtype != b.dtype:
        raise MXNetError(
            f"allclose: a {shape_str(a.shape)} {str(a.dtype)[6:]} and b {shape_str(b.shape)} {str(b.dtype)[6:]} "
            "must have the same shape and dtype"
        )
    if a.dtype is torch.bool:
        a, b = a.to(torch.uint8), b.to(torch.uint8)
    close = (a == b) | ((a - b).abs() <= _f32(atol) + _f32(rtol) * b.abs())
    if a.is_floating_point():
        nan_a, nan_b = a.isnan(), b.isnan()
        either = nan_a | nan_b
        close = torch.where(either, (nan_a & nan_b) if equal_nan else torch.zeros_like(close), close)
    return close.all().to(torch.uint8)


def _allclose_ref(a, b, rtol=1e-5, atol=1e-8, equal_nan=True):
    with np.errstate(invalid="ignore"):
        close = (a == b) | (np.abs(a - b) <= np.float32(atol) + np.float32(rtol) * np.abs(b))
    if a.dtype.kind == "f":
        both = np.isnan(a) & np.isnan(b)
        close = np.where(np.isnan(a) | np.isnan(b), both & equal_nan, close)
    return np.array(close.all(), dtype=np.uint8)


def _allclose_samples():
    x = rand(2, 3)
    return [
        Sample((x, x + 1e-6)),
        Sample((x, x + 1e-3)),
        Sample((np.array([1e10, 1e-8], np.float32), np.array([1.00001e10, 1e-9], np.float32))),
        Sample(
            (np.array([1.0, 1.1], np.float32), np.array([1.1, 1.0], np.float32)), {"rtol": 0.1, "atol": 0}
        ),
        Sample((np.array([np.nan, 1], np.float32), np.array([np.nan, 1], np.float32))),
        Sample((np.array([np.nan, 1], np.float32), np.array([np.nan, 1], np.float32)), {"equal_nan": False}),
        Sample((np.array([np.inf, -np.inf], np.float32), np.array([np.inf, np.inf], np.float32))),
        Sample((np.array([1, 2], np.int32), np.array([1, 3], np.int32)), {"atol": 1}),
        Sample((np.array([1, 2], np.int32), np.array([1, 4], np.int32)), {"atol": 1}),
    ]


register(
    OpDef(
        "_contrib_allclose",
        impl=_allclose,
        aliases=("contrib.allclose",),
        inputs=("a", "b"),
        params=(
            Param("rtol", Float(), 1e-5, "Relative tolerance (times |b|)."),
            Param("atol", Float(), 1e-8, "Absolute tolerance."),
            Param("equal_nan", Bool(), True, "NaN in both a and b at a position counts as close."),
        ),
        ref=_allclose_ref,
        samples=_allclose_samples,
        errors=lambda: [
            (
                (rand(3), rand(2)),
                {},
                r"allclose: a \(3,\) float32 and b \(2,\) float32 must have the same shape",
            ),
            ((rand(2), rand(2).astype(np.float64)), {}, r"must have the same shape and dtype"),
        ],
        differentiable=False,
        doc="1 (a 0-d uint8 array) when every |a - b| <= atol + rtol * |b|, else 0, as numpy.allclose but "
        "with NaNs equal by default.\n\nExample:\n    >>> mx.nd.contrib.allclose(mx.nd.array([1.0]), "
        "mx.nd.array([1.0 + 1e-7]))  # 1",
    )
)


# -------------------------------------------------------------------------------------------- hawkesll
def _hawkes_check(lda, alpha, beta, state, lags, marks, valid_length, max_time):
    n, k = lda.shape if lda.dim() == 2 else (-1, -1)
    t = lags.shape[1] if lags.dim() == 2 else -1
    expected = {
        "lda": (n, k), "alpha": (k,), "beta": (k,), "state": (n, k), "lags": (n, t), "marks": (n, t),
        "valid_length": (n,), "max_time": (n,),
    }  # fmt: skip
    given = dict(zip(expected, (lda, alpha, beta, state, lags, marks, valid_length, max_time)))
    bad = [
        f"{name} {shape_str(given[name].shape)}"
        for name, shp in expected.items()
        if tuple(given[name].shape) != shp
    ]
    if n < 0 or t < 0 or bad:
        raise MXNetError(
            "hawkesll: expected lda (N, K), alpha and beta (K,), state (N, K), lags and marks (N, T), "
            f"valid_length and max_time (N,); got {', '.join(f'{k} {shape_str(v.shape)}' for k, v in given.items())}"
        )
    if marks.dtype != torch.int32:
        raise MXNetError(f"hawkesll: marks must be int32, got {str(marks.dtype)[6:]}")
    floats = (lda, alpha, beta, state, lags, valid_length, max_time)
    if not lda.is_floating_point() or any(x.dtype != lda.dtype for x in floats):
        raise MXNetError(
            "hawkesll: lda, alpha, beta, state, lags, valid_length and max_time must share a float dtype"
        )
    if marks.numel() and (int(marks.min()) < 0 or int(marks.max()) >= k):
        raise MXNetError(f"hawkesll: marks must lie in [0, K={k})")
    if valid_length.numel() and (float(valid_length.min()) < 0 or float(valid_length.max()) > t):
        raise MXNetError(f"hawkesll: valid_length must lie in [0, T={t}]")


class _NoGradient(torch.autograd.Function):
    """``value`` as an output in the graph of ``anchor`` that passes no gradient back (MXNet ignores the
    head gradient of hawkesll's output state, but accepts one)."""

    @staticmethod
    def forward(ctx, value, anchor):
        return value.clone()

    @staticmethod
    def backward(ctx, grad):
        return None, None


def _hawkesll(lda, alpha, beta, state, lags, marks, valid_length, max_time):
    _hawkes_check(lda, alpha, beta, state, lags, marks, valid_length, max_time)
    dtype = lda.dtype
    wide = torch.float32 if dtype is torch.float16 else dtype
    lda, alpha, beta = lda.to(wide), alpha.to(wide), beta.to(wide)
    # MXNet gives no gradient through the state, the observations or the output state
    s = state.detach().to(wide)
    lags, vlen, tmax = lags.detach().to(wide), valid_length.detach().to(wide), max_time.detach().to(wide)
    n, k = lda.shape
    last = torch.zeros_like(s)
    now = torch.zeros(n, dtype=wide, device=lda.device)
    ll = torch.zeros(n, dtype=wide, device=lda.device)
    classes = torch.arange(k, device=lda.device)
    for j in range(lags.shape[1]):
        live = j < vlen.trunc()  # (N,)
        mark = marks[:, j].long()
        now = now + torch.where(live, lags[:, j], 0.0)
        hit = (mark[:, None] == classes) & live[:, None]  # (N, K): the process this point belongs to
        gap = now[:, None] - last
        decay = torch.exp(-beta * gap)
        intensity = lda + alpha * beta * s * decay
        compensator = lda * gap + alpha * s * (1 - decay)
        ll = ll + (torch.where(hit, torch.log(torch.where(hit, intensity, 1.0)) - compensator, 0.0)).sum(1)
        s = torch.where(hit, 1 + s * decay, s)
        last = torch.where(hit, now[:, None], last)
    gap = tmax[:, None] - last
    decay = torch.exp(-beta * gap)
    ll = ll - (lda * gap + alpha * s * (1 - decay)).sum(1)
    return ll.to(dtype), _NoGradient.apply((s * decay).detach().to(dtype), lda)


def _hawkesll_ref(lda, alpha, beta, state, lags, marks, valid_length, max_time):
    """NumPy reference: the conditional-intensity log likelihood, point by point."""
    n, k = lda.shape
    lls, states = np.zeros(n), np.zeros((n, k))
    for i in range(n):
        s, last, now = state[i].astype(np.float64), np.zeros(k), 0.0
        for j in range(int(valid_length[i])):
            c = int(marks[i, j])
            now += lags[i, j]
            gap = now - last[c]
            decay = np.exp(-beta[c] * gap)
            lls[i] += np.log(lda[i, c] + alpha[c] * beta[c] * s[c] * decay)
            lls[i] -= lda[i, c] * gap + alpha[c] * s[c] * (1 - decay)
            s[c], last[c] = 1 + s[c] * decay, now
        decay = np.exp(-beta * (max_time[i] - last))
        lls[i] -= (lda[i] * (max_time[i] - last) + alpha * s * (1 - decay)).sum()
        states[i] = s * decay
    return lls.astype(lda.dtype), states.astype(lda.dtype)


def _hawkes_inputs(n, k, t, seed, lengths):
    rng = np.random.RandomState(seed)
    f = np.float32
    lags = rng.uniform(0.1, 1, (n, t)).astype(f)
    return (
        rng.uniform(0.5, 2, (n, k)).astype(f),
        rng.uniform(0.1, 0.6, k).astype(f),
        rng.uniform(0.5, 3, k).astype(f),
        rng.uniform(0, 1, (n, k)).astype(f),
        lags,
        rng.randint(0, k, (n, t)).astype(np.int32),
        np.array(lengths, f),
        (lags.sum(1) + rng.uniform(0.5, 2, n)).astype(f),
    )


register(
    OpDef(
        "_contrib_hawkesll",
        impl=_hawkesll,
        aliases=("contrib.hawkesll",),
        inputs=("lda", "alpha", "beta", "state", "lags", "marks", "valid_length", "max_time"),
        no_grad_inputs=("state", "lags", "valid_length", "max_time"),
        ref=_hawkesll_ref,
        # MXNet's backward ignores the output state's head gradient, so the gradient is not the derivative
        # of both outputs: it is checked against MXNet's only
        samples=lambda: [
            Sample(_hawkes_inputs(3, 2, 4, 0, [1, 4, 2]), numeric_grad=False),
            Sample(_hawkes_inputs(2, 3, 5, 1, [5, 0]), numeric_grad=False),
            Sample(_hawkes_inputs(4, 1, 3, 2, [3, 2, 3, 1]), numeric_grad=False),
        ],
        errors=lambda: [
            (
                _hawkes_inputs(2, 2, 3, 0, [1, 2])[:5]
                + (np.zeros((2, 3), np.float32),)
                + _hawkes_inputs(2, 2, 3, 0, [1, 2])[6:],
                {},
                r"hawkesll: marks must be int32",
            ),
        ],
        doc="Log likelihood of a multivariate (independent marks) Hawkes process with exponential decay, "
        "for ragged batches of interarrival times: returns ``[loglik (N,), final state (N, K)]``. Gradients "
        "reach lda, alpha and beta (MXNet's backward has no others).\n\n"
        "Example:\n    >>> ll, state = mx.nd.contrib.hawkesll(lda, alpha, beta, state, lags, marks, valid_length, max_time)",
    )
)


# ---------------------------------------------------------------------------- Python-level contrib functions
def rand_zipfian(true_classes, num_sampled: int, range_max: int, ctx=None):
    """Draw ``num_sampled`` classes (with replacement) from an approximately Zipfian (log-uniform)
    distribution over ``[0, range_max)``, as candidate sampling for large softmax layers uses.

    Returns ``(samples (int64), expected count of each true class, expected count of each sample)``:
    class ``c`` has probability ``log((c + 2) / (c + 1)) / log(range_max + 1)``, times ``num_sampled``.

    Example:
        >>> samples, exp_true, exp_sampled = mx.nd.contrib.rand_zipfian(mx.nd.array([3]), 4, 5)
    """
    from .. import random_api

    log_range = math.log(range_max + 1)
    draws = random_api.uniform(0, log_range, shape=(num_sampled,), dtype="float64", ctx=ctx)
    sampled = (draws.exp() - 1).astype("int64") % range_max
    ctx = draws.context
    true_cls = true_classes.as_in_context(ctx).astype("float64")
    expected_true = ((true_cls + 2.0) / (true_cls + 1.0)).log() / log_range * num_sampled
    cls = sampled.astype("float64")
    expected_sampled = ((cls + 2.0) / (cls + 1.0)).log() / log_range * num_sampled
    return sampled, expected_true, expected_sampled


def uniform(low=0, high=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """``nd.random.uniform`` (MXNet's ``nd.contrib`` exports it too): samples in ``[low, high)``.

    Example:
        >>> mx.nd.contrib.uniform(-1, 1, shape=(2, 3))
    """
    from .. import random_api  # imported late: random_api needs the filled op table

    return random_api.uniform(low, high, shape, dtype, ctx, out, **kwargs)


#: Python-level functions of ``mx.nd`` defined here (public name -> function)
FUNCTIONS = {"contrib.rand_zipfian": rand_zipfian, "contrib.uniform": uniform}
