"""gluon.data: datasets, samplers, DataLoader modes, vectorised batches, errors."""

import numpy as np
import pytest
from mxnet.gluon import data as gdata

from mxnet import nd


def test_samplers():
    assert list(gdata.SequentialSampler(4)) == [0, 1, 2, 3]
    assert list(gdata.SequentialSampler(3, start=5)) == [5, 6, 7]
    np.random.seed(3)
    order = list(gdata.RandomSampler(6))
    np.random.seed(3)
    expected = np.arange(6)
    np.random.shuffle(expected)  # MXNet's RandomSampler draws exactly this permutation
    assert order == expected.tolist() and len(gdata.RandomSampler(6)) == 6


@pytest.mark.parametrize(
    "mode,batches",
    [
        ("keep", [[0, 1], [2, 3], [4]]),
        ("discard", [[0, 1], [2, 3]]),
    ],
)
def test_batch_sampler_modes(mode, batches):
    bs = gdata.BatchSampler(gdata.SequentialSampler(5), 2, mode)
    assert list(bs) == batches and len(bs) == len(batches)


def test_batch_sampler_rollover_carries_the_tail():
    bs = gdata.BatchSampler(gdata.SequentialSampler(5), 2, "rollover")
    assert list(bs) == [[0, 1], [2, 3]]
    assert list(bs) == [[4, 0], [1, 2], [3, 4]]
    assert list(bs) == [[0, 1], [2, 3]]


def test_batch_sampler_errors():
    with pytest.raises(ValueError, match="last_batch must be one of"):
        gdata.BatchSampler(gdata.SequentialSampler(5), 2, "pad")
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        gdata.BatchSampler(gdata.SequentialSampler(5), 0)


def test_dataloader_array_dataset_batches():
    x = nd.arange(20).reshape((10, 2))
    y = nd.arange(10)
    loader = gdata.DataLoader(gdata.ArrayDataset(x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    bx, by = batches[-1]
    assert bx.asnumpy().tolist() == [[16, 17], [18, 19]] and by.asnumpy().tolist() == [8, 9]
    assert bx.dtype == np.float32 and by.shape == (2,)
    assert len(list(gdata.DataLoader(gdata.ArrayDataset(x, y), 4, last_batch="discard"))) == 2
    rolled = gdata.DataLoader(gdata.ArrayDataset(x, y), 4, last_batch="rollover")
    assert [len(b[1]) for b in rolled] == [4, 4]
    assert [b[1].asnumpy().tolist() for b in rolled][0] == [8, 9, 0, 1]


def test_array_dataset_gathers_each_batch_in_one_index():
    class Counting(gdata.ArrayDataset):
        calls = 0

        def __getitem__(self, idx):
            Counting.calls += 1
            return super().__getitem__(idx)

    ds = Counting(nd.ones((30, 3)), np.arange(30, dtype="int64"))
    batches = list(gdata.DataLoader(ds, 10, shuffle=True))
    assert Counting.calls == 0 and len(batches) == 3
    assert batches[0][1].dtype == np.int64
    assert sorted(np.concatenate([b[1].asnumpy() for b in batches]).tolist()) == list(range(30))


def test_per_item_path_matches_vectorised_path():
    x = nd.array(np.random.RandomState(0).rand(7, 3))
    y = np.arange(7, dtype="float32")
    fast = list(gdata.DataLoader(gdata.ArrayDataset(x, y), 3))
    slow = list(gdata.DataLoader(gdata.ArrayDataset(x, y), 3, batchify_fn=gdata.default_batchify_fn))
    for (fx, fy), (sx, sy) in zip(fast, slow):
        np.testing.assert_array_equal(fx.asnumpy(), sx.asnumpy())
        np.testing.assert_array_equal(fy.asnumpy(), sy.asnumpy())
        assert fx.dtype == sx.dtype and fy.dtype == sy.dtype


def test_generic_dataset_and_custom_batchify():
    class Squares(gdata.Dataset):
        def __getitem__(self, i):
            return i * i

        def __len__(self):
            return 5

    batches = list(gdata.DataLoader(Squares(), 2))
    assert [b.asnumpy().tolist() for b in batches] == [[0, 1], [4, 9], [16]]
    assert batches[0].dtype == np.int64
    lists = list(gdata.DataLoader(Squares(), 2, batchify_fn=list))
    assert lists == [[0, 1], [4, 9], [16]]
    assert list(gdata.DataLoader(gdata.SimpleDataset([1.5, 2.5]), 2))[0].dtype == np.float64


def test_batch_sampler_argument_and_sampler_argument():
    ds = gdata.SimpleDataset(list(range(6)))
    bs = gdata.BatchSampler(gdata.SequentialSampler(6), 3)
    assert [b.asnumpy().tolist() for b in gdata.DataLoader(ds, batch_sampler=bs)] == [[0, 1, 2], [3, 4, 5]]
    rev = [5, 4, 3, 2, 1, 0]
    got = [b.asnumpy().tolist() for b in gdata.DataLoader(ds, 4, sampler=rev)]
    assert got == [[5, 4, 3, 2], [1, 0]]


def test_dataloader_argument_errors():
    ds = gdata.SimpleDataset([1, 2, 3])
    with pytest.raises(ValueError, match="batch_size must be specified"):
        gdata.DataLoader(ds)
    with pytest.raises(ValueError, match="shuffle must not be specified"):
        gdata.DataLoader(ds, 2, shuffle=True, sampler=gdata.SequentialSampler(3))
    with pytest.raises(ValueError, match="must not be specified if batch_sampler"):
        gdata.DataLoader(ds, 2, batch_sampler=gdata.BatchSampler(gdata.SequentialSampler(3), 2))


def test_array_dataset_errors_and_items():
    with pytest.raises(ValueError, match="same length"):
        gdata.ArrayDataset(nd.ones((3, 2)), nd.ones((4,)))
    ds = gdata.ArrayDataset(nd.arange(6).reshape((3, 2)), nd.array([7, 8, 9]))
    x, y = ds[1]
    assert x.asnumpy().tolist() == [2, 3] and y == 8 and isinstance(y, np.float32)
    assert gdata.ArrayDataset(np.arange(3))[2] == 2


def test_transform():
    ds = gdata.ArrayDataset(np.arange(3), np.arange(3) * 10)
    assert ds.transform(lambda a, b: a + b)[2] == 22
    assert ds.transform_first(lambda a: -a)[1] == (-1, 10)
    assert list(ds.transform(lambda a, b: b, lazy=False)) == [0, 10, 20]


@pytest.mark.parametrize("mode", ["keep", "discard", "rollover"])
def test_vectorised_batches_equal_item_batches_across_epochs(mode):
    x = nd.arange(22).reshape((11, 2))
    y = np.arange(11, dtype="float32")
    ds = gdata.ArrayDataset(x, y)
    fast = gdata.DataLoader(ds, 4, shuffle=True, last_batch=mode)
    slow = gdata.DataLoader(ds, 4, shuffle=True, last_batch=mode, batchify_fn=gdata.default_batchify_fn)
    for seed in (1, 2):  # two passes each: rollover carries the tail into the second
        expected_len = len(fast)  # computed for the coming pass (rollover counts the carried tail)
        np.random.seed(seed)
        a = [(bx.asnumpy().tolist(), by.asnumpy().tolist()) for bx, by in fast]
        np.random.seed(seed)
        b = [(bx.asnumpy().tolist(), by.asnumpy().tolist()) for bx, by in slow]
        assert a == b and len(a) == expected_len
