"""NDArray: an MXNet n-dimensional array that holds a ``torch.Tensor``.

The array wraps (never subclasses) a tensor and adds MXNet's behaviour: a Context,
``asnumpy``, MXNet's printout, in-place ``x[:] = v`` on shared storage, persistent
``x.grad`` buffers, and arithmetic that goes through the op table.
"""

from __future__ import annotations

import math
import sys
import weakref
from typing import Any

import numpy as np
import torch

from ..base import MXNetError, numeric_types, shape_str
from ..context import Context, current_context
from . import dtypes
from .ops.matrix import infer_reshape
from .register import fast_call, get_op, invoke
from .state import autograd_state


class _NumPy1Scalar(np.ndarray):
    """A one-element array that still converts with ``float()`` / ``'%f'`` as on NumPy 1.x.

    MXNet 1.x has no 0-d arrays, so ``loss.mean().asnumpy()`` has shape ``(1,)`` and code
    formats it with ``'%f'``. NumPy >= 2.4 refuses that conversion; arrays returned by
    ``asnumpy`` with exactly one element keep the old behaviour (and print as plain arrays).
    """

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __repr__(self):
        return repr(np.asarray(self))


class DeferredData:
    """Stands in for a Parameter whose shape is not known yet; the op that receives it
    infers the shape from its other inputs and initialises the Parameter."""

    __slots__ = ("param",)

    def __init__(self, param):
        self.param = param


class _GradInfo:
    __slots__ = ("buf", "req", "fresh")

    def __init__(self, buf: NDArray, req: str):
        self.buf, self.req, self.fresh = buf, req, False


# Every live array with an attached gradient, by id. After each backward, torch has put the new
# gradients in the leaf tensors' ``.grad``; ``collect_grads`` moves them into the persistent
# buffers in one multi-tensor kernel per grad_req (no per-parameter Python hooks on the hot path).
_VARIABLES: dict[int, weakref.ref] = {}


def _register_variable(var: NDArray) -> None:
    key = id(var)
    _VARIABLES[key] = weakref.ref(var, lambda _r, k=key: _VARIABLES.pop(k, None))


_SWAP_MIN = 1 << 16  # elements: below this a copy is cheaper than swapping storage


def collect_grads() -> None:
    """Write (or add) the gradients of the last backward into the variables' ``.grad`` buffers."""
    w_dst, w_src, a_dst, a_src, swap = [], [], [], [], []
    for ref in list(_VARIABLES.values()):
        var = ref()
        if var is None:
            continue
        t = var._tensor
        g = t.grad
        if g is None:
            continue
        t.grad = None
        info = var._ag
        if info is None:
            continue
        req = info.req
        if req == "write":
            dst = info.buf._tensor
            # large buffers take over the fresh gradient's storage instead of copying it (the grad
            # NDArray and every reference to its tensor stay the same object); small ones are copied
            # in one multi-tensor kernel, which costs less than the per-tensor swap
            if dst.numel() >= _SWAP_MIN and dst.dtype is g.dtype and dst.device == g.device:
                swap.append((dst, g))
            else:
                w_dst.append(dst)
                w_src.append(g)
        elif req == "add":
            a_dst.append(info.buf._tensor)
            a_src.append(g)
        else:
            continue
        info.fresh = True
    if swap:
        with torch.no_grad():
            for dst, src in swap:
                dst.set_(src)
    if w_dst:
        torch._foreach_copy_(w_dst, w_src)
    if a_dst:
        torch._foreach_add_(a_dst, a_src)


def _plain_layout(arr: NDArray) -> torch.Tensor:
    """``arr``'s tensor in row-major memory, so views of it share storage as MXNet's do.

    Wide convolutions hand back channels-last tensors (same NCHW shape, other memory order); a view
    of one cannot be taken, so the array switches to row-major storage once, in place."""
    t = arr._tensor
    if t.dim() == 4 and not t.is_contiguous() and t.is_contiguous(memory_format=torch.channels_last):
        if arr._ag is None:
            t = arr._tensor = t.contiguous()
    return t


class NDArray:
    """An n-dimensional array on a Context, with MXNet 1.x semantics.

    Create arrays with ``nd.array``, ``nd.zeros``, ``nd.random.normal`` and the other
    ``nd`` functions; every ``nd`` operator is also a method where MXNet has one.

    Example:
        >>> x = mx.nd.array([[1, 2], [3, 4]])
        >>> (x * 2).sum(axis=1)
        <BLANKLINE>
        [ 6. 14.]
        <NDArray 2 @cpu(0)>
    """

    __slots__ = ("_tensor", "_ctx", "_ag", "__weakref__")
    __array_priority__ = 1000.0

    def __init__(self, handle: torch.Tensor, ctx: Context | None = None, writable: bool = True):
        if not isinstance(handle, torch.Tensor):
            raise TypeError("NDArray(handle) takes a torch.Tensor; use mx.nd.array(...) for other data")
        self._tensor = handle
        self._ctx = ctx if ctx is not None else _ctx_of(handle)
        self._ag = None

    @staticmethod
    def _wrap(t: torch.Tensor, ctx: Context) -> NDArray:
        obj = object.__new__(NDArray)
        obj._tensor = t
        obj._ctx = ctx
        obj._ag = None
        return obj

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> tuple:
        """The shape as a tuple of ints."""
        return tuple(self._tensor.shape)

    @property
    def size(self) -> int:
        """The number of elements."""
        return self._tensor.numel()

    @property
    def ndim(self) -> int:
        return self._tensor.dim()

    @property
    def dtype(self) -> type:
        """The element type as a NumPy type, e.g. ``numpy.float32``."""
        dt = self._tensor.dtype
        res = _NP_TYPES.get(dt)
        return res if res is not None else dtypes.np_type(dt)

    @property
    def context(self) -> Context:
        """The Context the array lives on."""
        return self._ctx

    ctx = context

    @property
    def stype(self) -> str:
        return "default"

    @property
    def T(self) -> NDArray:
        """The transpose (all axes reversed), a new array as ``nd.transpose`` gives."""
        t = self._tensor
        if t.requires_grad and not autograd_state.recording:
            t = t.detach()
        out = _new(NDArray)
        r = t.t() if t.dim() == 2 else t.permute(*range(t.dim() - 1, -1, -1))
        out._tensor = r.clone() if r.is_contiguous() else r.contiguous()  # always a copy
        out._ctx = self._ctx
        out._ag = None
        return out

    @property
    def grad(self) -> NDArray | None:
        """The gradient buffer attached by :meth:`attach_grad`, or None."""
        return None if self._ag is None else self._ag.buf

    @property
    def _fresh_grad(self) -> bool:
        """True once ``backward`` has written this array's gradient since the flag was cleared."""
        return self._ag is not None and self._ag.fresh

    @_fresh_grad.setter
    def _fresh_grad(self, value: bool) -> None:
        if self._ag is not None:
            self._ag.fresh = bool(value)

    def to_dlpack_for_read(self):
        """A DLPack capsule sharing this array's memory (see ``nd.to_dlpack_for_read``)."""
        return _nd().to_dlpack_for_read(self)

    def to_dlpack_for_write(self):
        """A writable DLPack capsule sharing this array's memory."""
        return _nd().to_dlpack_for_write(self)

    def to_torch(self) -> torch.Tensor:
        """The underlying ``torch.Tensor`` (shared storage), for migrating code to PyTorch."""
        return self._tensor

    # ------------------------------------------------------------------ conversion
    def asnumpy(self) -> np.ndarray:
        """Copy the data into a new NumPy array.

        Example:
            >>> mx.nd.ones((2,)).asnumpy()
            array([1., 1.], dtype=float32)
        """
        arr = self._tensor.detach().cpu().numpy().copy()
        if arr.size == 1 and arr.ndim > 0:
            return arr.view(_NumPy1Scalar)
        return arr

    def asscalar(self) -> Any:
        """The single element of a shape-(1,) array as a NumPy scalar."""
        if self.shape != (1,):
            raise ValueError("The current array is not a scalar")
        return np.asarray(self.asnumpy())[0]

    def astype(self, dtype, copy: bool = True) -> NDArray:
        """A copy converted to ``dtype`` (the array itself if ``copy=False`` and nothing changes)."""
        td = dtypes.to_torch(dtype)
        if not copy and td == self._tensor.dtype:
            return self
        return _apply(lambda t: t.to(td, copy=True), self)

    def copy(self) -> NDArray:
        """A deep copy on the same Context."""
        return _apply(torch.clone, self)

    def copyto(self, other: NDArray | Context) -> NDArray:
        """Copy into ``other`` (an NDArray of the same shape) or to a new array on a Context."""
        if isinstance(other, Context):
            t = self._tensor.detach().to(other.torch_device, copy=True)
            return NDArray._wrap(t, other)
        if isinstance(other, NDArray):
            if other is self:
                return other
            if other.shape != self.shape:
                raise MXNetError(
                    f"copyto: cannot copy an array of shape {shape_str(self.shape)} "
                    f"into one of shape {shape_str(other.shape)}"
                )
            with torch.no_grad():
                other._tensor.copy_(self._tensor)
            return other
        raise TypeError(f"copyto takes an NDArray or a Context, got {type(other).__name__}")

    def as_in_context(self, context: Context) -> NDArray:
        """This array if it already lives on ``context``, else a copy there."""
        if self._ctx == context:
            return self
        return self.copyto(context)

    as_in_ctx = as_in_context

    def detach(self) -> NDArray:
        """The same data, cut from the recorded graph."""
        return NDArray._wrap(self._tensor.detach(), self._ctx)

    def wait_to_read(self) -> None:
        """Block until pending computation on this array is done."""
        if self._tensor.is_cuda:
            torch.cuda.synchronize(self._tensor.device)

    def __len__(self) -> int:
        return self._tensor.shape[0]

    def __iter__(self):
        for i in range(self.shape[0]):
            yield self[i]

    def __bool__(self) -> bool:
        n = self.size
        if n == 0:
            raise ValueError("The truth value of an empty NDArray is ambiguous.")
        if n > 1:
            raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")
        return bool(self._tensor.item())

    def __repr__(self) -> str:
        shape_info = "x".join(str(d) for d in self.shape)
        return f"\n{np.asarray(self.asnumpy())}\n<{type(self).__name__} {shape_info} @{self._ctx}>"

    __str__ = __repr__

    def __reduce__(self):
        return (_rebuild, (self.asnumpy(), str(self._ctx)))

    # ------------------------------------------------------------------ autograd
    def attach_grad(self, grad_req: str = "write", stype: str | None = None) -> None:
        """Make this array a variable of autograd with a persistent gradient buffer ``.grad``.

        ``grad_req='write'`` overwrites the buffer on each backward, ``'add'`` accumulates
        into it, ``'null'`` keeps no gradient.

        Example:
            >>> x = mx.nd.ones((2,)); x.attach_grad()
            >>> with mx.autograd.record():
            ...     y = (x * x).sum()
            >>> y.backward(); x.grad
            <BLANKLINE>
            [2. 2.]
            <NDArray 2 @cpu(0)>
        """
        if grad_req not in ("write", "add", "null"):
            raise ValueError(f"attach_grad: grad_req must be 'write', 'add' or 'null', got {grad_req!r}")
        grad = NDArray._wrap(torch.zeros_like(self._tensor, requires_grad=False), self._ctx)
        _mark_variable(self, grad, grad_req)

    def backward(self, out_grad: NDArray | None = None, retain_graph: bool = False, train_mode: bool = True):
        """Compute gradients of this array with respect to the attached variables.

        A non-scalar head uses ``out_grad`` (ones by default), as MXNet does.
        """
        sys.modules["regluon.autograd"].backward(self, out_grad, retain_graph, train_mode)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, key) -> NDArray:
        t = _plain_layout(self)
        if t.requires_grad and not autograd_state.recording:
            t = t.detach()  # outside record() no graph is kept (the result still shares storage)
        if key.__class__ is int:
            r = t[key]
        else:
            r = t[_index(key, t)]
            if r.numel() == 0 and t.numel() != 0 and not _empty_first_axis_ok(key, t, r):
                raise MXNetError(
                    f"NDArray indexing: index {key!r} selects no element of an array of shape "
                    f"{shape_str(self.shape)}; MXNet 1.x allows an empty result only from a slice of the first axis"
                )
        if r.dim() == 0:
            r = r.reshape(1)
        elif not r.is_contiguous():
            # MXNet returns a view only for a contiguous region (x[1], x[1:3], x[1, 2:5]); x[:, 0] is a copy
            r = r.clone()
        out = _new(NDArray)
        out._tensor = r
        out._ctx = self._ctx
        out._ag = None
        return out

    def __setitem__(self, key, value) -> None:
        t = self._tensor
        idx = _index(key, t)
        if isinstance(value, NDArray):
            v = value._tensor
            if v.dtype is not t.dtype:
                v = v.to(t.dtype)
        elif isinstance(value, numeric_types) or isinstance(value, np.generic):
            v = value
        else:
            v = torch.as_tensor(np.asarray(value), dtype=t.dtype, device=t.device)
        try:
            if autograd_state.recording:
                t[idx] = v
            else:
                with torch.no_grad():
                    t[idx] = v
        except (RuntimeError, IndexError) as err:
            vshape = shape_str(np.shape(value)) if not isinstance(value, NDArray) else shape_str(value.shape)
            cls = (
                IndexError if isinstance(err, IndexError) else MXNetError
            )  # as MXNet: IndexError out of range
            raise cls(
                f"__setitem__: cannot assign a value of shape {vshape} to index {key!r} "
                f"of an array of shape {shape_str(self.shape)}: {str(err).splitlines()[0]}"
            ) from None

    # ------------------------------------------------------------------ reshape
    def reshape(self, *shape, **kwargs) -> NDArray:
        """A view with a new shape: ``x.reshape((2, 3))``, ``x.reshape(2, 3)``, MXNet's codes 0/-1/-2/-3/-4.

        As in MXNet, the result shares storage with ``x`` (``nd.reshape`` is the operator form).

        Example:
            >>> mx.nd.ones((2, 3, 4)).reshape((0, -1)).shape
            (2, 12)
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        reverse = False
        if kwargs:
            if "shape" in kwargs:
                shape = kwargs.pop("shape")
            reverse = bool(kwargs.pop("reverse", False))
            if kwargs:
                raise TypeError(f"reshape: unexpected argument(s) {', '.join(kwargs)}")
        t = _plain_layout(self)
        if t.requires_grad and not autograd_state.recording:
            t = t.detach()  # outside record() no graph is kept
        r = None
        if not reverse:
            try:  # plain sizes and -1 mean the same to torch; MXNet's other codes make torch fail
                r = t.view(shape)
            except (RuntimeError, TypeError):
                pass
        if r is None:
            r = t.reshape(infer_reshape(tuple(t.shape), tuple(shape), reverse))
        out = _new(NDArray)
        out._tensor = r
        out._ctx = self._ctx
        out._ag = None
        return out

    # ------------------------------------------------------------------ operators
    # Built by _arith / _inplace below (after the class), from the table _ARITH.
    __hash__ = object.__hash__

    def __neg__(self):
        return self.__mul__(-1.0)  # as MXNet: -x is x * -1.0 (so -bool_array is int64)

    def __abs__(self):
        return _nd().abs(self)


def _rebuild(arr: np.ndarray, ctx: str) -> NDArray:
    from .params import Ctx

    c = Ctx().parse(ctx)
    return NDArray._wrap(torch.from_numpy(np.array(arr)).to(c.torch_device), c)


def _ctx_of(t: torch.Tensor) -> Context:
    from ..context import context_of

    return context_of(t.device)


def _apply(fn, x: NDArray) -> NDArray:
    """Run a tensor function on ``x`` following the recording rules (no graph outside record)."""
    t = x._tensor
    if t.requires_grad and not autograd_state.recording:
        with torch.no_grad():
            return NDArray._wrap(fn(t), x._ctx)
    return NDArray._wrap(fn(t), x._ctx)


#: torch dtype -> the NumPy scalar type ``NDArray.dtype`` reports
_NP_TYPES = {td: dtypes.np_type(td) for td in dtypes.TORCH2NP}
_OPS_CACHE: dict[str, Any] = {}
_SCALARS = (int, float, np.number, np.bool_)


def _nd():
    """The ``regluon.ndarray`` package (generated op functions), without an import on the hot path."""
    return sys.modules["regluon.ndarray"]


def _op(name: str):
    op = _OPS_CACHE.get(name)
    if op is None:
        op = _OPS_CACHE[name] = get_op(name)
    return op


def _binary(lhs: NDArray, rhs, array_op: str | None, scalar_op: str, out=None):
    """``lhs <op> rhs`` for the Python operators: the broadcast op for arrays, the scalar op for numbers."""
    if rhs.__class__ is NDArray or isinstance(rhs, NDArray):
        if array_op is None:  # reflected op with an NDArray on the left is handled by its own dunder
            return NotImplemented
        if out is None:
            return fast_call(_op(array_op), (lhs, rhs), {})
        return invoke(_op(array_op), (lhs, rhs), {}, out)
    if isinstance(rhs, _SCALARS):
        if out is None:
            return fast_call(_op(scalar_op), (lhs,), {"scalar": float(rhs)})
        return invoke(_op(scalar_op), (lhs,), {"scalar": float(rhs)}, out)
    raise TypeError(f"type {type(rhs).__name__} is not supported with NDArray (use an NDArray or a number)")


_new = object.__new__
_BOOL, _F32, _F64 = torch.bool, torch.float32, torch.float64


def _arith(array_op: str | None, scalar_op: str, array_fn, scalar_fn):
    """An arithmetic/comparison dunder of NDArray.

    The common cases (two arrays of one dtype other than bool, or a float32/float64 array and a Python
    ``int``/``float``, which torch rounds to the array's dtype as MXNet does) call the torch function
    directly and wrap the result in place; everything else (integer, float16 and bool arrays, NumPy
    scalars, shapes that do not broadcast, ...) goes through the op table via :func:`_binary`, which
    also raises MXNet's errors. ``array_fn``/``scalar_fn`` must return a new tensor of the
    input's dtype, never a view.
    """

    if scalar_fn is None:  # no direct torch equivalent (MXNet's own semantics): always the table

        def plain(self, other):
            return _binary(self, other, array_op, scalar_op)

        return plain

    def method(self, other):
        a = self._tensor
        cls = other.__class__
        r = None
        try:
            if cls is NDArray:
                dt = a.dtype
                if array_fn is not None and dt is other._tensor.dtype and dt is not _BOOL:
                    r = array_fn(a, other._tensor)
            elif cls is float or cls is int:
                dt = a.dtype
                if dt is _F32 or dt is _F64:
                    r = scalar_fn(a, other)
        except RuntimeError:  # e.g. shapes that do not broadcast: the table path explains in MXNet's terms
            r = None
        if r is None:
            return _binary(self, other, array_op, scalar_op)
        if r.requires_grad and not autograd_state.recording:
            r = r.detach()  # outside record() no graph is kept
        out = _new(NDArray)
        out._tensor = r
        out._ctx = self._ctx
        out._ag = None
        return out

    return method


def _inplace(array_op: str, scalar_op: str, inplace_fn):
    """An in-place dunder (``x += y``): torch's in-place kernel when nothing is recorded or attached."""
    if inplace_fn is None:

        def plain(self, other):
            return _binary(self, other, array_op, scalar_op, out=self)

        return plain

    def method(self, other):
        a = self._tensor
        cls = other.__class__
        if not a.requires_grad and not autograd_state.recording:
            try:
                dt = a.dtype
                if cls is NDArray:
                    b = other._tensor
                    if dt is b.dtype and dt is not _BOOL and not b.requires_grad:
                        inplace_fn(a, b)
                        return self
                elif (cls is float or cls is int) and (dt is _F32 or dt is _F64):
                    inplace_fn(a, other)
                    return self
            except RuntimeError:  # e.g. the result would not fit x's shape: the table path explains
                pass
        return _binary(self, other, array_op, scalar_op, out=self)

    return method


def _swap(fn):
    return lambda a, s: fn(s, a)


def _cmp(fn):
    return lambda a, b: fn(a, b).to(a.dtype)


T = torch.Tensor
# dunder: (array op, scalar op, torch function for an array and a number); the torch function for
# two arrays is the array op's ``direct`` function from the op table.
_ARITH = {
    "__add__": ("broadcast_add", "_plus_scalar", T.__add__),
    "__radd__": ("broadcast_add", "_plus_scalar", T.__add__),
    "__sub__": ("broadcast_sub", "_minus_scalar", T.__sub__),
    "__rsub__": (None, "_rminus_scalar", _swap(torch.sub)),
    "__mul__": ("broadcast_mul", "_mul_scalar", T.__mul__),
    "__rmul__": ("broadcast_mul", "_mul_scalar", T.__mul__),
    "__truediv__": ("broadcast_div", "_div_scalar", T.__truediv__),
    "__rtruediv__": (None, "_rdiv_scalar", _swap(torch.div)),  # not T.__rtruediv__: 1/x * s rounds twice
    "__mod__": ("broadcast_mod", "_mod_scalar", None),
    "__rmod__": (None, "_rmod_scalar", None),
    "__pow__": ("broadcast_power", "_power_scalar", torch.pow),
    "__rpow__": (None, "_rpower_scalar", _swap(torch.pow)),
    "__eq__": ("broadcast_equal", "_equal_scalar", _cmp(torch.eq)),
    "__ne__": ("broadcast_not_equal", "_not_equal_scalar", _cmp(torch.ne)),
    "__gt__": ("broadcast_greater", "_greater_scalar", _cmp(torch.gt)),
    "__ge__": ("broadcast_greater_equal", "_greater_equal_scalar", _cmp(torch.ge)),
    "__lt__": ("broadcast_lesser", "_lesser_scalar", _cmp(torch.lt)),
    "__le__": ("broadcast_lesser_equal", "_lesser_equal_scalar", _cmp(torch.le)),
}
_INPLACE = {
    "__iadd__": ("broadcast_add", "_plus_scalar", T.add_),
    "__isub__": ("broadcast_sub", "_minus_scalar", T.sub_),
    "__imul__": ("broadcast_mul", "_mul_scalar", T.mul_),
    "__itruediv__": ("broadcast_div", "_div_scalar", T.div_),
    "__imod__": ("broadcast_mod", "_mod_scalar", None),
}
for _name, (_aop, _sop, _sfn) in _ARITH.items():
    _m = _arith(_aop, _sop, None if _aop is None else get_op(_aop).direct, _sfn)
    _m.__name__ = _m.__qualname__ = _name
    setattr(NDArray, _name, _m)
for _name, (_aop, _sop, _ifn) in _INPLACE.items():
    _m = _inplace(_aop, _sop, _ifn)
    _m.__name__ = _m.__qualname__ = _name
    setattr(NDArray, _name, _m)
del T


def _empty_first_axis_ok(key, t: torch.Tensor, r: torch.Tensor) -> bool:
    """MXNet 1.x lets a forward slice of the first axis select nothing (``x[5:5]``, ``x[7:9]`` on 5
    rows give shape (0, ...)); an empty selection anywhere else is an error."""
    first = key[0] if key.__class__ is tuple and key else key
    if first.__class__ is not slice or first.step not in (None, 1):
        return False
    start, stop, _ = first.indices(t.shape[0])
    return start == stop and r.shape[0] == 0 and all(d > 0 for d in r.shape[1:])


def _index(key, t: torch.Tensor):
    """Translate an MXNet 1.x index to one torch applies with the same result.

    Ints, slices, None, Ellipsis and integer arrays (NDArray, list or NumPy; float and bool entries
    count as integers, as in MXNet's legacy mode) are allowed; a bool NDArray is refused as MXNet
    does. Where torch's rules differ from NumPy's (which MXNet follows) -- negative slice steps, and
    ints mixed with index arrays -- the key becomes one integer array per axis, found by indexing a
    NumPy array of element positions with the key.
    """
    if key.__class__ is tuple:
        for k in key:  # the commonest keys (ints, forward slices, None, ...) go to torch as they are
            c = k.__class__
            if not (c is int or c is slice and (k.step is None or k.step > 0) or k is None or k is Ellipsis):
                break
        else:
            return key
    elif key.__class__ is int or key.__class__ is slice and (key.step is None or key.step > 0):
        return key
    parts = key if isinstance(key, tuple) else (key,)
    out, advanced, has_int, reverse = [], False, False, False
    for k in parts:
        if isinstance(k, NDArray):
            kt = k._tensor
            if kt.dtype is torch.bool:
                raise ValueError(
                    "NDArray indexing: MXNet 1.x (legacy mode) cannot index with a boolean NDArray; "
                    "index with the integer positions of the True entries instead"
                )
            k, advanced = kt.long(), True
        elif isinstance(k, (list, np.ndarray)):
            k, advanced = torch.from_numpy(np.asarray(k).astype(np.int64)), True
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            k, has_int = int(k), True
        elif isinstance(k, slice):
            reverse = reverse or (k.step is not None and k.step < 0)
        out.append(k)
    if reverse or (advanced and has_int and len(out) > 1):
        return _positions(tuple(out), tuple(t.shape))
    return tuple(out) if isinstance(key, tuple) else out[0]


def _positions(key: tuple, shape: tuple) -> tuple:
    """``key`` as one int64 tensor per axis, by NumPy's indexing rules."""
    np_key = tuple(k.numpy() if isinstance(k, torch.Tensor) else k for k in key)
    flat = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)[np_key]
    return tuple(torch.from_numpy(np.ascontiguousarray(i)) for i in np.unravel_index(flat, shape))


def _mark_variable(var: NDArray, grad: NDArray, grad_req: str) -> None:
    t = var._tensor.detach()
    info = _GradInfo(grad, grad_req)
    if grad_req != "null":
        t.requires_grad_(True)
    var._tensor = t
    var._ag = info
    _register_variable(var)


def current_ctx() -> Context:
    return current_context()
