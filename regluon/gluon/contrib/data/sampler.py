"""``gluon.contrib.data.sampler``: IntervalSampler."""

from __future__ import annotations

from ...data.sampler import Sampler


class IntervalSampler(Sampler):
    """Visit ``range(length)`` in strides of ``interval``: ``0, interval, 2*interval, ...``; with
    ``rollover`` the pass continues from ``1``, then ``2``, ... until every index was visited once
    (e.g. to read several sequences of one long corpus side by side).

    Parameters
    ----------
    length : int
        Number of indices.
    interval : int
        Step between consecutive indices; from 1 to ``length``.
    rollover : bool, default True
        Go on from the skipped indices; without it the pass stops after the first stride. As in
        MXNet, ``len()`` is ``length`` either way.

    Example:
        >>> from mxnet.gluon.contrib.data import IntervalSampler
        >>> list(IntervalSampler(7, 3))
        [0, 3, 6, 1, 4, 2, 5]
        >>> list(IntervalSampler(7, 3, rollover=False))
        [0, 3, 6]
    """

    def __init__(self, length: int, interval: int, rollover: bool = True):
        if not interval <= length:
            raise AssertionError(f"Interval {interval} must be smaller than or equal to length {length}")
        if interval < 1:  # MXNet yields nothing (or fails with range()'s error when iterated)
            raise ValueError(f"IntervalSampler: interval must be a positive integer, got {interval}")
        self._length = length
        self._interval = interval
        self._rollover = rollover

    def __iter__(self):
        for start in range(self._interval if self._rollover else 1):
            yield from range(start, self._length, self._interval)

    def __len__(self) -> int:
        return self._length


__all__ = ["IntervalSampler"]
