"""nd.save / nd.load in MXNet's binary format: files MXNet 1.9.1 wrote, byte-identical output, bad input."""

import os
import struct

import numpy as np
import pytest

import mxnet as mx
from mxnet import nd

from .conftest import GOLDEN

FILES = os.path.join(GOLDEN, "files")
with open(os.path.join(FILES, "cases.txt")) as _f:
    CASES = [line.rstrip("\n").split("\t") for line in _f if line.strip()]


@pytest.mark.parametrize("name,expr", CASES, ids=[c[0] for c in CASES])
def test_reads_mxnet_files_and_writes_the_same_bytes(name, expr, tmp_path):
    expected = eval(expr, {"nd": nd, "np": np})
    loaded = nd.load(os.path.join(FILES, name))
    if isinstance(expected, nd.NDArray):
        expected = [expected]
    if isinstance(expected, dict):
        assert list(loaded) == list(expected)
        pairs = [(loaded[k], expected[k]) for k in expected]
    else:
        assert isinstance(loaded, list) and len(loaded) == len(expected)
        pairs = list(zip(loaded, expected))
    for got, want in pairs:
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())
    ours = tmp_path / name
    nd.save(str(ours), eval(expr, {"nd": nd, "np": np}))
    with open(os.path.join(FILES, name), "rb") as f:
        assert ours.read_bytes() == f.read()


def test_round_trip_and_context(tmp_path):
    path = str(tmp_path / "x.nd")
    x = nd.arange(6, ctx=mx.cpu(1)).reshape((2, 3))
    nd.save(path, [x, x * 2])
    a, b = nd.load(path)
    assert a.context == mx.cpu(0) and (b.asnumpy() == 2 * x.asnumpy()).all()


def _blob(name="single.nd"):
    with open(os.path.join(FILES, name), "rb") as f:
        return f.read()


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda b: b[:-5], "truncated or corrupt"),
        (lambda b: b[:30], "truncated or corrupt"),
        (lambda b: b"\x00" * 8 + b[8:], "not an MXNet NDArray file"),
        (lambda b: b + b"\x01", "unexpected trailing bytes"),
        (lambda b: b[:16] + struct.pack("<Q", 2**40) + b[24:], "claims"),
        (lambda b: b[:28] + struct.pack("<i", 5) + b[32:], "unknown storage type 5"),
        (lambda b: b[:28] + struct.pack("<i", 1) + b[32:], "unsupported dtype flag|truncated"),  # bad sparse
        (lambda b: b"", "truncated or corrupt"),
    ],
)
def test_bad_files_raise_mxnet_error(tmp_path, mutate, message):
    path = tmp_path / "bad.nd"
    path.write_bytes(mutate(_blob()))
    with pytest.raises(mx.base.MXNetError, match=message):
        nd.load(str(path))


def test_save_rejects_bad_data(tmp_path):
    with pytest.raises(TypeError, match="every value must be an NDArray"):
        nd.save(str(tmp_path / "x.nd"), [np.ones(2)])
    with pytest.raises(TypeError, match="keys must be strings"):
        nd.save(str(tmp_path / "x.nd"), {1: nd.ones((1,))})
