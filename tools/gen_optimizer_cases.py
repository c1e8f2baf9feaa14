"""Golden optimizer trajectories from MXNet 1.9.1: every optimizer, several steps, through Trainer and Updater.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_optimizer_cases.py``. Writes
tests/golden/optimizer_cases.npz:

* ``index``: JSON list of cases (the driver settings below, shared with tests/test_optimizer.py);
* ``<case>/init<k>``: the initial value of parameter k; ``<case>/grads<k>``: its gradient at each step
  (stacked); ``<case>/traj<k>``: its value after each step (stacked);
* ``<case>/sched``: for scheduler cases, the learning rate MXNet's scheduler returned for each
  ``num_update`` the optimizer asked about (-1 where it did not ask).

Two drivers, mirrored by the test:

* ``trainer``: gluon Parameters (with ``lr_mult`` / ``wd_mult``, on ``ctxs`` CPU contexts) under
  ``gluon.Trainer``; gradients (times 1, 1.5, ... on the further contexts) are written into the Parameters' gradient arrays and marked fresh, then ``trainer.step(batch_size)``.
  At ``lr_step`` the learning rate is changed with ``trainer.set_learning_rate``.
* ``updater``: ``mx.optimizer.get_updater(opt)`` called once per parameter index (MXNet's
  single-weight code path), with ``param_idx2name`` (names decide the default weight decay).
"""

import json
import os
import sys
import warnings

from _oracle import GOLDEN, ROOT, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tests"))
from optimizer_programs import run_trainer, run_updater  # noqa: E402

STEPS = 30
PARAMS = [  # name, shape, lr_mult, wd_mult
    ["fc_weight", [3, 4], 1.0, 1.0],
    ["fc_bias", [4], 0.5, 1.0],
    ["bn_gamma", [2, 3], 1.0, 2.0],
]

# name, optimizer, kwargs, extra settings
_C = [
    ("sgd", "sgd", {"learning_rate": 0.1, "wd": 0.01}, {}),
    ("sgd_mom", "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-3, "clip_gradient": 0.5}, {}),
    (
        "sgd_mom_fp16",
        "sgd",
        {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-3, "multi_precision": True},
        {"dtype": "float16"},
    ),
    ("sgd_fp16", "sgd", {"learning_rate": 0.1, "wd": 1e-3, "multi_precision": True}, {"dtype": "float16"}),
    ("sgd_sched", "sgd", {"momentum": 0.9}, {"sched": True}),
    ("nag", "nag", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "clip_gradient": 0.8}, {}),
    (
        "nag_fp16",
        "nag",
        {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "multi_precision": True},
        {"dtype": "float16"},
    ),
    ("signum", "signum", {"learning_rate": 0.01, "momentum": 0.9, "wd": 0.01, "wd_lh": 0.01}, {}),
    ("signsgd", "signum", {"learning_rate": 0.01, "momentum": 0.0, "wd": 0.01}, {}),
    ("ftml", "ftml", {"learning_rate": 0.05, "wd": 0.01, "clip_gradient": 0.8}, {}),
    ("dcasgd", "dcasgd", {"learning_rate": 0.1, "wd": 0.01, "lamda": 0.1}, {}),
    ("adam", "adam", {"learning_rate": 0.01, "wd": 0.01, "clip_gradient": 0.8}, {}),
    ("adam_fp16", "adam", {"learning_rate": 0.01, "wd": 0.01, "multi_precision": True}, {"dtype": "float16"}),
    ("adam_sched", "adam", {"learning_rate": 0.02}, {"sched": True}),
    ("adagrad", "adagrad", {"learning_rate": 0.1, "wd": 0.01, "clip_gradient": 0.8}, {}),
    ("rmsprop", "rmsprop", {"learning_rate": 0.01, "wd": 0.01, "clip_gradient": 0.8}, {}),
    (
        "rmsprop_centered",
        "rmsprop",
        {"learning_rate": 0.01, "centered": True, "clip_weights": 1.5, "gamma2": 0.8},
        {},
    ),
    ("adadelta", "adadelta", {"rho": 0.9, "wd": 0.01, "clip_gradient": 0.8}, {}),
    ("ftrl", "ftrl", {"learning_rate": 0.1, "lamda1": 0.01, "wd": 0.01}, {}),
    ("adamax", "adamax", {"learning_rate": 0.01, "wd": 0.01, "clip_gradient": 0.8}, {}),
    ("nadam", "nadam", {"learning_rate": 0.01, "wd": 0.01}, {}),
    ("lamb", "lamb", {"learning_rate": 0.01, "wd": 0.01, "upper_bound": 2.0, "clip_gradient": 0.8}, {}),
    ("lamb_fp16", "lamb", {"learning_rate": 0.01, "wd": 0.01, "multi_precision": True}, {"dtype": "float16"}),
    ("lamb_nobc", "lamb", {"learning_rate": 0.01, "bias_correction": False, "lower_bound": 0.5}, {}),
    ("lars", "lars", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "eta": 0.01}, {}),
    (
        "lars_fp16",
        "lars",
        {"learning_rate": 0.1, "momentum": 0.9, "eta": 0.01, "multi_precision": True},
        {"dtype": "float16"},
    ),
    ("test", "test", {}, {}),
    # the single-weight code paths (Updater called per index, names from param_idx2name)
    (
        "u_sgd_mom",
        "sgd",
        {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "rescale_grad": 0.5},
        {"driver": "updater"},
    ),
    (
        "u_sgd_fp16",
        "sgd",
        {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "multi_precision": True},
        {"driver": "updater", "dtype": "float16"},
    ),
    ("u_lamb", "lamb", {"learning_rate": 0.01, "wd": 0.01}, {"driver": "updater"}),
    (
        "u_lars",
        "lars",
        {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "eta": 0.01},
        {"driver": "updater"},
    ),
    ("u_adam", "adam", {"learning_rate": 0.01, "wd": 0.01, "rescale_grad": 0.25}, {"driver": "updater"}),
    (
        "u_adam_fp16",
        "adam",
        {"learning_rate": 0.01, "multi_precision": True},
        {"driver": "updater", "dtype": "float16"},
    ),
    # two contexts: gradients summed and one update copied to both (update_on_kvstore, MXNet's default),
    # summed and updated per copy, or (kvstore=None) each copy with its own gradient
    ("ctx2_adam", "adam", {"learning_rate": 0.01, "wd": 0.01}, {"ctxs": 2}),
    ("ctx2_nadam", "nadam", {"learning_rate": 0.01}, {"ctxs": 2}),
    ("ctx2_nadam_local", "nadam", {"learning_rate": 0.01}, {"ctxs": 2, "update_on_kvstore": False}),
    ("ctx2_sgd_nokv", "sgd", {"learning_rate": 0.1, "momentum": 0.9}, {"ctxs": 2, "kvstore": None}),
    (
        "ctx2_lars_local",
        "lars",
        {"learning_rate": 0.1, "momentum": 0.9, "eta": 0.01},
        {"ctxs": 2, "update_on_kvstore": False},
    ),
]
CASES = [
    {
        "name": name,
        "optimizer": opt,
        "kwargs": kwargs,
        "driver": extra.get("driver", "trainer"),
        "dtype": extra.get("dtype", "float32"),
        "sched": extra.get("sched", False),
        "ctxs": extra.get("ctxs", 1),
        "kvstore": extra.get("kvstore", "device"),
        "update_on_kvstore": extra.get("update_on_kvstore"),
        "batch_size": 4,
        "lr_step": 10,
        "lr_factor": 0.5,
        "steps": STEPS,
        "params": PARAMS,
    }
    for name, opt, kwargs, extra in _C
]


class RecordingScheduler:
    """MXNet's FactorScheduler with linear warmup, recording what the optimizer asks it."""

    def __init__(self):
        self.inner = mx.lr_scheduler.FactorScheduler(
            step=7, factor=0.5, base_lr=0.05, warmup_steps=4, warmup_begin_lr=0.005, warmup_mode="linear"
        )
        self.asked = {}

    @property
    def base_lr(self):
        return self.inner.base_lr

    @base_lr.setter
    def base_lr(self, value):
        self.inner.base_lr = value

    def __call__(self, num_update):
        lr = self.inner(num_update)
        self.asked[num_update] = lr
        return lr


def _data(case, rng):
    dtype = case["dtype"]
    inits = [rng.uniform(-1, 1, size=shape).astype(dtype) for _, shape, _, _ in case["params"]]
    grads = [
        (rng.normal(size=(case["steps"], *shape)) * 1.5).astype(dtype) for _, shape, _, _ in case["params"]
    ]
    return inits, grads


def main():
    rng = np.random.RandomState(42)
    out = {}
    for case in CASES:
        inits, grads = _data(case, rng)
        sched = RecordingScheduler() if case["sched"] else None
        if case["driver"] == "trainer":
            traj = run_trainer(case, inits, grads, sched)
        else:
            traj = run_updater(case, inits, grads)
        key = case["name"]
        for k in range(len(inits)):
            out[f"{key}/init{k}"] = inits[k]
            out[f"{key}/grads{k}"] = grads[k]
            out[f"{key}/traj{k}"] = np.stack(traj[k])
        if sched is not None:
            table = np.full(max(sched.asked) + 2, -1.0)
            for n, lr in sched.asked.items():
                table[n] = lr
            out[f"{key}/sched"] = table
    out["index"] = np.frombuffer(json.dumps(CASES).encode(), dtype=np.uint8)
    path = os.path.join(GOLDEN, "optimizer_cases.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {len(CASES)} optimizer trajectories to {path}")


if __name__ == "__main__":
    main()
