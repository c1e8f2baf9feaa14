"""Shared basics: the version strings and the error type every layer raises."""

from __future__ import annotations

__version__ = "0.1.0"
#: The MXNet release whose behaviour regluon reproduces; ``mxnet.__version__`` reports it.
MXNET_VERSION = "1.9.1"

numeric_types = (float, int)
integer_types = (int,)
string_types = (str,)


def py_str(x) -> str:
    """Decode bytes to str (MXNet's helper for C strings)."""
    return x.decode("utf-8") if isinstance(x, bytes) else str(x)


class MXNetError(RuntimeError):
    """The error MXNet code expects: bad shapes, bad arguments, missing devices.

    Example:
        >>> from mxnet.base import MXNetError
        >>> try:
        ...     mx.nd.zeros((2,), ctx=mx.gpu(7))
        ... except MXNetError as err:
        ...     print("no such GPU")
    """


class NotSupportedForSparseNDArray(MXNetError):
    """Raised by NDArray methods that sparse arrays do not have (``reshape`` on a CSR array)."""

    def __init__(self, function, alias, *args):
        name = function.__name__ if callable(function) else str(function)
        shown = ", ".join(str(type(a)) for a in args)
        super().__init__(
            f"Function {name}{' (' + alias + ')' if alias else ''} with arguments ({shown}) is not supported "
            "for SparseNDArray and only available in NDArray."
        )


def shape_str(shape) -> str:
    """Render a shape the way messages print it: ``(2, 3)``."""
    return "(" + ", ".join(str(int(d)) for d in shape) + ("," if len(shape) == 1 else "") + ")"
