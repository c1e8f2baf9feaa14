"""Adaptive-rate optimizers with MXNet 1.9.1's update rules: RMSProp, AdaGrad, AdaDelta, Ftrl."""

from __future__ import annotations

from .. import ndarray as nd
from ..base import MXNetError
from ..ndarray import NDArray
from .optimizer import Optimizer, register, update_ops


def _zeros(weight: NDArray) -> NDArray:
    """MXNet creates these states without a dtype: float32 whatever the weight's dtype."""
    return nd.zeros(weight.shape, ctx=weight.context)


@register
class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton), or its centered form (Graves 2013) with ``centered=True``,
    following MXNet's ``rmsprop_update`` / ``rmspropalex_update``::

        g = clip(rescale_grad * grad + wd * weight)
        n = (1 - gamma1) * g^2 + gamma1 * n
        weight -= lr * g / sqrt(n + epsilon)                                   # centered=False
        g_avg = (1 - gamma1) * g + gamma1 * g_avg                              # centered=True
        delta = gamma2 * delta - lr * g / sqrt(n - g_avg^2 + epsilon); weight += delta

    then the weights are clipped to ``[-clip_weights, clip_weights]`` when it is set.

    Parameters
    ----------
    learning_rate : float, default 0.001
    gamma1 : float, default 0.9
    gamma2 : float, default 0.9
    epsilon : float, default 1e-8
    centered : bool, default False
    clip_weights : float, optional

    Example:
        >>> opt = mx.optimizer.RMSProp(learning_rate=0.001, centered=True)
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        gamma1: float = 0.9,
        gamma2: float = 0.9,
        epsilon: float = 1e-8,
        centered: bool = False,
        clip_weights: float | None = None,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def create_state(self, index, weight: NDArray):
        if self.centered:
            return (_zeros(weight), _zeros(weight), _zeros(weight))
        return (_zeros(weight),)

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = {"gamma1": self.gamma1, "epsilon": self.epsilon, **self._clip_kwargs()}
        if self.clip_weights:
            kwargs["clip_weights"] = self.clip_weights
        if self.centered:
            n, g, delta = state
            nd.rmspropalex_update(
                weight, grad, n, g, delta, out=weight, lr=lr, wd=wd, gamma2=self.gamma2, **kwargs
            )
        else:
            (n,) = state
            nd.rmsprop_update(weight, grad, n, out=weight, lr=lr, wd=wd, **kwargs)


@register
class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al. 2011), MXNet's rule (epsilon inside the square root)::

        g = clip(rescale_grad * grad);  history += g^2
        weight -= lr * (g / sqrt(history + eps) + wd * weight)

    Example:
        >>> opt = mx.optimizer.AdaGrad(learning_rate=0.1, eps=1e-7)
    """

    def __init__(self, eps: float = 1e-7, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight: NDArray) -> NDArray:
        return _zeros(weight)

    def update(self, index, weight: NDArray, grad: NDArray, state: NDArray) -> None:
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        if update_ops(grad) is not nd:  # a row-sparse gradient: MXNet's sparse kernel, lazy, no weight decay
            if wd:
                raise MXNetError(
                    f"adagrad_update: Operator not implemented for a row_sparse gradient with wd={wd} (MXNet "
                    f"1.9.1's sparse AdaGrad has no weight decay); weight {weight.stype}, grad row_sparse, "
                    f"history {state.stype}. Use wd=0 or a dense gradient"
                )
            kwargs = self._clip_kwargs()
            update_ops(grad).adagrad_update(
                weight, grad, state, out=weight, lr=lr, wd=wd, epsilon=self.float_stable_eps, **kwargs
            )
            return
        grad = self._rescaled(grad)
        state[:] += nd.square(grad)
        div = grad / nd.sqrt(state + self.float_stable_eps)
        weight[:] += (div + weight * wd) * -lr


@register
class AdaDelta(Optimizer):
    """AdaDelta (Zeiler 2012), MXNet's rule; it has no learning rate::

        g = clip(rescale_grad * grad)
        acc_g = rho * acc_g + (1 - rho) * g^2
        delta = sqrt(acc_delta + epsilon) / sqrt(acc_g + epsilon) * g
        acc_delta = rho * acc_delta + (1 - rho) * delta^2
        weight -= delta + wd * weight

    As in MXNet, the gradient array itself is multiplied by ``rescale_grad`` in place.

    Example:
        >>> opt = mx.optimizer.AdaDelta(rho=0.9, epsilon=1e-5)
    """

    def __init__(self, rho: float = 0.90, epsilon: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def create_state(self, index, weight: NDArray):
        return (nd.zeros(weight.shape, ctx=weight.context), nd.zeros(weight.shape, ctx=weight.context))

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        wd = self._get_wd(index)
        self._update_count(index)
        grad *= self.rescale_grad
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        acc_g, acc_delta = state
        acc_g[:] *= self.rho
        acc_g[:] += (1.0 - self.rho) * grad * grad
        delta = nd.sqrt(acc_delta + self.epsilon) / nd.sqrt(acc_g + self.epsilon) * grad
        acc_delta[:] *= self.rho
        acc_delta[:] += (1.0 - self.rho) * delta * delta
        weight[:] -= delta + wd * weight


@register
class Ftrl(Optimizer):
    """FTRL-proximal (McMahan et al. 2013), MXNet's ``ftrl_update``::

        g = clip(rescale_grad * grad)
        z += g - (sqrt(n + g^2) - sqrt(n)) * weight / lr;  n += g^2
        weight = (|z| > lamda1) * (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / lr + wd)

    Parameters
    ----------
    lamda1 : float, default 0.01
        L1 regularisation strength.
    learning_rate : float, default 0.1
    beta : float, default 1

    Example:
        >>> opt = mx.optimizer.Ftrl(lamda1=0.01, learning_rate=0.1)
    """

    def __init__(self, lamda1: float = 0.01, learning_rate: float = 0.1, beta: float = 1, **kwargs):
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def create_state(self, index, weight: NDArray):
        return (_zeros(weight), _zeros(weight))

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        self._update_count(index)
        wd, lr = self._get_wd(index), self._get_lr(index)
        z, n = state
        update_ops(grad).ftrl_update(
            weight,
            grad,
            z,
            n,
            out=weight,
            lr=lr,
            wd=wd,
            lamda1=self.lamda1,
            beta=self.beta,
            **self._clip_kwargs(),
        )
