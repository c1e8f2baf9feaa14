"""gluon.data: datasets, samplers, DataLoader modes, vectorised batches, errors."""

import json
import multiprocessing
import os

import numpy as np
import pytest
from mxnet.gluon import data as gdata

import mxnet as mx
from mxnet import nd

from .conftest import GOLDEN


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


# ----------------------------------------------------------------------------- against MXNet 1.9.1
with open(os.path.join(GOLDEN, "data", "data_cases.json")) as _f:
    CASES = json.load(_f)


def _plain(x):
    """A batch as the generator wrote it: NDArrays become {"v": values, "dtype": name}."""
    if isinstance(x, nd.NDArray):
        return {"v": x.asnumpy().tolist(), "dtype": np.dtype(x.dtype).name}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def test_dataset_methods_match_mxnet():
    want = CASES["dataset"]
    ds = gdata.SimpleDataset(list(range(10)))
    for key, items in want["shard"].items():
        n, i = map(int, key.split("_"))
        assert list(ds.shard(n, i)) == items, key
    for key, items in want["take"].items():
        assert list(ds.take(None if key == "None" else int(key))) == items, key
    assert list(ds.filter(lambda x: x % 2 == 0)) == want["filter_even"]
    assert list(ds.sample(gdata.FilterSampler(lambda x: x > 6, ds))) == want["sample"]
    assert list(ds.shard(3, 1).filter(lambda x: x != 5)) == want["shard_then_filter"]


def test_dataset_method_errors():
    ds = gdata.SimpleDataset(list(range(4)))
    with pytest.raises(ValueError, match="index 3 is out of range for 3 shards"):
        ds.shard(3, 3)
    with pytest.raises(ValueError, match="num_shards must be positive"):
        ds.shard(0, 0)
    with pytest.raises(TypeError, match="Expected gluon.data.Sampler"):
        ds.sample([0, 1])


@pytest.mark.parametrize("key", sorted(CASES["loader"]))
@pytest.mark.parametrize("workers", [0, "threads"])
def test_dataloader_batches_match_mxnet(key, workers):
    mode, order = key.split("_")
    x = nd.array(np.arange(22, dtype="float32").reshape(11, 2))
    y = np.arange(11, dtype="int64")
    ds = gdata.ArrayDataset(x, y)
    kwargs = {"num_workers": 2, "thread_pool": True} if workers == "threads" else {}
    if workers == "threads":
        ds = ds.transform(lambda a, b: (a, b))  # per-sample path through the thread pool
    loader = gdata.DataLoader(ds, 4, shuffle=order == "shuffle", last_batch=mode, **kwargs)
    for seed, want in zip((1, 2), CASES["loader"][key]):
        np.random.seed(seed)
        assert len(loader) == want["len"]
        got = [_plain(b) for b in loader]
        assert got == want["batches"]


@pytest.mark.parametrize("key", sorted(CASES["batchify"]))
def test_default_batchify_types_match_mxnet(key):
    inputs = {
        "ints": [1, 2],
        "floats": [1.5, 2.5],
        "np_float32": [np.float32(1), np.float32(2)],
        "np_int32": [np.int32(3), np.int32(4)],
        "bools": [True, False],
        "np_arrays": [np.array([1, 2]), np.array([3, 4])],
        "nd_arrays": [nd.array([1]), nd.array([2])],
        "tuples": [(1, np.array([1.0])), (2, np.array([2.0]))],
        "nested_lists": [[1, 2], [3, 4]],
        "nested_tuples": [(1, (2, 3)), (4, (5, 6))],
        "uint8_images": [np.full((2, 2, 3), 7, "uint8"), np.full((2, 2, 3), 9, "uint8")],
    }
    assert _plain(gdata.default_batchify_fn(inputs[key])) == CASES["batchify"][key]


def test_default_batchify_refuses_ragged_samples_clearly():
    with pytest.raises(ValueError, match="cannot stack samples.*batchify_fn"):
        gdata.default_batchify_fn([[1, np.array([1.0, 2.0])], [2, np.array([2.0])]])


def test_interval_and_filter_samplers():
    assert list(gdata.IntervalSampler(7, 3)) == [0, 3, 6, 1, 4, 2, 5]
    assert len(gdata.IntervalSampler(7, 3)) == 7
    s = gdata.IntervalSampler(7, 3, rollover=False)
    assert list(s) == [0, 3, 6] and len(s) == 3
    with pytest.raises(ValueError, match="interval"):
        gdata.IntervalSampler(3, 0)
    f = gdata.FilterSampler(lambda v: v > 1, gdata.SimpleDataset([3, 0, 2, 1]))
    assert list(f) == [0, 2] and len(f) == 2


def test_sharded_array_dataset_still_gathers_and_matches_items():
    ds = gdata.ArrayDataset(nd.arange(20).reshape((10, 2)), np.arange(10, dtype="int64")).shard(3, 1)
    fast = [_plain(b) for b in gdata.DataLoader(ds, 2)]
    slow = [_plain(b) for b in gdata.DataLoader(ds, 2, batchify_fn=gdata.default_batchify_fn)]
    assert fast == slow and fast[0][1]["v"] == [4, 5] and len(fast) == 2


# ------------------------------------------------------------------------ worker processes (torch)
class _Doubled(gdata.Dataset):
    """Module level, so that it pickles: sample i is (NDArray [i, i] * 2, NumPy float32 i, i)."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 7 and os.environ.get("_REGLUON_FAIL_AT_7"):
            raise KeyError("sample 7 is broken")
        return nd.array([i, i]) * 2, np.float32(i), i


def test_workers_return_ndarrays_and_numpy_as_mxnet():
    loader = gdata.DataLoader(_Doubled(), 4, num_workers=2, last_batch="rollover")
    for _ in range(2):  # the same worker processes serve both passes
        batches = list(loader)
    assert len(batches) == 3  # 10 + the 2 rolled over = 12 = 3 batches in the second pass
    x, v, i = batches[0]
    assert isinstance(x, nd.NDArray) and x.context == mx.Context("cpu_shared", 0)
    assert x.asnumpy().tolist() == [[16, 16], [18, 18], [0, 0], [2, 2]]
    assert v.dtype == np.float32 and i.dtype == np.int64 and i.asnumpy().tolist() == [8, 9, 0, 1]
    custom = gdata.DataLoader(_Doubled(), 5, num_workers=1, batchify_fn=lambda s: [t[2] for t in s])
    assert list(custom) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_worker_errors_are_reported_not_hung(monkeypatch):
    monkeypatch.setenv("_REGLUON_FAIL_AT_7", "1")
    with pytest.raises(KeyError, match="sample 7 is broken"):
        list(gdata.DataLoader(_Doubled(), 2, num_workers=2, timeout=20))


def test_unpicklable_dataset_with_workers_says_so():
    ctx = multiprocessing.get_context("spawn")
    ds = gdata.SimpleDataset(list(range(4))).transform(lambda v: v)
    original = multiprocessing.get_start_method()
    multiprocessing.set_start_method(ctx.get_start_method(), force=True)
    try:
        with pytest.raises(TypeError, match="cannot be pickled.*num_workers=0 or thread_pool=True"):
            gdata.DataLoader(ds, 2, num_workers=2)
        gdata.DataLoader(ds, 2, num_workers=2, thread_pool=True)  # threads need no pickling
    finally:
        multiprocessing.set_start_method(original, force=True)


def test_thread_pool_errors_and_pin_memory():
    def bad(v):
        if v == 3:
            raise ValueError("bad sample 3")
        return v

    with pytest.raises(ValueError, match="bad sample 3"):
        list(
            gdata.DataLoader(
                gdata.SimpleDataset(list(range(6))).transform(bad), 2, num_workers=2, thread_pool=True
            )
        )
    batch = next(
        iter(gdata.DataLoader(gdata.ArrayDataset(nd.ones((4, 2))), 2, pin_memory=True, pin_device_id=0))
    )
    assert batch.context == mx.Context("cpu_pinned", 0) and batch.shape == (2, 2)


def test_batchify_helpers():
    from mxnet.gluon.data import batchify as bf

    (tokens, lengths), labels = bf.Tuple(bf.Pad(pad_val=-1, ret_length=True), bf.Stack())(
        [([1, 2, 3], 0), ([4], 1), ([5, 6], 1)]
    )
    assert tokens.asnumpy().tolist() == [[1, 2, 3], [4, -1, -1], [5, 6, -1]] and tokens.dtype == np.int64
    assert lengths.asnumpy().tolist() == [3, 1, 2] and lengths.dtype == np.int32
    assert labels.asnumpy().tolist() == [0, 1, 1]
    padded = bf.Pad(axis=1, dtype="float32", round_to=4)([np.ones((2, 3)), np.ones((2, 1))])
    assert padded.shape == (2, 2, 4) and padded.dtype == np.float32
    assert padded.asnumpy()[1].tolist() == [[1, 0, 0, 0], [1, 0, 0, 0]]
    assert bf.Stack("float16")([nd.ones((2,)), nd.zeros((2,))]).dtype == np.float16
    assert bf.Group([bf.List(), bf.Stack()])([("a", 1), ("b", 2)])[0] == ["a", "b"]
    assert [a.shape for a in bf.Append()([np.ones(2), np.ones(3)])] == [(1, 2), (1, 3)]
    assert bf.Dict({"x": bf.Stack()})([{"x": 1}, {"x": 2}])["x"].asnumpy().tolist() == [1, 2]
    with pytest.raises(ValueError, match="has 2 functions, but a sample has 3 fields"):
        bf.Tuple(bf.Stack(), bf.Stack())([(1, 2, 3)])
    with pytest.raises(ValueError, match="differs from .* outside the padded axis"):
        bf.Pad()([np.ones((2, 3)), np.ones((3, 2))])
    with pytest.raises(ValueError, match="different shapes"):
        bf.Stack()([[1, 2], [3]])
    loader = gdata.DataLoader(
        gdata.SimpleDataset([([1, 2], 0), ([3], 1)]), 2, batchify_fn=bf.Tuple(bf.Pad(), bf.Stack())
    )
    (x, y) = next(iter(loader))
    assert x.asnumpy().tolist() == [[1, 2], [3, 0]]
