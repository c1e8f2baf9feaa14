"""``mx.lr_scheduler``: learning rate as a function of the number of updates done so far.

An optimizer created with ``lr_scheduler=...`` asks its scheduler for the rate before every
update, passing ``num_update`` (the largest number of updates applied to any weight). The
schedulers keep state as MXNet's do: ``FactorScheduler`` and ``MultiFactorScheduler`` lower
``base_lr`` in place as ``num_update`` grows and never raise it again when it falls back, and
``PolyScheduler`` / ``CosineScheduler`` leave the last rate in ``base_lr`` once ``max_update``
is passed.
"""

from __future__ import annotations

import logging
import math

__all__ = ["LRScheduler", "FactorScheduler", "MultiFactorScheduler", "PolyScheduler", "CosineScheduler"]


class LRScheduler:
    """Base class of learning rate schedulers, with an optional warm-up phase.

    During the first ``warmup_steps`` updates the rate rises linearly from ``warmup_begin_lr``
    to ``base_lr`` (``warmup_mode='linear'``) or stays at ``warmup_begin_lr`` (``'constant'``).

    Parameters
    ----------
    base_lr : float
        The learning rate after warm-up (an optimizer overwrites it with its own ``learning_rate``).
    warmup_steps : int
        Number of warm-up updates (0: no warm-up).
    warmup_begin_lr : float
        The rate warm-up starts from; at most ``base_lr``.
    warmup_mode : str
        ``'linear'`` or ``'constant'``.

    Example:
        >>> class Halving(mx.lr_scheduler.LRScheduler):
        ...     def __call__(self, num_update):
        ...         return self.base_lr / 2 ** (num_update // 10)
        >>> Halving(base_lr=1.0)(25)
        0.25
    """

    def __init__(
        self,
        base_lr: float = 0.01,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ):
        if not isinstance(warmup_steps, int):
            raise AssertionError(f"warmup_steps must be an int, got {type(warmup_steps).__name__}")
        if warmup_begin_lr > base_lr:
            raise ValueError("Base lr has to be higher than warmup_begin_lr")
        if warmup_steps < 0:
            raise ValueError("Warmup steps has to be positive or 0")
        if warmup_mode not in ("linear", "constant"):
            raise ValueError("Supports only linear and constant modes of warmup")
        self.base_lr = base_lr
        self.warmup_steps = warmup_steps
        self.warmup_final_lr = base_lr
        self.warmup_begin_lr = warmup_begin_lr
        self.warmup_mode = warmup_mode

    def get_warmup_lr(self, num_update: int) -> float:
        """The warm-up rate for an update number below ``warmup_steps``."""
        if num_update >= self.warmup_steps:
            raise AssertionError(f"update {num_update} is past the {self.warmup_steps} warm-up steps")
        if self.warmup_mode == "constant":
            return self.warmup_begin_lr
        if self.warmup_mode != "linear":
            raise ValueError(f"Invalid warmup mode {self.warmup_mode}")
        span = self.warmup_final_lr - self.warmup_begin_lr
        return self.warmup_begin_lr + span * float(num_update) / float(self.warmup_steps)

    def __call__(self, num_update: int) -> float:
        """The learning rate for update number ``num_update``."""
        raise NotImplementedError("must override this")


def _check_factor(factor: float) -> None:
    if factor > 1.0:
        raise ValueError("Factor must be no more than 1 to make lr reduce")


class FactorScheduler(LRScheduler):
    """Multiply the rate by ``factor`` every ``step`` updates, never going below ``stop_factor_lr``.

    The rate for update ``n`` (after warm-up) is ``base_lr * factor ** ((n - 1) // step)``: the
    first change happens at update ``step + 1``. The reduced rate is stored in ``base_lr``.

    Parameters
    ----------
    step : int
        Updates between two reductions (at least 1).
    factor : float
        The multiplier, at most 1.
    stop_factor_lr : float
        The rate stops falling at this value.

    Example:
        >>> s = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
        >>> [s(n) for n in range(1, 7)]
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(
        self,
        step: int,
        factor: float = 1,
        stop_factor_lr: float = 1e-8,
        base_lr: float = 0.01,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if step < 1:
            raise ValueError("Schedule step must be greater or equal than 1 round")
        _check_factor(factor)
        self.step = step
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.count = 0

    def __call__(self, num_update: int) -> float:
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while num_update > self.count + self.step:
            self.count += self.step
            self.base_lr *= self.factor
            if self.base_lr < self.stop_factor_lr:
                self.base_lr = self.stop_factor_lr
                logging.info(
                    "Update[%d]: now learning rate arrived at %0.5e, will not change in the future",
                    num_update,
                    self.base_lr,
                )
            else:
                logging.info("Update[%d]: Change learning rate to %0.5e", num_update, self.base_lr)
        return self.base_lr


class MultiFactorScheduler(LRScheduler):
    """Multiply the rate by ``factor`` each time ``num_update`` passes one of the listed steps.

    Parameters
    ----------
    step : list of int
        Strictly increasing update numbers; the rate drops once an update number exceeds each.
    factor : float
        The multiplier, at most 1.

    Example:
        >>> s = mx.lr_scheduler.MultiFactorScheduler(step=[2, 4], factor=0.1, base_lr=1.0)
        >>> [round(s(n), 6) for n in range(1, 6)]
        [1.0, 1.0, 0.1, 0.1, 0.01]
    """

    def __init__(
        self,
        step: list,
        factor: float = 1,
        base_lr: float = 0.01,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(step, list) or len(step) < 1:
            raise AssertionError(f"step must be a non-empty list of update numbers, got {step!r}")
        for i, s in enumerate(step):
            if i and s <= step[i - 1]:
                raise ValueError("Schedule step must be an increasing integer list")
            if s < 1:
                raise ValueError("Schedule step must be greater or equal than 1 round")
        _check_factor(factor)
        self.step = step
        self.cur_step_ind = 0
        self.factor = factor
        self.count = 0

    def __call__(self, num_update: int) -> float:
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while self.cur_step_ind < len(self.step) and num_update > self.step[self.cur_step_ind]:
            self.count = self.step[self.cur_step_ind]
            self.cur_step_ind += 1
            self.base_lr *= self.factor
            logging.info("Update[%d]: Change learning rate to %0.5e", num_update, self.base_lr)
        return self.base_lr


class _DecayToFinal(LRScheduler):
    """Shared part of the schedulers that decay from ``base_lr`` to ``final_lr`` over ``max_update``."""

    def __init__(self, max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr, warmup_mode):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(max_update, int):
            raise AssertionError(f"max_update must be an int, got {type(max_update).__name__}")
        if max_update < 1:
            raise ValueError("maximum number of updates must be strictly positive")
        self.base_lr_orig = self.base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = max_update - warmup_steps

    def _decay(self, done: int) -> float:
        """The fraction of ``base_lr_orig - final_lr`` left after ``done`` of ``max_steps`` updates."""
        raise NotImplementedError

    def __call__(self, num_update: int) -> float:
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        if num_update <= self.max_update:
            done = num_update - self.warmup_steps
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * self._decay(done)
        return self.base_lr


class PolyScheduler(_DecayToFinal):
    """Polynomial decay: ``final_lr + (base_lr - final_lr) * (1 - t / T) ** pwr``.

    ``t`` counts updates after warm-up and ``T = max_update - warmup_steps``; after
    ``max_update`` the rate stays where it ended.

    Example:
        >>> s = mx.lr_scheduler.PolyScheduler(max_update=4, base_lr=1.0, pwr=2)
        >>> [s(n) for n in range(0, 6)]
        [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    def __init__(
        self,
        max_update: int,
        base_lr: float = 0.01,
        pwr: float = 2,
        final_lr: float = 0,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ):
        self.power = pwr
        super().__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr, warmup_mode)

    def _decay(self, done: int) -> float:
        return pow(1 - float(done) / float(self.max_steps), self.power)


class CosineScheduler(_DecayToFinal):
    """Cosine decay: ``final_lr + (base_lr - final_lr) * (1 + cos(pi * t / T)) / 2``.

    ``t`` counts updates after warm-up and ``T = max_update - warmup_steps``; after
    ``max_update`` the rate stays at ``final_lr``.

    Example:
        >>> s = mx.lr_scheduler.CosineScheduler(max_update=2, base_lr=1.0, final_lr=0.2)
        >>> [round(s(n), 6) for n in range(0, 4)]
        [1.0, 0.6, 0.2, 0.2]
    """

    def __init__(
        self,
        max_update: int,
        base_lr: float = 0.01,
        final_lr: float = 0,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ):
        super().__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr, warmup_mode)

    def _decay(self, done: int) -> float:
        return (1 + math.cos(math.pi * done / self.max_steps)) / 2
