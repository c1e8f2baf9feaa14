"""Reductions with MXNet's ``axis`` / ``keepdims`` / ``exclude``; a full reduction has shape (1,)."""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError
from .. import register as register_module
from ..params import AxisArg, Bool, Int, Optional, Param
from ..register import OpDef, Sample, register, wrap_result
from ._common import axis_error, normalize_axes, rand

_REDUCE_PARAMS = (
    Param("axis", AxisArg(), None, "Axis or axes to reduce; None or () reduces all."),
    Param("keepdims", Bool(), False, "Keep reduced axes with length 1."),
    Param("exclude", Bool(), False, "Reduce over every axis except the given ones."),
)


_AXES: dict = {}


def reduce_axes(op: str, ndim: int, axis, exclude: bool) -> tuple:
    """The axes an MXNet reduction works on (memoised: the same few combinations repeat)."""
    key = (ndim, axis, exclude)
    hit = _AXES.get(key)
    if hit is None:
        hit = _reduce_axes(op, ndim, axis, exclude)
        if len(_AXES) < 4096:
            _AXES[key] = hit
    return hit


def _reduce_axes(op: str, ndim: int, axis, exclude: bool) -> tuple:
    if axis is None:
        return () if exclude else tuple(range(ndim))
    axes = normalize_axes(op, axis, ndim)
    if exclude:
        return tuple([i for i in range(ndim) if i not in axes])
    return axes


def _at_least_1d(r: torch.Tensor) -> torch.Tensor:
    return r.reshape(1) if r.dim() == 0 else r


def _reducer(name, fn):
    def impl(data, axis, keepdims, exclude):
        axes = reduce_axes(name, data.dim(), axis, exclude)
        if not axes:
            return data.clone()
        dims = axes[0] if len(axes) == 1 else axes  # torch parses one int faster than a tuple
        if data.dtype is torch.bool:  # MXNet reduces bool arrays to bool (a sum is True where any is)
            return _at_least_1d(fn(data.to(torch.float32), dims, keepdims)).to(torch.bool)
        return _at_least_1d(fn(data, dims, keepdims))

    return impl


def _reducer_fast(name, fn, full=None):
    """The op's public function (see ``OpDef.fast``): for a float array, an int axis or none, and bool
    flags, it runs ``impl``'s steps itself; every other call goes to the generated function.

    ``full(t)``, where given, reduces all axes without listing them: torch builds the same reduction
    either way (same values, bit for bit), and parses no axes.
    """

    def fast(general):
        ndarray_cls = register_module._NDArray

        def reduction(data=None, axis=None, keepdims=False, exclude=False, out=None, **kwargs):
            if (
                data.__class__ is ndarray_cls
                and out is None
                and not kwargs
                and (keepdims is False or keepdims is True)
                and data._tensor.is_floating_point()
            ):
                t = data._tensor
                try:
                    if axis.__class__ is int and exclude is False:
                        r = fn(t, axis, keepdims)  # torch takes the axis as it is; a bad one raises
                    elif axis is None and exclude is False and keepdims is False and full is not None:
                        r = full(t) if t.dim() else None
                    elif (axis is None or axis.__class__ is int) and (exclude is False or exclude is True):
                        axes = reduce_axes(name, t.dim(), None if axis is None else (axis,), exclude)
                        if not axes:
                            return wrap_result(t.clone(), data)
                        r = fn(t, axes[0] if len(axes) == 1 else axes, keepdims)
                    else:
                        r = None
                except (RuntimeError, IndexError, MXNetError):  # the general path raises MXNet's error
                    r = None
                if r is not None:
                    if r.dim() != 0:
                        return wrap_result(r, data)
                    if t.dim() != 0 or axis is None or axis >= 0:  # a 0-d array has axis 0 only in MXNet
                        return wrap_result(r.view(1), data)
            return general(data, axis=axis, keepdims=keepdims, exclude=exclude, out=out, **kwargs)

        return reduction

    return fast


def _prod(t, axes, keepdims):
    for ax in sorted(axes if isinstance(axes, tuple) else (axes,), reverse=True):
        t = torch.prod(t, dim=ax, keepdim=keepdims)
    return t


def _np_reducer(fn):
    def ref(x, axis=None, keepdims=False, exclude=False):
        axes = reduce_axes("ref", x.ndim, AxisArg().parse(axis), exclude)
        if not axes:
            return x.copy()
        r = fn(x, axis=axes, keepdims=keepdims)
        return np.asarray(r, dtype=x.dtype).reshape(np.shape(r) or (1,))

    return ref


def _reduce_samples(empty_ok: bool):
    def samples():
        x = rand(2, 3, 4)
        cases = [
            Sample((x,)),
            Sample((x,), {"axis": 1}),
            Sample((x,), {"axis": (0, 2), "keepdims": True}),
            Sample((x,), {"axis": 1, "exclude": True}),
            Sample((x,), {"axis": "(-1,)"}),
            Sample((rand(1, 1, 3),), {"axis": (0, 1)}),  # size-1 axes
        ]
        if empty_ok:  # MXNet reduces over a 0-length axis (to 0, 1 or NaN); it cannot take gradients there
            cases.append(Sample((np.zeros((2, 0, 3), "float32"),), {"axis": 1}, grad=False))
        return cases

    return samples


def _reduce_errors(name: str):
    return lambda: [((rand(2, 3),), {"axis": 2}, rf"{name}: axis 2 is out of range for an array with 2 dim")]


#: reductions over all axes that need no axis list (see _reducer_fast)
_FULL = {"sum": torch.Tensor.sum, "mean": torch.Tensor.mean, "max": torch.amax, "min": torch.amin}
_REDUCERS = {
    "sum": (torch.Tensor.sum, np.sum, ("sum_axis",), "Sum"),
    "mean": (torch.Tensor.mean, np.mean, (), "Mean"),
    "max": (lambda t, a, k: torch.amax(t, dim=a, keepdim=k), np.max, ("max_axis",), "Maximum"),
    "min": (lambda t, a, k: torch.amin(t, dim=a, keepdim=k), np.min, ("min_axis",), "Minimum"),
    "prod": (_prod, np.prod, (), "Product"),
    "nansum": (lambda t, a, k: torch.nansum(t, dim=a, keepdim=k), np.nansum, (), "Sum, treating NaN as 0,"),
    "nanprod": (
        lambda t, a, k: _prod(torch.nan_to_num(t, nan=1.0), a, k),
        np.nanprod,
        (),
        "Product, treating NaN as 1,",
    ),
}

for _name, (_fn, _ref, _aliases, _doc) in _REDUCERS.items():
    register(
        OpDef(
            _name,
            impl=_reducer(_name, _fn),
            fast=_reducer_fast(_name, _fn, _FULL.get(_name)),
            params=_REDUCE_PARAMS,
            aliases=_aliases,
            ref=_np_reducer(_ref),
            samples=_reduce_samples(_name not in ("max", "min")),
            errors=_reduce_errors(_name),
            method=_name,
            doc=f"{_doc} over the given axes.\n\nExample:\n    >>> mx.nd.ones((2, 3)).{_name}(axis=1)",
        )
    )


def _norm(data, ord, axis, keepdims, exclude=False):
    if ord not in (1, 2):
        raise MXNetError(
            f"norm: ord={ord} is not supported; MXNet computes the L1 (ord=1) and L2 (ord=2) norms"
        )
    axes = reduce_axes("norm", data.dim(), axis, False)
    if ord == 1:
        r = torch.sum(torch.abs(data), dim=axes, keepdim=keepdims)
    else:
        r = torch.sqrt(torch.sum(data * data, dim=axes, keepdim=keepdims))
    return _at_least_1d(r)


def _norm_ref(x, ord=2, axis=None, keepdims=False):
    axes = reduce_axes("ref", x.ndim, AxisArg().parse(axis), False)
    r = (
        np.sum(np.abs(x), axis=axes, keepdims=keepdims)
        if ord == 1
        else np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdims))
    )
    return np.asarray(r, dtype=x.dtype).reshape(np.shape(r) or (1,))


register(
    OpDef(
        "norm",
        impl=lambda data, ord, axis, keepdims: _norm(data, ord, axis, keepdims),
        params=(
            Param("ord", Int(), 2, "1 for the L1 norm, 2 for the L2 norm."),
            Param("axis", AxisArg(), None, "Axes to reduce; None reduces all."),
            Param("keepdims", Bool(), False, "Keep reduced axes with length 1."),
        ),
        ref=_norm_ref,
        samples=lambda: [Sample((rand(2, 3),)), Sample((rand(2, 3),), {"ord": 1, "axis": 1})],
        errors=lambda: [((rand(2, 3),), {"ord": 3}, r"norm: ord=3 is not supported")],
        method="norm",
        doc="The L1 or L2 norm over the given axes (all by default).",
    )
)


def _arg(fn, name):
    def impl(data, axis, keepdims):
        if axis is None:
            r = fn(data.reshape(-1), dim=0)
            return r.to(data.dtype).reshape(1)
        if not -data.dim() <= axis < data.dim():
            raise axis_error(name, "axis", axis, data.shape)
        return _at_least_1d(fn(data, dim=axis, keepdim=keepdims).to(data.dtype))

    return impl


def _arg_ref(fn):
    def ref(x, axis=None, keepdims=False):
        if axis is None:
            return np.asarray([fn(x)], dtype=x.dtype)
        r = fn(x, axis=axis)
        if keepdims:
            r = np.expand_dims(r, axis)
        return np.asarray(r, dtype=x.dtype).reshape(np.shape(r) or (1,))

    return ref


for _name, _fn, _nfn in (("argmax", torch.argmax, np.argmax), ("argmin", torch.argmin, np.argmin)):
    register(
        OpDef(
            _name,
            impl=_arg(_fn, _name),
            params=(
                Param("axis", Optional(Int()), None, "Axis to search; None searches the flattened array."),
                Param("keepdims", Bool(), False, "Keep the searched axis with length 1."),
            ),
            ref=_arg_ref(_nfn),
            samples=lambda: [
                Sample((rand(3, 4),)),
                Sample((rand(3, 4),), {"axis": 1}),
                Sample((rand(3, 4),), {"axis": 0, "keepdims": True}),
                Sample((rand(1, 4),), {"axis": 0}),
            ],
            errors=lambda _n=_name: [((rand(2, 3),), {"axis": 2}, rf"{_n}: axis=2 is out of range")],
            differentiable=False,
            method=_name,
            doc=f"Index of the {'largest' if _name == 'argmax' else 'smallest'} element along an axis, "
            "returned in the input's (floating) dtype as MXNet does.",
        )
    )


def _moments(data, axes, keepdims):
    if axes is None:
        raise MXNetError("moments: axes must be given (the axes to reduce)")
    dims = reduce_axes("moments", data.dim(), axes, False)
    mean = data.mean(dim=dims, keepdim=True)
    var = ((data - mean) ** 2).mean(dim=dims, keepdim=True)
    if not keepdims:
        mean, var = mean.squeeze(dims), var.squeeze(dims)
    return _at_least_1d(mean), _at_least_1d(var)


def _moments_ref(x, axes=None, keepdims=False):
    dims = reduce_axes("ref", x.ndim, AxisArg().parse(axes), False)
    mean = x.mean(axis=dims, keepdims=keepdims)
    var = x.var(axis=dims, keepdims=keepdims)
    return [np.asarray(m, x.dtype).reshape(np.shape(m) or (1,)) for m in (mean, var)]


register(
    OpDef(
        "moments",
        impl=_moments,
        params=(
            Param("axes", AxisArg(), None, "Axes to reduce; None reduces all."),
            Param("keepdims", Bool(), False, "Keep reduced axes with length 1."),
        ),
        ref=_moments_ref,
        samples=lambda: [
            Sample((rand(3, 4),), {"axes": (1,)}),
            Sample((rand(2, 3, 4),), {"axes": (0, 2), "keepdims": True}),
            Sample((rand(2, 3),), {"axes": (0, 1)}),
        ],
        errors=lambda: [
            ((rand(2, 3),), {"axes": (2,)}, r"moments: axis 2 is out of range"),
            ((rand(2, 3),), {}, r"moments: axes must be given"),
        ],
        doc="Mean and (population) variance over the given axes: returns [mean, var].\n\n"
        "Example: ``mean, var = nd.moments(x, axes=(0,))``",
    )
)
