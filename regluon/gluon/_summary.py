"""``Block.summary``: MXNet's table of layers, output shapes and parameter counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..base import MXNetError
from ..ndarray import NDArray

if TYPE_CHECKING:
    from .block import Block

_RULE = "-" * 80
_DOUBLE = "=" * 80


class HybridizedSummaryError(MXNetError, AssertionError):
    """summary() was called on a hybridized block (an AssertionError in MXNet)."""


def _shapes(out) -> str:
    if isinstance(out, NDArray):
        return str(out.shape)
    if isinstance(out, (list, tuple)):
        return ", ".join(_shapes(o) for o in out)
    return ""


def _row(name: str, shape: str, count: int) -> str:
    return f"{name:>20}  {shape:>42} {count:>15}"


def print_summary(block: Block, inputs: tuple) -> None:
    from .nn.basic_layers import HybridSequential, Sequential

    def check(b):
        if getattr(b, "_active", False):
            raise HybridizedSummaryError(f'"{b.name}" must not be hybridized to print summary.')

    block.apply(check)
    rows: list[tuple[str, str, int]] = [("Input", _shapes(inputs), 0)]
    totals = {"total": 0, "trainable": 0, "shared": 0}
    seen: set[int] = set()

    def hook(b, _args, out):
        if isinstance(b, (Sequential, HybridSequential)):
            return
        count = 0
        for p in b.params.values():
            size = int(np.prod(p.shape))
            count += size
            if p.grad_req != "null":
                totals["trainable"] += size
            if id(p) in seen:
                totals["shared"] += size
            seen.add(id(p))
        totals["total"] += count
        rows.append((f"{b.__class__.__name__}-{len(rows)}", _shapes(out), count))

    handles = []
    block.apply(lambda b: handles.append(b.register_forward_hook(hook)))
    try:
        block(*inputs)
    finally:
        for h in handles:
            h.detach()
    lines = [_RULE, _row("Layer (type)", "Output Shape", "Param #"), _DOUBLE]
    lines += [_row(*r) for r in rows]
    lines += [
        _DOUBLE,
        "Parameters in forward computation graph, duplicate included",
        f"   Total params: {totals['total']}",
        f"   Trainable params: {totals['trainable']}",
        f"   Non-trainable params: {totals['total'] - totals['trainable']}",
        f"Shared params in forward computation graph: {totals['shared']}",
        f"Unique parameters in model: {totals['total'] - totals['shared']}",
        _RULE,
    ]
    print("\n".join(lines))
