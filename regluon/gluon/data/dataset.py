"""Datasets: indexable collections of samples."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ... import ndarray as nd
from ...ndarray import NDArray


class Dataset:
    """Abstract dataset: implement ``__getitem__(idx)`` and ``__len__()``.

    Example:
        >>> class Squares(gdata.Dataset):
        ...     def __getitem__(self, i):
        ...         return i * i
        ...     def __len__(self):
        ...         return 10
    """

    def __getitem__(self, idx):
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def transform(self, fn, lazy: bool = True) -> Dataset:
        """A dataset whose samples are ``fn(*sample)`` (computed on access when ``lazy``)."""
        trans = _LazyTransformDataset(self, fn)
        return trans if lazy else SimpleDataset([trans[i] for i in range(len(trans))])

    def transform_first(self, fn, lazy: bool = True) -> Dataset:
        """Like :meth:`transform` but applies ``fn`` to the first element of each sample only."""

        def first(x, *args):
            return (fn(x), *args) if args else fn(x)

        return self.transform(first, lazy)

    def filter(self, fn) -> Dataset:
        """The samples for which ``fn(sample)`` is true (evaluated once, now).

        Example:
            >>> gdata.SimpleDataset([1, 2, 3, 4]).filter(lambda x: x > 2)[0]
            3
        """
        from .sampler import FilterSampler

        return _SampledDataset(self, FilterSampler(fn, self))

    def shard(self, num_shards: int, index: int) -> Dataset:
        """Part ``index`` of ``num_shards`` contiguous parts; the first ``len % num_shards`` parts
        hold one sample more than the others.

        Example:
            >>> len(gdata.SimpleDataset(list(range(10))).shard(3, 0))
            4
        """
        if num_shards <= 0:
            raise ValueError(f"shard: num_shards must be positive, got {num_shards}")
        if not 0 <= index < num_shards:
            raise ValueError(f"shard: index {index} is out of range for {num_shards} shards")
        base, rest = divmod(len(self), num_shards)
        start = base * index + min(index, rest)
        from .sampler import SequentialSampler

        return _SampledDataset(self, SequentialSampler(base + (index < rest), start))

    def take(self, count: int | None) -> Dataset:
        """The first ``count`` samples (all of them when ``count`` is None or too large).

        Example:
            >>> list(gdata.SimpleDataset([5, 6, 7]).take(2))
            [5, 6]
        """
        from .sampler import SequentialSampler

        n = len(self) if count is None or count > len(self) else count
        return _SampledDataset(self, SequentialSampler(n))

    def sample(self, sampler) -> Dataset:
        """The samples at the indices ``sampler`` yields, in its order.

        Example:
            >>> list(gdata.SimpleDataset([5, 6, 7]).sample(gdata.SequentialSampler(2, 1)))
            [6, 7]
        """
        from .sampler import Sampler

        if not isinstance(sampler, Sampler):
            raise TypeError(f"Invalid sampler type: {type(sampler)}. Expected gluon.data.Sampler instead.")
        return _SampledDataset(self, sampler)

    def _gather(self, indices: np.ndarray):
        """A whole batch in one vectorised index, or None when the dataset cannot do that."""
        return None


class SimpleDataset(Dataset):
    """Wrap a list, NumPy array or NDArray as a dataset.

    Example:
        >>> gdata.SimpleDataset([1, 2, 3])[1]
        2
    """

    def __init__(self, data):
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, idx):
        return self._data[idx]

    def _gather(self, indices):
        return _take(self._data, indices, {})


def _take(data, indices, cache: dict):
    """Rows ``indices`` (NumPy or NDArray of int64) of an NDArray or NumPy array as one batch
    (None for other sources).

    ``cache`` keeps the index array per Context so several arrays share one conversion.
    """
    if isinstance(data, NDArray):
        idx = cache.get(data.context)
        if idx is None:
            if isinstance(indices, NDArray):
                idx = indices.as_in_context(data.context)
            else:
                idx = nd.array(indices, ctx=data.context, dtype="int64")
            cache[data.context] = idx
        return data[idx]
    if isinstance(data, np.ndarray) and data.dtype != object:
        rows = indices.asnumpy() if isinstance(indices, NDArray) else indices
        return nd.array(data[rows], dtype=data.dtype)
    return None


class ArrayDataset(Dataset):
    """A dataset of several arrays of equal length; sample ``i`` is ``(a[i], b[i], ...)``.

    Example:
        >>> ds = gdata.ArrayDataset(features, labels)
        >>> x, y = ds[0]
    """

    def __init__(self, *args):
        if not args:
            raise ValueError("ArrayDataset needs at least 1 array")
        self._length = len(args[0])
        self._data = []
        for i, data in enumerate(args):
            if len(data) != self._length:
                raise ValueError(
                    f"All arrays must have the same length; array[0] has length {self._length} while "
                    f"array[{i}] has {len(data)}."
                )
            self._data.append(data)

    def __getitem__(self, idx):
        if len(self._data) == 1:
            return _item(self._data[0], idx)
        return tuple(_item(d, idx) for d in self._data)

    def __len__(self) -> int:
        return self._length

    def _gather(self, indices):
        cache: dict = {}
        parts = [_take(d, indices, cache) for d in self._data]
        if any(p is None for p in parts):
            return None
        return parts[0] if len(parts) == 1 else parts


def _item(data, idx):
    """Sample ``idx`` of one array; a 1-d NDArray yields a NumPy scalar as MXNet does."""
    if isinstance(data, NDArray) and data.ndim == 1:
        return data[idx].asnumpy()[0]
    return data[idx]


class _SampledDataset(Dataset):
    """The samples of ``data`` at the indices of a sampler (fixed when the dataset is made)."""

    def __init__(self, data: Dataset, sampler):
        self._data = data
        self._indices = np.fromiter((int(i) for i in sampler), dtype=np.int64)

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, idx):
        return self._data[int(self._indices[idx])]

    def _gather(self, indices):
        rows = indices.asnumpy() if isinstance(indices, NDArray) else np.asarray(indices)
        return self._data._gather(self._indices[rows])


class _LazyTransformDataset(Dataset):
    def __init__(self, data: Dataset, fn):
        self._data, self._fn = data, fn

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, idx) -> Any:
        item = self._data[idx]
        if isinstance(item, tuple):
            return self._fn(*item)
        return self._fn(item)


class RecordFileDataset(Dataset):
    """The records of a RecordIO ``.rec`` file (with its ``.idx`` index beside it) as raw bytes.

    Example:
        >>> ds = gdata.RecordFileDataset('train.rec')   # reads train.idx too
        >>> header, payload = mx.recordio.unpack(ds[0])
    """

    def __init__(self, filename: str):
        from ... import recordio

        self.filename = filename
        self.idx_file = os.path.splitext(filename)[0] + ".idx"
        self._record = recordio.MXIndexedRecordIO(self.idx_file, self.filename, "r")

    def __getitem__(self, idx) -> bytes:
        return self._record.read_idx(self._record.keys[idx])

    def __len__(self) -> int:
        return len(self._record.keys)
