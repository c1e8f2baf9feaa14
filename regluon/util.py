"""``mx.util``: the NumPy-semantics switches of MXNet 1.x (regluon follows the legacy NDArray semantics)."""

from __future__ import annotations

import os


def is_np_array() -> bool:
    """False: regluon implements MXNet 1.x's legacy ``nd`` semantics, not ``mx.np``."""
    return False


def is_np_shape() -> bool:
    """False: shapes follow the legacy rules (no 0-d arrays from reductions)."""
    return False


def set_np_shape(active: bool) -> bool:
    """Only ``False`` is supported; returns the previous value."""
    if active:
        raise NotImplementedError("NumPy shape semantics (mx.np) are not supported by regluon yet")
    return False


def makedirs(d: str) -> None:
    """Create a directory (and parents) if it does not exist."""
    os.makedirs(d, exist_ok=True)
