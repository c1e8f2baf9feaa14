"""Which storage type MXNet 1.9.1 gives the result of an operator on sparse inputs, and its lazy
row-sparse optimizer updates; used by :mod:`regluon.ndarray.sparse` (values are always dense).

The rules are keyed by the op table's canonical names and hold for every way an op is called
(``nd.abs``, ``nd.sparse.abs``, ``x.abs()``). A rule is ``rule(stypes, params, dtype) -> stype``:
``stypes`` are the storage types of the inputs in call order (``'default'`` for dense arrays),
``params`` the call's converted parameters, ``dtype`` the first input's torch dtype. They restate MXNet's storage-type inference as surveyed
on MXNet 1.9.1 (golden cases in tools/gen_sparse_golden.py); an op without a rule gives a dense
(``'default'``) array, as MXNet's fallback for operators without a sparse kernel does.
"""

from __future__ import annotations

import torch

from ..base import MXNetError

DEFAULT, CSR, RSP = "default", "csr", "row_sparse"

#: Ops that MXNet runs on the stored values only: the result has the input's sparse type.
KEEPS = frozenset(
    "_copy BlockGrad make_loss zeros_like _contrib_gradientmultiplier _mul_scalar _div_scalar".split()
)

#: Single-input ops with a sparse kernel in MXNet, used when they map 0 to 0 with the call's
#: parameters: ``relu(csr)`` and ``csr > 0.5`` are CSR, ``csr + 1`` and ``csr == 0`` are dense.
#: Those without one (``exp``, ``cos``, ``sigmoid``, ``erf``, ``isnan``, ``x ** 2`` ...) are dense.
ZERO_PRESERVING = frozenset(
    "abs arcsin arcsinh arctan arctanh cbrt ceil degrees expm1 fix floor log1p negative radians relu "
    "rint round sign sin sinh sqrt square tan tanh trunc _contrib_isinf _contrib_round_ste "
    "_contrib_sign_ste _plus_scalar _minus_scalar _equal_scalar _not_equal_scalar _greater_scalar "
    "_greater_equal_scalar _lesser_scalar _lesser_equal_scalar clip _contrib_quadratic".split()
)
#: Of those, the ones whose sparse kernel takes CSR only (a row-sparse input gives a dense result).
CSR_ONLY = frozenset(("_contrib_quadratic",))
#: Of those, the ones MXNet refuses on a sparse input where the op does not map 0 to 0.
STRICT = frozenset(("clip",))


def zero_rule(op):
    """The rule of a zero-preserving op: keep the (single) sparse input's type where ``op`` maps 0 to 0
    with the call's parameters, found once per dtype and parameter set by running it on a zero."""
    cache: dict = {}
    impl, name = op.impl, op.name

    def rule(stypes, params, dtype=torch.float32) -> str:
        kind = stypes[0]
        if kind == DEFAULT or (kind == RSP and name in CSR_ONLY):
            return DEFAULT
        try:
            key = (dtype, tuple(params.items()))
            keeps = cache.get(key)
        except TypeError:  # an unhashable parameter value
            key, keeps = None, None
        if keeps is None:
            res = impl(torch.zeros(1, dtype=dtype), **params)
            keeps = bool((res == 0).all())
            if key is not None and len(cache) < 256:
                cache[key] = keeps
        if not keeps and name in STRICT:
            shown = ", ".join(f"{k}={v}" for k, v in params.items())
            raise MXNetError(
                f"{name}: not implemented for a {kind} input where the result is not zero at the zeros "
                f"({shown}); convert with tostype('default') first"
            )
        return kind if keeps else DEFAULT

    return rule


def _keep(stypes, params, dtype=None) -> str:
    return stypes[0]


def _same_sparse(stypes, params, dtype=None) -> str:
    """Both operands of one sparse type (``elemwise_add(csr, csr)``); anything else is dense."""
    a, b = stypes[0], stypes[1]
    return a if a == b else DEFAULT


def _product(stypes, params, dtype=None) -> str:
    """A product keeps the one sparse type among its operands (``elemwise_mul(csr, dense)`` is CSR)."""
    kinds = {s for s in stypes if s != DEFAULT}
    return kinds.pop() if len(kinds) == 1 else DEFAULT


def _csr_by_dense(stypes, params, dtype=None) -> str:
    """``broadcast_mul/div(csr, dense)`` is CSR."""
    return CSR if stypes[0] == CSR and stypes[1] == DEFAULT else DEFAULT


def _slice(stypes, params, dtype=None) -> str:
    return CSR if stypes[0] == CSR else DEFAULT


def _take(stypes, params, dtype=None) -> str:
    """``take(csr, indices)`` along axis 0 picks CSR rows."""
    return CSR if stypes[0] == CSR and stypes[1] == DEFAULT and params.get("axis", 0) == 0 else DEFAULT


def _concat(stypes, params, dtype=None) -> str:
    dim = int(params.get("dim", 1))
    return CSR if dim == 0 and stypes and all(s == CSR for s in stypes) else DEFAULT


def _add_n(stypes, params, dtype=None) -> str:
    return RSP if stypes and all(s == RSP for s in stypes) else DEFAULT


def _dot(stypes, params, dtype=None) -> str:
    if params.get("forward_stype") is not None:
        return params["forward_stype"]
    lhs, rhs = stypes[0], stypes[1]
    if lhs == CSR and rhs == DEFAULT and params.get("transpose_a"):
        return RSP
    if lhs == DEFAULT and rhs == CSR:
        return CSR
    return DEFAULT


#: canonical op name -> rule, besides KEEPS and ZERO_PRESERVING
STYPE_RULES = {
    "elemwise_add": _same_sparse,
    "elemwise_sub": _same_sparse,
    "_maximum": _same_sparse,
    "_minimum": _same_sparse,
    "_hypot": _same_sparse,
    "elemwise_mul": _product,
    "broadcast_mul": _csr_by_dense,
    "broadcast_div": _csr_by_dense,
    "slice": _slice,
    "take": _take,
    "concat": _concat,
    "add_n": _add_n,
    "dot": _dot,
    "_sparse_retain": lambda stypes, params, dtype=None: RSP,
    "cast_storage": lambda stypes, params, dtype=None: params["stype"],
}


def build_rules(get_op) -> dict:
    """canonical op name -> rule for every op with a sparse result (``get_op`` looks ops up)."""
    rules = {name: _keep for name in KEEPS}
    rules.update(STYPE_RULES)
    for name in ZERO_PRESERVING:
        rules[name] = zero_rule(get_op(name))
    return rules


#: Optimizer updates that MXNet runs lazily on a row-sparse gradient: rows without gradient keep
#: their weight and states. ``"always"`` (AdaGrad's sparse form), ``"lazy_update"`` (when the call's
#: ``lazy_update`` is true) or ``"row_sparse_weight"`` (when the weight is row-sparse too: FTRL's sparse
#: kernel; a dense weight takes the dense update).
LAZY_UPDATES = {
    "sgd_update": "lazy_update",
    "sgd_mom_update": "lazy_update",
    "adam_update": "lazy_update",
    "adagrad_update": "always",
    "ftrl_update": "row_sparse_weight",
}


def lazy_rows_update(base, op, named: dict, call):
    """Run ``call()`` (the update) and then restore the rows of the weight (the result) and of the states
    where the row-sparse gradient is all zero, when MXNet's update is lazy for this call."""
    from .sparse import RowSparseNDArray

    grad = named.get("grad")
    if not isinstance(grad, RowSparseNDArray):
        return call()
    mode = LAZY_UPDATES[base.__name__]
    if mode == "lazy_update":
        lazy = named.get("lazy_update", True)
        if not op.param_map["lazy_update"].convert(op.name, lazy):
            return call()
    elif mode == "row_sparse_weight" and not isinstance(named.get("weight"), RowSparseNDArray):
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
