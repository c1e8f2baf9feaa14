"""MXNet 1.x's legacy operators kept for old code: ``_onehot_encode`` (behind ``nd.onehot_encode``).

``nd.onehot_encode(indices, out)`` is the form older than ``one_hot``: it overwrites the 2-d float32
array ``out`` with one row per index (a 1 in column ``int(index)``, zeros elsewhere; rows of indices
outside ``[0, out.shape[1])`` are all zero) and returns ``out``.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..register import OpDef, Sample, invoke, register
from ._common import rand


def _onehot_encode(lhs, rhs):
    if lhs.dim() != 1 or rhs.dim() != 2:
        raise MXNetError(
            f"onehot_encode: indices must be 1-d and out 2-d, got indices {shape_str(lhs.shape)} and "
            f"out {shape_str(rhs.shape)}"
        )
    if lhs.shape[0] != rhs.shape[0]:
        raise MXNetError(
            f"onehot_encode: indices {shape_str(lhs.shape)} and out {shape_str(rhs.shape)} must have the "
            "same number of rows"
        )
    if lhs.dtype != torch.float32 or rhs.dtype != torch.float32:
        raise MXNetError(
            f"onehot_encode: MXNet supports float32 indices and out only, got {str(lhs.dtype)[6:]} and "
            f"{str(rhs.dtype)[6:]}; use one_hot for other dtypes"
        )
    depth = rhs.shape[1]
    idx = lhs.trunc()
    cols = torch.arange(depth, dtype=lhs.dtype, device=lhs.device)
    return (idx[:, None] == cols).to(rhs.dtype)


def _onehot_ref(indices, out):
    res = np.zeros(out.shape, dtype=np.float32)
    for i, v in enumerate(np.trunc(indices)):
        if 0 <= v < out.shape[1]:
            res[i, int(v)] = 1
    return res


register(
    OpDef(
        "_onehot_encode",
        impl=_onehot_encode,
        inputs=("lhs", "rhs"),
        ref=_onehot_ref,
        samples=lambda: [
            Sample((np.array([1, 0, 3], np.float32), np.zeros((3, 4), np.float32))),
            # out's old values do not matter; fractions truncate; out-of-range rows stay zero
            Sample((np.array([1.7, 5, -1, 2.2], np.float32), rand(4, 3))),
        ],
        errors=lambda: [
            ((np.array([1, 0], np.float32), np.zeros((3, 4), np.float32)), {}, r"same number of rows"),
            ((np.array([[1, 0]], np.float32), np.zeros((1, 2, 4), np.float32)), {}, r"indices must be 1-d"),
            ((np.array([1, 0], np.int32), np.zeros((2, 4), np.float32)), {}, r"float32 indices and out only"),
            (
                (np.array([1, 0], np.float64), np.zeros((2, 4), np.float64)),
                {},
                r"float32 indices and out only",
            ),
        ],
        differentiable=False,
        doc="One-hot rows for 1-d float32 indices, shaped like the 2-d float32 ``rhs`` (whose values are "
        "ignored). Called by ``nd.onehot_encode(indices, out)``.\n\n"
        "Example:\n    >>> mx.nd._onehot_encode(mx.nd.array([1, 0]), mx.nd.zeros((2, 3)))",
    )
)


def onehot_encode(indices, out):
    """Overwrite ``out`` (2-d, float32) with the one-hot encoding of the 1-d float32 ``indices``.

    The legacy form of ``one_hot``: row ``i`` of ``out`` becomes all zeros with a 1 in column
    ``int(indices[i])`` (no 1 when that column does not exist). Returns ``out``.

    Example:
        >>> out = mx.nd.zeros((2, 3))
        >>> mx.nd.onehot_encode(mx.nd.array([2, 0]), out).asnumpy()
        array([[0., 0., 1.],
               [1., 0., 0.]], dtype=float32)
    """
    from ..register import get_op

    return invoke(get_op("_onehot_encode"), [indices, out], {}, out)


#: Python-level functions of ``mx.nd`` defined here (public name -> function)
FUNCTIONS = {"onehot_encode": onehot_encode}
