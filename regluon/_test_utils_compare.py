"""``mx.test_utils`` comparisons: MXNet's default tolerances per dtype and the assertions built on them.

Part of :mod:`regluon.test_utils`, which re-exports every public name here.
"""

from __future__ import annotations

import numbers
import os

import numpy as np
import torch

from . import ndarray as nd

_INTS = ("bool", "int8", "uint8", "int32", "uint32", "int64", "uint64")


def default_rtols() -> dict:
    """MXNet's default relative tolerance per dtype (float16 1e-2, float32 1e-4, float64 1e-5, ints 0)."""
    return {
        np.dtype("float16"): 1e-2,
        np.dtype("float32"): 1e-4,
        np.dtype("float64"): 1e-5,
        **{np.dtype(t): 0 for t in _INTS},
    }


def default_atols() -> dict:
    """MXNet's default absolute tolerance per dtype (float16 1e-1, float32 1e-3, float64 1e-20, ints 0)."""
    return {
        np.dtype("float16"): 1e-1,
        np.dtype("float32"): 1e-3,
        np.dtype("float64"): 1e-20,
        **{np.dtype(t): 0 for t in _INTS},
    }


def default_dtype() -> type:
    """The dtype test data is generated in: ``numpy.float32``."""
    return np.float32


def default_numeric_eps() -> dict:
    """Finite-difference step per dtype, powers of two so that ``x + eps`` loses no bits of ``eps``.

    Example:
        >>> mx.test_utils.default_numeric_eps()[np.dtype('float32')]
        0.001953125
    """
    return {np.dtype(np.float16): 2.0**-6, np.dtype(np.float32): 2.0**-9, np.dtype(np.float64): 2.0**-14}


def get_cuda_compute_capability(ctx) -> int:
    """The CUDA compute capability of a GPU context as an int (70 for sm_70); ValueError for other contexts."""
    if ctx.device_type != "gpu":
        raise ValueError(f"Expecting a gpu context to get cuda compute capability, while received ctx {ctx}")
    major, minor = torch.cuda.get_device_capability(ctx.torch_device)
    return major * 10 + minor


def _tf32_on(ctx) -> bool:
    if ctx is None or getattr(ctx, "device_type", None) != "gpu":
        return False
    if os.environ.get("NVIDIA_TF32_OVERRIDE") == "0":
        return False
    if not (torch.backends.cuda.matmul.allow_tf32 or torch.backends.cudnn.allow_tf32):
        return False
    try:
        return get_cuda_compute_capability(ctx) >= 80
    except Exception:  # noqa: BLE001 - no usable GPU behind the context
        return False


def effective_dtype(dat) -> np.dtype:
    """The dtype whose tolerances fit comparisons of ``dat``.

    float32 data on a GPU of compute capability 8.0 or newer counts as float16, since matrix
    products and convolutions there round their inputs to TF32 (unless ``NVIDIA_TF32_OVERRIDE=0``
    or torch has TF32 switched off); every other array keeps its own dtype.

    Example:
        >>> mx.test_utils.effective_dtype(mx.nd.ones((2,)))
        dtype('float32')
    """
    dtype = np.dtype(dat.dtype)
    if dtype == np.float32 and _tf32_on(getattr(dat, "ctx", None)):
        return np.dtype(np.float16)
    return dtype


def get_rtol(rtol=None, dtype=np.dtype(np.float64)):
    """``rtol`` if given, else the default relative tolerance of ``dtype`` (float64: 1e-5)."""
    return default_rtols()[np.dtype(dtype)] if rtol is None else rtol


def get_atol(atol=None, dtype=np.dtype(np.float64)):
    """``atol`` if given, else the default absolute tolerance of ``dtype`` (float64: 1e-20)."""
    return default_atols()[np.dtype(dtype)] if atol is None else atol


def get_etol(etol=None):
    """``etol`` (the fraction of elements allowed to differ) if given, else 0."""
    return 0 if etol is None else etol


def get_tolerance(dat, tol, default_tol: dict):
    """The tolerance for comparing ``dat``: ``tol`` itself when it is a number, else the entry for
    ``dat``'s effective dtype in the dict ``tol`` (or in ``default_tol`` when ``tol`` is None or lacks it).

    Example:
        >>> mx.test_utils.get_tolerance(np.ones(2, np.float16), None, mx.test_utils.default_rtols())
        0.01
    """
    if isinstance(tol, numbers.Number):
        return tol
    dtype = effective_dtype(dat)
    return (tol or {}).get(dtype, default_tol[dtype])


def get_tols(x, y, rtol, atol) -> tuple:
    """``(rtol, atol)`` for comparing ``x`` with ``y``: given numbers win; otherwise the larger of the
    two arrays' defaults (numbers count as NumPy scalars, e.g. a Python float as float64).

    Example:
        >>> mx.test_utils.get_tols(np.ones(2, np.float16), np.ones(2), None, None)
        (0.01, 0.1)
    """
    x = np.array(x) if isinstance(x, numbers.Number) else x
    y = np.array(y) if isinstance(y, numbers.Number) else y
    rtol = max(get_tolerance(x, rtol, default_rtols()), get_tolerance(y, rtol, default_rtols()))
    atol = max(get_tolerance(x, atol, default_atols()), get_tolerance(y, atol, default_atols()))
    return rtol, atol


def _np(x) -> np.ndarray:
    return np.asarray(x.asnumpy()) if isinstance(x, nd.NDArray) else np.asarray(x)


def _check_shapes(a: np.ndarray, b: np.ndarray, names=("a", "b")) -> None:
    if a.shape != b.shape:
        raise AssertionError(f"{names[0]}.shape = {a.shape} and {names[1]}.shape = {b.shape} are not equal")


def checkShapes(a, b) -> None:  # noqa: N802 - MXNet's name
    """Raise AssertionError unless ``a`` and ``b`` have the same shape."""
    _check_shapes(_np(a), _np(b))


def locationError(a, b, index, names, maxError: bool = False) -> str:  # noqa: N802, N803 - MXNet's names
    """A one-line description of the mismatch at ``index``: both values, named."""
    which = "maximum " if maxError else ""
    return f"Location of {which}error: {index}, {names[0]}={a[index]:.8f}, {names[1]}={b[index]:.8f}"


def almost_equal(a, b, rtol=None, atol=None, equal_nan: bool = False, use_broadcast: bool = True) -> bool:
    """True when ``|a - b| <= atol + rtol * |b|`` everywhere (NDArrays or NumPy arrays).

    Unlike :func:`assert_almost_equal`, the default tolerances are float64's (rtol 1e-5, atol 1e-20)
    whatever the dtypes, as in MXNet.

    Example:
        >>> mx.test_utils.almost_equal(mx.nd.ones((2,)), np.ones(2))
        True
    """
    a, b = _np(a), _np(b)
    if not use_broadcast:
        _check_shapes(a, b)
    return bool(np.allclose(a, b, rtol=get_rtol(rtol), atol=get_atol(atol), equal_nan=equal_nan))


def _worst(a64: np.ndarray, b64: np.ndarray, rtol, atol, equal_nan: bool):
    diff = np.where(np.equal(a64, b64), 0, np.abs(a64 - b64))
    err = diff / (atol + rtol * np.abs(b64) + 1e-20)
    if equal_nan:
        err = np.where(np.isnan(a64) & np.isnan(b64), 0, err)
    err = np.where(np.isnan(err), np.inf, err)
    loc = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape)) if err.ndim else ()
    return err, loc


def _mismatch_error(a_np, b_np, rtol, atol, names, equal_nan: bool) -> AssertionError:
    a64, b64 = np.broadcast_arrays(a_np.astype(np.float64), b_np.astype(np.float64))
    err, loc = _worst(a64, b64, rtol, atol, equal_nan)
    frac = 100.0 * np.mean(err > 1)
    return AssertionError(
        f"\nItems are not equal:\nError {err[loc]:f} exceeds tolerance rtol={rtol:e}, atol={atol:e} "
        f"(mismatch {frac:f}%).\nLocation of maximum error: {loc}, {names[0]}={a64[loc]:.8f}, "
        f"{names[1]}={b64[loc]:.8f}\n {names[0]}: {a_np!r}\n {names[1]}: {b_np!r}"
    )


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

    Tolerances default to MXNet's per-dtype values (float32: rtol 1e-4, atol 1e-3); ``rtol`` and
    ``atol`` may also be dicts from dtype to tolerance. Boolean arrays must be equal.

    Example:
        >>> mx.test_utils.assert_almost_equal(mx.nd.array([1.0]), np.array([1.0005]))
    """
    rtol, atol = get_tols(a, b, rtol, atol)
    a_np, b_np = _np(a), _np(b)
    if not use_broadcast:
        _check_shapes(a_np, b_np, names)
    if a_np.dtype == np.bool_ and b_np.dtype == np.bool_:
        np.testing.assert_equal(a_np, b_np)
        return
    if np.allclose(a_np, b_np, rtol=rtol, atol=atol, equal_nan=equal_nan):
        return
    raise _mismatch_error(a_np, b_np, rtol, atol, names, equal_nan)


def assert_almost_equal_ignore_nan(a, b, rtol=None, atol=None, names=("a", "b")) -> None:
    """:func:`assert_almost_equal` over the positions where neither array is NaN.

    Example:
        >>> mx.test_utils.assert_almost_equal_ignore_nan(np.array([1.0, np.nan]), np.array([1.0, 5.0]))
    """
    a_np, b_np = np.array(_np(a)), np.array(_np(b))
    a_np, b_np = np.broadcast_arrays(a_np, b_np)
    a_np, b_np = a_np.copy(), b_np.copy()
    nan = np.isnan(a_np) | np.isnan(b_np)
    a_np[nan] = 0
    b_np[nan] = 0
    assert_almost_equal(a_np, b_np, rtol, atol, names)


def assert_almost_equal_with_err(
    a, b, rtol=None, atol=None, etol=None, names=("a", "b"), equal_nan: bool = False, mismatches=(10, 10)
) -> None:
    """Like :func:`assert_almost_equal`, but a fraction ``etol`` of the elements may be off.

    With ``etol`` 0 (the default) this is :func:`assert_almost_equal`; otherwise it raises only when
    more than ``etol`` of the elements fail ``isclose``.

    Example:
        >>> a, b = np.zeros(10), np.zeros(10); b[0] = 1
        >>> mx.test_utils.assert_almost_equal_with_err(a, b, etol=0.1)  # 10% differ: allowed
    """
    etol = get_etol(etol)
    if etol <= 0:
        assert_almost_equal(a, b, rtol=rtol, atol=atol, names=names, equal_nan=equal_nan)
        return
    rtol, atol = get_tols(a, b, rtol, atol)
    a_np, b_np = _np(a), _np(b)
    close = np.isclose(a_np, b_np, rtol=rtol, atol=atol, equal_nan=equal_nan)
    rate = 1 - np.count_nonzero(close) / close.size
    if rate > etol:
        err = _mismatch_error(a_np, b_np, rtol, atol, names, equal_nan)
        raise AssertionError(f"{rate:.2%} of the elements differ, more than etol={etol}:{err}")


def assert_allclose(a, b, rtol: float = 1e-7, atol: float = 0, equal_nan: bool = True) -> None:
    """NumPy's assert_allclose, accepting NDArrays."""
    np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol, equal_nan=equal_nan)


def same(a, b) -> bool:
    """True when ``a`` and ``b`` have equal shapes and elements."""
    return bool(np.array_equal(_np(a), _np(b)))


def same_array(array1: nd.NDArray, array2: nd.NDArray) -> bool:
    """Whether two NDArrays share memory: adding 1 to ``array1`` shows in ``array2`` (and is undone).

    Example:
        >>> x = mx.nd.ones((2, 3))
        >>> mx.test_utils.same_array(x, x.reshape((3, 2))), mx.test_utils.same_array(x, x.copy())
        (True, False)
    """
    array1[:] += 1
    shared = same(array1.asnumpy(), array2.asnumpy())
    array1[:] -= 1
    return shared and same(array1.asnumpy(), array2.asnumpy())


def compare_ndarray_tuple(t1, t2, rtol=None, atol=None) -> None:
    """:func:`assert_almost_equal` over (nested) tuples of arrays, such as optimizer states;
    nothing is checked when either side is None."""
    if t1 is None or t2 is None:
        return
    if isinstance(t1, tuple):
        for s1, s2 in zip(t1, t2):
            compare_ndarray_tuple(s1, s2, rtol, atol)
    else:
        assert_almost_equal(t1, t2, rtol=rtol, atol=atol)


def assert_exception(f, exception_type: type, *args, **kwargs) -> None:
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise {exception_type.__name__}")
