"""Golden NDArray behaviour: the repr (or error type) MXNet 1.9.1 gives for each expression.

Writes tests/golden/nd_cases.json: a list of {"expr", "repr" | "error"} (plus the values of
NDArray results). The test evaluates each expression with regluon in a namespace holding ``mx``,
``nd`` and ``np`` and compares the repr exactly. Expressions marked ``~`` involve transcendental
functions, where MXNet's oneDNN kernels and torch's differ in the last bit: for those the values
are compared to 1e-5 relative instead.
"""

import json
import os
import warnings

from _oracle import GOLDEN, real_mxnet

warnings.filterwarnings("ignore")
mx = real_mxnet()
import numpy as np  # noqa: E402

from mxnet import nd  # noqa: E402

CASES = [
    # creation and dtype rules
    "nd.array([[1, 2], [3, 4]])",
    "nd.array([1, 2, 3]).dtype",
    "nd.array(np.arange(3)).dtype",
    "nd.array(np.arange(3, dtype=np.float64)).dtype",
    "nd.array(nd.ones((2,), dtype='int64')).dtype",
    "nd.array([1.5, 2.5], dtype='int32')",
    "nd.array(3.0)",
    "nd.zeros((2, 3))",
    "nd.ones((2, 3), dtype='int32')",
    "nd.full((2, 2), 7)",
    "nd.arange(5)",
    "nd.arange(2, 8, 2, repeat=2)",
    "nd.arange(1, 2, 0.25)",
    "nd.zeros((2, 3), ctx=mx.cpu(1))",
    "nd.ones((2, 2, 2))",
    "nd.eye(3, 4, 1)",
    "nd.random.normal(shape=(3, 4)).shape",
    "nd.random.uniform(shape=5).shape",
    "nd.random.normal().shape",
    # printing of typical values
    "nd.array([[0.60375047, -0.5491552], [1.5329047, 0.8233045]])",
    "nd.array([7.2679596, 4.480722, -0.02090577, -0.22527038, 5.2208033, 3.2509205, 9.108723, -0.34202975, 4.5954723, -1.2033253])",
    "nd.array([1e-8, 1.0, 1e8])",
    "nd.array([[1, 2, 3]], dtype='int64')",
    "nd.array([0.1, 0.2], dtype='float64')",
    "nd.arange(30).reshape((3, 10)) / 7",
    # arithmetic and broadcasting
    "nd.ones((2, 3)) + nd.arange(3)",
    "2 * nd.arange(3)",
    "nd.arange(3) - 1",
    "1 - nd.arange(3)",
    "nd.arange(1, 4) / 2",
    "2 / nd.arange(1, 4)",
    "nd.arange(4) ** 2",
    "2 ** nd.arange(4)",
    "nd.array([-3.5, 3.5, -2, 2]) % 2",
    "5 % nd.array([-3.5, 3.5, 2, -2])",
    "-nd.arange(3)",
    "abs(nd.array([-1, 2]))",
    "nd.ones((2,), dtype='int32') + 1.7",
    "nd.ones((2,), dtype='int32') / 2",
    "nd.ones((2, 3)) + nd.ones((4,))",
    "nd.ones((2,)) + nd.ones((2,), dtype='int32')",
    "nd.elemwise_add(nd.ones((2, 3)), nd.ones((1, 3)))",
    # comparisons keep the dtype
    "nd.arange(4) > 1",
    "nd.arange(4) == nd.array([0, 2, 2, 0])",
    "nd.arange(4, dtype='int32') <= 2",
    "nd.arange(4) != 2",
    # reductions
    "nd.arange(6).reshape((2, 3)).sum()",
    "nd.arange(6).reshape((2, 3)).sum(axis=1)",
    "nd.arange(6).reshape((2, 3)).mean(axis=0, keepdims=True)",
    "nd.arange(24).reshape((2, 3, 4)).sum(axis=1, exclude=True)",
    "nd.arange(6).reshape((2, 3)).max(axis=1)",
    "nd.arange(6).reshape((2, 3)).min()",
    "nd.arange(1, 7).reshape((2, 3)).prod(axis=0)",
    "nd.norm(nd.array([[3, 4], [0, 0]]))",
    "nd.argmax(nd.array([[1, 3, 2], [4, 0, 1]]), axis=1)",
    "nd.sum(nd.ones((2, 3)), axis=())",
    # shapes
    "nd.ones((2, 3, 4)).reshape((4, -1)).shape",
    "nd.ones((2, 3, 4)).reshape((0, -1)).shape",
    "nd.ones((2, 3, 4)).reshape((-2,)).shape",
    "nd.ones((2, 3, 4)).reshape((-3, 4)).shape",
    "nd.ones((2, 3, 4)).reshape((-4, 1, 2, -2)).shape",
    "nd.ones((2, 3, 4)).reshape((-1, 0), reverse=True).shape",
    "nd.ones((2, 3, 4)).reshape(6, 4).shape",
    "nd.ones((2, 3)).reshape((4, 2))",
    "nd.arange(6).reshape((2, 3)).T",
    "nd.dot(nd.arange(6).reshape((2, 3)), nd.arange(6).reshape((3, 2)))",
    "nd.dot(nd.arange(6).reshape((2, 3)), nd.arange(6).reshape((2, 3)), transpose_b=True)",
    "nd.dot(nd.arange(3), nd.arange(3))",
    "nd.dot(nd.ones((2, 3)), nd.ones((2, 3)))",
    "nd.batch_dot(nd.ones((2, 2, 3)), nd.ones((2, 3, 4))).shape",
    "nd.concat(nd.ones((2, 1)), nd.zeros((2, 2)))",
    "nd.stack(nd.ones((2,)), nd.zeros((2,)), axis=1)",
    "nd.expand_dims(nd.ones((2, 3)), axis=1).shape",
    "nd.ones((2, 1, 3)).squeeze().shape",
    "nd.ones((2, 3, 4)).flatten().shape",
    "nd.arange(5).clip(1, 3)",
    "nd.take(nd.arange(10).reshape((5, 2)), nd.array([4, 0, 7, -1]))",
    # indexing
    "nd.arange(6).reshape((2, 3))[1]",
    "nd.arange(6).reshape((2, 3))[1, 2]",
    "nd.arange(6).reshape((2, 3))[:, 0]",
    "nd.arange(6).reshape((2, 3))[:, 1:]",
    "nd.arange(10)[2:8:3]",
    "nd.arange(3)[1]",
    "nd.arange(6).reshape((3, 2))[nd.array([2, 0])]",
    # conversion
    "nd.arange(3).asnumpy()",
    "nd.arange(3).asnumpy().dtype",
    "nd.array([2.5]).asscalar()",
    "type(nd.array([2.5]).asscalar())",
    "nd.arange(3).asscalar()",
    "nd.arange(3).astype('int32')",
    "nd.arange(3).astype(np.float64).dtype",
    "nd.ones((2, 3)).size",
    "nd.ones((2, 3)).ndim",
    "nd.ones((2, 3)).shape",
    "len(nd.ones((4, 2)))",
    "bool(nd.ones((1,)))",
    "bool(nd.ones((2,)))",
    "nd.ones((2,)).context",
    "nd.ones((2,)).copyto(mx.cpu(2))",
    "nd.ones((2,)).as_in_context(mx.cpu(0)).context",
    "mx.cpu(1)",
    "mx.gpu(2)",
    "mx.current_context()",
    "mx.cpu() == mx.cpu(0)",
    "mx.cpu() == mx.gpu(0)",
    "nd.relu(nd.array([-1, 0, 2]))",
    "nd.sigmoid(nd.array([0.0]))",
    "nd.round(nd.array([0.5, 1.5, -0.5, 2.5]))",
    "nd.rint(nd.array([0.5, 1.5, -0.5, 2.5]))",
    "nd.sign(nd.array([-2, 0, 3]))",
    "nd.maximum(nd.array([1, 5]), 3)",
    "nd.minimum(2, nd.array([1, 5]))",
    "~ nd.Activation(nd.array([-1, 1]), act_type='softrelu')",
    "~ nd.softmax(nd.array([[1, 2, 3]]))",
    "~ nd.log_softmax(nd.array([[1, 2, 3]]))",
    "~ nd.exp(nd.array([0.5, -1.0, 3.0]))",
    "~ nd.tanh(nd.array([0.5, -1.0, 3.0]))",
    "nd.FullyConnected(nd.ones((2, 3)), nd.ones((4, 3)), nd.zeros((4,)), num_hidden=4)",
    "nd.FullyConnected(nd.ones((2, 3)), nd.ones((4, 2)), nd.zeros((4,)), num_hidden=4)",
    "nd.sgd_update(nd.ones((3,)), nd.array([1, 2, 3]), lr=0.1, wd=0.01, rescale_grad=0.5)",
    "nd.sgd_update(nd.ones((3,)), nd.array([1, 2, 3]), lr=0.1, clip_gradient=1.5)",
]

# dtype rules: MXNet 1.x legacy operators refuse mixed dtypes; a Python number takes the array's dtype
# first (int arrays truncate it: x * 1.5 == x * 1, and x / 2 divides as integers, rounding toward 0);
# bool arrays with a number give int64; comparisons return the input dtype.
_INTS = ("uint8", "int8", "int32", "int64")
_SCALAR_EXPRS = (
    "{a} + 1.7",
    "{a} * 1.5",
    "{a} / 2",
    "{a} - 0.5",
    "{a} > 2.5",
    "{a} == 3",
    "2.5 - {a}",
    "10 / {a}",
    "{a} ** 0.5",
    "{a} % 2.5",
    "{a} * -1",
    "2 ** {a}",
    "{a} >= 7",
    "{a} != 7",
)
_BOOL = "nd.array([1, 0, 2]).astype('bool')"
CASES += [
    f"nd.array([1, 2], dtype='float32') {op} nd.array([1, 2], dtype='{d}')"
    for op in ("+", "-", "*", "/", "%", "**", "==", "!=", ">", ">=", "<", "<=")
    for d in ("int32", "float64")
]
CASES += [
    f"nd.array([1, 2], dtype='{d1}') + nd.array([1, 2], dtype='{d2}')"
    for d1, d2 in (("float16", "float32"), ("uint8", "int8"), ("int32", "int64"), ("int8", "uint8"))
]
CASES += [
    f"nd.{f}(nd.array([[1, 2]], dtype='float32'), nd.array([[1, 2]], dtype='int32'))"
    for f in (
        "broadcast_add",
        "elemwise_add",
        "broadcast_maximum",
        "maximum",
        "broadcast_equal",
        "elemwise_mul",
        "broadcast_hypot",
        "concat",
        "stack",
        "add_n",
    )
]
CASES += [
    "nd.dot(nd.array([[1, 2]], dtype='float32'), nd.array([[1], [2]], dtype='int32'))",
    "nd.where(nd.array([1, 0]), nd.array([1, 2], dtype='float32'), nd.array([3, 4], dtype='int32'))",
    "nd.array([-7, 7, -8], dtype='int32') % 3",
    "nd.array([-7, 7, -8], dtype='int32') % -3",
    "nd.array([-7, 7, -8], dtype='int32') / 2",
    "nd.array([-7, 7], dtype='int32') % nd.array([3, -3], dtype='int32')",
    "nd.array([-7, 7], dtype='int32') / nd.array([2, 2], dtype='int32')",
    "-7 % nd.array([3, -3], dtype='int32')",
    "nd.array([2, 3], dtype='int32') ** nd.array([2, 3], dtype='int32')",
    "nd.array([1.5, -2.5], dtype='float32') % 1",
    "nd.array([3, 7], dtype='int32') + np.float32(1.5)",
    "nd.array([3, 7], dtype='float32') + np.float64(1.5)",
    "nd.array([3, 7], dtype='int32') + np.int64(2)",
    "nd.array([3, 7], dtype='int32') + True",
    "nd.array([3, 7], dtype='float16') + 65504.0",
    "nd.array([0.1], dtype='float16') + 0.1",
    "nd.array([1, 2], dtype='uint8') - 3",
    "nd.array([1, 2], dtype='int32') > nd.array([0, 3], dtype='int32')",
    "nd.array([1, 2], dtype='uint8') == nd.array([1, 3], dtype='uint8')",
    "nd.array([1, 2], dtype='float16') <= nd.array([1, 3], dtype='float16')",
    "nd.array([1, 2], dtype='float64') != nd.array([1, 3], dtype='float64')",
]
CASES += [e.format(a=f"nd.array([3, 7, 200], dtype='{d}')") for d in _INTS for e in _SCALAR_EXPRS]
CASES += [
    e.format(a=f"nd.array([3, 7, 200], dtype='{d}')")
    for d in ("float16", "float64")
    for e in ("{a} + 1.7", "{a} / 2", "10 / {a}", "{a} > 2.5", "{a} ** 0.5", "{a} % 2.5")
]
# bool arrays
CASES += [
    "nd.array([1, 0, 2], dtype='bool')",
    "nd.ones((2,), dtype='bool')",
    "nd.zeros((2,), dtype=np.bool_)",
    "nd.array([True, False])",
    "nd.array(np.array([True, False]))",
    "nd.array(np.array([True, False]), dtype='bool')",
    _BOOL,
    f"{_BOOL}.dtype",
    f"{_BOOL}.asnumpy().dtype",
    f"{_BOOL}.astype('float32')",
    f"{_BOOL}.astype('int32')",
    f"{_BOOL}.reshape((3, 1))",
    f"{_BOOL}[1]",
    f"{_BOOL}.copy()",
    f"{_BOOL}.sum()",
    f"-{_BOOL}",
    f"{_BOOL} + {_BOOL}",
    f"{_BOOL} * {_BOOL}",
    f"{_BOOL} == {_BOOL}",
    f"{_BOOL} + nd.array([1, 0, 2])",
]
CASES += [
    e.format(a=_BOOL)
    for e in (
        "{a} + 1",
        "{a} + 1.5",
        "{a} * 2",
        "{a} / 2",
        "{a} - 1",
        "1 - {a}",
        "{a} % 2",
        "{a} ** 2",
        "2 ** {a}",
        "{a} > 0",
        "{a} == 1",
        "{a} != 0",
    )
]
# astype between all dtypes (values that every dtype holds, and wrapping between integer types)
_DTYPES = ("float16", "float32", "float64", "uint8", "int8", "int32", "int64", "bool")
CASES += [f"nd.array([0, 1, 2, 100], dtype='{a}').astype('{b}')" for a in _DTYPES for b in _DTYPES]
CASES += [
    "nd.array([300, -1, 2.7, -2.7]).astype('int32')",
    "nd.array([300, -1, 2.7, -2.7], dtype='int32').astype('uint8')",
    "nd.array([300, -1, 2, 128], dtype='int64').astype('int8')",
    "nd.array([0.5, 0, -0.1]).astype('bool')",
    "nd.array([65504, 70000.0, 1e-8]).astype('float16')",
    "nd.array([1, 2]).astype(np.int8).dtype",
    "nd.array([1, 2]).astype('float32', copy=False)",
    "nd.cast(nd.array([1.7, -1.7]), dtype='int32')",
    "nd.Cast(nd.array([1.7, 0]), dtype='bool')",
    "nd.ones((2,), dtype='float128')",
]

# indexing: legacy MXNet indexes with ints, slices (any step), None, Ellipsis, and integer arrays
# (NDArray, list or NumPy; float and bool entries are taken as integers); an NDArray of dtype bool
# is refused. ``setitem`` and ``grad_of`` are helpers the test defines the same way.
_X = "nd.arange(24).reshape((2, 3, 4))"
_KEYS = (
    "nd.array([1, 0, 1])",
    "nd.array([1, 0], dtype='int32')",
    "[1, 0]",
    "np.array([1, 0])",
    "nd.array([1, 0]).astype('bool')",
    "np.array([True, False])",
    "[True, False]",
    ":, [2, 0]",
    ":, nd.array([2, 0])",
    "[1, 0], [2, 0]",
    "[1, 0], :, [3, 1]",
    "1, [2, 0]",
    "[1, 0], 1:3",
    "..., 1",
    "1, ...",
    "..., [1, 2]",
    "None",
    ":, None",
    "1, None, 2",
    "::-1",
    ":, ::-1, 1",
    ":, 2:0:-1",
    "-1",
    "-1, -2",
    "5",
    "0, 5",
    ":, :, 10:",
    "[[1, 0], [0, 1]]",
    "nd.array([[1, 0], [0, 1]])",
    "nd.array([1.7, 0.2])",
    "nd.array([-1, 0])",
    "[2, 0]",
    "1, 1, 1",
    "np.int64(1)",
    ":, [True, False, True]",
    "1:2, [0, 2], ::2",
    "[0, 1], [1, 2], [2, 3]",
    "nd.array([0, 1]), nd.array([1, 2])",
    "0, 1:3, [0, 3]",
    "[0], ..., [1]",
    "None, ..., None",
    "()",
    "1, :, 2",
    "::2, ::-2",
    "1:, -1:-4:-1, ::3",
    "2:2",
    "5:9",
    "1:1, 0",
    "2:1",
    ":, 1:1",
    "[]",
    "nd.array([1, 0]), 1",
    "nd.array([1, 0]), ::-1",
    "nd.array([1, 0]), 2, ::-2",
)
CASES += [f"{_X}[{k}]" for k in _KEYS]
_GRAD_KEYS = ("[1, 0, 1]", ":, [2, 0, 2]", "[1, 0], :, [3, 1]", "..., ::-2", "1, None, 1:", "0, 1:3, [0, 3]")
CASES += [f"grad_of(lambda x: x[{k}], {_X})" for k in _GRAD_KEYS]
_SET = (
    ("[1, 0]", "5"),
    ("nd.array([1, 0])", "nd.ones((2, 3, 4))"),
    (":, [2, 0]", "nd.array([7, 8, 9, 10])"),
    ("[1, 0], :, [3, 1]", "-1"),
    ("..., 1", "nd.array([[1, 2, 3], [4, 5, 6]])"),
    ("::-1, 0", "nd.array([[1, 2, 3, 4]])"),
    (":, ::-2", "0"),
    ("nd.array([1, 0]).astype('bool')", "0"),
    ("1, None, 2", "3"),
    ("0, 1:3, [0, 3]", "nd.array([[1, 2], [3, 4]])"),
    ("[0, 1], [1, 2], [2, 3]", "nd.array([50, 60])"),
    ("5", "1"),
    (":, [1, 1]", "np.array([[1], [2]])"),
)
CASES += [f"setitem({_X}, np.s_[{k}], {v})" for k, v in _SET]


def setitem(x, key, value):
    x[key] = value
    return x


def grad_of(fn, x):
    """x's gradient of fn(x) for the head gradient 1, 2, 3, ... (MXNet's autograd)."""
    x = x.copy()
    x.attach_grad()
    with mx.autograd.record():
        y = fn(x)
    y.backward(nd.arange(1, y.size + 1).reshape(y.shape))
    return x.grad


def run(expr):
    env = {"mx": mx, "nd": nd, "np": np, "setitem": setitem, "grad_of": grad_of}
    try:
        value = eval(expr.lstrip("~ "), env)
        out = {"expr": expr, "repr": repr(value)}
        if isinstance(value, nd.NDArray):
            arr = value.asnumpy()
            out.update(
                values=arr.astype(np.float64).ravel().tolist(), shape=list(arr.shape), dtype=arr.dtype.name
            )
        return out
    except Exception as err:  # noqa: BLE001 - the error type is the golden value
        return {"expr": expr, "error": type(err).__name__}


def main():
    out = [run(e) for e in CASES]
    path = os.path.join(GOLDEN, "nd_cases.json")
    with open(path, "w") as f:
        json.dump({"mxnet": mx.__version__, "numpy": np.__version__, "cases": out}, f, indent=1)
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
