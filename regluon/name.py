"""``mx.name``: the counters that give unnamed blocks and symbols names like ``dense0``, ``dense1``.

``with mx.name.NameManager():`` starts fresh counters for the blocks created inside it, and
``with mx.name.Prefix('net1_'):`` also puts a prefix in front of their names.

Example:
    >>> with mx.name.NameManager():
    ...     nn.Dense(3).name
    'dense0'
"""

from __future__ import annotations

import threading


class _Current(type):
    _local = threading.local()

    @property
    def current(cls) -> NameManager:
        """The NameManager in effect on this thread."""
        value = getattr(_Current._local, "value", None)
        if value is None:
            value = _Current._local.value = NameManager()
        return value


class NameManager(metaclass=_Current):
    """Counts names per hint: ``get(None, 'dense')`` gives ``dense0``, then ``dense1``, ..."""

    def __init__(self):
        self._counter: dict[str, int] = {}
        self._lock = threading.Lock()
        self._old: NameManager | None = None

    def get(self, name: str | None, hint: str) -> str:
        """``name`` itself when given, otherwise ``hint`` followed by the next free number."""
        if name:
            return name
        with self._lock:
            n = self._counter.get(hint, 0)
            self._counter[hint] = n + 1
        return f"{hint}{n}"

    def __enter__(self) -> NameManager:
        self._old = NameManager.current
        _Current._local.value = self
        return self

    def __exit__(self, *exc) -> None:
        _Current._local.value = self._old


class Prefix(NameManager):
    """A NameManager that puts ``prefix`` in front of every name it gives.

    Example:
        >>> with mx.name.Prefix('net1_'):
        ...     nn.Dense(3).name
        'net1_dense0'
    """

    def __init__(self, prefix: str):
        super().__init__()
        self._prefix = prefix

    def get(self, name: str | None, hint: str) -> str:
        return self._prefix + super().get(name, hint)


__all__ = ["NameManager", "Prefix"]
