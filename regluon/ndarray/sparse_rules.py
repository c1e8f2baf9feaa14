"""Which storage type MXNet 1.9.1 gives the result of each ``nd.sparse`` operator, and its lazy
row-sparse optimizer updates; used by :mod:`regluon.ndarray.sparse` (values are always dense).

A rule is ``rule(stypes, named) -> stype``: ``stypes`` are the storage types of the arguments in call
order (``'default'`` for numbers and dense arrays), ``named`` the call's arguments by name. The
rules restate what MXNet's storage-type inference gives (checked on MXNet 1.9.1 in
tests/test_sparse.py); an operator without a rule returns a dense (``'default'``) array.
"""

from __future__ import annotations

import torch

DEFAULT, CSR, RSP = "default", "csr", "row_sparse"

#: Single-input math whose result keeps a sparse input's storage type when it maps 0 to 0
#: (``sin``, ``sqrt``, ``relu``, ``clip(-1, 1)`` ...; ``exp``, ``cos``, ``sigmoid`` give dense arrays).
UNARY = frozenset(
    "_contrib_round_ste _contrib_sign_ste abs arccos arccosh arcsin arcsinh arctan arctanh cbrt ceil clip "
    "cos cosh degrees exp expm1 fix floor gamma gammaln log log10 log1p log2 make_loss negative radians relu "
    "rint round rsqrt sigmoid sign sin sinh sqrt square stop_gradient tan tanh trunc zeros_like".split()
)


def _sparse_kinds(stypes) -> set:
    return {s for s in stypes if s != DEFAULT}


def _same_sparse(stypes, named) -> str:
    """Both operands arrays of one sparse type (``csr + csr``); anything else is dense."""
    a, b = stypes[0], stypes[1]
    return a if a == b and not any(named.get("_scalar", ())) else DEFAULT


def _product(stypes, named) -> str:
    """A product keeps the one sparse type among its operands (``csr * dense`` is CSR)."""
    kinds = _sparse_kinds(stypes)
    return kinds.pop() if len(kinds) == 1 else DEFAULT


def _quotient(stypes, named) -> str:
    """Division of same-shape arrays is dense; by a number it keeps the array's sparse type (``csr / 2``)."""
    scalar = named.get("_scalar", (False, False))
    if scalar[0] != scalar[1]:
        return stypes[1] if scalar[0] else stypes[0]
    return DEFAULT


def _csr_by_dense(stypes, named) -> str:
    """``broadcast_mul/div(csr, dense)`` is CSR."""
    return CSR if stypes[0] == CSR and stypes[1] == DEFAULT else DEFAULT


def _slice(stypes, named) -> str:
    return CSR if stypes[0] == CSR else DEFAULT


def _concat(stypes, named) -> str:
    dim = int(named.get("dim", 1))
    return CSR if dim == 0 and stypes and all(s == CSR for s in stypes) else DEFAULT


def _add_n(stypes, named) -> str:
    return RSP if stypes and all(s == RSP for s in stypes) else DEFAULT


def _dot(stypes, named) -> str:
    if named.get("forward_stype") is not None:
        return named["forward_stype"]
    lhs, rhs = stypes[0], stypes[1]
    if lhs == CSR and rhs == DEFAULT and str(named.get("transpose_a", False)) in ("True", "1", "true"):
        return RSP
    if lhs == DEFAULT and rhs == CSR:
        return CSR
    return DEFAULT


STYPE_RULES = {
    "elemwise_add": _same_sparse,
    "elemwise_sub": _same_sparse,
    "add": _same_sparse,
    "subtract": _same_sparse,
    "elemwise_mul": _product,
    "multiply": _product,
    "divide": _quotient,
    "broadcast_mul": _csr_by_dense,
    "broadcast_div": _csr_by_dense,
    "slice": _slice,
    "concat": _concat,
    "add_n": _add_n,
    "ElementWiseSum": _add_n,
    "dot": _dot,
    "retain": lambda stypes, named: RSP,
    "cast_storage": lambda stypes, named: named["stype"],
}


def unary_rule(fn):
    """The rule of a single-input op: keep the input's storage type where ``fn`` maps 0 to 0 (with the
    call's parameters), as MXNet runs only zero-preserving math on sparse storage."""
    from .ndarray import NDArray

    cache: dict = {}

    def rule(stypes, named) -> str:
        data = named.get("data")
        if stypes[0] == DEFAULT or not isinstance(data, NDArray):
            return DEFAULT
        params = {k: v for k, v in named.items() if k not in ("data", "out")}
        try:
            key = (data.dtype, tuple(sorted(params.items())))
            hash(key)
        except TypeError:
            key = None
        keeps = cache.get(key) if key is not None else None
        if keeps is None:
            zero = NDArray._wrap(torch.zeros(1, dtype=data._tensor.dtype), data.context)
            keeps = bool((fn(zero, **params)._tensor == 0).all())
            if key is not None:
                cache[key] = keeps
        return stypes[0] if keeps else DEFAULT

    return rule


#: Optimizer updates that MXNet runs lazily on a row-sparse gradient: rows without gradient keep
#: their weight and states. ``True``: always (AdaGrad's sparse form); ``False``: when ``lazy_update``.
LAZY_UPDATES = {"sgd_update": False, "sgd_mom_update": False, "adam_update": False, "adagrad_update": True}


def lazy_rows_update(base, op, named: dict, call):
    """Run ``call()`` (the update) and then restore the rows of the weight (the result) and of the states
    where the row-sparse gradient is all zero, when MXNet's update is lazy for this call."""
    from .sparse import RowSparseNDArray

    grad = named.get("grad")
    if not isinstance(grad, RowSparseNDArray):
        return call()
    if not LAZY_UPDATES[base.__name__]:
        lazy = named.get("lazy_update", True)
        if not op.param_map["lazy_update"].convert(op.name, lazy):
            return call()
    g = grad._tensor.detach()
    idle = g.reshape(g.shape[0], -1).eq(0).all(dim=1)
    if not bool(idle.any()):
        return call()
    states = [named[n] for n in op.inputs[1:] if n != "grad" and named.get(n) is not None]
    saved = [s._tensor[idle].clone() for s in states]
    weight = named["weight"]._tensor[idle].clone()
    res = call()
    with torch.no_grad():
        for s, v in zip(states, saved):
            s._tensor[idle] = v
        res._tensor[idle] = weight
    return res
