"""Golden values of MXNet 1.9.1's quantization operators (CPU build): quantize, quantize_v2, dequantize,
requantize, calibrate_entropy, for random data and for the rounding (exact halves) and saturation edges.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_quantization_golden.py``. Writes
tests/golden/quantization_golden.npz: per case ``<key>/in<k>`` inputs and ``<key>/out<j>`` outputs (or
``<key>/error``), with a JSON index (operator, parameters) under ``index``.

quantize_asym is left out: it crashes MXNet 1.9.1's CPU build (segmentation fault) on every input.
"""

import json
import os

from _oracle import GOLDEN, real_mxnet

mx = real_mxnet()
import numpy as np  # noqa: E402

from mxnet import nd  # noqa: E402

RNG = np.random.RandomState(42)
HALVES = np.array(
    [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, 127.4, 127.5, -127.5, -128.5, 254.5, 255.5, 300.0, -300.0]
)


def f32(*a):
    return np.array(a, "float32")


def data(n=40, scale=3.0):
    return RNG.uniform(-scale, scale, n).astype("float32")


CASES = []  # (op, inputs, params)
for out_type in ("int8", "uint8"):
    for lo, hi in ((-1.0, 1.0), (-3.0, 2.0), (0.0, 255.0), (-127.0, 127.0), (-0.7, 0.3), (0.0, 1.0)):
        CASES.append(("quantize", (data(), f32(lo), f32(hi)), {"out_type": out_type}))
        CASES.append(("quantize", (HALVES.astype("float32"), f32(lo), f32(hi)), {"out_type": out_type}))
CASES.append(("quantize", (data(6).reshape(2, 3), f32(-2.0), f32(2.0)), {}))
for params in (
    {},
    {"out_type": "uint8"},
    {"out_type": "auto"},
    {"min_calib_range": -1.0, "max_calib_range": 1.0},
    {"min_calib_range": -127.5, "max_calib_range": 127.5},
    {"min_calib_range": -255.5, "max_calib_range": 255.5, "out_type": "uint8"},
    {"min_calib_range": 0.0, "max_calib_range": 1.0, "out_type": "auto"},
    {"min_calib_range": -0.5, "max_calib_range": 1.0, "out_type": "auto"},
    {"min_calib_range": -0.5, "max_calib_range": 1.0, "out_type": "uint8"},
    {"min_calib_range": 0.2, "max_calib_range": 2.7, "out_type": "uint8"},
):
    CASES.append(("quantize_v2", (data(),), params))
    CASES.append(("quantize_v2", (HALVES.astype("float32"),), params))
CASES.append(("quantize_v2", (RNG.uniform(0.5, 4, (3, 4)).astype("float32"),), {"out_type": "uint8"}))
CASES.append(("quantize_v2", (RNG.uniform(0.5, 4, (3, 4)).astype("float32"),), {"out_type": "auto"}))
CASES.append(("quantize_v2", (data().astype("float64"),), {}))
INT8 = np.arange(-128, 128, dtype="int8")
UINT8 = np.arange(0, 256, dtype="int32").astype("uint8")
for lo, hi in ((-2.0, 1.0), (-1.0, 3.0), (0.5, 3.0), (-0.37, 0.21)):
    CASES.append(("dequantize", (INT8, f32(lo), f32(hi)), {}))
    CASES.append(("dequantize", (UINT8, f32(lo), f32(hi)), {}))
CASES.append(("dequantize", (RNG.randint(-128, 128, (2, 3)).astype("int8"), f32(-1.0), f32(1.0)), {}))
INT32 = np.concatenate(
    [RNG.randint(-(2**30), 2**30, 40), [0, 5, -5, 2**29, -(2**29), 123456789, 1 << 24, (1 << 24) + 1]]
).astype("int32")
SMALL = RNG.randint(-1000, 1000, 30).astype("int32")
for params in (
    {"min_calib_range": -0.5, "max_calib_range": 0.5},
    {"min_calib_range": -0.3, "max_calib_range": 0.1},
    {"min_calib_range": 0.0, "max_calib_range": 0.5, "out_type": "auto"},
    {"min_calib_range": 0.0, "max_calib_range": 0.25, "out_type": "uint8"},
    {"min_calib_range": -0.2, "max_calib_range": 0.4, "out_type": "uint8"},
    {},
    {"out_type": "uint8"},
    {"out_type": "auto"},
):
    CASES.append(("requantize", (INT32, f32(-1.0), f32(1.0)), params))
    CASES.append(("requantize", (SMALL, f32(-3.0), f32(2.0)), params))
for seed, (bins, rng_, n_q) in enumerate(
    ((2001, 4.0, 255), (2001, 4.0, 127), (801, 3.0, 63), (3001, 6.0, 255))
):
    sample = np.random.RandomState(seed).normal(0, 1, 5000) * (1 + seed)
    if seed == 2:
        sample = np.abs(sample)  # one-sided: half of the histogram empty
    hist, edges = np.histogram(sample, bins=bins, range=(-rng_ * (1 + seed), rng_ * (1 + seed)))
    CASES.append(
        ("calibrate_entropy", (hist.astype("float32"), edges.astype("float32")), {"num_quantized_bins": n_q})
    )


def main():
    arrays, index = {}, []
    for k, (op, inputs, params) in enumerate(CASES):
        key = f"{op}-{k}"
        for i, x in enumerate(inputs):
            arrays[f"{key}/in{i}"] = x
        index.append({"key": key, "op": op, "params": params, "n_in": len(inputs)})
        try:
            res = getattr(nd.contrib, op)(*[nd.array(x, dtype=x.dtype) for x in inputs], **params)
            outs = res if isinstance(res, (list, tuple)) else [res]
            got = {f"{key}/out{j}": o.asnumpy() for j, o in enumerate(outs)}
        except Exception as err:  # noqa: BLE001 - the error type is the golden value
            got = {f"{key}/error": np.frombuffer(type(err).__name__.encode(), dtype=np.uint8)}
        arrays.update(got)
    arrays["index"] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    np.savez_compressed(os.path.join(GOLDEN, "quantization_golden.npz"), **arrays)
    print(f"wrote {len(index)} cases")


if __name__ == "__main__":
    main()
