"""Detection/vision contrib operators: what the table-driven golden tests cannot express.

The values of ROIAlign, PSROIPooling, DeformablePSROIPooling, Proposal, MultiProposal, RROIAlign,
(Modulated)DeformableConvolution, BatchNormWithReLU, SyncBatchNorm and SparseEmbedding are checked
against MXNet 1.9.1 in test_ops_golden.py. Here: inputs on which MXNet 1.9.1 crashes, hangs or
reads uninitialised memory (so no golden can be recorded), values worked out by hand, and use from
a Gluon block.
"""

import numpy as np
import pytest

import mxnet as mx
from mxnet import autograd, gluon, nd


def test_roialign_skips_negative_batch_index():
    # MXNet documents that such regions are ignored (its 1.9.1 kernel writes out of place there)
    x = nd.array(np.arange(2 * 1 * 4 * 4, dtype="float32").reshape(2, 1, 4, 4))
    rois = nd.array([[-1, 0, 0, 3, 3], [1, 1, 1, 2, 2]])
    out = nd.contrib.ROIAlign(x, rois, pooled_size=(1, 1), spatial_scale=1.0, sample_ratio=1).asnumpy()
    assert np.all(out[0] == 0)
    # one sample at the centre (1.5, 1.5) of image 1: the mean of pixels (1..2, 1..2) = 16 + 7.5
    assert out[1, 0, 0, 0] == pytest.approx(16 + 7.5)


def test_roialign_position_sensitive_reads_one_channel_per_bin():
    # constant channel k = k: bin (i, j) of output channel c reads channel (c * 2 + i) * 2 + j
    x = nd.array(np.arange(8, dtype="float32")[None, :, None, None] * np.ones((1, 8, 6, 6), "float32"))
    out = nd.contrib.ROIAlign(
        x, nd.array([[0, 0, 0, 4, 4]]), pooled_size=(2, 2), spatial_scale=1.0, position_sensitive=True
    )
    np.testing.assert_array_equal(out.asnumpy()[0], np.arange(8, dtype="float32").reshape(2, 2, 2))


@pytest.mark.parametrize("op", ["PSROIPooling", "DeformablePSROIPooling"])
def test_psroi_channel_count_is_checked(op):
    # MXNet 1.9.1 does not check it and reads out of bounds (it crashes the process)
    kw = {"spatial_scale": 1.0, "output_dim": 2, "pooled_size": 2}
    if op == "DeformablePSROIPooling":
        kw.update(group_size=2, no_trans=True)
    x = nd.ones((1, 7, 6, 6))
    with pytest.raises(mx.base.MXNetError, match=rf"{op}: data \(1, 7, 6, 6\) must have .* = 8 channels"):
        getattr(nd.contrib, op)(x, nd.array([[0, 0, 0, 3, 3]]), **kw)


def test_psroipooling_constant_map_gives_the_constant():
    x = nd.full((1, 8, 6, 6), 2.5)
    out = nd.contrib.PSROIPooling(
        x, nd.array([[0, 1, 1, 4, 4]]), spatial_scale=1.0, output_dim=2, pooled_size=2
    )
    np.testing.assert_array_equal(out.asnumpy(), np.full((1, 2, 2, 2), 2.5, "float32"))


def test_multiproposal_refuses_a_feature_map_smaller_than_the_image():
    # MXNet 1.9.1's MultiProposal aborts the whole process on this input
    rng = np.random.RandomState(0)
    cls, bbox = nd.array(rng.rand(2, 6, 3, 4)), nd.zeros((2, 12, 3, 4))
    info = nd.array([[20, 30, 1], [40, 50, 1]])
    with pytest.raises(mx.base.MXNetError, match="MultiProposal: image size 40 x 50 .* at least 5 x 6"):
        nd.contrib.MultiProposal(cls, bbox, info, scales=(1, 2, 3), ratios=(1,), feature_stride=8)


def test_proposal_by_hand():
    # one cell, one anchor (16 x 16 at stride 16: corners 0..15), zero deltas: the anchor itself
    cls = nd.array([[[[0.3]], [[0.7]]]])
    rois, scores = nd.contrib.Proposal(
        cls,
        nd.zeros((1, 4, 1, 1)),
        nd.array([[16, 16, 1]]),
        scales=(1,),
        ratios=(1,),
        rpn_min_size=1,
        rpn_post_nms_top_n=3,
        output_score=True,
    )
    # the only survivor repeats to fill rpn_post_nms_top_n rows
    np.testing.assert_array_equal(rois.asnumpy(), np.tile([[0, 0, 0, 15, 15]], (3, 1)).astype("float32"))
    np.testing.assert_allclose(scores.asnumpy(), np.full((3, 1), 0.7, "float32"))


def test_deformable_convolution_with_zero_offsets_is_a_convolution():
    rng = np.random.RandomState(1)
    x, w, b = nd.array(rng.randn(2, 4, 6, 6)), nd.array(rng.randn(6, 2, 3, 3)), nd.array(rng.randn(6))
    kw = {"kernel": (3, 3), "pad": (1, 1), "num_filter": 6, "num_group": 2}
    want = nd.Convolution(x, w, b, **kw).asnumpy()
    got = nd.contrib.DeformableConvolution(x, nd.zeros((2, 18, 6, 6)), w, b, **kw).asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    mask = nd.ones((2, 9, 6, 6))
    got = nd.contrib.ModulatedDeformableConvolution(x, nd.zeros((2, 18, 6, 6)), mask, w, b, **kw).asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_deformable_convolution_integer_offset_shifts_the_input():
    # a 1x1 kernel with offset (+1, 0) everywhere reads the next row (zeros past the last one)
    x = nd.array(np.arange(12, dtype="float32").reshape(1, 1, 3, 4))
    off = nd.array(np.tile(np.array([1.0, 0.0], "float32").reshape(1, 2, 1, 1), (1, 1, 3, 4)))
    out = nd.contrib.DeformableConvolution(
        x, off, nd.ones((1, 1, 1, 1)), kernel=(1, 1), num_filter=1, no_bias=True
    )
    want = np.concatenate([x.asnumpy()[0, 0, 1:], np.zeros((1, 4), "float32")])
    np.testing.assert_array_equal(out.asnumpy()[0, 0], want)


class _DeformBlock(gluon.HybridBlock):
    """A Gluon layer over F.contrib.DeformableConvolution with deferred parameter shapes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.offset = gluon.nn.Conv2D(18, 3, padding=1, weight_initializer="zeros")
            self.weight = self.params.get("weight", shape=(4, 0, 3, 3), allow_deferred_init=True)
            self.bias = self.params.get("bias", shape=(4,))

    def hybrid_forward(self, F, x, weight, bias):
        return F.contrib.DeformableConvolution(
            x, self.offset(x), weight, bias, kernel=(3, 3), pad=(1, 1), num_filter=4
        )


def test_deformable_convolution_in_a_hybrid_block():
    net = _DeformBlock()
    net.initialize(mx.init.Normal(0.1))
    x = nd.array(np.random.RandomState(2).randn(1, 3, 5, 5))
    y = net(x)
    assert net.weight.shape == (4, 3, 3, 3) and y.shape == (1, 4, 5, 5)
    net.hybridize()
    np.testing.assert_allclose(net(x).asnumpy(), y.asnumpy(), rtol=1e-5, atol=1e-6)
    with autograd.record():
        loss = net(x).sum()
    loss.backward()
    assert np.abs(net.weight.grad().asnumpy()).sum() > 0
    assert np.abs(net.offset.weight.grad().asnumpy()).sum() > 0  # offsets are learned through the sampler


def test_batchnorm_with_relu_names_itself_in_errors():
    # (MXNet 1.9.1 hangs on this input)
    args = [nd.ones((2, 4, 2, 2))] + [nd.ones(3)] * 4
    with pytest.raises(
        mx.base.MXNetError, match=r"BatchNormWithReLU: gamma has shape \(3,\), expected \(4,\)"
    ):
        nd.contrib.BatchNormWithReLU(*args)


def test_batchnorm_with_relu_is_relu_of_batchnorm_and_updates_moving_stats():
    rng = np.random.RandomState(3)
    x = rng.randn(4, 3, 2, 2).astype("float32")
    stats = [np.ones(3, "float32"), np.zeros(3, "float32"), np.zeros(3, "float32"), np.ones(3, "float32")]
    a = [nd.array(x)] + [nd.array(s) for s in stats]
    with autograd.record():
        y = nd.contrib.BatchNormWithReLU(*a, fix_gamma=False)
    mean, var = x.mean((0, 2, 3)), x.var((0, 2, 3))
    want = np.maximum((x - mean[:, None, None]) / np.sqrt(var[:, None, None] + 1e-3), 0)
    np.testing.assert_allclose(y.asnumpy(), want, rtol=1e-5, atol=1e-5)


def test_syncbatchnorm_needs_a_key():
    args = [nd.ones((2, 3, 2))] + [nd.ones(3)] * 4
    with pytest.raises((mx.base.MXNetError, TypeError), match="key"):
        nd.contrib.SyncBatchNorm(*args)
    assert nd.contrib.SyncBatchNorm(*args, key="bn", ndev=4).shape == (2, 3, 2)
