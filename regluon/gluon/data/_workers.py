"""DataLoader worker processes: torch's DataLoader workers under MXNet's DataLoader.

A worker reads the samples of one batch and batchifies them; NDArrays and NumPy arrays in the
batch are boxed as torch tensors, which torch's multiprocessing pickler moves through shared
memory, and the parent re-wraps them as NDArrays on ``cpu_shared(0)`` (as MXNet's workers return
them) or NumPy arrays.
"""

from __future__ import annotations

import multiprocessing
import random
from multiprocessing.reduction import ForkingPickler

import numpy as np
import torch
import torch.utils.data

from ... import ndarray as nd
from ...context import Context
from ...ndarray import NDArray

_SHARED = Context("cpu_shared", 0)


class _Boxed:
    """An NDArray (``numpy=False``) or NumPy array (``numpy=True``) in transit as a tensor."""

    __slots__ = ("tensor", "numpy")

    def __init__(self, tensor: torch.Tensor, numpy: bool):
        self.tensor, self.numpy = tensor, numpy

    def __reduce__(self):
        return _Boxed, (self.tensor, self.numpy)


def box(obj):
    """Replace the arrays in a batch (nested lists, tuples, dicts) by tensors in transit."""
    if isinstance(obj, NDArray):
        return _Boxed(obj._tensor.detach(), False)
    if isinstance(obj, np.ndarray) and obj.dtype != object and obj.dtype.kind in "biuf":
        return _Boxed(torch.from_numpy(np.ascontiguousarray(obj)), True)
    if isinstance(obj, list):
        return [box(x) for x in obj]
    if type(obj) is tuple:
        return tuple(box(x) for x in obj)
    if isinstance(obj, dict):
        return {k: box(v) for k, v in obj.items()}
    return obj


def stack_shared(arrays: list) -> NDArray:
    """``nd.stack(*arrays)`` written straight into a new shared-memory block (``cpu_shared(0)``),
    which torch's pickler then hands to the parent process without copying it again."""
    tensors = [a._tensor.detach() for a in arrays]
    first = tensors[0]
    if first.device.type != "cpu" or any(t.shape != first.shape or t.dtype != first.dtype for t in tensors):
        return nd.stack(*arrays)  # let stack report mismatched samples (or keep a GPU batch)
    storage = first.untyped_storage()._new_shared(len(tensors) * first.numel() * first.element_size())
    out = torch.empty(0, dtype=first.dtype).set_(storage).view(len(tensors), *first.shape)
    return NDArray._wrap(torch.stack(tensors, out=out), _SHARED)


def unbox(obj, pin_ctx: Context | None = None):
    """The inverse of :func:`box`, in the parent process (optionally pinning the NDArrays)."""
    if isinstance(obj, _Boxed):
        if obj.numpy:
            return obj.tensor.numpy()
        if pin_ctx is not None:
            return NDArray._wrap(_pinned(obj.tensor), pin_ctx)
        return NDArray._wrap(obj.tensor, _SHARED)
    if isinstance(obj, list):
        return [unbox(x, pin_ctx) for x in obj]
    if type(obj) is tuple:
        return tuple(unbox(x, pin_ctx) for x in obj)
    if isinstance(obj, dict):
        return {k: unbox(v, pin_ctx) for k, v in obj.items()}
    return obj


def _pinned(t: torch.Tensor) -> torch.Tensor:
    return t.pin_memory() if torch.cuda.is_available() else t


def pin(obj, ctx: Context):
    """NDArrays of a batch moved to page-locked memory on ``ctx`` (``cpu_pinned``)."""
    if isinstance(obj, NDArray):
        return NDArray._wrap(_pinned(obj._tensor), ctx)
    if isinstance(obj, list):
        return [pin(x, ctx) for x in obj]
    if type(obj) is tuple:
        return tuple(pin(x, ctx) for x in obj)
    return obj


class _BatchReader(torch.utils.data.Dataset):
    """What a worker holds: ``reader[indices]`` is the boxed batch of those samples."""

    def __init__(self, dataset, batchify):
        self.dataset, self.batchify = dataset, batchify

    def __getitem__(self, indices):
        return box(self.batchify([self.dataset[i] for i in indices]))

    def __len__(self) -> int:
        return len(self.dataset)


def _identity(batch):
    return batch


def _seed_worker(worker_id: int) -> None:
    """Give each worker its own NumPy and ``random`` streams (torch seeds its own per worker)."""
    seed = torch.initial_seed() % 2**32
    np.random.seed(seed)
    random.seed(seed)


def torch_loader(loader) -> torch.utils.data.DataLoader:
    """The torch DataLoader that runs ``loader``'s batches in its worker processes (kept alive
    across passes, as MXNet keeps its worker pool)."""
    from .dataloader import default_mp_batchify_fn

    workers = loader._num_workers
    return torch.utils.data.DataLoader(
        _BatchReader(loader._dataset, loader._batchify_fn or default_mp_batchify_fn),
        batch_size=None,
        sampler=loader._batch_sampler,
        num_workers=workers,
        collate_fn=_identity,
        timeout=loader._timeout,
        worker_init_fn=_seed_worker,
        prefetch_factor=max(1, -(-loader._prefetch // workers)),
        persistent_workers=True,
    )


def check_picklable(dataset, batchify_fn, num_workers: int) -> None:
    """Where workers start by spawning (not forking), the dataset travels to them pickled:
    fail now, with a clear message, if it cannot."""
    if multiprocessing.get_start_method(allow_none=False) == "fork":
        return
    try:
        ForkingPickler.dumps((dataset, batchify_fn))
    except Exception as e:
        raise TypeError(
            f"DataLoader(num_workers={num_workers}): the dataset (or batchify_fn) cannot be pickled, "
            f"so it cannot be sent to worker processes ({type(e).__name__}: {e}). Use num_workers=0 "
            "or thread_pool=True, or make it picklable (e.g. module-level functions, not lambdas)."
        ) from e
