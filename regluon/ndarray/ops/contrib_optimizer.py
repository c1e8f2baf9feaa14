"""nd.contrib's Python-level AdamW and LAMB functions (``adamw_update``, ``multi_lamb_update``, ...).

MXNet writes these in Python over its AdamW/LAMB operators (the table's ops in ``lamb_ops``): lists of
arrays in, a plain number allowed for ``rescale_grad``.
"""

from __future__ import annotations


def _nd():
    import sys

    return sys.modules["regluon.ndarray"]


def _scale_array(rescale_grad, like):
    """``rescale_grad`` as the 1-element float32 array the AdamW ops take, on ``like``'s context."""
    nd = _nd()
    if isinstance(rescale_grad, nd.NDArray):
        return rescale_grad.as_in_context(like.context)
    return nd.full((1,), rescale_grad, ctx=like.context, dtype="float32")


def _interleave(*lists) -> list:
    return [a for group in zip(*lists) for a in group]


def adamw_update(
    weight,
    grad,
    mean,
    var,
    rescale_grad,
    lr,
    eta,
    beta1=0.9,
    beta2=0.999,
    epsilon=1e-8,
    wd=0,
    clip_gradient=-1,
    out=None,
    name=None,
    **kwargs,
):
    """One AdamW step (``_adamw_update``); ``rescale_grad`` may be a number or a 1-element array.

    Example:
        >>> mx.nd.contrib.adamw_update(w, g, m, v, 1 / 32, lr=1e-3, eta=1.0, wd=0.01, out=w)
    """
    return _nd()._internal._adamw_update(
        weight, grad, mean, var, _scale_array(rescale_grad, weight), lr=lr, eta=eta, beta1=beta1,
        beta2=beta2, epsilon=epsilon, wd=wd, clip_gradient=clip_gradient, out=out, **kwargs,
    )  # fmt: skip


def mp_adamw_update(
    weight,
    grad,
    mean,
    var,
    weight32,
    rescale_grad,
    lr,
    eta,
    beta1=0.9,
    beta2=0.999,
    epsilon=1e-8,
    wd=0,
    clip_gradient=-1,
    out=None,
    name=None,
    **kwargs,
):
    """:func:`adamw_update` through the float32 master copy ``weight32`` of a float16 ``weight``.

    Example:
        >>> mx.nd.contrib.mp_adamw_update(w16, g16, m, v, w32, 1.0, lr=1e-3, eta=1.0, out=w16)
    """
    return _nd()._internal._mp_adamw_update(
        weight, grad, mean, var, weight32, _scale_array(rescale_grad, weight), lr=lr, eta=eta,
        beta1=beta1, beta2=beta2, epsilon=epsilon, wd=wd, clip_gradient=clip_gradient, out=out, **kwargs,
    )  # fmt: skip


def multi_adamw_update(
    weights, grads, mean, var, rescale_grad, lrs, wds, etas, out=None, name=None, size=0, **kwargs
):
    """AdamW for lists of weights in one call (``_multi_adamw_update``): ``lrs``, ``wds`` and ``etas``
    give one value per weight; ``size`` (default: all) says how many weights are updated.

    Example:
        >>> mx.nd.contrib.multi_adamw_update([w1, w2], [g1, g2], [m1, m2], [v1, v2], 1.0,
        ...                                  lrs=[1e-3, 1e-3], wds=[0.01, 0.0], etas=[1.0, 1.0], out=[w1, w2])
    """
    size = size or len(weights)
    return _nd()._internal._multi_adamw_update(
        *_interleave(weights, grads, mean, var), _scale_array(rescale_grad, weights[0]), out=out,
        num_weights=size, lrs=lrs, wds=wds, etas=etas, **kwargs,
    )  # fmt: skip


def multi_mp_adamw_update(
    weights, grads, mean, var, weights32, rescale_grad, lrs, wds, etas, out=None, name=None, size=0, **kwargs
):
    """:func:`multi_adamw_update` through float32 master copies ``weights32`` (updated in place).

    Example:
        >>> mx.nd.contrib.multi_mp_adamw_update([w16], [g16], [m], [v], [w32], 1.0, lrs=[1e-3], wds=[0.0],
        ...                                     etas=[1.0], out=[w16])
    """
    size = size or len(weights)
    return _nd()._internal._multi_mp_adamw_update(
        *_interleave(weights, grads, mean, var, weights32), _scale_array(rescale_grad, weights[0]), out=out,
        num_weights=size, lrs=lrs, wds=wds, etas=etas, **kwargs,
    )  # fmt: skip


def multi_lamb_update(weights, grads, mean, var, step_count, lrs, wds, out=None, num_tensors=0, **kwargs):
    """The whole LAMB step for lists of weights (``_multi_lamb_update``); ``step_count`` gives each
    weight's update number, ``lrs`` / ``wds`` its rate and decay; further keywords (``beta1``,
    ``epsilon``, ``lower_bound``, ``bias_correction``, ``rescale_grad``, ...) as the operator.

    Example:
        >>> mx.nd.contrib.multi_lamb_update([w1, w2], [g1, g2], [m1, m2], [v1, v2], step_count=[1, 1],
        ...                                 lrs=[1e-3, 1e-3], wds=[0.01, 0.01], out=[w1, w2])
    """
    return _nd()._internal._multi_lamb_update(
        *_interleave(weights, grads, mean, var), out=out, num_tensors=num_tensors or len(weights),
        step_count=step_count, learning_rates=lrs, wds=wds, **kwargs,
    )  # fmt: skip


def multi_mp_lamb_update(
    weights, grads, mean, var, weights32, step_count, lrs, wds, out=None, num_tensors=0, **kwargs
):
    """:func:`multi_lamb_update` through float32 master copies ``weights32`` (updated in place).

    Example:
        >>> mx.nd.contrib.multi_mp_lamb_update([w16], [g16], [m], [v], [w32], step_count=[1], lrs=[1e-3],
        ...                                    wds=[0.0], out=[w16])
    """
    return _nd()._internal._multi_mp_lamb_update(
        *_interleave(weights, grads, mean, var, weights32), out=out, num_tensors=num_tensors or len(weights),
        step_count=step_count, learning_rates=lrs, wds=wds, **kwargs,
    )  # fmt: skip


#: Python-level functions that ``regluon.ndarray`` installs (by public name)
FUNCTIONS = {
    f"contrib.{fn.__name__}": fn
    for fn in (
        adamw_update,
        mp_adamw_update,
        multi_adamw_update,
        multi_mp_adamw_update,
        multi_lamb_update,
        multi_mp_lamb_update,
    )
}
