"""mx.io.CSVIter: batches of rows of CSV files (MXNet's C++ iterator, in NumPy)."""

from __future__ import annotations

import os

import numpy as np

from ..base import MXNetError
from ..ndarray import array
from .io import DataBatch, DataDesc, DataIter


def _load_csv(path: str, shape: tuple, dtype: str, what: str) -> np.ndarray:
    files = sorted(os.path.join(path, f) for f in os.listdir(path)) if os.path.isdir(path) else [path]
    rows = []
    for name in files:
        try:
            with open(name) as f:
                for lineno, line in enumerate(f, 1):
                    if line.strip():
                        rows.append(np.array(line.strip().split(","), dtype=np.float64))
                        if rows[-1].size != int(np.prod(shape)):
                            raise MXNetError(
                                f'CSVIter: {what} "{name}", line {lineno} has {rows[-1].size} values, '
                                f"the shape {tuple(shape)} needs {int(np.prod(shape))}"
                            )
        except OSError as err:
            raise MXNetError(f'CSVIter: cannot read {what} "{name}": {err.strerror}') from None
        except ValueError as err:
            raise MXNetError(f'CSVIter: {what} "{name}" holds a value that is not a number: {err}') from None
    if not rows:
        raise MXNetError(f'CSVIter: {what} "{path}" holds no rows')
    return np.stack(rows).astype(dtype).reshape((-1,) + tuple(shape))


class CSVIter(DataIter):
    """Iterate over the rows of a CSV file (or every file of a directory), reshaped to ``data_shape``.

    With ``round_batch`` (default) the last batch is completed from the first rows and the next
    epoch starts after them; otherwise its missing rows keep the previous batch's values. ``pad``
    tells how many rows of a batch are not new. Without ``label_csv`` the labels are zeros.

    Example
    -------
    >>> it = mx.io.CSVIter(data_csv='data.csv', data_shape=(3,), batch_size=2)
    >>> it.next().data[0].shape
    (2, 3)
    """

    def __init__(
        self,
        data_csv: str,
        data_shape: tuple,
        batch_size: int,
        label_csv: str | None = None,
        label_shape: tuple = (1,),
        round_batch: bool = True,
        dtype: str = "float32",
        data_name: str = "data",
        label_name: str = "softmax_label",
        **kwargs,
    ) -> None:
        unknown = sorted(set(kwargs) - {"prefetch_buffer", "ctx"})
        if unknown:
            raise MXNetError(f"CSVIter: unknown parameter(s) {unknown}")
        if dtype not in ("float32", "int32", "int64"):
            raise MXNetError(f"CSVIter: dtype must be float32, int32 or int64, got {dtype!r}")
        super().__init__(batch_size)
        self._data = _load_csv(data_csv, tuple(data_shape), dtype, "data_csv")
        n = self._data.shape[0]
        label_shape = tuple(label_shape)
        if label_csv is not None and label_csv != "NULL":
            self._label = _load_csv(label_csv, label_shape, dtype, "label_csv")
            if self._label.shape[0] != n:
                raise MXNetError(f"CSVIter: data_csv has {n} rows but label_csv has {self._label.shape[0]}")
        else:
            self._label = np.zeros((n,) + label_shape, dtype=dtype)
        if label_shape == (1,):
            self._label = self._label.reshape(n)
        self.round_batch = round_batch
        self._buf = np.zeros((batch_size,) + self._data.shape[1:], dtype=dtype)
        self._lbuf = np.zeros((batch_size,) + self._label.shape[1:], dtype=dtype)
        self.provide_data = [DataDesc(data_name, self._buf.shape, np.dtype(dtype).type)]
        self.provide_label = [DataDesc(label_name, self._lbuf.shape, np.dtype(dtype).type)]
        self._pos, self._carry, self._done = 0, None, False

    def reset(self) -> None:
        self._pos = self._carry if self._carry is not None else 0
        self._carry, self._done = None, False

    def next(self) -> DataBatch:
        if self._done:
            raise StopIteration
        n, bs = self._data.shape[0], self.batch_size
        rows = np.arange(self._pos, min(self._pos + bs, n))
        self._pos += rows.size
        missing = bs - rows.size
        self._done = self._pos >= n
        if missing and self.round_batch:
            rows = np.concatenate([rows, np.arange(missing) % n])
            self._carry = min(missing, n)
        self._buf[: rows.size] = self._data[rows]
        self._lbuf[: rows.size] = self._label[rows]
        return DataBatch(
            [array(self._buf, dtype=self._buf.dtype)],
            [array(self._lbuf, dtype=self._lbuf.dtype)],
            pad=missing,
        )

    def iter_next(self) -> bool:
        return not self._done
