"""The Initializer base class, InitDesc, and the name registry behind ``mx.init.create``.

An initializer is called as ``init(desc, arr)``. How it fills ``arr`` depends on ``desc``:

* an :class:`InitDesc` whose ``attrs['__init__']`` names an initializer (an instance, a
  registered name or a JSON dump): that initializer's ``_init_weight`` fills the array, whatever
  the parameter's name. Gluon always calls this way, so a Parameter gets its own ``init=`` if it
  has one and the global initializer (the one given to ``initialize``) otherwise.
* an :class:`InitDesc` without ``__init__``: the name's suffix decides (``weight`` -> random,
  ``bias``/``beta``/``min`` -> 0, ``gamma``/``max`` -> 1, ``weight_quantize``/``bias_quantize``),
  anything else is a ``ValueError``.
* a plain ``str`` (deprecated, warns): the older, longer suffix list that also knows
  ``moving_mean``/``moving_var``/``moving_inv_var``/``moving_avg`` and ``upsampling*`` and
  ``stn_loc*`` prefixes.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import ndarray as nd
from .. import registry
from ..ndarray import NDArray


class InitDesc(str):
    """A parameter name (it *is* the ``str``) that also carries attributes and the global initializer.

    Parameters
    ----------
    name : str
        The parameter's name, e.g. ``'dense0_weight'``.
    attrs : dict, optional
        Attributes; ``'__init__'`` names the initializer for this one parameter.
    global_init : Initializer, optional
        The initializer to fall back to (set by the first initializer that is called with it).

    Example:
        >>> a = mx.nd.zeros((2, 3))
        >>> mx.init.Uniform()(mx.init.InitDesc('fc_bias', {'__init__': 'ones'}), a)   # a is all ones
    """

    attrs: dict
    global_init: Initializer | None

    def __new__(
        cls, name: str, attrs: dict | None = None, global_init: Initializer | None = None
    ) -> InitDesc:
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


def _mean_abs_stat(arr: NDArray) -> str:
    """Default verbose statistic: the root mean square, ``norm(arr) / sqrt(arr.size)``."""
    return str((nd.norm(arr) / math.sqrt(arr.size)).asscalar())


# (suffix, method) checked in order on InitDesc names without an '__init__' attribute.
_DESC_RULES = (
    ("weight", "_init_weight"),
    ("bias", "_init_bias"),
    ("gamma", "_init_gamma"),
    ("beta", "_init_beta"),
    ("min", "_init_zero"),
    ("max", "_init_one"),
    ("weight_quantize", "_init_quantized_weight"),
    ("bias_quantize", "_init_quantized_bias"),
)
# The same for plain-string names (the deprecated calling convention), after the prefix rules.
_LEGACY_RULES = (
    ("bias", "_init_bias"),
    ("gamma", "_init_gamma"),
    ("beta", "_init_beta"),
    ("weight", "_init_weight"),
    ("moving_mean", "_init_zero"),
    ("moving_var", "_init_one"),
    ("moving_inv_var", "_init_zero"),
    ("moving_avg", "_init_zero"),
    ("min", "_init_zero"),
    ("max", "_init_one"),
)


class Initializer:
    """Base class of initializers: subclasses override ``_init_weight`` (and may override others).

    Calling ``init(desc, arr)`` fills the NDArray ``arr`` in place; see the module docstring
    for how ``desc`` selects the method. Two initializers are equal when they are of the
    same class with the same arguments.

    Example:
        >>> @mx.init.register
        ... class Halves(mx.init.Initializer):
        ...     def _init_weight(self, name, arr):
        ...         arr[:] = 0.5
        >>> net.initialize('halves')
    """

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._verbose = False
        self._print_func: Callable[[NDArray], str] | None = None

    def set_verbosity(
        self, verbose: bool = False, print_func: Callable[[NDArray], str] | None = None
    ) -> Initializer:
        """Log (``logging.info``) every array this initializer fills, with a statistic of it.

        ``print_func(arr) -> str`` computes the statistic; the default is the root mean square
        ``norm(arr) / sqrt(arr.size)``. Returns ``self``.

        Example:
            >>> init = mx.init.Xavier().set_verbosity(True)   # logs 'Initialized ... as ...: 0.05'
        """
        self._verbose = verbose
        self._print_func = _mean_abs_stat if print_func is None else print_func
        return self

    def _verbose_print(self, desc: str, init: Any, arr: NDArray) -> None:
        if self._verbose and self._print_func:
            logging.info("Initialized %s as %s: %s", desc, init, self._print_func(arr))

    def dumps(self) -> str:
        """The JSON ``'["name", {kwargs}]'`` from which :func:`create` rebuilds this initializer.

        Example:
            >>> mx.init.Normal(0.5).dumps()
            '["normal", {"sigma": 0.5}]'
        """
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, desc: str, arr: NDArray) -> None:
        """Fill ``arr`` in place for the parameter described by ``desc`` (an InitDesc or a name)."""
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get("__init__", "")
        if init:
            create(init)._init_weight(desc, arr)
            self._verbose_print(desc, init, arr)
            return
        for suffix, method in _DESC_RULES:
            if desc.endswith(suffix):
                getattr(self, method)(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    def _legacy_init(self, name: str, arr: NDArray) -> None:
        warnings.warn(
            "Calling initializer with init(str, NDArray) has been deprecated. "
            "please use init(mx.init.InitDesc(...), NDArray) instead.",
            DeprecationWarning,
            stacklevel=3,
        )
        if not isinstance(name, str):
            raise TypeError(f"name must be string, got {type(name).__name__}")
        if not isinstance(arr, NDArray):
            raise TypeError(f"arr must be NDArray, got {type(arr).__name__}")
        if name.startswith("upsampling"):
            self._init_bilinear(name, arr)
        elif name.startswith("stn_loc") and name.endswith("weight"):
            self._init_zero(name, arr)
        elif name.startswith("stn_loc") and name.endswith("bias"):
            self._init_loc_bias(name, arr)
        else:
            for suffix, method in _LEGACY_RULES:
                if name.endswith(suffix):
                    getattr(self, method)(name, arr)
                    return
            self._init_default(name, arr)

    # -------------------------------------------------------------- fills by role
    def _init_weight(self, name: str, arr: NDArray) -> None:
        raise NotImplementedError(f"{self.__class__.__name__} must override _init_weight to fill '{name}'")

    def _init_zero(self, _: str, arr: NDArray) -> None:
        arr[:] = 0.0

    def _init_one(self, _: str, arr: NDArray) -> None:
        arr[:] = 1.0

    _init_bias = _init_zero
    _init_beta = _init_zero
    _init_gamma = _init_one
    _init_quantized_bias = _init_zero

    def _init_quantized_weight(self, _: str, arr: NDArray) -> None:
        # one random integer in [-127, 127) for the whole array
        arr[:] = int(nd.random.randint(-127, 127, shape=(1,), dtype="int32").asscalar())

    def _init_bilinear(self, name: str, arr: NDArray) -> None:
        arr[:] = bilinear_kernel(arr.shape, name)

    def _init_loc_bias(self, name: str, arr: NDArray) -> None:
        if arr.shape[0] != 6:
            raise AssertionError(
                f"{name}: a spatial-transformer localisation bias needs 6 values, got {arr.shape}"
            )
        arr[:] = np.array([1.0, 0, 0, 0, 1.0, 0])

    def _init_default(self, name: str, _: NDArray) -> None:
        raise ValueError(
            f"Unknown initialization pattern for {name}. Default initialization is now limited to "
            '"weight", "bias", "gamma" (1.0), and "beta" (0.0). Please use mx.sym.Variable(init=mx.init.*) '
            "or gluon.Parameter(init=mx.init.*) to set initialization pattern"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    __hash__ = None  # equal initializers compare by value, so they are not hashable (as in MXNet)


def bilinear_kernel(shape: tuple, name: str = "weight") -> np.ndarray:
    """The bilinear-upsampling kernel of ``shape`` (at least 4-d), as float32 NumPy.

    Element ``i`` of the flattened array, with ``x = i % shape[3]`` and ``y = (i // shape[3]) % shape[2]``,
    is ``(1 - |x/f - c|) * (1 - |y/f - c|)`` where ``f = ceil(shape[3] / 2)`` and
    ``c = (2f - 1 - f % 2) / (2f)``.
    """
    if len(shape) < 4:
        raise ValueError(
            f"Bilinear initializer needs a 4-d (out, in, h, w) weight, but {name} has shape {shape}"
        )
    f = math.ceil(shape[3] / 2.0)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    i = np.arange(math.prod(shape))
    x = i % shape[3]
    y = (i // shape[3]) % shape[2]
    w = (1 - np.abs(x / f - c)) * (1 - np.abs(y / f - c))
    return w.astype(np.float32).reshape(shape)


_register = registry.get_register_func(Initializer, "initializer")
alias = registry.get_alias_func(Initializer, "initializer")
create = registry.get_create_func(Initializer, "initializer")
create.__doc__ = """Build an Initializer from an instance, a registered name or a ``dumps()`` JSON string.

Example:
    >>> mx.init.create('xavier', magnitude=2)
    >>> mx.init.create('["normal", {"sigma": 0.5}]')
"""


def register(klass: type) -> type:
    """Register an Initializer subclass under its lower-cased class name (a class decorator).

    Example:
        >>> @mx.init.register
        ... class Halves(mx.init.Initializer):
        ...     def _init_weight(self, name, arr):
        ...         arr[:] = 0.5
        >>> mx.init.create('halves')
    """
    return _register(klass)
