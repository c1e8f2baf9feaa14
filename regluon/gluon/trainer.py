"""gluon.Trainer: applies an Optimizer to a set of Parameters, as MXNet 1.9.1's Trainer does."""

from __future__ import annotations

import os
import re
import warnings
from typing import Any

import numpy as np
import torch

from .. import optimizer as opt
from ..base import MXNetError
from ..optimizer.updater import read_states
from .parameter import Parameter, ParameterDict

_KV_UPDATE_ONLY = (
    "{}() when parameters are updated on kvstore is not supported. Try setting `update_on_kvstore` "
    "to False when creating trainer."
)


class StaleGradientError(MXNetError, UserWarning):
    """A Parameter's gradient was not refreshed by ``backward`` since the last ``step``.

    It is both an ``MXNetError`` and, as MXNet raises it, a ``UserWarning``.
    """


class _OptimizerParamsError(AssertionError, ValueError):
    """MXNet asserts; a ValueError is what the mistake is, so it is both."""


class Trainer:
    """Updates a set of Parameters with an Optimizer after each ``backward``.

    Parameters
    ----------
    params : ParameterDict or list of Parameter
        What to update, usually ``net.collect_params()`` (a dict is taken in sorted key order, as
        MXNet does; the position is the index the optimizer sees).
    optimizer : str or Optimizer
        An optimizer name such as ``'sgd'`` (case-insensitive) or an Optimizer instance.
    optimizer_params : dict, optional
        Keyword arguments for the optimizer, e.g. ``{'learning_rate': 0.03}``; must be empty when
        ``optimizer`` is an instance.
    kvstore : str or None, default 'device'
        How the gradients of a Parameter held on several Contexts are combined: ``'device'`` or
        ``'local'`` sum them (every copy then takes the same update); ``None`` leaves each copy
        with its own gradient. On one Context nothing is needed. Distributed stores are not
        available (one machine).
    compression_params : dict, optional
        Accepted for compatibility; gradients are not compressed on one machine.
    update_on_kvstore : bool, optional
        With several Contexts and a kvstore, the update is done once and copied to every Context
        (MXNet's default, also what ``MXNET_UPDATE_ON_KVSTORE=1`` means); then ``allreduce_grads``
        and ``update`` cannot be called separately. ``False`` updates each copy. With a row-sparse
        gradient (and a dense weight) the default is ``False``.

    Row-sparse weights (``Parameter(stype='row_sparse')``, e.g. ``contrib.nn.SparseEmbedding``) live
    in the kvstore, as in MXNet: a kvstore is required (not ``None``), the update is always done
    there (``update_on_kvstore=False`` is refused), and the Parameter's own arrays hold only the rows
    fetched by its ``row_sparse_data(row_id)``; they do not change at ``step`` until fetched again.

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
        compression_params: dict | None = None,
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
            self._param2idx[param.name] = i
            self._params.append(param)
            param._set_trainer(self)
        self._contains_sparse_weight = any(p._stype != "default" for p in self._params)
        self._contains_sparse_grad = any(p._grad_stype != "default" for p in self._params)
        if kvstore is not None and not isinstance(kvstore, str):
            raise TypeError("kvstore must be KVStore, str or None")
        if isinstance(kvstore, str) and "dist" in kvstore:
            raise MXNetError(
                f"Trainer: kvstore '{kvstore}' needs a distributed cluster; use 'device' or 'local'"
            )
        self._compression_params = compression_params
        self._kvstore_params = {"kvstore": kvstore, "update_on_kvstore": update_on_kvstore}
        self._init_optimizer(optimizer, dict(optimizer_params or {}))
        self._scale = self._optimizer.rescale_grad
        self._updaters: list | None = None
        self._kvstore: str | None = None
        self._update_on_kvstore: bool | None = None
        self._kv_weights: dict = {}  # index -> the kvstore's copy of a row-sparse weight

    def _init_optimizer(self, optimizer, optimizer_params: dict) -> None:
        param_dict = dict(enumerate(self._params))
        if isinstance(optimizer, opt.Optimizer):
            if optimizer_params:
                raise _OptimizerParamsError(
                    "optimizer_params must be None if optimizer is an instance of Optimizer instead of str"
                )
            self._optimizer = optimizer
            self._optimizer.param_dict = param_dict
        else:
            self._optimizer = opt.create(optimizer, param_dict=param_dict, **optimizer_params)

    def _contexts(self) -> list:
        ctxs = None
        for p in self._params:
            c = p.list_ctx()
            if ctxs is not None and c != ctxs:
                raise MXNetError(
                    f"All Parameters must be initialized on the same set of contexts, but Parameter {p.name} "
                    f"is initialized on {c} while previous Parameters are initialized on {ctxs}."
                )
            ctxs = c
        return ctxs or []

    def _init_kvstore(self) -> None:
        """Decide, once the Contexts are known, whether gradients are summed and where updates run."""
        ctxs = self._contexts()
        kind, on_kv = self._kvstore_params["kvstore"], self._kvstore_params["update_on_kvstore"]
        if self._contains_sparse_weight:
            _sparse_weight_kvstore(kind, on_kv)
            self._kvstore, self._update_on_kvstore = kind, True
        else:
            self._kvstore = kind if kind is not None and len(ctxs) > 1 else None
        if self._kvstore is None:
            self._update_on_kvstore = None
        elif self._contains_sparse_grad and not self._contains_sparse_weight:
            self._update_on_kvstore = False if on_kv is None else bool(on_kv)
        elif not self._contains_sparse_weight:
            default = bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))
            if kind == "local" and max(int(np.prod(p.shape)) for p in self._params) > 1024 * 1024 * 16:
                default = False
            self._update_on_kvstore = default if on_kv is None else bool(on_kv)
        self._kv_weights = {}
        self._updaters = [opt.get_updater(self._optimizer) for _ in ctxs]
        self._params_to_init = list(self._params) if self._kvstore is not None else []
        self._broadcast_initial_values()

    def _broadcast_initial_values(self) -> None:
        """Like MXNet's kvstore start-up: each Parameter's first copy (grad_req 'null' ones
        included, e.g. BatchNorm's running statistics) is copied to its other contexts once, when
        the kvstore first sees it initialized."""
        waiting = []
        for p in self._params_to_init:
            if p._data is None:
                waiting.append(p)
                continue
            first = p._data[0]
            for arr in p._data[1:]:
                first.copyto(arr)
        self._params_to_init = waiting

    @property
    def learning_rate(self) -> float:
        """The optimizer's current learning rate."""
        return self._optimizer.learning_rate

    @property
    def optimizer(self) -> opt.Optimizer:
        """The Optimizer this Trainer applies."""
        return self._optimizer

    def set_learning_rate(self, lr: float) -> None:
        """Set the optimizer's learning rate (``UserWarning`` when an lr_scheduler drives it)."""
        self._optimizer.set_learning_rate(lr)

    def step(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """Update every Parameter once from its gradient; call it after ``backward()``, outside
        ``autograd.record()``.

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
        if self._updaters is None:
            self._init_kvstore()
        elif self._params_to_init:
            self._broadcast_initial_values()
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self) -> None:
        """Sum the gradients of each Parameter over its Contexts (each copy gets the sum)."""
        if self._updaters is None:
            self._init_kvstore()
        if self._kvstore and self._update_on_kvstore:
            raise AssertionError(_KV_UPDATE_ONLY.format("allreduce_grads"))
        self._allreduce_grads()

    def update(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """Update the Parameters from their (already reduced) gradients, normalised by ``1/batch_size``."""
        if self._updaters is None:
            self._init_kvstore()
        if self._kvstore and self._update_on_kvstore:
            raise AssertionError(_KV_UPDATE_ONLY.format("update"))
        self._set_rescale(batch_size)
        self._update(ignore_stale_grad)

    def _set_rescale(self, batch_size) -> None:
        if not isinstance(batch_size, (int, float)) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"Trainer.step: batch_size must be a positive number, got {batch_size!r}")
        self._optimizer.rescale_grad = self._scale / batch_size

    def _allreduce_grads(self) -> None:
        if not self._kvstore:
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
        if self._contains_sparse_weight:
            self._update_with_kv_weights(ignore_stale_grad)
            return
        if len(self._updaters) == 1:
            self._update_one_context(ignore_stale_grad)
            return
        once = bool(self._kvstore and self._update_on_kvstore)  # one update, copied to every Context
        updates: list[list] = [[] for _ in self._updaters]
        copies = []
        for i, param in enumerate(self._params):
            if param._grad_req == "null":
                continue
            datas, grads = param._data, param._grad
            if datas is None or grads is None:
                datas, grads = param.list_data(), param.list_grad()  # raises the right error
            if not ignore_stale_grad:
                for data in datas:
                    if data._ag is None or not data._ag.fresh:  # data._fresh_grad, read directly
                        raise _stale_error(param, data)
            for k, (upd, data, grad) in enumerate(zip(updates, datas, grads)):
                info = data._ag
                if info is None:  # no gradient attached: always stale
                    continue
                if ignore_stale_grad and not info.fresh:
                    continue
                info.fresh = False
                if not once:
                    upd.append((i, grad, data))
                elif k == 0:
                    upd.append((i, grad, data))
                    copies.append(datas)
        for updater, upd in zip(self._updaters, updates):
            if upd:
                idx, grads, weights = zip(*upd)
                updater(list(idx), list(grads), list(weights))
        for datas in copies:
            for d in datas[1:]:
                datas[0].copyto(d)

    def _update_one_context(self, ignore_stale_grad: bool) -> None:
        """``_update`` when every Parameter lives on one Context (one updater, nothing to copy)."""
        indices, grads, weights = [], [], []
        for i, param in enumerate(self._params):
            if param._grad_req == "null":
                continue
            datas, grad_list = param._data, param._grad
            if datas is None or grad_list is None:
                datas, grad_list = param.list_data(), param.list_grad()  # raises the right error
            data = datas[0]
            info = data._ag  # data._fresh_grad, read directly
            if info is None or not info.fresh:
                if ignore_stale_grad:
                    continue
                raise _stale_error(param, data)
            if len(datas) > 1 and not ignore_stale_grad:  # copies added after the Trainer started
                for other in datas[1:]:
                    if other._ag is None or not other._ag.fresh:
                        raise _stale_error(param, other)
            info.fresh = False
            indices.append(i)
            grads.append(grad_list[0])
            weights.append(data)
        if indices:
            self._updaters[0](indices, grads, weights)

    def _update_with_kv_weights(self, ignore_stale_grad: bool) -> None:
        """``_update`` when some weights are row-sparse: every Parameter is updated once, on the kvstore's
        copy for row-sparse weights (from the gradient summed over the Contexts by ``_allreduce_grads``)
        and on the first Context's array, copied to the others, for dense ones."""
        indices, grads, weights, copies = [], [], [], []
        for i, param in enumerate(self._params):
            if param._grad_req == "null":
                continue
            datas, grad_list = param._data, param._grad
            if datas is None or grad_list is None:
                param._check_initialized()
                grad_list = param.list_grad()  # raises the right error
            fresh = [d._ag is not None and d._ag.fresh for d in datas]
            if not all(fresh) and not ignore_stale_grad:
                raise _stale_error(param, datas[fresh.index(False)])
            if not fresh[0]:
                continue
            for d in datas:
                d._ag.fresh = False
            indices.append(i)
            grads.append(grad_list[0])
            if param._stype != "default":
                weights.append(self._kv_weight(i))
            else:
                weights.append(datas[0])
                copies.append(datas)
        if indices:
            self._updaters[0](indices, grads, weights)
        for datas in copies:
            for d in datas[1:]:
                datas[0].copyto(d)

    def _kv_weight(self, i: int):
        """The kvstore's copy of row-sparse weight ``i``, made from the Parameter's value when first needed."""
        weight = self._kv_weights.get(i)
        if weight is None:
            param = self._params[i]
            param._check_initialized()
            weight = self._kv_weights[i] = param._data[0].copy()
        return weight

    def _row_sparse_pull(self, param: Parameter, out: list, row_id) -> None:
        """Fill each array of ``out`` with the rows ``row_id`` of ``param``'s kvstore copy, zeroing the others
        (MXNet's ``kvstore.row_sparse_pull``)."""
        if self._updaters is None:
            self._init_kvstore()
        weight = self._kv_weight(self._param2idx[param.name])._tensor
        rows = row_id._tensor.detach().reshape(-1).to(device=weight.device, dtype=torch.int64)
        if rows.numel() and (int(rows.min()) < 0 or int(rows.max()) >= weight.shape[0]):
            raise MXNetError(
                f"row_sparse_data: row_id of Parameter '{param.name}' must lie in [0, {weight.shape[0]}), got "
                f"values from {int(rows.min())} to {int(rows.max())}"
            )
        with torch.no_grad():
            for arr in out:
                t = arr._tensor
                picked = weight.index_select(0, rows).to(device=t.device, dtype=t.dtype)
                t.zero_()
                t.index_copy_(0, rows.to(t.device), picked)

    def _param_value_set(self, param: Parameter) -> None:
        """``param.set_data`` was called: as MXNet resets its kvstore when it holds the weights, the
        kvstore copies and the optimizer states start afresh from the new values."""
        if self._contains_sparse_weight and self._updaters is not None:
            self._updaters = None
            self._kv_weights = {}

    def save_states(self, fname: str) -> None:
        """Save the optimizer's states and settings to ``fname`` in regluon's pickle-free states
        format (an ``nd.save`` file with a JSON header; see ``regluon/optimizer/updater.py``).

        MXNet writes a pickle here; regluon neither writes nor reads pickles, so files do not move
        between the two.

        Example:
            >>> trainer.save_states('model.states')
            >>> trainer.load_states('model.states')
        """
        if self._updaters is None:
            self._init_kvstore()
        names = {i: p.name for i, p in enumerate(self._params)}
        updater = self._updaters[0] if self._updaters else opt.get_updater(self._optimizer)
        blob = updater.get_states(dump_optimizer=True, param_names=names)
        with open(fname, "wb") as f:
            f.write(blob)

    def load_states(self, fname: str) -> None:
        """Load states saved by :meth:`save_states`. The file must come from a Trainer over the same
        Parameters: names (compared without block counters, so ``dense0_weight`` matches ``dense4_weight``),
        shapes and the optimizer class are checked, and on any mismatch nothing is changed."""
        if self._updaters is None:
            self._init_kvstore()
        with open(fname, "rb") as f:
            header, arrays = read_states(f.read(), fname)
        self._check_states(header, arrays, fname)
        for updater in self._updaters or [opt.get_updater(self._optimizer)]:
            updater.apply_states(header, arrays)
        self._optimizer.param_dict = dict(enumerate(self._params))

    def _check_states(self, header: dict, arrays: dict, fname: str) -> None:
        saved = header.get("optimizer", {}).get("class", type(self._optimizer).__name__)
        if saved.lower() != type(self._optimizer).__name__.lower():
            raise MXNetError(
                f"load_states: {fname} holds {saved} states but this Trainer uses "
                f"{type(self._optimizer).__name__}"
            )
        for i, name in header.get("param_names", []):
            mine = self._params[i].name if isinstance(i, int) and 0 <= i < len(self._params) else None
            if mine is None or _structural(mine) != _structural(name):
                raise MXNetError(
                    f"load_states: {fname} was saved for Parameter {name!r} at position {i}, but this Trainer has "
                    f"{mine!r} there; the file is from another model"
                )
        for i, tree in header["states"]:
            if not (isinstance(i, int) and 0 <= i < len(self._params)):
                raise MXNetError(
                    f"load_states: {fname} has states for index {i!r}, which this Trainer does not have"
                )
            got = [tuple(arrays[key].shape) for key in _arrays_of(tree)]
            shape = tuple(self._params[i].shape)
            if any(s != shape for s in got):  # states shaped otherwise must be the optimizer's own
                want = self._state_shapes(i)
                if any(s != shape and s not in want for s in got):
                    raise MXNetError(
                        f"load_states: the states of Parameter {self._params[i].name} in {fname} have shapes "
                        f"{got}, but the Parameter has shape {shape} and {type(self._optimizer).__name__} "
                        f"keeps states of shapes {want} for it"
                    )

    def _state_shapes(self, i: int) -> list[tuple]:
        """Shapes of the state arrays the optimizer creates for Parameter ``i`` (a GroupAdaGrad history is
        one value per row, most states are shaped like the Parameter)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            state = self._optimizer.create_state_multi_precision(i, self._params[i].list_data()[0])
        return [tuple(a.shape) for a in _state_arrays(state)]


def _sparse_weight_kvstore(kind, update_on_kvstore) -> None:
    """MXNet's checks of the kvstore settings of a Trainer over row-sparse weights."""
    if not isinstance(kind, str):
        raise TypeError(
            f"Cannot create '{kind}' KVStore with row_sparse parameters. The type must be KVStore or str."
        )
    if update_on_kvstore is False:
        raise ValueError("Cannot set update_on_kvstore=False when sparse weights are present.")


def _stale_error(param: Parameter, data) -> StaleGradientError:
    return StaleGradientError(
        f"Gradient of Parameter `{param.name}` on context {data.context} has not been updated "
        "by backward since last `step`. This could mean a bug in your model that made it only "
        "use a subset of the Parameters (Blocks) for this iteration. If you are intentionally "
        "only using a subset, call step with ignore_stale_grad=True to suppress this warning "
        "and skip updating of Parameters with stale gradient"
    )


def _structural(name: str) -> str:
    """A Parameter name without its block counters (``dense3_weight`` -> ``dense_weight``), so that states
    load into the same model rebuilt in the same process, where the counters have moved on."""
    return re.sub(r"\d+", "", name)


def _state_arrays(state) -> list:
    if isinstance(state, (tuple, list)):
        return [a for s in state for a in _state_arrays(s)]
    return [] if state is None else [state]


def _arrays_of(tree) -> list[str]:
    if tree is None:
        return []
    if "a" in tree:
        return [tree["a"]]
    return [k for t in tree.get("t", tree.get("l", [])) for k in _arrays_of(t)]
