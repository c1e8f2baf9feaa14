"""mx.io data iterators: DataDesc, DataBatch, DataIter, NDArrayIter, ResizeIter, PrefetchingIter."""

from __future__ import annotations

from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from ..base import MXNetError
from ..ndarray import NDArray, array

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter", "PrefetchingIter"]


class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """Name, shape, dtype and layout of one input or label of a data iterator.

    It compares equal to the plain ``(name, shape)`` tuple, as MXNet's does.

    Example
    -------
    >>> mx.io.DataDesc('data', (32, 3, 224, 224))
    DataDesc[data,(32, 3, 224, 224),<class 'numpy.float32'>,NCHW]
    """

    def __new__(cls, name: str, shape: tuple, dtype=np.float32, layout: str = "NCHW"):
        ret = super().__new__(cls, name, tuple(shape))
        ret.dtype = dtype
        ret.layout = layout
        return ret

    def __repr__(self) -> str:
        return f"DataDesc[{self.name},{self.shape},{self.dtype},{self.layout}]"

    @staticmethod
    def get_batch_axis(layout: str | None) -> int:
        """The position of ``N`` (the batch axis) in ``layout``; 0 when no layout is given."""
        if layout is None:
            return 0
        return layout.find("N")

    @staticmethod
    def get_list(shapes, types) -> list:
        """``DataDesc`` objects from ``[(name, shape)]`` and optional ``[(name, dtype)]`` lists."""
        if types is not None:
            type_dict = dict(types)
            return [DataDesc(x[0], x[1], type_dict[x[0]]) for x in shapes]
        return [DataDesc(x[0], x[1]) for x in shapes]


class DataBatch:
    """One batch: lists of data and label NDArrays, ``pad`` (padding samples at the end) and ``index``.

    Example
    -------
    >>> batch = mx.io.DataBatch([mx.nd.ones((4, 3))], [mx.nd.zeros((4,))], pad=0)
    >>> print(batch)
    DataBatch: data shapes: [(4, 3)] label shapes: [(4,)]
    """

    def __init__(
        self, data, label=None, pad=None, index=None, bucket_key=None, provide_data=None, provide_label=None
    ) -> None:
        if data is not None and not isinstance(data, (list, tuple)):
            raise MXNetError(f"DataBatch: data must be a list of NDArrays, got {type(data).__name__}")
        if label is not None and not isinstance(label, (list, tuple)):
            raise MXNetError(f"DataBatch: label must be a list of NDArrays, got {type(label).__name__}")
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self) -> str:
        data_shapes = [d.shape for d in self.data]
        label_shapes = [lab.shape for lab in self.label] if self.label else None
        return f"{self.__class__.__name__}: data shapes: {data_shapes} label shapes: {label_shapes}"


class DataIter:
    """Base class of data iterators: ``reset()``, ``next()`` and Python iteration over DataBatches.

    Subclasses implement :meth:`iter_next` and the ``get*`` methods (or override :meth:`next`).

    Example
    -------
    >>> for batch in mx.io.NDArrayIter(np.zeros((10, 3)), batch_size=5):
    ...     print(batch.data[0].shape)
    (5, 3)
    (5, 3)
    """

    def __init__(self, batch_size: int = 0) -> None:
        self.batch_size = batch_size

    def __iter__(self):
        return self

    def reset(self) -> None:
        """Go back to the first batch."""

    def next(self) -> DataBatch:
        """The next batch; ``StopIteration`` at the end of the epoch."""
        if self.iter_next():
            return DataBatch(
                data=self.getdata(), label=self.getlabel(), pad=self.getpad(), index=self.getindex()
            )
        raise StopIteration

    def __next__(self) -> DataBatch:
        return self.next()

    def iter_next(self) -> bool:
        """Move to the next batch; False at the end of the epoch."""
        return False

    def getdata(self) -> list:
        """The data NDArrays of the current batch."""
        return []

    def getlabel(self) -> list:
        """The label NDArrays of the current batch."""
        return []

    def getindex(self):
        """The sample indices of the current batch (None when not tracked)."""
        return None

    def getpad(self) -> int:
        """How many samples at the end of the current batch are padding."""
        return 0


def _as_named_arrays(data, default_name: str, what: str) -> list:
    """Normalise NDArrayIter inputs to ``[(name, NDArray)]`` (dicts sorted by name, as MXNet)."""
    if data is None:
        return []
    if isinstance(data, dict):
        items = sorted(data.items())
    elif (
        isinstance(data, (list, tuple)) and data and not np.isscalar(data[0]) and hasattr(data[0], "__len__")
    ):
        is_array_list = all(isinstance(x, (NDArray, np.ndarray)) for x in data)
        if is_array_list:
            items = (
                [(default_name, data[0])]
                if len(data) == 1
                else [(f"_{i}_{default_name}", x) for i, x in enumerate(data)]
            )
        else:
            items = [(default_name, data)]
    else:
        items = [(default_name, data)]
    out = []
    for name, value in items:
        if not isinstance(value, NDArray):
            try:
                value = array(value)
            except TypeError as err:
                raise MXNetError(f"NDArrayIter: {what} {name!r} cannot become an NDArray: {err}") from None
        out.append((name, value))
    return out


class NDArrayIter(DataIter):
    """Iterate over in-memory arrays (NumPy arrays, NDArrays, lists or dicts of them) in batches.

    Parameters
    ----------
    data, label : array, list of arrays or dict name -> array
        Inputs; all share their first dimension. Dicts are ordered by name.
    batch_size : int
    shuffle : bool
        Shuffle the samples (with NumPy's global random state) at creation and at each reset.
    last_batch_handle : str
        ``'pad'`` fills the last batch with samples from the start (``batch.pad`` says how many),
        ``'discard'`` drops it, ``'roll_over'`` carries the leftover samples into the first batch
        of the next epoch.
    data_name, label_name : str
        Names used for a single (or listed) input and label.

    Example
    -------
    >>> it = mx.io.NDArrayIter(np.arange(10).reshape(5, 2), np.arange(5), batch_size=2)
    >>> [batch.pad for batch in it]
    [0, 0, 1]
    """

    def __init__(
        self,
        data,
        label=None,
        batch_size: int = 1,
        shuffle: bool = False,
        last_batch_handle: str = "pad",
        data_name: str = "data",
        label_name: str = "softmax_label",
        layout: str = "NCHW",
    ) -> None:
        super().__init__(batch_size)
        if last_batch_handle not in ("pad", "discard", "roll_over"):
            raise ValueError(
                f"NDArrayIter: last_batch_handle must be 'pad', 'discard' or 'roll_over', got {last_batch_handle!r}"
            )
        if int(batch_size) <= 0:
            raise MXNetError(f"NDArrayIter: batch_size must be positive, got {batch_size}")
        self.data = _as_named_arrays(data, data_name, "data")
        self.label = _as_named_arrays(label, label_name, "label")
        if not self.data:
            raise MXNetError("NDArrayIter: data is empty")
        sizes = {name: arr.shape[0] if arr.shape else 0 for name, arr in self.data + self.label}
        if len(set(sizes.values())) != 1:
            raise MXNetError(f"NDArrayIter: data and label must have the same first dimension, got {sizes}")
        self.num_data = next(iter(sizes.values()))
        self.num_source = len(self.data)
        self.data_list = [arr for _, arr in self.data] + [arr for _, arr in self.label]
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        self.layout = layout
        self.idx = np.arange(self.num_data)
        self._order = np.arange(self.num_data)  # row of each position in the current epoch
        self._leftover = None  # roll_over: rows not served at the end of the last epoch
        self._rows = None
        self._pad = 0
        self.cursor = -self.batch_size
        if shuffle:
            self._shuffle_data()

    def _shuffle_data(self) -> None:
        # MXNet shuffles its index in place and re-gathers the (already shuffled) data with it
        np.random.shuffle(self.idx)
        self._order = self._order[self.idx]

    @property
    def provide_data(self) -> list:
        return [
            DataDesc(n, (self.batch_size,) + tuple(a.shape[1:]), np.dtype(a.dtype).type, self.layout)
            for n, a in self.data
        ]

    @property
    def provide_label(self) -> list:
        return [
            DataDesc(n, (self.batch_size,) + tuple(a.shape[1:]), np.dtype(a.dtype).type, self.layout)
            for n, a in self.label
        ]

    def hard_reset(self) -> None:
        """Start a new epoch from the first sample, dropping roll-over leftovers."""
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size
        self._leftover = None

    def reset(self) -> None:
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size

    def iter_next(self) -> bool:
        bs, n = self.batch_size, self.num_data
        if self._leftover is not None and self.cursor == -bs:
            take = bs - len(self._leftover)
            self._rows = np.concatenate([self._leftover, self._order[:take]])
            self._pad = len(self._leftover)
            self._leftover = None
            self.cursor = take - bs
            return True
        self.cursor += bs
        start = self.cursor
        if start >= n:
            return False
        if start + bs <= n:
            self._rows, self._pad = self._order[start : start + bs], 0
            return True
        if self.last_batch_handle == "pad":
            self._pad = start + bs - n
            self._rows = np.resize(np.concatenate([self._order[start:], self._order]), bs)
            return True
        if self.last_batch_handle == "roll_over":
            self._leftover = self._order[start:].copy()
        return False

    def _gather(self, arrays) -> list:
        index = torch.from_numpy(self._rows)
        out = []
        for arr in arrays:
            t = arr._tensor
            out.append(NDArray._wrap(t.index_select(0, index.to(t.device)), arr._ctx))
        return out

    def getdata(self) -> list:
        return self._gather(a for _, a in self.data)

    def getlabel(self) -> list:
        return self._gather(a for _, a in self.label)

    def getpad(self) -> int:
        return self._pad

    def getindex(self):
        return None


class ResizeIter(DataIter):
    """Make an iterator's epoch exactly ``size`` batches long, restarting the inner one when needed.

    Example
    -------
    >>> it = mx.io.ResizeIter(mx.io.NDArrayIter(np.zeros((10, 3)), batch_size=4), 5)
    >>> len(list(it))
    5
    """

    def __init__(self, data_iter: DataIter, size: int, reset_internal: bool = True) -> None:
        super().__init__()
        self.data_iter = data_iter
        self.size = size
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label
        self.batch_size = data_iter.batch_size
        if hasattr(data_iter, "default_bucket_key"):
            self.default_bucket_key = data_iter.default_bucket_key

    def reset(self) -> None:
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self) -> bool:
        if self.cur == self.size:
            return False
        try:
            self.current_batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            self.current_batch = self.data_iter.next()
        self.cur += 1
        return True

    def getdata(self) -> list:
        return self.current_batch.data

    def getlabel(self) -> list:
        return self.current_batch.label

    def getindex(self):
        return self.current_batch.index

    def getpad(self) -> int:
        return self.current_batch.pad


class PrefetchingIter(DataIter):
    """Fetch the next batch of one or more iterators in background threads while this one is used.

    The batches of several iterators are joined (their data and label lists concatenated);
    ``rename_data``/``rename_label`` (one dict per iterator) rename their descriptions.

    Example
    -------
    >>> it = mx.io.PrefetchingIter(mx.io.NDArrayIter(np.zeros((10, 3)), batch_size=5))
    >>> [b.data[0].shape for b in it]
    [(5, 3), (5, 3)]
    """

    def __init__(self, iters, rename_data=None, rename_label=None) -> None:
        super().__init__()
        if not isinstance(iters, (list, tuple)):
            iters = [iters]
        if not iters:
            raise MXNetError("PrefetchingIter: needs at least one iterator")
        self.iters = list(iters)
        self.n_iter = len(self.iters)
        self.rename_data = rename_data
        self.rename_label = rename_label
        self.batch_size = self.provide_data[0][1][0]
        self._pool = ThreadPoolExecutor(max_workers=self.n_iter)
        self._pending = None
        self.current_batch = None
        self._prefetch()

    def __del__(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False)

    @staticmethod
    def _renamed(descs, renames):
        if renames is None:
            return [d for desc in descs for d in desc]
        return [
            DataDesc(r.get(d.name, d.name), d.shape, d.dtype, d.layout)
            if isinstance(d, DataDesc)
            else DataDesc(r.get(d[0], d[0]), d[1])
            for r, desc in zip(renames, descs)
            for d in desc
        ]

    @property
    def provide_data(self) -> list:
        return self._renamed([i.provide_data for i in self.iters], self.rename_data)

    @property
    def provide_label(self) -> list:
        return self._renamed([i.provide_label for i in self.iters], self.rename_label)

    @staticmethod
    def _fetch(it):
        try:
            return it.next()
        except StopIteration:
            return None

    def _prefetch(self) -> None:
        self._pending = [self._pool.submit(self._fetch, it) for it in self.iters]

    def reset(self) -> None:
        for fut in self._pending or []:
            fut.result()
        for it in self.iters:
            it.reset()
        self._prefetch()

    def iter_next(self) -> bool:
        batches = [fut.result() for fut in self._pending]
        if any(b is None for b in batches):
            if not all(b is None for b in batches):
                raise MXNetError("PrefetchingIter: the iterators ran out of batches at different times")
            self._pending = [self._pool.submit(lambda: None) for _ in self.iters]
            return False
        for b in batches[1:]:
            if b.pad != batches[0].pad:
                raise MXNetError("PrefetchingIter: the iterators' batches have different padding")
        self.current_batch = DataBatch(
            [d for b in batches for d in b.data],
            [lab for b in batches for lab in (b.label or [])],
            batches[0].pad,
            batches[0].index,
            provide_data=self.provide_data,
            provide_label=self.provide_label,
        )
        self._prefetch()
        return True

    def next(self) -> DataBatch:
        if self.iter_next():
            return self.current_batch
        raise StopIteration

    def getdata(self) -> list:
        return self.current_batch.data

    def getlabel(self) -> list:
        return self.current_batch.label

    def getindex(self):
        return self.current_batch.index

    def getpad(self) -> int:
        return self.current_batch.pad
