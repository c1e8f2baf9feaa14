"""``mx.test_utils`` test data: random shapes, arrays (dense and sparse), matrices with known
properties, and small NumPy helpers.

Part of :mod:`regluon.test_utils`, which re-exports every public name here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import ndarray as nd
from ._test_utils_compare import default_dtype


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


def rand_coord_2d(x_low: int, x_high: int, y_low: int, y_high: int) -> tuple:
    """A random integer point with ``x_low <= x < x_high`` and ``y_low <= y < y_high``."""
    x = np.random.randint(x_low, x_high, dtype=np.int64)
    y = np.random.randint(y_low, y_high, dtype=np.int64)
    return x, y


def random_arrays(*shapes):
    """Standard-normal float32 NumPy arrays of the given shapes (one array for one shape)."""
    arrays = [
        np.array(np.random.randn(), dtype=default_dtype())
        if len(s) == 0
        else np.random.randn(*s).astype(default_dtype())
        for s in shapes
    ]
    return arrays[0] if len(arrays) == 1 else arrays


def random_uniform_arrays(*shapes, low: float = 0.0, high: float = 1.0, dtype=None) -> list:
    """A list of NumPy arrays, uniform in ``[low, high)``, one per shape (float32 by default).

    Example:
        >>> a, b = mx.test_utils.random_uniform_arrays((2, 3), (4,), low=-1, high=1)
    """
    dtype = default_dtype() if dtype is None else dtype
    return [np.random.uniform(low, high, size=s).astype(dtype) for s in shapes]


def random_sample(population: list, k: int) -> list:
    """``k`` elements of ``population`` drawn without replacement, in random order."""
    if not 0 <= k <= len(population):
        raise AssertionError(f"random_sample: k={k} must be between 0 and len(population)={len(population)}")
    pool = list(population)
    np.random.shuffle(pool)
    return pool[:k]


def assign_each(the_input: np.ndarray, function: Callable | None) -> np.ndarray:
    """``function`` applied to each element of ``the_input`` (a float64 array of its shape); a copy
    of the input when ``function`` is None."""
    if function is None:
        return np.array(the_input)
    src = np.asarray(the_input)
    out = np.zeros(src.shape)
    for idx in np.ndindex(src.shape):
        out[idx] = function(src[idx])
    return out


def assign_each2(input1: np.ndarray, input2: np.ndarray, function: Callable | None) -> np.ndarray:
    """``function(a, b)`` for each pair of elements of two arrays of one shape (float64 result)."""
    if function is None:
        return np.array(input1)
    a, b = np.asarray(input1), np.asarray(input2)
    if a.shape != b.shape:
        raise AssertionError(f"assign_each2: shapes {a.shape} and {b.shape} differ")
    out = np.zeros(a.shape)
    for idx in np.ndindex(a.shape):
        out[idx] = function(a[idx], b[idx])
    return out


def collapse_sum_like(a: np.ndarray, shape) -> np.ndarray:
    """Sum ``a`` down to ``shape`` (a shape that broadcasts to ``a.shape``): the reverse of broadcasting.

    Example:
        >>> mx.test_utils.collapse_sum_like(np.ones((2, 3, 4)), (3, 1))
        array([[8.],
               [8.],
               [8.]])
    """
    shape = tuple(shape)
    if a.ndim < len(shape):
        raise AssertionError(f"collapse_sum_like: shape {shape} has more axes than the array {a.shape}")
    if a.size == 0 or int(np.prod(shape)) == 0:
        return np.zeros(shape, dtype=a.dtype)
    lead = a.ndim - len(shape)
    axes = list(range(lead))
    for i, s in enumerate(shape):
        if s != a.shape[lead + i]:
            if s != 1:
                raise AssertionError(f"collapse_sum_like: shape {shape} does not broadcast to {a.shape}")
            axes.append(lead + i)
    return np.sum(a, axis=tuple(axes)).reshape(shape)


def np_reduce(dat: np.ndarray, axis, keepdims: bool, numpy_reduce_func: Callable) -> np.ndarray:
    """Reduce ``dat`` with a NumPy reduction (``np.sum``, ``np.max``, ...) one axis at a time, over an
    int, a list of axes or all axes (None), keeping the reduced axes as 1 when ``keepdims``."""
    axes = [axis] if isinstance(axis, int) else (list(axis) if axis is not None else list(range(dat.ndim)))
    out = dat
    for ax in sorted(axes, reverse=True):
        out = numpy_reduce_func(out, axis=ax)
    if keepdims:
        kept = list(dat.shape)
        for ax in axes:
            kept[ax] = 1
        out = out.reshape(tuple(kept))
    return out


def new_orthonormal_matrix_2d(n: int) -> np.ndarray:
    """A random ``n x n`` orthonormal matrix (float64)."""
    x = np.random.randn(n, n)
    return np.linalg.qr(x.T @ x)[0]


def new_matrix_with_real_eigvals_2d(n: int) -> np.ndarray:
    """A random ``n x n`` matrix similar to a diagonal one with eigenvalues in [-10, 10], through a
    well-conditioned (condition number below 3) change of basis."""
    while True:
        v = np.random.uniform(-1.0, 1.0, (n, 1))
        v /= np.linalg.norm(v)
        q = (np.eye(n) - 2 * v @ v.T) @ np.diag(np.random.uniform(-1.0, 1.0, n))
        if np.linalg.cond(q, 2) < 3:
            break
    d = np.diag(np.random.uniform(-10.0, 10.0, n))
    return np.linalg.inv(q) @ d @ q


def new_matrix_with_real_eigvals_nd(shape) -> np.ndarray:
    """A batch of :func:`new_matrix_with_real_eigvals_2d` matrices of ``shape`` (last two axes square)."""
    count = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return np.array([new_matrix_with_real_eigvals_2d(shape[-1]) for _ in range(count)]).reshape(shape)


def new_sym_matrix_with_real_eigvals_2d(n: int) -> np.ndarray:
    """A random symmetric ``n x n`` matrix with eigenvalues in [-10, 10]."""
    q = new_orthonormal_matrix_2d(n)
    return q.T @ np.diag(np.random.uniform(-10.0, 10.0, n)) @ q


def new_sym_matrix_with_real_eigvals_nd(shape) -> np.ndarray:
    """A batch of :func:`new_sym_matrix_with_real_eigvals_2d` matrices of ``shape``."""
    count = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return np.array([new_sym_matrix_with_real_eigvals_2d(shape[-1]) for _ in range(count)]).reshape(shape)


def get_identity_mat(size: int) -> nd.NDArray:
    """The ``size x size`` identity as a float32 NDArray."""
    return nd.array(np.eye(size, dtype=np.float32))


def get_identity_mat_batch(size: int) -> nd.NDArray:
    """Two stacked ``size x size`` identities: shape ``(2, size, size)``."""
    eye = np.eye(size, dtype=np.float32)
    return nd.array(np.stack([eye, eye]))


def create_2d_tensor(rows: int, columns: int, dtype=np.int64) -> nd.NDArray:
    """A ``rows x columns`` NDArray whose row ``i`` is filled with ``i``."""
    col = nd.arange(0, rows, dtype=dtype).reshape((rows, 1))
    return nd.broadcast_to(col, shape=(rows, columns))


def create_vector(size: int, dtype=np.int64) -> nd.NDArray:
    """``nd.arange(0, size)`` in ``dtype`` (int64 by default)."""
    return nd.arange(0, size, dtype=dtype)
