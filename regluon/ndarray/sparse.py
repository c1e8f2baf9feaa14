"""``nd.sparse``: dense stand-ins for MXNet's sparse API.

regluon stores every array densely. These functions accept MXNet's sparse constructors' arguments and
return ordinary (dense) NDArrays with the same values, so code that builds CSR or row-sparse inputs
still runs; ``stype`` is always ``'default'``.
"""

from __future__ import annotations

import numpy as np

from ..base import MXNetError


def _nd():
    import sys

    return sys.modules["regluon.ndarray"]


def csr_matrix(arg1, shape=None, ctx=None, dtype=None):
    """A dense NDArray from CSR parts ``(data, indices, indptr)``, a dense array or a SciPy matrix.

    Example:
        >>> mx.nd.sparse.csr_matrix(([1.0, 2.0], [0, 2], [0, 1, 2]), shape=(2, 3))
    """
    nd = _nd()
    if isinstance(arg1, tuple) and len(arg1) == 3:
        data, indices, indptr = (np.asarray(a.asnumpy() if isinstance(a, nd.NDArray) else a) for a in arg1)
        if shape is None:
            raise MXNetError("sparse.csr_matrix: shape is required with (data, indices, indptr)")
        if len(indptr) != shape[0] + 1 or indptr[-1] != len(data) or len(indices) != len(data):
            raise MXNetError(
                f"sparse.csr_matrix: inconsistent CSR parts for shape {shape}: {len(data)} values, "
                f"{len(indices)} indices, {len(indptr)} row pointers"
            )
        dense = np.zeros(shape, dtype=dtype or data.dtype if data.size else np.float32)
        for row in range(shape[0]):
            for k in range(indptr[row], indptr[row + 1]):
                dense[row, int(indices[k])] = data[k]
        return nd.array(dense, ctx=ctx, dtype=dtype or np.float32)
    if hasattr(arg1, "toarray"):  # a SciPy sparse matrix
        return nd.array(arg1.toarray(), ctx=ctx, dtype=dtype)
    if isinstance(arg1, tuple) and len(arg1) == 2 and all(isinstance(d, int) for d in arg1):
        return nd.zeros(arg1, ctx=ctx, dtype=dtype or "float32")
    return nd.array(arg1, ctx=ctx, dtype=dtype)


def row_sparse_array(arg1, shape=None, ctx=None, dtype=None):
    """A dense NDArray from row-sparse parts ``(data, indices)`` (rows of ``data`` placed at ``indices``)."""
    nd = _nd()
    if isinstance(arg1, tuple) and len(arg1) == 2 and not all(isinstance(d, int) for d in arg1):
        data, indices = (np.asarray(a.asnumpy() if isinstance(a, nd.NDArray) else a) for a in arg1)
        if shape is None:
            raise MXNetError("sparse.row_sparse_array: shape is required with (data, indices)")
        dense = np.zeros(shape, dtype=dtype or np.float32)
        dense[indices.astype(np.int64)] = data
        return nd.array(dense, ctx=ctx, dtype=dtype or np.float32)
    if isinstance(arg1, tuple):
        return nd.zeros(arg1, ctx=ctx, dtype=dtype or "float32")
    return nd.array(arg1, ctx=ctx, dtype=dtype)


def zeros(stype, shape, ctx=None, dtype=None, **kwargs):
    """Zeros of ``shape`` (any ``stype`` gives a dense array here)."""
    return _nd().zeros(shape, ctx=ctx, dtype=dtype or "float32")


def array(source_array, ctx=None, dtype=None):
    """A dense NDArray from any array-like (sparse inputs are densified)."""
    if hasattr(source_array, "toarray"):
        source_array = source_array.toarray()
    return _nd().array(source_array, ctx=ctx, dtype=dtype)


def dot(lhs, rhs, transpose_a=False, transpose_b=False, forward_stype=None):
    """Matrix product; the same as ``nd.dot`` on dense arrays."""
    return _nd().dot(lhs, rhs, transpose_a=transpose_a, transpose_b=transpose_b)


__all__ = ["csr_matrix", "row_sparse_array", "zeros", "array", "dot"]
