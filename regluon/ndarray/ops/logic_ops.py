"""Logical operators with a number: ``_logical_and_scalar``, ``_logical_or_scalar``, ``_logical_xor_scalar``.

They are what ``nd.logical_and(x, 2)`` (and ``or``/``xor``) run when one side is a number. As with the
other ``_*_scalar`` operators, MXNet 1.9.1 first converts the number to the array's dtype (``0.5`` is
0 for an integer array, ``256`` is 0 for ``uint8``), and the result is 1 or 0 in the array's dtype
(``int64`` for a bool array). They have no gradient.
"""

from __future__ import annotations

import numpy as np
import torch

from ..dtypes import scalar_operands
from ..params import Float, Param
from ..register import OpDef, Sample, register
from ._common import rand

_LOGIC = {
    "_logical_and_scalar": (torch.logical_and, np.logical_and, "both are non-zero"),
    "_logical_or_scalar": (torch.logical_or, np.logical_or, "either is non-zero"),
    "_logical_xor_scalar": (torch.logical_xor, np.logical_xor, "exactly one is non-zero"),
}


def _impl(fn):
    def impl(data, scalar):
        data, value = scalar_operands(data, scalar)
        return fn(data, torch.tensor(value != 0)).to(data.dtype)

    return impl


def _ref(fn):
    def ref(x, scalar):
        # the number as the array's dtype first (C truncation / wrap-around for integers)
        s = np.array(scalar).astype(x.dtype) if x.dtype.kind in "iu" else scalar
        return fn(x != 0, s != 0).astype(x.dtype if x.dtype != np.bool_ else np.int64)

    return ref


def _samples():
    x = rand(2, 3)
    x[0, 1] = 0.0
    ints = np.array([0, 1, 2, -3, 0], dtype=np.int32)
    return [
        Sample((x,), {"scalar": 0.0}),
        Sample((x,), {"scalar": 2.0}),
        Sample((x,), {"scalar": 0.25}),
        Sample((ints,), {"scalar": 0.5}),  # 0 once converted to int32
        Sample((ints,), {"scalar": 3}),
        Sample((np.array([0, 7, 255], dtype=np.uint8),), {"scalar": 256}),  # 0 as uint8
        Sample((np.array([True, False]),), {"scalar": 1}),  # bool arrays give int64
    ]


for _name, (_fn, _np_fn, _what) in _LOGIC.items():
    register(
        OpDef(
            _name,
            impl=_impl(_fn),
            params=(Param("scalar", Float(), 1.0, "The number (converted to the array's dtype first)."),),
            ref=_ref(_np_fn),
            samples=_samples,
            differentiable=False,
            doc=f"1 where {_what} (the array's element and the number), else 0, in the array's dtype.\n\n"
            f"Example:\n    >>> mx.nd.{_name}(mx.nd.array([0, 1, 2]), scalar=1)",
        )
    )
