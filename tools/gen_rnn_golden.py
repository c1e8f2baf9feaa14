"""Record MXNet 1.9.1's fused ``nd.RNN`` operator: outputs and gradients for every mode.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_rnn_golden.py``. Writes
tests/golden/rnn_golden.npz (inputs, outputs in predict mode and under ``autograd.record()``, a
fixed head gradient per output and the gradients of data, parameters, state and state_cell) and
tests/golden/rnn_golden.json (the index: parameters and dtype of each case, plus what MXNet's CPU
build refuses, with its messages).

Cases: each mode (rnn_relu, rnn_tanh, lstm, gru) x {1 layer, 2 bidirectional layers, 2 layers
without state outputs, 3 bidirectional layers} x {float32, float64}, and the LSTM with a
projection (forward only: MXNet's CPU build has no backward for it).
"""

import json
import os

import numpy as np
from _oracle import GOLDEN, real_mxnet

mx = real_mxnet()
from mxnet import autograd, nd  # noqa: E402

GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
#: (tag, steps, batch, input size, state size, layers, bidirectional, state_outputs)
CONFIGS = [
    ("l1", 5, 3, 4, 6, 1, False, True),
    ("l2bi", 4, 3, 3, 5, 2, True, True),
    ("l2", 4, 2, 3, 4, 2, False, False),
    ("l3bi", 2, 1, 2, 3, 3, True, True),
]
#: LSTM with a projection: (tag, steps, batch, input, state, projection, layers, bidirectional)
PROJ_CONFIGS = [("proj1", 4, 3, 3, 6, 2, 1, False), ("proj2bi", 3, 2, 3, 5, 3, 2, True)]


def param_size(mode, inp, hidden, layers, dirs, proj=0):
    g, out = GATES[mode] * hidden, proj or hidden
    total = 0
    for layer in range(layers):
        width = inp if layer == 0 else out * dirs
        total += dirs * (g * width + g * out + proj * hidden + 2 * g)
    return total


def make_inputs(rng, mode, steps, batch, inp, hidden, layers, dirs, dtype, proj=0):
    size = param_size(mode, inp, hidden, layers, dirs, proj)
    xs = [rng.uniform(-1.5, 1.5, (steps, batch, inp)), rng.uniform(-0.5, 0.5, (size,))]
    xs.append(rng.uniform(-1, 1, (layers * dirs, batch, proj or hidden)))
    if mode == "lstm":
        xs.append(rng.uniform(-1, 1, (layers * dirs, batch, hidden)))
    return [x.astype(dtype) for x in xs]


def run_case(key, inputs, params, grad, out, seed):
    for k, x in enumerate(inputs):
        out[f"{key}/in{k}"] = x
    res = nd.RNN(*[nd.array(x, dtype=x.dtype) for x in inputs], **params)  # predict mode
    outs = res if isinstance(res, list) else [res]
    for j, o in enumerate(outs):
        out[f"{key}/pred{j}"] = o.asnumpy()
    if not grad:
        return len(outs)
    arrays = [nd.array(x, dtype=x.dtype) for x in inputs]
    for a in arrays:
        a.attach_grad()
    with autograd.record():
        res = nd.RNN(*arrays, **params)
    outs = res if isinstance(res, list) else [res]
    rng = np.random.RandomState(1000 + seed)
    heads = [rng.uniform(-1, 1, o.shape).astype(inputs[0].dtype) for o in outs]
    autograd.backward(outs, [nd.array(h, dtype=h.dtype) for h in heads])
    for j, (o, h) in enumerate(zip(outs, heads)):
        out[f"{key}/out{j}"] = o.asnumpy()
        out[f"{key}/head{j}"] = h
    for k, a in enumerate(arrays):
        out[f"{key}/grad{k}"] = a.grad.asnumpy()
    return len(outs)


def cpu_limits(rng):
    """What MXNet 1.9.1's CPU build refuses (float64 kernel) or ignores (float32 oneDNN kernel)."""
    facts = {}
    x, flat, h0, c0 = make_inputs(rng, "lstm", 3, 2, 3, 4, 1, 1, "float64")
    base = {"state_size": 4, "num_layers": 1, "mode": "lstm", "state_outputs": True}
    clip = {"lstm_state_clip_min": -0.1, "lstm_state_clip_max": 0.1}
    lens = np.array([2, 3], "float64")
    probes = {
        "clip_float64": ([x, flat, h0, c0], clip, False),
        "sequence_length_float64": ([x, flat, h0, c0, lens], {"use_sequence_length": True}, True),
    }
    xp, flatp, h0p, c0p = make_inputs(rng, "lstm", 3, 2, 3, 4, 1, 1, "float64", proj=2)
    probes["projection_training"] = ([xp, flatp, h0p, c0p], {"projection_size": 2}, True)
    for name, (inputs, extra, record) in probes.items():
        try:
            arrays = [nd.array(a, dtype=a.dtype) for a in inputs]
            with autograd.record(train_mode=record):
                nd.RNN(*arrays, **base, **extra)[0].wait_to_read()
            facts[name] = "accepted"
        except mx.base.MXNetError as err:
            facts[name] = str(err).strip().splitlines()[-1]
    f32 = [a.astype("float32") for a in (x, flat, h0, c0)]
    plain = nd.RNN(*[nd.array(a) for a in f32], **base)[2].asnumpy()
    clipped = nd.RNN(*[nd.array(a) for a in f32], **base, **clip)[2].asnumpy()
    facts["clip_float32_ignored"] = bool(np.array_equal(plain, clipped))
    masked = nd.RNN(*[nd.array(a) for a in f32], nd.array(lens), **base, use_sequence_length=True)
    facts["sequence_length_float32_ignored"] = bool(
        np.allclose(masked[0].asnumpy(), nd.RNN(*[nd.array(a) for a in f32], **base)[0].asnumpy())
    )
    return facts


def main():
    out, index = {}, []
    seed = 0
    for mode in GATES:
        for tag, steps, batch, inp, hidden, layers, bi, state_outputs in CONFIGS:
            for dtype in ("float32", "float64"):
                key = f"{mode}-{tag}-{dtype}"
                rng = np.random.RandomState(seed)
                inputs = make_inputs(rng, mode, steps, batch, inp, hidden, layers, 2 if bi else 1, dtype)
                params = {"state_size": hidden, "num_layers": layers, "bidirectional": bi, "mode": mode}
                params["state_outputs"] = state_outputs
                n_out = run_case(key, inputs, params, True, out, seed)
                index.append(
                    {"key": key, "params": params, "n_in": len(inputs), "n_out": n_out, "grad": True}
                )
                seed += 1
    for tag, steps, batch, inp, hidden, proj, layers, bi in PROJ_CONFIGS:
        for dtype in ("float32", "float64"):
            key = f"lstm-{tag}-{dtype}"
            rng = np.random.RandomState(seed)
            inputs = make_inputs(rng, "lstm", steps, batch, inp, hidden, layers, 2 if bi else 1, dtype, proj)
            params = {"state_size": hidden, "num_layers": layers, "bidirectional": bi, "mode": "lstm"}
            params |= {"projection_size": proj, "state_outputs": True}
            n_out = run_case(key, inputs, params, False, out, seed)
            index.append({"key": key, "params": params, "n_in": len(inputs), "n_out": n_out, "grad": False})
            seed += 1
    limits = cpu_limits(np.random.RandomState(seed))
    np.savez_compressed(os.path.join(GOLDEN, "rnn_golden.npz"), **out)
    with open(os.path.join(GOLDEN, "rnn_golden.json"), "w") as f:
        json.dump({"mxnet": mx.__version__, "cases": index, "cpu_limits": limits}, f, indent=1)
    print(f"wrote {len(index)} RNN cases; MXNet CPU limits: {limits}")


if __name__ == "__main__":
    main()
