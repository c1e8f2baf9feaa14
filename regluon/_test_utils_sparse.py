"""``mx.test_utils`` random arrays of every storage type: ``rand_ndarray``, ``rand_sparse_ndarray``,
``create_sparse_array`` and ``create_sparse_array_zd``.

regluon stores sparse arrays densely (see :mod:`regluon.ndarray.sparse`); these functions draw the
same kinds of random CSR and row-sparse arrays as MXNet and return them with their storage tags.
Part of :mod:`regluon.test_utils`, which re-exports every public name here.
"""

from __future__ import annotations

import numpy as np

from . import ndarray as nd
from ._test_utils_compare import default_dtype
from ._test_utils_data import assign_each, random_arrays
from .context import Context, current_context


def rand_ndarray(
    shape,
    stype: str = "default",
    density=None,
    dtype=None,
    modifier_func=None,
    shuffle_csr_indices: bool = False,
    distribution=None,
    ctx: Context | None = None,
) -> nd.NDArray:
    """A random NDArray: standard normal when dense (``modifier_func`` applies to sparse ones only),
    else as :func:`rand_sparse_ndarray` draws it.

    Example:
        >>> mx.test_utils.rand_ndarray((3, 4), 'csr', density=0.5).stype
        'csr'
    """
    ctx = ctx or current_context()
    if stype == "default":
        values = random_arrays(tuple(shape))
        return nd.array(values, ctx=ctx, dtype=dtype or values.dtype)
    arr, _ = rand_sparse_ndarray(
        shape,
        stype,
        density=density,
        dtype=dtype,
        distribution=distribution,
        modifier_func=modifier_func,
        shuffle_csr_indices=shuffle_csr_indices,
        ctx=ctx,
    )
    return arr


def rand_sparse_ndarray(
    shape,
    stype: str,
    density=None,
    dtype=None,
    distribution=None,
    data_init=None,
    rsp_indices=None,
    modifier_func=None,
    shuffle_csr_indices: bool = False,
    ctx: Context | None = None,
):
    """A random sparse NDArray and its parts.

    ``stype='row_sparse'``: each row is kept with probability ``density`` (or the rows
    ``rsp_indices`` are), filled with uniform [0, 1) values (all ``data_init`` if given, then passed
    through ``modifier_func``); returns ``(array, (values, row_indices))`` as NumPy parts.
    ``stype='csr'`` (2-d only): ``distribution='uniform'`` puts ``round(density * size)`` uniform
    values at random positions; ``'powerlaw'`` fills row ``i`` with about ``2 ** i`` nonzeros after
    one in every row's first column; returns ``(array, (indptr, indices, data))`` as NDArrays.
    ``density`` defaults to a random number in [0, 1), ``dtype`` to float32.

    Example:
        >>> arr, (values, rows) = mx.test_utils.rand_sparse_ndarray((6, 2), 'row_sparse', density=0.5)
        >>> arr.stype
        'row_sparse'
    """
    ctx = ctx or current_context()
    density = np.random.rand() if density is None else density
    dtype = default_dtype() if dtype is None else dtype
    distribution = "uniform" if distribution is None else distribution
    if stype == "row_sparse":
        if distribution != "uniform":
            raise AssertionError(f"Distribution {distribution} not supported for row_sparse")
        return _rand_row_sparse(shape, density, dtype, data_init, rsp_indices, modifier_func, ctx)
    if stype == "csr":
        if len(shape) != 2:
            raise AssertionError(f"rand_sparse_ndarray: a csr array is 2-d, got shape {tuple(shape)}")
        if distribution == "uniform":
            csr = _uniform_csr(shape[0], shape[1], density, dtype, data_init, shuffle_csr_indices, ctx)
        elif distribution == "powerlaw":
            csr = _powerlaw_csr(shape[0], shape[1], density, dtype, ctx)
        else:
            raise AssertionError(f"Distribution not supported: {distribution}")
        return csr, (csr.indptr, csr.indices, csr.data)
    raise AssertionError(f"unknown storage type {stype!r}; use 'csr' or 'row_sparse'")


def _rand_row_sparse(shape, density, dtype, data_init, rsp_indices, modifier_func, ctx):
    if rsp_indices is not None:
        indices = np.asarray(rsp_indices)
        if len(indices) > shape[0]:
            raise AssertionError(f"rsp_indices has {len(indices)} rows, more than shape[0]={shape[0]}")
    else:
        indices = np.argwhere(np.random.rand(shape[0]) < density).flatten()
    if indices.shape[0] == 0:
        empty = nd.sparse.zeros("row_sparse", tuple(shape), ctx=ctx, dtype=dtype)
        return empty, (np.array([], dtype=dtype), np.array([]))
    values = np.random.rand(indices.shape[0], *shape[1:]).astype(dtype)
    if data_init is not None:
        values.fill(data_init)
    if modifier_func is not None:
        values = assign_each(values, modifier_func)
    arr = nd.sparse.row_sparse_array((values, indices), shape=tuple(shape), dtype=dtype, ctx=ctx)
    return arr, (values, indices)


def _check_csr_request(rows: int, cols: int, density: float, distribution: str) -> None:
    if density < 0 or density > 1:
        raise ValueError("density has to be between 0 and 1")
    if rows <= 0 or cols <= 0:
        raise ValueError("num_rows or num_cols should be greater than 0")
    if distribution == "powerlaw" and int(rows * cols * density) < 2 * rows:
        raise ValueError(
            f"not supported for this density: {density} for this shape ({rows}, {cols}) Please keep : "
            "num_rows * num_cols * density >= 2 * num_rows"
        )


def _uniform_csr(rows, cols, density, dtype, data_init, shuffle, ctx):
    _check_csr_request(rows, cols, density, "uniform")
    nnz = int(round(density * rows * cols))
    flat = np.sort(np.random.choice(rows * cols, size=nnz, replace=False))
    row_of, indices = np.divmod(flat, cols)
    data = np.random.rand(nnz).astype(dtype)
    if data_init is not None:
        data.fill(data_init)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=rows))])
    if shuffle:  # column indices in random order within each row, as MXNet's option does
        for r in range(rows):
            np.random.shuffle(indices[indptr[r] : indptr[r + 1]])
    return nd.sparse.csr_matrix((data, indices, indptr), shape=(rows, cols), dtype=dtype, ctx=ctx)


def _powerlaw_csr(rows, cols, density, dtype, ctx):
    _check_csr_request(rows, cols, density, "powerlaw")
    left = int(rows * cols * density)
    dense = np.zeros((rows, cols), dtype=dtype)

    def done():
        return nd.array(dense, dtype=dtype, ctx=ctx).tostype("csr")

    for r in range(rows):  # no empty row: a value in every row's first column
        dense[r, 0] = 1 + np.random.uniform(0.001, 2)
        left -= 1
        if left <= 0:
            return done()
    width = 2
    for r in range(rows):  # then row r gets up to 2 ** (r + 1) values, whole rows once that is all of them
        limit = min(cols, width)
        if limit == cols and left > limit:
            dense[r] = 1 + np.random.uniform(0.001, 2)
            left -= limit - 1
            if left <= 0:
                return done()
            continue
        for c in range(1, limit):
            dense[r, c] = 1 + np.random.uniform(0.001, 2)
            left -= 1
            if left <= 0:
                return done()
        width *= 2
    if left > 0:
        raise ValueError(f"not supported for this density: {density} for this shape ({rows},{cols})")
    return done()


def create_sparse_array(
    shape,
    stype: str,
    data_init=None,
    rsp_indices=None,
    dtype=None,
    modifier_func=None,
    density: float = 0.5,
    shuffle_csr_indices: bool = False,
) -> nd.NDArray:
    """A random sparse array as :func:`rand_sparse_ndarray` draws it (row-sparse ``rsp_indices``
    are sorted first); only the array is returned."""
    if stype == "row_sparse":
        rows = None if rsp_indices is None else np.sort(np.asarray(rsp_indices))
        arr, _ = rand_sparse_ndarray(
            shape,
            stype,
            density=density,
            data_init=data_init,
            rsp_indices=rows,
            dtype=dtype,
            modifier_func=modifier_func,
        )
        return arr
    if stype == "csr":
        arr, _ = rand_sparse_ndarray(
            shape,
            stype,
            density=density,
            data_init=data_init,
            dtype=dtype,
            modifier_func=modifier_func,
            shuffle_csr_indices=shuffle_csr_indices,
        )
        return arr
    raise AssertionError("Unknown storage type: " + str(stype))


def create_sparse_array_zd(
    shape,
    stype: str,
    density: float,
    data_init=None,
    rsp_indices=None,
    dtype=None,
    modifier_func=None,
    shuffle_csr_indices: bool = False,
) -> nd.NDArray:
    """:func:`create_sparse_array` where a row-sparse array has exactly the rows ``rsp_indices``
    (its density is 0, so no other row is drawn)."""
    if stype == "row_sparse":
        density = 0.0
        if rsp_indices is not None and len(rsp_indices) > shape[0]:
            raise AssertionError(f"rsp_indices has {len(rsp_indices)} rows, more than shape[0]={shape[0]}")
    return create_sparse_array(
        shape,
        stype,
        data_init=data_init,
        rsp_indices=rsp_indices,
        dtype=dtype,
        modifier_func=modifier_func,
        density=density,
        shuffle_csr_indices=shuffle_csr_indices,
    )
