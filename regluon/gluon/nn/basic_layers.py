"""Basic layers: Sequential containers, Dense, Dropout, the normalisation layers, Embedding, Flatten, Lambda."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import ndarray as nd
from ...base import MXNetError
from ..block import Block, HybridBlock
from ._layer_utils import InferShapesFromInput, check_int, check_real
from .activations import Activation


class _SequentialMixin:
    def add(self, *blocks: Block) -> None:
        """Append blocks; they run in the order added.

        Example:
            >>> net = nn.Sequential()
            >>> net.add(nn.Dense(8, activation='relu'), nn.Dense(1))
        """
        for block in blocks:
            self.register_child(block)

    def __repr__(self) -> str:
        from ..block import _indent

        mods = "\n".join(f"  ({key}): {_indent(repr(block), 2)}" for key, block in self._children.items())
        return f"{self.__class__.__name__}(\n{mods}\n)"

    def __getitem__(self, key):
        layers = list(self._children.values())[key]
        if isinstance(layers, list):
            net = type(self)(prefix=self._prefix)
            with net.name_scope():
                net.add(*layers)
            return net
        return layers

    def __len__(self) -> int:
        return len(self._children)

    def forward(self, x, *args):
        """Run the children in order; a child returning a tuple feeds all of it to the next."""
        for block in self._children.values():
            x = block(x, *args)
            args = ()
            if isinstance(x, (tuple, list)):
                args, x = tuple(x[1:]), x[0]
        return (x, *args) if args else x


class Sequential(_SequentialMixin, Block):
    """Stack Blocks one after another; ``net[i]`` is the i-th, ``len(net)`` their number.

    Example:
        >>> net = nn.Sequential()
        >>> net.add(nn.Dense(1))
        >>> net.initialize(init.Normal(sigma=0.01))
        >>> net(mx.nd.ones((4, 2))).shape
        (4, 1)
    """


class HybridSequential(_SequentialMixin, HybridBlock):
    """Stack HybridBlocks one after another (hybridizable as a whole).

    Example:
        >>> net = nn.HybridSequential()
        >>> with net.name_scope():
        ...     net.add(nn.Dense(10, activation='relu'), nn.Dense(2))
    """

    def hybrid_forward(self, F, x, *args):
        return self.forward(x, *args)


class Dense(HybridBlock):
    """A fully connected layer: ``out = activation(dot(x, weight.T) + bias)``.

    Parameters
    ----------
    units : int
        Output size.
    activation : str, optional
        Activation applied to the output (``'relu'``, ``'sigmoid'``, ``'tanh'``, ...).
    use_bias : bool, default True
    flatten : bool, default True
        Flatten inputs of shape (N, d1, d2, ...) to (N, d1*d2*...); otherwise act on the last axis.
    dtype : str, default 'float32'
    weight_initializer, bias_initializer : Initializer or str
        The bias defaults to zeros; the weight to the initializer given to ``initialize``.
    in_units : int, default 0
        Input size; 0 means it is learned from the first input.

    Example:
        >>> layer = nn.Dense(1)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((10, 2))).shape
        (10, 1)
        >>> layer.weight.shape
        (1, 2)
    """

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        use_bias: bool = True,
        flatten: bool = True,
        dtype: Any = "float32",
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        in_units: int = 0,
        **kwargs,
    ):
        check_int("Dense", "units", units, 1)
        check_int("Dense", "in_units", in_units, 0)
        super().__init__(**kwargs)
        self._flatten = flatten
        with self.name_scope():
            self._units = units
            self._in_units = in_units
            self.weight = self.params.get(
                "weight",
                shape=(units, in_units),
                init=weight_initializer,
                dtype=dtype,
                allow_deferred_init=True,
            )
            if use_bias:
                self.bias = self.params.get(
                    "bias", shape=(units,), init=bias_initializer, dtype=dtype, allow_deferred_init=True
                )
            else:
                self.bias = None
            self.act = Activation(activation, prefix=activation + "_") if activation is not None else None

    def hybrid_forward(self, F, x, weight, bias=None):
        out = F.FullyConnected(
            x, weight, bias, no_bias=bias is None, num_hidden=self._units, flatten=self._flatten, name="fwd"
        )
        if self.act is not None:
            out = self.act(out)
        return out

    def __repr__(self) -> str:
        shape = self.weight.shape
        layout = f"{shape[1] if shape[1] else None} -> {shape[0]}"
        act = repr(self.act) if self.act is not None else "linear"
        return f"{self.__class__.__name__}({layout}, {act})"


class Flatten(HybridBlock):
    """Flatten (N, d1, d2, ...) to (N, d1*d2*...)."""

    def hybrid_forward(self, F, x):
        return F.Flatten(x)

    def __repr__(self) -> str:
        return self.__class__.__name__


class Dropout(HybridBlock):
    """While training, zero each element with probability ``rate`` and scale the rest by ``1/(1-rate)``.

    Outside ``autograd.record()`` (or with ``train_mode=False``) it passes the input through.

    Parameters
    ----------
    rate : float
        Fraction of the input set to zero, in [0, 1]; a rate <= 0 turns the layer into the identity.
    axes : tuple of int, default ()
        Axes along which one random decision is shared (variational dropout).

    Example:
        >>> layer = nn.Dropout(0.5)
        >>> layer(mx.nd.ones((2, 2)))   # not recording: unchanged
        <BLANKLINE>
        [[1. 1.]
         [1. 1.]]
        <NDArray 2x2 @cpu(0)>
    """

    def __init__(self, rate: float, axes: tuple = (), **kwargs):
        check_real("Dropout", "rate", rate, -np.inf, 1.0)
        super().__init__(**kwargs)
        self._rate = rate
        self._axes = axes

    def hybrid_forward(self, F, x):
        if self._rate > 0:
            return F.Dropout(x, p=self._rate, axes=self._axes, name="fwd", cudnn_off=False)
        return F.identity(x)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p = {self._rate}, axes={self._axes})"


def _kwargs_text(kwargs: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def _channel(layer: HybridBlock, x_shape: tuple, axis: int) -> int:
    if not -len(x_shape) <= axis < len(x_shape):
        raise MXNetError(
            f"{layer.__class__.__name__} {layer.name}: axis={axis} is out of range for input shape {x_shape}"
        )
    return x_shape[axis]


class _BatchNorm(InferShapesFromInput, HybridBlock):
    """BatchNorm and its variants: four per-channel Parameters and MXNet's BatchNorm operator."""

    def __init__(
        self,
        axis: int = 1,
        momentum: float = 0.9,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = True,
        use_global_stats: bool = False,
        fuse_relu: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        running_mean_initializer: Any = "zeros",
        running_variance_initializer: Any = "ones",
        in_channels: int = 0,
        **kwargs,
    ):
        check_int(self.__class__.__name__, "in_channels", in_channels, 0)
        super().__init__(**kwargs)
        self._kwargs = {
            "axis": axis,
            "eps": epsilon,
            "momentum": momentum,
            "fix_gamma": not scale,
            "use_global_stats": use_global_stats,
        }
        self._axis = axis
        self.fuse_relu = fuse_relu
        if in_channels != 0:
            self.in_channels = in_channels
        for attr, trained, init in (
            ("gamma", scale, gamma_initializer),
            ("beta", center, beta_initializer),
            ("running_mean", False, running_mean_initializer),
            ("running_var", False, running_variance_initializer),
        ):
            param = self.params.get(
                attr,
                grad_req="write" if trained else "null",
                shape=(in_channels,),
                init=init,
                allow_deferred_init=True,
                differentiable=trained,
            )
            setattr(self, attr, param)

    def _param_shapes(self, x_shape: tuple) -> dict:
        c = (_channel(self, x_shape, self._axis),)
        return {"gamma": c, "beta": c, "running_mean": c, "running_var": c}

    def cast(self, dtype) -> None:
        """Cast the parameters; float16 becomes float32 (the statistics stay in float32, as in MXNet)."""
        if np.dtype(dtype).name == "float16":
            dtype = "float32"
        super().cast(dtype)

    def hybrid_forward(self, F, x, gamma, beta, running_mean, running_var):
        out = F.BatchNorm(x, gamma, beta, running_mean, running_var, name="fwd", **self._kwargs)
        return F.relu(out) if self.fuse_relu else out

    def __repr__(self) -> str:
        in_channels = self.gamma.shape[0]
        return f"{self.__class__.__name__}({_kwargs_text(self._kwargs)}, in_channels={in_channels or None})"


class BatchNorm(_BatchNorm):
    """Batch normalisation: normalise each channel by the batch's mean and variance while training, by
    the running statistics otherwise; then scale by ``gamma`` and shift by ``beta``.

    Parameters
    ----------
    axis : int, default 1
        The channel axis (1 for NCHW data, 3 for NHWC).
    momentum : float, default 0.9
        ``running = running * momentum + batch * (1 - momentum)`` after each training step.
    epsilon : float, default 1e-5
        Added to the variance.
    center, scale : bool, default True
        Use ``beta`` / ``gamma`` (a disabled one keeps its initial value and gets no gradient).
    use_global_stats : bool, default False
        Always normalise with the running statistics.
    beta_initializer, gamma_initializer, running_mean_initializer, running_variance_initializer
        Default 'zeros', 'ones', 'zeros', 'ones'.
    in_channels : int, default 0
        Number of channels; 0 learns it from the first input.

    ``running_mean`` and ``running_var`` are Parameters with ``grad_req='null'``.

    Example:
        >>> bn = nn.BatchNorm()
        >>> bn.initialize()
        >>> with mx.autograd.record():
        ...     y = bn(mx.nd.array([[1.0, 2.0], [3.0, 6.0]]))
        >>> y.asnumpy().round(3)
        array([[-1., -1.],
               [ 1.,  1.]], dtype=float32)
    """

    def __init__(
        self,
        axis: int = 1,
        momentum: float = 0.9,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = True,
        use_global_stats: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        running_mean_initializer: Any = "zeros",
        running_variance_initializer: Any = "ones",
        in_channels: int = 0,
        **kwargs,
    ):
        super().__init__(
            axis=axis,
            momentum=momentum,
            epsilon=epsilon,
            center=center,
            scale=scale,
            use_global_stats=use_global_stats,
            fuse_relu=False,
            beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer,
            running_mean_initializer=running_mean_initializer,
            running_variance_initializer=running_variance_initializer,
            in_channels=in_channels,
            **kwargs,
        )


class BatchNormReLU(_BatchNorm):
    """BatchNorm followed by ReLU, as one layer; same arguments as :class:`BatchNorm`.

    Example:
        >>> layer = nn.BatchNormReLU(in_channels=3)
        >>> layer.initialize()
    """

    def __init__(
        self,
        axis: int = 1,
        momentum: float = 0.9,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = True,
        use_global_stats: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        running_mean_initializer: Any = "zeros",
        running_variance_initializer: Any = "ones",
        in_channels: int = 0,
        **kwargs,
    ):
        super().__init__(
            axis=axis,
            momentum=momentum,
            epsilon=epsilon,
            center=center,
            scale=scale,
            use_global_stats=use_global_stats,
            fuse_relu=True,
            beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer,
            running_mean_initializer=running_mean_initializer,
            running_variance_initializer=running_variance_initializer,
            in_channels=in_channels,
            **kwargs,
        )


class Embedding(HybridBlock):
    """Map integer indices to rows of a learned ``(input_dim, output_dim)`` matrix.

    Parameters
    ----------
    input_dim : int
        Vocabulary size (largest index + 1).
    output_dim : int
        Size of each vector.
    dtype : str, default 'float32'
    weight_initializer : Initializer, optional
    sparse_grad : bool, default False
        Give the weight a row-sparse gradient (``grad_stype='row_sparse'``): it holds the looked-up
        rows, and optimizers update only those rows (lazy updates).

    Example:
        >>> emb = nn.Embedding(10, 4)
        >>> emb.initialize()
        >>> emb(mx.nd.array([[1, 2], [3, 9]])).shape
        (2, 2, 4)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        dtype: Any = "float32",
        weight_initializer: Any = None,
        sparse_grad: bool = False,
        **kwargs,
    ):
        check_int("Embedding", "input_dim", input_dim, 1)
        check_int("Embedding", "output_dim", output_dim, 1)
        super().__init__(**kwargs)
        self._kwargs = {
            "input_dim": input_dim,
            "output_dim": output_dim,
            "dtype": dtype,
            "sparse_grad": sparse_grad,
        }
        self.weight = self.params.get(
            "weight",
            shape=(input_dim, output_dim),
            init=weight_initializer,
            dtype=dtype,
            allow_deferred_init=True,
            grad_stype="row_sparse" if sparse_grad else "default",
        )

    def hybrid_forward(self, F, x, weight):
        return F.Embedding(x, weight, name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        k = self._kwargs
        return f"{self.__class__.__name__}({k['input_dim']} -> {k['output_dim']}, {k['dtype']})"


class InstanceNorm(InferShapesFromInput, HybridBlock):
    """Normalise each sample and channel over the remaining axes, then scale and shift per channel.

    Parameters
    ----------
    axis : int, default 1
        The channel axis.
    epsilon : float, default 1e-5
    center : bool, default True
        Use a learned ``beta``.
    scale : bool, default False
        Learn ``gamma`` (otherwise it stays at its initial value, ones).
    beta_initializer, gamma_initializer : default 'zeros', 'ones'
    in_channels : int, default 0
        Number of channels; 0 learns it from the first input.

    Example:
        >>> layer = nn.InstanceNorm()
        >>> layer.initialize()
        >>> layer(mx.nd.array([[[1.0, 3.0]]])).asnumpy().round(3)
        array([[[-1.,  1.]]], dtype=float32)
    """

    def __init__(
        self,
        axis: int = 1,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        in_channels: int = 0,
        **kwargs,
    ):
        check_int("InstanceNorm", "in_channels", in_channels, 0)
        super().__init__(**kwargs)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        self.gamma = self.params.get(
            "gamma",
            grad_req="write" if scale else "null",
            shape=(in_channels,),
            init=gamma_initializer,
            allow_deferred_init=True,
        )
        self.beta = self.params.get(
            "beta",
            grad_req="write" if center else "null",
            shape=(in_channels,),
            init=beta_initializer,
            allow_deferred_init=True,
        )

    def _param_shapes(self, x_shape: tuple) -> dict:
        c = (_channel(self, x_shape, self._axis),)
        return {"gamma": c, "beta": c}

    def hybrid_forward(self, F, x, gamma, beta):
        if self._axis == 1:
            return F.InstanceNorm(x, gamma, beta, name="fwd", eps=self._epsilon)
        x = x.swapaxes(1, self._axis)
        return F.InstanceNorm(x, gamma, beta, name="fwd", eps=self._epsilon).swapaxes(1, self._axis)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({_kwargs_text(self._kwargs)}, in_channels={self.gamma.shape[0]})"


class LayerNorm(InferShapesFromInput, HybridBlock):
    """Normalise over one axis (the last by default) of each sample, then scale and shift.

    Parameters
    ----------
    axis : int, default -1
    epsilon : float, default 1e-5
    center, scale : bool, default True
        Learn ``beta`` / ``gamma``.
    beta_initializer, gamma_initializer : default 'zeros', 'ones'
    in_channels : int, default 0
        Size of ``axis``; 0 learns it from the first input.

    Example:
        >>> layer = nn.LayerNorm()
        >>> layer.initialize()
        >>> layer(mx.nd.array([[1.0, 3.0]])).asnumpy().round(3)
        array([[-1.,  1.]], dtype=float32)
    """

    def __init__(
        self,
        axis: int = -1,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        in_channels: int = 0,
        prefix: str | None = None,
        params=None,
    ):
        check_int("LayerNorm", "in_channels", in_channels, 0)
        super().__init__(prefix=prefix, params=params)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        self._center = center
        self._scale = scale
        self.gamma = self.params.get(
            "gamma",
            grad_req="write" if scale else "null",
            shape=(in_channels,),
            init=gamma_initializer,
            allow_deferred_init=True,
        )
        self.beta = self.params.get(
            "beta",
            grad_req="write" if center else "null",
            shape=(in_channels,),
            init=beta_initializer,
            allow_deferred_init=True,
        )

    def _param_shapes(self, x_shape: tuple) -> dict:
        c = (_channel(self, x_shape, self._axis),)
        return {"gamma": c, "beta": c}

    def hybrid_forward(self, F, data, gamma, beta):
        return F.LayerNorm(data, gamma, beta, axis=self._axis, eps=self._epsilon)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({_kwargs_text(self._kwargs)}, in_channels={self.gamma.shape[0]})"


class GroupNorm(HybridBlock):
    """Split the channels (axis 1) into ``num_groups`` groups and normalise each group of each sample;
    ``gamma`` and ``beta`` have one value per group (as in MXNet 1.x).

    Parameters
    ----------
    num_groups : int, default 1
    epsilon : float, default 1e-5
    center, scale : bool, default True
    beta_initializer, gamma_initializer : default 'zeros', 'ones'

    Example:
        >>> layer = nn.GroupNorm(num_groups=2)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((1, 4, 3))).shape
        (1, 4, 3)
    """

    def __init__(
        self,
        num_groups: int = 1,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        prefix: str | None = None,
        params=None,
    ):
        check_int("GroupNorm", "num_groups", num_groups, 1)
        super().__init__(prefix=prefix, params=params)
        self._kwargs = {"eps": epsilon, "num_groups": num_groups, "center": center, "scale": scale}
        self._num_groups = num_groups
        self._epsilon = epsilon
        self._center = center
        self._scale = scale
        self.gamma = self.params.get(
            "gamma",
            grad_req="write" if scale else "null",
            shape=(num_groups,),
            init=gamma_initializer,
            allow_deferred_init=True,
        )
        self.beta = self.params.get(
            "beta",
            grad_req="write" if center else "null",
            shape=(num_groups,),
            init=beta_initializer,
            allow_deferred_init=True,
        )

    def hybrid_forward(self, F, data, gamma, beta):
        return F.GroupNorm(data, gamma, beta, num_groups=self._num_groups, eps=self._epsilon)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({_kwargs_text(self._kwargs)})"


def _function_name(function: Any) -> str:
    return getattr(function, "__name__", type(function).__name__)


class Lambda(Block):
    """Wrap a function, or the name of an ``nd`` operator, as a Block.

    Parameters
    ----------
    function : str or callable
        An operator name such as ``'tanh'``, or a function ``f(*inputs)``.

    Example:
        >>> nn.Lambda('tanh')(mx.nd.zeros((1,)))
        <BLANKLINE>
        [0.]
        <NDArray 1 @cpu(0)>
    """

    def __init__(self, function: str | Any, prefix: str | None = None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not hasattr(nd, function):
                raise AssertionError(f"Function name {function} is not found in ndarray.")
            self._func_impl = getattr(nd, function)
        elif callable(function):
            self._func_impl = function
        else:
            raise ValueError(f"Unrecognized function in lambda: {function} of type {type(function)}")

    def forward(self, *args):
        return self._func_impl(*args)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({_function_name(self._func_impl)})"


class HybridLambda(HybridBlock):
    """Wrap a function ``f(F, x, *args)``, or the name of an operator, as a HybridBlock.

    Parameters
    ----------
    function : str or callable
        An operator name such as ``'tanh'`` (looked up in ``F``), or ``f(F, x, *args)``.

    Example:
        >>> layer = nn.HybridLambda(lambda F, x: F.LeakyReLU(x, slope=0.1))
        >>> layer(mx.nd.array([-1.0])).asnumpy()
        array([-0.1], dtype=float32)
    """

    def __init__(self, function: str | Any, prefix: str | None = None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not hasattr(nd, function):
                raise AssertionError(f"Function name {function} is not found in symbol/ndarray.")
            self._func = lambda F, *args: getattr(F, function)(*args)
            self._func_name = function
        elif callable(function):
            self._func = function
            self._func_name = _function_name(function)
        else:
            raise ValueError(f"Unrecognized function in lambda: {function} of type {type(function)}")

    def hybrid_forward(self, F, x, *args):
        return self._func(F, x, *args)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._func_name})"
