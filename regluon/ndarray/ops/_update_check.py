"""MXNet's shape and dtype rules for the optimizer update ops, checked before anything is written.

An update op changes its state arrays (momentum, moments, float32 master weights) in place, so a
torch error half-way through would leave them half-updated. MXNet infers one shape for all the
arrays of a weight and one dtype (float32 for the states of the mixed-precision ``mp_`` ops) before
it runs; :func:`guarded` applies the same rules first and raises an ``MXNetError`` naming the op,
the array and the shapes, with every input left as it was.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ...base import MXNetError, shape_str

#: inputs of update ops that are not shaped like the weight: scales, per-row sums, norms
_NOT_ELEMWISE = ("rescale_grad", "history", "r1", "r2")
#: parameters (and trailing arrays) of multi-tensor updates holding one value per weight
_PER_WEIGHT = ("lrs", "wds", "etas", "learning_rates", "step_count")
_REAL = (torch.float16, torch.float32, torch.float64, torch.bfloat16)
_F32 = torch.float32


def _dt(t) -> str:
    return str(t.dtype)[6:]


def _check(op: str, arrays, groups, labels, mp: bool) -> None:
    """Raise the error for the first array that breaks the rules (``groups``: positions of each weight's arrays)."""
    for i, g in enumerate(groups):
        w = arrays[g[0]]
        where = f" of weight {i}" if len(groups) > 1 else ""
        if w.dtype not in _REAL:
            raise MXNetError(
                f"{op}: weight{where} must be a floating-point array (float16, float32 or float64), "
                f"got {_dt(w)} {shape_str(w.shape)}"
            )
        for j, k in enumerate(g[1:], 1):
            a, label = arrays[k], labels[j]
            if a.shape != w.shape:
                raise MXNetError(
                    f"{op}: {label}{where} has shape {shape_str(a.shape)} but the weight has shape "
                    f"{shape_str(w.shape)}; every array of an update must have the weight's shape"
                )
            same = not mp or label == "grad"  # mp: the gradient is in the weight's dtype, the rest float32
            if not same and a.dtype is not _F32:
                raise MXNetError(
                    f"{op}: {label}{where} must be float32, got {_dt(a)} {shape_str(a.shape)} (a "
                    "mixed-precision update keeps its states and master weight in float32)"
                )
            if same and a.dtype is not w.dtype:
                raise MXNetError(
                    f"{op}: {label}{where} has dtype {_dt(a)} but the weight has {_dt(w)}; "
                    "convert one with astype()"
                )


def _check_per_weight(op: str, n: int, params: dict, tail: tuple, arrays) -> None:
    """The per-weight values of a multi-tensor update (learning rates, ...) must cover every weight."""
    for name in _PER_WEIGHT:
        values = params.get(name)
        if values is not None and len(values) < n:
            raise MXNetError(f"{op}: {name} has {len(values)} value(s) for {n} weights: {values}")
    for name, a in zip(tail, arrays):
        if name in _PER_WEIGHT and tuple(a.shape) != (n,):
            raise MXNetError(
                f"{op}: {name} must have shape ({n},), one value per weight, got {shape_str(a.shape)}"
            )


def guarded(op: str, impl: Callable, inputs: tuple, layout: tuple = (), tail: tuple = ()) -> Callable:
    """``impl`` behind MXNet's rules for update op ``op`` with input names ``inputs``.

    For a variadic (multi-tensor) op, ``layout`` names the arrays of one weight (``("weight",
    "grad", "mom")``) and ``tail`` names the arrays after the groups (the ``preloaded_`` ops' ``lrs``
    and ``wds``, one value per weight). An op is mixed-precision when it has a ``weight32`` input; there, the
    weight and its ``grad`` share a dtype and every other array is float32.

    Example:
        >>> impl = guarded("sgd_mom_update", _sgd_mom_update, ("weight", "grad", "mom"))
    """
    if layout:
        labels, mp, size, extra = layout, "weight32" in layout, len(layout), len(tail)

        def run(*data, **params):
            n = len(data) - extra
            if n % size or not n:
                raise MXNetError(
                    f"{op}: expects the arrays of each weight in groups of {size} ({', '.join(layout)})"
                    + (f", then {', '.join(tail)}" if tail else "")
                    + f"; got {len(data)} arrays"
                )
            shapes = [t.shape for t in data[:n]]
            dts = [t.dtype for t in data[:n]]
            ws, wd = shapes[0::size], dts[0::size]
            ok = all(d in _REAL for d in wd) and all(shapes[j::size] == ws for j in range(1, size))
            if ok:
                f32 = [_F32] * (n // size) if mp else wd
                ok = dts[1::size] == wd and all(dts[j::size] == f32 for j in range(2, size))
            if not ok:
                _check(op, data, [range(s, s + size) for s in range(0, n, size)], labels, mp)
            _check_per_weight(op, n // size, params, tail, data[n:])
            return impl(*data, **params)

        return run

    positions = tuple(k for k, name in enumerate(inputs) if name not in _NOT_ELEMWISE)
    labels = tuple(inputs[k] for k in positions)
    mp = "weight32" in inputs

    def run_single(*arrays, **params):
        w = arrays[positions[0]]
        shape, dt = w.shape, w.dtype
        if mp or dt not in _REAL:
            _check(op, arrays, [positions], labels, mp)
        else:
            for j in positions[1:]:
                a = arrays[j]
                if a.shape != shape or a.dtype is not dt:
                    _check(op, arrays, [positions], labels, mp)
        return impl(*arrays, **params)

    return run_single
