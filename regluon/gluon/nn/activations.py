"""Activation layers: Activation, LeakyReLU, PReLU, ELU, SELU, GELU, Swish."""

from __future__ import annotations

from typing import Any

from ... import initializer
from ..block import HybridBlock
from ._layer_utils import check_op_param


class Activation(HybridBlock):
    """Apply an activation function: ``'relu'``, ``'sigmoid'``, ``'tanh'``, ``'softrelu'``, ``'softsign'``.

    Parameters
    ----------
    activation : str
        The function's name; an unknown name fails here, at construction.

    Example:
        >>> nn.Activation('relu')(mx.nd.array([-1, 2]))
        <BLANKLINE>
        [0. 2.]
        <NDArray 2 @cpu(0)>
    """

    def __init__(self, activation: str, **kwargs):
        check_op_param(self.__class__.__name__, "activation", activation, "Activation", "act_type")
        self._act_type = activation
        super().__init__(**kwargs)

    def _alias(self) -> str:
        return self._act_type

    def hybrid_forward(self, F, x):
        return F.Activation(x, act_type=self._act_type, name="fwd")

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._act_type})"


class LeakyReLU(HybridBlock):
    """``x`` where positive, ``alpha * x`` elsewhere.

    Parameters
    ----------
    alpha : float
        The slope for negative inputs (>= 0).

    Example:
        >>> nn.LeakyReLU(0.1)(mx.nd.array([-2.0, 3.0]))
        <BLANKLINE>
        [-0.2  3. ]
        <NDArray 2 @cpu(0)>
    """

    def __init__(self, alpha: float, **kwargs):
        if not alpha >= 0:
            raise AssertionError("Slope coefficient for LeakyReLU must be no less than 0.")
        super().__init__(**kwargs)
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="leaky", slope=self._alpha, name="fwd")

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._alpha})"


class PReLU(HybridBlock):
    """Leaky ReLU whose negative slope ``alpha`` is learned, one value per channel (axis 1).

    Parameters
    ----------
    alpha_initializer : Initializer, default Constant(0.25)
    in_channels : int, default 1
        Number of slopes: 1 shares one slope across all channels.

    Example:
        >>> layer = nn.PReLU()
        >>> layer.initialize()
        >>> layer(mx.nd.array([-4.0, 4.0]))
        <BLANKLINE>
        [-1.  4.]
        <NDArray 2 @cpu(0)>
    """

    def __init__(self, alpha_initializer: Any = initializer.Constant(0.25), in_channels: int = 1, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.alpha = self.params.get("alpha", shape=(in_channels,), init=alpha_initializer)

    def hybrid_forward(self, F, x, alpha):
        return F.LeakyReLU(x, alpha, act_type="prelu", name="fwd")


class ELU(HybridBlock):
    """Exponential linear unit: ``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere.

    Example:
        >>> nn.ELU(alpha=1.0)(mx.nd.array([0.0, 1.0])).asnumpy()
        array([0., 1.], dtype=float32)
    """

    def __init__(self, alpha: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="elu", slope=self._alpha)


class SELU(HybridBlock):
    """Scaled exponential linear unit (self-normalising), with MXNet's gradient.

    Example:
        >>> nn.SELU()(mx.nd.array([1.0])).asnumpy()
        array([1.050701], dtype=float32)
    """

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="selu", name="fwd")


class GELU(HybridBlock):
    """Gaussian error linear unit, ``0.5 * x * (1 + erf(x / sqrt(2)))``.

    Example:
        >>> nn.GELU()(mx.nd.array([0.0])).asnumpy()
        array([0.], dtype=float32)
    """

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="gelu", name="fwd")


class Swish(HybridBlock):
    """``x * sigmoid(beta * x)``.

    Example:
        >>> nn.Swish()(mx.nd.array([0.0])).asnumpy()
        array([0.], dtype=float32)
    """

    def __init__(self, beta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self._beta = beta

    def hybrid_forward(self, F, x):
        return x * F.sigmoid(self._beta * x, name="fwd")


__all__ = ["Activation", "LeakyReLU", "PReLU", "ELU", "SELU", "GELU", "Swish"]
