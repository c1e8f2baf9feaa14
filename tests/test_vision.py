"""gluon.data.vision datasets: IDX and CIFAR files written here in their original formats, MXNet's
default root and MXNET_HOME, the offline message, corrupt files, image folders/lists/RecordIO, and
the real Fashion-MNIST files when Debian's dataset-fashion-mnist is installed."""

import gzip
import os
import struct
import warnings

import numpy as np
import pytest
from mxnet.gluon import data as gdata
from mxnet.gluon.data import vision

import mxnet as mx
from mxnet import nd

DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"
RS = np.random.RandomState(5)


def _write_idx(path, arr, gz=True):
    """IDX: magic (0, 0, 0x08 = unsigned byte, ndim), big-endian int32 dims, then the bytes."""
    payload = struct.pack(">I", 0x800 + arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()
    with (gzip.open if gz else open)(path, "wb") as f:
        f.write(payload)


def _mnist_files(root, n=6, gz=True, prefix="train"):
    images = RS.randint(0, 256, size=(n, 28, 28)).astype("uint8")
    labels = RS.randint(0, 10, size=n).astype("uint8")
    suffix = ".gz" if gz else ""
    _write_idx(os.path.join(root, f"{prefix}-images-idx3-ubyte{suffix}"), images, gz)
    _write_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte{suffix}"), labels, gz)
    return images, labels


def test_mnist_reads_uncompressed_idx_files(tmp_path):
    images, labels = _mnist_files(str(tmp_path), gz=False)
    ds = vision.MNIST(root=str(tmp_path))
    assert len(ds) == 6
    img, label = ds[2]
    assert isinstance(img, nd.NDArray) and img.shape == (28, 28, 1) and img.dtype == np.uint8
    assert isinstance(label, np.int32) and label == labels[2]
    np.testing.assert_array_equal(img.asnumpy()[..., 0], images[2])


def test_fashion_mnist_gz_under_mxnet_home_checks_sha1(tmp_path, monkeypatch):
    monkeypatch.setenv("MXNET_HOME", str(tmp_path))
    root = tmp_path / "datasets" / "fashion-mnist"
    root.mkdir(parents=True)
    images, labels = _mnist_files(str(root), n=4, prefix="t10k")
    with pytest.warns(UserWarning, match="not MXNet's 626ed6a7"):  # our fixture is not the real file
        ds = vision.FashionMNIST(train=False, transform=lambda x, y: (x.astype("float32") / 255, y))
    x, y = ds[3]
    assert x.dtype == np.float32 and y == labels[3]
    np.testing.assert_allclose(x.asnumpy()[..., 0], images[3] / 255, rtol=1e-6)


def test_missing_files_offline_name_the_files_and_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("MXNET_GLUON_REPO", (tmp_path / "no-repo").as_uri())  # an unreachable repository
    with pytest.raises(mx.base.MXNetError) as err:
        vision.MNIST(root=str(tmp_path / "none"), train=False)
    msg = str(err.value)
    assert "t10k-images-idx3-ubyte.gz" in msg and "t10k-labels-idx1-ubyte.gz" in msg
    assert str(tmp_path / "none") in msg and "root=" in msg
    with pytest.raises(mx.base.MXNetError, match="cifar-10-binary.tar.gz"):
        vision.CIFAR10(root=str(tmp_path / "none"))


def test_corrupt_idx_files_raise_clearly(tmp_path):
    _mnist_files(str(tmp_path), gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(mx.base.MXNetError, match="header says .* the file holds"):
        vision.MNIST(root=str(tmp_path))
    path.write_bytes(b"\x00\x00\x08\x01" + b"\x00" * 20)
    with pytest.raises(mx.base.MXNetError, match="not an IDX file"):
        vision.MNIST(root=str(tmp_path))
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b\x08garbage")
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b\x08garbage")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(mx.base.MXNetError, match="cannot read .*t10k"):
            vision.MNIST(root=str(tmp_path), train=False)


def _cifar_records(n, label_bytes):
    labels = RS.randint(0, 100, size=(n, label_bytes)).astype("uint8")
    chw = RS.randint(0, 256, size=(n, 3, 32, 32)).astype("uint8")
    return np.concatenate([labels, chw.reshape(n, -1)], axis=1).tobytes(), labels, chw


def test_cifar10_binary_batches(tmp_path):
    chws, labels = [], []
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        raw, lab, chw = _cifar_records(2, 1)
        (tmp_path / name).write_bytes(raw)
        chws.append(chw)
        labels.append(lab[:, 0])
    with pytest.warns(UserWarning, match="SHA-1"):
        train = vision.CIFAR10(root=str(tmp_path))
        test = vision.CIFAR10(root=str(tmp_path), train=False)
    assert len(train) == 10 and len(test) == 2
    img, label = train[5]  # batch 3, record 1
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8 and label.dtype == np.int32
    np.testing.assert_array_equal(img.asnumpy(), chws[2][1].transpose(1, 2, 0))
    assert label == labels[2][1] and test[1][1] == labels[5][1]
    (tmp_path / "test_batch.bin").write_bytes(b"\x00" * 100)
    with pytest.warns(UserWarning), pytest.raises(mx.base.MXNetError, match="whole number of 3073-byte"):
        vision.CIFAR10(root=str(tmp_path), train=False)


@pytest.mark.parametrize("fine", [False, True])
def test_cifar100_fine_and_coarse_labels(tmp_path, fine):
    sub = tmp_path / "cifar-100-binary"  # the layout of the extracted archive
    sub.mkdir()
    raw, labels, chw = _cifar_records(3, 2)
    (sub / "test.bin").write_bytes(raw)
    with pytest.warns(UserWarning):
        ds = vision.CIFAR100(root=str(tmp_path), fine_label=fine, train=False)
    assert [int(ds[i][1]) for i in range(3)] == labels[:, int(fine)].tolist()
    np.testing.assert_array_equal(ds[0][0].asnumpy(), chw[0].transpose(1, 2, 0))


def _png(path, arr):
    from PIL import Image

    Image.fromarray(arr).save(path)


def test_image_folder_and_list_datasets(tmp_path):
    pytest.importorskip("PIL")
    imgs = {}
    for cls in ("cat", "dog"):
        (tmp_path / cls).mkdir()
        for i in range(2):
            arr = RS.randint(0, 256, size=(5, 6, 3)).astype("uint8")
            _png(tmp_path / cls / f"{i}.png", arr)
            imgs[f"{cls}/{i}.png"] = arr
    (tmp_path / "dog" / "notes.txt").write_text("x")
    (tmp_path / "readme.md").write_text("x")
    with pytest.warns(UserWarning, match="Ignoring"):
        ds = vision.ImageFolderDataset(str(tmp_path))
    assert ds.synsets == ["cat", "dog"] and len(ds) == 4
    img, label = ds[2]
    assert label == 1 and img.dtype == np.uint8
    np.testing.assert_array_equal(img.asnumpy(), imgs["dog/0.png"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert vision.ImageFolderDataset(str(tmp_path), flag=0)[0][0].shape == (5, 6, 1)

    lst = tmp_path / "all.lst"
    lst.write_text("0\t1\tcat/1.png\n1\t0.5\t2\tdog/1.png\n")
    listed = vision.ImageListDataset(str(tmp_path), str(lst))
    np.testing.assert_array_equal(listed[0][0].asnumpy(), imgs["cat/1.png"])
    assert listed[0][1] == 1.0 and listed[1][1].tolist() == [0.5, 2.0]
    from_list = vision.ImageListDataset(str(tmp_path), [(3, "dog/0.png")])
    assert from_list[0][1] == 3.0 and len(from_list) == 1
    lst.write_text("0\tcat/1.png\n")
    with pytest.raises(mx.base.MXNetError, match="line 1: expected index<TAB>label"):
        vision.ImageListDataset(str(tmp_path), str(lst))


def test_image_record_dataset_reads_packed_images(tmp_path):
    pytest.importorskip("PIL")
    from mxnet import recordio

    rec_path, idx_path = str(tmp_path / "d.rec"), str(tmp_path / "d.idx")
    writer = recordio.MXIndexedRecordIO(idx_path, rec_path, "w")
    arrays = []
    for i in range(3):
        arr = RS.randint(0, 256, size=(4, 5, 3)).astype("uint8")
        arrays.append(arr)
        writer.write_idx(i, recordio.pack_img(recordio.IRHeader(0, float(i + 10), i, 0), arr, img_fmt=".png"))
    writer.close()
    raw = gdata.RecordFileDataset(rec_path)
    assert len(raw) == 3 and recordio.unpack(raw[1])[0].label == 11.0
    ds = vision.ImageRecordDataset(rec_path, transform=lambda x, y: (x, y + 1))
    img, label = ds[2]
    assert label == 13.0
    # pack_img stores OpenCV's BGR order, imdecode returns RGB: the channels come back reversed
    np.testing.assert_array_equal(img.asnumpy(), arrays[2][..., ::-1])


@pytest.mark.skipif(not os.path.isdir(DEBIAN_FASHION), reason="apt-get install dataset-fashion-mnist")
def test_real_fashion_mnist_from_debian():
    with pytest.warns(UserWarning, match="not MXNet's"):  # Debian compressed the files itself
        test = vision.FashionMNIST(root=DEBIAN_FASHION, train=False)
    assert len(test) == 10000
    labels = np.array([test[i][1] for i in range(10000)])
    assert np.bincount(labels).tolist() == [1000] * 10  # Fashion-MNIST's test set is balanced
    img, label = test[0]
    assert img.shape == (28, 28, 1) and label == 9  # the first test image is an ankle boot (class 9)
    loader = gdata.DataLoader(test.transform_first(vision.transforms.ToTensor()), 256)
    x, y = next(iter(loader))
    assert x.shape == (256, 1, 28, 28) and x.dtype == np.float32 and float(x.max().asscalar()) <= 1.0
