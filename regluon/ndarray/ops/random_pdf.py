"""Densities of samples under parametrised distributions: random_pdf_normal, _uniform, _gamma, _exponential,
_poisson, _negative_binomial, _generalized_negative_binomial and _dirichlet.

Parameters have shape P; ``sample`` has shape P + S (S samples per parameter set; for Dirichlet both end in
the k categories); the result has the shape of ``sample`` (P + S for Dirichlet). ``is_log`` gives the log
density. Gradients flow to the samples and the parameters.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Bool, Param
from ..register import OpDef, Sample, register
from ._common import rand


def _spread(op: str, sample, params, event: int = 0):
    """Each parameter array reshaped to broadcast against sample (shape P + S [+ event axis])."""
    p = params[0].shape[: params[0].dim() - event]
    if tuple(sample.shape[: len(p)]) != tuple(p) or any(q.shape != params[0].shape for q in params):
        names = ", ".join(shape_str(q.shape) for q in params)
        raise MXNetError(
            f"{op}: sample {shape_str(sample.shape)} must start with the parameters' shape; "
            f"got parameters {names}"
        )
    extra = sample.dim() - len(p) - event
    return [q.reshape(tuple(p) + (1,) * extra + tuple(q.shape[len(p) :])) for q in params]


def _log_normal(x, mu, sigma):
    return -0.5 * ((x - mu) / sigma) ** 2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)


def _log_uniform(x, low, high):
    return -torch.log(high - low) + 0 * x  # MXNet does not check the support


def _log_gamma(x, alpha, beta):
    return alpha * torch.log(beta) + (alpha - 1) * torch.log(x) - beta * x - torch.lgamma(alpha)


def _log_exponential(x, lam):
    return torch.log(lam) - lam * x


def _log_poisson(k, lam):
    return k * torch.log(lam) - lam - torch.lgamma(k + 1)


def _log_nb(k, n, p):
    return (
        torch.lgamma(k + n) - torch.lgamma(k + 1) - torch.lgamma(n) + n * torch.log(p) + k * torch.log1p(-p)
    )


def _log_gnb(k, mu, alpha):
    n = 1 / alpha
    return _log_nb(k, n, 1 / (1 + alpha * mu))


_DISTS = {
    "normal": (_log_normal, ("mu", "sigma")),
    "uniform": (_log_uniform, ("low", "high")),
    "gamma": (_log_gamma, ("alpha", "beta")),
    "exponential": (_log_exponential, ("lam",)),
    "poisson": (_log_poisson, ("lam",)),
    "negative_binomial": (_log_nb, ("k", "p")),
    "generalized_negative_binomial": (_log_gnb, ("mu", "alpha")),
}


def _pdf(name: str, logpdf):
    op = f"random_pdf_{name}"

    def impl(sample, *params, is_log):
        r = logpdf(sample, *_spread(op, sample, params))
        return r if is_log else torch.exp(r)

    return impl


def _dirichlet(sample, alpha, is_log):
    (a,) = _spread("random_pdf_dirichlet", sample, (alpha,), event=1)
    r = (torch.lgamma(a.sum(-1)) - torch.lgamma(a).sum(-1)) + ((a - 1) * torch.log(sample)).sum(-1)
    return r if is_log else torch.exp(r)


# NumPy references (float64, by the textbook formulas)
def _np_ref(name):
    from math import lgamma

    lg = np.vectorize(lgamma)

    def logpdf(x, *ps):
        if name == "normal":
            mu, s = ps
            return -0.5 * ((x - mu) / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)
        if name == "uniform":
            return -np.log(ps[1] - ps[0]) + 0 * x
        if name == "gamma":
            a, b = ps
            return a * np.log(b) + (a - 1) * np.log(x) - b * x - lg(a)
        if name == "exponential":
            return np.log(ps[0]) - ps[0] * x
        if name == "poisson":
            return x * np.log(ps[0]) - ps[0] - lg(x + 1)
        n, p = ps if name == "negative_binomial" else (1 / ps[1], 1 / (1 + ps[1] * ps[0]))
        return lg(x + n) - lg(x + 1) - lg(n) + n * np.log(p) + x * np.log1p(-p)

    def ref(sample, *params, is_log=False):
        extra = sample.ndim - params[0].ndim
        ps = [q.reshape(q.shape + (1,) * extra).astype(np.float64) for q in params]
        r = logpdf(sample.astype(np.float64), *ps)
        return (r if is_log else np.exp(r)).astype(sample.dtype)

    return ref


_SAMPLES = {
    "normal": lambda: (rand(2, 3), rand(2, seed=1), rand(2, low=0.5, high=2, seed=2)),
    "uniform": lambda: (
        rand(2, 3, low=0.3, high=0.6),
        rand(2, low=0, high=0.3, seed=1),
        rand(2, low=1, high=2, seed=2),
    ),
    "gamma": lambda: (
        rand(2, 3, low=0.2, high=3),
        rand(2, low=1, high=3, seed=1),
        rand(2, low=0.5, high=2, seed=2),
    ),
    "exponential": lambda: (rand(2, 3, low=0.1, high=2), rand(2, low=0.5, high=3, seed=1)),
    "poisson": lambda: (np.array([[0, 1, 3], [2, 5, 1]], "float32"), rand(2, low=1, high=4, seed=1)),
    "negative_binomial": lambda: (
        np.array([[0, 1, 3], [2, 5, 1]], "float32"),
        rand(2, low=1, high=4, seed=1),
        rand(2, low=0.2, high=0.8, seed=2),
    ),
    "generalized_negative_binomial": lambda: (
        np.array([[0, 1, 3], [2, 5, 1]], "float32"),
        rand(2, low=1, high=4, seed=1),
        rand(2, low=0.2, high=0.8, seed=2),
    ),
}

_IS_LOG = Param("is_log", Bool(), False, "Return the log density.")

for _name, (_logpdf, _pnames) in _DISTS.items():
    register(
        OpDef(
            f"_random_pdf_{_name}",
            impl=_pdf(_name, _logpdf),
            inputs=("sample", *_pnames),
            params=(_IS_LOG,),
            aliases=(f"random_pdf_{_name}",),
            ref=_np_ref(_name),
            # discrete samples are integers: gradients go to the parameters only
            no_grad_inputs=("sample",)
            if _name in ("poisson", "negative_binomial", "generalized_negative_binomial")
            else (),
            samples=lambda _s=_SAMPLES[_name]: [Sample(_s()), Sample(_s(), {"is_log": True})],
            errors=lambda _n=_name, _k=len(_pnames): [
                (
                    (rand(3, 2),) + (rand(2),) * _k,
                    {},
                    rf"random_pdf_{_n}: sample \(3, 2\) must start with the parameters",
                )
            ],
            doc=f"Density of each sample under the {_name.replace('_', ' ')} distribution with parameters "
            f"{', '.join(_pnames)} (one parameter set per leading index of sample).",
        )
    )


def _np_dirichlet(sample, alpha, is_log=False):
    from math import lgamma

    lg = np.vectorize(lgamma)
    extra = sample.ndim - alpha.ndim
    a = alpha.reshape(alpha.shape[:-1] + (1,) * extra + alpha.shape[-1:]).astype(np.float64)
    r = lg(a.sum(-1)) - lg(a).sum(-1) + ((a - 1) * np.log(sample.astype(np.float64))).sum(-1)
    return (r if is_log else np.exp(r)).astype(sample.dtype)


def _simplex(*shape, seed=0):
    x = rand(*shape, low=0.2, high=1.0, seed=seed)
    return (x / x.sum(-1, keepdims=True)).astype("float32")


register(
    OpDef(
        "_random_pdf_dirichlet",
        impl=_dirichlet,
        inputs=("sample", "alpha"),
        params=(_IS_LOG,),
        aliases=("random_pdf_dirichlet",),
        ref=_np_dirichlet,
        # samples live on the simplex: element-wise finite differences leave it; golden-checked only
        samples=lambda: [
            Sample((_simplex(2, 1, 3), rand(2, 3, low=0.5, high=3, seed=1)), numeric_grad=False),
            Sample(
                (_simplex(2, 2, 3, seed=2), rand(2, 3, low=0.5, high=3, seed=3)),
                {"is_log": True},
                numeric_grad=False,
            ),
        ],
        doc="Density of each sample (the last axis sums to 1) under the Dirichlet distribution with "
        "concentrations alpha.",
    )
)
