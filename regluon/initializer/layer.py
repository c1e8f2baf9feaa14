"""Initializers tied to a layer's layout: Bilinear (upsampling kernels), LSTMBias, FusedRNN."""

from __future__ import annotations

from typing import Any

from .. import ndarray as nd
from ..ndarray import NDArray
from .core import InitDesc, Initializer, bilinear_kernel, create, register


@register
class Bilinear(Initializer):
    """Bilinear-interpolation kernels for upsampling by transposed convolution.

    The weight must be at least 4-d ``(out, in, h, w)``; see :func:`bilinear_kernel`.

    Example:
        >>> up = mx.gluon.nn.Conv2DTranspose(3, 4, strides=2, padding=1, in_channels=3,
        ...                                  weight_initializer=mx.init.Bilinear())
    """

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, name: str, arr: NDArray) -> None:
        arr[:] = bilinear_kernel(arr.shape, name)


@register
class LSTMBias(Initializer):
    """LSTM bias: zeros except the forget gate (the second quarter of the vector), set to ``forget_bias``.

    Example:
        >>> cell = mx.gluon.rnn.LSTMCell(20, i2h_bias_initializer=mx.init.LSTMBias(forget_bias=1.0))
    """

    def __init__(self, forget_bias: float = 1.0) -> None:
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, name: str, arr: NDArray) -> None:
        arr[:] = 0.0
        num_hidden = int(arr.shape[0] / 4)
        arr[num_hidden : 2 * num_hidden] = self.forget_bias


_GATES = {"rnn_relu": ("",), "rnn_tanh": ("",), "lstm": ("_i", "_f", "_c", "_o"), "gru": ("_r", "_z", "_o")}


@register
class FusedRNN(Initializer):
    """Initializes the single flat parameter vector of a fused (cuDNN-layout) RNN.

    The vector is cut into per-gate pieces named like the unfused cell's parameters
    (``l0_i2h_f_weight``, ``r1_h2h_o_bias``, ...): for each layer and direction (``l``, and ``r``
    if bidirectional) the i2h then the h2h weights of every gate, followed by all the biases in
    the same order. Each piece is filled by ``init`` (or by the global initializer if ``init``
    is None) according to its name; for ``mode='lstm'`` the forget-gate biases are set to
    ``forget_bias``.

    Parameters
    ----------
    init : Initializer, str or None
        Initializer for the pieces (an instance, a registered name or a JSON dump).
    num_hidden, num_layers : int
        Hidden size and number of layers of the fused RNN.
    mode : str
        ``'rnn_relu'``, ``'rnn_tanh'``, ``'lstm'`` or ``'gru'``.
    bidirectional : bool, default False
    forget_bias : float, default 1.0

    Example:
        >>> init = mx.init.FusedRNN(mx.init.Xavier(), num_hidden=8, num_layers=1, mode='lstm')
    """

    def __init__(
        self,
        init: Initializer | str | None,
        num_hidden: int,
        num_layers: int,
        mode: str,
        bidirectional: bool = False,
        forget_bias: float = 1.0,
    ) -> None:
        if mode not in _GATES:
            raise ValueError(f"FusedRNN: mode must be one of {', '.join(_GATES)}, got {mode!r}")
        if init is not None:
            init = create(init)
        super().__init__(
            init=init.dumps() if init is not None else None,
            num_hidden=num_hidden,
            num_layers=num_layers,
            mode=mode,
            bidirectional=bidirectional,
            forget_bias=forget_bias,
        )
        self._init = init
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._forget_bias = forget_bias

    def _pieces(self, size: int, name: str) -> list[tuple[str, tuple]]:
        """(name, shape) of every piece of a flat vector of ``size`` values, in storage order."""
        gates, h, layers = _GATES[self._mode], self._num_hidden, self._num_layers
        dirs = ("l", "r") if self._bidirectional else ("l",)
        b, m = len(dirs), len(gates)
        num_input = size // b // h // m - (layers - 1) * (h + b * h + 2) - h - 2
        weights, biases = [], []
        for layer in range(layers):
            for d in dirs:
                in_size = num_input if layer == 0 else b * h
                weights += [(f"{d}{layer}_i2h{g}_weight", (h, in_size)) for g in gates]
                weights += [(f"{d}{layer}_h2h{g}_weight", (h, h)) for g in gates]
                biases += [(f"{d}{layer}_{kind}{g}_bias", (h,)) for kind in ("i2h", "h2h") for g in gates]
        pieces = weights + biases
        total = sum(s[0] * (s[1] if len(s) > 1 else 1) for _, s in pieces)
        if num_input <= 0 or total != size:
            raise AssertionError(
                f"Invalid parameters size for FusedRNNCell: {name} has {size} values, which fits no input "
                f"size for mode={self._mode!r}, num_hidden={h}, num_layers={layers}, "
                f"bidirectional={self._bidirectional}"
            )
        return pieces

    def _init_weight(self, desc: str, arr: NDArray) -> None:
        global_init: Any = getattr(desc, "global_init", None)
        filled = []
        for name, shape in self._pieces(arr.size, desc):
            piece = nd.zeros(shape, dtype=arr.dtype)
            piece_desc = InitDesc(name, global_init=global_init)
            if self._mode == "lstm" and name.endswith("_f_bias"):
                piece[:] = self._forget_bias
            elif self._init is None:
                if global_init is None:
                    raise ValueError(f"FusedRNN(init=None) needs a global initializer to fill {name}")
                global_init(piece_desc, piece)
            else:
                self._init(piece_desc, piece)
            filled.append(piece.reshape((-1,)))
        arr[:] = nd.concat(*filled, dim=0).reshape(arr.shape).as_in_context(arr.context)
