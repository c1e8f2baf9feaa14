"""ImageRecordUInt8Iter / ImageRecordInt8Iter / ImageRecordIter(dtype=...) and ImageDetRecordIter
against MXNet 1.9.1's batches (tests/golden/io/record_iter2.*, from tools/gen_record_iter_golden.py)."""

import json
import os

import numpy as np
import pytest
from mxnet.base import MXNetError

import mxnet as mx

from .conftest import GOLDEN

IO = os.path.join(GOLDEN, "io")
G = np.load(os.path.join(IO, "record_iter2.npz"))
with open(os.path.join(IO, "record_iter2.json")) as _f:
    J = json.load(_f)


def _make(name, **extra):
    cls, rec, kw = J["cases"][name]
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in kw.items()}
    return getattr(mx.io, cls)(path_imgrec=os.path.join(IO, rec + ".rec"), **kw, **extra)


@pytest.mark.parametrize("name", sorted(J["cases"]))
def test_record_iter_matches_mxnet(name):
    it = _make(name, preprocess_threads=2)
    meta = J["meta"][name]
    assert [list(it.provide_data[0].shape), np.dtype(it.provide_data[0].dtype).name] == meta["data"]
    assert list(it.provide_label[0].shape) == meta["label"]
    for epoch in range(2):
        pads = []
        for j, b in enumerate(it):
            # without round_batch, MXNet leaves the previous batch's images in the padded slots
            # (regluon zero-fills them): only the real images are compared there
            n = len(b.data[0]) - (b.pad if J["cases"][name][2].get("round_batch") is False else 0)
            want = G[f"{name}/{epoch}/{j}/data"]
            got = b.data[0].asnumpy()
            assert got.dtype == want.dtype
            np.testing.assert_allclose(
                got[:n], want[:n], rtol=1e-6, atol=1e-5, err_msg=f"epoch {epoch} batch {j}"
            )
            np.testing.assert_array_equal(b.label[0].asnumpy()[:n], G[f"{name}/{epoch}/{j}/label"][:n])
            pads.append(b.pad)
        assert pads == meta["pads"][epoch]
        it.reset()


def test_int8_and_uint8_by_hand():
    """uint8: the pixels themselves; int8: pixel - round_half_away(mean), saturated."""
    plain = _make("rec_dtype_uint8").next().data[0].asnumpy().astype(np.int32)
    got = _make("i8_mean").next().data[0].asnumpy()
    means = np.array([201, 6, -1])[:, None, None]  # 200.6, 5.5, -0.5 rounded half away from zero
    np.testing.assert_array_equal(got, np.clip(plain - means, -128, 127))
    assert (got == -128).any() and (got == 127).any()


def test_det_record_iter_labels_by_hand():
    """The label row: [C, h, w, n, stored values..., pad]; mirroring maps xmin, xmax to 1 - xmax, 1 - xmin."""
    b = _make("det_force").next()
    row = b.label[0].asnumpy()[1]
    stored = [2, 5, 1, 0.0, 0.0, 0.5, 0.5, 0, 0.4, 0.3, 0.9, 0.95]  # record 1 of det.rec
    np.testing.assert_allclose(row, [3, 8, 10, 12] + stored, rtol=1e-7)
    m = _make("det_mirror").next().label[0].asnumpy()[1]
    np.testing.assert_allclose(m[4 + 2 :], [1, 0.5, 0.0, 1.0, 0.5, 0, 0.1, 0.3, 0.6, 0.95], rtol=1e-6)


def test_det_record_iter_bad_input(tmp_path):
    with pytest.raises(MXNetError, match="rand_crop_prob is not supported"):
        _make("det_force", rand_crop_prob=0.5)
    with pytest.raises(MXNetError, match="resize_mode must be"):
        _make("det_force", resize_mode="squash")
    with pytest.raises(MXNetError, match="more than label_pad_width=8"):
        _make("det_force", label_pad_width=8)
    with pytest.raises(MXNetError, match="label_width is 7"):
        _make("det_force", label_width=7)
    with pytest.raises(MXNetError, match="dtype must be float32"):
        _make("det_force", dtype="uint8")
    with pytest.raises(MXNetError, match="unknown dtype 'float16'"):
        mx.io.ImageRecordIter(
            path_imgrec=os.path.join(IO, "iter_imgs.rec"), data_shape=(3, 8, 8), batch_size=1, dtype="float16"
        )
    png = open(os.path.join(IO, "img_rgb.png"), "rb").read()
    w = mx.recordio.MXRecordIO(str(tmp_path / "d.rec"), "w")
    w.write(mx.recordio.pack(mx.recordio.IRHeader(0, [2, 5, 0, 0.1, 0.1, 0.5, 0.5, 1], 0, 0), png))
    w.close()
    with pytest.raises(MXNetError, match="not \\[header_width"):
        mx.io.ImageDetRecordIter(path_imgrec=str(tmp_path / "d.rec"), data_shape=(3, 8, 8), batch_size=1)
