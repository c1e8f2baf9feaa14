"""The Updater (per-parameter optimizer state) and its pickle-free states format.

MXNet's ``Updater.get_states`` pickles the states (and the optimizer); regluon never unpickles, so it
writes its own format instead, readable without code execution:

* the container is MXNet's ``nd.save`` file format (a dict of named arrays), so ``mx.nd.load`` opens it;
* ``__regluon_states__`` is a uint8 array holding a UTF-8 JSON header::

      {"format": "regluon.optimizer.states", "version": 1,
       "states": [[index, tree], ...],
       "optimizer": {"class": "SGD", "attrs": {...}, "update_counts": [[device_id, [[index, n], ...]], ...]},
       "param_names": [[index, name], ...]}

  where ``tree`` describes one parameter's state: ``null``, ``{"a": "s3"}`` (the array named ``s3``
  in the file), ``{"t": [tree, ...]}`` (a tuple), ``{"l": [...]}`` (a list), ``{"d": [[key, tree],
  ...]}`` (a dict) or ``{"v": 2.5}`` (a number). ``optimizer`` is present when the optimizer was
  dumped (its JSON-representable attributes: learning rate, weight decay, multipliers,
  ``num_update``, hyper-parameters, ...; an attribute holding arrays or numbers in dicts, lists or
  tuples, such as LBSGD's accumulated gradients, as ``{"tree": tree}``) and ``param_names`` when a
  Trainer wrote the file;
* ``optimizer`` also holds ``"lr_scheduler"``: ``null`` when the optimizer has none, else
  ``{"class": "FactorScheduler", "attrs": {...}}`` with the scheduler's JSON-representable attributes
  (numbers, strings, lists of them: ``base_lr``, ``count``, ``cur_step_ind``, warm-up settings, ...).
  Loading gives the optimizer a new scheduler where the saved one was, as MXNet's pickled optimizer
  does: a copy of its own scheduler when that is of the saved class, else a new instance of the
  ``mx.lr_scheduler`` class of that name (another class needs a scheduler of that class attached
  before loading); a file written without this entry leaves the optimizer's scheduler as it is;
* every other entry is a state array, named ``s0``, ``s1``, ...
"""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from ..ndarray import NDArray
from ..ndarray.serialization import read_ndarray_file, write_ndarray_file
from .optimizer import Optimizer

FORMAT = "regluon.optimizer.states"
HEADER = "__regluon_states__"
_SKIP_ATTRS = {"param_dict", "lr_scheduler", "sym_info", "_all_index_update_counts", "_index_update_count"}


class Updater:
    """Applies an optimizer to ``(index, grad, weight)``, creating each parameter's state on first use.

    Lists of indices are grouped by dtype and handed to the optimizer ``aggregate_num`` at a time
    when it updates groups (``aggregate_num > 0``), else one by one.

    Example:
        >>> updater = mx.optimizer.get_updater(mx.optimizer.SGD(learning_rate=0.1))
        >>> updater(0, grad, weight)
    """

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.states: dict = {}
        self.states_synced: dict = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index, grad, weight) -> None:
        if not isinstance(index, (list, tuple)):
            indices, grads, weights = [index], [grad], [weight]
        else:
            indices, grads, weights = list(index), list(grad), list(weight)
        if not weights:
            return
        opt = self.optimizer
        opt._set_current_context(weights[0].context.device_id)
        states = self.states
        for k, idx in enumerate(indices):
            if isinstance(idx, bytes):
                idx = indices[k] = idx.decode()
            if idx not in states:
                states[idx] = opt.create_state_multi_precision(idx, weights[k])
                self.states_synced[idx] = True
            elif not self.states_synced[idx]:
                states[idx] = self.sync_state_context(states[idx], weights[k].context)
                self.states_synced[idx] = True
        if not self.aggregate_updates:
            for i, w, g in zip(indices, weights, grads):
                opt.update_multi_precision(i, w, g, states[i])
            return
        by_dtype: dict = {}
        for i, w, g in zip(indices, weights, grads):
            by_dtype.setdefault(w.dtype, []).append((i, w, g))
        size = opt.aggregate_num
        for group in by_dtype.values():
            for start in range(0, len(group), size):
                idx, ws, gs = zip(*group[start : start + size])
                opt.update_multi_precision(list(idx), list(ws), list(gs), [states[i] for i in idx])

    def sync_state_context(self, state, context):
        """``state`` (an array or nested tuple/list of them) moved to ``context``."""
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            return type(state)(self.sync_state_context(s, context) for s in state)
        return state

    def get_states(self, dump_optimizer: bool = False, param_names: dict | None = None) -> bytes:
        """The states (and, with ``dump_optimizer``, the optimizer's settings) in regluon's states format
        (see the module docstring)."""
        arrays: list[np.ndarray] = []
        names: list[str] = []

        def tree(state):
            if state is None:
                return None
            if isinstance(state, NDArray):
                names.append(f"s{len(arrays)}")
                arrays.append(state.asnumpy())
                return {"a": names[-1]}
            if isinstance(state, (tuple, list)):
                return {"t" if isinstance(state, tuple) else "l": [tree(s) for s in state]}
            if isinstance(state, dict) and all(isinstance(k, (int, str)) for k in state):
                return {"d": [[k, tree(v)] for k, v in state.items()]}
            if isinstance(state, (bool, int, float, np.number)):
                return {"v": state.item() if isinstance(state, np.number) else state}
            raise MXNetError(f"Updater.get_states: cannot save a state of type {type(state).__name__}")

        header: dict[str, Any] = {"format": FORMAT, "version": 1}
        header["states"] = [[_key(i), tree(s)] for i, s in self.states.items()]
        if dump_optimizer:
            header["optimizer"] = _optimizer_header(self.optimizer, tree)
        if param_names is not None:
            header["param_names"] = [[_key(i), n] for i, n in param_names.items()]
        blob = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
        return write_ndarray_file([blob, *arrays], [HEADER, *names])

    def set_states(self, states: bytes) -> None:
        """Load what :meth:`get_states` wrote; restores the optimizer's settings too when they were
        saved. MXNet's own (pickled) states files are refused, never unpickled."""
        header, arrays = read_states(states)
        self.apply_states(header, arrays)

    def apply_states(self, header: dict, arrays: dict) -> None:
        """Install parsed states (:func:`read_states`); nothing changes if the content is invalid."""
        new_states = {_index(i): _untree(t, arrays) for i, t in header["states"]}
        if "optimizer" in header:
            _restore_optimizer(self.optimizer, header["optimizer"], arrays)
        self.states = new_states
        self.states_synced = dict.fromkeys(new_states, False)


def get_updater(optimizer: Optimizer) -> Updater:
    """An :class:`Updater` for ``optimizer``."""
    return Updater(optimizer)


def read_states(blob: bytes, fname: str = "<bytes>") -> tuple[dict, dict]:
    """Parse a states file: its JSON header and its arrays by name. Raises ``MXNetError`` on anything
    that is not regluon's states format (a pickle from MXNet included)."""
    if blob[:1] == b"\x80":
        raise MXNetError(
            f"{fname} is a pickled MXNet optimizer-states file; regluon never unpickles files. Save the "
            "states again with regluon's Trainer.save_states (the format is documented in "
            "regluon/optimizer/updater.py)"
        )
    try:
        arrays, names = read_ndarray_file(blob, fname)
    except MXNetError as err:
        raise MXNetError(f"{fname} is not an optimizer states file: {err}") from None
    by_name = dict(zip(names or [], arrays))
    raw = by_name.pop(HEADER, None)
    try:
        header = json.loads(bytes(raw).decode()) if raw is not None else None
    except (UnicodeDecodeError, ValueError):
        header = None
    if (
        not isinstance(header, dict)
        or header.get("format") != FORMAT
        or not isinstance(header.get("states"), list)
    ):
        raise MXNetError(f"{fname} is not a regluon optimizer states file (no valid {HEADER} header)")
    for _, t in header["states"]:
        _check_tree(t, by_name, fname)
    attrs = header.get("optimizer", {}).get("attrs", {}) if isinstance(header.get("optimizer"), dict) else {}
    for v in attrs.values() if isinstance(attrs, dict) else ():
        if isinstance(v, dict) and "tree" in v:
            _check_tree(v["tree"], by_name, fname)
    return header, by_name


def _key(index):
    return index if isinstance(index, (int, str)) else str(index)


def _index(key):
    return key


def _check_tree(t, arrays: dict, fname: str) -> None:
    if t is None:
        return
    if isinstance(t, dict) and "a" in t:
        if t["a"] not in arrays:
            raise MXNetError(f"{fname}: state array {t['a']!r} is missing")
        return
    if isinstance(t, dict) and ("t" in t or "l" in t):
        for s in t.get("t", t.get("l")):
            _check_tree(s, arrays, fname)
        return
    if isinstance(t, dict) and isinstance(t.get("d"), list):
        for pair in t["d"]:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (int, str))):
                raise MXNetError(f"{fname}: malformed state entry {pair!r}")
            _check_tree(pair[1], arrays, fname)
        return
    if isinstance(t, dict) and "v" in t and isinstance(t["v"], (bool, int, float)):
        return
    raise MXNetError(f"{fname}: malformed state entry {t!r}")


def _untree(t, arrays: dict):
    if t is None:
        return None
    if "a" in t:
        return nd.array(arrays[t["a"]], dtype=arrays[t["a"]].dtype)
    if "v" in t:
        return t["v"]
    if "d" in t:
        return {_index(k): _untree(v, arrays) for k, v in t["d"]}
    items = [_untree(s, arrays) for s in t.get("t", t.get("l"))]
    return tuple(items) if "t" in t else items


def _jsonable(v) -> bool:
    return v is None or isinstance(v, (bool, int, float, str))


def _scheduler_header(sched) -> dict | None:
    if sched is None:
        return None
    attrs = {
        k: list(v) if isinstance(v, (list, tuple)) else v
        for k, v in vars(sched).items()
        if _jsonable(v) or (isinstance(v, (list, tuple)) and all(_jsonable(x) for x in v))
    }
    return {"class": type(sched).__name__, "attrs": attrs}


def _restored_scheduler(current, saved: dict | None):
    """The scheduler to install for the saved one, a new object as MXNet's unpickled one is: a copy of
    ``current`` when it is of the saved class (so attributes the file cannot hold are kept), else a
    new instance of the ``mx.lr_scheduler`` class of that name; and the attributes to set on it."""
    if saved is None:
        return None
    if not isinstance(saved, dict) or not isinstance(saved.get("attrs"), dict):
        raise MXNetError(f"malformed lr_scheduler entry in the states file: {saved!r}")
    name = saved.get("class")
    if current is not None and type(current).__name__ == name:
        sched = copy.copy(current)
    else:
        from .. import lr_scheduler

        klass = getattr(lr_scheduler, name, None) if name in lr_scheduler.__all__ else None
        if klass is None:
            raise MXNetError(
                f"the states file holds an lr_scheduler of class {name!r}, which regluon does not know; attach "
                f"an instance of it to the optimizer before loading the states"
            )
        sched = object.__new__(klass)
    return sched, saved["attrs"]


def _array_tree(v) -> bool:
    """Whether ``v`` is made of NDArrays, numbers and None in dicts (int/str keys), lists and tuples."""
    if v is None or isinstance(v, (NDArray, bool, int, float)):
        return True
    if isinstance(v, dict):
        return all(isinstance(k, (int, str)) and _array_tree(x) for k, x in v.items())
    return isinstance(v, (list, tuple)) and all(_array_tree(x) for x in v)


def _optimizer_header(opt: Optimizer, tree) -> dict:
    """The optimizer's class and attributes; ``tree`` stores an attribute holding arrays."""
    attrs = {}
    for k, v in vars(opt).items():
        if k in _SKIP_ATTRS:
            continue
        if _jsonable(v):
            attrs[k] = v
        elif isinstance(v, dict) and all(
            _jsonable(x) and isinstance(key, (int, str)) for key, x in v.items()
        ):
            attrs[k] = {"pairs": [[key, x] for key, x in v.items()]}
        elif _array_tree(v):
            attrs[k] = {"tree": tree(v)}
    counts = [[dev, [[_key(i), n] for i, n in c.items()]] for dev, c in opt._all_index_update_counts.items()]
    return {
        "class": type(opt).__name__,
        "attrs": attrs,
        "update_counts": counts,
        "lr_scheduler": _scheduler_header(opt.lr_scheduler),
    }


def _restore_optimizer(opt: Optimizer, saved: dict, arrays: dict) -> None:
    if saved.get("class", "").lower() != type(opt).__name__.lower():
        raise MXNetError(
            f"the states file was written by a {saved.get('class')} optimizer, but this one is "
            f"{type(opt).__name__}; create the Trainer with the same optimizer"
        )
    sched = opt.lr_scheduler  # files written before schedulers were saved keep the current one
    if "lr_scheduler" in saved:
        sched = _restored_scheduler(opt.lr_scheduler, saved["lr_scheduler"])
        if sched is not None:
            sched, attrs = sched
            for k, v in attrs.items():
                setattr(sched, k, v)
    opt.lr_scheduler = sched
    for k, v in saved.get("attrs", {}).items():
        if isinstance(v, dict) and "tree" in v:
            v = _untree(v["tree"], arrays)
        elif isinstance(v, dict):
            v = {_index(a): b for a, b in v["pairs"]}
        setattr(opt, k, v)
    opt._all_index_update_counts = {
        dev: {_index(i): n for i, n in c} for dev, c in saved.get("update_counts", [])
    }
    opt._all_index_update_counts.setdefault(0, {})
    opt._index_update_count = opt._all_index_update_counts[0]
