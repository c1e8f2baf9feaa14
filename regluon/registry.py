"""``mx.registry``: name -> class tables from which objects are built by name or from JSON.

One table per base class (``Initializer`` uses one; other families can use their own). The three
factories return the ``register``, ``alias`` and ``create`` functions that a module exposes, e.g.
``mx.init.register``, ``mx.init.alias`` and ``mx.init.create``.

Example:
    >>> class Shape: ...
    >>> register = get_register_func(Shape, 'shape')
    >>> create = get_create_func(Shape, 'shape')
    >>> @register
    ... class Square(Shape):
    ...     def __init__(self, side=1): self.side = side
    >>> create('square', side=2).side
    2
    >>> create('["square", {"side": 3}]').side
    3
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any

_REGISTRY: dict[type, dict[str, type]] = {}


def _table(base_class: type) -> dict[str, type]:
    return _REGISTRY.setdefault(base_class, {})


def get_registry(base_class: type) -> dict[str, type]:
    """A copy of the name -> class table of ``base_class`` (names are lower case)."""
    return dict(_table(base_class))


def get_register_func(base_class: type, nickname: str) -> Callable[..., type]:
    """Return ``register(klass, name=None)``, which files ``klass`` under its lower-cased name.

    Registering a name twice replaces the old class and warns (``UserWarning``).
    """
    table = _table(base_class)

    def register(klass: type, name: str | None = None) -> type:
        if not (isinstance(klass, type) and issubclass(klass, base_class)):
            raise AssertionError(f"Can only register subclass of {base_class.__name__}, got {klass!r}")
        key = (klass.__name__ if name is None else name).lower()
        old = table.get(key)
        if old is not None and old is not klass:
            warnings.warn(
                f"New {nickname} {klass.__module__}.{klass.__name__} registered with name {key} is overriding "
                f"existing {nickname} {old.__module__}.{old.__name__}",
                UserWarning,
                stacklevel=2,
            )
        table[key] = klass
        return klass

    register.__doc__ = f"Register a {base_class.__name__} subclass in the {nickname} factory."
    return register


def get_alias_func(base_class: type, nickname: str) -> Callable[..., Callable[[type], type]]:
    """Return ``alias(*names)``, a class decorator that registers the class under extra names."""
    register = get_register_func(base_class, nickname)

    def alias(*aliases: str) -> Callable[[type], type]:
        def deco(klass: type) -> type:
            for name in aliases:
                register(klass, name)
            return klass

        return deco

    alias.__doc__ = f"Register a {base_class.__name__} subclass under extra names, e.g. @alias('zeros')."
    return alias


def get_create_func(base_class: type, nickname: str) -> Callable[..., Any]:
    """Return ``create(spec, *args, **kwargs)`` building an instance of a registered class.

    ``spec`` may be an instance (returned as it is), a registered name (any case), a JSON list
    ``'["name", {kwargs}]'`` (what ``dumps()`` writes), a JSON object or dict
    ``{"<nickname>": "name", **kwargs}``, or be given as the keyword ``<nickname>=``.
    """
    table = _table(base_class)

    def create(*args: Any, **kwargs: Any) -> Any:
        if args:
            spec, args = args[0], args[1:]
        elif nickname in kwargs:
            spec = kwargs.pop(nickname)
        else:
            raise TypeError(f"create() needs the {nickname} to build (a name, a JSON string or an instance)")
        if isinstance(spec, base_class):
            if args or kwargs:
                raise AssertionError(f"{nickname} is already an instance. Additional arguments are invalid")
            return spec
        if isinstance(spec, dict):
            return create(**spec)
        if not isinstance(spec, str):
            raise AssertionError(
                f"{nickname} must be of string type (a registered name or a JSON dump) or a "
                f"{base_class.__name__} instance, got {type(spec).__name__}"
            )
        if spec.startswith("[") or spec.startswith("{"):
            if args or kwargs:
                raise AssertionError(f"{nickname} given as JSON takes no further arguments")
            loaded = json.loads(spec)
            if isinstance(loaded, dict):
                return create(**loaded)
            name, kw = loaded
            return create(name, **kw)
        klass = table.get(spec.lower())
        if klass is None:
            raise AssertionError(
                f"{spec.lower()} is not registered. Please register with {nickname}.register first "
                f"(registered: {', '.join(sorted(table))})"
            )
        return klass(*args, **kwargs)

    create.__doc__ = (
        f"Create a {base_class.__name__} from a registered name, its JSON dump or an instance.\n\n"
        f"Example: create('name', **kwargs) or create('[\"name\", {{...}}]')."
    )
    return create
