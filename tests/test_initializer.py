"""``mx.init`` against MXNet 1.9.1 and against the initializers' definitions.

Golden file: tests/golden/init_cases.json, written by tools/gen_init_cases.py under the oracle. Its
cases run in order in one namespace, as they did under MXNet; each one is compared on its own:
exact values for deterministic fills, sample statistics for random ones, ``dumps()`` strings,
error types and messages, warnings, and the ``logging`` lines of verbose initialisation. The
other tests check the definitions directly (bounds and moments from the formulas, orthogonality,
the bilinear kernel worked by hand) and the few places where regluon is deliberately more lenient.
"""

import json
import logging
import math
import os
import re
import warnings

import mxnet.registry  # noqa: F401  (so that mx.registry resolves, as after `import mxnet` in MXNet)
import numpy as np
import pytest
from mxnet.gluon import nn

import mxnet as mx
from mxnet import gluon, init, nd

from .conftest import GOLDEN

with open(os.path.join(GOLDEN, "init_cases.json")) as _f:
    CASES = json.load(_f)["cases"]

ERRORS = {
    "AssertionError": AssertionError,
    "ValueError": ValueError,
    "TypeError": TypeError,
    "NotImplementedError": NotImplementedError,
    "MXNetError": mx.base.MXNetError,
}


# ---------------------------------------------------------------------------- replaying the cases
def fill(initializer, name, shape, attrs=None, dtype="float32"):
    arr = nd.full(shape, 7, dtype=dtype)
    initializer(init.InitDesc(name, attrs), arr)
    return arr


def legacy(initializer, name, shape):
    arr = nd.full(shape, 7)
    initializer(name, arr)
    return arr


def fused(initializer, shape, global_init=None):
    return fill(global_init or init.Zero(), "lstm_parameters", shape, {"__init__": initializer})


def orth(arr):
    a = arr.asnumpy().astype(np.float64)
    a = a.reshape(a.shape[0], -1)
    s = float(np.linalg.norm(a, 2))
    rows = bool(np.allclose(a @ a.T, s * s * np.eye(a.shape[0]), atol=1e-4))
    cols = bool(np.allclose(a.T @ a, s * s * np.eye(a.shape[1]), atol=1e-4))
    return rows, cols, round(s, 4)


_OBJ = re.compile(r"<(?:mxnet|regluon)\.initializer(?:\.\w+)*\.(\w+) object at 0x[0-9a-fA-F]+>")


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(_OBJ.sub(r"<\1>", record.getMessage()))


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    """Run every golden case once, in order, in one namespace; return what each one produced."""
    capture = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.INFO)
    env = {
        "mx": mx, "nd": nd, "np": np, "os": os, "gluon": gluon, "nn": nn, "init": init,
        "TMP": str(tmp_path_factory.mktemp("init")), "fill": fill, "legacy": legacy, "orth": orth, "fused": fused,
    }  # fmt: skip
    results = []
    try:
        for case in CASES:
            capture.messages = []
            got = {}
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                exec(case["setup"], env)
                try:
                    got["value"] = eval(case["expr"], env)
                except Exception as err:  # noqa: BLE001 - compared with MXNet's error below
                    got["error"] = err
            got["warnings"] = sorted({w.category.__name__ for w in caught})
            got["logs"] = list(capture.messages)
            results.append(got)
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)
    return results


def _check_value(want, got, where):
    if "array" in want:
        assert isinstance(got, nd.NDArray), where
        assert np.dtype(got.dtype).name == want["dtype"], where
        np.testing.assert_array_equal(
            got.asnumpy(), np.array(want["array"], dtype=want["dtype"]), err_msg=where
        )
    elif "seq" in want:
        assert isinstance(got, tuple | list) and len(got) == len(want["seq"]), where
        for w, g in zip(want["seq"], got, strict=True):
            _check_value(w, g, where)
    else:
        assert repr(got) == want["repr"], where


def _check_stats(want, got, where):
    a = got.asnumpy()
    assert list(a.shape) == want["shape"] and np.dtype(a.dtype).name == want["dtype"], where
    f = a.astype(np.float64)
    n, sd = f.size, want["std"]
    assert abs(f.mean() - want["mean"]) <= 6 * sd / math.sqrt(n), where
    assert abs(f.std() / sd - 1) <= 0.03, where
    if max(-want["min"], want["max"]) < 2 * sd:  # bounded (uniform): the same bounds, nearly reached
        bound = max(-want["min"], want["max"])
        assert -bound * 1.001 <= f.min() <= -bound * 0.99 and bound * 0.99 <= f.max() <= bound * 1.001, where
    else:  # unbounded (normal): extremes of the same size
        assert abs(f.min() - want["min"]) <= 1.5 * sd and abs(f.max() - want["max"]) <= 1.5 * sd, where


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c["expr"][:60] for c in CASES])
def test_case_matches_mxnet(replayed, index):
    want, got = CASES[index], replayed[index]
    where = f"{want['setup']!r} / {want['expr']!r}"
    if "error" in want:
        assert "error" in got, f"{where}: no error, got {got.get('value')!r}"
        err = got["error"]
        assert isinstance(err, ERRORS[want["error"]]), f"{where}: {type(err).__name__}: {err}"
        msg = want.get("msg")
        if msg == "exact":
            assert str(err) == want["message"], where
        elif isinstance(msg, int):
            assert str(err)[:msg] == want["message"][:msg], f"{where}: {err}"
    else:
        assert "error" not in got, f"{where}: {type(got['error']).__name__}: {got['error']}"
        if want.get("stats"):
            _check_stats(want, got["value"], where)
        else:
            _check_value(want, got["value"], where)
    assert got["warnings"] == want["warnings"], where
    assert got["logs"] == want["logs"], where


# ---------------------------------------------------------------------------- the definitions
def _sample(initializer, shape, name="fc_weight"):
    return fill(initializer, name, shape).asnumpy().astype(np.float64)


def _uniform_ok(a, bound):
    assert a.min() >= -bound and a.max() <= bound
    assert a.min() < -0.99 * bound and a.max() > 0.99 * bound
    assert abs(a.std() - bound / math.sqrt(3)) < 0.03 * bound / math.sqrt(3)
    assert abs(a.mean()) < 6 * bound / math.sqrt(3 * a.size)


def _normal_ok(a, sigma):
    assert abs(a.std() - sigma) < 0.03 * sigma
    assert abs(a.mean()) < 6 * sigma / math.sqrt(a.size)


def test_uniform_and_normal_follow_their_parameters():
    _uniform_ok(_sample(init.Uniform(), (200, 100)), 0.07)
    _uniform_ok(_sample(init.Uniform(2.0), (200, 100)), 2.0)
    _normal_ok(_sample(init.Normal(), (200, 100)), 0.01)
    _normal_ok(_sample(init.Normal(sigma=3.0), (200, 100)), 3.0)


@pytest.mark.parametrize(
    "shape, fan_in, fan_out",
    [((300, 200), 200, 300), ((64, 32, 3, 3), 32 * 9, 64 * 9), ((16, 8, 5, 5, 2), 8 * 50, 16 * 50)],
)
def test_xavier_scale_uses_fan_in_and_fan_out(shape, fan_in, fan_out):
    for factor_type, factor in (("avg", (fan_in + fan_out) / 2), ("in", fan_in), ("out", fan_out)):
        scale = math.sqrt(2.5 / factor)
        _uniform_ok(_sample(init.Xavier("uniform", factor_type, 2.5), shape), scale)
        _normal_ok(_sample(init.Xavier("gaussian", factor_type, 2.5), shape), scale)


def test_msraprelu_is_gaussian_xavier_with_he_magnitude():
    for slope in (0.0, 0.25):
        want = math.sqrt(2.0 / (1 + slope**2) / (32 * 9))
        _normal_ok(_sample(init.MSRAPrelu("in", slope), (64, 32, 3, 3)), want)
    assert init.MSRAPrelu(slope=0.5).magnitude == pytest.approx(2 / 1.25)


@pytest.mark.parametrize("rand_type", ["uniform", "normal"])
@pytest.mark.parametrize("shape", [(30, 20), (20, 30), (12, 3, 2, 2), (7,)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape, rand_type):
    a = _sample(init.Orthogonal(scale=1.5, rand_type=rand_type), shape)
    m = a.reshape(shape[0], -1)
    if m.shape[0] >= m.shape[1]:
        np.testing.assert_allclose(m.T @ m, 2.25 * np.eye(m.shape[1]), atol=1e-4)
    else:
        np.testing.assert_allclose(m @ m.T, 2.25 * np.eye(m.shape[0]), atol=1e-4)


def test_bilinear_kernel_worked_by_hand():
    # shape[3] = 4: f = 2, c = 3/4; along an axis the factors are 1 - |x/2 - 3/4| = 1/4, 3/4, 3/4, 1/4
    k = np.array([0.25, 0.75, 0.75, 0.25])
    got = fill(init.Bilinear(), "up_weight", (3, 2, 4, 4)).asnumpy()
    np.testing.assert_array_equal(got, np.broadcast_to(np.outer(k, k), (3, 2, 4, 4)))
    # shape[3] = 3: f = 2 and c = 3/4 again -> 1/4, 3/4, 3/4
    k3 = np.array([0.25, 0.75, 0.75])
    np.testing.assert_array_equal(
        fill(init.Bilinear(), "up_weight", (1, 1, 3, 3)).asnumpy()[0, 0], np.outer(k3, k3)
    )


def test_lstm_bias_sets_only_the_forget_gate():
    got = fill(init.Zero(), "lstm0_i2h_bias", (16,), {"__init__": init.LSTMBias(forget_bias=1.5)}).asnumpy()
    assert got.tolist() == [0] * 4 + [1.5] * 4 + [0] * 8


def test_constant_accepts_arrays_and_round_trips_through_dumps():
    value = nd.array([[1, 2, 3], [4, 5, 6]])
    c = init.Constant(value)
    assert fill(c, "fc_weight", (2, 3)).asnumpy().tolist() == [[1, 2, 3], [4, 5, 6]]
    again = init.create(c.dumps())
    assert fill(again, "fc_weight", (2, 3)).asnumpy().tolist() == [[1, 2, 3], [4, 5, 6]]
    assert c.value is value  # dumps() does not change the initializer


# ---------------------------------------------------------------------------- Gluon and files
def test_gluon_network_gets_own_initializers_and_global_one():
    net = nn.Sequential()
    net.add(nn.Dense(64, in_units=32, bias_initializer=init.Constant(0.5), prefix="a_"))
    net.add(nn.BatchNorm(in_channels=64, prefix="bn_"))
    net.add(nn.Dense(10, in_units=64, weight_initializer="zeros", prefix="b_"))
    net.initialize(init.Xavier(rnd_type="gaussian", factor_type="in", magnitude=2))
    p = {k: v.data().asnumpy() for k, v in net.collect_params().items()}
    _normal_ok(p["a_weight"].astype(np.float64), math.sqrt(2 / 32))
    assert p["a_bias"].tolist() == [0.5] * 64 and p["b_bias"].tolist() == [0.0] * 10
    assert p["bn_gamma"].tolist() == [1] * 64 and p["bn_running_var"].tolist() == [1] * 64
    assert not p["bn_beta"].any() and not p["bn_running_mean"].any()
    assert p["b_weight"].shape == (10, 64) and not p["b_weight"].any()


def test_block_initialize_verbose_logs_each_parameter(caplog):
    net = nn.Dense(2, in_units=3, prefix="logged_")
    with caplog.at_level(logging.INFO):
        net.initialize("ones", verbose=True)  # a name works with verbose too (MXNet needs an instance)
    msgs = [r.getMessage() for r in caplog.records]
    assert msgs[0].startswith("Initialized logged_weight as <") and msgs[0].endswith(": 1.0")
    assert msgs[1] == "Initialized logged_bias as zeros: 0.0"


def test_load_from_an_nd_save_file_and_fall_back(tmp_path):
    fname = str(tmp_path / "ckpt.params")
    nd.save(fname, {"arg:fc_weight": nd.array([[1, 2], [3, 4]]), "aux:bn_moving_var": nd.array([2, 3])})
    load = init.Load(fname, default_init=init.Constant(-1))
    assert fill(load, "fc_weight", (2, 2)).asnumpy().tolist() == [[1, 2], [3, 4]]
    assert fill(load, "bn_moving_var", (2,)).asnumpy().tolist() == [2, 3]
    assert fill(load, "other_weight", (3,)).asnumpy().tolist() == [-1, -1, -1]
    with pytest.raises(AssertionError, match=r"fc_weight .*target \(2, 3\) vs loaded \(2, 2\)"):
        fill(load, "fc_weight", (2, 3))
    nd.save(fname, [nd.ones((2,))])
    with pytest.raises(AssertionError, match="dict of name"):
        init.Load(fname)


# ---------------------------------------------------------------------------- where regluon is clearer
def test_errors_name_the_parameter_and_the_choices():
    with pytest.raises(ValueError, match="did not match any pattern.*bn_gamma|bn_gamma.*did not match"):
        fill(init.Mixed(["fc.*"], [init.One()]), "bn_gamma", (2,))
    with pytest.raises(ValueError, match="rand_type must be 'uniform' or 'normal', got 'bad'"):
        fill(init.Orthogonal(rand_type="bad"), "fc_weight", (2, 2))
    with pytest.raises(ValueError, match=r"Bilinear initializer needs a 4-d .*up_weight has shape \(3, 3\)"):
        fill(init.Bilinear(), "up_weight", (3, 3))
    with pytest.raises(ValueError, match="factor type 'bad'.*'avg', 'in' or 'out'"):
        fill(init.Xavier(factor_type="bad"), "fc_weight", (2, 2))
    with pytest.raises(AssertionError, match="nosuch is not registered.*registered: .*xavier"):
        init.create("nosuch")
    with pytest.raises(ValueError, match="mode must be one of"):
        init.FusedRNN(None, 4, 1, "lstmx")


def test_fused_rnn_accepts_a_name_or_json_for_its_initializer():
    # MXNet 1.9.1 fails on these (KeyError: its lookup uses the wrong registry key); regluon builds them.
    a = fused(init.FusedRNN('["constant", {"value": 0.5}]', 2, 1, "lstm"), (56,)).asnumpy()
    assert a[:40].tolist() == [0.5] * 40  # all weights
    assert a[40:].tolist() == [0, 0, 1, 1, 0, 0, 0, 0] * 2  # i2h then h2h biases, forget gate = 1
    assert init.FusedRNN("ones", 2, 1, "gru").dumps().startswith('["fusedrnn", {"init": "[\\"one\\", {}]"')


def test_initializers_compare_by_value():
    assert init.Xavier(magnitude=2) == init.create('["xavier", {"magnitude": 2}]')
    assert init.Normal(0.5) == init.create("normal", sigma=0.5)
    assert init.Normal(0.5) != init.Normal(0.4)
