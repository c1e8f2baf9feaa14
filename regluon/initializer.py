"""``mx.init``: initializers that fill Parameters, and their registry.

An initializer is called with an :class:`InitDesc` (the parameter's name plus attributes)
and the array to fill. In Gluon the attribute ``__init__`` names the initializer chosen for
that parameter (its own ``init=``, else the global one passed to ``initialize``); without it
the parameter's name decides (``*weight`` random, ``*bias``/``*beta`` zero, ``*gamma`` one,
running statistics zero/one). Initializers compute through ``nd``, never through torch.
"""

from __future__ import annotations

import json
import math
from typing import Any

from . import ndarray as nd
from .ndarray import NDArray

_REGISTRY: dict[str, type] = {}


def register(klass: type) -> type:
    """Register an Initializer subclass under its lower-cased class name.

    Example:
        >>> @mx.init.register
        ... class Halves(mx.init.Initializer):
        ...     def _init_weight(self, name, arr):
        ...         arr[:] = 0.5
        >>> mx.init.create('halves')
    """
    _REGISTRY[klass.__name__.lower()] = klass
    return klass


def alias(*names: str):
    """Register an initializer under extra names (``'zeros'`` for :class:`Zero`)."""

    def deco(klass):
        for n in names:
            _REGISTRY[n.lower()] = klass
        return klass

    return deco


def create(init: Any, **kwargs) -> Initializer:
    """Turn an initializer, a registered name (``'xavier'``) or its JSON dump into an Initializer."""
    if isinstance(init, Initializer):
        return init
    if isinstance(init, type) and issubclass(init, Initializer):
        return init(**kwargs)
    if isinstance(init, str):
        text = init.strip()
        if text.startswith("["):
            name, kw = json.loads(text)
            return create(name, **kw)
        klass = _REGISTRY.get(text.lower())
        if klass is None:
            raise ValueError(f"unknown initializer {init!r}; registered: {', '.join(sorted(_REGISTRY))}")
        return klass(**kwargs)
    raise TypeError(f"cannot make an initializer from {type(init).__name__}")


class InitDesc(str):
    """A parameter name carrying attributes (``__init__``) and the global initializer."""

    def __new__(cls, name: str, attrs: dict | None = None, global_init: Initializer | None = None):
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


class Initializer:
    """Base class of initializers: override ``_init_weight`` (and others) to fill arrays.

    Example:
        >>> net.initialize(mx.init.Normal(sigma=0.01))
    """

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._verbose = False
        self._print_func = None

    def set_verbosity(self, verbose: bool = False, print_func=None) -> Initializer:
        self._verbose = verbose
        self._print_func = print_func
        return self

    def dumps(self) -> str:
        """JSON ``[name, kwargs]`` from which :func:`create` rebuilds this initializer."""
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, desc: str, arr: NDArray) -> None:
        if not isinstance(desc, InitDesc):
            desc = InitDesc(desc)
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get("__init__", "")
        if init:
            create(init)._init_weight(desc, arr)
        elif desc.endswith("weight"):
            self._init_weight(desc, arr)
        elif desc.endswith("bias"):
            self._init_bias(desc, arr)
        elif desc.endswith("gamma"):
            self._init_gamma(desc, arr)
        elif desc.endswith("beta"):
            self._init_beta(desc, arr)
        elif desc.endswith("running_mean") or desc.endswith("moving_mean"):
            self._init_zero(desc, arr)
        elif desc.endswith("running_var") or desc.endswith("moving_var"):
            self._init_one(desc, arr)
        elif desc.endswith("moving_inv_var") or desc.endswith("moving_avg"):
            self._init_zero(desc, arr)
        else:
            self._init_default(desc, arr)
        if self._verbose and self._print_func:
            self._print_func(f"Initialized {desc} as {init or self.__class__.__name__}")

    def _init_zero(self, _, arr):
        arr[:] = 0.0

    def _init_one(self, _, arr):
        arr[:] = 1.0

    _init_bias = _init_zero
    _init_beta = _init_zero
    _init_gamma = _init_one

    def _init_weight(self, name, arr):
        raise NotImplementedError(f"{self.__class__.__name__} must implement _init_weight")

    def _init_default(self, name, arr):
        raise ValueError(
            f"{self.__class__.__name__} does not know how to initialize '{name}': by default only names ending "
            "in weight, bias, gamma, beta and running/moving statistics are recognised. Give the parameter "
            "its own init= (e.g. init=mx.init.Zero())."
        )

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._kwargs.items())
        return f"{self.__class__.__name__}({args})"


@register
class Uniform(Initializer):
    """Uniform values in [-scale, scale] (default 0.07).

    Example:
        >>> net.initialize(mx.init.Uniform(0.1))
    """

    def __init__(self, scale: float = 0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _, arr):
        nd.random.uniform(-self.scale, self.scale, shape=arr.shape, dtype=arr.dtype, ctx=arr.context, out=arr)


@register
class Normal(Initializer):
    """Normal values with mean 0 and standard deviation ``sigma`` (default 0.01).

    Example:
        >>> net.initialize(mx.init.Normal(sigma=0.01))
    """

    def __init__(self, sigma: float = 0.01):
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _, arr):
        nd.random.normal(0, self.sigma, shape=arr.shape, dtype=arr.dtype, ctx=arr.context, out=arr)


@register
class Constant(Initializer):
    """Every element set to ``value`` (a number or an array of the parameter's shape)."""

    def __init__(self, value: Any = 0.0):
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _, arr):
        arr[:] = self.value

    _init_default = _init_weight

    def dumps(self) -> str:
        val = self.value.asnumpy().tolist() if isinstance(self.value, NDArray) else self.value
        return json.dumps([self.__class__.__name__.lower(), {"value": val}])


@register
@alias("zeros")
class Zero(Initializer):
    """All zeros."""

    def _init_weight(self, _, arr):
        arr[:] = 0.0

    _init_default = _init_weight


@register
@alias("ones")
class One(Initializer):
    """All ones."""

    def _init_weight(self, _, arr):
        arr[:] = 1.0

    _init_default = _init_weight


@register
class Xavier(Initializer):
    """Glorot/Xavier initialisation scaled by the fan-in and fan-out of the weight.

    ``scale = sqrt(magnitude / factor)`` where ``factor`` is the average of fan-in and fan-out
    (``factor_type='avg'``), fan-in (``'in'``) or fan-out (``'out'``); values are uniform in
    [-scale, scale] (``rnd_type='uniform'``) or normal with std ``scale`` (``'gaussian'``).

    Example:
        >>> net.initialize(mx.init.Xavier(magnitude=2.24))
    """

    def __init__(self, rnd_type: str = "uniform", factor_type: str = "avg", magnitude: float = 3):
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type, self.factor_type, self.magnitude = rnd_type, factor_type, float(magnitude)

    def _init_weight(self, name, arr):
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError(
                f"Xavier initializer needs a weight of at least 2 dimensions, but {name} has shape {shape}"
            )
        hw = math.prod(shape[2:]) if len(shape) > 2 else 1.0
        fan_in, fan_out = shape[1] * hw, shape[0] * hw
        factors = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}
        if self.factor_type not in factors:
            raise ValueError(f"Xavier: factor_type must be avg, in or out, got {self.factor_type!r}")
        scale = math.sqrt(self.magnitude / factors[self.factor_type])
        if self.rnd_type == "uniform":
            nd.random.uniform(-scale, scale, shape=shape, dtype=arr.dtype, ctx=arr.context, out=arr)
        elif self.rnd_type == "gaussian":
            nd.random.normal(0, scale, shape=shape, dtype=arr.dtype, ctx=arr.context, out=arr)
        else:
            raise ValueError(f"Xavier: rnd_type must be uniform or gaussian, got {self.rnd_type!r}")
