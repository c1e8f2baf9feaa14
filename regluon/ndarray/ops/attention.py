"""Interleaved attention matmuls of ``nd.contrib`` (GluonNLP's fused multi-head attention layout).

Self-attention packs queries, keys and values per head along the last axis: (L, B, heads * 3 * D) read as
(L, B, heads, 3, D). Encoder-decoder attention packs keys and values: (L, B, heads * 2 * D).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..dtypes import to_torch
from ..params import Bool, DType, Int, Param
from ..register import OpDef, Sample, register
from ._common import float32_only, rand

_HEADS = Param("heads", Int(), None, "Number of attention heads.", required=True)


def _split_heads(x, heads, parts, op):
    L, B, E = x.shape
    if E % (heads * parts):
        raise MXNetError(
            f"{op}: last axis of {shape_str(x.shape)} is not divisible by heads*{parts}={heads * parts}"
        )
    return x.reshape(L, B, heads, parts, E // (heads * parts))


def _to_batch_heads(t):  # (L, B, H, D) -> (B*H, L, D)
    L, B, H, D = t.shape
    return t.permute(1, 2, 0, 3).reshape(B * H, L, D)


def _from_batch_heads(t, B, H):  # (B*H, L, D) -> (L, B, H*D)
    BH, L, D = t.shape
    return t.reshape(B, H, L, D).permute(2, 0, 1, 3).reshape(L, B, H * D)


def _selfatt_qk(queries_keys_values, heads):
    float32_only("interleaved_matmul_selfatt_qk", queries_keys_values)
    x = _split_heads(queries_keys_values, heads, 3, "interleaved_matmul_selfatt_qk")
    q, k = _to_batch_heads(x[:, :, :, 0]), _to_batch_heads(x[:, :, :, 1])
    return torch.matmul(q / math.sqrt(q.shape[-1]), k.transpose(1, 2))


def _selfatt_valatt(queries_keys_values, attention, heads):
    float32_only("interleaved_matmul_selfatt_valatt", queries_keys_values)
    x = _split_heads(queries_keys_values, heads, 3, "interleaved_matmul_selfatt_valatt")
    v = _to_batch_heads(x[:, :, :, 2])
    return _from_batch_heads(torch.matmul(attention, v), x.shape[1], heads)


def _encdec_qk(queries, keys_values, heads):
    float32_only("interleaved_matmul_encdec_qk", queries)
    L, B, E = queries.shape
    q = _to_batch_heads(queries.reshape(L, B, heads, E // heads))
    k = _to_batch_heads(_split_heads(keys_values, heads, 2, "interleaved_matmul_encdec_qk")[:, :, :, 0])
    return torch.matmul(q / math.sqrt(q.shape[-1]), k.transpose(1, 2))


def _encdec_valatt(keys_values, attention, heads):
    float32_only("interleaved_matmul_encdec_valatt", keys_values)
    x = _split_heads(keys_values, heads, 2, "interleaved_matmul_encdec_valatt")
    v = _to_batch_heads(x[:, :, :, 1])
    return _from_batch_heads(torch.matmul(attention, v), x.shape[1], heads)


L, Lk, B, H, D = 3, 4, 2, 2, 4


def _att(bh, lq, lk, seed):
    a = np.random.RandomState(seed).rand(bh, lq, lk).astype("float32")
    return a / a.sum(-1, keepdims=True)


for _name, _impl, _inputs, _samples, _doc in (
    (
        "selfatt_qk",
        _selfatt_qk,
        ("queries_keys_values",),
        lambda: [Sample((rand(L, B, H * 3 * D),), {"heads": H})],
        "Scaled scores q k^T / sqrt(D) per (batch, head) from packed self-attention inputs: (B*heads, L, L).",
    ),
    (
        "selfatt_valatt",
        _selfatt_valatt,
        ("queries_keys_values", "attention"),
        lambda: [Sample((rand(L, B, H * 3 * D), _att(B * H, L, L, 1)), {"heads": H})],
        "Attention-weighted values from packed self-attention inputs: (L, B, heads*D).",
    ),
    (
        "encdec_qk",
        _encdec_qk,
        ("queries", "keys_values"),
        lambda: [Sample((rand(L, B, H * D), rand(Lk, B, H * 2 * D, seed=1)), {"heads": H})],
        "Scaled scores between queries and packed keys/values: (B*heads, Lq, Lk).",
    ),
    (
        "encdec_valatt",
        _encdec_valatt,
        ("keys_values", "attention"),
        lambda: [Sample((rand(Lk, B, H * 2 * D), _att(B * H, L, Lk, 2)), {"heads": H})],
        "Attention-weighted values from packed keys/values: (Lq, B, heads*D).",
    ),
):
    register(
        OpDef(
            f"_contrib_interleaved_matmul_{_name}",
            impl=_impl,
            inputs=_inputs,
            params=(_HEADS,),
            aliases=(f"contrib.interleaved_matmul_{_name}",),
            samples=_samples,
            doc=_doc,
        )
    )


def _amp_multicast(*data, num_outputs, cast_narrow):
    if len(data) != num_outputs:
        raise MXNetError(f"amp_multicast: num_outputs={num_outputs} but {len(data)} inputs")
    order = [torch.float16, torch.float32, torch.float64]
    ranked = sorted((t.dtype for t in data), key=lambda d: order.index(d) if d in order else -1)
    target = ranked[0] if cast_narrow else ranked[-1]
    return tuple(t.to(target) for t in data)


def _amp_multicast_ref(*xs, num_outputs, cast_narrow=False):
    widths = sorted((x.dtype for x in xs), key=lambda d: d.itemsize)
    target = widths[0] if cast_narrow else widths[-1]
    return [x.astype(target) for x in xs]


register(
    OpDef(
        "amp_multicast",
        impl=_amp_multicast,
        inputs=("data",),
        variadic=True,
        params=(
            Param("num_outputs", Int(), None, "Number of inputs (and outputs).", required=True),
            Param("cast_narrow", Bool(), False, "Cast to the narrowest float type instead of the widest."),
        ),
        ref=_amp_multicast_ref,
        samples=lambda: [
            Sample((rand(2, 2), rand(2, 2, seed=1).astype("float64")), {"num_outputs": 2}),
            Sample(
                (rand(2, 2), rand(2, 2, seed=1).astype("float16")), {"num_outputs": 2, "cast_narrow": True}
            ),
        ],
        no_golden="MXNet 1.9.1's CPU build crashes (segfault) recording amp_multicast",
        doc="Cast all inputs to the widest (or, with cast_narrow, the narrowest) of their float types.",
    )
)


def _amp_cast(data, dtype):
    if not data.is_floating_point():
        return data.clone()  # MXNet casts float arrays only
    if data.dtype == torch.float64:
        raise MXNetError("amp_cast: MXNet's CPU build casts float16 and float32 arrays only, got float64")
    return data.to(to_torch(dtype)) if str(data.dtype)[6:] != dtype else data.clone()


register(
    OpDef(
        "amp_cast",
        impl=_amp_cast,
        params=(Param("dtype", DType(), None, "The float type to cast to.", required=True),),
        ref=lambda x, dtype: x.astype(dtype) if x.dtype.kind == "f" else x.copy(),
        # (rounding to float16 has no useful finite-difference gradient: checked against MXNet's golden)
        samples=lambda: [
            Sample((rand(2, 3),), {"dtype": "float16"}, numeric_grad=False),
            Sample((rand(3, seed=1).astype("float16"),), {"dtype": "float32"}, numeric_grad=False),
            Sample((np.array([1, 2], "int32"),), {"dtype": "float16"}, grad=False),
        ],
        errors=lambda: [((rand(2).astype("float64"),), {"dtype": "float16"}, r"amp_cast: .* got float64")],
        doc="Cast a float array to dtype (mixed-precision training); other arrays pass through unchanged.",
    )
)
