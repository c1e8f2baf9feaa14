"""``contrib.fft``, ``contrib.ifft`` and ``contrib.count_sketch``.

MXNet 1.9.1 has these for GPUs only (its CPU build raises "only available for GPU"); regluon runs
them on any device with MXNet's definitions, and its tests check them against NumPy:

* ``fft``: the unnormalised discrete Fourier transform of real data along the last axis, with real
  and imaginary parts interleaved: ``(..., d)`` -> ``(..., 2d)`` = ``[re0, im0, re1, im1, ...]``.
* ``ifft``: the inverse, unnormalised (``d`` times NumPy's ``ifft``), of interleaved complex data,
  keeping the real part: ``(..., 2d)`` -> ``(..., d)``.
* ``count_sketch``: ``out[:, h[j]] += data[:, j] * s[j]`` for hash tables ``h`` (indices into
  ``out_dim`` columns) and ``s`` (signs), both of shape ``(1, d)``.

Data is ``(N, d)`` or ``(N1, N2, N3, d)`` for the transforms, ``(N, d)`` for count_sketch, as in MXNet.
``compute_size`` and ``processing_batch_size`` (sub-batch sizes of MXNet's GPU kernels) are accepted.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError, shape_str
from ..params import Int, Param
from ..register import OpDef, Sample, register
from ._common import rand

_GPU_ONLY = (
    "MXNet 1.9.1's CPU build has no kernel for it (GPU only): checked against NumPy in the table tests"
)


def _check_data(op: str, data) -> None:
    if data.dim() not in (2, 4):
        raise MXNetError(f"{op}: data must be 2-d (N, d) or 4-d (N1, N2, N3, d), got {shape_str(data.shape)}")
    if data.dtype not in (torch.float32, torch.float64):
        raise MXNetError(f"{op}: data must be float32 or float64, got {str(data.dtype)[6:]}")


def _fft(data, compute_size):
    _check_data("fft", data)
    spec = torch.fft.fft(data)
    return torch.view_as_real(spec).reshape(*data.shape[:-1], 2 * data.shape[-1])


def _ifft(data, compute_size):
    _check_data("ifft", data)
    if data.shape[-1] % 2:
        raise MXNetError(
            f"ifft: the last axis of data {shape_str(data.shape)} must be even (real, imag pairs)"
        )
    pairs = data.reshape(*data.shape[:-1], data.shape[-1] // 2, 2).contiguous()
    return torch.fft.ifft(torch.view_as_complex(pairs), norm="forward").real.contiguous()


def _count_sketch(data, h, s, out_dim, processing_batch_size):
    d = data.shape[-1] if data.dim() else 0
    if data.dim() != 2 or tuple(h.shape) != (1, d) or tuple(s.shape) != (1, d):
        raise MXNetError(
            f"count_sketch: data must be (N, d) and h, s (1, d), got data {shape_str(data.shape)}, "
            f"h {shape_str(h.shape)}, s {shape_str(s.shape)}"
        )
    idx = h.reshape(-1).to(torch.int64)
    if out_dim < 1 or (d and (int(idx.min()) < 0 or int(idx.max()) >= out_dim)):
        raise MXNetError(f"count_sketch: the indices in h must lie in [0, out_dim={out_dim})")
    out = data.new_zeros(data.shape[0], out_dim)
    return out.index_add(1, idx, data * s.reshape(1, -1).to(data.dtype))


def _fft_ref(x, compute_size=128):
    spec = np.fft.fft(x.astype(np.float64), axis=-1)
    return np.stack([spec.real, spec.imag], axis=-1).reshape(*x.shape[:-1], -1).astype(x.dtype)


def _ifft_ref(x, compute_size=128):
    z = x[..., 0::2].astype(np.float64) + 1j * x[..., 1::2]
    return (np.fft.ifft(z, axis=-1) * z.shape[-1]).real.astype(x.dtype)


def _count_sketch_ref(x, h, s, out_dim, processing_batch_size=32):
    out = np.zeros((x.shape[0], out_dim), dtype=x.dtype)
    for j in range(x.shape[1]):
        out[:, int(h[0, j])] += x[:, j] * s[0, j]
    return out


register(
    OpDef(
        "_contrib_fft",
        impl=_fft,
        aliases=("contrib.fft",),
        params=(Param("compute_size", Int(), 128, "Sub-batch size of MXNet's GPU kernel (accepted)."),),
        ref=_fft_ref,
        samples=lambda: [
            Sample((rand(3, 4),)),
            Sample((rand(2, 5, seed=1),), {"compute_size": 2}),
            Sample((rand(1, 2, 3, 6, seed=2),)),
        ],
        errors=lambda: [
            ((rand(6),), {}, r"fft: data must be 2-d \(N, d\) or 4-d"),
            ((rand(2, 3).astype(np.int32),), {}, r"fft: data must be float32 or float64"),
        ],
        no_golden=_GPU_ONLY,
        doc="Discrete Fourier transform (unnormalised) of real data along the last axis; the result has "
        "real and imaginary parts interleaved, so the last axis doubles.\n\n"
        "Example:\n    >>> mx.nd.contrib.fft(mx.nd.array([[1, 0, 0, 0]]))  # [[1, 0, 1, 0, 1, 0, 1, 0]]",
    )
)
register(
    OpDef(
        "_contrib_ifft",
        impl=_ifft,
        aliases=("contrib.ifft",),
        params=(Param("compute_size", Int(), 128, "Sub-batch size of MXNet's GPU kernel (accepted)."),),
        ref=_ifft_ref,
        samples=lambda: [
            Sample((rand(3, 8),)),
            Sample((rand(2, 6, seed=1),), {"compute_size": 2}),
            Sample((rand(1, 2, 3, 4, seed=2),)),
        ],
        errors=lambda: [
            ((rand(2, 5),), {}, r"ifft: the last axis of data \(2, 5\) must be even"),
            ((rand(2, 3, 4),), {}, r"ifft: data must be 2-d"),
        ],
        no_golden=_GPU_ONLY,
        doc="Inverse discrete Fourier transform (unnormalised: d times NumPy's ifft) of complex data given as "
        "interleaved (real, imag) pairs on the last axis; returns the real part.\n\n"
        "Example:\n    >>> mx.nd.contrib.ifft(mx.nd.contrib.fft(x)) / x.shape[-1]  # x again",
    )
)
register(
    OpDef(
        "_contrib_count_sketch",
        impl=_count_sketch,
        aliases=("contrib.count_sketch",),
        inputs=("data", "h", "s"),
        no_grad_inputs=("h", "s"),
        params=(
            Param("out_dim", Int(), None, "Number of output columns.", required=True),
            Param("processing_batch_size", Int(), 32, "Sub-batch size of MXNet's GPU kernel (accepted)."),
        ),
        ref=_count_sketch_ref,
        samples=lambda: [
            Sample(
                (rand(2, 3), np.array([[0, 3, 4]], np.float32), np.array([[1, -1, 1]], np.float32)),
                {"out_dim": 5},
            ),
            Sample(
                (
                    rand(4, 6, seed=1),
                    np.array([[1, 1, 0, 2, 1, 0]], np.float32),
                    np.array([[-1, 1, 1, -1, 1, 1]], np.float32),
                ),
                {"out_dim": 3, "processing_batch_size": 2},
            ),
        ],
        errors=lambda: [
            (
                (rand(2, 3), np.array([[0, 5, 1]], np.float32), np.ones((1, 3), np.float32)),
                {"out_dim": 5},
                r"in \[0, out_dim=5\)",
            ),
            (
                (rand(2, 3), np.array([0, 1, 1], np.float32), np.ones((1, 3), np.float32)),
                {"out_dim": 5},
                r"h, s \(1, d\)",
            ),
        ],
        no_golden=_GPU_ONLY,
        doc="Count sketch: projects each row of data to out_dim columns, adding data[:, j] * s[0, j] to "
        "column h[0, j].\n\nExample:\n    >>> mx.nd.contrib.count_sketch(x, h, s, out_dim=5)",
    )
)
