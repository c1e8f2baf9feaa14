"""Samplers: the order in which a DataLoader visits a dataset."""

from __future__ import annotations

import numpy as np


class Sampler:
    """Base class: an iterable of indices with a length."""

    def __iter__(self):
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """Indices ``start, start+1, ..., start+length-1`` in order.

    Example:
        >>> list(gdata.SequentialSampler(3))
        [0, 1, 2]
    """

    def __init__(self, length: int, start: int = 0):
        self._length, self._start = length, start

    def __iter__(self):
        return iter(range(self._start, self._start + self._length))

    def __len__(self) -> int:
        return self._length

    def _order(self) -> np.ndarray:
        """This pass's indices as one array (what ``__iter__`` yields)."""
        return np.arange(self._start, self._start + self._length)


class RandomSampler(Sampler):
    """A random permutation of ``range(length)``, drawn anew for each pass.

    It shuffles with NumPy's global generator, as MXNet does, so ``np.random.seed`` fixes the
    order (and gives the same order as MXNet 1.x for the same seed).
    """

    def __init__(self, length: int):
        self._length = length

    def _permutation(self) -> np.ndarray:
        indices = np.arange(self._length)
        np.random.shuffle(indices)
        return indices

    def __iter__(self):
        return iter(self._permutation().tolist())

    _order = _permutation

    def __len__(self) -> int:
        return self._length


class FilterSampler(Sampler):
    """The indices of the samples of ``dataset`` for which ``fn(sample)`` is true (decided once, here).

    Example:
        >>> list(gdata.FilterSampler(lambda x: x % 2 == 0, gdata.SimpleDataset([1, 2, 4, 5])))
        [1, 2]
    """

    def __init__(self, fn, dataset):
        self._fn, self._dataset = fn, dataset
        self._indices = [i for i in range(len(dataset)) if fn(dataset[i])]

    def __iter__(self):
        return iter(self._indices)

    def __len__(self) -> int:
        return len(self._indices)

    def _order(self) -> np.ndarray:
        return np.asarray(self._indices, dtype=np.int64)


class IntervalSampler(Sampler):
    """Every ``interval``-th index: ``0, interval, 2*interval, ...``; with ``rollover`` the pass goes on
    with ``1, 1+interval, ...`` and so on until every index of ``range(length)`` was visited once.

    Example:
        >>> list(gdata.IntervalSampler(6, 3))
        [0, 3, 1, 4, 2, 5]
        >>> list(gdata.IntervalSampler(6, 3, rollover=False))
        [0, 3]
    """

    def __init__(self, length: int, interval: int, rollover: bool = True):
        if not 0 < interval <= length:
            raise ValueError(
                f"IntervalSampler: interval {interval} must be positive and at most the length {length}"
            )
        self._length, self._interval, self._rollover = length, interval, rollover

    def _order(self) -> np.ndarray:
        starts = range(self._interval) if self._rollover else range(1)
        return np.concatenate([np.arange(s, self._length, self._interval) for s in starts])

    def __iter__(self):
        return iter(self._order().tolist())

    def __len__(self) -> int:
        if self._rollover:
            return self._length
        return (self._length + self._interval - 1) // self._interval


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    ``last_batch`` says what happens to a final incomplete batch: ``'keep'`` returns it,
    ``'discard'`` drops it, ``'rollover'`` carries its indices into the next pass.

    Example:
        >>> list(gdata.BatchSampler(gdata.SequentialSampler(5), 2, 'keep'))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size: int, last_batch: str = "keep"):
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if last_batch not in ("keep", "discard", "rollover"):
            raise ValueError(
                f"last_batch must be one of 'keep', 'discard', or 'rollover', but got {last_batch}"
            )
        self._sampler, self._batch_size, self._last_batch = sampler, batch_size, last_batch
        self._prev: list[int] = []

    def __iter__(self):
        batch, self._prev = self._prev, []
        for i in self._sampler:
            batch.append(i)
            if len(batch) == self._batch_size:
                yield batch
                batch = []
        if batch:
            if self._last_batch == "keep":
                yield batch
            elif self._last_batch == "rollover":
                self._prev = batch

    def _batch_slices(self):
        """The batches of one pass as ``(order, start, stop)`` over one index array, or None when the
        sampler cannot give its order as an array. Same batches as ``__iter__``, rollover included."""
        order_fn = getattr(self._sampler, "_order", None)
        if order_fn is None:
            return None
        order = order_fn()
        if self._prev:
            order = np.concatenate([np.asarray(self._prev, dtype=order.dtype), order])
            self._prev = []
        n, bs = len(order), self._batch_size
        full = n - n % bs
        slices = [(i, i + bs) for i in range(0, full, bs)]
        if full < n:
            if self._last_batch == "keep":
                slices.append((full, n))
            elif self._last_batch == "rollover":
                self._prev = order[full:].tolist()
        return order, slices

    def __len__(self) -> int:
        n = len(self._sampler)
        if self._last_batch == "keep":
            return (n + self._batch_size - 1) // self._batch_size
        if self._last_batch == "discard":
            return n // self._batch_size
        return (len(self._prev) + n) // self._batch_size
