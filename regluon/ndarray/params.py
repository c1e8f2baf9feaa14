"""Typed operator parameters that accept Python values and MXNet's string attributes.

MXNet stores operator attributes as strings in symbol files (``"(3, 3)"``, ``"True"``,
``"None"``), and user code passes Python values. Each type here turns either form into
the Python value an implementation expects, or raises a ``ValueError`` that names the
parameter.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..base import MXNetError


class ParamType:
    """Base of parameter types; subclasses implement :meth:`parse`."""

    name = "any"
    #: Python types whose values need no parsing (passed through as they are).
    fast_types: tuple = ()

    def parse(self, value: Any) -> Any:
        return value

    def __repr__(self) -> str:
        return self.name


class Int(ParamType):
    name = "int"
    fast_types = (int,)

    def parse(self, value):
        if isinstance(value, str):
            value = ast.literal_eval(value.strip())
        if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
            raise ValueError(f"expected an integer, got {value!r}")
        if float(value) != int(value):
            raise ValueError(f"expected an integer, got {value!r}")
        return int(value)


class Float(ParamType):
    name = "float"
    fast_types = (float,)

    def parse(self, value):
        if isinstance(value, str):
            value = float(value.strip())
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"expected a number, got {value!r}")
        return float(value)


class Bool(ParamType):
    name = "boolean"
    fast_types = (bool,)
    _words = {"true": True, "false": False, "1": True, "0": False}

    def parse(self, value):
        if isinstance(value, str):
            word = value.strip().lower()
            if word not in self._words:
                raise ValueError(f"expected True or False, got {value!r}")
            return self._words[word]
        if isinstance(value, (bool, np.bool_, int, np.integer)):
            return bool(value)
        raise ValueError(f"expected True or False, got {value!r}")


class Shape(ParamType):
    """A tuple of ints; accepts ``5``, ``(2, 3)``, ``[2, 3]`` and the strings ``"(2, 3)"``, ``"[2,3]"``."""

    name = "Shape(tuple)"
    allow_none = False

    def parse(self, value):
        if isinstance(value, str):
            value = ast.literal_eval(value.strip()) if value.strip() else ()
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return (int(value),)
        if isinstance(value, (tuple, list)):
            out = []
            for v in value:
                if v is None and self.allow_none:
                    out.append(None)
                elif isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                    what = "ints or None" if self.allow_none else "a tuple of ints"
                    raise ValueError(f"expected {what}, got {value!r}")
                else:
                    out.append(int(v))
            return tuple(out)
        raise ValueError(f"expected a shape such as (2, 3), got {value!r}")


class OptionalShape(Shape):
    """A tuple whose entries are ints or None, e.g. slice bounds ``(None, 2)``; also ``"(None, 2)"``."""

    name = "tuple of int or None"
    allow_none = True


class FloatTuple(ParamType):
    """A tuple of floats: ``(0.5, 1.0)``, ``[0.5]``, a single number, or the string ``"(0.5, 1.0)"``."""

    name = "tuple of float"

    def parse(self, value):
        if isinstance(value, str):
            value = ast.literal_eval(value.strip())
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            return (float(value),)
        if isinstance(value, (tuple, list)):
            return tuple(float(v) for v in value)
        raise ValueError(f"expected a tuple of numbers, got {value!r}")


class Enum(ParamType):
    def __init__(self, *choices: str):
        self.choices = choices
        self.name = "{" + ", ".join(repr(c) for c in choices) + "}"

    def parse(self, value):
        if isinstance(value, bytes):
            value = value.decode()
        if value not in self.choices:
            raise ValueError(f"expected one of {', '.join(self.choices)}, got {value!r}")
        return value


class DType(ParamType):
    """A NumPy dtype name (``'float32'``), a NumPy type, or a NumPy dtype; parsed to a dtype name."""

    name = "dtype"
    allowed = ("float16", "float32", "float64", "uint8", "int8", "int32", "int64", "bool")

    def parse(self, value):
        if isinstance(value, str) and value.strip() == "None":
            return None
        try:
            name = np.dtype(value).name
        except TypeError as err:
            raise ValueError(f"expected a dtype such as 'float32', got {value!r}") from err
        if name not in self.allowed:
            raise ValueError(f"dtype {name} is not supported; use one of {', '.join(self.allowed)}")
        return name


class Ctx(ParamType):
    name = "Context"

    def parse(self, value):
        from ..context import Context

        if isinstance(value, Context):
            return value
        if isinstance(value, str):
            dev, _, rest = value.partition("(")
            return Context(dev.strip(), int(rest.rstrip(")") or 0))
        raise ValueError(f"expected a Context such as mx.cpu(), got {value!r}")


class Optional(ParamType):
    """``None`` (or the string ``"None"``) or a value of the inner type."""

    def __init__(self, inner: ParamType):
        self.inner = inner
        self.name = f"{inner.name} or None"

    def parse(self, value):
        if value is None or (isinstance(value, str) and value.strip() == "None"):
            return None
        return self.inner.parse(value)


class AxisArg(ParamType):
    """An axis or tuple of axes, as reductions take it; ``()`` and ``None`` mean all axes."""

    name = "Shape or None"

    def parse(self, value):
        if value is None or (isinstance(value, str) and value.strip() in ("None", "()", "")):
            return None
        shape = Shape().parse(value)
        return shape if len(shape) else None


class ParamError(MXNetError, ValueError):
    """An invalid operator parameter value. MXNet raises ``MXNetError`` for it; it is also a
    ``ValueError`` (what regluon raised before), so either ``except`` clause catches it."""


@dataclass
class Param:
    """One operator parameter: its name, type, MXNet default and a line of documentation."""

    name: str
    type: ParamType
    default: Any = None
    doc: str = ""
    required: bool = False

    def __post_init__(self):
        self.fast_types = self.type.fast_types
        self._cache: dict = {}

    def convert_cached(self, op_name: str, value: Any) -> Any:
        """:meth:`convert`, remembering results for hashable values (attributes repeat a lot)."""
        try:
            key = (value.__class__, value)
            return self._cache[key]
        except KeyError:
            res = self.convert(op_name, value)
            if len(self._cache) < 512:
                self._cache[key] = res
            return res
        except TypeError:  # unhashable (a list)
            return self.convert(op_name, value)

    def convert(self, op_name: str, value: Any) -> Any:
        try:
            return self.type.parse(value)
        except (ValueError, SyntaxError, TypeError) as err:
            raise ParamError(f"{op_name}: invalid value for parameter '{self.name}': {err}") from None
