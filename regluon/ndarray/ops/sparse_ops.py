"""Operators that MXNet defines for its sparse storage types, with their dense meaning.

regluon keeps every array dense, so these compute on dense values what MXNet computes on
CSR / row-sparse arrays (``nd.sparse`` tags the results with the storage type MXNet would give):

- ``cast_storage(data, stype)``: the values are unchanged (MXNet's ``tostype`` round-trips them).
- ``_sparse_retain(data, indices)`` (``nd.sparse.retain``): the rows listed in ``indices`` are kept,
  every other row becomes zero; indices past the last row select nothing, as in MXNet.
- ``_sparse_adagrad_update`` (``nd.sparse.adagrad_update``): AdaGrad on the rows where the gradient
  is nonzero (MXNet's row-sparse rule; rows without gradient keep weight and history).
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Enum, Float, Param
from ..register import OpDef, Sample, register
from ._common import rand

STYPES = ("default", "csr", "row_sparse")


def _cast_storage(data, stype):
    if stype == "csr" and data.dim() != 2:
        raise MXNetError(f"cast_storage: stype 'csr' needs a 2-D array, got shape {shape_str(data.shape)}")
    return data.clone()


register(
    OpDef(
        "cast_storage",
        impl=_cast_storage,
        params=(Param("stype", Enum(*STYPES), None, "Storage type of the result.", required=True),),
        ref=lambda x, stype: x,
        samples=lambda: [
            Sample((rand(2, 3),), {"stype": "default"}),
            Sample((np.array([[0, 1.5, 0], [0, 0, 0], [-2, 0, 3]], "float32"),), {"stype": "csr"}),
            Sample((np.array([[0, 0], [1.5, 0], [0, 0]], "float32"),), {"stype": "row_sparse"}),
            Sample((rand(3, 2, 2),), {"stype": "row_sparse"}),
        ],
        errors=lambda: [((rand(2, 3),), {"stype": "coo"}, r"cast_storage: .*stype.*coo")],
        doc="Change the storage type (dense here: the values are returned unchanged).\n\n"
        "Example: ``nd.cast_storage(x, stype='csr')`` is ``x.tostype('csr')``.",
    )
)


def row_mask(data: torch.Tensor, indices: torch.Tensor, op: str) -> torch.Tensor:
    """A (rows, 1, ...) 0/1 mask of the rows of ``data`` named by ``indices`` (others and indices past
    the end select nothing)."""
    if indices.dim() != 1:
        raise MXNetError(f"{op}: indices must be 1-D, got shape {shape_str(indices.shape)}")
    if data.dim() == 0:
        raise MXNetError(f"{op}: data must have at least one axis")
    rows = indices.to(torch.int64)
    rows = rows[(rows >= 0) & (rows < data.shape[0])]
    mask = torch.zeros(data.shape[0], dtype=torch.bool, device=data.device)
    mask[rows] = True
    return mask.reshape((-1,) + (1,) * (data.dim() - 1))


def _retain(data, indices):
    return data * row_mask(data, indices, "sparse.retain").to(data.dtype)


def _retain_ref(x, idx):
    keep = np.zeros(x.shape[0], bool)
    idx = idx.astype(np.int64)
    keep[idx[(idx >= 0) & (idx < x.shape[0])]] = True
    return np.where(keep.reshape((-1,) + (1,) * (x.ndim - 1)), x, 0).astype(x.dtype)


_NOT_DENSE = (
    "MXNet 1.9.1 runs it only on row_sparse inputs, which the generic golden generator does not make; "
    "tests/test_sparse.py checks it against MXNet on row_sparse arrays (tests/golden/sparse_golden.npz)"
)

register(
    OpDef(
        "_sparse_retain",
        impl=_retain,
        inputs=("data", "indices"),
        no_grad_inputs=("indices",),
        ref=_retain_ref,
        samples=lambda: [
            Sample((rand(4, 2), np.array([0, 3], "float32"))),
            Sample((rand(3, 2, 2), np.array([2, 7], "int64"))),
        ],
        errors=lambda: [
            ((rand(3, 2), np.zeros((1, 2), "float32")), {}, r"sparse.retain: indices must be 1-D")
        ],
        no_golden=_NOT_DENSE,
        doc="Keep the rows of ``data`` listed in ``indices``; all other rows become zero.",
    )
)


def _adagrad_update(weight, grad, history, lr, epsilon, wd, rescale_grad, clip_gradient, _out=None):
    if wd != 0.0:
        raise MXNetError(f"sparse.adagrad_update: weight decay is not supported (wd={wd}), as in MXNet")
    g = grad * rescale_grad
    if clip_gradient >= 0:
        g = g.clamp(-clip_gradient, clip_gradient)
    rows = g.reshape(g.shape[0], -1).ne(0).any(dim=1) if g.dim() else g.ne(0).reshape(1)
    mask = rows.reshape((-1,) + (1,) * (g.dim() - 1)) if g.dim() else rows[0]
    history.add_(torch.where(mask, g * g, torch.zeros_like(g)))
    step = torch.where(mask, g / (history + epsilon).sqrt(), torch.zeros_like(g))
    w = _out if _out is weight else weight.clone()
    w.sub_(step * lr)
    return w


def _adagrad_ref(w, g, h, lr, epsilon=1e-7, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0):
    g = rescale_grad * g
    if clip_gradient >= 0:
        g = np.clip(g, -clip_gradient, clip_gradient)
    h = h + g * g
    return w - lr * g / np.sqrt(h + epsilon)


register(
    OpDef(
        "_sparse_adagrad_update",
        impl=_adagrad_update,
        inputs=("weight", "grad", "history"),
        params=(
            Param("lr", Float(), None, "Learning rate.", required=True),
            Param("epsilon", Float(), 1e-7, "Added to the square root of the history."),
            Param("wd", Float(), 0.0, "Weight decay; must be 0 (MXNet has none for this operator)."),
            Param("rescale_grad", Float(), 1.0, "Multiply the gradient by this first."),
            Param(
                "clip_gradient",
                Float(),
                -1.0,
                "Clip the rescaled gradient to [-c, c]; negative: no clipping.",
            ),
        ),
        takes_out=True,
        differentiable=False,
        ref=_adagrad_ref,
        samples=lambda: [
            Sample((rand(3, 2), rand(3, 2, seed=1), rand(3, 2, low=0.1, high=1, seed=2)), {"lr": 0.1}),
            Sample(
                (rand(4), rand(4, seed=1), rand(4, low=0.1, high=1, seed=2)),
                {"lr": 0.2, "rescale_grad": 0.5, "clip_gradient": 0.3},
            ),
        ],
        errors=lambda: [
            ((rand(3, 2), rand(3, 2), rand(3, 2)), {"lr": 0.1, "wd": 0.1}, r"adagrad_update: weight decay"),
        ],
        no_golden=_NOT_DENSE,
        doc="One AdaGrad step on the rows with a gradient: ``history += g*g; weight -= lr * g / "
        "sqrt(history + epsilon)`` with ``g = clip(rescale_grad * grad)``; the history is updated in place.",
    )
)
