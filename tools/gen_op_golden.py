"""Step 2 of the op goldens: run every dumped case on MXNet 1.9.1, forward and backward.

Runs under the oracle venv after tools/dump_op_cases.py. For each case it records MXNet's outputs
(or the error type) and, for a fixed random head gradient, the gradients of the float inputs.
Writes tests/golden/op_golden.npz.
"""

import json
import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402

from mxnet import autograd, nd  # noqa: E402


def _param(v):
    if isinstance(v, dict) and "tuple" in v:
        return tuple(v["tuple"])
    return v


def mx_function(name, aliases=()):
    for candidate in (name, *aliases):
        target = nd
        for part in candidate.split("."):
            target = getattr(target, part, None)
            if target is None:
                break
        if target is not None:
            return target
        for ns in (nd._internal, nd.contrib, nd.linalg, nd.random):
            fn = getattr(ns, candidate, None)
            if fn is not None:
                return fn
    raise AttributeError(name)


def run_case(case, data):
    key = case["key"]
    inputs = [data[f"{key}/in{k}"] for k in range(case["n_in"])]
    params = {k: _param(v) for k, v in case["params"].items()}
    arrays = [nd.array(x, dtype=x.dtype) for x in inputs]
    for a, g in zip(arrays, case["grads"]):
        if g:
            a.attach_grad()
    fn = mx_function(case["op"], case.get("aliases", ()))
    out = {}
    try:
        with autograd.record():
            res = fn(*arrays, **params)
        outs = res if isinstance(res, (list, tuple)) else [res]
        for j, o in enumerate(outs):
            out[f"{key}/out{j}"] = o.asnumpy()
        for k, a in enumerate(arrays):  # inputs after the forward pass (in-place updates show here)
            out[f"{key}/post{k}"] = a.asnumpy()
    except Exception as err:  # noqa: BLE001 - the error type is the golden value
        try:  # some ops (sort in 1.9.1) only fail when recorded: keep the forward result
            res = fn(*[nd.array(x, dtype=x.dtype) for x in inputs], **params)
            outs = res if isinstance(res, (list, tuple)) else [res]
            for j, o in enumerate(outs):
                out[f"{key}/out{j}"] = o.asnumpy()
        except Exception:  # noqa: BLE001
            return {f"{key}/error": np.frombuffer(type(err).__name__.encode(), dtype=np.uint8)}
        out[f"{key}/grad_error"] = np.frombuffer(type(err).__name__.encode(), dtype=np.uint8)
        return out
    if any(case["grads"]):
        rng = np.random.RandomState(7)
        heads = [nd.array(rng.uniform(-1, 1, size=o.shape), dtype=o.dtype) for o in outs]
        for j, h in enumerate(heads):
            out[f"{key}/head{j}"] = h.asnumpy()
        try:
            autograd.backward(outs, heads)
            for k, (a, g) in enumerate(zip(arrays, case["grads"])):
                if g:
                    out[f"{key}/grad{k}"] = a.grad.asnumpy()
            for k, a in enumerate(arrays):  # inputs after the backward pass (BatchNorm's moving stats)
                out[f"{key}/postbwd{k}"] = a.asnumpy()
        except Exception as err:  # noqa: BLE001 - MXNet's own backward fails for a few ops (e.g. sort)
            out[f"{key}/grad_error"] = np.frombuffer(type(err).__name__.encode(), dtype=np.uint8)
    return out


def main():
    data = np.load(os.path.join(GOLDEN, "op_cases.npz"))
    index = json.loads(bytes(data["index"]).decode())
    result = {}
    errors = 0
    for case in index:
        res = run_case(case, data)
        errors += any(k.endswith("/error") for k in res)
        result.update(res)
    path = os.path.join(GOLDEN, "op_golden.npz")
    np.savez_compressed(path, **result)
    print(f"wrote {len(index)} cases ({errors} raised in MXNet) to {path}")


if __name__ == "__main__":
    main()
