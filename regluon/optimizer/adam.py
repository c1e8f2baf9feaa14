"""Adam-family optimizers with MXNet 1.9.1's update rules: Adam, Adamax, Nadam, FTML, LAMB."""

from __future__ import annotations

import math

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray
from .optimizer import Optimizer, aggregation_size, has_sparse, register, update_ops, zeros_like
from .sgd import _flatten


def _as_lists(index, weight, grad, state):
    if isinstance(index, (list, tuple)):
        return list(index), list(weight), list(grad), list(state)
    return [index], [weight], [grad], [state]


class _Aggregated(Optimizer):
    """Optimizers that update a whole group of weights per call; with ``multi_precision`` the
    float16 weights of the group are updated through their float32 master copies."""

    def update(self, index, weight, grad, state) -> None:
        self._update_impl(*_as_lists(index, weight, grad, state))

    def update_multi_precision(self, index, weight, grad, state) -> None:
        indices, weights, grads, states = _as_lists(index, weight, grad, state)
        if not (self.multi_precision and weights[0].dtype == np.float16):
            self._update_impl(indices, weights, grads, states)
            return
        masters = [s[0] for s in states]
        self._update_impl(indices, masters, [g.astype(np.float32) for g in grads], [s[1] for s in states])
        for w, m in zip(weights, masters):
            nd.cast(m, dtype=w.dtype, out=w)


@register
class Adam(_Aggregated):
    """Adam (Kingma & Ba), MXNet's rule: the bias correction is folded into the learning rate and
    epsilon is added to the square root of the raw second moment::

        lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
        g = clip(rescale_grad * grad + wd * weight)
        mean = beta1 * mean + (1 - beta1) * g;  var = beta2 * var + (1 - beta2) * g^2
        weight -= lr_t * mean / (sqrt(var) + epsilon)

    ``t`` counts the updates of each parameter. All weights of a step are updated by one
    multi-tensor call.

    Parameters
    ----------
    learning_rate : float, default 0.001
    beta1 : float, default 0.9
    beta2 : float, default 0.999
    epsilon : float, default 1e-8
    lazy_update : bool, default True
        With a row-sparse gradient, update only the rows it holds (means and variances included);
        ``False`` updates every row.

    Example:
        >>> trainer = gluon.Trainer(net.collect_params(), 'adam', {'learning_rate': 1e-3})
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        lazy_update: bool = True,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update
        self.aggregate_num = aggregation_size()

    def create_state(self, index, weight: NDArray):
        return (zeros_like(weight), zeros_like(weight))

    def _update_impl(self, indices, weights, grads, states) -> None:
        self._update_count(indices)
        lrs, wds = self._get_lrs(indices), self._get_wds(indices)
        for k, index in enumerate(indices):
            t = self._index_update_count[index]
            lrs[k] *= math.sqrt(1.0 - self.beta2**t) / (1.0 - self.beta1**t)
        kwargs = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon, **self._clip_kwargs()}
        if len(weights) == 1 or has_sparse(grads) or has_sparse(weights):
            for w, g, (mean, var), lr, wd in zip(weights, grads, states, lrs, wds):
                update_ops(g).adam_update(
                    w, g, mean, var, out=w, lr=lr, wd=wd, lazy_update=self.lazy_update, **kwargs
                )
            return
        data = _flatten((w, g, s[0], s[1]) for w, g, s in zip(weights, grads, states))
        nd._internal._multi_adam_update(
            *data, out=weights, lrs=lrs, wds=wds, num_weights=len(weights), **kwargs
        )


@register
class Adamax(Optimizer):
    """AdaMax (Adam with the infinity norm), MXNet's rule::

        g = clip(rescale_grad * grad + wd * weight)
        m = beta1 * m + (1 - beta1) * g;  u = max(beta2 * u, |g|)
        weight -= lr / (1 - beta1^t) * m / u

    Example:
        >>> opt = mx.optimizer.Adamax(learning_rate=0.002)
    """

    def __init__(self, learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2

    def create_state(self, index, weight: NDArray):
        return (zeros_like(weight), zeros_like(weight))

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        lr /= 1.0 - self.beta1 ** self._index_update_count[index]
        grad = grad * self.rescale_grad + wd * weight
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        m_t, u_t = state
        m_t[:] *= self.beta1
        m_t[:] += (1.0 - self.beta1) * grad
        u_t[:] = nd.maximum(self.beta2 * u_t, nd.abs(grad))
        weight[:] -= lr * m_t / u_t


@register
class Nadam(Optimizer):
    """Nesterov-accelerated Adam (Dozat 2016), MXNet's rule, with the momentum schedule
    ``mu_t = beta1 * (1 - 0.5 * 0.96^(t * schedule_decay))``. As in MXNet, the running product
    of the schedule (``m_schedule``) is one number per optimizer, advanced by every update.

    Example:
        >>> opt = mx.optimizer.Nadam(learning_rate=0.001)
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        schedule_decay: float = 0.004,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        self.m_schedule = 1.0

    def create_state(self, index, weight: NDArray):
        return (zeros_like(weight), zeros_like(weight))

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        t = self._index_update_count[index]
        grad = grad * self.rescale_grad + wd * weight
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        mu_t = self.beta1 * (1.0 - 0.5 * pow(0.96, t * self.schedule_decay))
        mu_next = self.beta1 * (1.0 - 0.5 * pow(0.96, (t + 1) * self.schedule_decay))
        self.m_schedule = self.m_schedule * mu_t
        m_schedule_next = self.m_schedule * mu_next
        m_t, v_t = state
        m_t[:] *= self.beta1
        m_t[:] += (1.0 - self.beta1) * grad
        v_t[:] *= self.beta2
        v_t[:] += (1.0 - self.beta2) * grad * grad
        grad_prime = grad / (1.0 - self.m_schedule)
        m_t_prime = m_t / (1.0 - m_schedule_next)
        v_t_prime = v_t / (1.0 - pow(self.beta2, t))
        m_t_bar = (1.0 - mu_t) * grad_prime + mu_next * m_t_prime
        weight[:] -= lr * m_t_bar / (nd.sqrt(v_t_prime) + self.epsilon)


@register
class FTML(Optimizer):
    """Follow the moving leader (Zheng & Kwok 2017), MXNet's ``ftml_update``.

    Example:
        >>> opt = mx.optimizer.FTML(learning_rate=0.0025, beta1=0.6)
    """

    def __init__(self, beta1: float = 0.6, beta2: float = 0.999, epsilon: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def create_state(self, index, weight: NDArray):
        return (zeros_like(weight), zeros_like(weight), zeros_like(weight))

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = {
            "beta1": self.beta1,
            "beta2": self.beta2,
            "epsilon": self.epsilon,
            "t": self._index_update_count[index],
        }
        kwargs.update(self._clip_kwargs("clip_grad"))
        prev_d, prev_v, prev_z = state
        nd.ftml_update(weight, grad, prev_d, prev_v, prev_z, out=weight, lr=lr, wd=wd, **kwargs)


@register
class LAMB(_Aggregated):
    """LAMB (You et al. 2019), MXNet's rule: an Adam direction (with optional bias correction) plus
    weight decay, scaled per layer by ``|w| / |direction|`` (``|w|`` clamped to the bounds)::

        g = clip(rescale_grad * grad); m, v updated as Adam
        d = m_hat / (sqrt(v_hat) + epsilon) + wd * w
        w -= lr * (|w| / |d|) * d

    All weights of a step are updated by one ``_multi_lamb_update`` call (a single weight by
    ``lamb_update_phase1`` / ``lamb_update_phase2``, as in MXNet).

    Example:
        >>> trainer = gluon.Trainer(net.collect_params(), 'lamb', {'learning_rate': 1e-3})
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-6,
        lower_bound: float | None = None,
        upper_bound: float | None = None,
        bias_correction: bool = True,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction
        self.aggregate_num = aggregation_size()

    def create_state(self, index, weight: NDArray):
        return (zeros_like(weight), zeros_like(weight))

    def _bounds(self) -> dict:
        out = {}
        if self.lower_bound:
            out["lower_bound"] = self.lower_bound
        if self.upper_bound:
            out["upper_bound"] = self.upper_bound
        return out

    def update_multi_precision(self, index, weight, grad, state) -> None:
        indices, weights, grads, states = _as_lists(index, weight, grad, state)
        mp = bool(self.multi_precision and weights[0].dtype == np.float16)
        self._update_impl(indices, weights, grads, states, mp, single=not isinstance(index, (list, tuple)))

    def update(self, index, weight, grad, state) -> None:
        self._update_impl(*_as_lists(index, weight, grad, state), False, not isinstance(index, (list, tuple)))

    def _update_impl(self, indices, weights, grads, states, mp=False, single=True) -> None:
        kwargs = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon}
        kwargs.update(bias_correction=self.bias_correction, **self._clip_kwargs())
        self._update_count(indices)
        steps = [self._index_update_count[i] for i in indices]
        lrs, wds = self._get_lrs(indices), self._get_wds(indices)
        if single:
            self._update_one(weights[0], grads[0], states[0], steps[0], lrs[0], wds[0], mp, kwargs)
            return
        kwargs.update(self._bounds())
        params = {
            "learning_rates": lrs,
            "wds": wds,
            "step_count": steps,
            "num_tensors": len(weights),
            **kwargs,
        }
        if mp:
            data = _flatten((w, g, s[1][0], s[1][1], s[0]) for w, g, s in zip(weights, grads, states))
            nd._internal._multi_mp_lamb_update(*data, out=weights, **params)
        else:
            data = _flatten((w, g, s[0], s[1]) for w, g, s in zip(weights, grads, states))
            nd._internal._multi_lamb_update(*data, out=weights, **params)

    def _update_one(self, weight, grad, state, t, lr, wd, mp, kwargs) -> None:
        if mp:
            master, (mean, var) = state
            g = nd.mp_lamb_update_phase1(weight, grad, mean, var, master, t=t, wd=wd, **kwargs)
            nd.mp_lamb_update_phase2(
                weight, g, master.norm(), g.norm(), master, lr=lr, out=weight, **self._bounds()
            )
        else:
            mean, var = state
            g = nd.lamb_update_phase1(weight, grad, mean, var, t=t, wd=wd, **kwargs)
            nd.lamb_update_phase2(weight, g, weight.norm(), g.norm(), lr=lr, out=weight, **self._bounds())
