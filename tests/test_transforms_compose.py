"""transforms.Compose computes a crop + ToTensor [+ Normalize] in one pass: the same random draws and
bit-identical results as running the blocks one by one (whose outputs tests/test_transforms.py and
tests/test_image.py check against MXNet 1.9.1), and the blocks still run one by one whenever a hook
could see the intermediate images or the input is unusual."""

import random

import numpy as np
import pytest
from mxnet.gluon.data.vision import transforms as T

import mxnet as mx
from mxnet import nd

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


@pytest.fixture(autouse=True)
def fused(monkeypatch):
    """Counts the one-pass runs, so that each test knows which path it took."""
    calls = []
    one_pass = T.image_ops.to_tensor_normalized

    def counted(*args):
        calls.append(args[0].shape)
        return one_pass(*args)

    monkeypatch.setattr(T.image_ops, "to_tensor_normalized", counted)
    return calls


def _image(h, w, c=3, dtype="uint8", seed=0):
    rng = np.random.RandomState(seed)
    return nd.array(rng.randint(0, 256, (h, w, c)), dtype=dtype)


def _one_by_one(blocks, x):
    for b in blocks:  # each block on its own: no Compose, so nothing is fused
        x = b(x)
    return x


def _seed(seed):
    random.seed(seed)  # crops
    mx.random.seed(seed)  # flips


def _draws():
    return random.random(), mx.nd.random.uniform(shape=(1,)).asscalar()


def _same_as_one_by_one(blocks, x, seed, fused=None):
    _seed(seed)
    got = T.Compose(blocks)(x)
    if fused is not None:
        assert fused.pop() and not fused  # computed in one pass
    after = _draws()
    _seed(seed)
    want = _one_by_one(blocks, x)
    assert _draws() == after  # the same draws from both generators
    assert got.shape == want.shape and got.dtype == want.dtype == np.float32
    np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())
    return got


@pytest.mark.parametrize("size", [(256, 320), (90, 60), (224, 224)])
def test_random_resized_crop_pipeline_is_bit_identical(size, fused):
    x = _image(*size)
    blocks = [T.RandomResizedCrop(224), T.ToTensor(), T.Normalize(MEAN, STD)]
    for seed in range(3):  # crops that shrink, enlarge or keep each axis
        _same_as_one_by_one(blocks, x, seed, fused)


def test_flips_are_drawn_and_mirror_the_resized_crop(fused):
    x = _image(40, 50)
    crop, flip = T.RandomResizedCrop(24), T.RandomFlipLeftRight()
    compose = T.Compose([crop, flip, T.ToTensor(), T.Normalize(MEAN, STD)])
    mirrored = 0
    for seed in range(8):
        got = _same_as_one_by_one([crop, flip, T.ToTensor(), T.Normalize(MEAN, STD)], x, seed, fused)
        _seed(seed)
        plain = T.Normalize(MEAN, STD)(T.ToTensor()(crop(x))).asnumpy()
        if not np.array_equal(got.asnumpy(), plain):
            np.testing.assert_array_equal(got.asnumpy(), plain[:, :, ::-1])
            mirrored += 1
    assert 0 < mirrored < 8
    assert len(compose) == 2 and not fused


@pytest.mark.parametrize(
    "blocks",
    [
        lambda: [T.RandomResizedCrop((20, 14), scale=(0.5, 1.0)), T.ToTensor()],
        lambda: [T.RandomResizedCrop(16, interpolation=2), T.ToTensor(), T.Normalize(0.5, 0.25)],
        lambda: [T.RandomResizedCrop(16, interpolation=10), T.ToTensor(), T.Normalize(MEAN, STD)],
        lambda: [T.RandomResizedCrop(16, interpolation=9), T.ToTensor(), T.Normalize(MEAN, STD)],
        lambda: [T.CenterCrop(12), T.ToTensor(), T.Normalize(MEAN, 0.5)],
        lambda: [T.CenterCrop((40, 30)), T.ToTensor()],  # larger than the image: resized up
        lambda: [T.CenterCrop((30, 20)), T.ToTensor(), T.Normalize(MEAN, STD)],  # no resize
        lambda: [T.ToTensor(), T.Normalize(MEAN, STD)],
        lambda: [T.ToTensor()],
        lambda: [T.RandomResizedCrop(16), T.RandomFlipLeftRight(), T.ToTensor(), T.Normalize(MEAN, STD)],
        lambda: [T.CenterCrop(12, interpolation=2), T.RandomFlipLeftRight(), T.ToTensor()],
        lambda: [T.CenterCrop((30, 20)), T.RandomFlipLeftRight(), T.ToTensor()],  # no resize
        lambda: [T.RandomFlipLeftRight(), T.ToTensor(), T.Normalize(MEAN, STD)],
    ],
)
def test_other_fused_pipelines_are_bit_identical(blocks, fused):
    for seed in range(4):
        _same_as_one_by_one(blocks(), _image(30, 36, seed=seed), seed, fused)


def test_grey_and_float_images(fused):
    grey = _image(30, 40, c=1)
    got = _same_as_one_by_one([T.RandomResizedCrop(24), T.ToTensor(), T.Normalize(0.5, 0.2)], grey, 1, fused)
    assert got.shape == (1, 24, 24)
    floats = nd.array(np.random.RandomState(2).uniform(0, 255, (30, 40, 3)), dtype="float32")
    _same_as_one_by_one([T.RandomResizedCrop(24), T.ToTensor(), T.Normalize(MEAN, STD)], floats, 2, fused)
    doubles = floats.astype("float64")
    _same_as_one_by_one([T.CenterCrop(20, interpolation=3), T.ToTensor()], doubles, 3, fused)


def test_values_follow_the_formula():
    x = _image(8, 8)
    got = T.Compose([T.CenterCrop(8), T.ToTensor(), T.Normalize(MEAN, STD)])(x).asnumpy()
    chw = np.moveaxis(x.asnumpy(), -1, 0).astype(np.float32) / np.float32(255)
    want = (chw - np.float32(MEAN).reshape(3, 1, 1)) / np.float32(STD).reshape(3, 1, 1)
    np.testing.assert_array_equal(got, want)


def test_hooks_see_every_intermediate_image(fused):
    seen = []
    blocks = [T.RandomResizedCrop(16), T.ToTensor(), T.Normalize(MEAN, STD)]
    compose = T.Compose(blocks)
    handle = blocks[1].register_forward_hook(lambda b, args, out: seen.append((args[0].shape, out.shape)))
    x = _image(30, 40)
    random.seed(4)
    got = compose(x)
    assert seen == [((16, 16, 3), (3, 16, 16))] and not fused
    handle.detach()
    random.seed(4)
    np.testing.assert_array_equal(compose(x).asnumpy(), got.asnumpy())
    assert len(fused) == 1  # the crop too
    with compose[0].register_forward_hook(lambda b, args, out: seen.append(out.shape)):
        random.seed(4)
        np.testing.assert_array_equal(compose(x).asnumpy(), got.asnumpy())
    assert seen[-1] == (16, 16, 3) and fused[-1] == (16, 16, 3)  # ToTensor + Normalize only


def test_errors_are_the_blocks_own():
    x = _image(20, 20)
    with pytest.raises(mx.base.MXNetError, match="in block"):  # two means for three channels
        T.Compose([T.RandomResizedCrop(8), T.ToTensor(), T.Normalize((0.5, 0.5), 0.2)])(x)
    with pytest.raises(mx.base.MXNetError, match="to_tensor"):
        T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])(nd.ones((3,), dtype="uint8"))
    with pytest.raises(ValueError, match="Unknown interp method"):
        T.Compose([T.RandomResizedCrop(8, interpolation=7), T.ToTensor()])(x)
    with pytest.raises(ValueError, match="expects one HWC image"):
        T.Compose([T.CenterCrop(8), T.ToTensor()])(nd.ones((2, 20, 20, 3), dtype="uint8"))


def test_batches_and_other_inputs_run_block_by_block():
    batch = nd.array(np.random.RandomState(5).randint(0, 256, (2, 6, 5, 3)), dtype="uint8")
    got = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])(batch)
    want = T.Normalize(MEAN, STD)(T.ToTensor()(batch))
    assert got.shape == (2, 3, 6, 5)
    np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())
    x = _image(10, 10, dtype="float32")
    x.attach_grad()
    with mx.autograd.record():
        out = T.Compose([T.CenterCrop(6), T.ToTensor(), T.Normalize(MEAN, STD)])(x)
    assert out.shape == (3, 6, 6)
