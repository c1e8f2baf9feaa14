"""``mx.test_utils``: the helpers MXNet users call in their own test suites.

Comparisons accept NDArrays or NumPy arrays and use MXNet's per-dtype default tolerances. The
functions live in four modules (comparisons, test data, sparse test data, checks); this one holds
the environment helpers and re-exports the rest under MXNet's names. regluon has no Symbol yet, so
the Symbol-based checks take Python functions of NDArrays (see ``check_consistency``).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable

from . import ndarray as nd
from ._test_utils_checks import (  # noqa: F401
    check_consistency,
    check_gluon_hybridize_consistency,
    check_numeric_gradient,
    check_speed,
    check_symbolic_backward,
    check_symbolic_forward,
    chi_square_check,
    compare_optimizer,
    gen_buckets_probs_with_ppf,
    mean_check,
    numeric_grad,
    same_symbol_structure,
    simple_forward,
    var_check,
    verify_generator,
)
from ._test_utils_compare import (  # noqa: F401
    almost_equal,
    assert_allclose,
    assert_almost_equal,
    assert_almost_equal_ignore_nan,
    assert_almost_equal_with_err,
    assert_exception,
    checkShapes,
    compare_ndarray_tuple,
    default_atols,
    default_dtype,
    default_numeric_eps,
    default_rtols,
    effective_dtype,
    get_atol,
    get_cuda_compute_capability,
    get_etol,
    get_rtol,
    get_tolerance,
    get_tols,
    locationError,
    same,
    same_array,
)
from ._test_utils_data import (  # noqa: F401
    assign_each,
    assign_each2,
    collapse_sum_like,
    create_2d_tensor,
    create_vector,
    get_identity_mat,
    get_identity_mat_batch,
    new_matrix_with_real_eigvals_2d,
    new_matrix_with_real_eigvals_nd,
    new_orthonormal_matrix_2d,
    new_sym_matrix_with_real_eigvals_2d,
    new_sym_matrix_with_real_eigvals_nd,
    np_reduce,
    rand_coord_2d,
    rand_shape_2d,
    rand_shape_3d,
    rand_shape_nd,
    random_arrays,
    random_sample,
    random_uniform_arrays,
)
from ._test_utils_download import (  # noqa: F401
    download,
    get_bz2_data,
    get_cifar10,
    get_mnist,
    get_mnist_iterator,
    get_mnist_ubyte,
    get_zip_data,
)
from ._test_utils_sparse import (  # noqa: F401
    create_sparse_array,
    create_sparse_array_zd,
    rand_ndarray,
    rand_sparse_ndarray,
)
from .context import Context, current_context, num_gpus
from .io.io import DataIter


def default_context() -> Context:
    """The context tests run on (the current default context)."""
    return current_context()


def set_default_context(ctx: Context) -> None:
    """Make ``ctx`` the default for arrays created afterwards (pushes it on the context stack)."""
    ctx.__enter__()


def list_gpus() -> range:
    """``range(n)`` over the n CUDA GPUs torch can use (empty without one)."""
    return range(num_gpus())


def is_op_runnable() -> bool:
    """Whether operators can run on the current context: always True here (MXNet's restriction
    concerns its TVM-compiled operators, which regluon does not have)."""
    return True


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
            setenv(k, v)
        yield
    finally:
        for k, v in saved.items():
            setenv(k, v)


def setenv(name: str, value: str | None) -> None:
    """Set (or, with None, unset) an environment variable of this process.

    Example:
        >>> mx.test_utils.setenv('MXNET_ENGINE_TYPE', 'NaiveEngine')
    """
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = str(value)


def getenv(name: str) -> str | None:
    """The value of an environment variable of this process, or None when it is not set."""
    return os.environ.get(name)


def retry(n: int) -> Callable:
    """Decorator for stochastic tests: run the test up to ``n`` times until it passes; the last
    AssertionError is raised when all runs fail (other exceptions pass through at once).

    Example:
        >>> @mx.test_utils.retry(3)
        ... def test_sampler(): ...
    """
    if n <= 0:
        raise AssertionError(f"retry: n must be positive, got {n}")

    def decorate(f: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            for i in range(n):
                try:
                    f(*args, **kwargs)
                    return
                except AssertionError:
                    if i == n - 1:
                        raise
                    nd.waitall()

        wrapper.__name__, wrapper.__doc__ = f.__name__, f.__doc__
        return wrapper

    return decorate


@contextlib.contextmanager
def discard_stderr():
    """Send whatever is written to the process's standard error (file descriptor 2, so also what C
    libraries print) to the null device inside a ``with`` block."""
    try:
        fileno = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr is not backed by a file descriptor
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fileno)
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), fileno)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, fileno)
        os.close(saved)


class DummyIter(DataIter):
    """An iterator that returns the first batch of ``real_iter`` again and again (for speed tests);
    it never raises StopIteration.

    Example:
        >>> it = mx.test_utils.DummyIter(mx.io.NDArrayIter(np.ones((8, 2)), batch_size=4))
        >>> next(it) is next(it)
        True
    """

    def __init__(self, real_iter: DataIter):
        super().__init__()
        self.real_iter = real_iter
        self.provide_data = real_iter.provide_data
        self.provide_label = real_iter.provide_label
        self.batch_size = real_iter.batch_size
        self.the_batch = next(real_iter)

    def __iter__(self):
        return self

    def next(self):
        """The first batch of the real iterator, every time."""
        return self.the_batch
