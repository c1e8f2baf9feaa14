"""Basic layers: Sequential containers, Dense, Activation, Flatten."""

from __future__ import annotations

from typing import Any

from ..block import Block, HybridBlock


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


class Activation(HybridBlock):
    """Apply an activation function: ``'relu'``, ``'sigmoid'``, ``'tanh'``, ``'softrelu'``, ``'softsign'``.

    Example:
        >>> nn.Activation('relu')(mx.nd.array([-1, 2]))
        <BLANKLINE>
        [0. 2.]
        <NDArray 2 @cpu(0)>
    """

    def __init__(self, activation: str, **kwargs):
        self._act_type = activation
        super().__init__(**kwargs)

    def _alias(self) -> str:
        return self._act_type

    def hybrid_forward(self, F, x):
        return F.Activation(x, act_type=self._act_type, name="fwd")

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._act_type})"


class Flatten(HybridBlock):
    """Flatten (N, d1, d2, ...) to (N, d1*d2*...)."""

    def hybrid_forward(self, F, x):
        return F.Flatten(x)

    def __repr__(self) -> str:
        return self.__class__.__name__
