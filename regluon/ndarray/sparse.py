"""``mx.nd.sparse``: MXNet's sparse API over dense storage.

regluon stores every array densely. What this module keeps from MXNet's sparse API:

- **Storage-type tags.** ``CSRNDArray`` and ``RowSparseNDArray`` are NDArray subclasses holding the
  dense values; ``x.stype`` reports ``'csr'`` / ``'row_sparse'`` (``'default'`` for plain arrays).
  Constructors (``csr_matrix``, ``row_sparse_array``, ``zeros``, ``empty``, ``array``),
  ``x.tostype(...)``/``cast_storage``, and every operator on sparse inputs (``nd.abs``,
  ``nd.sparse.abs``, ``x.abs()``, ``x * 2``, ``x > 0`` ...) return the storage type MXNet 1.9.1
  gives (``abs(csr)`` is CSR, ``exp(csr)`` dense, ``csr + 1`` dense, ``csr + 0`` CSR): the rules in
  :mod:`regluon.ndarray.sparse_rules`, applied by the dispatcher once a sparse array exists.
- **Sparse parts on demand.** ``.data``, ``.indices`` (and ``.indptr`` for CSR) are computed from the
  nonzero entries (CSR: row-major, column indices sorted; row-sparse: the rows with a nonzero),
  with MXNet's dtypes (values in the array's dtype, indices int64). Stored zeros are not kept: a
  CSR built with an explicit 0 entry, or a row-sparse array from ``retain``, reports only the
  nonzeros, where MXNet also lists the stored zeros.
- **Operators** (``nd.sparse.<name>``): every operator MXNet 1.9.1 lists there, generated from the op
  table with MXNet's signatures, computing the dense equivalent. Optimizer updates given a
  row-sparse gradient with ``lazy_update=True`` (and ``adagrad_update`` always) leave the rows
  without gradient untouched, as MXNet does.

Example:
    >>> x = mx.nd.sparse.csr_matrix(([1.0, 2.0], [0, 2], [0, 1, 2]), shape=(2, 3))
    >>> x.stype, x.indices.asnumpy().tolist(), x.asnumpy().tolist()
    ('csr', [0, 2], [[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
"""

from __future__ import annotations

import builtins

import numpy as np
import torch

from ..base import MXNetError, NotSupportedForSparseNDArray, integer_types, numeric_types, shape_str  # noqa: F401 (MXNet names them in nd.sparse)
from ..context import Context, current_context
from . import register as _register
from .ndarray import NDArray
from .register import get_op, make_function
from .sparse_rules import LAZY_UPDATES, build_rules, lazy_rows_update

_STYPES = ("default", "csr", "row_sparse")
mx_real_t = np.float32  # MXNet's default dtype, as its nd.sparse module names it
_py_slice = builtins.slice  # this module defines nd.sparse.slice (and abs, sum, round ...)


def _nd():
    import sys

    return sys.modules["regluon.ndarray"]


# ----------------------------------------------------------------------------------------------
# array classes


class BaseSparseNDArray(NDArray):
    """An NDArray tagged with a sparse storage type (the values are stored densely)."""

    __slots__ = ()
    _stype = "default"

    @property
    def stype(self) -> str:
        """The storage type MXNet would use: ``'csr'`` or ``'row_sparse'``."""
        return self._stype

    def __repr__(self) -> str:
        return f"\n<{type(self).__name__} {'x'.join(str(d) for d in self.shape)} @{self._ctx}>"

    __str__ = __repr__

    def _retag(self, out: NDArray) -> NDArray:
        return _tag(out, self._stype)

    def copy(self) -> BaseSparseNDArray:
        """A deep copy with the same storage type."""
        return self._retag(NDArray.copy(self))

    def copyto(self, other):
        """Copy into an NDArray (which keeps its storage type) or onto a Context (keeps this one's)."""
        res = NDArray.copyto(self, other)
        return self._retag(res) if isinstance(other, Context) else res

    def as_in_context(self, context: Context):
        return self if self._ctx == context else self.copyto(context)

    as_in_ctx = as_in_context

    def astype(self, dtype, copy: bool = True):
        """A copy converted to ``dtype``, with the same storage type."""
        return self._retag(NDArray.astype(self, dtype, copy))

    # MXNet's sparse arrays route +, -, * (and here /) through nd.sparse, whose results keep a sparse
    # storage type where MXNet's do; reflected forms are NDArray's, except a number times a sparse array
    def detach(self) -> BaseSparseNDArray:
        return self._retag(NDArray.detach(self))

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        if isinstance(other, NDArray):
            return NDArray.__radd__(self, other)
        return add(self, other)

    def __sub__(self, other):
        return subtract(self, other)

    def __mul__(self, other):
        return multiply(self, other)

    def __rmul__(self, other):
        if isinstance(other, NDArray):
            return NDArray.__rmul__(self, other)
        return multiply(self, other)

    def __truediv__(self, other):
        return divide(self, other)

    def __neg__(self):
        return multiply(self, -1.0)

    __hash__ = NDArray.__hash__

    def reshape(self, *shape, **kwargs):
        """Not available for sparse arrays, as in MXNet: reshape ``x.tostype('default')`` instead."""
        raise NotSupportedForSparseNDArray(self.reshape, None, *shape)

    def _nonzero_rows(self) -> torch.Tensor:
        t = self._tensor.detach()
        return t.reshape(t.shape[0], -1).ne(0).any(dim=1).nonzero().reshape(-1)

    def _part(self, t: torch.Tensor) -> NDArray:
        return NDArray._wrap(t.contiguous(), self._ctx)


class CSRNDArray(BaseSparseNDArray):
    """A 2-D array in compressed sparse row form (stored densely here).

    ``data`` holds the nonzero values row by row, ``indices`` their column indices and ``indptr``
    the offset of each row's first value (``indptr[-1] == len(data)``).

    Example:
        >>> x = mx.nd.array([[0, 1], [2, 0]]).tostype('csr')
        >>> x.data.asnumpy().tolist(), x.indices.asnumpy().tolist(), x.indptr.asnumpy().tolist()
        ([1.0, 2.0], [1, 0], [0, 1, 2])
    """

    __slots__ = ()
    _stype = "csr"

    @property
    def data(self) -> NDArray:
        """The nonzero values in row-major order (1-D, this array's dtype)."""
        t = self._tensor.detach()
        return self._part(t[t.ne(0)])

    @property
    def indices(self) -> NDArray:
        """The column index of each nonzero value (int64)."""
        return self._part(self._tensor.detach().ne(0).nonzero()[:, 1])

    @property
    def indptr(self) -> NDArray:
        """Where each row's values start in ``data``, plus the total count (int64, rows + 1 entries)."""
        counts = self._tensor.detach().ne(0).sum(dim=1)
        return self._part(torch.cat([counts.new_zeros(1), counts.cumsum(0)]))

    def asscipy(self):
        """This array as a ``scipy.sparse.csr_matrix`` (same dtype and shape; needs SciPy).

        Example:
            >>> mx.nd.array([[0, 1], [2, 0]]).tostype('csr').asscipy().toarray()
            array([[0., 1.],
                   [2., 0.]], dtype=float32)
        """
        try:
            import scipy.sparse
        except ImportError:
            raise ImportError("CSRNDArray.asscipy needs SciPy: pip install scipy") from None
        parts = (self.data.asnumpy(), self.indices.asnumpy(), self.indptr.asnumpy())
        return scipy.sparse.csr_matrix(parts, shape=self.shape, dtype=self.dtype)

    def __getitem__(self, key):
        # MXNet slices a CSR array by rows only, keeping it 2-D and CSR: x[1] has shape (1, n)
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            k = int(key) + (self.shape[0] if key < 0 else 0)
            return self._retag(NDArray.__getitem__(self, _py_slice(k, k + 1)))
        if isinstance(key, _py_slice) and key.step in (None, 1):
            return self._retag(NDArray.__getitem__(self, key))
        return NDArray.__getitem__(self, key)


class RowSparseNDArray(BaseSparseNDArray):
    """An array of which only some rows (slices along axis 0) are nonzero (stored densely here).

    ``indices`` lists those rows and ``data`` holds them, ``data.shape == (len(indices),) + shape[1:]``.

    Example:
        >>> x = mx.nd.sparse.row_sparse_array(([[1.0, 2.0]], [2]), shape=(3, 2))
        >>> x.indices.asnumpy().tolist(), x.asnumpy().tolist()
        ([2], [[0.0, 0.0], [0.0, 0.0], [1.0, 2.0]])
    """

    __slots__ = ()
    _stype = "row_sparse"

    @property
    def data(self) -> NDArray:
        """The rows that hold a nonzero, stacked (shape ``(len(indices),) + shape[1:]``)."""
        return self._part(self._tensor.detach()[self._nonzero_rows()])

    @property
    def indices(self) -> NDArray:
        """The indices of the rows that hold a nonzero, ascending (int64)."""
        return self._part(self._nonzero_rows())

    def retain(self, indices, out=None) -> RowSparseNDArray:
        """The rows listed in ``indices`` (the others zero), as ``nd.sparse.retain(self, indices)``.

        Example:
            >>> x = mx.nd.array([[1, 2], [3, 4], [5, 6]]).tostype('row_sparse')
            >>> x.retain(mx.nd.array([0, 2])).asnumpy().tolist()
            [[1.0, 2.0], [0.0, 0.0], [5.0, 6.0]]
        """
        return retain(self, indices, out=out)

    def __getitem__(self, key):
        # as in MXNet, a row-sparse array can only be read whole: x[:] is x itself
        if isinstance(key, _py_slice) and key == _py_slice(None):
            return self
        if isinstance(key, (int, np.integer)):
            raise MXNetError("__getitem__ with int key is not implemented for RowSparseNDArray yet")
        raise MXNetError(f"RowSparseNDArray only supports [:] for __getitem__, got {key!r}")


def _compare(dunder: str, array_op: str, scalar_op: str):
    """A comparison of a sparse array, through the op table so that the result's storage type
    follows MXNet (``csr > 0.5`` is CSR, ``csr == 0`` dense); other operands as for NDArray."""

    def method(self, other):
        if isinstance(other, NDArray):
            return getattr(_nd(), array_op)(self, other)
        if isinstance(other, _NUMBERS):
            return getattr(_nd(), scalar_op)(self, scalar=float(other))
        return getattr(NDArray, dunder)(self, other)

    method.__name__ = method.__qualname__ = dunder
    return method


for _dunder, _aop, _sop in (
    ("__eq__", "broadcast_equal", "_equal_scalar"),
    ("__ne__", "broadcast_not_equal", "_not_equal_scalar"),
    ("__gt__", "broadcast_greater", "_greater_scalar"),
    ("__ge__", "broadcast_greater_equal", "_greater_equal_scalar"),
    ("__lt__", "broadcast_lesser", "_lesser_scalar"),
    ("__le__", "broadcast_lesser_equal", "_lesser_equal_scalar"),
):
    setattr(BaseSparseNDArray, _dunder, _compare(_dunder, _aop, _sop))

_CLASSES = {"csr": CSRNDArray, "row_sparse": RowSparseNDArray, "default": NDArray}


def _tag(x, stype: str | None):
    """``x`` (an NDArray, changed in place) with the class of storage type ``stype``."""
    if stype is not None and isinstance(x, NDArray):
        if stype != "default" and not _RULES:
            _start_stype_rules()
        x.__class__ = _CLASSES[stype]
    return x


# ----------------------------------------------------------------------------------------------
# storage types of operator results

#: canonical op name -> storage-type rule (see sparse_rules); filled when the first sparse array is made
_RULES: dict = {}


def _start_stype_rules() -> None:
    """From now on every op call checks for sparse inputs and tags its result by MXNet's rule.

    Done when the first sparse array is made, so that programs without sparse arrays pay nothing."""
    _RULES.update(build_rules(get_op))
    _register.add_result_hook(_stype_aware)


def _stype_aware(call):
    """``call`` (the dispatcher's ``fast_call`` or ``invoke``), then, where an input is a sparse array
    and no ``out`` is given, the result tagged with the storage type MXNet gives it."""
    sparse_classes = frozenset((CSRNDArray, RowSparseNDArray))

    def wrapped(op, inputs, params, out=None):
        if out is not None:  # the result is ``out``, which keeps its own storage type
            return call(op, inputs, params, out)
        res = call(op, inputs, params)
        for x in inputs:
            if x.__class__ in sparse_classes:
                _tag_result(op, inputs, params, res)
                break
        return res

    return wrapped


def _tag_result(op, inputs, params, res) -> None:
    rule = _RULES.get(op.name)
    if rule is not None and res.__class__ is NDArray:
        stypes = [stype_of(a) for a in inputs]
        t = getattr(inputs[0], "_tensor", None)
        res.__class__ = _CLASSES[rule(stypes, params, None if t is None else t.dtype)]


def stype_of(x) -> str:
    return x.stype if isinstance(x, NDArray) else "default"


def tostype(self: NDArray, stype: str) -> NDArray:
    """A copy with storage type ``stype`` (``'default'``, ``'csr'`` (2-D only) or ``'row_sparse'``).

    The values are unchanged, so ``x.tostype('csr').asnumpy()`` equals ``x.asnumpy()``. As in MXNet,
    CSR and row-sparse arrays only convert to and from ``'default'``.

    Example:
        >>> mx.nd.array([[0, 1], [0, 0]]).tostype('row_sparse').indices.asnumpy().tolist()
        [0]
    """
    if stype not in _STYPES:
        raise MXNetError(f"tostype: stype must be one of {', '.join(_STYPES)}, got {stype!r}")
    src = stype_of(self)
    if "default" not in (src, stype) and src != stype:
        raise ValueError(f"tostype: cannot convert {src} to {stype} (only to or from 'default')")
    if stype == "csr" and self.ndim != 2:
        raise ValueError(f"tostype: a CSR array must be 2-D, got shape {shape_str(self.shape)}")
    return cast_storage(self, stype=stype)


# ----------------------------------------------------------------------------------------------
# constructors


def _np(a) -> np.ndarray:
    return np.asarray(a.asnumpy() if isinstance(a, NDArray) else a)


def _default_dtype(src, dtype):
    """MXNet's rule: the given dtype, else the source's if it is a NumPy array or NDArray, else float32."""
    if dtype is not None:
        return np.dtype(dtype)
    if isinstance(src, (np.ndarray, NDArray)):
        return np.dtype(src.dtype)
    return np.dtype(np.float32)


def _from_dense(values: np.ndarray, stype: str, ctx) -> NDArray:
    return _tag(_nd().array(values, ctx=ctx, dtype=values.dtype), stype)


def _check_index(op: str, what: str, idx: np.ndarray, bound: int) -> np.ndarray:
    if idx.size and (idx.min() < 0 or idx.max() >= bound):
        raise MXNetError(f"{op}: {what} must lie in [0, {bound}), got values from {idx.min()} to {idx.max()}")
    return idx


def csr_matrix(arg1, shape=None, ctx: Context | None = None, dtype=None) -> CSRNDArray:
    """A CSR array from ``(data, indices, indptr)``, a ``(rows, cols)`` shape (zeros), a dense array
    (NDArray, NumPy array or nested list), a SciPy sparse matrix or another CSR array.

    Without ``shape`` the parts give it: ``len(indptr) - 1`` rows, ``max(indices) + 1`` columns.

    Example:
        >>> mx.nd.sparse.csr_matrix(([1.0, 2.0], [0, 2], [0, 1, 2]), shape=(2, 3)).asnumpy()
        array([[1., 0., 0.],
               [0., 0., 2.]], dtype=float32)
    """
    ctx = ctx or current_context()
    if isinstance(arg1, tuple) and len(arg1) == 2 and all(isinstance(d, (int, np.integer)) for d in arg1):
        return zeros("csr", arg1, ctx=ctx, dtype=dtype)
    if isinstance(arg1, tuple) and len(arg1) == 3:
        return _csr_from_parts(*arg1, shape=shape, ctx=ctx, dtype=dtype)
    if hasattr(arg1, "tocsr") and hasattr(arg1, "toarray"):  # a SciPy sparse matrix
        coo = arg1.tocsr()
        return _csr_from_parts(coo.data, coo.indices, coo.indptr, arg1.shape, ctx, dtype or coo.dtype)
    dense = _np(arg1).astype(_default_dtype(arg1, dtype), copy=False)
    if dense.ndim != 2:
        raise ValueError(f"csr_matrix: a CSR array must be 2-D, got shape {shape_str(dense.shape)}")
    if shape is not None and tuple(shape) != dense.shape:
        raise ValueError(f"csr_matrix: shape {tuple(shape)} does not match the array's {dense.shape}")
    return _from_dense(dense, "csr", ctx)


def _csr_from_parts(data, indices, indptr, shape, ctx, dtype) -> CSRNDArray:
    values = _np(data).astype(_default_dtype(data, dtype), copy=False).reshape(-1)
    cols = _np(indices).astype(np.int64).reshape(-1)
    ptr = _np(indptr).astype(np.int64).reshape(-1)
    if shape is None:
        shape = (len(ptr) - 1, int(cols.max()) + 1 if cols.size else 0)
    shape = tuple(int(d) for d in shape)
    if (
        len(shape) != 2
        or len(ptr) != shape[0] + 1
        or len(cols) != len(values)
        or ptr[-1:].tolist() != [len(values)]
    ):
        raise MXNetError(
            f"sparse.csr_matrix: inconsistent CSR parts for shape {shape}: {len(values)} values, "
            f"{len(cols)} indices, {len(ptr)} row pointers (expected rows + 1 pointers ending at the "
            "number of values)"
        )
    counts = np.diff(ptr)
    if (counts < 0).any():
        raise MXNetError("sparse.csr_matrix: indptr must not decrease")
    _check_index("sparse.csr_matrix", "column indices", cols, shape[1])
    dense = np.zeros(shape, dtype=values.dtype)
    dense[np.repeat(np.arange(shape[0]), counts), cols] = values  # a repeated entry: the last one wins
    return _from_dense(dense, "csr", ctx)


def row_sparse_array(arg1, shape=None, ctx: Context | None = None, dtype=None) -> RowSparseNDArray:
    """A row-sparse array from ``(data, indices)`` (row ``indices[i]`` is ``data[i]``), a shape tuple
    (zeros), a dense array or another row-sparse array.

    Without ``shape`` it is ``(max(indices) + 1,) + data.shape[1:]``.

    Example:
        >>> mx.nd.sparse.row_sparse_array(([[1, 2]], [1]), shape=(2, 2)).asnumpy()
        array([[0., 0.],
               [1., 2.]], dtype=float32)
    """
    ctx = ctx or current_context()
    if isinstance(arg1, tuple) and all(isinstance(d, (int, np.integer)) for d in arg1):
        return zeros("row_sparse", arg1, ctx=ctx, dtype=dtype)
    if isinstance(arg1, tuple) and len(arg1) == 2:
        data, indices = arg1
        values = _np(data).astype(_default_dtype(data, dtype), copy=False)
        rows = _np(indices).astype(np.int64).reshape(-1)
        if values.ndim == 0 or len(values) != len(rows):
            raise MXNetError(
                f"sparse.row_sparse_array: data {shape_str(values.shape)} needs one row per index "
                f"({len(rows)} indices)"
            )
        if shape is None:
            shape = (int(rows.max()) + 1 if rows.size else 0, *values.shape[1:])
        shape = tuple(int(d) for d in shape)
        if tuple(shape[1:]) != values.shape[1:]:
            raise MXNetError(
                f"sparse.row_sparse_array: rows of shape {shape_str(values.shape[1:])} do not fit "
                f"shape {shape_str(shape)}"
            )
        _check_index("sparse.row_sparse_array", "row indices", rows, shape[0])
        dense = np.zeros(shape, dtype=values.dtype)
        dense[rows] = values  # a repeated row: the last one wins, as in MXNet
        return _from_dense(dense, "row_sparse", ctx)
    dense = _np(arg1).astype(_default_dtype(arg1, dtype), copy=False)
    if shape is not None and tuple(shape) != dense.shape:
        raise ValueError(f"row_sparse_array: shape {tuple(shape)} does not match the array's {dense.shape}")
    return _from_dense(dense, "row_sparse", ctx)


def zeros(stype: str, shape, ctx: Context | None = None, dtype=None, **kwargs) -> NDArray:
    """An all-zero array of storage type ``stype`` (``'csr'``, ``'row_sparse'`` or ``'default'``).

    Example:
        >>> mx.nd.sparse.zeros('row_sparse', (3, 2)).stype
        'row_sparse'
    """
    if stype not in _STYPES:
        raise MXNetError(f"sparse.zeros: stype must be one of {', '.join(_STYPES)}, got {stype!r}")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if stype == "csr" and len(shape) != 2:
        raise MXNetError(f"sparse.zeros: a CSR array must be 2-D, got shape {shape_str(shape)}")
    return _tag(_nd().zeros(shape, ctx=ctx, dtype=dtype or "float32"), stype)


def empty(stype: str, shape, ctx: Context | None = None, dtype=None) -> NDArray:
    """An array of storage type ``stype`` with no stored values (all zeros), as MXNet's sparse ``empty``."""
    return zeros(stype, shape, ctx=ctx, dtype=dtype)


def array(source_array, ctx: Context | None = None, dtype=None) -> BaseSparseNDArray:
    """A copy of a CSR or row-sparse array (or of a SciPy sparse matrix, as CSR).

    As in MXNet, dense sources are refused: use ``x.tostype(...)`` or ``csr_matrix`` for them.
    """
    if isinstance(source_array, BaseSparseNDArray):
        return source_array._retag(_nd().array(source_array, ctx=ctx or source_array.context, dtype=dtype))
    if hasattr(source_array, "tocsr"):
        return csr_matrix(source_array, ctx=ctx, dtype=dtype)
    if isinstance(source_array, NDArray):
        raise ValueError("sparse.array: the source is a dense NDArray; use x.tostype('csr'/'row_sparse')")
    raise ValueError(
        f"sparse.array: expected a sparse array, got {type(source_array).__name__}; use mx.nd.array for it"
    )


# ----------------------------------------------------------------------------------------------
# operators, generated from the op table

#: The operators of MXNet 1.9.1's ``nd.sparse``. Each is found in the op table under its name, an
#: alias, or MXNet's ``_sparse_`` prefix for operators defined only on sparse arrays.
SPARSE_OPS = (
    "ElementWiseSum Embedding FullyConnected LinearRegressionOutput LogisticRegressionOutput "
    "MAERegressionOutput _contrib_round_ste _contrib_sign_ste abs adagrad_update adam_update add_n "
    "arccos arccosh arcsin arcsinh arctan arctanh broadcast_add broadcast_div broadcast_minus "
    "broadcast_mul broadcast_plus broadcast_sub cast_storage cbrt ceil clip concat cos cosh degrees dot "
    "elemwise_add elemwise_div elemwise_mul elemwise_sub exp expm1 fix floor ftrl_update gamma gammaln "
    "log log10 log1p log2 make_loss mean negative norm radians relu retain rint round rsqrt "
    "sgd_mom_update sgd_update sigmoid sign sin sinh slice sqrt square stop_gradient sum tan tanh trunc "
    "where zeros_like"
).split()


def _lookup(name: str):
    try:
        return get_op(name)
    except MXNetError:
        return get_op(f"_sparse_{name}")


def _sparse_function(name: str):
    """The ``nd.sparse`` function ``name``: the table's op (whose results get MXNet's storage type
    from the dispatcher once sparse arrays exist), plus MXNet's lazy row-sparse optimizer updates and
    the sparse results ``dot(forward_stype=...)`` and ``cast_storage`` make from dense inputs."""
    op = _lookup(name)
    base = make_function(op, name)
    sig = base.__signature__
    lazy = name in LAZY_UPDATES
    stype_arg = {"dot": "forward_stype", "cast_storage": "stype"}.get(name)
    if not lazy and stype_arg is None:
        return base

    def fn(*args, **kwargs):
        named = sig.bind(*args, **{k: v for k, v in kwargs.items() if k not in ("name", "attr")}).arguments
        if lazy:
            return lazy_rows_update(base, op, named, lambda: base(*args, **kwargs))
        res = base(*args, **kwargs)
        if named.get(stype_arg) is not None and named.get("out") is None:
            _tag(res, named[stype_arg])
        return res

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = __name__
    fn.__signature__ = sig
    fn.__doc__ = base.__doc__
    fn.op = op
    return fn


for _name in SPARSE_OPS:
    globals()[_name] = _sparse_function(_name)

cast_storage = globals()["cast_storage"]
retain = globals()["retain"]

_SCALAR_OPS = {
    "add": "_plus_scalar",
    "subtract": "_minus_scalar",
    "multiply": "_mul_scalar",
    "divide": "_div_scalar",
}


def _python_binary(name: str, elemwise: str, broadcast: str, doc: str):
    """``add``/``subtract``/``multiply``/``divide`` of ``nd.sparse``: arrays of one shape go through the
    ``elemwise_`` op, others through ``broadcast_``, a number through the op's scalar form; the result's
    storage type is the op's (see sparse_rules)."""
    scalar_op = _SCALAR_OPS[name]

    def fn(lhs, rhs):
        if isinstance(lhs, NDArray) and isinstance(rhs, NDArray):
            return getattr(_nd(), elemwise if lhs.shape == rhs.shape else broadcast)(lhs, rhs)
        if isinstance(lhs, (NDArray, *_NUMBERS)) and isinstance(rhs, (NDArray, *_NUMBERS)):
            if not isinstance(lhs, NDArray):
                if not isinstance(rhs, NDArray):
                    return getattr(_nd(), name)(lhs, rhs)
                # MXNet 1.9.1's sparse.subtract/divide with a number on the left compute rhs - lhs and
                # rhs / lhs (they pass the operands to the plain scalar op in array-first order)
                lhs, rhs = rhs, lhs
            return getattr(_nd(), scalar_op)(lhs, scalar=float(rhs))
        raise TypeError(
            f"sparse.{name}: expected NDArrays or numbers, got {type(lhs).__name__}, {type(rhs).__name__}"
        )

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{doc}\n\nExample:\n    >>> mx.nd.sparse.{name}(mx.nd.sparse.zeros('csr', (2, 2)), 2).shape\n    (2, 2)"
    return fn


_NUMBERS = (int, float, np.number)

add = _python_binary("add", "elemwise_add", "broadcast_add", "Sum of arrays and/or numbers.")
subtract = _python_binary("subtract", "elemwise_sub", "broadcast_sub", "Difference of arrays and/or numbers.")
multiply = _python_binary("multiply", "elemwise_mul", "broadcast_mul", "Product of arrays and/or numbers.")
divide = _python_binary("divide", "elemwise_div", "broadcast_div", "Quotient of arrays and/or numbers.")

__all__ = [
    "NotSupportedForSparseNDArray",
    "BaseSparseNDArray",
    "CSRNDArray",
    "RowSparseNDArray",
    "csr_matrix",
    "row_sparse_array",
    "zeros",
    "empty",
    "array",
    "add",
    "subtract",
    "multiply",
    "divide",
    *SPARSE_OPS,
]
