"""ImageDetIter.draw_next and its rectangle drawing against MXNet 1.9.1 + OpenCV 4.8.1 pixels
(tests/golden/io/draw.npz, written by tools/gen_draw_golden.py), and mx.image's module names."""

import json
import os
import random

import numpy as np
import pytest
from mxnet.base import MXNetError

import mxnet as mx
from regluon.image.draw import rectangle

from .conftest import GOLDEN

IO = os.path.join(GOLDEN, "io")
G = np.load(os.path.join(IO, "draw.npz"))
with open(os.path.join(IO, "draw.json")) as _f:
    J = json.load(_f)


def _arg(v):
    return np.array(v) if isinstance(v, list) else v


def _iter(**kw):
    random.seed(1)
    return mx.image.ImageDetIter(
        batch_size=2, data_shape=(3, 40, 48), path_imgrec=os.path.join(IO, "det.rec"), inter_method=1, **kw
    )


def test_rectangle_matches_opencv():
    """Every cv2.rectangle case: thickness 0/1/thick/filled, corners outside, float colours."""
    for i, (h, w, p1, p2, t, color) in enumerate(J["rect"]):
        img = np.zeros((h, w, 3), np.uint8)
        rectangle(img, tuple(p1), tuple(p2), color, t)
        np.testing.assert_array_equal(img, G[f"rect/{i}"], err_msg=f"case {i}: {h}x{w} {p1} {p2} t={t}")


@pytest.mark.parametrize("name", sorted(J["draw"]))
def test_draw_next_matches_mxnet(name):
    case = J["draw"][name]
    it = _iter(**{k: _arg(v) for k, v in case["iter"].items()})
    if case["seed"] is not None:
        np.random.seed(case["seed"])
    draw_kw = {k: tuple(v) if k == "color" else _arg(v) for k, v in case["draw"].items()}
    images = []
    for img in it.draw_next(**draw_kw):
        images.append(img)
        if len(images) == case["count"]:
            break
    assert len(images) == case["count"]
    for k, img in enumerate(images):
        assert img.dtype == np.uint8 and img.shape == (40, 48, 3)
        np.testing.assert_array_equal(img, G[f"draw/{name}/{k}"], err_msg=f"image {k}")


def test_draw_next_properties():
    """Worked by hand: BGR order, colour only on the box outline, the interior untouched."""
    it = _iter()
    plain = next(it.draw_next(color=(0, 0, 0), thickness=0))  # black 1-pixel boxes
    it = _iter()
    img = next(it.draw_next(color=(255, 40, 0), thickness=1))
    # first record: one box [0, 0.1, 0.2, 0.6, 0.7] on a 48x40 image
    # float32 label values scaled in float64: 0.7 is stored as 0.69999998..., so y2 = 27
    x1, y1, x2, y2 = (int(float(np.float32(v)) * s) for v, s in ((0.1, 48), (0.2, 40), (0.6, 48), (0.7, 40)))
    assert (x1, y1, x2, y2) == (4, 8, 28, 27)
    edge = np.zeros((40, 48), bool)
    edge[y1, x1 : x2 + 1] = edge[y2, x1 : x2 + 1] = edge[y1 : y2 + 1, x1] = edge[y1 : y2 + 1, x2] = True
    assert (img[edge] == [0, 40, 255]).all()  # BGR
    np.testing.assert_array_equal(img[~edge], plain[~edge])
    # the image itself is the augmented RGB batch image, channels reversed
    data = _iter().next().data[0].asnumpy()[0].transpose(1, 2, 0)[:, :, ::-1]
    np.testing.assert_array_equal(plain[~edge], data[~edge].astype(np.uint8))


def test_draw_next_writes_class_names():
    names = {0: "cat", 1: "dog", 2: "car"}
    bare = next(_iter().draw_next(color=(255, 0, 0), thickness=1))
    text = next(_iter().draw_next(color=(255, 0, 0), thickness=1, id2labels=names))
    changed = np.argwhere((bare != text).any(axis=2))
    assert changed.size, "no text drawn"
    # white text starting right of and below the box corner (4, 8)
    assert changed[:, 0].min() >= 8 + 5 - 2 and changed[:, 1].min() >= 4 + 5 - 2
    assert (text[tuple(changed.T)] > bare[tuple(changed.T)]).all(axis=1).any()
    # a class missing from id2labels gets no text
    same = next(_iter().draw_next(color=(255, 0, 0), thickness=1, id2labels={7: "x"}))
    np.testing.assert_array_equal(same, bare)


def test_draw_next_window_arguments_and_errors():
    it = _iter()
    with pytest.warns(UserWarning, match="opens no window"):
        next(it.draw_next(waitKey=1, window_name="boxes"))
    with pytest.raises(MXNetError, match="std must be"):
        next(_iter().draw_next(std=[1, 2, 3]))
    images = list(_iter().draw_next())
    assert len(images) == 4  # one pass over the four records, then the generator ends


def test_image_module_names():
    from mxnet.image import det
    from mxnet.image.image import ImageIter, SequentialAug

    assert det is mx.image.detection and det.ImageDetIter is mx.image.ImageDetIter
    for name in (
        "DetAugmenter",
        "DetBorrowAug",
        "DetRandomSelectAug",
        "DetHorizontalFlipAug",
        "DetRandomCropAug",
    ):
        assert getattr(mx.image.det, name) is getattr(mx.image, name)
    for name in ("DetRandomPadAug", "CreateMultiRandCropAugmenter", "CreateDetAugmenter"):
        assert getattr(mx.image.det, name) is getattr(mx.image, name)
    assert ImageIter is mx.image.ImageIter and SequentialAug is mx.image.SequentialAug
    assert (
        mx.image.image.imresize is mx.image.imresize
        and mx.image.image.CreateAugmenter is mx.image.CreateAugmenter
    )
