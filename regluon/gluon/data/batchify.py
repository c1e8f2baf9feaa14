"""``gluon.data.batchify``: composable functions that turn a list of samples into a batch.

MXNet 1.9.1 has no such module; these follow the helpers GluonNLP code imports
(``gluonnlp.data.batchify``) and MXNet 2's ``gluon.data.batchify``: ``Stack``, ``Pad``,
``Append``, ``Tuple`` (``Group`` in MXNet 2), ``List`` (``AsList``), ``Dict`` and ``NamedTuple``.

Example:
    >>> from mxnet.gluon.data import batchify
    >>> fn = batchify.Tuple(batchify.Pad(pad_val=0, ret_length=True), batchify.Stack())
    >>> (tokens, lengths), labels = fn([([1, 2, 3], 0), ([4], 1)])
    >>> tokens.shape, lengths.asnumpy().tolist()
    ((2, 3), [3, 1])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ... import ndarray as nd
from ...ndarray import NDArray

__all__ = ["Stack", "Pad", "Append", "Tuple", "Group", "List", "AsList", "Dict", "NamedTuple"]


def _as_numpy(x) -> np.ndarray:
    return x.asnumpy() if isinstance(x, NDArray) else np.asarray(x)


class Stack:
    """Stack samples of one shape along a new first axis.

    Parameters
    ----------
    dtype : str or numpy dtype, optional
        The batch's dtype (default: the samples' own).

    Example:
        >>> batchify.Stack()([[1, 2], [3, 4]]).shape
        (2, 2)
    """

    def __init__(self, dtype: str | np.dtype | None = None):
        self._dtype = dtype

    def __call__(self, data: Sequence) -> NDArray:
        if isinstance(data[0], NDArray):
            out = nd.stack(*data)
            return out if self._dtype is None else out.astype(self._dtype)
        try:
            arr = np.asarray(data, dtype=self._dtype)
        except ValueError as e:
            shapes = sorted({np.shape(x) for x in data})
            raise ValueError(f"batchify.Stack: samples of different shapes {shapes} cannot be stacked") from e
        return nd.array(arr, dtype=arr.dtype)


class Pad:
    """Pad samples to the longest along ``axis`` with ``pad_val`` and stack them.

    Parameters
    ----------
    axis : int, default 0
        The axis (of each sample) that varies in length.
    pad_val : number, default 0
    ret_length : bool, default False
        Also return the original lengths (int32 NDArray).
    dtype : str or numpy dtype, optional
        The batch's dtype (default: the first sample's).
    round_to : int, optional
        Round the padded length up to a multiple of this.

    Example:
        >>> batchify.Pad(pad_val=-1)([[1, 2, 3], [4]]).asnumpy().tolist()
        [[1, 2, 3], [4, -1, -1]]
    """

    def __init__(
        self,
        axis: int = 0,
        pad_val: float | None = None,
        ret_length: bool = False,
        dtype: str | np.dtype | None = None,
        round_to: int | None = None,
    ):
        if not isinstance(axis, int):
            raise ValueError(f"batchify.Pad: axis must be an int, got {axis!r}")
        self._axis, self._ret_length, self._dtype, self._round_to = axis, ret_length, dtype, round_to
        self._pad_val = 0 if pad_val is None else pad_val

    def __call__(self, data: Sequence) -> NDArray | tuple[NDArray, NDArray]:
        arrs = [_as_numpy(x) for x in data]
        ndim = arrs[0].ndim
        if any(a.ndim != ndim for a in arrs) or not -ndim <= self._axis < ndim:
            raise ValueError(
                f"batchify.Pad: axis={self._axis} with samples of shapes {[a.shape for a in arrs]}: "
                "samples need the same number of dimensions, and axis must be one of them"
            )
        axis = self._axis % ndim
        lengths = [a.shape[axis] for a in arrs]
        longest = max(lengths)
        if self._round_to:
            longest = -(-longest // self._round_to) * self._round_to
        shape = list(arrs[0].shape)
        shape[axis] = longest
        dtype = self._dtype if self._dtype is not None else arrs[0].dtype
        out = np.full((len(arrs), *shape), self._pad_val, dtype=dtype)
        for i, a in enumerate(arrs):
            if a.shape[:axis] + a.shape[axis + 1 :] != tuple(shape[:axis] + shape[axis + 1 :]):
                raise ValueError(
                    f"batchify.Pad: sample {i} has shape {a.shape}, which differs from {arrs[0].shape} "
                    f"outside the padded axis {axis}"
                )
            index = (i,) + (slice(None),) * axis + (slice(0, a.shape[axis]),)
            out[index] = a
        padded = nd.array(out, dtype=out.dtype)
        if self._ret_length:
            return padded, nd.array(np.asarray(lengths, dtype=np.int32), dtype="int32")
        return padded


class Append:
    """Keep each sample as its own NDArray: a list, optionally with a new leading axis.

    Example:
        >>> [x.shape for x in batchify.Append()([[1, 2], [3]])]
        [(1, 2), (1, 1)]
    """

    def __init__(self, expand: bool = True, batch_axis: int = 0):
        self._expand, self._batch_axis = expand, batch_axis

    def __call__(self, data: Sequence) -> list[NDArray]:
        out = []
        for x in data:
            a = x if isinstance(x, NDArray) else nd.array(np.asarray(x), dtype=np.asarray(x).dtype)
            out.append(a.expand_dims(self._batch_axis) if self._expand else a)
        return out


class Tuple:
    """Batchify each field of tuple samples with its own function; returns a tuple.

    ``Tuple(f1, f2)`` and ``Tuple([f1, f2])`` are the same.

    Example:
        >>> x, y = batchify.Tuple(batchify.Stack(), batchify.Stack())([(1, 2), (3, 4)])
        >>> y.asnumpy().tolist()
        [2, 4]
    """

    def __init__(self, fn: Callable | Sequence[Callable], *args: Callable):
        if isinstance(fn, (list, tuple)):
            if args:
                raise ValueError("batchify.Tuple: give the functions either as one list or as arguments")
            self._fn = tuple(fn)
        else:
            self._fn = (fn, *args)
        for i, f in enumerate(self._fn):
            if not callable(f):
                raise ValueError(f"batchify.Tuple: function {i} is not callable: {f!r}")

    def __call__(self, data: Sequence) -> tuple:
        n = len(self._fn)
        for sample in data:
            if len(sample) != n:
                raise ValueError(
                    f"batchify.Tuple: it has {n} functions, but a sample has {len(sample)} fields"
                )
        return tuple(f([sample[i] for sample in data]) for i, f in enumerate(self._fn))


Group = Tuple


class List:
    """The samples as a plain Python list.

    Example:
        >>> batchify.List()([1, 2])
        [1, 2]
    """

    def __call__(self, data: Sequence) -> list:
        return list(data)


AsList = List


class Dict:
    """Batchify dict samples key by key, each with its function; returns a dict.

    Example:
        >>> batchify.Dict({'x': batchify.Stack()})([{'x': 1}, {'x': 2}])['x'].shape
        (2,)
    """

    def __init__(self, fn_dict: dict[Any, Callable]):
        self._fn_dict = dict(fn_dict)

    def __call__(self, data: Sequence[dict]) -> dict:
        return {k: f([sample[k] for sample in data]) for k, f in self._fn_dict.items()}


class NamedTuple:
    """Batchify namedtuple samples field by field; returns the same namedtuple type.

    ``fn_info`` is a dict from field name to function, or one function per field in order.
    """

    def __init__(self, container: type, fn_info: dict | Sequence[Callable]):
        self._container = container
        fields = container._fields
        if isinstance(fn_info, dict):
            if set(fn_info) != set(fields):
                raise ValueError(f"batchify.NamedTuple: fields {fields} but functions for {tuple(fn_info)}")
            self._fns = tuple(fn_info[f] for f in fields)
        else:
            if len(fn_info) != len(fields):
                raise ValueError(f"batchify.NamedTuple: {len(fields)} fields but {len(fn_info)} functions")
            self._fns = tuple(fn_info)

    def __call__(self, data: Sequence) -> Any:
        return self._container(*(f([s[i] for s in data]) for i, f in enumerate(self._fns)))
