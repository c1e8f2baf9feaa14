"""Golden values of MXNet 1.9.1's quantized operators (CPU build, oneDNN): quantized_elemwise_add,
quantized_elemwise_mul, quantized_embedding, quantized_batch_norm, quantize_asym and quantized_rnn.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_quantized_ops_golden.py``. Writes
tests/golden/quantized_ops_golden.npz: per case ``<key>/in<k>`` inputs and ``<key>/out<j>`` outputs (or
``<key>/error``), with a JSON index (operator, parameters) under ``index``.

What the oracle needs, found out while writing this:

- oneDNN primitives are cached under a key that does not tell every scale apart, so two calls with
  same-shaped inputs can reuse the first call's output scales. Every case here has a shape of its own.
- ``nd.contrib.quantized_elemwise_mul`` fails in imperative mode on every input (a shape-inference error
  in MXNet); its cases run through a bound symbol, which works.
- ``quantize_asym`` crashes (segmentation fault) unless the data is 3-d: only 3-d cases are recorded.
- ``quantized_rnn`` cannot build its int8 weight reorder on this machine's AVX512-VNNI code path; its cases
  run in a child process with ``DNNL_MAX_CPU_ISA=AVX512_CORE`` (the same arithmetic on plain AVX-512).
"""

import json
import os
import subprocess
import sys

from _oracle import GOLDEN, real_mxnet

RNN_CHILD = "--rnn-child" in sys.argv
if RNN_CHILD:
    os.environ["DNNL_MAX_CPU_ISA"] = "AVX512_CORE"
mx = real_mxnet()
import numpy as np  # noqa: E402

from mxnet import nd  # noqa: E402

RNG = np.random.RandomState(7)
_SIZES = iter(range(20, 10_000))  # a fresh element count per case (see the module docstring)


def f32(*a):
    return np.array(a, "float32")


def ints(dtype, shape):
    lo, hi = (-128, 128) if dtype == "int8" else (0, 256)
    return RNG.randint(lo, hi, shape).astype(dtype)


def fresh():
    """A 1-d shape whose size no earlier case used."""
    return (next(_SIZES),)


CASES = []  # (op, inputs, params)

# ---------------------------------------------------------------- quantized_elemwise_add
RANGES = ((-1.0, 1.0, -1.0, 1.0), (-2.0, 2.0, -0.5, 0.5), (-0.3, 1.7, -4.0, 3.0), (0.0, 1.0, 0.0, 2.0))
CALIBS = (None, (-1.5, 2.0), (0.0, 3.0), (-0.7, 0.2), (-4.0, 4.0))
for ta, tb in (("int8", "int8"), ("uint8", "uint8"), ("int8", "uint8"), ("uint8", "int8")):
    for rng in RANGES:
        for calib in CALIBS:
            shape = fresh()
            params = {} if calib is None else {"min_calib_range": calib[0], "max_calib_range": calib[1]}
            ins = (ints(ta, shape), ints(tb, shape), *(f32(v) for v in rng))
            CASES.append(("quantized_elemwise_add", ins, params))
EDGE = np.array([-128, -128, 127, 127, 0, -1, 1, -128], "int8")
CASES.append(("quantized_elemwise_add", (EDGE, EDGE[::-1].copy(), *(f32(v) for v in RANGES[0])), {}))
CASES.append(
    (
        "quantized_elemwise_add",
        (ints("int8", (2, 3, 4)), ints("int8", (2, 3, 4)), *(f32(v) for v in RANGES[2])),
        {},
    )
)
CASES.append(
    ("quantized_elemwise_add", (ints("int8", (2, 3)), ints("int8", (3, 2)), *(f32(v) for v in RANGES[0])), {})
)
CASES.append(
    (
        "quantized_elemwise_add",
        (ints("int8", (5,)), ints("int8", (5,)).astype("float32"), *(f32(v) for v in RANGES[0])),
        {},
    )
)

# ---------------------------------------------------------------- quantized_elemwise_mul
for rng in RANGES + ((-0.01, 0.02, -3.0, 5.0),):
    for params in (
        {},
        {"enable_float_output": True},
        {"min_calib_range": -1.0, "max_calib_range": 1.0},
        {"min_calib_range": -0.5, "max_calib_range": 2.0},
        {"min_calib_range": 0.0, "max_calib_range": 0.1},
        {"min_calib_range": -1e-4, "max_calib_range": 1e-4},
        {"min_calib_range": -3.0, "max_calib_range": 3.0, "enable_float_output": True},
    ):
        shape = fresh()
        CASES.append(
            (
                "quantized_elemwise_mul",
                (ints("int8", shape), ints("int8", shape), *(f32(v) for v in rng)),
                params,
            )
        )
# products far past the int32 range once scaled (MXNet converts through int32 and keeps the low byte)
HUGE = np.array([0, 1, -1, 2, 3, -5, 17, 100, -128, 127, 64, -64], "int8")
CASES.append(
    (
        "quantized_elemwise_mul",
        (HUGE, HUGE[::-1].copy(), *(f32(v) for v in (-100.0, 100.0, -100.0, 100.0))),
        {"min_calib_range": -1e-7, "max_calib_range": 1e-7},
    )
)
CASES.append(
    ("quantized_elemwise_mul", (ints("uint8", (6,)), ints("uint8", (6,)), *(f32(v) for v in RANGES[0])), {})
)

# ---------------------------------------------------------------- quantized_embedding
for k, (dim, out_dim, idx_dtype) in enumerate(
    ((5, 3, "float32"), (7, 4, "int32"), (4, 6, "float64"), (9, 2, "uint8"))
):
    weight = ints("int8", (dim, out_dim))
    idx = np.array([[0, dim - 1, 2], [1, 1, 3]]) if k % 2 == 0 else RNG.randint(0, dim, (3, 2, 2))
    params = {"input_dim": dim, "output_dim": out_dim}
    CASES.append(
        ("quantized_embedding", (idx.astype(idx_dtype), weight, f32(-1.0 - k), f32(2.0 + k)), params)
    )
W = ints("int8", (5, 3))
OUT_OF_RANGE = np.array([-1, 5, 7, 2.7, 1.5, -0.6, 4.999, 0.4], "float32")
CASES.append(
    ("quantized_embedding", (OUT_OF_RANGE, W, f32(-0.5), f32(0.5)), {"input_dim": 5, "output_dim": 3})
)
CASES.append(
    (
        "quantized_embedding",
        (np.arange(5.0, dtype="float32"), W, f32(-0.5), f32(0.5)),
        {"input_dim": 5, "output_dim": 3, "dtype": "int8"},
    )
)
CASES.append(
    (
        "quantized_embedding",
        (OUT_OF_RANGE, W.astype("uint8"), f32(-0.5), f32(0.5)),
        {"input_dim": 5, "output_dim": 3},
    )
)
CASES.append(
    (
        "quantized_embedding",
        (OUT_OF_RANGE, W.astype("float32"), f32(-0.5), f32(0.5)),
        {"input_dim": 5, "output_dim": 3},
    )
)
CASES.append(
    ("quantized_embedding", (OUT_OF_RANGE, W, f32(-0.5), f32(0.5)), {"input_dim": 4, "output_dim": 3})
)

# ---------------------------------------------------------------- quantized_batch_norm
BN = (
    ((-1.0, 1.0), (-3.0, 3.0), {}),
    ((-0.4, 2.2), (-1.3, 0.8), {"eps": 1e-5}),
    ((0.0, 5.0), (-10.0, 10.0), {"eps": 0.1}),
    ((-3.0, 1.0), (0.0, 2.0), {"fix_gamma": False}),
    ((-2.0, 2.0), (-0.5, 0.5), {"eps": 2e-3, "momentum": 0.5, "use_global_stats": True}),
)
for dtype in ("int8", "uint8"):
    for (lo, hi), (clo, chi), extra in BN:
        c = next(_SIZES) % 5 + 2
        shape = (3, c, 4, next(_SIZES) % 7 + 2)
        x = ints(dtype, shape)
        stats = (
            RNG.uniform(-2, 2, c), RNG.uniform(-1, 1, c), RNG.uniform(-0.5, 0.5, c), RNG.uniform(0.1, 2, c)
        )  # fmt: skip
        params = {"min_calib_range": clo, "max_calib_range": chi} | extra
        CASES.append(
            ("quantized_batch_norm", (x, *(s.astype("float32") for s in stats), f32(lo), f32(hi)), params)
        )
for shape in ((2, 3), (2, 3, 5), (2, 3, 2, 2, 2)):
    stats = tuple(RNG.uniform(0.2, 1.5, 3).astype("float32") for _ in range(4))
    CASES.append(
        (
            "quantized_batch_norm",
            (ints("int8", shape), *stats, f32(-1.0), f32(1.0)),
            {"min_calib_range": -2.0, "max_calib_range": 2.0},
        )
    )
STATS4 = tuple(RNG.uniform(0.2, 1.5, 4).astype("float32") for _ in range(4))
CASES.append(
    (
        "quantized_batch_norm",
        (ints("int8", (2, 3, 5, 4)), *STATS4, f32(-1.0), f32(1.0)),
        {"min_calib_range": -2.0, "max_calib_range": 2.0, "axis": -1},
    )
)
CASES.append(
    ("quantized_batch_norm", (ints("int8", (2, 4, 3)), *STATS4, f32(-1.0), f32(1.0)), {})
)  # no calibration
CASES.append(
    (
        "quantized_batch_norm",
        (RNG.uniform(-1, 1, (2, 4, 3)).astype("float32"), *STATS4, f32(-1.0), f32(1.0)),
        {"min_calib_range": -2.0, "max_calib_range": 2.0},
    )
)

# ---------------------------------------------------------------- quantize_asym (3-d data only, see above)
HALVES = np.array(
    [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -3, 254.5, 255.5, 256, 300, 127.49, 127.5, -1e9, 1e9], "float32"
)
for params in ({}, {"min_calib_range": 0.0, "max_calib_range": 255.0}, {"min_calib_range": -1.0, "max_calib_range": 254.0},
               {"min_calib_range": -10.0, "max_calib_range": 10.0}, {"min_calib_range": 1.0, "max_calib_range": 0.0}):  # fmt: skip
    CASES.append(("quantize_asym", (HALVES.reshape(1, 1, -1),), params))
for lo, hi, calib in (
    (-3, 3, None),
    (0.5, 4, None),
    (-1, 2, (-1.0, 2.0)),
    (-2, 2, (-0.7, 1.3)),
    (-5, -1, None),
):
    x = RNG.uniform(lo, hi, (2, 3, next(_SIZES))).astype("float32")
    CASES.append(
        (
            "quantize_asym",
            (x,),
            {} if calib is None else {"min_calib_range": calib[0], "max_calib_range": calib[1]},
        )
    )
CASES.append(
    (
        "quantize_asym",
        (np.array([np.nan, np.inf, -np.inf, 0, 1], "float32").reshape(1, 1, 5),),
        {"min_calib_range": -1.0, "max_calib_range": 1.0},
    )
)
CASES.append(("quantize_asym", (np.zeros((2, 2, 2), "float32"),), {}))
CASES.append(
    ("quantize_asym", (np.full((1, 2, 3), 0.3, "float32"),), {"min_calib_range": 0.3, "max_calib_range": 0.3})
)
CASES.append(("quantize_asym", (np.ones((2, 2, 2), "float64"),), {}))


# ---------------------------------------------------------------- quantized_rnn (LSTM only)
def rnn_case(steps, batch, inp, hidden, layers, bidirectional, seed, **params):
    rng = np.random.RandomState(seed)
    dirs = 2 if bidirectional else 1
    total = sum(4 * hidden * ((inp if i == 0 else hidden * dirs) + hidden) * dirs for i in range(layers))
    total += 8 * hidden * layers * dirs
    xf = rng.uniform(-1, 1, (steps, batch, inp)).astype("float32")
    flat = rng.uniform(-1, 1, total).astype("float32")
    h0 = rng.uniform(-1, 1, (layers * dirs, batch, hidden)).astype("float32")
    c0 = rng.uniform(-1, 1, (layers * dirs, batch, hidden)).astype("float32")
    scale = np.float32(128.0) / (xf.max() - xf.min())  # the range MXNet's own test uses
    shift = np.float32(128.0) - xf.max() * scale
    x = (xf * scale + shift + np.float32(0.5)).astype("uint8")
    base = {"state_size": hidden, "num_layers": layers, "bidirectional": bidirectional, "mode": "lstm"}
    return ("quantized_rnn", (x, flat, h0, c0, f32(scale), f32(shift)), base | params)


RNN_CASES = [
    rnn_case(1, 2, 8, 4, 1, False, 0, state_outputs=True),
    rnn_case(5, 3, 8, 6, 1, False, 1, state_outputs=True),
    rnn_case(4, 2, 5, 7, 1, True, 2, state_outputs=True),
    rnn_case(5, 3, 6, 6, 2, False, 3, state_outputs=True),
    rnn_case(3, 4, 6, 6, 3, False, 4, state_outputs=True),
    rnn_case(4, 2, 10, 5, 2, True, 5, state_outputs=True),
    rnn_case(6, 2, 3, 5, 1, False, 6),
    rnn_case(
        3, 2, 4, 4, 1, False, 7, p=0.5, lstm_state_clip_min=-0.1, lstm_state_clip_max=0.1, state_outputs=True
    ),
    # several layers whose first layer has another input size than the rest (see test_quantized_ops.py)
    rnn_case(5, 3, 8, 6, 2, False, 8, state_outputs=True),
    rnn_case(4, 2, 5, 5, 3, True, 9, state_outputs=True),
    rnn_case(2, 2, 4, 4, 1, False, 10, mode="gru"),
]


def run_case(op, inputs, params):
    arrays = [nd.array(x, dtype=x.dtype) for x in inputs]
    if op == "quantized_elemwise_mul":  # the imperative call fails in MXNet 1.9.1; a bound symbol works
        names = ["lhs", "rhs", "lhs_min", "lhs_max", "rhs_min", "rhs_max"]
        sym = mx.sym.contrib.quantized_elemwise_mul(*[mx.sym.var(n) for n in names], **params)
        outs = sym.bind(mx.cpu(), dict(zip(names, arrays))).forward()
    else:
        res = getattr(nd.contrib, op)(*arrays, **params)
        outs = res if isinstance(res, (list, tuple)) else [res]
    return [o.asnumpy() for o in outs]


def record(cases, first_key):
    arrays, index = {}, []
    for k, (op, inputs, params) in enumerate(cases, first_key):
        key = f"{op}-{k}"
        for i, x in enumerate(inputs):
            arrays[f"{key}/in{i}"] = x
        index.append({"key": key, "op": op, "params": params, "n_in": len(inputs)})
        try:
            arrays.update({f"{key}/out{j}": o for j, o in enumerate(run_case(op, inputs, params))})
        except Exception as err:  # noqa: BLE001 - the error type is the golden value
            arrays[f"{key}/error"] = np.frombuffer(type(err).__name__.encode(), dtype=np.uint8)
    return arrays, index


def main():
    if RNN_CHILD:
        arrays, index = record(RNN_CASES, len(CASES))
        arrays["index"] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
        np.savez(sys.argv[-1], **arrays)
        return
    arrays, index = record(CASES, 0)
    tmp = os.path.join(GOLDEN, "_quantized_rnn_tmp.npz")
    subprocess.run([sys.executable, __file__, "--rnn-child", tmp], check=True)
    with np.load(tmp) as rnn:
        index += json.loads(bytes(rnn["index"]).decode())
        arrays.update({k: rnn[k] for k in rnn.files if k != "index"})
    os.remove(tmp)
    arrays["index"] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    np.savez_compressed(os.path.join(GOLDEN, "quantized_ops_golden.npz"), **arrays)
    print(f"wrote {len(index)} cases")


if __name__ == "__main__":
    main()
