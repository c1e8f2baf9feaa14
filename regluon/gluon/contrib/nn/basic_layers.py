"""contrib.nn layers: Concurrent, HybridConcurrent, Identity, SparseEmbedding, SyncBatchNorm,
PixelShuffle1D/2D/3D."""

from __future__ import annotations

import warnings
from typing import Any

from .... import ndarray as nd
from ....base import MXNetError
from ... import nn
from ...block import Block, HybridBlock
from ...nn._layer_utils import arg_error, check_int


class Concurrent(nn.Sequential):
    """Run every child on the same input and concatenate their outputs along ``axis``.

    Parameters
    ----------
    axis : int, default -1
        The axis to concatenate along.

    Example:
        >>> net = contrib.nn.Concurrent(axis=1)
        >>> net.add(nn.Dense(2), nn.Dense(3))
        >>> net.initialize()
        >>> net(mx.nd.ones((4, 5))).shape
        (4, 5)
    """

    def __init__(self, axis: int = -1, prefix: str | None = None, params=None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def forward(self, x):
        return nd.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class HybridConcurrent(nn.HybridSequential):
    """The hybridizable :class:`Concurrent`: children run on the same input, outputs concatenated.

    Example:
        >>> net = contrib.nn.HybridConcurrent(axis=1)
        >>> net.add(nn.Conv2D(2, 1), nn.Conv2D(3, 1))
        >>> net.initialize()
        >>> net(mx.nd.ones((1, 4, 5, 5))).shape
        (1, 5, 5, 5)
    """

    def __init__(self, axis: int = -1, prefix: str | None = None, params=None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    forward = HybridBlock.forward

    def hybrid_forward(self, F, x):
        return F.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class Identity(HybridBlock):
    """Return the input unchanged (a placeholder branch, e.g. a residual shortcut in HybridConcurrent).

    Example:
        >>> contrib.nn.Identity()(mx.nd.ones((2,))).asnumpy()
        array([1., 1.], dtype=float32)
    """

    def __init__(self, prefix: str | None = None, params=None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F, x):
        return x


class SparseEmbedding(Block):
    """Map integer indices to rows of a learned ``(input_dim, output_dim)`` table, for very large
    vocabularies. The weight and its gradient are row-sparse Parameters, as in MXNet: the weight lives in
    the Trainer (create one before the first forward pass), each forward fetches the looked-up rows
    with ``weight.row_sparse_data(x)``, and optimizers update only those rows (lazy updates).

    Parameters
    ----------
    input_dim : int
        Vocabulary size; every index must lie in ``[0, input_dim - 1]``.
    output_dim : int
        Length of each embedding vector.
    dtype : str or numpy dtype, default 'float32'
    weight_initializer : Initializer, optional

    Example:
        >>> emb = contrib.nn.SparseEmbedding(10, 3)
        >>> emb.initialize()
        >>> trainer = mx.gluon.Trainer(emb.collect_params(), 'sgd')
        >>> emb(mx.nd.array([[1, 2], [4, 9]])).shape
        (2, 2, 3)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        dtype: Any = "float32",
        weight_initializer: Any = None,
        **kwargs,
    ):
        check_int("SparseEmbedding", "input_dim", input_dim, 1)
        check_int("SparseEmbedding", "output_dim", output_dim, 1)
        super().__init__(**kwargs)
        self._kwargs = {"input_dim": input_dim, "output_dim": output_dim, "dtype": dtype, "sparse_grad": True}
        self.weight = self.params.get(
            "weight",
            shape=(input_dim, output_dim),
            init=weight_initializer,
            dtype=dtype,
            grad_stype="row_sparse",
            stype="row_sparse",
        )

    def forward(self, x):
        if x.size:
            # MXNet's row-sparse lookup refuses indices outside [0, input_dim - 1] (the dense one clips)
            indices = x.asnumpy()  # cheaper than two reductions for index arrays of usual sizes
            lo, hi = float(indices.min()), float(indices.max())
            top = self._kwargs["input_dim"] - 1
            if lo < 0 or hi > top:
                raise MXNetError(
                    f"SparseEmbedding: input contains data out of bound: indices of input shape "
                    f"{x.shape} range over [{lo:g}, {hi:g}], outside [0, {top}] (input_dim={top + 1})"
                )
        return nd.Embedding(x, self.weight.row_sparse_data(x), name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        k = self._kwargs
        return f"{self.__class__.__name__}({k['input_dim']} -> {k['output_dim']}, {k['dtype']})"


class SyncBatchNorm(nn.BatchNorm):
    """Batch normalisation whose statistics are shared across devices, computed by the
    ``contrib.SyncBatchNorm`` operator (keyed by the block's prefix). regluon runs each device's
    batch alone, so in one process on one device it computes exactly what
    :class:`~mxnet.gluon.nn.BatchNorm` with ``axis=1`` computes.

    Parameters
    ----------
    in_channels : int, default 0
    num_devices : int, optional
        Devices sharing the statistics; by default the number of GPUs (at least 1), with a warning.
    momentum, epsilon, center, scale, use_global_stats, *_initializer
        As for BatchNorm.

    Example:
        >>> bn = contrib.nn.SyncBatchNorm(num_devices=1)
        >>> bn.initialize()
    """

    def __init__(
        self,
        in_channels: int = 0,
        num_devices: int | None = None,
        momentum: float = 0.9,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = True,
        use_global_stats: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        running_mean_initializer: Any = "zeros",
        running_variance_initializer: Any = "ones",
        **kwargs,
    ):
        super().__init__(
            axis=1,
            momentum=momentum,
            epsilon=epsilon,
            center=center,
            scale=scale,
            use_global_stats=use_global_stats,
            beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer,
            running_mean_initializer=running_mean_initializer,
            running_variance_initializer=running_variance_initializer,
            in_channels=in_channels,
            **kwargs,
        )
        if num_devices is None:
            warnings.warn(
                "Caution using SyncBatchNorm: if not using all the GPUs, please mannually set num_devices",
                UserWarning,
                stacklevel=2,
            )
            from .... import context

            num_devices = max(context.num_gpus(), 1)
        self._kwargs = {
            "eps": epsilon,
            "momentum": momentum,
            "fix_gamma": not scale,
            "use_global_stats": use_global_stats,
            "ndev": num_devices,
            "key": self.prefix,
        }

    def hybrid_forward(self, F, x, gamma, beta, running_mean, running_var):
        return F.contrib.SyncBatchNorm(x, gamma, beta, running_mean, running_var, name="fwd", **self._kwargs)


def _factors(cls_name: str, factor: Any, n: int) -> tuple:
    try:
        out = (int(factor),) * n
    except TypeError:
        out = tuple(int(f) for f in factor)
        if len(out) != n:
            raise AssertionError(f"wrong length {len(out)}") from None
    if any(f < 1 for f in out):
        raise arg_error(cls_name, "factor", factor, "every factor must be >= 1")
    return out


class PixelShuffle1D(HybridBlock):
    """Move channels into width: (N, f*C, W) -> (N, C, W*f).

    Example:
        >>> contrib.nn.PixelShuffle1D(2)(mx.nd.ones((1, 4, 3))).shape
        (1, 2, 6)
    """

    def __init__(self, factor: int):
        super().__init__()
        self._factor = _factors("PixelShuffle1D", factor, 1)[0]

    def hybrid_forward(self, F, x):
        f = self._factor
        x = F.reshape(x, (0, -4, -1, f, 0))
        x = F.transpose(x, (0, 1, 3, 2))
        return F.reshape(x, (0, 0, -3))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._factor})"


class PixelShuffle2D(HybridBlock):
    """Move channels into height and width: (N, f1*f2*C, H, W) -> (N, C, H*f1, W*f2).

    Example:
        >>> contrib.nn.PixelShuffle2D((2, 3))(mx.nd.ones((1, 12, 3, 5))).shape
        (1, 2, 6, 15)
    """

    def __init__(self, factor: int | tuple):
        super().__init__()
        self._factors = _factors("PixelShuffle2D", factor, 2)

    def hybrid_forward(self, F, x):
        f1, f2 = self._factors
        x = F.reshape(x, (0, -4, -1, f1 * f2, 0, 0))
        x = F.reshape(x, (0, 0, -4, f1, f2, 0, 0))
        x = F.transpose(x, (0, 1, 4, 2, 5, 3))
        return F.reshape(x, (0, 0, -3, -3))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._factors})"


class PixelShuffle3D(HybridBlock):
    """Move channels into depth, height and width: (N, f1*f2*f3*C, D, H, W) -> (N, C, D*f1, H*f2, W*f3).

    Example:
        >>> contrib.nn.PixelShuffle3D(2)(mx.nd.ones((1, 8, 2, 3, 4))).shape
        (1, 1, 4, 6, 8)
    """

    def __init__(self, factor: int | tuple):
        super().__init__()
        self._factors = _factors("PixelShuffle3D", factor, 3)

    def hybrid_forward(self, F, x):
        f1, f2, f3 = self._factors
        x = F.reshape(x, (0, -4, -1, f1 * f2 * f3, 0, 0, 0))  # (N, C, f1*f2*f3, D, H, W)
        x = F.reshape(x, (0, 0, -4, f1, f2 * f3, 0, 0, 0))  # (N, C, f1, f2*f3, D, H, W)
        x = F.transpose(x, (0, 1, 4, 2, 3, 5, 6))  # (N, C, D, f1, f2*f3, H, W)
        x = F.reshape(x, (0, 0, -3, -4, f2, f3, 0, 0))  # (N, C, D*f1, f2, f3, H, W)
        x = F.transpose(x, (0, 1, 2, 5, 3, 6, 4))  # (N, C, D*f1, H, f2, W, f3)
        return F.reshape(x, (0, 0, 0, -3, -3))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._factors})"


__all__ = [
    "Concurrent",
    "HybridConcurrent",
    "Identity",
    "SparseEmbedding",
    "SyncBatchNorm",
    "PixelShuffle1D",
    "PixelShuffle2D",
    "PixelShuffle3D",
]
