"""Devices: ``mx.cpu()``, ``mx.gpu(i)`` and the default-context stack, mapped to torch devices."""

from __future__ import annotations

import threading

import torch

from .base import MXNetError


class Context:
    """A device on which NDArrays live.

    ``Context('cpu', 0)`` and ``Context('gpu', 1)`` map to ``torch.device('cpu')`` and
    ``torch.device('cuda:1')``. A GPU context can be created on any machine; only
    allocating on it fails (with :class:`MXNetError`) where that GPU does not exist.
    Used as a context manager it becomes the default for arrays created inside.

    Example:
        >>> with mx.cpu(0):
        ...     x = mx.nd.ones((2, 2))
        >>> x.context
        cpu(0)
    """

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {v: k for k, v in devtype2str.items()}
    _local = threading.local()

    def __init__(self, device_type: str | Context, device_id: int = 0):
        if isinstance(device_type, Context):
            self.device_typeid, self.device_id = device_type.device_typeid, device_type.device_id
        else:
            if device_type not in self.devstr2type:
                raise ValueError(f"unknown device type {device_type!r}; use one of cpu, gpu, cpu_pinned")
            self.device_typeid = self.devstr2type[device_type]
            self.device_id = int(device_id)
        self._old = []
        self._torch = None

    @property
    def device_type(self) -> str:
        return self.devtype2str[self.device_typeid]

    def __hash__(self) -> int:
        return hash((self.device_typeid, self.device_id))

    def __eq__(self, other) -> bool:
        if other is self:
            return True
        return (
            isinstance(other, Context)
            and self.device_typeid == other.device_typeid
            and self.device_id == other.device_id
        )

    def __repr__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    __str__ = __repr__

    @property
    def torch_device(self) -> torch.device:
        """The torch device behind this context; raises MXNetError if it is not present."""
        dev = self._torch
        if dev is None:
            if self.device_typeid == 2:
                count = torch.cuda.device_count() if torch.cuda.is_available() else 0
                if self.device_id >= count:
                    raise MXNetError(
                        f"cannot allocate on {self}: this machine has {count} usable CUDA GPU(s). "
                        "Use mx.cpu() instead, or check mx.context.num_gpus() first."
                    )
                dev = torch.device("cuda", self.device_id)
            else:
                dev = torch.device("cpu")
            self._torch = dev
        return dev

    def empty_cache(self) -> None:
        """Release cached GPU memory held by this context (no-op on the CPU)."""
        if self.device_typeid == 2 and torch.cuda.is_available():
            with torch.cuda.device(self.torch_device):
                torch.cuda.empty_cache()

    def __enter__(self) -> Context:
        stack = _stack()
        stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _stack().pop()


def _stack() -> list:
    loc = Context._local
    try:
        return loc.stack
    except AttributeError:
        loc.stack = [Context("cpu", 0)]
        return loc.stack


def cpu(device_id: int = 0) -> Context:
    """Return the CPU context ``cpu(device_id)``.

    Example:
        >>> mx.cpu()
        cpu(0)
    """
    return Context("cpu", device_id)


def cpu_pinned(device_id: int = 0) -> Context:
    """Return a pinned-memory CPU context (stored as ordinary CPU memory here)."""
    return Context("cpu_pinned", device_id)


def gpu(device_id: int = 0) -> Context:
    """Return the GPU context ``gpu(device_id)``; creating it never fails, allocating may.

    Example:
        >>> mx.gpu(1)
        gpu(1)
    """
    return Context("gpu", device_id)


def num_gpus() -> int:
    """The number of CUDA GPUs torch can use on this machine."""
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def gpu_memory_info(device_id: int = 0) -> tuple[int, int]:
    """Free and total bytes of memory on GPU ``device_id``, as CUDA reports them.

    Raises MXNetError where there is no such CUDA GPU (MXNet raises one when it was built
    without CUDA).

    Example:
        >>> free, total = mx.context.gpu_memory_info(0)  # on a machine with a GPU
    """
    count = num_gpus()
    if not 0 <= int(device_id) < count:
        raise MXNetError(
            f"gpu_memory_info: no CUDA GPU {device_id} on this machine ({count} usable CUDA GPU(s)); "
            "this call needs a GPU that torch can see"
        )
    free, total = torch.cuda.mem_get_info(int(device_id))
    return int(free), int(total)


def current_context() -> Context:
    """The default context: the innermost ``with ctx:`` block, else ``cpu(0)``."""
    return _stack()[-1]


_BY_DEVICE: dict = {}


def context_of(device: torch.device) -> Context:
    """The Context that names a torch device (one shared instance per device)."""
    ctx = _BY_DEVICE.get(device)
    if ctx is None:
        ctx = Context("gpu", device.index or 0) if device.type == "cuda" else Context("cpu", 0)
        _BY_DEVICE[device] = ctx
    return ctx
