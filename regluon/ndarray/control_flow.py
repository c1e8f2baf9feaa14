"""``nd.contrib.foreach / while_loop / cond``: MXNet's control-flow operators, run eagerly.

The bodies are Python functions of NDArrays; under ``autograd.record()`` gradients flow through them
like through any other computation.
"""

from __future__ import annotations

from collections.abc import Callable

from ..base import MXNetError
from .ndarray import NDArray


def _as_list(x):
    return (list(x), True) if isinstance(x, (list, tuple)) else ([x], False)


def _stack(items: list):
    from . import stack

    return stack(*items, axis=0)


def foreach(body: Callable, data, init_states):
    """Run ``body(data[i], states) -> (outputs, states)`` over the first axis of ``data``.

    Returns the outputs stacked along a new first axis and the final states, in the structure given.

    Example:
        >>> out, total = mx.nd.contrib.foreach(lambda x, s: (x * 2, s + x), mx.nd.arange(6).reshape((3, 2)),
        ...                                   mx.nd.zeros((2,)))
    """
    items, data_is_list = _as_list(data)
    n = items[0].shape[0]
    states = init_states
    outs: list = []
    out_is_list = False
    for i in range(n):
        step = [d[i] for d in items] if data_is_list else items[0][i]
        out, states = body(step, states)
        out_list, out_is_list = _as_list(out)
        outs.append(out_list)
    stacked = [_stack([o[k] for o in outs]) for k in range(len(outs[0]))] if outs else []
    return (stacked if out_is_list else stacked[0]) if stacked else [], states


def while_loop(cond: Callable, func: Callable, loop_vars, max_iterations: int | None = None):
    """Run ``func(*loop_vars) -> (step_output, new_loop_vars)`` while ``cond(*loop_vars)`` is true.

    The step outputs are stacked along a new first axis of length ``max_iterations`` (rows past the
    last step are zeros; MXNet leaves them uninitialised); the final loop variables come back as a list.
    """
    if max_iterations is None:
        raise ValueError("while_loop: max_iterations is required")
    vars_, _ = _as_list(loop_vars)
    outs: list = []
    out_is_list = False
    steps = 0
    while steps < max_iterations:
        c = cond(*vars_)
        if not bool(c if isinstance(c, NDArray) else c):
            break
        out, new_vars = func(*vars_)
        out_list, out_is_list = _as_list(out)
        outs.append(out_list)
        vars_, _ = _as_list(new_vars)
        if len(vars_) != len(_as_list(loop_vars)[0]):
            raise MXNetError("while_loop: func must return as many loop variables as it receives")
        steps += 1
    stacked = []
    if outs:
        from . import zeros_like

        for k in range(len(outs[0])):
            rows = [o[k] for o in outs]
            rows += [zeros_like(rows[0]) for _ in range(max_iterations - len(rows))]
            stacked.append(_stack(rows))
    return (stacked if out_is_list else stacked[0]) if stacked else [], vars_


def cond(pred, then_func: Callable, else_func: Callable):
    """``then_func()`` if ``pred`` (a one-element NDArray or a bool) is true, else ``else_func()``."""
    return then_func() if bool(pred) else else_func()
