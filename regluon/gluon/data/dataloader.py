"""DataLoader: iterate over a dataset in mini-batches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ... import ndarray as nd
from ...ndarray import NDArray
from .sampler import BatchSampler, RandomSampler, SequentialSampler


def default_batchify_fn(data: list) -> Any:
    """Stack samples into a batch: NDArrays with ``nd.stack``, tuples element by element,
    anything else through ``np.asarray`` (keeping its dtype)."""
    first = data[0]
    if isinstance(first, NDArray):
        return nd.stack(*data)
    if isinstance(first, tuple):
        return [default_batchify_fn(list(items)) for items in zip(*data)]
    arr = np.asarray(data)
    return nd.array(arr, dtype=arr.dtype)


class DataLoader:
    """Load a Dataset in mini-batches.

    Parameters
    ----------
    dataset : Dataset
    batch_size : int
        Samples per batch (required unless ``batch_sampler`` is given).
    shuffle : bool, default False
        Visit samples in a new random order each pass (NumPy's global generator, as MXNet).
    sampler : Sampler, optional
        The order of samples; excludes ``shuffle``.
    last_batch : {'keep', 'discard', 'rollover'}, default 'keep'
        What to do with a final incomplete batch.
    batch_sampler : Sampler of index lists, optional
        Excludes batch_size, shuffle, sampler and last_batch.
    batchify_fn : callable, optional
        Turns a list of samples into a batch.
    num_workers : int, default 0
        Accepted; batches are produced in this process for now.

    Batches of an ``ArrayDataset`` of NDArrays / NumPy arrays are gathered with one
    vectorised ``take`` per array, not sample by sample.

    Example:
        >>> data_iter = gdata.DataLoader(gdata.ArrayDataset(features, labels), 10, shuffle=True)
        >>> for X, y in data_iter:
        ...     break
    """

    def __init__(
        self,
        dataset,
        batch_size: int | None = None,
        shuffle: bool = False,
        sampler=None,
        last_batch: str | None = None,
        batch_sampler=None,
        batchify_fn: Callable | None = None,
        num_workers: int = 0,
        pin_memory: bool = False,
        pin_device_id: int = 0,
        prefetch: int | None = None,
        thread_pool: bool = False,
        timeout: int = 120,
    ):
        self._dataset = dataset
        if batch_sampler is None:
            if batch_size is None:
                raise ValueError("batch_size must be specified unless batch_sampler is specified")
            if sampler is None:
                sampler = RandomSampler(len(dataset)) if shuffle else SequentialSampler(len(dataset))
            elif shuffle:
                raise ValueError("shuffle must not be specified if sampler is specified")
            batch_sampler = BatchSampler(sampler, batch_size, last_batch if last_batch else "keep")
        elif batch_size is not None or shuffle or sampler is not None or last_batch is not None:
            raise ValueError(
                "batch_size, shuffle, sampler and last_batch must not be specified if "
                "batch_sampler is specified."
            )
        if num_workers < 0:
            raise ValueError(f"num_workers must be >= 0, got {num_workers}")
        self._batch_sampler = batch_sampler
        self._num_workers = num_workers
        self._batchify_fn = batchify_fn

    def __iter__(self):
        gather = getattr(self._dataset, "_gather", None) if self._batchify_fn is None else None
        if gather is not None:
            plan = getattr(self._batch_sampler, "_batch_slices", lambda: None)()
            if plan is not None:
                yield from self._gathered(gather, *plan)
                return
        batchify = self._batchify_fn or default_batchify_fn
        for batch in self._batch_sampler:
            if gather is not None:
                out = gather(np.asarray(batch, dtype=np.int64))
                if out is not None:
                    yield out
                    continue
            yield batchify([self._dataset[i] for i in batch])

    def _gathered(self, gather, order: np.ndarray, slices: list):
        """Vectorised batches: the pass's whole index order becomes one array, sliced per batch."""
        order_nd = nd.array(order, dtype="int64")
        for start, stop in slices:
            out = gather(order_nd[start:stop])
            if out is None:  # the dataset cannot gather after all: fall back to item by item
                out = default_batchify_fn([self._dataset[int(i)] for i in order[start:stop]])
            yield out

    def __len__(self) -> int:
        return len(self._batch_sampler)
