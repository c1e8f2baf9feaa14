"""Gluon parameter files (``.params``): MXNet's NDArray file format holding a name -> array dict.

Two naming schemes exist, both written by MXNet 1.x: structural names (``0.weight``,
``features.3.bias``) from ``Block.save_parameters``, and full Parameter names (``dense0_weight``)
from ``ParameterDict.save`` and the older ``Block.save_params``. Loading checks every name, shape
and dtype first and changes the model only when the whole file fits, so a bad file never leaves a
model half loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from ..context import Context, cpu
from ..ndarray import NDArray

if TYPE_CHECKING:
    from .parameter import Parameter


class ParameterLoadError(MXNetError, AssertionError):
    """A parameters file does not fit the model (MXNet raises AssertionError here)."""


class ExtraParameterError(MXNetError, ValueError):
    """A parameters file holds a name the model does not have (MXNet raises ValueError here)."""


class ModelMismatchError(MXNetError, KeyError):
    """A saved model description does not match the model (a KeyError in MXNet)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def brief_list(names, limit: int = 7) -> str:
    """``'a', 'b', 'c', ..., 'x', 'y', 'z'``: a list of names shortened as MXNet prints it."""
    names = [f"'{n}'" for n in names]
    if len(names) > limit:
        names = names[: limit // 2] + ["..."] + names[limit // 2 - limit :]
    return ", ".join(names)


def reduced(param: Parameter) -> NDArray:
    """A Parameter's value on the CPU, averaged over its contexts (what gets saved)."""
    data = param.list_data()
    if len(data) == 1:
        return data[0].copyto(cpu())
    return nd.add_n(*(d.copyto(cpu()) for d in data)) / len(data)


def read(fname: str) -> dict[str, NDArray]:
    """The name -> NDArray dict stored in ``fname``; MXNetError for anything else."""
    try:
        loaded = nd.load(fname)
    except MXNetError as err:
        raise MXNetError(f"Cannot load parameters from file '{fname}': {err}") from None
    if isinstance(loaded, list) and not loaded:  # what MXNet writes for a block without parameters
        return {}
    if not isinstance(loaded, dict):
        raise MXNetError(
            f"File '{fname}' holds {len(loaded)} NDArray(s) without names, not a parameters file "
            "(parameters files map names to arrays, as save_parameters writes them)"
        )
    return loaded


def write(fname: str, named: dict[str, Parameter]) -> None:
    nd.save(fname, {name: p._reduce() for name, p in named.items()})


def _contexts(ctx) -> list[Context] | None:
    return [ctx] if isinstance(ctx, Context) else (list(ctx) if ctx is not None else None)


def _prepare(param: Parameter, key: str, data: NDArray, fname: str, ctx, cast_dtype: bool, dtype_source: str):
    """Check that ``data`` fits ``param``; return what :func:`_apply` needs. Changes nothing."""
    where = f"'{key}' in file '{fname}'"
    shape = param.shape
    if shape:
        if len(shape) != data.ndim or any(s not in (0, d) for s, d in zip(shape, data.shape)):
            raise ParameterLoadError(
                f"Failed loading Parameter '{param.name}' from saved params ({where}): shape incompatible "
                f"expected {shape} vs saved {data.shape}"
            )
    dtype = np.dtype(param.dtype)
    if dtype != data.dtype:
        if not cast_dtype:
            raise ParameterLoadError(
                f"Failed loading Parameter '{param.name}' from saved params ({where}): dtype incompatible "
                f"expected {dtype} vs saved {np.dtype(data.dtype)}. Set cast_dtype=True to cast the dtype of "
                "saved params."
            )
        if dtype_source == "current":
            data = data.astype(dtype)
        else:
            dtype = data.dtype
    ctx = _contexts(ctx)
    if ctx is not None and (param._data is not None or param._deferred_init):
        if set(ctx) != set(param.list_ctx()):
            raise ParameterLoadError(
                f"Failed to load Parameter '{param.name}' on {ctx} because it was previous initialized "
                f"on {param.list_ctx()}."
            )
    return param, data, dtype, ctx


def _apply(param: Parameter, data: NDArray, dtype, ctx) -> None:
    param.shape = data.shape
    if param._data is not None and np.dtype(param.dtype) == dtype:
        param.set_data(data)
        return
    ctx = ctx or (param.list_ctx() if (param._data is not None or param._deferred_init) else [cpu()])
    param.dtype = dtype
    param._deferred_init = ()
    param._init_impl(data, ctx)


def load_into(
    params: dict[str, Parameter],
    loaded: dict[str, NDArray],
    fname: str,
    ctx=None,
    allow_missing: bool = False,
    ignore_extra: bool = False,
    cast_dtype: bool = False,
    dtype_source: str = "current",
    hint: str = "",
) -> None:
    """Load ``loaded`` (file name -> array) into ``params`` (same names -> Parameter), all or nothing."""
    if dtype_source not in ("current", "saved"):
        raise ValueError(f"dtype_source must be 'current' or 'saved', got {dtype_source!r}")
    if not allow_missing:
        found = {id(p) for name, p in params.items() if name in loaded}  # shared: saved once
        for name, param in params.items():
            if id(param) not in found:
                raise ParameterLoadError(
                    f"Parameter '{name}' is missing in file '{fname}', which contains parameters: "
                    f"{brief_list(loaded)}. Set allow_missing=True to ignore missing parameters.{hint}"
                )
    if not ignore_extra:
        for name in loaded:
            if name not in params:
                raise ExtraParameterError(
                    f"Parameter '{name}' loaded from file '{fname}' is not present in the model, which "
                    f"contains parameters {brief_list(params)}. Set ignore_extra=True to ignore.{hint}"
                )
    plan = [
        _prepare(params[name], name, data, fname, ctx, cast_dtype, dtype_source)
        for name, data in loaded.items()
        if name in params
    ]
    for args in plan:
        _apply(*args)
