"""BatchNorm variants from ``nd.contrib``: BatchNormWithReLU, SyncBatchNorm; and SparseEmbedding.

All three reuse the plain operators' implementations (``BatchNorm`` in norm.py, ``Embedding`` in
nn.py): BatchNormWithReLU is BatchNorm followed by a ReLU; SyncBatchNorm on one process is BatchNorm
over axis 1 whose extra outputs are the batch mean and *variance*; SparseEmbedding is Embedding with
a dense gradient.
"""

from __future__ import annotations

import numpy as np
import torch

from ...base import MXNetError
from ..params import Bool, DType, Float, Int, Optional, Param, ParamType
from ..register import OpDef, Sample, register
from ._common import float32_only, rand
from .nn import _embedding, _embedding_infer
from .norm import _batchnorm


class _Str(ParamType):
    name = "string"
    fast_types = (str,)

    def parse(self, value):
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {value!r}")
        return value


_BN_INPUTS = ("data", "gamma", "beta", "moving_mean", "moving_var")


def _renamed(op: str, err: MXNetError) -> MXNetError:
    return MXNetError(str(err).replace("BatchNorm:", f"{op}:", 1))


def _bn_relu(data, gamma, beta, moving_mean, moving_var, **params):
    float32_only("BatchNormWithReLU", data)
    try:
        res = _batchnorm(data, gamma, beta, moving_mean, moving_var, **params)
    except MXNetError as err:
        raise _renamed("BatchNormWithReLU", err) from None
    if params["output_mean_var"]:
        return torch.relu(res[0]), res[1], res[2]
    return torch.relu(res)


def _sync_bn(
    data,
    gamma,
    beta,
    moving_mean,
    moving_var,
    eps,
    momentum,
    fix_gamma,
    use_global_stats,
    output_mean_var,
    ndev,
    key,
):
    float32_only("SyncBatchNorm", data)
    try:
        res = _batchnorm(
            data,
            gamma,
            beta,
            moving_mean,
            moving_var,
            eps,
            momentum,
            fix_gamma,
            use_global_stats,
            output_mean_var,
            1,
            False,
            None,
            None,
        )
    except MXNetError as err:
        raise _renamed("SyncBatchNorm", err) from None
    if not output_mean_var:
        return res
    out, mean, invstd = res
    var = (invstd.double().pow(-2) - eps).clamp(min=0).to(mean.dtype)
    return out, mean, var


def _bn_inputs(shape, c, seed=0):
    return (
        rand(*shape, seed=seed),
        rand(c, low=0.5, seed=1),
        rand(c, seed=2),
        rand(c, seed=3),
        rand(c, low=0.5, high=2, seed=4),
    )


_BN_COMMON = (
    Param("eps", Float(), 1e-3, "Added to the variance."),
    Param("momentum", Float(), 0.9, "Weight of the old moving statistics."),
    Param("fix_gamma", Bool(), True, "Use gamma = 1: gamma is set to 1 in place and gets no gradient."),
    Param("use_global_stats", Bool(), False, "Always use the moving statistics."),
)


def _shape_error(op: str):
    return lambda: [
        (
            _bn_inputs((2, 4, 2, 2), 3),
            {"key": "k"} if op == "SyncBatchNorm" else {},
            rf"{op}: gamma has shape \(3,\), expected \(4,\)",
        )
    ]


register(
    OpDef(
        "_contrib_BatchNormWithReLU",
        impl=_bn_relu,
        inputs=_BN_INPUTS,
        no_grad_inputs=("moving_mean", "moving_var"),
        params=(
            *_BN_COMMON,
            Param("output_mean_var", Bool(), False, "Also return the batch mean and inverse std."),
            Param("axis", Int(), 1, "The channel axis."),
            Param("cudnn_off", Bool(), False, "Accepted."),
            Param("min_calib_range", Optional(Float()), None, "Accepted (quantisation)."),
            Param("max_calib_range", Optional(Float()), None, "Accepted (quantisation)."),
        ),
        aliases=("contrib.BatchNormWithReLU", "BatchNormWithReLU"),
        samples=lambda: [
            Sample(_bn_inputs((4, 3, 2, 2), 3)),
            Sample(_bn_inputs((2, 3, 3, 4), 3, seed=5), {"fix_gamma": False, "momentum": 0.8, "eps": 1e-5}),
            Sample(_bn_inputs((2, 3, 2, 3), 3, seed=6), {"fix_gamma": False, "use_global_stats": True}),
        ],
        doc="BatchNorm followed by ReLU (one fused operator in MXNet's MKL-DNN build), with BatchNorm's "
        "parameters and moving-statistics rule. MXNet 1.9.1's CPU build runs it on 4-d float32 data only; regluon "
        "on float32 data of any shape BatchNorm takes.\n\nExample: ``y = nd.contrib.BatchNormWithReLU(x, gamma, beta, mean, var)``",
    )
)


register(
    OpDef(
        "_contrib_SyncBatchNorm",
        impl=_sync_bn,
        inputs=_BN_INPUTS,
        no_grad_inputs=("moving_mean", "moving_var"),
        params=(
            *_BN_COMMON,
            Param("output_mean_var", Bool(), False, "Also return the batch mean and variance."),
            Param("ndev", Int(), 1, "Devices that share the statistics; one process computes alone."),
            Param("key", _Str(), None, "Name that ties the layer's copies together.", required=True),
        ),
        aliases=("contrib.SyncBatchNorm", "SyncBatchNorm"),
        samples=lambda: [
            Sample(_bn_inputs((4, 3, 2, 2), 3), {"key": "bn0"}),
            Sample(
                _bn_inputs((4, 3, 5), 3, seed=5),
                {"key": "bn1", "fix_gamma": False, "momentum": 0.8},
            ),
            Sample(
                _bn_inputs((3, 3), 3, seed=6), {"key": "bn2", "fix_gamma": False, "output_mean_var": True}
            ),
            Sample(
                _bn_inputs((2, 3, 2, 2), 3, seed=7),
                {"key": "bn3", "fix_gamma": False, "use_global_stats": True},
            ),
        ],
        errors=_shape_error("SyncBatchNorm"),
        doc="Batch normalisation over axis 1 whose batch statistics are shared by ``ndev`` devices in MXNet "
        "(GluonCV's multi-GPU training). In one process it equals BatchNorm; with output_mean_var it also "
        "returns the batch mean and the (biased) batch variance. regluon does not share statistics between "
        "devices: each call normalises its own batch (MXNet would wait for ndev calls with the same key).\n\nExample: "
        "``y = nd.contrib.SyncBatchNorm(x, gamma, beta, mean, var, key='bn0')``",
    )
)


register(
    OpDef(
        "_contrib_SparseEmbedding",
        impl=_embedding,
        inputs=("data", "weight"),
        no_grad_inputs=("data",),
        params=(
            Param("input_dim", Int(), None, "Vocabulary size.", required=True),
            Param("output_dim", Int(), None, "Embedding size.", required=True),
            Param("dtype", DType(), "float32"),
            Param("sparse_grad", Bool(), False, "Accepted; gradients are dense."),
        ),
        aliases=("contrib.SparseEmbedding", "SparseEmbedding"),
        infer_shape=_embedding_infer,
        ref=lambda d, w, input_dim, output_dim, dtype="float32", sparse_grad=False: w[
            np.clip(d.astype(np.int64), 0, input_dim - 1)
        ],
        samples=lambda: [
            Sample((np.array([[0, 2], [3, 1]], "float32"), rand(4, 3)), {"input_dim": 4, "output_dim": 3}),
            Sample((np.array([1, 1, 6, -2], "float32"), rand(5, 2)), {"input_dim": 5, "output_dim": 2}),
        ],
        doc="Embedding whose weight gradient MXNet stores row-sparse; regluon's is the equal dense array.\n\n"
        "Example: ``nd.contrib.SparseEmbedding(idx, weight, input_dim=1000, output_dim=50)``",
    )
)
