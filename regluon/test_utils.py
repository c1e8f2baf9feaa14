"""``mx.test_utils``: the helpers MXNet users call in their own test suites.

Comparisons accept NDArrays or NumPy arrays and use MXNet's per-dtype default tolerances.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

import numpy as np

from . import autograd
from . import ndarray as nd
from .base import MXNetError
from .context import Context, current_context

_INTS = ("bool", "int8", "uint8", "int32", "uint32", "int64", "uint64")


def default_rtols() -> dict:
    """MXNet's default relative tolerance per dtype."""
    return {
        np.dtype("float16"): 1e-2,
        np.dtype("float32"): 1e-4,
        np.dtype("float64"): 1e-5,
        **{np.dtype(t): 0 for t in _INTS},
    }


def default_atols() -> dict:
    """MXNet's default absolute tolerance per dtype."""
    return {
        np.dtype("float16"): 1e-1,
        np.dtype("float32"): 1e-3,
        np.dtype("float64"): 1e-20,
        **{np.dtype(t): 0 for t in _INTS},
    }


def _np(x) -> np.ndarray:
    return np.asarray(x.asnumpy()) if isinstance(x, nd.NDArray) else np.asarray(x)


def _tols(a: np.ndarray, b: np.ndarray, rtol, atol):
    rt, at = default_rtols(), default_atols()
    if rtol is None:
        rtol = max(rt.get(a.dtype, 1e-5), rt.get(b.dtype, 1e-5))
    if atol is None:
        atol = max(at.get(a.dtype, 1e-20), at.get(b.dtype, 1e-20))
    return rtol, atol


def almost_equal(a, b, rtol=None, atol=None, equal_nan: bool = False, use_broadcast: bool = True) -> bool:
    """True when ``|a - b| <= atol + rtol * |b|`` everywhere (NDArrays or NumPy arrays).

    Example:
        >>> mx.test_utils.almost_equal(mx.nd.ones((2,)), np.ones(2))
        True
    """
    a, b = _np(a), _np(b)
    if not use_broadcast and a.shape != b.shape:
        return False
    rtol, atol = _tols(a, b, rtol, atol)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def assert_almost_equal(
    a,
    b,
    rtol=None,
    atol=None,
    names=("a", "b"),
    equal_nan: bool = False,
    use_broadcast: bool = True,
    mismatches=(10, 10),
) -> None:
    """Raise AssertionError, naming the worst element, unless ``a`` and ``b`` are almost equal.

    Tolerances default to MXNet's per-dtype values (float32: rtol 1e-4, atol 1e-3).

    Example:
        >>> mx.test_utils.assert_almost_equal(x.grad, expected_grad)
    """
    a_np, b_np = _np(a), _np(b)
    if not use_broadcast and a_np.shape != b_np.shape:
        raise AssertionError(f"shapes differ: {names[0]} {a_np.shape} vs {names[1]} {b_np.shape}")
    rtol, atol = _tols(a_np, b_np, rtol, atol)
    if np.allclose(a_np, b_np, rtol=rtol, atol=atol, equal_nan=equal_nan):
        return
    a64, b64 = np.broadcast_arrays(a_np.astype(np.float64), b_np.astype(np.float64))
    err = np.abs(a64 - b64) / (atol + rtol * np.abs(b64))
    if equal_nan:
        err = np.where(np.isnan(a64) & np.isnan(b64), 0, err)
    err = np.where(np.isnan(err), np.inf, err)
    loc = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape)) if err.ndim else ()
    frac = 100.0 * np.mean(err > 1)
    raise AssertionError(
        f"\nItems are not equal:\nError {err[loc]:f} exceeds tolerance rtol={rtol:e}, atol={atol:e} "
        f"(mismatch {frac:f}%).\nLocation of maximum error: {loc}, {names[0]}={a64[loc]:.8f}, "
        f"{names[1]}={b64[loc]:.8f}\n {names[0]}: {a_np!r}\n {names[1]}: {b_np!r}"
    )


def assert_allclose(a, b, rtol: float = 1e-7, atol: float = 0, equal_nan: bool = True) -> None:
    """NumPy's assert_allclose, accepting NDArrays."""
    np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol, equal_nan=equal_nan)


def same(a, b) -> bool:
    """True when ``a`` and ``b`` have equal shapes and elements."""
    return bool(np.array_equal(_np(a), _np(b)))


def default_context() -> Context:
    """The context tests run on (the current default context)."""
    return current_context()


def set_default_context(ctx: Context) -> None:
    """Make ``ctx`` the default for arrays created afterwards (pushes it on the context stack)."""
    ctx.__enter__()


def rand_shape_2d(dim0: int = 10, dim1: int = 10, allow_zero_size: bool = False) -> tuple:
    """A random 2-d shape with sides up to dim0 / dim1."""
    low = 0 if allow_zero_size else 1
    return int(np.random.randint(low, dim0 + 1)), int(np.random.randint(low, dim1 + 1))


def rand_shape_3d(dim0: int = 10, dim1: int = 10, dim2: int = 10, allow_zero_size: bool = False) -> tuple:
    """A random 3-d shape with sides up to dim0 / dim1 / dim2."""
    low = 0 if allow_zero_size else 1
    return tuple(int(np.random.randint(low, d + 1)) for d in (dim0, dim1, dim2))


def rand_shape_nd(num_dim: int, dim: int = 10, allow_zero_size: bool = False) -> tuple:
    """A random ``num_dim``-d shape with sides up to ``dim``."""
    low = 0 if allow_zero_size else 1
    return tuple(int(v) for v in np.random.randint(low, dim + 1, size=num_dim))


def random_arrays(*shapes):
    """Standard-normal float32 NumPy arrays of the given shapes (one array for one shape)."""
    arrays = [
        np.array(np.random.randn(), dtype=np.float32)
        if len(s) == 0
        else np.random.randn(*s).astype(np.float32)
        for s in shapes
    ]
    return arrays[0] if len(arrays) == 1 else arrays


def rand_ndarray(
    shape,
    stype: str = "default",
    density=None,
    dtype=None,
    modifier_func=None,
    shuffle_csr_indices: bool = False,
    distribution=None,
    ctx=None,
) -> nd.NDArray:
    """A random dense NDArray, uniform in [0, 1) (sparse storage types are not supported)."""
    if stype != "default":
        raise MXNetError(f"rand_ndarray: storage type {stype!r} is not supported; regluon is dense only")
    arr = np.random.uniform(size=shape).astype(dtype or np.float32)
    if modifier_func is not None:
        arr = np.vectorize(modifier_func)(arr).astype(arr.dtype)
    return nd.array(arr, ctx=ctx, dtype=arr.dtype)


@contextlib.contextmanager
def environment(*args):
    """Set environment variables inside a ``with`` block: ``environment('K', 'v')`` or ``environment({...})``.
    A value of None unsets the variable; previous values come back afterwards."""
    if len(args) == 2:
        values = {args[0]: args[1]}
    elif len(args) == 1 and isinstance(args[0], dict):
        values = args[0]
    else:
        raise ValueError("environment() takes a name and a value, or a dict")
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = str(v)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def assert_exception(f: Callable, exception_type: type, *args, **kwargs) -> None:
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise {exception_type.__name__}")


def check_numeric_gradient(
    fn: Callable, location, numeric_eps: float | None = None, rtol=None, atol=None, **_ignored
) -> None:
    """Compare autograd's gradients of ``sum(fn(*location))`` with central finite differences.

    regluon has no symbols yet, so ``fn`` is a Python function of NDArrays (MXNet passes a Symbol).
    ``location`` is a list of NumPy arrays or NDArrays; the check runs in float64.

    Example:
        >>> check_numeric_gradient(lambda x: mx.nd.sigmoid(x), [np.random.rand(3, 4)])
    """
    if not callable(fn):
        raise MXNetError(
            "check_numeric_gradient: pass a function of NDArrays (symbols are not supported yet)"
        )
    eps = numeric_eps or 1e-6
    xs = [np.array(_np(v), dtype=np.float64) for v in location]
    arrays = [nd.array(x, dtype="float64") for x in xs]
    for a in arrays:
        a.attach_grad()
    with autograd.record():
        out = fn(*arrays)
    out.backward()

    def value(vals):
        return float(_np(fn(*[nd.array(v, dtype="float64") for v in vals])).sum())

    for k, x in enumerate(xs):
        num = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            old = x[idx]
            x[idx] = old + eps
            hi = value(xs)
            x[idx] = old - eps
            lo = value(xs)
            x[idx] = old
            num[idx] = (hi - lo) / (2 * eps)
        assert_almost_equal(
            arrays[k].grad,
            num,
            rtol=rtol or 1e-4,
            atol=atol or 1e-6,
            names=(f"autograd gradient of input {k}", "numeric gradient"),
        )
