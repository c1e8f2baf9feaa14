"""``mx.nd``: NDArray and every operator of the op table as a function.

The functions here (and in ``nd.random``, ``nd.contrib``, ``nd.linalg``) are generated
from the op table in :mod:`regluon.ndarray.register`; this module adds the few
Python-level helpers MXNet has on top (``array``, ``add``, ``maximum``, ``waitall``).
"""

from __future__ import annotations

import importlib.machinery
import sys
import types

import numpy as np
import torch
import torch.utils.dlpack

from ..base import MXNetError, numeric_types
from ..context import Context, current_context
from . import ops as _ops  # noqa: F401  (fills the op table)
from .dtypes import to_torch
from .ndarray import DeferredData, NDArray, _binary, autograd_state
from .register import OPS, bind, get_op, make_function
from .serialization import read_ndarray_file, write_ndarray_file

bind(NDArray, DeferredData, autograd_state, current_context)

_this = sys.modules[__name__]


def _submodule(name: str) -> types.ModuleType:
    full = f"{__name__}.{name}"
    mod = sys.modules.get(full)
    if mod is None:
        mod = types.ModuleType(full, f"``mx.nd.{name}``: generated from the op table.")
        mod.__spec__ = importlib.machinery.ModuleSpec(
            full, None
        )  # so that `import mxnet.ndarray.<name>` works
        sys.modules[full] = mod
        setattr(_this, name, mod)
    return mod


def _populate() -> None:
    internal = _submodule("_internal")
    for op in OPS.values():
        for public in (op.name, *op.aliases):
            ns, _, short = public.rpartition(".")
            target = _submodule(ns) if ns else _this
            fn = make_function(op, short)
            setattr(target, short, fn)
            if not ns and short.startswith("_"):
                setattr(internal, short, fn)
        if op.method and not hasattr(NDArray, op.method):
            # the generated function itself: as a method it receives the array as its first input
            setattr(NDArray, op.method, getattr(_this, op.name))


_populate()
random = _submodule("random")
from . import random_api as _random_api  # noqa: E402

for _name in _random_api.__all__:
    setattr(random, _name, getattr(_random_api, _name))
contrib = _submodule("contrib")
from . import control_flow as _control_flow  # noqa: E402

contrib.foreach = _control_flow.foreach
contrib.while_loop = _control_flow.while_loop
contrib.cond = _control_flow.cond
for _mod_name in _ops.__all__:  # Python-level functions over table ops (nd.histogram, ...)
    for _public, _fn in getattr(getattr(_ops, _mod_name), "FUNCTIONS", {}).items():
        _ns, _, _short = _public.rpartition(".")
        setattr(_submodule(_ns) if _ns else _this, _short, _fn)
linalg = _submodule("linalg")
from . import sparse as sparse  # noqa: E402

cast_storage = sparse.cast_storage  # tags the result with its storage type
NDArray.tostype = sparse.tostype


def array(source_array, ctx: Context | None = None, dtype=None) -> NDArray:
    """Create an NDArray from a list, NumPy array, NDArray or scalar.

    MXNet's dtype rule: float32 unless ``dtype`` is given or the source is an NDArray
    (whose dtype is kept).

    Example:
        >>> mx.nd.array([[1, 2], [3, 4]])
        <BLANKLINE>
        [[1. 2.]
         [3. 4.]]
        <NDArray 2x2 @cpu(0)>
    """
    ctx = ctx or current_context()
    if isinstance(source_array, NDArray):
        t = source_array._tensor.detach()
        td = t.dtype if dtype is None else to_torch(dtype)
        return NDArray._wrap(t.to(device=ctx.torch_device, dtype=td, copy=True), ctx)
    if isinstance(source_array, torch.Tensor):
        td = torch.float32 if dtype is None else to_torch(dtype)
        return NDArray._wrap(source_array.detach().to(device=ctx.torch_device, dtype=td, copy=True), ctx)
    np_dtype = np.float32 if dtype is None else np.dtype(dtype)
    try:
        arr = np.array(source_array, dtype=np_dtype)
    except OverflowError:  # MXNet (NumPy 1.x) wraps out-of-range numbers: int8 200 is -56
        arr = np.array(source_array).astype(np_dtype)
    except (ValueError, TypeError) as err:
        raise TypeError(f"array: cannot make an NDArray from {type(source_array).__name__}: {err}") from None
    to_torch(arr.dtype)
    return NDArray._wrap(torch.from_numpy(arr).to(ctx.torch_device), ctx)


def _scalar_or_array(array_op: str, scalar_op: str, rscalar_op: str | None, doc: str):
    def fn(lhs, rhs):
        if isinstance(lhs, NDArray):
            return _binary(lhs, rhs, array_op, scalar_op)
        if isinstance(rhs, NDArray) and isinstance(lhs, numeric_types):
            return _binary(rhs, lhs, None, rscalar_op or scalar_op)
        if isinstance(lhs, numeric_types) and isinstance(rhs, numeric_types):
            return _PY_SCALAR[array_op](lhs, rhs)
        raise TypeError(
            f"{array_op}: expected NDArrays or numbers, got {type(lhs).__name__}, {type(rhs).__name__}"
        )

    fn.__doc__ = doc + "\n\nEither side may be a number; NDArrays broadcast against each other."
    return fn


_PY_SCALAR = {
    "broadcast_add": lambda a, b: a + b,
    "broadcast_sub": lambda a, b: a - b,
    "broadcast_mul": lambda a, b: a * b,
    "broadcast_div": lambda a, b: a / b,
    "broadcast_mod": lambda a, b: a % b,
    "broadcast_power": lambda a, b: a**b,
    "broadcast_maximum": max,
    "broadcast_minimum": min,
    "broadcast_equal": lambda a, b: float(a == b),
    "broadcast_not_equal": lambda a, b: float(a != b),
    "broadcast_greater": lambda a, b: float(a > b),
    "broadcast_greater_equal": lambda a, b: float(a >= b),
    "broadcast_lesser": lambda a, b: float(a < b),
    "broadcast_lesser_equal": lambda a, b: float(a <= b),
    "broadcast_logical_and": lambda a, b: 1 if a and b else 0,
    "broadcast_logical_or": lambda a, b: 1 if a or b else 0,
    "broadcast_logical_xor": lambda a, b: 1 if bool(a) != bool(b) else 0,
}

add = _scalar_or_array("broadcast_add", "_plus_scalar", None, "Element-wise sum.")
subtract = _scalar_or_array("broadcast_sub", "_minus_scalar", "_rminus_scalar", "Element-wise difference.")
multiply = _scalar_or_array("broadcast_mul", "_mul_scalar", None, "Element-wise product.")
divide = _scalar_or_array("broadcast_div", "_div_scalar", "_rdiv_scalar", "Element-wise quotient.")
true_divide = divide
modulo = _scalar_or_array("broadcast_mod", "_mod_scalar", "_rmod_scalar", "Element-wise remainder.")
power = _scalar_or_array("broadcast_power", "_power_scalar", "_rpower_scalar", "Element-wise power.")
maximum = _scalar_or_array("broadcast_maximum", "_maximum_scalar", None, "Element-wise maximum.")
minimum = _scalar_or_array("broadcast_minimum", "_minimum_scalar", None, "Element-wise minimum.")
equal = _scalar_or_array("broadcast_equal", "_equal_scalar", None, "1 where equal, else 0.")
not_equal = _scalar_or_array("broadcast_not_equal", "_not_equal_scalar", None, "1 where different.")
greater = _scalar_or_array("broadcast_greater", "_greater_scalar", "_lesser_scalar", "1 where lhs > rhs.")
greater_equal = _scalar_or_array(
    "broadcast_greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar", "1 where lhs >= rhs."
)
lesser = _scalar_or_array("broadcast_lesser", "_lesser_scalar", "_greater_scalar", "1 where lhs < rhs.")
lesser_equal = _scalar_or_array(
    "broadcast_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar", "1 where lhs <= rhs."
)
logical_and = _scalar_or_array(
    "broadcast_logical_and", "_logical_and_scalar", None, "1 where both are non-zero."
)
logical_or = _scalar_or_array(
    "broadcast_logical_or", "_logical_or_scalar", None, "1 where either is non-zero."
)
logical_xor = _scalar_or_array(
    "broadcast_logical_xor", "_logical_xor_scalar", None, "1 where exactly one is non-zero."
)


def from_numpy(ndarray: np.ndarray, zero_copy: bool = True) -> NDArray:
    """An NDArray sharing memory with a C-contiguous NumPy array (its dtype is kept).

    Unlike ``nd.array`` this does not convert to float32; with ``zero_copy=False`` the data is copied.

    Example:
        >>> a = np.arange(3.0); x = mx.nd.from_numpy(a); a[0] = 7; x[0].asscalar()
        7.0
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected a NumPy array, got {type(ndarray).__name__}")
    if zero_copy and not ndarray.flags["C_CONTIGUOUS"]:
        raise ValueError("from_numpy: zero_copy needs a C-contiguous array; pass zero_copy=False to copy")
    src = ndarray if zero_copy else ndarray.copy()
    to_torch(src.dtype)
    return NDArray._wrap(torch.from_numpy(src), Context("cpu", 0))


def from_torch(tensor: torch.Tensor) -> NDArray:
    """An NDArray sharing memory with a ``torch.Tensor`` (the reverse of ``NDArray.to_torch()``)."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"from_torch: expected a torch.Tensor, got {type(tensor).__name__}")
    return NDArray(tensor)


def from_dlpack(dlpack) -> NDArray:
    """An NDArray sharing memory with a DLPack capsule (or any object with ``__dlpack__``)."""
    return NDArray(torch.utils.dlpack.from_dlpack(dlpack))


def to_dlpack_for_read(data: NDArray):
    """A DLPack capsule sharing ``data``'s memory, for reading by another framework."""
    data.wait_to_read()
    return torch.utils.dlpack.to_dlpack(data._tensor.detach())


def to_dlpack_for_write(data: NDArray):
    """A DLPack capsule sharing ``data``'s memory; writes through it change ``data``."""
    return torch.utils.dlpack.to_dlpack(data._tensor.detach())


def split_v2(ary: NDArray, indices_or_sections, axis: int = 0, squeeze_axis: bool = False):
    """Split into equal sections (an int) or at the given indices (a tuple), like ``numpy.split``."""
    if isinstance(indices_or_sections, int):
        return _this._split_v2(ary, axis=axis, squeeze_axis=squeeze_axis, sections=indices_or_sections)
    return _this._split_v2(ary, indices=(0, *indices_or_sections), axis=axis, squeeze_axis=squeeze_axis)


def Custom(*inputs, op_type: str, **kwargs):
    """Run a custom operator registered with ``mx.operator.register`` (see :mod:`regluon.operator`)."""
    from ..operator import Custom as _custom

    return _custom(*inputs, op_type=op_type, **kwargs)


def waitall() -> None:
    """Block until all pending computation on every device is done."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def save(fname: str, data) -> None:
    """Save an NDArray, a list of NDArrays or a dict of name -> NDArray in MXNet's file format.

    The file is byte for byte what MXNet 1.x writes, so MXNet reads it and ``nd.load`` reads files
    MXNet wrote.

    Example:
        >>> mx.nd.save('weights.nd', {'w': mx.nd.ones((2, 3))})
        >>> mx.nd.load('weights.nd')['w'].shape
        (2, 3)
    """
    if isinstance(data, NDArray):
        data = [data]
    if isinstance(data, dict):
        names = list(data.keys())
        if not all(isinstance(k, str) for k in names):
            raise TypeError("save: dictionary keys must be strings")
        arrays = list(data.values())
    elif isinstance(data, (list, tuple)):
        names, arrays = [], list(data)
    else:
        raise TypeError(
            f"save: data must be an NDArray, a list or a dict of NDArrays, got {type(data).__name__}"
        )
    for a in arrays:
        if not isinstance(a, NDArray):
            raise TypeError(f"save: every value must be an NDArray, got {type(a).__name__}")
    blob = write_ndarray_file([np.asarray(a.asnumpy()) for a in arrays], names, [a.stype for a in arrays])
    with open(fname, "wb") as f:
        f.write(blob)


def load(fname: str):
    """Load what :func:`save` (or MXNet's ``nd.save`` / ``save_parameters``) wrote: a list of
    NDArrays, or a dict when the file stores names. Arrays are placed on the CPU; sparse ones come
    back as CSR / row-sparse arrays.

    Example:
        >>> params = mx.nd.load('model-0000.params')
    """
    with open(fname, "rb") as f:
        blob = f.read()
    return _from_blob(blob, fname)


def load_frombuffer(buf):
    """What :func:`load` gives, read from ``buf``, the bytes of an NDArray file (e.g. ``f.read()``).

    Example:
        >>> mx.nd.save('x.nd', {'w': mx.nd.ones((2,))})
        >>> mx.nd.load_frombuffer(open('x.nd', 'rb').read())['w'].shape
        (2,)
    """
    if isinstance(buf, str):
        buf = buf.encode("latin-1")
    if not isinstance(buf, bytes):
        raise TypeError("buf required to be a string or bytes")
    return _from_blob(buf, "<buffer>")


def _from_blob(blob: bytes, where: str):
    stypes: list = []
    arrays, names = read_ndarray_file(blob, where, stypes)
    ctx = Context("cpu", 0)
    nds = [
        NDArray._wrap(torch.empty(0), ctx) if a is None else NDArray._wrap(torch.from_numpy(a), ctx)
        for a in arrays
    ]
    for x, stype in zip(nds, stypes):
        if stype != "default" and x.size:
            sparse._tag(x, stype)
    return dict(zip(names, nds)) if names else nds


def imdecode(
    str_img, clip_rect=(0, 0, 0, 0), out: NDArray | None = None, index: int = 0, channels: int = 3, mean=None
):
    """Decode an image (bytes of a JPEG, PNG ...) into a ``(channels, height, width)`` float32 array:
    MXNet's old decoder, deprecated there for ``mx.image.imdecode``.

    The channels are in the order the image codec gives them (blue, green, red); ``channels=1``
    decodes to grey. ``clip_rect=(x0, y0, x1, y1)`` keeps that region (all zeros: the whole image),
    ``mean`` (an array of the result's shape) is subtracted, and with ``out`` (3-d, or 4-d with
    ``index`` picking the slot) the result is written there. MXNet 1.9.1's own function fails on every
    call (its operator cannot infer the output shape), so this one follows the operator's definition.

    Example:
        >>> mx.nd.imdecode(open('cat.png', 'rb').read()).shape
        (3, 240, 320)
    """
    from ..image.codec import decode_to_numpy

    if isinstance(str_img, str):
        str_img = str_img.encode("latin-1")
    if channels not in (1, 3):
        raise MXNetError(f"imdecode: channels must be 1 or 3, got {channels}")
    img = decode_to_numpy(str_img, 0 if channels == 1 else 1, rgb=False, where="imdecode")
    if img.ndim == 2:
        img = img[:, :, None]
    x0, y0, x1, y1 = (int(v) for v in clip_rect)
    if y1 - y0 == 0:
        x0, y0, x1, y1 = 0, 0, img.shape[1], img.shape[0]
    if not (0 <= x0 < x1 <= img.shape[1] and 0 <= y0 < y1 <= img.shape[0]):
        raise MXNetError(
            f"imdecode: clip_rect {tuple(clip_rect)} is outside the {img.shape[1]}x{img.shape[0]} image"
        )
    res = np.ascontiguousarray(img[y0:y1, x0:x1, :channels].transpose(2, 0, 1))
    dtype = np.float32 if mean is None else mean.dtype
    res = res.astype(dtype)
    if mean is not None:
        if tuple(mean.shape) != res.shape:
            raise MXNetError(f"imdecode: mean has shape {mean.shape}, the image {res.shape}")
        res = res - mean.asnumpy()
    if out is None:
        return array(res, dtype=dtype)
    target = out if out.ndim == 3 else out[index]
    if tuple(target.shape) != res.shape:
        raise MXNetError(f"imdecode: out has shape {target.shape}, the decoded image {res.shape}")
    target[:] = res
    return out


def concatenate(arrays, axis: int = 0, always_copy: bool = True) -> NDArray:
    """Join a list of arrays along ``axis`` (the older spelling of ``concat``)."""
    return _this.concat(*arrays, dim=axis)


def _op_module() -> types.ModuleType:
    """``mx.nd.op``: MXNet's module of operator functions; its names are the very ``nd`` functions."""
    mod = _submodule("op")
    for op in OPS.values():
        for public in (op.name, *op.aliases):
            if "." not in public and not public.startswith("_"):
                setattr(mod, public, getattr(_this, public))
    mod.Custom, mod.reset_arrays = Custom, _this.reset_arrays
    sparse.op = mod  # MXNet's nd.sparse names the module too
    return mod


op = _op_module()

__all__ = [
    "NDArray",
    "array",
    "waitall",
    "MXNetError",
    "DeferredData",
    "get_op",
    "random",
    "contrib",
    "linalg",
]
