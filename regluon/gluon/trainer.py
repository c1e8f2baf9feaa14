"""gluon.Trainer: applies an Optimizer to a set of Parameters."""

from __future__ import annotations

from typing import Any

from .. import optimizer as opt
from ..base import MXNetError
from .parameter import Parameter, ParameterDict


class StaleGradientError(MXNetError, UserWarning):
    """A Parameter's gradient was not refreshed by ``backward`` since the last ``step``.

    It is both an ``MXNetError`` and, as MXNet raises it, a ``UserWarning``.
    """


class Trainer:
    """Updates a set of Parameters with an Optimizer after each ``backward``.

    Parameters
    ----------
    params : ParameterDict or list of Parameter
        What to update, usually ``net.collect_params()``.
    optimizer : str or Optimizer
        An optimizer name such as ``'sgd'`` or an Optimizer instance.
    optimizer_params : dict, optional
        Keyword arguments for the optimizer, e.g. ``{'learning_rate': 0.03}``.
    kvstore : str or None, default 'device'
        How gradients of a Parameter held on several Contexts are combined (summed) before the
        update; on one Context nothing is needed.
    update_on_kvstore : bool, optional
        Accepted for compatibility; updates always run locally.

    Example:
        >>> trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.03})
        >>> with autograd.record():
        ...     l = loss(net(X), y)
        >>> l.backward()
        >>> trainer.step(batch_size)
    """

    def __init__(
        self,
        params: ParameterDict | list | dict,
        optimizer: str | opt.Optimizer,
        optimizer_params: dict | None = None,
        kvstore: Any = "device",
        compression_params: Any = None,
        update_on_kvstore: bool | None = None,
    ):
        if isinstance(params, (dict, ParameterDict)):
            params = [params[k] for k in sorted(params.keys())]
        if not isinstance(params, (list, tuple)):
            raise ValueError(f"First argument must be a list or dict of Parameters, got {type(params)}.")
        self._params: list[Parameter] = []
        self._param2idx: dict[str, int] = {}
        for i, param in enumerate(params):
            if not isinstance(param, Parameter):
                raise ValueError(
                    f"First argument must be a list or dict of Parameters, got list of {type(param)}."
                )
            if param.name in self._param2idx:
                raise ValueError(f"Parameter {param.name} appears twice in the list given to Trainer")
            self._param2idx[param.name] = i
            self._params.append(param)
        self._compression_params = compression_params
        self._kvstore_type = kvstore
        self._update_on_kvstore = update_on_kvstore
        self._scale = float((optimizer_params or {}).get("rescale_grad", 1.0))
        self._init_optimizer(optimizer, dict(optimizer_params or {}))

    def _init_optimizer(self, optimizer, optimizer_params: dict) -> None:
        param_dict = dict(enumerate(self._params))
        if isinstance(optimizer, opt.Optimizer):
            if optimizer_params:
                raise ValueError(
                    "optimizer_params must be None if optimizer is an instance of Optimizer instead of str"
                )
            self._optimizer = optimizer
            self._optimizer.param_dict = param_dict
        else:
            self._optimizer = opt.create(optimizer, param_dict=param_dict, **optimizer_params)
        self._updaters = None

    def _contexts(self) -> list:
        ctxs = None
        for p in self._params:
            c = p.list_ctx()
            if ctxs is not None and c != ctxs:
                raise MXNetError(
                    f"All Parameters must be initialized on the same set of contexts, but Parameter "
                    f"{p.name} is on {c} while previous ones are on {ctxs}."
                )
            ctxs = c
        return ctxs or []

    @property
    def learning_rate(self) -> float:
        """The optimizer's current learning rate."""
        return self._optimizer.learning_rate

    @property
    def optimizer(self) -> opt.Optimizer:
        return self._optimizer

    def set_learning_rate(self, lr: float) -> None:
        """Set the optimizer's learning rate."""
        self._optimizer.set_learning_rate(lr)

    def step(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """Update every Parameter once from its gradient; call it after ``backward()``,
        outside ``autograd.record()``.

        ``backward()`` leaves in each gradient the *sum* over the samples of the batch, so the
        optimizer multiplies gradients by ``1/batch_size`` (the gradient is normalized by
        `1/batch_size`) to step along the batch mean. If your loss is already a mean
        (``loss(...).mean()``), pass ``batch_size=1``.

        ``step()`` is ``allreduce_grads()`` followed by ``update()``; call those two yourself
        when the summed gradients need changing in between (gradient clipping, for instance).

        Parameters
        ----------
        batch_size : int
            Number of samples the gradients were summed over; they are scaled by 1/batch_size.
        ignore_stale_grad : bool, default False
            Skip Parameters whose gradient ``backward`` did not refresh since the last step,
            instead of raising an error.
        """
        self._set_rescale(batch_size)
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self) -> None:
        """Sum the gradients of each Parameter over its Contexts (each copy gets the sum)."""
        self._allreduce_grads()

    def update(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """Update the Parameters from their (already reduced) gradients, normalised by ``1/batch_size``."""
        self._set_rescale(batch_size)
        self._update(ignore_stale_grad)

    def _set_rescale(self, batch_size) -> None:
        if not isinstance(batch_size, (int, float)) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"Trainer.step: batch_size must be a positive number, got {batch_size!r}")
        self._optimizer.rescale_grad = self._scale / batch_size

    def _allreduce_grads(self) -> None:
        if self._updaters is None:
            ctxs = self._contexts()
            self._updaters = [opt.get_updater(self._optimizer) for _ in ctxs]
        if len(self._updaters) <= 1:
            return
        for p in self._params:
            if p.grad_req == "null":
                continue
            grads = p.list_grad()
            total = grads[0].copy()
            for g in grads[1:]:
                total += g.as_in_context(total.context)
            for g in grads:
                total.copyto(g)

    def _update(self, ignore_stale_grad: bool = False) -> None:
        if self._updaters is None:
            self._allreduce_grads()
        updates: list[list] = [[] for _ in self._updaters]
        for i, param in enumerate(self._params):
            if param.grad_req == "null":
                continue
            datas, grads = param._data, param._grad
            if datas is None or grads is None:
                datas, grads = param.list_data(), param.list_grad()  # raises the right error
            if not ignore_stale_grad:
                for data in datas:
                    if not data._fresh_grad:
                        raise StaleGradientError(
                            f"Gradient of Parameter `{param.name}` on context {data.context} has not been updated "
                            "by backward since last `step`. This could mean a bug in your model that made it only "
                            "use a subset of the Parameters (Blocks) for this iteration. If you are intentionally "
                            "only using a subset, call step with ignore_stale_grad=True to suppress this warning "
                            "and skip updating of Parameters with stale gradient"
                        )
            for upd, data, grad in zip(updates, datas, grads):
                if not ignore_stale_grad or data._fresh_grad:
                    upd.append((i, grad, data))
                    data._fresh_grad = False
        for updater, upd in zip(self._updaters, updates):
            if upd:
                idx, grads, weights = zip(*upd)
                updater(list(idx), list(grads), list(weights))
