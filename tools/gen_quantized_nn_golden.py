"""Golden values of MXNet 1.9.1's quantized layer operators (CPU build, oneDNN kernels): quantized_conv,
quantized_fully_connected, quantized_pooling, quantized_act, quantized_flatten, quantized_concat, for
random data over shapes, kernels, strides, pads, ranges and dtypes, the edges (full-scale values,
sums past 2**24 with a bias, averages on exact halves, all-negative or all-positive ranges) and the
inputs MXNet refuses.

Run under the oracle venv: ``.venv-oracle/bin/python tools/gen_quantized_nn_golden.py``. Writes
tests/golden/quantized_nn_golden.npz: per case ``<key>/in<k>`` inputs and ``<key>/out<j>`` outputs (or
``<key>/error``), with a JSON index (operator, parameters) under ``index``.

Left out, as departures documented in tests/test_quantized_nn.py: quantized_conv shapes for which
oneDNN picks its SSE4.1 or AVX2 kernel (seen for 4 or 8 filters and a multiple of 4 channels), which
saturate each pair of products to int16 when both are large (the 16 -> 8 case keeps its weights
within +-64 so that no pair can), and sums past 2**24 without a bias on the GEMM kernel (rounded
to float32 there, exact on the others); quantized_concat along a negative dim (MXNet crashes).
"""

import json
import os

from _oracle import GOLDEN, real_mxnet

mx = real_mxnet()
import numpy as np  # noqa: E402

from mxnet import nd  # noqa: E402

RNG = np.random.RandomState(7)


def r(v):
    return np.array([v], "float32")


def u8(*shape, lo=0, hi=256):
    return RNG.randint(lo, hi, shape).astype("uint8")


def i8(*shape, lo=-128, hi=128):
    return RNG.randint(lo, hi, shape).astype("int8")


def ranges(*pairs):
    return tuple(r(v) for p in pairs for v in p)


CASES = []  # (op, inputs, params)


def conv(x, w, b, rd, rw, rb, **params):
    params.setdefault("num_filter", w.shape[0])
    params.setdefault("kernel", w.shape[2:])
    params["kernel"] = list(params["kernel"])
    if b is None:
        CASES.append(("quantized_conv", (x, w, *ranges(rd, rw)), dict(params, no_bias=True)))
    else:
        CASES.append(("quantized_conv", (x, w, b, *ranges(rd, rw, rb)), params))


# --- quantized_conv: shapes, kernels, strides, pads, dilations, bias or not, ranges
for n, c, o, size, k, extra in (
    (1, 1, 1, (5, 5), (1, 1), {}),
    (2, 2, 5, (7, 7), (3, 3), {}),
    (2, 3, 4, (6, 5), (2, 3), {"stride": [2, 1], "pad": [1, 0]}),
    (1, 8, 16, (7, 7), (3, 3), {"pad": [1, 1]}),
    (1, 8, 16, (9, 8), (3, 3), {"stride": [2, 2], "dilate": [2, 1]}),
    (2, 4, 6, (8, 8), (1, 1), {"stride": [3, 3]}),
    (1, 16, 8, (5, 5), (3, 3), {"pad": [2, 2], "dilate": [2, 2]}),
    (1, 2, 3, (4, 5, 5), (2, 2, 2), {}),
    (1, 3, 4, (5, 5, 4), (3, 3, 2), {"stride": [2, 1, 1], "pad": [1, 1, 0]}),
    (2, 8, 16, (4, 4, 4), (3, 3, 3), {"pad": [1, 1, 1]}),
):
    # 16 channels to 8 filters runs oneDNN's AVX2 kernel, which saturates pairs of products to int16:
    # weights within +-64 keep every pair in range (the saturation is a departure, see the docstring)
    wmax = 64 if (c, o) == (16, 8) else 128
    x, w, b = u8(n, c, *size), i8(o, c, *k, lo=-wmax, hi=wmax), i8(o)
    for rd, rw, rb in (((0.0, 2.0), (-1.0, 1.5), (-0.5, 0.7)), ((-3.0, 2.0), (-0.02, 0.01), (-10.0, 10.0))):
        conv(x, w, b, rd, rw, rb, kernel=k, **extra)
        conv(x, w, None, rd, rw, None, kernel=k, **extra)
    conv(
        x,
        w,
        b,
        (0.5, 6.0),
        (-2.0, 0.3),
        (0.0, 0.001),
        kernel=k,
        workspace=512,
        layout=["NCHW", "NCDHW"][len(k) - 2],
    )
# full-scale values: sums past 2**24, which MXNet's kernels round to float32 when they add the bias
for c, o, k in ((80, 16, 3), (64, 5, 3), (70, 8, 3)):
    x = np.full((1, c, 4, 4), 255, "uint8")
    x[0, 0] = RNG.randint(250, 256, (4, 4))
    w = np.full((o, c, k, k), 127, "int8")
    w[:, 0, 0, 0] = RNG.randint(100, 128, o)
    w[1::2] = -128
    conv(x, w, i8(o), (0.0, 1.0), (-1.0, 1.0), (-1.0, 1.0))
conv(
    np.full((1, 80, 4, 4), 255, "uint8"),
    np.full((16, 80, 3, 3), -128, "int8"),
    None,
    (0.0, 1.0),
    (-1, 1),
    None,
)
conv(u8(1, 2, 4, 4), i8(3, 2, 3, 3), i8(3), (0.0, 0.0), (-1.0, 1.0), (-1.0, 1.0))  # empty data range
# refused: int8 or float data, uint8 weight, int32 bias, groups, 1-d, channels last, shapes, range types
X, W, B = u8(1, 2, 5, 5), i8(3, 2, 3, 3), i8(3)
for bad in (
    ("quantized_conv", (i8(1, 2, 5, 5), W, B, *ranges((-1, 1), (-1, 1), (-1, 1))), {}),
    ("quantized_conv", (X.astype("float32"), W, B, *ranges((-1, 1), (-1, 1), (-1, 1))), {}),
    ("quantized_conv", (X, W.astype("uint8"), B, *ranges((-1, 1), (-1, 1), (-1, 1))), {}),
    ("quantized_conv", (X, W, B.astype("int32"), *ranges((-1, 1), (-1, 1), (-1, 1))), {}),
    ("quantized_conv", (X, W, *ranges((-1, 1), (-1, 1))), {}),
    ("quantized_conv", (X, i8(3, 2, 2, 2), B, *ranges((-1, 1), (-1, 1), (-1, 1))), {}),
    ("quantized_conv", (X, W, B, *ranges((-1, 1), (-1, 1), (-1, 1))), {"layout": "NHWC"}),
    ("quantized_conv", (X, W, B, np.array([-1.0], "float64"), *ranges((1,), (-1, 1), (-1, 1))), {}),
    ("quantized_conv", (X, W, B, np.array([-1.0, 0.0], "float32"), *ranges((1,), (-1, 1), (-1, 1))), {}),
):
    op, inputs, params = bad
    CASES.append((op, inputs, {"kernel": [3, 3], "num_filter": 3, **params}))
CASES.append(
    (
        "quantized_conv",
        (u8(1, 4, 5, 5), i8(4, 2, 3, 3), *ranges((0, 1), (-1, 1))),
        {"kernel": [3, 3], "num_filter": 4, "num_group": 2, "no_bias": True},
    )
)
CASES.append(
    (
        "quantized_conv",
        (u8(1, 2, 7), i8(3, 2, 3), *ranges((0, 1), (-1, 1))),
        {"kernel": [3], "num_filter": 3, "no_bias": True},
    )
)


# --- quantized_fully_connected
def fc(x, w, b, rd, rw, rb, **params):
    params.setdefault("num_hidden", w.shape[0])
    if b is None:
        CASES.append(("quantized_fully_connected", (x, w, *ranges(rd, rw)), dict(params, no_bias=True)))
    else:
        CASES.append(("quantized_fully_connected", (x, w, b, *ranges(rd, rw, rb)), params))


for shape, hidden, flatten in (
    ((2, 6), 3, True),
    ((4, 2, 3), 5, True),
    ((3, 2, 2, 2), 7, True),
    ((2, 3, 4), 6, False),
    ((1, 17), 1, True),
    ((5, 64), 32, True),
):
    k = int(np.prod(shape[1:])) if flatten else shape[-1]
    w, b = i8(hidden, k), i8(hidden)
    for dt in ("int8", "uint8"):
        x = i8(*shape) if dt == "int8" else u8(*shape)
        for rd, rw, rb in (
            ((-1.0, 2.0), (-1.0, 1.5), (-0.5, 0.7)),
            ((0.0, 3.7), (-0.25, 0.5), (-40.0, 30.0)),
            ((-0.01, 0.003), (-3.0, 2.0), (-0.001, 0.002)),
        ):
            fc(x, w, b, rd, rw, rb, flatten=flatten)
        fc(x, w, None, (-1.0, 2.0), (-1.0, 1.5), None, flatten=flatten)
fc(i8(2, 5), i8(3, 5), None, (0.0, 0.0), (-1.0, 1.0), None)  # empty data range
# the bias on its own (zero data): every int8 bias value, rescaled and truncated
for i in range(12):
    dt = ("int8", "uint8")[i % 2]
    rd, rw, rb = (np.sort(RNG.uniform(-3, 3, 2)) * s for s in (1, 1, (100, 1, 0.01)[i % 3]))
    x = np.zeros((1, 4), dt)
    fc(x, np.zeros((256, 4), "int8"), np.arange(-128, 128).astype("int8"), rd, rw, rb)
# full-scale values: sums past 2**24 with and without a bias
for dt, val in (("uint8", 255), ("int8", 127), ("int8", -128)):
    x = np.full((2, 720), val, dt)
    x[0, 0] = val - 1
    w = np.full((4, 720), 127, "int8")
    w[1, 0], w[2], w[3, 0] = 126, -128, -3
    fc(x, w, np.array([1, -1, 3, -7], "int8"), (-1.0, 1.0), (-1.0, 1.0), (-1.0, 1.0))
    fc(x, w, None, (-1.0, 1.0), (-1.0, 1.0), None)
XF, WF, BF = i8(2, 6), i8(3, 6), i8(3)
for inputs in (
    (XF.astype("float32"), WF, BF, *ranges((-1, 1), (-1, 1), (-1, 1))),
    (XF.astype("int32"), WF, BF, *ranges((-1, 1), (-1, 1), (-1, 1))),
    (XF, WF.astype("uint8"), BF, *ranges((-1, 1), (-1, 1), (-1, 1))),
    (XF, WF, BF.astype("float32"), *ranges((-1, 1), (-1, 1), (-1, 1))),
    (XF, i8(3, 5), BF, *ranges((-1, 1), (-1, 1), (-1, 1))),
    (XF[0], WF, BF, *ranges((-1, 1), (-1, 1), (-1, 1))),
    (XF, WF, *ranges((-1, 1), (-1, 1))),
):
    CASES.append(("quantized_fully_connected", inputs, {"num_hidden": 3}))


# --- quantized_pooling
def pool(x, rng_, **params):
    for key in ("kernel", "stride", "pad"):
        if key in params:
            params[key] = list(params[key])
    CASES.append(("quantized_pooling", (x, *ranges(rng_)), params))


for dt in ("int8", "uint8"):
    gen = i8 if dt == "int8" else u8
    pool(gen(2, 3, 6, 6), (-1.0, 2.0), kernel=(2, 2), stride=(2, 2))
    pool(gen(2, 3, 6, 6), (-1.0, 2.0), kernel=(2, 2), stride=(2, 2), pool_type="avg")
    pool(gen(1, 2, 5, 5), (0.0, 3.0), kernel=(3, 3), pad=(1, 1), pool_type="avg")
    pool(gen(1, 2, 5, 5), (0.0, 3.0), kernel=(3, 3), pad=(1, 1), pool_type="avg", count_include_pad=False)
    pool(gen(1, 2, 5, 5), (0.0, 3.0), kernel=(3, 3), pad=(1, 1), pool_type="max")
    pool(gen(1, 2, 7, 7), (-2.0, 2.0), kernel=(3, 3), stride=(2, 2), pooling_convention="full")
    pool(
        gen(1, 2, 7, 6), (-2.0, 2.0), kernel=(3, 2), stride=(2, 2), pool_type="avg", pooling_convention="full"
    )
    pool(gen(1, 1, 1, 4), (-2.0, 2.0), kernel=(1, 2), stride=(1, 3), pad=(0, 1), pooling_convention="full")
    pool(gen(2, 3, 4, 5), (-1.0, 1.0), kernel=(2, 2), global_pool=True, pool_type="avg")
    pool(gen(2, 3, 4, 5), (-1.0, 1.0), kernel=(3, 3), global_pool=True, stride=(2, 2), pad=(1, 1))
    pool(gen(1, 2, 3, 4, 5), (-1.0, 1.0), kernel=(2, 2, 2))
    pool(gen(1, 2, 4, 4, 4), (-1.0, 1.0), kernel=(2, 2, 2), stride=(2, 2, 2), pool_type="avg")
    pool(gen(1, 2, 4, 5, 6), (-1.0, 1.0), kernel=(3, 3, 3), global_pool=True, pool_type="avg")
    pool(
        gen(1, 3, 8, 8),
        (-1.0, 1.0),
        kernel=(3, 3),
        stride=(1, 2),
        pad=(1, 0),
        pool_type="avg",
        cudnn_off=True,
    )
# averages on exact halves (rounded half to even) and thirds, at the ends of the range
halves = np.array(
    [[-3, 0], [-1, 0], [1, 0], [3, 0], [5, 0], [-5, 0], [127, 0], [-128, 0], [127, 126], [-128, -127]]
)
pool(halves.astype("int8").reshape(1, 1, -1, 2), (-1.0, 1.0), kernel=(1, 2), stride=(1, 2), pool_type="avg")
pool(
    np.array([[1, 0], [3, 0], [5, 0], [255, 0], [255, 254], [7, 0]], "uint8").reshape(1, 1, -1, 2),
    (0.0, 1.0),
    kernel=(1, 2),
    stride=(1, 2),
    pool_type="avg",
)
pool(
    np.array([[1, 0, 0], [2, 0, 0], [-1, 0, 0], [-2, 0, 0], [4, 0, 0], [5, 0, 0]], "int8").reshape(
        1, 1, -1, 3
    ),
    (-1.0, 1.0),
    kernel=(1, 3),
    stride=(1, 3),
    pool_type="avg",
)
XP = i8(1, 2, 4, 4)
for params in (
    {"kernel": (2, 2), "pool_type": "sum"},
    {"kernel": (2, 2), "pool_type": "lp", "p_value": 2},
    {"kernel": (2, 2), "layout": "NHWC"},
    {"kernel": (3, 3), "stride": (2, 2), "pooling_convention": "same"},
    {"kernel": (5, 5)},
    {"pool_type": "avg"},
    {"global_pool": True, "pool_type": "avg"},
):
    pool(XP, (-1.0, 1.0), **params)
pool(XP.astype("float32"), (-1.0, 1.0), kernel=(2, 2))
pool(XP.astype("int32"), (-1.0, 1.0), kernel=(2, 2))
pool(i8(1, 2, 5), (-1.0, 1.0), kernel=(2,))
CASES.append(("quantized_pooling", (XP, r(-1.0), np.array([1], "int32")), {"kernel": [2, 2]}))
CASES.append(("quantized_pooling", (XP, r(-1.0), np.array([1.0, 2.0], "float32")), {"kernel": [2, 2]}))

# --- quantized_act and quantized_flatten
for x, rng_ in (
    (i8(2, 3, 4), (-1.0, 2.0)),
    (i8(7), (-0.5, 0.5)),
    (u8(2, 5), (0.0, 3.0)),
    (np.arange(256).astype("uint8"), (-1.0, 1.0)),
):
    CASES.append(("quantized_act", (x, *ranges(rng_)), {"act_type": "relu"}))
CASES.append(("quantized_act", (i8(2, 3), *ranges((-1, 1))), {"act_type": "tanh"}))
CASES.append(("quantized_act", (i8(2, 3), *ranges((-1, 1))), {"act_type": "sigmoid"}))
CASES.append(("quantized_act", (i8(2, 3).astype("float32"), *ranges((-1, 1))), {"act_type": "relu"}))
CASES.append(("quantized_act", (i8(2, 3), r(-1.0), np.array([1.0, 2.0], "float32")), {"act_type": "relu"}))
for x in (
    i8(2, 3, 4),
    u8(3, 2, 2, 2),
    i8(4),
    i8(3, 5),
    RNG.uniform(-1, 1, (2, 3, 2)).astype("float32"),
    RNG.randint(-9, 9, (2, 2, 2)).astype("int32"),
):
    CASES.append(("quantized_flatten", (x, *ranges((-1.5, 0.5))), {}))
CASES.append(("quantized_flatten", (i8(2, 3), np.array([-1.0], "float64"), r(1.0)), {}))


# --- quantized_concat
def concat(arrays, rngs, **params):
    params.setdefault("num_args", len(arrays))
    CASES.append(("quantized_concat", (*arrays, *ranges(*rngs)), params))


A8, AU = np.arange(-128, 128).astype("int8").reshape(1, -1), np.arange(256).astype("uint8").reshape(1, -1)
for ta, tb in (("i", "i"), ("i", "u"), ("u", "i"), ("u", "u")):
    a, b = (A8 if ta == "i" else AU), (A8 if tb == "i" else AU)
    for ra, rb in (
        ((-1.0, 1.0), (-1.0, 1.0)),
        ((-1.0, 1.0), (-2.0, 3.0)),
        ((0.0, 2.0), (0.0, 1.0)),
        ((-3.0, 1.0), (-0.5, 0.5)),
    ):
        concat((a, b), (ra, rb))
    for _ in range(4):
        concat((a, b), tuple(tuple(np.sort(RNG.uniform(-3, 3, 2))) for _ in range(2)))
    concat((a, b), ((-1.6, -0.55), (-2.7, -2.2)))  # all negative: the output range reaches up to 0
    concat((a, b), ((0.29, 1.29), (0.27, 0.62)))  # all positive: down to 0
for dim, shapes in (
    (0, ((2, 3), (1, 3), (3, 3))),
    (1, ((2, 3, 2), (2, 1, 2))),
    (2, ((2, 3, 1), (2, 3, 4), (2, 3, 2))),
    (3, ((1, 2, 2, 3), (1, 2, 2, 1))),
):
    arrays = [(i8 if k % 2 == 0 else u8)(*s) for k, s in enumerate(shapes)]
    concat(arrays, [tuple(np.sort(RNG.uniform(-2, 2, 2))) for _ in arrays], dim=dim)
    concat([u8(*s) for s in shapes], [(0.0, float(RNG.uniform(0.5, 3))) for _ in shapes], dim=dim)
concat((A8,), ((-1.0, 2.0),))
# empty ranges: an input whose range is 0 stands for zeros; with every range 0 only a same-type join works
concat((A8, A8), ((0.0, 0.0), (0.0, 0.0)))
concat((A8, A8), ((0.0, 0.0), (-1.0, 1.0)))
concat((AU, A8), ((0.0, 0.0), (-1.0, 1.0)))
concat((A8, AU), ((0.0, 0.0), (0.0, 0.0)))
concat((A8.astype("float32"), A8), ((-1, 1), (-1, 1)))
concat((A8.astype("int32"), A8), ((-1, 1), (-1, 1)))
CASES.append(("quantized_concat", (A8, A8, *ranges((-1, 1), (-1, 1))), {}))
CASES.append(("quantized_concat", (A8, A8, *ranges((-1, 1))), {"num_args": 2}))


def _jsonable(params):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}


def main():
    arrays, index = {}, []
    for k, (op, inputs, params) in enumerate(CASES):
        key = f"{op}-{k}"
        for i, x in enumerate(inputs):
            arrays[f"{key}/in{i}"] = x
        index.append({"key": key, "op": op, "params": _jsonable(params), "n_in": len(inputs)})
        try:
            res = getattr(nd.contrib, op)(*[nd.array(x, dtype=x.dtype) for x in inputs], **params)
            got = {f"{key}/out{j}": o.asnumpy() for j, o in enumerate(res)}
        except Exception as err:  # noqa: BLE001 - the error type is the golden value
            got = {f"{key}/error": np.frombuffer(type(err).__name__.encode(), dtype=np.uint8)}
        arrays.update(got)
    arrays["index"] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    np.savez_compressed(os.path.join(GOLDEN, "quantized_nn_golden.npz"), **arrays)
    n_err = sum(1 for key in arrays if key.endswith("/error"))
    print(f"wrote {len(index)} cases ({n_err} refused)")


if __name__ == "__main__":
    main()
