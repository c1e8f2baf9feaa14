"""Constant and random initializers: Zero, One, Constant, Uniform, Normal, Xavier, MSRAPrelu, Orthogonal."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray
from .core import Initializer, alias, register


def _uniform(arr: NDArray, bound: float) -> None:
    nd.random.uniform(-bound, bound, shape=arr.shape, dtype=arr.dtype, ctx=arr.context, out=arr)


def _normal(arr: NDArray, sigma: float) -> None:
    nd.random.normal(0.0, sigma, shape=arr.shape, dtype=arr.dtype, ctx=arr.context, out=arr)


@register
@alias("zeros")
class Zero(Initializer):
    """Fills with zeros (also registered as ``'zeros'``).

    Example:
        >>> net = mx.gluon.nn.Dense(2, in_units=3, weight_initializer='zeros')
    """

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _: str, arr: NDArray) -> None:
        arr[:] = 0


@register
@alias("ones")
class One(Initializer):
    """Fills with ones (also registered as ``'ones'``).

    Example:
        >>> net.initialize(mx.init.One())
    """

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _: str, arr: NDArray) -> None:
        arr[:] = 1


@register
class Constant(Initializer):
    """Fills with ``value``: a number, or an array (NDArray, NumPy, nested list) of the parameter's shape.

    Example:
        >>> net.initialize(mx.init.Constant(0.5))
        >>> mx.init.Constant(0.5).dumps()
        '["constant", {"value": 0.5}]'
    """

    def __init__(self, value: Any) -> None:
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _: str, arr: NDArray) -> None:
        arr[:] = self.value

    def dumps(self) -> str:
        val = self._kwargs["value"]
        if isinstance(val, NDArray):
            val = val.asnumpy().tolist()
        elif isinstance(val, np.ndarray | np.generic):
            val = val.tolist()
        return json.dumps([self.__class__.__name__.lower(), {**self._kwargs, "value": val}])


@register
class Uniform(Initializer):
    """Samples uniformly from ``[-scale, scale]`` (default 0.07).

    Example:
        >>> net.initialize(mx.init.Uniform(scale=0.1))
    """

    def __init__(self, scale: float = 0.07) -> None:
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _: str, arr: NDArray) -> None:
        _uniform(arr, self.scale)


@register
class Normal(Initializer):
    """Samples from a normal distribution with mean 0 and standard deviation ``sigma`` (default 0.01).

    Example:
        >>> net.initialize(mx.init.Normal(sigma=0.01))
    """

    def __init__(self, sigma: float = 0.01) -> None:
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _: str, arr: NDArray) -> None:
        _normal(arr, self.sigma)


@register
class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``scale`` (Saxe et al., 2013).

    The weight is viewed as ``(shape[0], prod(shape[1:]))``; a random matrix of that shape
    (``rand_type='uniform'`` in [-1, 1], or ``'normal'``) is decomposed by SVD and the factor of
    the same shape (U if rows >= columns, else V^T) is used, so the rows or the columns are
    orthonormal before scaling.

    Example:
        >>> net.initialize(mx.init.Orthogonal(scale=1.0))
    """

    def __init__(self, scale: float = 1.414, rand_type: str = "uniform") -> None:
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, name: str, arr: NDArray) -> None:
        nout = arr.shape[0]
        nin = math.prod(arr.shape[1:])
        if self.rand_type == "uniform":
            tmp = nd.random.uniform(-1.0, 1.0, shape=(nout, nin)).asnumpy()
        elif self.rand_type == "normal":
            tmp = nd.random.normal(0.0, 1.0, shape=(nout, nin)).asnumpy()
        else:
            raise ValueError(f"Orthogonal: rand_type must be 'uniform' or 'normal', got {self.rand_type!r}")
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        arr[:] = self.scale * res.reshape(arr.shape)


@register
class Xavier(Initializer):
    """Glorot/Xavier initialisation, scaled by the fan-in and fan-out of the weight.

    For a weight of shape ``(out, in, *kernel)``, ``fan_in = in * prod(kernel)`` and
    ``fan_out = out * prod(kernel)``. With ``factor`` the average of the two
    (``factor_type='avg'``), ``fan_in`` (``'in'``) or ``fan_out`` (``'out'``), and
    ``scale = sqrt(magnitude / factor)``, values are uniform in ``[-scale, scale]``
    (``rnd_type='uniform'``) or normal with standard deviation ``scale`` (``'gaussian'``).
    Weights of fewer than 2 dimensions are rejected.

    Example:
        >>> net.initialize(mx.init.Xavier(rnd_type='gaussian', factor_type='in', magnitude=2))
    """

    def __init__(self, rnd_type: str = "uniform", factor_type: str = "avg", magnitude: float = 3) -> None:
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name: str, arr: NDArray) -> None:
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError(
                f"Xavier initializer cannot be applied to vector {name}. It requires at least 2D."
            )
        hw_scale = math.prod(shape[2:])
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        if self.factor_type == "avg":
            factor = (fan_in + fan_out) / 2.0
        elif self.factor_type == "in":
            factor = fan_in
        elif self.factor_type == "out":
            factor = fan_out
        else:
            raise ValueError(
                f"Incorrect factor type {self.factor_type!r} for Xavier: use 'avg', 'in' or 'out'"
            )
        scale = math.sqrt(self.magnitude / factor)
        if self.rnd_type == "uniform":
            _uniform(arr, scale)
        elif self.rnd_type == "gaussian":
            _normal(arr, scale)
        else:
            raise ValueError(f"Unknown random type {self.rnd_type!r} for Xavier: use 'uniform' or 'gaussian'")


@register
class MSRAPrelu(Xavier):
    """He/MSRA initialisation for (P)ReLU networks: Gaussian Xavier with ``magnitude = 2 / (1 + slope**2)``.

    Example:
        >>> net.initialize(mx.init.MSRAPrelu(factor_type='in', slope=0))   # std sqrt(2 / fan_in)
    """

    def __init__(self, factor_type: str = "avg", slope: float = 0.25) -> None:
        super().__init__("gaussian", factor_type, 2.0 / (1 + slope**2))
        self._kwargs = {"factor_type": factor_type, "slope": slope}
