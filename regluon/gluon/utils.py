"""``gluon.utils``: splitting batches over contexts, gradient clipping, file checks and downloads."""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from .. import ndarray as nd
from ..base import MXNetError
from ..context import Context
from ..ndarray import NDArray

__all__ = [
    "split_data",
    "split_and_load",
    "clip_global_norm",
    "check_sha1",
    "download",
    "replace_file",
    "HookHandle",
    "shape_is_known",
]


def split_data(data: NDArray, num_slice: int, batch_axis: int = 0, even_split: bool = True) -> list[NDArray]:
    """Split ``data`` into ``num_slice`` parts along ``batch_axis``.

    With ``even_split=False`` the first ``size % num_slice`` parts get one extra row (as NumPy's
    ``array_split``); parts may be empty when there are fewer rows than parts.

    Example:
        >>> [p.shape for p in gluon.utils.split_data(mx.nd.ones((5, 2)), 2, even_split=False)]
        [(3, 2), (2, 2)]
    """
    size = data.shape[batch_axis]
    if even_split and size % num_slice != 0:
        raise ValueError(
            f"data with shape {data.shape} cannot be evenly split into {num_slice} slices along axis "
            f"{batch_axis}. Use a batch size that's multiple of {num_slice} or set even_split=False to allow "
            "uneven partitioning of data."
        )
    if num_slice == 1:
        return [data]
    base, extra = divmod(size, num_slice)
    bounds = np.cumsum([0] + [base + (i < extra) for i in range(num_slice)])
    return [_part(data, batch_axis, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]


def _part(data: NDArray, axis: int, begin: int, end: int) -> NDArray:
    if begin == end:  # more parts than rows: the last ones are empty
        shape = list(data.shape)
        shape[axis] = 0
        return nd.zeros(tuple(shape), ctx=data.context, dtype=data.dtype)
    return nd.slice_axis(data, axis=axis, begin=begin, end=end)


def split_and_load(
    data: Any, ctx_list: Sequence[Context], batch_axis: int = 0, even_split: bool = True
) -> list[NDArray]:
    """Split a batch along ``batch_axis`` and copy part ``i`` to ``ctx_list[i]``.

    Example:
        >>> parts = gluon.utils.split_and_load(X, [mx.gpu(0), mx.gpu(1)])
    """
    if not isinstance(data, NDArray):
        data = nd.array(data, ctx=ctx_list[0])
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    slices = split_data(data, len(ctx_list), batch_axis, even_split)
    return [s.as_in_context(c) for s, c in zip(slices, ctx_list)]


def clip_global_norm(arrays: Sequence[NDArray], max_norm: float, check_isfinite: bool = True):
    """Scale ``arrays`` in place so that their joint L2 norm is at most ``max_norm``.

    Returns the norm before scaling: a NumPy float32 when ``check_isfinite`` (which also warns
    about NaN or Inf), else a 1-element NDArray, as MXNet does.

    Example:
        >>> grads = [p.grad() for p in net.collect_params().values()]
        >>> norm = gluon.utils.clip_global_norm(grads, 1.0)
    """
    assert len(arrays) > 0, "clip_global_norm: arrays must not be empty"
    ctx = arrays[0].context
    tensors = [a._tensor for a in arrays]
    device = tensors[0].device
    with torch.no_grad():
        norms = torch._foreach_norm([t.float() for t in tensors])
        total = torch.linalg.vector_norm(torch.stack([n.to(device) for n in norms]))
        scale = max_norm / (total + 1e-8)
        scale = torch.where(scale < 1.0, scale, torch.ones_like(scale))
        for t in tensors:
            t.mul_(scale.to(device=t.device, dtype=t.dtype))
    if check_isfinite:
        value = np.float32(total.item())
        if not math.isfinite(value):
            warnings.warn(
                UserWarning("nan or inf is detected. Clipping results will be undefined."), stacklevel=2
            )
        return value
    return nd.from_torch(total.reshape(1)).as_in_context(ctx)


def check_sha1(filename: str, sha1_hash: str) -> bool:
    """Whether the file's SHA-1 digest equals ``sha1_hash`` (hex)."""
    sha1 = hashlib.sha1()
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha1.update(chunk)
    return sha1.hexdigest() == sha1_hash


def replace_file(src: str, dst: str) -> None:
    """Move ``src`` over ``dst`` atomically."""
    os.replace(src, dst)


def _target(url: str, path: str | None) -> str:
    if path is None:
        return url.split("/")[-1]
    path = os.path.expanduser(path)
    return os.path.join(path, url.split("/")[-1]) if os.path.isdir(path) else path


def download(
    url: str,
    path: str | None = None,
    overwrite: bool = False,
    sha1_hash: str | None = None,
    retries: int = 5,
    verify_ssl: bool = True,
) -> str:
    """Download ``url`` to ``path`` (a file or an existing directory) and return the file name.

    An existing file with the right ``sha1_hash`` (or any existing file when no hash is given) is
    kept unless ``overwrite``. When the download fails (for example with no network), the error
    names the URL and the local path where the file can be put by hand.

    Example:
        >>> fname = gluon.utils.download('https://example.org/data.zip', path='~/.mxnet/datasets/')
    """
    fname = _target(url, path)
    if not overwrite and os.path.exists(fname) and (not sha1_hash or check_sha1(fname, sha1_hash)):
        return fname
    assert retries >= 0, f"Number of retries should be at least 0, currently it's {retries}"
    if not verify_ssl:
        warnings.warn("Unverified HTTPS request is being made (verify_ssl=False).", stacklevel=2)
    folder = os.path.dirname(os.path.abspath(fname))
    os.makedirs(folder, exist_ok=True)
    last: Exception | None = None
    for _ in range(retries + 1):
        try:
            _fetch(url, fname, folder, verify_ssl)
        except (urllib.error.URLError, OSError, ValueError) as err:
            last = err
            continue
        if sha1_hash and not check_sha1(fname, sha1_hash):
            raise MXNetError(
                f"File {fname} is downloaded but the content hash does not match. The repo may be outdated "
                "or download may be incomplete."
            )
        return fname
    raise MXNetError(
        f"Cannot download {url} ({last}). Put the file there by hand: {os.path.abspath(fname)}"
    ) from None


def _fetch(url: str, fname: str, folder: str, verify_ssl: bool) -> None:
    import ssl

    context = None if verify_ssl else ssl._create_unverified_context()
    print(f"Downloading {fname} from {url}...")
    with urllib.request.urlopen(url, timeout=30, context=context) as resp:
        with tempfile.NamedTemporaryFile(dir=folder, delete=False) as tmp:
            shutil.copyfileobj(resp, tmp)
    replace_file(tmp.name, fname)


class HookHandle:
    """The handle ``Block.register_forward_hook`` (and ``register_forward_pre_hook``) returns.

    ``attach(hooks_dict, hook)`` files ``hook`` in ``hooks_dict`` under ``id(hook)`` (so one function
    registered twice on the same block runs once); ``detach()`` removes it again, and leaving a
    ``with`` block on the handle detaches it. The handle holds the dict weakly: a handle outliving
    its block detaches nothing.

    Example:
        >>> net = gluon.nn.Dense(2)
        >>> with net.register_forward_hook(lambda block, inputs, output: print(output.shape)):
        ...     pass
    """

    def __init__(self) -> None:
        self._hooks_dict_ref = None
        self._id: int | None = None

    def attach(self, hooks_dict: dict, hook: Callable) -> None:
        """Put ``hook`` into ``hooks_dict``; a handle can be attached once."""
        if self._hooks_dict_ref is not None:
            raise AssertionError("The same handle cannot be attached twice.")
        ref = weakref.ref(hooks_dict)  # an OrderedDict (a plain dict cannot be referenced weakly)
        self._id = id(hook)
        hooks_dict[self._id] = hook
        self._hooks_dict_ref = ref

    def detach(self) -> None:
        """Remove the hook from the dict it was attached to (nothing happens if it is gone)."""
        hooks = self._hooks_dict_ref() if self._hooks_dict_ref is not None else None
        if hooks is not None:
            hooks.pop(self._id, None)

    def __getstate__(self):
        return (self._hooks_dict_ref() if self._hooks_dict_ref is not None else None, self._id)

    def __setstate__(self, state) -> None:
        hooks, self._id = state
        # unpickled without its dict: the reference is dead at once and detach() does nothing
        self._hooks_dict_ref = weakref.ref(hooks if hooks is not None else OrderedDict())

    def __enter__(self) -> HookHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.detach()


def shape_is_known(shape) -> bool:
    """Whether every dimension of ``shape`` is known (legacy shape rules: 0 marks an unknown size).

    ``None`` and ``()`` count as unknown; a negative size is refused with an AssertionError.

    Example:
        >>> gluon.utils.shape_is_known((2, 0)), gluon.utils.shape_is_known((2, 3))
        (False, True)
    """
    if shape is None or len(shape) == 0:
        return False
    for size in shape:
        if size == 0:
            return False
        if size < 0:
            raise AssertionError(f"shape dimension size cannot be less than 0, while received {size}")
    return True
