"""``mx.operator``: custom operators written in Python (``CustomOp`` / ``CustomOpProp`` / ``register``),
run with ``mx.nd.Custom(*inputs, op_type=name, **kwargs)``.

The operator's ``forward`` and ``backward`` work on NDArrays; under ``autograd.record()`` the call joins
the recorded graph, and ``backward`` is called with the output gradients when the graph is differentiated.
"""

from __future__ import annotations

from typing import Any

import torch

from .base import MXNetError
from .ndarray import NDArray
from .ndarray import ndarray as _ndmod
from .ndarray.state import autograd_state

_REGISTRY: dict[str, type] = {}


class CustomOp:
    """Base class of a custom operator's computation: override ``forward`` and ``backward``."""

    def forward(self, is_train: bool, req: list, in_data: list, out_data: list, aux: list) -> None:
        """Compute ``out_data`` from ``in_data`` (write with :meth:`assign`)."""
        raise NotImplementedError

    def backward(
        self, req: list, out_grad: list, in_data: list, out_data: list, in_grad: list, aux: list
    ) -> None:
        """Compute ``in_grad`` from ``out_grad`` (write with :meth:`assign`)."""
        raise NotImplementedError

    def assign(self, dst: NDArray, req: str, src) -> None:
        """Write ``src`` into ``dst`` as ``req`` says: 'write'/'inplace' copy, 'add' accumulate, 'null' skip."""
        if req == "null":
            return
        if req in ("write", "inplace"):
            dst[:] = src
        elif req == "add":
            dst[:] = dst + src
        else:
            raise MXNetError(f"CustomOp.assign: unknown req {req!r}")


class CustomOpProp:
    """Describes a custom operator: its arguments, outputs, shapes and types, and creates it.

    Example:
        >>> @mx.operator.register("scale2")
        ... class Scale2Prop(mx.operator.CustomOpProp):
        ...     def list_arguments(self):
        ...         return ['data']
        ...     def infer_shape(self, in_shape):
        ...         return in_shape, [in_shape[0]], []
        ...     def create_operator(self, ctx, shapes, dtypes):
        ...         return Scale2()
    """

    def __init__(self, need_top_grad: bool = True):
        self.need_top_grad_ = need_top_grad

    def list_arguments(self) -> list[str]:
        return ["data"]

    def list_outputs(self) -> list[str]:
        return ["output"]

    def list_auxiliary_states(self) -> list[str]:
        return []

    def infer_shape(self, in_shape: list):
        return (
            in_shape,
            [in_shape[0]] * len(self.list_outputs()),
            [in_shape[0]] * len(self.list_auxiliary_states()),
        )

    def infer_type(self, in_type: list):
        t = in_type[0]
        return [t] * len(in_type), [t] * len(self.list_outputs()), [t] * len(self.list_auxiliary_states())

    def declare_backward_dependency(self, out_grad, in_data, out_data):
        return [*out_grad, *in_data, *out_data] if self.need_top_grad_ else [*in_data, *out_data]

    def create_operator(self, ctx, in_shapes, in_dtypes) -> CustomOp:
        raise NotImplementedError


def register(reg_name: str):
    """Class decorator registering a :class:`CustomOpProp` subclass under ``reg_name``."""

    def deco(prop_cls: type) -> type:
        if not (isinstance(prop_cls, type) and issubclass(prop_cls, CustomOpProp)):
            raise TypeError("operator.register decorates CustomOpProp subclasses")
        _REGISTRY[reg_name] = prop_cls
        return prop_cls

    return deco


def get_all_registered_operators() -> list[str]:
    """Names of the registered custom operators."""
    return sorted(_REGISTRY)


class _CustomFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, state, *tensors):
        op, n_args, n_out, out_meta, arg_ctx = state
        args = [_ndmod.NDArray._wrap(t, arg_ctx) for t in tensors[:n_args]]
        aux = [_ndmod.NDArray._wrap(t, arg_ctx) for t in tensors[n_args:]]
        outs = [_zeros(shape, dtype, arg_ctx) for shape, dtype in out_meta]
        saved = (autograd_state.recording, autograd_state.training)
        autograd_state.recording = False
        try:
            op.forward(is_train=saved[1], req=["write"] * n_out, in_data=args, out_data=outs, aux=aux)
        finally:
            autograd_state.recording = saved[0]
        ctx.custom = (op, args, outs, aux, arg_ctx)
        return tuple(o._tensor for o in outs)

    @staticmethod
    def backward(ctx, *grads):
        op, args, outs, aux, arg_ctx = ctx.custom
        out_grad = [_ndmod.NDArray._wrap(g.contiguous(), arg_ctx) for g in grads]
        in_grad = [_zeros(a.shape, a.dtype, arg_ctx) for a in args]
        saved = autograd_state.recording
        autograd_state.recording = False
        try:
            op.backward(
                req=["write"] * len(args),
                out_grad=out_grad,
                in_data=args,
                out_data=outs,
                in_grad=in_grad,
                aux=aux,
            )
        finally:
            autograd_state.recording = saved
        return (None, *[g._tensor for g in in_grad], *[None] * len(aux))


def _zeros(shape, dtype, ctx):
    from . import ndarray as nd

    return nd.zeros(tuple(shape), dtype=dtype, ctx=ctx)


def Custom(*inputs: NDArray, op_type: str, **kwargs: Any):
    """Run the custom operator registered as ``op_type`` on ``inputs`` (arguments, then auxiliary states).

    Keyword arguments go to the operator's CustomOpProp as strings, as in MXNet.
    """
    if op_type not in _REGISTRY:
        raise MXNetError(f"Custom: no custom operator registered as {op_type!r}; use @mx.operator.register")
    prop = _REGISTRY[op_type](**{k: str(v) for k, v in kwargs.items()})
    n_args = len(prop.list_arguments())
    n_aux = len(prop.list_auxiliary_states())
    if len(inputs) != n_args + n_aux:
        raise MXNetError(
            f"Custom({op_type}): expected {n_args} arguments and {n_aux} auxiliary states "
            f"({', '.join(prop.list_arguments())}), got {len(inputs)} inputs"
        )
    shapes = prop.infer_shape([list(x.shape) for x in inputs[:n_args]])
    types = prop.infer_type([x.dtype for x in inputs[:n_args]])
    out_meta = list(zip(shapes[1], types[1]))
    op = prop.create_operator(inputs[0].context, shapes[0], types[0])
    state = (op, n_args, len(out_meta), out_meta, inputs[0].context)
    tensors = [x._tensor for x in inputs]
    if autograd_state.recording:
        res = _CustomFunction.apply(state, *tensors)
    else:
        with torch.no_grad():
            res = _CustomFunction.apply(state, *tensors)
    outs = [_ndmod.NDArray._wrap(r, inputs[0].context) for r in res]
    return outs[0] if len(outs) == 1 else outs
