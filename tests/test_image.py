"""mx.image against MXNet 1.9.1's results for fixed images (tests/golden/io/image.npz).

Measured agreement (tools/gen_io_golden.py images, 24x36):
- decoding JPEG and PNG, colour and grey, RGB and BGR: identical pixels;
- imresize, uint8: nearest and bilinear identical; bicubic, area and Lanczos within 1 (OpenCV's
  fixed-point rounding); float32: within 1e-4 for every interpolation.
"""

import json
import os
import random

import numpy as np
import pytest
from mxnet.base import MXNetError

import mxnet as mx

from .conftest import GOLDEN

IO = os.path.join(GOLDEN, "io")
G = np.load(os.path.join(IO, "image.npz"))
SRC = G["source_rgb"]
EXACT_U8 = {0, 1}  # interpolations whose uint8 pixels equal MXNet's exactly


def _bytes(name):
    with open(os.path.join(IO, name), "rb") as f:
        return f.read()


DECODE = [k for k in G.files if k.startswith("decode/")]


@pytest.mark.parametrize("key", DECODE)
def test_imdecode_matches_mxnet(key):
    _, name, flag, to_rgb = key.split("/")
    img = mx.image.imdecode(_bytes(name), flag=int(flag), to_rgb=int(to_rgb))
    assert isinstance(img, mx.nd.NDArray) and img.dtype == np.uint8
    np.testing.assert_array_equal(img.asnumpy(), G[key])


def test_imread_and_buffer_types(tmp_path):
    path = os.path.join(IO, "img_rgb.png")
    np.testing.assert_array_equal(mx.image.imread(path).asnumpy(), G["decode/img_rgb.png/1/1"])
    np.testing.assert_array_equal(mx.image.imread(path, 0).asnumpy(), G["decode/img_rgb.png/0/1"])
    raw = np.frombuffer(_bytes("img_rgb.png"), dtype=np.uint8)
    np.testing.assert_array_equal(mx.image.imdecode(raw).asnumpy(), G["decode/img_rgb.png/1/1"])
    np.testing.assert_array_equal(mx.image.imdecode(mx.nd.array(raw, dtype="uint8")).asnumpy(), SRC)
    np.testing.assert_array_equal(SRC, G["decode/img_rgb.png/1/1"])  # PNG is lossless


RESIZE = [k for k in G.files if k.startswith("imresize/")]


@pytest.mark.parametrize("key", RESIZE)
def test_imresize_matches_mxnet(key):
    _, kind, size, interp = key.split("/")
    w, h = map(int, size.split("x"))
    src = mx.nd.array(SRC, dtype="uint8") if kind == "u8" else mx.nd.array(SRC, dtype="float32") / 3.0
    out = mx.image.imresize(src, w, h, interp=int(interp)).asnumpy()
    want = G[key]
    assert out.shape == want.shape and out.dtype == want.dtype
    if kind == "f32":
        np.testing.assert_allclose(out, want, rtol=0, atol=1e-4)
    elif int(interp) in EXACT_U8:
        np.testing.assert_array_equal(out, want)
    else:
        assert np.abs(out.astype(int) - want).max() <= 1


def test_crops_resize_short_border_scale_down():
    src = mx.nd.array(SRC, dtype="uint8")
    for size in (12, 30):
        out = mx.image.resize_short(src, size).asnumpy()
        assert out.shape == G[f"resize_short/{size}"].shape
        assert np.abs(out.astype(int) - G[f"resize_short/{size}"]).max() <= 1
    for w, h in ((20, 20), (40, 10)):
        out, box = mx.image.center_crop(src, (w, h))
        assert tuple(box) == tuple(G[f"center_crop_box/{w}x{h}"])
        assert np.abs(out.asnumpy().astype(int) - G[f"center_crop/{w}x{h}"]).max() <= 1
    np.testing.assert_array_equal(mx.image.fixed_crop(src, 3, 2, 10, 8).asnumpy(), G["fixed_crop/plain"])
    out = mx.image.fixed_crop(src, 3, 2, 10, 8, size=(20, 16)).asnumpy()
    assert np.abs(out.astype(int) - G["fixed_crop/resized"]).max() <= 1
    for btype in range(5):
        out = mx.image.copyMakeBorder(src, 2, 3, 4, 1, type=btype, value=9)
        np.testing.assert_array_equal(out.asnumpy(), G[f"border/{btype}"])
    out = mx.image.copyMakeBorder(src, 1, 1, 1, 1, values=(1, 2, 3))
    np.testing.assert_array_equal(out.asnumpy(), G["border/values"])
    cases = [((640, 480), (720, 120)), ((100, 100), (50, 200)), ((30, 40), (20, 10))]
    assert [list(mx.image.scale_down(s, c)) for s, c in cases] == G["scale_down"].tolist()


def test_random_crop_is_a_crop():
    src = mx.nd.array(SRC, dtype="uint8")
    random.seed(3)
    out, (x0, y0, w, h) = mx.image.random_crop(src, (10, 8))
    assert (w, h) == (10, 8) and 0 <= x0 <= 26 and 0 <= y0 <= 16
    np.testing.assert_array_equal(out.asnumpy(), SRC[y0 : y0 + 8, x0 : x0 + 10])
    out, (x0, y0, w, h) = mx.image.random_size_crop(src, (12, 12), (0.3, 0.6), (0.75, 1.33))
    assert out.shape == (12, 12, 3) and 0.2 * 24 * 36 <= w * h <= 0.7 * 24 * 36


def test_color_normalize_in_place():
    img = mx.nd.array(SRC, dtype="float32")
    mean, std = mx.nd.array([100, 110, 120]), mx.nd.array([50, 60, 70])
    out = mx.image.color_normalize(img, mean, std)
    np.testing.assert_allclose(out.asnumpy(), (SRC - [100, 110, 120]) / [50, 60, 70], rtol=1e-6)
    assert out is img


def test_bad_input():
    with pytest.raises(MXNetError, match="decoding failed"):
        mx.image.imdecode(b"this is not an image")
    with pytest.raises(ValueError, match="buf must be of type bytes"):
        mx.image.imdecode("a string")
    with pytest.raises(MXNetError, match="flag must be 0"):
        mx.image.imdecode(_bytes("img_rgb.png"), flag=-1)
    with pytest.raises(MXNetError, match="cannot read"):
        mx.image.imread("/nonexistent/cat.jpg")
    with pytest.raises(ValueError, match="Unknown interp method 7"):
        mx.image.imresize(mx.nd.array(SRC, dtype="uint8"), 5, 5, interp=7)
    with pytest.raises(MXNetError, match="target size must be positive"):
        mx.image.imresize(mx.nd.array(SRC, dtype="uint8"), 0, 5)


# ------------------------------------------------------------------ augmenters and ImageIter
AUG_G = np.load(os.path.join(IO, "augment.npz"))
with open(os.path.join(IO, "augment.json")) as _f:
    AUG_J = json.load(_f)
EIGVAL = np.array([55.46, 4.794, 1.148])
EIGVEC = np.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])
# the list tools/gen_io_golden.py (augmenters) ran, in the same order (it seeds with the position)
AUGS = [
    ("brightness", lambda: mx.image.BrightnessJitterAug(0.3)),
    ("contrast", lambda: mx.image.ContrastJitterAug(0.3)),
    ("saturation", lambda: mx.image.SaturationJitterAug(0.3)),
    ("hue", lambda: mx.image.HueJitterAug(0.2)),
    ("colorjitter", lambda: mx.image.ColorJitterAug(0.2, 0.2, 0.2)),
    ("lighting", lambda: mx.image.LightingAug(0.1, EIGVAL, EIGVEC)),
    ("gray", lambda: mx.image.RandomGrayAug(0.5)),
    ("flip", lambda: mx.image.HorizontalFlipAug(0.5)),
    ("randcrop", lambda: mx.image.RandomCropAug((6, 5), 1)),
    ("sizedcrop", lambda: mx.image.RandomSizedCropAug((6, 6), 0.3, (0.75, 1.33), 1)),
    ("resize", lambda: mx.image.ResizeAug(6, 1)),
    ("forceresize", lambda: mx.image.ForceResizeAug((7, 5), 1)),
    ("centercrop", lambda: mx.image.CenterCropAug((6, 6), 1)),
    ("cast", lambda: mx.image.CastAug()),
    ("normalize", lambda: mx.image.ColorNormalizeAug(mx.nd.array([10, 20, 30]), mx.nd.array([2, 3, 4]))),
]
UINT8_AUGS = {"randcrop", "sizedcrop", "resize", "forceresize", "centercrop", "cast", "flip"}


@pytest.mark.parametrize("i", range(len(AUGS)), ids=[a[0] for a in AUGS])
def test_augmenter_matches_mxnet_under_the_same_seed(i):
    name, make = AUGS[i]
    random.seed(i)
    np.random.seed(i)
    aug = make()
    assert aug.dumps() == AUG_J["dumps"][name]
    for k in range(3):
        src = mx.nd.array(SRC[:10, :12], dtype="uint8")
        if name not in UINT8_AUGS:
            src = src.astype("float32")
        out, want = aug(src).asnumpy(), AUG_G[f"aug/{name}/{k}"]
        assert out.dtype == want.dtype and out.shape == want.shape
        np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("name", sorted(AUG_J["create"]))
def test_create_augmenter_list(name):
    got = [a.dumps() for a in mx.image.CreateAugmenter((3, 8, 8), **AUG_J["create"][name])]
    assert got == AUG_J["dumps"]["create/" + name]


@pytest.mark.parametrize("name", sorted(AUG_J["image_iters"]))
def test_image_iter_matches_mxnet(name):
    kw = dict(AUG_J["image_iters"][name])
    rec = kw.pop("rec", "iter_imgs")
    if kw.pop("use_idx", False):
        kw["path_imgidx"] = os.path.join(IO, rec + ".idx")
    kw["data_shape"] = tuple(kw["data_shape"])
    random.seed(5)
    np.random.seed(5)
    it = mx.image.ImageIter(path_imgrec=os.path.join(IO, rec + ".rec"), **kw)
    meta = AUG_J["image_iter"][name]
    assert [[d[0], list(d[1])] for d in it.provide_data] == meta["provide_data"]
    assert [[d[0], list(d[1])] for d in it.provide_label] == meta["provide_label"]
    for epoch in range(2):
        pads = []
        for j, b in enumerate(it):
            np.testing.assert_allclose(
                b.data[0].asnumpy(), AUG_G[f"iter/{name}/{epoch}/{j}/data"], rtol=1e-5, atol=1e-4
            )
            np.testing.assert_array_equal(b.label[0].asnumpy(), AUG_G[f"iter/{name}/{epoch}/{j}/label"])
            pads.append(b.pad)
        assert pads == meta["pads"][epoch]
        it.reset()


def test_image_iter_from_lst_and_imglist(tmp_path):
    from PIL import Image

    for i in range(3):
        Image.fromarray(np.full((8, 9, 3), 40 * i, np.uint8)).save(tmp_path / f"{i}.png")
    (tmp_path / "a.lst").write_text("".join(f"{i}\t{i * 2}.0\t{i}.png\n" for i in range(3)))
    it = mx.image.ImageIter(2, (3, 8, 8), path_imglist=str(tmp_path / "a.lst"), path_root=str(tmp_path))
    batches = list(it)
    assert [b.pad for b in batches] == [0, 1]
    assert batches[1].label[0].asnumpy().tolist() == [4.0, 0.0]
    np.testing.assert_array_equal(batches[1].data[0].asnumpy()[0], np.full((3, 8, 8), 80.0))
    it = mx.image.ImageIter(3, (3, 8, 8), imglist=[[7.0, "2.png"], [1.0, "0.png"]], path_root=str(tmp_path))
    assert it.next().label[0].asnumpy().tolist() == [7.0, 1.0, 7.0]
    with pytest.raises(MXNetError, match="add a crop or resize"):
        mx.image.ImageIter(
            1, (3, 8, 8), imglist=[[0.0, "0.png"]], path_root=str(tmp_path), aug_list=[]
        ).next()
    with pytest.raises(MXNetError, match="cannot read image"):
        mx.image.ImageIter(1, (3, 8, 8), imglist=[[0.0, "zz.png"]], path_root=str(tmp_path)).next()


# ------------------------------------------------------------------ detection
DET_G = np.load(os.path.join(IO, "det.npz"))
with open(os.path.join(IO, "det.json")) as _f:
    DET_J = json.load(_f)


def _det_iter(name):
    kw = dict(DET_J["cases"][name])
    if kw.pop("use_idx", False):
        kw["path_imgidx"] = os.path.join(IO, "det.idx")
    kw["data_shape"] = tuple(kw["data_shape"])
    random.seed(9)
    np.random.seed(9)
    return mx.image.ImageDetIter(path_imgrec=os.path.join(IO, "det.rec"), **kw)


def test_create_det_augmenter_list():
    got = [a.dumps() for a in mx.image.CreateDetAugmenter((3, 16, 16), **DET_J["create_args"])]
    assert got == DET_J["meta"]["create"]


@pytest.mark.parametrize("name", ["plain", "mirror_shuffle"])
def test_image_det_iter_matches_mxnet(name):
    it = _det_iter(name)
    assert [it.provide_label[0][0], list(it.provide_label[0][1])] == DET_J["meta"][name]["provide_label"]
    for epoch in range(2):
        pads = []
        for j, b in enumerate(it):
            np.testing.assert_array_equal(b.data[0].asnumpy(), DET_G[f"det/{name}/{epoch}/{j}/data"])
            np.testing.assert_allclose(
                b.label[0].asnumpy(), DET_G[f"det/{name}/{epoch}/{j}/label"], atol=1e-6
            )
            pads.append(b.pad)
        assert pads == DET_J["meta"][name]["pads"][epoch]
        it.reset()


def test_image_det_iter_random_crop_keeps_valid_boxes():
    """MXNet's crop proposals use another sampling order, so only the contract is checked here."""
    it = _det_iter("crop")
    labels = np.concatenate([b.label[0].asnumpy() for b in it])
    objects = labels[labels[:, :, 0] >= 0]
    assert objects.size and (objects[:, 1:] >= 0).all() and (objects[:, 1:] <= 1).all()
    assert (objects[:, 3] > objects[:, 1]).all() and (objects[:, 4] > objects[:, 2]).all()
    assert ((labels[:, :, 0] >= 0) | (labels == -1).all(axis=2)).all()  # rows are objects or all -1
    aug = mx.image.DetRandomCropAug(min_object_covered=0.9, area_range=(0.3, 0.6))
    src = mx.nd.array(SRC, dtype="uint8")
    box = np.array([[1, 0.2, 0.2, 0.5, 0.6]], np.float32)
    for seed in range(5):
        random.seed(seed)
        out, lab = aug(src, box)
        if out.shape != src.shape:  # a crop was found: the object is (almost) whole inside it
            assert lab.shape == (1, 5) and lab[0, 3] > lab[0, 1]


def test_image_det_iter_bad_label(tmp_path):
    rec = mx.recordio.MXIndexedRecordIO(str(tmp_path / "d.idx"), str(tmp_path / "d.rec"), "w")
    png = _bytes("img_rgb.png")
    rec.write_idx(0, mx.recordio.pack(mx.recordio.IRHeader(0, [2, 5, 0, 0.1, 0.1, 0.5, 0.5, 1], 0, 0), png))
    rec.close()
    with pytest.raises(MXNetError, match="does not split"):
        mx.image.ImageDetIter(1, (3, 8, 8), path_imgrec=str(tmp_path / "d.rec"))


BIG = [k for k in G.files if k.startswith("bigresize/")]


@pytest.mark.parametrize("key", BIG)
def test_imresize_bilinear_realistic_sizes_bit_exact(key):
    w, h = map(int, key.split("/")[1].split("x"))
    out = mx.image.imresize(mx.nd.array(G["source_big"], dtype="uint8"), w, h)
    np.testing.assert_array_equal(out.asnumpy(), G[key])
    # nd.image.resize is the same implementation, batched or not
    batch = mx.nd.array(np.stack([G["source_big"]] * 2), dtype="uint8")
    np.testing.assert_array_equal(mx.nd.image.resize(batch, (w, h)).asnumpy()[1], G[key])


def _chw():
    return mx.nd.array(SRC.transpose(2, 0, 1), dtype="float32") / 255


ROTATIONS = [k for k in G.files if k.startswith("rotate/") or k.startswith("random_rotate/")]


@pytest.mark.parametrize("key", ROTATIONS)
def test_imrotate_and_random_rotate_match_mxnet(key):
    kind, case, arg = key.split("/")
    chw = _chw()
    pair = mx.nd.stack(chw, chw[:, ::-1])
    zoom = {"zoom_in": "zoom_in" in case, "zoom_out": "zoom_out" in case}
    if kind == "random_rotate":
        np.random.seed(int(arg[4:]))
        out = mx.image.random_rotate(pair if case.startswith("batch") else chw, (-40, 40), **zoom)
    elif case.startswith("batch_angles"):
        out = mx.image.imrotate(pair, mx.nd.array([float(a) for a in arg.split(",")]), **zoom)
    else:
        out = mx.image.imrotate(pair if case.startswith("batch") else chw, float(arg), **zoom)
    assert out.shape == G[key].shape and out.dtype == np.float32
    np.testing.assert_allclose(out.asnumpy(), G[key], rtol=0, atol=1e-5)


def test_imrotate_bad_input_raises_as_mxnet():
    chw = _chw()
    with pytest.raises(TypeError, match="Only `float32` images"):
        mx.image.imrotate(chw.astype("uint8"), 30)
    with pytest.raises(ValueError, match="cannot be both True"):
        mx.image.imrotate(chw, 30, zoom_in=True, zoom_out=True)
    with pytest.raises(ValueError, match="number of images must be equal"):
        mx.image.imrotate(mx.nd.stack(chw, chw), mx.nd.array([1, 2, 3]))
    with pytest.raises(TypeError, match="rotation angle is required to be a scalar"):
        mx.image.imrotate(chw, mx.nd.array([1]))
    with pytest.raises(ValueError, match="Only 3D and 4D"):
        mx.image.imrotate(chw[0], 3)
