"""Random samplers on torch's generators (seeded by ``mx.random.seed``).

Each distribution is declared once and gives three operators, as in MXNet:
``_random_<d>`` (scalar parameters and a shape), ``_random_<d>_like`` (the shape of an input) and
``_sample_<d>`` (parameters given as arrays: one draw of ``shape`` per parameter element).
The Python functions of ``nd.random`` (``normal``, ``uniform``, ``gamma``, ...) choose among them.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..dtypes import to_torch
from ..params import Bool, Ctx, DType, Float, Int, Optional, Param, Shape
from ..register import OpDef, Sample, register


def _gamma(alpha, beta):
    return torch._standard_gamma(alpha) * beta


def _nbinom(k, p):
    return torch.poisson(_gamma(k, (1 - p) / p))


def _gnbinom(mu, alpha):
    return torch.poisson(_gamma(1.0 / alpha, mu * alpha))


# name: (parameters with MXNet defaults, sampler on broadcast float64 parameter tensors, mean, variance, doc)
_DISTS = {
    "uniform": (
        (("low", 0.0), ("high", 1.0)),
        lambda lo, hi: lo + (hi - lo) * torch.rand_like(lo),
        lambda lo, hi: (lo + hi) / 2,
        lambda lo, hi: (hi - lo) ** 2 / 12,
        "uniform on [low, high)",
    ),
    "normal": (
        (("loc", 0.0), ("scale", 1.0)),
        lambda m, s: m + s * torch.randn_like(m),
        lambda m, s: m,
        lambda m, s: s * s,
        "normal with mean loc and standard deviation scale",
    ),
    "exponential": (
        (("lam", 1.0),),
        lambda lam: torch.empty_like(lam).exponential_() / lam,
        lambda lam: 1 / lam,
        lambda lam: 1 / lam**2,
        "exponential with rate lam",
    ),
    "gamma": (
        (("alpha", 1.0), ("beta", 1.0)),
        _gamma,
        lambda a, b: a * b,
        lambda a, b: a * b * b,
        "gamma with shape alpha and scale beta",
    ),
    "poisson": ((("lam", 1.0),), torch.poisson, lambda lam: lam, lambda lam: lam, "Poisson with rate lam"),
    "negative_binomial": (
        (("k", 1), ("p", 1.0)),
        _nbinom,
        lambda k, p: k * (1 - p) / p,
        lambda k, p: k * (1 - p) / p**2,
        "failures before k successes of probability p",
    ),
    "generalized_negative_binomial": (
        (("mu", 1.0), ("alpha", 1.0)),
        _gnbinom,
        lambda mu, a: mu,
        lambda mu, a: mu + a * mu * mu,
        "negative binomial with mean mu, dispersion alpha",
    ),
}

_SAMPLE_PARAMS = {"uniform": ("low", "high"), "normal": ("mu", "sigma")}


def _draw(name, values, shape, dtype, device):
    sampler = _DISTS[name][1]
    tensors = [
        torch.full(shape, float(v), dtype=torch.float64, device=device) if not torch.is_tensor(v) else v
        for v in values
    ]
    return sampler(*tensors).to(to_torch(dtype))


def _random_impl(name):
    def impl(*args, shape, dtype, ctx, **params):
        values = [params[p] for p, _ in _DISTS[name][0]]
        return _draw(name, values, shape or (1,), dtype, ctx.torch_device)

    return impl


def _like_impl(name):
    def impl(data, **params):
        values = [params[p] for p, _ in _DISTS[name][0]]
        return _draw(name, values, tuple(data.shape), _np_name(data.dtype), data.device)

    return impl


def _np_name(dtype):
    from ..dtypes import TORCH2NP

    return TORCH2NP[dtype]


def _sample_impl(name):
    def impl(*params, shape, dtype):
        base = params[0].shape
        for p in params[1:]:
            if p.shape != base:
                raise MXNetError(
                    f"_sample_{name}: parameter arrays must have the same shape, got "
                    f"{shape_str(base)} and {shape_str(p.shape)}"
                )
        out_shape = tuple(base) + tuple(shape)
        expand = (...,) + (None,) * len(shape)
        values = [p.to(torch.float64)[expand].expand(out_shape) for p in params]
        return _draw(name, values, out_shape, dtype or "float32", params[0].device)

    return impl


def _moments_check(name, get_values):
    def check(out, params, *inputs):
        x = np.asarray(out, dtype=np.float64)
        vals = [np.float64(v) for v in get_values(params, inputs)]
        mean, var = float(_DISTS[name][2](*vals)), float(_DISTS[name][3](*vals))
        n = x.size
        return abs(x.mean() - mean) < 6 * np.sqrt(var / n) + 1e-9 and abs(x.var() - var) < 0.15 * var + 1e-9

    return check


_CTX = Param("ctx", Optional(Ctx()), None, "Context of the output.")
_SAMPLES = {
    "uniform": {"low": -1.0, "high": 3.0},
    "normal": {"loc": 1.0, "scale": 2.0},
    "exponential": {"lam": 2.0},
    "gamma": {"alpha": 2.0, "beta": 1.5},
    "poisson": {"lam": 3.0},
    "negative_binomial": {"k": 3, "p": 0.4},
    "generalized_negative_binomial": {"mu": 2.0, "alpha": 0.5},
}

for _name, (_params, _sampler, _mean, _var, _doc) in _DISTS.items():
    _pdefs = tuple(Param(p, Int() if isinstance(d, int) else Float(), d) for p, d in _params)

    def _scalar_values(params, inputs, _p=_params):
        return [params.get(p, d) for p, d in _p]

    register(
        OpDef(
            f"_random_{_name}",
            impl=_random_impl(_name),
            inputs=(),
            params=(
                *_pdefs,
                Param("shape", Shape(), (), "Output shape; () gives shape (1,)."),
                Param("dtype", DType(), "float32"),
                _CTX,
            ),
            aliases=(f"random_{_name}", *((_name,) if _name in ("uniform", "normal") else ())),
            creates=True,
            differentiable=False,
            check=_moments_check(_name, _scalar_values),
            samples=lambda _s=_SAMPLES[_name]: [Sample((), {**_s, "shape": (200, 60)})],
            doc=f"Samples from the {_doc} distribution.",
        )
    )
    register(
        OpDef(
            f"_random_{_name}_like",
            impl=_like_impl(_name),
            params=_pdefs,
            aliases=(f"random_{_name}_like",),
            differentiable=False,
            check=_moments_check(_name, _scalar_values),
            samples=lambda _s=_SAMPLES[_name]: [Sample((np.zeros((200, 60), "float32"),), dict(_s))],
            doc=f"Samples from the {_doc} distribution, shaped like the input.",
        )
    )
    _names = _SAMPLE_PARAMS.get(_name, tuple(p for p, _ in _params))
    register(
        OpDef(
            f"_sample_{_name}",
            impl=_sample_impl(_name),
            inputs=_names,
            variadic=False,
            params=(
                Param("shape", Shape(), (), "Draws per parameter element."),
                Param("dtype", Optional(DType()), None, "Output type (float32 by default)."),
            ),
            aliases=(f"sample_{_name}",),
            differentiable=False,
            check=_moments_check(_name, lambda params, inputs: [float(np.ravel(i)[0]) for i in inputs]),
            samples=lambda _s=_SAMPLES[_name]: [
                Sample(tuple(np.full((2,), v, "float32") for v in _s.values()), {"shape": (100, 60)})
            ],
            doc=f"Samples from the {_doc} distribution with parameters given as arrays: the output has the "
            "parameters' shape followed by ``shape``.",
        )
    )


def _randint(low, high, shape, dtype, ctx):
    if high <= low:
        raise MXNetError(f"randint: high ({high}) must be greater than low ({low})")
    return torch.randint(low, high, shape or (1,), device=ctx.torch_device).to(to_torch(dtype))


register(
    OpDef(
        "_random_randint",
        impl=_randint,
        inputs=(),
        params=(
            Param("low", Int(), None, "Lowest value.", required=True),
            Param("high", Int(), None, "One above the highest value.", required=True),
            Param("shape", Shape(), ()),
            Param("dtype", DType(), "int32"),
            _CTX,
        ),
        aliases=("random_randint",),
        creates=True,
        differentiable=False,
        check=lambda out, p, *i: (
            out.min() >= p["low"]
            and out.max() < p["high"]
            and len(np.unique(out)) == p["high"] - p["low"]
            and out.dtype == np.int32
        ),
        samples=lambda: [Sample((), {"low": -2, "high": 5, "shape": (50, 40)})],
        doc="Uniform random integers in [low, high).",
    )
)


def _multinomial(data, shape, get_prob, dtype):
    k = data.shape[-1]
    rows = data.reshape(-1, k)
    n = int(np.prod(shape)) if shape else 1
    idx = torch.multinomial(rows, n, replacement=True)
    out_shape = tuple(data.shape[:-1]) + (tuple(shape) if shape else ())
    samples = idx.reshape(out_shape).to(to_torch(dtype))
    if get_prob:
        logp = torch.log(torch.gather(rows, 1, idx)).reshape(out_shape)
        return samples, logp
    return samples


def _check_multinomial(out, params, probs):
    counts = np.bincount(out.ravel().astype(int), minlength=probs.shape[-1]) / out.size
    return np.abs(counts - probs.reshape(-1, probs.shape[-1])[0]).max() < 0.03


register(
    OpDef(
        "_sample_multinomial",
        impl=_multinomial,
        params=(
            Param("shape", Shape(), (), "Draws per distribution."),
            Param("get_prob", Bool(), False, "Also return the log-probability of each draw."),
            Param("dtype", DType(), "int32"),
        ),
        aliases=("sample_multinomial",),
        differentiable=False,
        check=_check_multinomial,
        samples=lambda: [Sample((np.array([0.1, 0.6, 0.3], "float32"),), {"shape": (4000,)})],
        doc="Draw category indices from the probability vectors in the last axis of ``data``.",
    )
)


def _shuffle(data):
    return data[torch.randperm(data.shape[0], device=data.device)]


register(
    OpDef(
        "_shuffle",
        impl=_shuffle,
        aliases=("shuffle",),
        differentiable=False,
        check=lambda out, p, x: (
            sorted(out[:, 0].tolist()) == sorted(x[:, 0].tolist()) and not np.array_equal(out, x)
        ),
        samples=lambda: [Sample((np.arange(200, dtype="float32").reshape(100, 2),))],
        doc="A random permutation of the rows (first axis).",
    )
)
