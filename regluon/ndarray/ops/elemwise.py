"""Element-wise operators: unary math, broadcast and same-shape binary ops, scalar ops."""

from __future__ import annotations

import math
import operator

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..dtypes import float_to_int, scalar_operands
from ..params import Float, Param
from ..register import OpDef, Sample, register
from ._common import binary_samples, broadcast_error, broadcast_errors, rand, same_dtype, unary_samples


def _np_round(x):
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5)).astype(x.dtype)


def _np_rint(x):
    f = np.floor(x)
    return np.where(x - f <= 0.5, f, np.ceil(x)).astype(x.dtype)


def _t_round(t):
    return torch.where(t >= 0, torch.floor(t + 0.5), torch.ceil(t - 0.5))


def _t_rint(t):
    f = torch.floor(t)
    return torch.where(t - f <= 0.5, f, torch.ceil(t))


def _t_gamma(t):
    """Gamma as exp(lgamma), negative where Gamma is (x < 0 with an odd floor)."""
    g = torch.exp(torch.lgamma(t))
    return torch.where((t < 0) & (torch.floor(t) % 2 != 0), -g, g)


def _mod(a, b):
    """Remainder with the divisor's sign, as Python; exact zeros come out as +0 like MXNet."""
    return torch.remainder(a, b) + 0


def _sigmoid_np(x):
    return 1.0 / (1.0 + np.exp(-x))


# name: (torch fn, numpy reference, (low, high) sample domain, differentiable, doc)
_UNARY = {
    "negative": (torch.neg, np.negative, (-2, 2), True, "Numerical negative, element-wise."),
    "abs": (torch.abs, np.abs, (-2, 2), True, "Absolute value, element-wise."),
    "sign": (torch.sign, np.sign, (-2, 2), False, "Sign (-1, 0 or 1), element-wise."),
    "square": (torch.Tensor.square, np.square, (-2, 2), True, "Square, element-wise."),
    "sqrt": (torch.sqrt, np.sqrt, (0.5, 3), True, "Square root, element-wise."),
    "rsqrt": (torch.rsqrt, lambda x: 1 / np.sqrt(x), (0.5, 3), True, "Reciprocal square root."),
    "cbrt": (lambda t: torch.sign(t) * torch.abs(t) ** (1.0 / 3), np.cbrt, (0.5, 3), True, "Cube root."),
    "rcbrt": (
        lambda t: 1 / (torch.sign(t) * torch.abs(t) ** (1.0 / 3)),
        lambda x: 1 / np.cbrt(x),
        (0.5, 3),
        True,
        "Reciprocal cube root.",
    ),
    "reciprocal": (torch.reciprocal, np.reciprocal, (0.5, 3), True, "1 / x, element-wise."),
    "exp": (torch.exp, np.exp, (-2, 2), True, "Exponential, element-wise."),
    "expm1": (torch.expm1, np.expm1, (-2, 2), True, "exp(x) - 1, accurate near zero."),
    "log": (torch.log, np.log, (0.5, 3), True, "Natural logarithm, element-wise."),
    "log10": (torch.log10, np.log10, (0.5, 3), True, "Base-10 logarithm."),
    "log2": (torch.log2, np.log2, (0.5, 3), True, "Base-2 logarithm."),
    "log1p": (torch.log1p, np.log1p, (-0.5, 2), True, "log(1 + x), accurate near zero."),
    "sin": (torch.sin, np.sin, (-2, 2), True, "Sine, element-wise."),
    "cos": (torch.cos, np.cos, (-2, 2), True, "Cosine, element-wise."),
    "tan": (torch.tan, np.tan, (-1, 1), True, "Tangent, element-wise."),
    "arcsin": (torch.asin, np.arcsin, (-0.9, 0.9), True, "Inverse sine."),
    "arccos": (torch.acos, np.arccos, (-0.9, 0.9), True, "Inverse cosine."),
    "arctan": (torch.atan, np.arctan, (-2, 2), True, "Inverse tangent."),
    "sinh": (torch.sinh, np.sinh, (-2, 2), True, "Hyperbolic sine."),
    "cosh": (torch.cosh, np.cosh, (-2, 2), True, "Hyperbolic cosine."),
    "tanh": (torch.tanh, np.tanh, (-2, 2), True, "Hyperbolic tangent."),
    "arcsinh": (torch.asinh, np.arcsinh, (-2, 2), True, "Inverse hyperbolic sine."),
    "arccosh": (torch.acosh, np.arccosh, (1.2, 3), True, "Inverse hyperbolic cosine."),
    "arctanh": (torch.atanh, np.arctanh, (-0.9, 0.9), True, "Inverse hyperbolic tangent."),
    "degrees": (torch.rad2deg, lambda x: x * 180 / np.pi, (-2, 2), True, "Radians to degrees."),
    "radians": (torch.deg2rad, np.radians, (-2, 2), True, "Degrees to radians."),
    "sigmoid": (torch.sigmoid, _sigmoid_np, (-2, 2), True, "Logistic sigmoid 1 / (1 + exp(-x))."),
    "relu": (torch.relu, lambda x: np.maximum(x, 0), (-2, 2), True, "Rectified linear unit max(x, 0)."),
    "softsign": (lambda t: t / (1 + t.abs()), lambda x: x / (1 + np.abs(x)), (-2, 2), True, "x / (1 + |x|)."),
    "floor": (torch.floor, np.floor, (-2, 2), False, "Largest integer not above x."),
    "ceil": (torch.ceil, np.ceil, (-2, 2), False, "Smallest integer not below x."),
    "trunc": (torch.trunc, np.trunc, (-2, 2), False, "Integer part, rounding toward zero."),
    "fix": (torch.trunc, np.fix, (-2, 2), False, "Round toward zero (same as trunc)."),
    "round": (_t_round, _np_round, (-2, 2), False, "Round to nearest; halves go away from zero."),
    "rint": (_t_rint, _np_rint, (-2, 2), False, "Round to nearest; halves go toward minus infinity."),
    "erf": (torch.erf, None, (-2, 2), True, "Gauss error function."),
    "gammaln": (torch.lgamma, None, (0.5, 3), True, "log |Gamma(x)|."),
    "gamma": (_t_gamma, None, (0.5, 3), True, "The Gamma function."),
    "logical_not": (
        lambda t: (t == 0).to(t.dtype),
        lambda x: (x == 0).astype(x.dtype),
        (-1, 1),
        False,
        "1 where x is zero, else 0 (in x's dtype).",
    ),
}


def _erf_ref(x):
    from math import erf

    return np.vectorize(erf)(x).astype(x.dtype)


def _lgamma_ref(x):
    from math import lgamma

    def f(v):  # the poles (0, -1, -2, ...) give +inf
        return np.inf if v <= 0 and v == int(v) else lgamma(v)

    return np.vectorize(f, otypes=[np.float64])(x).astype(x.dtype)


def _gamma_ref(x):
    from math import gamma

    def f(v):  # the poles give NaN, large values overflow to inf
        if v <= 0 and v == int(v):
            return np.nan
        try:
            return gamma(v)
        except OverflowError:
            return np.inf

    return np.vectorize(f, otypes=[np.float64])(x).astype(x.dtype)


_REFS = {
    "erf": _erf_ref,
    "gammaln": _lgamma_ref,
    "gamma": _gamma_ref,
}


# Unary math on integer arrays, as MXNet 1.9.1's CPU kernels do it (checked on the oracle): the
# result keeps the input's integer dtype. The _INT_EXACT ops are exact integer operations; square,
# degrees and radians compute in float32 and all the others in float64, then convert back with C's
# truncating cast (float_to_int: NaN and out-of-range values become the smallest integer, 8-bit
# types keep the low byte). Boolean arrays are refused.
_INT_EXACT = {
    "negative": torch.neg,
    "abs": torch.abs,
    "sign": torch.sign,
    "relu": torch.relu,
    "logical_not": lambda t: (t == 0).to(t.dtype),
    **{k: torch.clone for k in ("floor", "ceil", "trunc", "fix", "round", "rint")},
}
_INT_FLOAT32 = ("square", "degrees", "radians")


def _cbrt64(t):
    """Cube root with one Newton step, so that perfect cubes come out exact (1000 -> 10, not 9.99...)."""
    y = torch.sign(t) * t.abs() ** (1.0 / 3)
    return torch.where(y == 0, y, y - (y * y * y - t) / (3 * y * y))


#: (float64) gamma of integers: exact factorials where they fit a double exactly, poles NaN
_FACTORIALS = torch.tensor([float(math.factorial(n)) for n in range(21)], dtype=torch.float64)


def _gamma_of_integers(t):
    fact = _FACTORIALS[(t.clamp(1, 21) - 1).long()]
    return torch.where(t <= 0, math.nan, torch.where(t <= 21, fact, torch.exp(torch.lgamma(t))))


#: integer-input versions that differ from the float formula (float32 MXNet rounds twice in degrees;
#: torch's expm1 rounds expm1(-37) to -1)
_INT_OVERRIDES = {
    "degrees": lambda t: (t * 180) / math.pi,
    "expm1": lambda t: torch.where(t < 0, torch.exp(t) - 1, torch.expm1(t)),
    "cbrt": _cbrt64,
    "rcbrt": lambda t: 1 / _cbrt64(t),
    "gamma": _gamma_of_integers,
}


def _unary_impl(name: str, fn):
    exact = _INT_EXACT.get(name)
    compute = torch.float32 if name in _INT_FLOAT32 else torch.float64
    int_fn = _INT_OVERRIDES.get(name, fn)

    def impl(data):
        if data.is_floating_point():
            return fn(data)
        _no_bool(name, data)
        if exact is not None:
            return exact(data)
        return float_to_int(int_fn(data.to(compute)), data.dtype)

    return impl


def _np_float_to_int(y: np.ndarray, dtype) -> np.ndarray:
    """NumPy version of C's float -> integer conversion on x86 (see dtypes.float_to_int)."""
    y = np.trunc(np.asarray(y, dtype=np.float64))
    half = 2.0 ** (63 if np.dtype(dtype) == np.int64 else 31)
    with np.errstate(invalid="ignore"):
        ok = (y >= -half) & (y < half)
    return np.where(ok, y, -half).astype(np.int64).astype(dtype)


def _unary_ref(name: str, ref):
    compute = np.float32 if name in _INT_FLOAT32 else np.float64

    def r(x):
        if x.dtype.kind not in "iu":
            return ref(x)
        with np.errstate(all="ignore"):
            if name in _INT_EXACT:
                return np.asarray(ref(x)).astype(x.dtype)
            return _np_float_to_int(np.asarray(ref(x.astype(compute))).astype(compute), x.dtype)

    return r


#: integer inputs of the unary ops' samples: inside and outside each op's domain, large values, and
#: the whole 8-bit ranges (19 is left out: tanh(19) is within an ulp of 1 and NumPy rounds it up)
_INT_SAMPLES = (
    np.array([v for v in range(-18, 19)] + [100, 1000, 46341, -77777, 2**31 - 1], dtype=np.int32),
    np.array([v for v in range(-18, 19)] + [16777217, 3037000500, -(2**40) - 7], dtype=np.int64),
    np.array([v for v in range(256) if v != 19], dtype=np.uint8),
    np.array([v for v in range(-128, 128) if abs(v) != 19], dtype=np.int8),
)


#: MXNet's own gamma kernel is an ulp low at these integers (e.g. 479001599.99999994 for 13), which
#: truncation turns into 12! - 1; regluon returns the exact factorial, so they are left out of its samples
_GAMMA_ULP_LOW = (13, 15, 19, 20)


def _with_int_samples(name, samples):
    skip = _GAMMA_ULP_LOW if name == "gamma" else ()
    extra = [Sample((np.array([-2.5, -1.5, -0.5, -0.3, -1.7, -2.2], np.float32),))] if name == "gamma" else []
    ints = [Sample((x[~np.isin(x, skip)],), grad=False) for x in _INT_SAMPLES]
    return lambda: [*samples(), *extra, *ints]


for _name, (_fn, _ref, (_lo, _hi), _diff, _doc) in _UNARY.items():
    register(
        OpDef(
            _name,
            impl=_unary_impl(_name, _fn),
            direct=_fn,  # what impl computes for floating-point data
            ref=_unary_ref(_name, _ref or _REFS[_name]),
            samples=_with_int_samples(_name, unary_samples(_lo, _hi)),
            differentiable=_diff,
            method=_name,
            doc=_doc + "\n\nExample:\n    >>> mx.nd." + _name + "(mx.nd.array([0.5, 1.0]))",
        )
    )


def _identity(data):
    return data.clone()


register(
    OpDef(
        "_copy",
        impl=_identity,
        aliases=("identity",),
        ref=lambda x: x.copy(),
        samples=unary_samples(),
        doc="A copy of the input.",
    )
)
register(
    OpDef(
        "BlockGrad",
        impl=lambda data: data.detach().clone(),
        aliases=("stop_gradient",),
        ref=lambda x: x.copy(),
        samples=unary_samples(),
        differentiable=False,
        doc="Pass the input through unchanged but stop gradients flowing back into it.",
    )
)
register(
    OpDef(
        "zeros_like",
        impl=torch.zeros_like,
        ref=np.zeros_like,
        samples=unary_samples(),
        differentiable=False,
        method="zeros_like",
        doc="An array of zeros with the input's shape and dtype.",
    )
)
register(
    OpDef(
        "ones_like",
        impl=torch.ones_like,
        ref=np.ones_like,
        samples=unary_samples(),
        differentiable=False,
        method="ones_like",
        doc="An array of ones with the input's shape and dtype.",
    )
)


# ------------------------------------------------------------------------------------------ binary
def _div(a, b):
    """Quotient; integer arrays divide as C does (rounding toward zero), as in MXNet."""
    return a / b if a.is_floating_point() else torch.div(a, b, rounding_mode="trunc")


def _pow(a, b):
    """Power; integer powers go through float64 and truncate, as MXNet's kernels (``2 ** -1 == 0``)."""
    t = a if isinstance(a, torch.Tensor) else b
    if t.is_floating_point():
        return torch.pow(a, b)
    a, b = (v.double() if isinstance(v, torch.Tensor) else v for v in (a, b))
    return float_to_int(torch.pow(a, b), t.dtype)


def _no_bool(name, t):
    if t.dtype is torch.bool:
        raise MXNetError(
            f"{name}: MXNet's operator does not support boolean inputs; convert with astype() first"
        )


def _cmp(fn):
    return lambda a, b: fn(a, b).to(a.dtype)


def _np_cmp(fn):
    return lambda a, b: fn(a, b).astype(np.result_type(a, b))


# name: (torch fn, numpy reference, differentiable, doc, same-shape aliases)
_BINARY = {
    "add": (operator.add, np.add, True, "Sum", ("elemwise_add", "_plus", "_add"), ("broadcast_plus",)),
    "sub": (
        operator.sub,
        np.subtract,
        True,
        "Difference",
        ("elemwise_sub", "_minus", "_sub"),
        ("broadcast_minus",),
    ),
    "mul": (operator.mul, np.multiply, True, "Product", ("elemwise_mul", "_mul"), ()),
    "div": (_div, np.divide, True, "Quotient", ("elemwise_div", "_div"), ()),
    "mod": (_mod, np.mod, False, "Remainder (sign of the divisor, as Python)", ("_mod",), ()),
    "power": (_pow, np.power, True, "First input raised to the second", ("_power",), ()),
    "maximum": (torch.maximum, np.maximum, True, "Larger element", ("_maximum",), ()),
    "minimum": (torch.minimum, np.minimum, True, "Smaller element", ("_minimum",), ()),
    "hypot": (torch.hypot, np.hypot, True, "sqrt(a**2 + b**2)", ("_hypot",), ()),
    "equal": (_cmp(torch.eq), _np_cmp(np.equal), False, "1 where equal, else 0", ("_equal",), ()),
    "not_equal": (_cmp(torch.ne), _np_cmp(np.not_equal), False, "1 where different", ("_not_equal",), ()),
    "greater": (_cmp(torch.gt), _np_cmp(np.greater), False, "1 where a > b", ("_greater",), ()),
    "greater_equal": (
        _cmp(torch.ge),
        _np_cmp(np.greater_equal),
        False,
        "1 where a >= b",
        ("_greater_equal",),
        (),
    ),
    "lesser": (_cmp(torch.lt), _np_cmp(np.less), False, "1 where a < b", ("_lesser",), ()),
    "lesser_equal": (_cmp(torch.le), _np_cmp(np.less_equal), False, "1 where a <= b", ("_lesser_equal",), ()),
    "logical_and": (
        _cmp(torch.logical_and),
        _np_cmp(np.logical_and),
        False,
        "1 where both are non-zero",
        ("_logical_and",),
        (),
    ),
    "logical_or": (
        _cmp(torch.logical_or),
        _np_cmp(np.logical_or),
        False,
        "1 where either is non-zero",
        ("_logical_or",),
        (),
    ),
    "logical_xor": (
        _cmp(torch.logical_xor),
        _np_cmp(np.logical_xor),
        False,
        "1 where exactly one is non-zero",
        ("_logical_xor",),
        (),
    ),
}


def _broadcast_impl(name, fn):
    def impl(lhs, rhs):
        if lhs.dtype != rhs.dtype:
            same_dtype(name, lhs, rhs)  # raises the error
        _no_bool(name, lhs)
        try:
            return fn(lhs, rhs)
        except RuntimeError:
            if lhs.shape != rhs.shape:
                raise broadcast_error(name, lhs, rhs) from None
            raise

    return impl


def _same_shape_impl(name, fn):
    def impl(lhs, rhs):
        if lhs.shape != rhs.shape:
            raise MXNetError(
                f"{name}: inputs must have the same shape, got {shape_str(lhs.shape)} and {shape_str(rhs.shape)} "
                f"(use broadcast_* to broadcast)"
            )
        same_dtype(name, lhs, rhs)
        _no_bool(name, lhs)
        return fn(lhs, rhs)

    return impl


def _same_shape_samples(low=-2.0, high=2.0):
    return lambda: [Sample((rand(2, 3, low=low, high=high), rand(2, 3, low=low, high=high, seed=3)))]


for _key, (_fn, _ref, _diff, _doc, _same, _extra) in _BINARY.items():
    _lo, _hi = (0.5, 2.0) if _key in ("power", "div", "mod") else (-2.0, 2.0)
    register(
        OpDef(
            "broadcast_" + _key,
            impl=_broadcast_impl("broadcast_" + _key, _fn),
            direct=_fn,
            inputs=("lhs", "rhs"),
            aliases=_extra,
            ref=_ref,
            samples=binary_samples(_lo, _hi),
            errors=broadcast_errors("broadcast_" + _key),
            differentiable=_diff,
            method="broadcast_" + _key,
            doc=f"{_doc} of two arrays, element-wise, with NumPy-style broadcasting.",
        )
    )
    register(
        OpDef(
            _same[0],
            impl=_same_shape_impl(_same[0], _fn),
            inputs=("lhs", "rhs"),
            aliases=_same[1:],
            ref=_ref,
            samples=_same_shape_samples(_lo, _hi),
            errors=lambda _n=_same[0]: [
                ((rand(2, 3), rand(3, 2)), {}, rf"{_n}: inputs must have the same shape")
            ],
            differentiable=_diff,
            doc=f"{_doc} of two arrays of the same shape, element-wise.",
        )
    )


# ------------------------------------------------------------------------------------------ scalar
def _keep_dtype(fn):
    def impl(data, scalar):
        data, scalar = scalar_operands(data, scalar)
        r = fn(data, scalar)
        return r if r.dtype == data.dtype else r.to(data.dtype)

    return impl


def _np_keep(fn):
    return lambda x, scalar: np.asarray(fn(x, scalar)).astype(x.dtype)


_SCALAR = {
    "_plus_scalar": (operator.add, np.add, True),
    "_minus_scalar": (operator.sub, np.subtract, True),
    "_rminus_scalar": (lambda t, s: s - t, lambda x, s: s - x, True),
    "_mul_scalar": (operator.mul, np.multiply, True),
    "_div_scalar": (operator.truediv, np.divide, True),
    "_rdiv_scalar": (lambda t, s: torch.div(s, t), lambda x, s: s / x, True),
    "_mod_scalar": (_mod, np.mod, False),
    "_rmod_scalar": (
        lambda t, s: torch.remainder(torch.full_like(t, s), t),
        lambda x, s: np.mod(s, x),
        False,
    ),
    "_power_scalar": (_pow, np.power, True),
    "_rpower_scalar": (lambda t, s: _pow(s, t), lambda x, s: np.power(s, x), True),
    "_maximum_scalar": (torch.clamp_min, np.maximum, True),
    "_minimum_scalar": (torch.clamp_max, np.minimum, True),
    "_hypot_scalar": (lambda t, s: torch.hypot(t, torch.full_like(t, s)), np.hypot, True),
    "_equal_scalar": (torch.eq, np.equal, False),
    "_not_equal_scalar": (torch.ne, np.not_equal, False),
    "_greater_scalar": (torch.gt, np.greater, False),
    "_greater_equal_scalar": (torch.ge, np.greater_equal, False),
    "_lesser_scalar": (torch.lt, np.less, False),
    "_lesser_equal_scalar": (torch.le, np.less_equal, False),
}


def _scalar_samples():
    return [
        Sample((rand(2, 3, low=0.5, high=2.0),), {"scalar": 1.5}),
        Sample((rand(3, low=0.5, high=2),), {"scalar": 2}),
    ]


for _name, (_fn, _ref, _diff) in _SCALAR.items():
    register(
        OpDef(
            _name,
            impl=_keep_dtype(_fn),
            params=(Param("scalar", Float(), 1.0, "The scalar operand."),),
            ref=_np_keep(_ref),
            samples=_scalar_samples,
            differentiable=_diff,
            doc=f"Element-wise {_name.strip('_').replace('_scalar', '')} of an array and a scalar; "
            "the result keeps the array's dtype.",
        )
    )
