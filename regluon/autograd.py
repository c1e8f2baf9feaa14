"""``mx.autograd``: record computations and differentiate them, on torch's autograd engine.

Operations build a graph only inside ``record()``; outside it nothing is recorded, even
for arrays with attached gradients. ``backward`` writes into the persistent ``.grad``
buffers of the marked variables according to their ``grad_req``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .base import MXNetError
from .ndarray.ndarray import NDArray, _mark_variable, autograd_state, collect_grads

_NOT_RECORDED = (
    "Cannot differentiate {what} because it is not in a computational graph. Compute it inside "
    "`with autograd.record():` from arrays that have gradients attached (attach_grad) or are Parameters."
)


class _Scope:
    """Sets the recording / training flags for a ``with`` block and restores them after."""

    def __init__(self, recording: bool | None, training: bool | None):
        self._rec, self._train = recording, training
        self._saved = None

    def __enter__(self):
        st = autograd_state
        grad_on = torch.is_grad_enabled()
        self._saved = (st.recording, st.training, grad_on)
        if self._rec is not None:
            st.recording = self._rec
            if self._rec != grad_on:
                torch.set_grad_enabled(self._rec)
        if self._train is not None:
            st.training = self._train
        return self

    def __exit__(self, *exc):
        st = autograd_state
        st.recording, st.training, grad_on = self._saved
        if torch.is_grad_enabled() != grad_on:
            torch.set_grad_enabled(grad_on)


def record(train_mode: bool = True) -> _Scope:
    """Record operations in this block so that ``backward`` can differentiate them.

    ``train_mode=True`` (the default) also makes layers such as Dropout behave as in training.

    Example:
        >>> x = mx.nd.array([1.0, 2.0]); x.attach_grad()
        >>> with autograd.record():
        ...     y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        <BLANKLINE>
        [2. 4.]
        <NDArray 2 @cpu(0)>
    """
    return _Scope(True, train_mode)


def pause(train_mode: bool = False) -> _Scope:
    """Stop recording inside a ``record()`` block (e.g. for metrics computed mid-step)."""
    return _Scope(False, train_mode)


def train_mode() -> _Scope:
    """Run the block in training mode without changing whether operations are recorded."""
    return _Scope(None, True)


def predict_mode() -> _Scope:
    """Run the block in inference mode without changing whether operations are recorded."""
    return _Scope(None, False)


def is_recording() -> bool:
    """True inside ``record()`` (and not inside a ``pause()`` nested in it)."""
    return autograd_state.recording


def is_training() -> bool:
    """True when layers should behave as in training (inside ``record()`` by default)."""
    return autograd_state.training


def set_recording(is_recording: bool) -> bool:  # noqa: A002
    """Set the recording flag; returns the previous value."""
    prev = autograd_state.recording
    autograd_state.recording = bool(is_recording)
    return prev


def set_training(train_mode: bool) -> bool:  # noqa: A002
    """Set the training flag; returns the previous value."""
    prev = autograd_state.training
    autograd_state.training = bool(train_mode)
    return prev


def mark_variables(variables, gradients, grad_reqs: str | Sequence[str] = "write") -> None:
    """Mark arrays as variables whose gradients are written into the given buffers.

    Example:
        >>> x = mx.nd.ones((2,)); gx = mx.nd.zeros((2,))
        >>> autograd.mark_variables([x], [gx])
    """
    if isinstance(variables, NDArray):
        variables, gradients = [variables], [gradients]
    if isinstance(grad_reqs, str):
        grad_reqs = [grad_reqs] * len(variables)
    if not (len(variables) == len(gradients) == len(grad_reqs)):
        raise ValueError(
            f"mark_variables: got {len(variables)} variables, {len(gradients)} gradients and "
            f"{len(grad_reqs)} grad_reqs; they must have the same length"
        )
    for var, grad, req in zip(variables, gradients, grad_reqs):
        if req not in ("write", "add", "null"):
            raise ValueError(f"mark_variables: grad_req must be 'write', 'add' or 'null', got {req!r}")
        if grad.shape != var.shape:
            raise MXNetError(
                f"mark_variables: gradient shape {grad.shape} differs from variable shape {var.shape}"
            )
        _mark_variable(var, grad, req)


def _heads(heads, head_grads):
    if heads.__class__ is NDArray and head_grads is None:  # fast path: y.backward()
        t = heads._tensor
        if t.requires_grad:
            return (t,), (torch.ones_like(t),)
    if isinstance(heads, NDArray):
        heads = [heads]
        head_grads = (
            None if head_grads is None else [head_grads] if isinstance(head_grads, NDArray) else head_grads
        )
    heads = list(heads)
    if head_grads is None:
        head_grads = [None] * len(heads)
    if len(head_grads) != len(heads):
        raise ValueError(f"got {len(heads)} heads but {len(head_grads)} head gradients")
    tensors, grads = [], []
    for i, (h, g) in enumerate(zip(heads, head_grads)):
        t = h._tensor
        if not t.requires_grad or t.grad_fn is None and not t.is_leaf:
            raise MXNetError(_NOT_RECORDED.format(what=f"head {i} (shape {h.shape})"))
        if g is not None and g.shape != h.shape:
            raise MXNetError(
                f"backward: head gradient {i} has shape {g.shape} but the head has shape {h.shape}"
            )
        tensors.append(t)
        grads.append(torch.ones_like(t) if g is None else g._tensor)
    return tensors, grads


try:  # the engine entry point behind torch.autograd.backward, without its argument re-checking
    from torch.autograd.graph import _engine_run_backward as _engine
except ImportError:  # pragma: no cover - older torch
    _engine = None


def _run_backward(tensors: tuple, grads: tuple, retain_graph: bool) -> None:
    if _engine is None:
        torch.autograd.backward(tensors, grads, retain_graph=retain_graph)
    else:
        _engine(tensors, grads, retain_graph, False, (), allow_unreachable=True, accumulate_grad=True)


def backward(heads, head_grads=None, retain_graph: bool = False, train_mode: bool = True) -> None:
    """Compute the gradients of ``heads`` with respect to the marked variables.

    Non-scalar heads use ``head_grads`` (ones by default), i.e. ``y.backward()`` on a vector
    equals ``y.sum().backward()``.
    """
    tensors, grads = _heads(heads, head_grads)
    autograd_state.backward_train = train_mode  # what autograd.Function.backward sees as is_training()
    try:
        _run_backward(tuple(tensors), tuple(grads), retain_graph)
    except RuntimeError as err:
        if "second time" in str(err) or "does not require grad" in str(err):
            raise MXNetError(_NOT_RECORDED.format(what="the head (its graph was already freed)")) from None
        raise MXNetError(f"backward: {str(err).splitlines()[0]}") from None
    collect_grads()


def grad(
    heads,
    variables,
    head_grads=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    train_mode: bool = True,
):
    """Return the gradients of ``heads`` with respect to ``variables`` without touching ``.grad``.

    With ``create_graph=True`` the result is itself recorded, for higher-order gradients.

    Example:
        >>> x = mx.nd.array([3.0]); x.attach_grad()
        >>> with autograd.record():
        ...     y = x * x
        >>> autograd.grad(y, [x])[0]
        <BLANKLINE>
        [6.]
        <NDArray 1 @cpu(0)>
    """
    single = isinstance(variables, NDArray)
    var_list = [variables] if single else list(variables)
    tensors, grads = _heads(heads, head_grads)
    if retain_graph is None:
        retain_graph = create_graph
    autograd_state.backward_train = train_mode
    with _Scope(create_graph, train_mode):
        try:
            res = torch.autograd.grad(
                tensors,
                [v._tensor for v in var_list],
                grads,
                retain_graph=retain_graph,
                create_graph=create_graph,
                allow_unused=True,
            )
        except RuntimeError as err:
            raise MXNetError(f"grad: {str(err).splitlines()[0]}") from None
    out = []
    for v, g in zip(var_list, res):
        g = torch.zeros_like(v._tensor) if g is None else g
        out.append(NDArray._wrap(g, v._ctx))
    return out[0] if single else out


class _FunctionNode(torch.autograd.Function):
    """The torch graph node behind one call of an :class:`Function`: its forward hands back the
    outputs the user's forward already computed, its backward calls the user's backward."""

    @staticmethod
    def forward(ctx, state, *tensors):
        ctx.state = state
        return state[1]  # always a tuple, so that apply hands back a tuple

    @staticmethod
    def backward(ctx, *grads):
        fn, _outs, ctxs = ctx.state
        ograds = [NDArray._wrap(g, c) for g, c in zip(grads, ctxs)]
        with _Scope(False, getattr(autograd_state, "backward_train", True)):
            rets = fn.backward(*ograds)
        if isinstance(rets, NDArray):
            rets = (rets,)
        name = type(fn).__name__
        n_in = len(ctx.needs_input_grad) - 1
        if not isinstance(rets, (tuple, list)) or len(rets) != n_in:
            got = len(rets) if isinstance(rets, (tuple, list)) else type(rets).__name__
            raise MXNetError(
                f"{name}.backward must return as many NDArrays as forward has inputs: expected {n_in}, got {got}"
            )
        res = [None]
        for i, (r, need) in enumerate(zip(rets, ctx.needs_input_grad[1:])):
            if not isinstance(r, NDArray):
                raise MXNetError(
                    f"{name}.backward must return NDArrays, but gradient {i} is a {type(r).__name__}"
                )
            res.append(r._tensor if need else None)
        return tuple(res)


class Function:
    """A computation with a hand-written gradient: subclass it, define ``forward(self, *inputs)`` and
    ``backward(self, *output_grads)``, and call an instance on NDArrays.

    ``forward`` runs with recording paused and returns an NDArray or a tuple of them; it may keep
    arrays for the backward pass with ``self.save_for_backward(...)`` (read back as
    ``self.saved_tensors``). Under ``autograd.record()`` the call joins the graph, and when the graph is
    differentiated ``backward`` gets one gradient per output (zeros for outputs that were not used) and
    returns one gradient per input (an NDArray, or a tuple of them), also with recording paused. Each
    instance can be called once.

    Example:
        >>> class Sigmoid(mx.autograd.Function):
        ...     def forward(self, x):
        ...         y = 1 / (1 + mx.nd.exp(-x))
        ...         self.save_for_backward(y)
        ...         return y
        ...     def backward(self, dy):
        ...         (y,) = self.saved_tensors
        ...         return dy * y * (1 - y)
        >>> x = mx.nd.array([0.0]); x.attach_grad()
        >>> with mx.autograd.record():
        ...     y = Sigmoid()(x)
        >>> y.backward(); x.grad
        <BLANKLINE>
        [0.25]
        <NDArray 1 @cpu(0)>
    """

    def __init__(self) -> None:
        self._used = False
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *args) -> None:
        """Keep ``args`` for ``backward``; they are available there as ``self.saved_tensors``."""
        self.saved_tensors = args

    def __call__(self, *inputs: NDArray):
        if self._used:
            raise AssertionError(
                f"Each Function instance can only be called once; create another {type(self).__name__}()."
            )
        self._used = True
        recording = autograd_state.recording
        with _Scope(False, None):
            outputs = self.forward(*inputs)
        if not recording:
            return outputs
        return self._record(inputs, outputs)

    def _record(self, inputs, outputs):
        name = type(self).__name__
        for i, x in enumerate(inputs):
            if not isinstance(x, NDArray):
                raise TypeError(f"{name}: input {i} is a {type(x).__name__}; a Function takes NDArrays only")
        outs = (outputs,) if isinstance(outputs, NDArray) else outputs
        if not isinstance(outs, (tuple, list)) or not all(isinstance(o, NDArray) for o in outs):
            raise TypeError(f"{name}.forward must return an NDArray or a tuple of NDArrays")
        # the node's outputs alias the forward results without being them, so that arrays kept with
        # save_for_backward do not point back at the node (no reference cycle to wait for the GC)
        state = [self, tuple(o._tensor.detach() for o in outs), tuple(o._ctx for o in outs)]
        linked = _FunctionNode.apply(state, *[x._tensor for x in inputs])
        state[1] = None
        result = [NDArray._wrap(t, o._ctx) for o, t in zip(outs, linked)]
        if isinstance(outputs, NDArray):
            return result[0]
        return result if isinstance(outputs, list) else tuple(result)

    def forward(self, *inputs):
        """Compute the outputs from the inputs (NDArrays); override this."""
        raise NotImplementedError

    def backward(self, *output_grads):
        """Return the gradients of the inputs given those of the outputs; override this."""
        raise NotImplementedError


def get_symbol(x):
    raise MXNetError("autograd.get_symbol needs the symbol API, which regluon does not provide yet")
