"""DataLoader: iterate over a dataset in mini-batches."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ... import ndarray as nd
from ...context import Context
from ...ndarray import NDArray
from . import _workers
from .dataset import Dataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


def default_batchify_fn(data: list) -> Any:
    """MXNet's default batchify: NDArray samples are stacked with ``nd.stack``; tuple samples are
    batchified field by field into a list; anything else (NumPy arrays, numbers, nested lists)
    goes through ``np.asarray`` and keeps its dtype (Python ints give int64, floats float64).

    Example:
        >>> default_batchify_fn([(1, 2.5), (3, 4.5)])[1].dtype
        <class 'numpy.float64'>
    """
    first = data[0]
    if isinstance(first, NDArray):
        return nd.stack(*data)
    if isinstance(first, tuple):
        return [default_batchify_fn(list(items)) for items in zip(*data)]
    try:
        arr = np.asarray(data)
    except ValueError:
        arr = None
    if arr is None or arr.dtype == object:
        raise ValueError(
            "default_batchify_fn: cannot stack samples of type "
            f"{type(first).__name__} (ragged or mixed samples such as {first!r:.60}); "
            "make each sample a tuple of arrays of one shape, or pass batchify_fn="
        )
    return nd.array(arr, dtype=arr.dtype)


def default_mp_batchify_fn(data: list) -> Any:
    """:func:`default_batchify_fn` as MXNet runs it in worker processes: the same batches, but
    NDArray samples are stacked straight into shared memory (context ``cpu_shared(0)``), so that
    they reach the parent process without another copy.

    Example:
        >>> default_mp_batchify_fn([mx.nd.ones((2,)), mx.nd.zeros((2,))]).shape
        (2, 2)
    """
    first = data[0]
    if isinstance(first, NDArray):
        return _workers.stack_shared(data)
    if isinstance(first, tuple):
        return [default_mp_batchify_fn(list(items)) for items in zip(*data)]
    return default_batchify_fn(data)


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
        Turns a list of samples into a batch (default :func:`default_batchify_fn`).
    num_workers : int, default 0
        Worker processes (torch's DataLoader workers) that read samples and batchify them;
        their NDArrays reach this process through shared memory, on ``cpu_shared(0)``.
        0 reads in this process.
    pin_memory : bool, default False
        Put batches in page-locked memory (context ``cpu_pinned(pin_device_id)``) for faster
        copies to a GPU.
    pin_device_id : int, default 0
    prefetch : int, optional
        Batches in flight (default ``2 * num_workers``).
    thread_pool : bool, default False
        Use ``num_workers`` threads instead of processes (for datasets that cannot be pickled or
        whose work releases the GIL).
    timeout : int, default 120
        Seconds to wait for one batch from a worker before raising.

    Batches of an ``ArrayDataset`` (or a sampled/sharded part of one) of NDArrays / NumPy arrays
    with the default batchify are gathered in this process with one vectorised ``take`` per array,
    not sample by sample: that is faster than any worker.

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
        self._pin = Context("cpu_pinned", pin_device_id) if pin_memory else None
        self._prefetch = max(0, int(prefetch) if prefetch is not None else 2 * num_workers)
        self._thread_pool = thread_pool
        self._timeout = timeout
        self._worker_loader = None
        if num_workers > 0 and not thread_pool and not self._vectorised():
            _workers.check_picklable(dataset, batchify_fn, num_workers)

    def _vectorised(self) -> bool:
        return self._batchify_fn is None and type(self._dataset)._gather is not Dataset._gather

    def __iter__(self):
        gather = self._dataset._gather if self._vectorised() else None
        if gather is not None:
            plan = getattr(self._batch_sampler, "_batch_slices", lambda: None)()
            if plan is not None:
                yield from self._finish_all(self._gathered(gather, *plan))
                return
        elif self._num_workers > 0:
            if self._thread_pool:
                yield from self._finish_all(self._threaded())
                return
            if self._worker_loader is None:
                self._worker_loader = _workers.torch_loader(self)
            for boxed in self._worker_loader:
                yield _workers.unbox(boxed, self._pin)
            return
        batchify = self._batchify_fn or default_batchify_fn
        batches = (self._fetch(batch, gather, batchify) for batch in self._batch_sampler)
        yield from self._finish_all(batches)

    def _fetch(self, batch, gather, batchify):
        if gather is not None:
            out = gather(np.asarray(batch, dtype=np.int64))
            if out is not None:
                return out
        return batchify([self._dataset[i] for i in batch])

    def _gathered(self, gather, order: np.ndarray, slices: list):
        """Vectorised batches: the pass's whole index order becomes one array, sliced per batch."""
        order_nd = nd.array(order, dtype="int64")
        for start, stop in slices:
            out = gather(order_nd[start:stop])
            if out is None:  # the dataset cannot gather after all: fall back to item by item
                out = default_batchify_fn([self._dataset[int(i)] for i in order[start:stop]])
            yield out

    def _threaded(self):
        """Batches made by a pool of threads, ``prefetch`` in flight, in the sampler's order."""
        batchify = self._batchify_fn or default_batchify_fn
        window = max(1, self._prefetch)
        pool = ThreadPoolExecutor(self._num_workers, thread_name_prefix="DataLoader")
        pending: deque = deque()
        try:
            for batch in self._batch_sampler:
                pending.append(pool.submit(self._fetch, batch, None, batchify))
                if len(pending) >= window:
                    yield pending.popleft().result(self._timeout)
            while pending:
                yield pending.popleft().result(self._timeout)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _finish_all(self, batches):
        if self._pin is None:
            yield from batches
        else:
            for b in batches:
                yield _workers.pin(b, self._pin)

    def __len__(self) -> int:
        return len(self._batch_sampler)

    def __del__(self):
        self._worker_loader = None
