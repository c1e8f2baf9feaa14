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
    with pytest.raises(MXNetError, match="random_hue_prob is not supported"):
        _make("det_force", random_hue_prob=0.5)
    with pytest.raises(MXNetError, match="min_crop_scales has 2 values, num_crop_sampler is 3"):
        _make("det_force", rand_crop_prob=1, num_crop_sampler=3, min_crop_scales=(0.1, 0.2))
    with pytest.raises(MXNetError, match="crop_emit_mode must be"):
        _make("det_force", crop_emit_mode="middle")
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


def _boxes_rec(tmp_path):
    """Three black images with white boxes on whole pixels, labelled [2, 5, class, box...]."""
    import io

    from PIL import Image

    specs = [
        ((40, 60), [(5, 4, 25, 20), (34, 22, 56, 38)]),
        ((50, 30), [(3, 6, 20, 30)]),
        ((36, 36), [(10, 10, 30, 26)]),
    ]
    w = mx.recordio.MXRecordIO(str(tmp_path / "boxes.rec"), "w")
    for k, ((h, wd), boxes) in enumerate(specs):
        img = np.zeros((h, wd, 3), np.uint8)
        label = [2, 5]
        for c, (x0, y0, x1, y1) in enumerate(boxes):
            img[y0:y1, x0:x1] = 255
            label += [c, x0 / wd, y0 / h, x1 / wd, y1 / h]
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, "PNG")
        w.write(mx.recordio.pack(mx.recordio.IRHeader(0, label, k, 0), buf.getvalue()))
    w.close()
    return str(tmp_path / "boxes.rec")


def _check_boxes_on_pixels(batch):
    """Each label row's boxes lie on whole pixels of its image and cover white pixels only."""
    data, labels = batch.data[0].asnumpy(), batch.label[0].asnumpy()
    sizes = []
    for img, row in zip(data, labels):
        h, w, n = int(row[1]), int(row[2]), int(row[3])
        assert (img[:, h:, :] == 0).all() and (img[:, :, w:] == 0).all()
        boxes = row[4 : 4 + n][2:].reshape(-1, 5)
        assert len(boxes) and (boxes[:, 1:] >= 0).all() and (boxes[:, 1:] <= 1).all()
        for _, x0, y0, x1, y1 in boxes:
            px = np.array([x0 * w, x1 * w, y0 * h, y1 * h])
            assert np.abs(px - np.round(px)).max() < 1e-3, px
            a, b, c, d = np.round(px).astype(int)
            assert b > a and d > c and (img[:, c:d, a:b] == 255).all()
        sizes.append((h, w))
    return sizes, data


def test_det_record_iter_random_crop_and_pad_keep_boxes_on_their_pixels(tmp_path):
    rec = _boxes_rec(tmp_path)
    it = mx.io.ImageDetRecordIter(
        path_imgrec=rec, data_shape=(3, 200, 200), batch_size=3, resize_mode="shrink", seed=4,
        rand_crop_prob=0.8, num_crop_sampler=3, min_crop_scales=(0.3, 0.5, 0.7), max_crop_scales=(0.5, 0.8, 1.0),
        min_crop_aspect_ratios=0.5, max_crop_aspect_ratios=2.0, min_crop_overlaps=(0.1, 0.3, 0.0),
        rand_pad_prob=0.5, max_pad_scale=3.0, fill_value=127, rand_mirror_prob=0.5,
    )  # fmt: skip
    sizes, filled = set(), False
    for _ in range(6):
        for b in it:
            got, data = _check_boxes_on_pixels(b)
            sizes.update(got)
            filled |= (data == 127).any()
        it.reset()
    originals = {(40, 60), (50, 30), (36, 36)}
    assert (
        sizes - originals and any(h < 36 for h, _ in sizes) and any(h > 50 for h, _ in sizes)
    )  # cropped and padded
    assert filled


def test_det_record_iter_crop_covering_whole_objects(tmp_path):
    # every crop must hold a whole box, and only boxes wholly inside are kept: the kept boxes are
    # exact white rectangles bordered by black (or the image edge)
    it = mx.io.ImageDetRecordIter(
        path_imgrec=_boxes_rec(tmp_path), data_shape=(3, 64, 64), batch_size=3, resize_mode="shrink", seed=1,
        rand_crop_prob=1, min_crop_scales=0.5, max_crop_scales=1.0, min_crop_object_coverages=1.0,
        crop_emit_mode="overlap", emit_overlap_thresh=1.0,
    )  # fmt: skip
    for _ in range(4):
        for b in it:
            _, data = _check_boxes_on_pixels(b)
            for img, row in zip(data, b.label[0].asnumpy()):
                h, w, n = int(row[1]), int(row[2]), int(row[3])
                for _, x0, y0, x1, y1 in row[4 : 4 + n][2:].reshape(-1, 5):
                    a, bb, c, d = (int(round(v)) for v in (x0 * w, x1 * w, y0 * h, y1 * h))
                    inner = np.zeros((h, w), bool)
                    inner[max(c - 1, 0) : d + 1, max(a - 1, 0) : bb + 1] = True
                    inner[c:d, a:bb] = False
                    assert (img[0, :h, :w][inner] == 0).all()  # the pixel ring around the box is black
        it.reset()


def test_augmentations_not_performed_are_refused_not_ignored():
    rec = os.path.join(IO, "iter_imgs.rec")
    it = mx.io.ImageRecordIter(
        path_imgrec=rec, data_shape=(3, 8, 8), batch_size=1, brightness=0, min_aspect_ratio=None
    )
    assert it.next().data[0].shape == (1, 3, 8, 8)  # MXNet's defaults are accepted
    for key, value in (
        ("brightness", 0.4),
        ("max_rotate_angle", 10),
        ("rotate", 5),
        ("random_resized_crop", True),
    ):
        with pytest.raises(MXNetError, match=f"{key}={value!r} is not supported"):
            mx.io.ImageRecordUInt8Iter(path_imgrec=rec, data_shape=(3, 8, 8), batch_size=1, **{key: value})


def test_pad_then_enlarge_keeps_a_fill_border():
    """A padded image smaller than data_shape is enlarged as a whole (MXNet's sampling differs
    slightly there): the fill border stays at the edges, the image in the middle."""
    it = mx.io.ImageRecordUInt8Iter(
        path_imgrec=os.path.join(IO, "iter_imgs.rec"),
        data_shape=(3, 20, 20),
        batch_size=5,
        pad=3,
        fill_value=9,
    )
    data = it.next().data[0].asnumpy()
    assert data.shape == (5, 3, 20, 20)
    assert (data[:, :, :1, :] == 9).all() and (data[:, :, :, :1] == 9).all()
    assert (data[:, :, -1:, :] == 9).all() and (data[:, :, :, -1:] == 9).all()
    assert (data[:, :, 8:12, 8:12] != 9).any(axis=(1, 2, 3)).all()
