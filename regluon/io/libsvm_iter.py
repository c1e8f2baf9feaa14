"""mx.io.LibSVMIter: batches of rows of LibSVM-format text files (MXNet's C++ iterator, in NumPy).

MXNet returns the data (and a ``label_libsvm`` label) as CSR NDArrays; regluon keeps arrays
dense, so the batches here are dense NDArrays holding the same values (absent entries are 0).
"""

from __future__ import annotations

import math
import os

import numpy as np

from ..base import MXNetError
from .csv_iter import CSVIter
from .io import DataDesc, DataIter


def _read_part(path: str, num_parts: int, part_index: int, what: str) -> list[tuple[str, int, bytes]]:
    """The lines (file, line number, text) of part ``part_index`` of ``num_parts``: the bytes of
    all files are cut into equal spans, each part starting at the first line that begins after its
    span's first byte (the first part at byte 0), as MXNet's input splitter does."""
    files = sorted(os.path.join(path, f) for f in os.listdir(path)) if os.path.isdir(path) else [path]
    lines, offset = [], 0
    for name in files:
        try:
            with open(name, "rb") as f:
                blob = f.read()
        except OSError as err:
            raise MXNetError(f'LibSVMIter: cannot read {what} "{name}": {err.strerror}') from None
        for lineno, text in enumerate(blob.splitlines(keepends=True), 1):
            lines.append((name, lineno, offset, text))
            offset += len(text)
    step = math.ceil(offset / num_parts)
    lo, hi = min(step * part_index, offset), min(step * (part_index + 1), offset)

    def first(at: int) -> int:
        return 0 if at == 0 else next((i for i, line in enumerate(lines) if line[2] > at), len(lines))

    return [(n, k, t) for n, k, _, t in lines[first(lo) : first(hi)] if t.strip()]


def _parse(lines: list, width: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Dense rows (n, width) float32 and the leading label of each line."""
    rows = np.zeros((len(lines), width), dtype=np.float32)
    labels = np.zeros(len(lines), dtype=np.float32)
    for r, (name, lineno, text) in enumerate(lines):
        head, *pairs = text.split()
        try:
            labels[r] = float(head)
            for pair in pairs:
                index, value = pair.split(b":")
                col = int(index)
                if not 0 <= col < width:
                    raise MXNetError(
                        f'LibSVMIter: {what} "{name}", line {lineno}: feature index {col} is out of the '
                        f"shape ({width},) (indices are zero-based)"
                    )
                rows[r, col] = float(value)
        except ValueError:
            raise MXNetError(
                f'LibSVMIter: {what} "{name}", line {lineno} is not "label index:value ...": {text.strip()!r}'
            ) from None
    return rows, labels


class LibSVMIter(CSVIter):
    """Iterate over a LibSVM file (zero-based, sorted feature indices) in batches.

    Each line is ``label index:value index:value ...``; a row of data is ``data_shape`` (one
    dimension) wide. Labels come from the first column, or, with ``label_libsvm``, from the
    ``index:value`` pairs of that file (``label_shape`` wide). As in MXNet, the last batch is
    completed from the first rows (``pad`` tells how many) and the next epoch starts after them;
    ``num_parts`` / ``part_index`` read one part of the file(s), cut by bytes at line starts.
    MXNet returns CSR arrays; these batches are dense NDArrays with the same values.

    Example
    -------
    >>> it = mx.io.LibSVMIter(data_libsvm='data.t', data_shape=(3,), batch_size=3)
    >>> it.next().data[0].asnumpy()      # dense, where MXNet gives a CSRNDArray
    """

    def __init__(
        self,
        data_libsvm: str,
        data_shape: tuple,
        batch_size: int,
        label_libsvm: str | None = None,
        label_shape: tuple = (1,),
        num_parts: int = 1,
        part_index: int = 0,
        round_batch: bool = True,
        data_name: str = "data",
        label_name: str = "softmax_label",
        **kwargs,
    ) -> None:
        unknown = sorted(set(kwargs) - {"prefetch_buffer", "ctx", "dtype"})
        if unknown:
            raise MXNetError(f"LibSVMIter: unknown parameter(s) {unknown}")
        if not round_batch:
            raise MXNetError("LibSVMIter: sparse batch loader doesn't support round_batch == false yet")
        data_shape, label_shape = tuple(data_shape), tuple(label_shape)
        if len(data_shape) != 1 or len(label_shape) != 1:
            raise MXNetError(
                f"LibSVMIter: data_shape and label_shape must have one dimension, got {data_shape} and {label_shape}"
            )
        if not 0 <= part_index < num_parts:
            raise MXNetError(f"LibSVMIter: part_index {part_index} is not in [0, num_parts={num_parts})")
        DataIter.__init__(self, batch_size)
        data, labels = _parse(
            _read_part(data_libsvm, num_parts, part_index, "data_libsvm"), data_shape[0], "data"
        )
        if label_libsvm is not None and label_libsvm != "NULL":
            lines = _read_part(label_libsvm, num_parts, part_index, "label_libsvm")
            labels = _parse(lines, label_shape[0], "label")[0]
            if labels.shape[0] != data.shape[0]:
                raise MXNetError(
                    f"LibSVMIter: data_libsvm has {data.shape[0]} rows but label_libsvm has {labels.shape[0]}"
                )
        if data.shape[0] < batch_size:
            raise MXNetError(
                f"LibSVMIter: number of input must be bigger than batch size ({data.shape[0]} rows, "
                f"batch_size {batch_size})"
            )
        self._data, self._label, self.round_batch = data, labels, True
        self._buf = np.zeros((batch_size,) + data.shape[1:], dtype=np.float32)
        self._lbuf = np.zeros((batch_size,) + labels.shape[1:], dtype=np.float32)
        self.provide_data = [DataDesc(data_name, self._buf.shape, np.float32)]
        self.provide_label = [DataDesc(label_name, self._lbuf.shape, np.float32)]
        self._pos, self._carry, self._done = 0, None, False
