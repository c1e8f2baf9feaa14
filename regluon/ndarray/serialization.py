"""MXNet's NDArray file format (``nd.save`` / ``nd.load``, ``.params`` files), read and written by an
explicit parser: no pickle, no torch.load. Truncated or malformed input raises ``MXNetError``.

Layout (little-endian), as MXNet 1.x writes it::

    uint64 0x112, uint64 0                   list magic, reserved
    uint64 n, then n arrays:                 each array:
        uint32 0xF993FAC9 (v2)                   magic (v3: 0xF993FACA; v1 files have none)
        int32 storage type (0 = dense)
        uint32 ndim, int64 dims[ndim]            (v1: uint32 dims)
        int32 dev_type, int32 dev_id             only when ndim > 0
        int32 dtype flag, raw data               only when ndim > 0
    uint64 m, then m names: uint64 length, bytes
"""

from __future__ import annotations

import struct

import numpy as np

from ..base import MXNetError

LIST_MAGIC = 0x112
V1_MAGIC = 0xF993FAC8
V2_MAGIC = 0xF993FAC9
V3_MAGIC = 0xF993FACA

#: MXNet's dtype flags (mshadow type codes) and back.
FLAG2DTYPE = {
    0: np.float32,
    1: np.float64,
    2: np.float16,
    3: np.uint8,
    4: np.int32,
    5: np.int8,
    6: np.int64,
    7: np.bool_,
}
DTYPE2FLAG = {np.dtype(v): k for k, v in FLAG2DTYPE.items()}


class _Reader:
    def __init__(self, data: bytes, fname: str):
        self.data, self.pos, self.fname = data, 0, fname
        self.stypes: list[str] = []  # the storage type of each array read

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise MXNetError(
                f"nd.load: {self.fname} is truncated or corrupt (needed {n} bytes at offset "
                f"{self.pos}, file has {len(self.data)})"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str):
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, self.take(size))


def _read_array(r: _Reader) -> np.ndarray | None:
    (first,) = r.unpack("<I")
    if first in (V2_MAGIC, V3_MAGIC):
        (stype,) = r.unpack("<i")
        if stype in _SPARSE_AUX:
            r.stypes[-1] = _STYPE_NAMES[stype]
            return _read_sparse(r, stype, first == V3_MAGIC)
        if stype != 0:
            raise MXNetError(f"nd.load: {r.fname} holds an array of unknown storage type {stype}")
        if first == V2_MAGIC:
            (ndim,) = r.unpack("<I")
        else:
            (ndim,) = r.unpack("<i")
            if ndim < 0:
                return None
        shape = r.unpack(f"<{ndim}q") if ndim else ()
    elif first == V1_MAGIC:
        (ndim,) = r.unpack("<I")
        shape = r.unpack(f"<{ndim}q") if ndim else ()
    else:  # legacy files start with the number of dimensions, and uint32 dims
        ndim = first
        if ndim > 32:
            raise MXNetError(f"nd.load: {r.fname} is not an MXNet NDArray file (bad array header {first:#x})")
        shape = r.unpack(f"<{ndim}I") if ndim else ()
    if ndim == 0:
        return None
    if any(d < 0 for d in shape):
        raise MXNetError(f"nd.load: {r.fname} has an array with an unknown dimension {shape}")
    r.unpack("<ii")  # device type and id: arrays are loaded onto the CPU
    (flag,) = r.unpack("<i")
    if flag not in FLAG2DTYPE:
        raise MXNetError(f"nd.load: {r.fname} has an array of unsupported dtype flag {flag}")
    dtype = np.dtype(FLAG2DTYPE[flag])
    count = int(np.prod(shape, dtype=np.int64))
    raw = r.take(count * dtype.itemsize)
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


# sparse storage types: 1 row_sparse (aux: row indices), 2 csr (aux: indptr, column indices)
_SPARSE_AUX = {1: 1, 2: 2}
_STYPE_NAMES = {1: "row_sparse", 2: "csr"}


def _read_shape(r: _Reader, v3: bool) -> tuple:
    (ndim,) = r.unpack("<i" if v3 else "<I")
    shape = r.unpack(f"<{ndim}q") if ndim > 0 else ()
    if any(d < 0 for d in shape):
        raise MXNetError(f"nd.load: {r.fname} has a sparse array with an unknown dimension {shape}")
    return shape


def _read_values(r: _Reader, flag: int, shape: tuple) -> np.ndarray:
    if flag not in FLAG2DTYPE:
        raise MXNetError(f"nd.load: {r.fname} has an array of unsupported dtype flag {flag}")
    dtype = np.dtype(FLAG2DTYPE[flag])
    count = int(np.prod(shape, dtype=np.int64))
    return np.frombuffer(r.take(count * dtype.itemsize), dtype=dtype).reshape(shape)


def _read_sparse(r: _Reader, stype: int, v3: bool) -> np.ndarray | None:
    """A row_sparse or csr array (values, then index arrays), returned dense: regluon's sparse arrays
    are dense-backed."""
    storage_shape, shape = _read_shape(r, v3), _read_shape(r, v3)
    if not shape:
        return None
    r.unpack("<ii")  # device type and id
    (flag,) = r.unpack("<i")
    aux = [(r.unpack("<i")[0], _read_shape(r, v3)) for _ in range(_SPARSE_AUX[stype])]
    values = _read_values(r, flag, storage_shape)
    index = [_read_values(r, f, s).astype(np.int64) for f, s in aux]
    if any(i.size and i.min() < 0 for i in index):
        raise MXNetError(f"nd.load: {r.fname} has a sparse array of shape {shape} with negative indices")
    out = np.zeros(shape, values.dtype)
    try:
        if stype == 1:
            out[index[0]] = values.reshape((len(index[0]), *shape[1:]))
        else:
            indptr, cols = index
            rows = np.repeat(np.arange(shape[0]), np.diff(indptr))
            out[rows, cols] = values
    except (ValueError, IndexError) as err:
        raise MXNetError(f"nd.load: {r.fname} has a malformed sparse array of shape {shape}: {err}") from None
    return out


def read_ndarray_file(data: bytes, fname: str = "<bytes>", stypes: list | None = None):
    """Parse an NDArray file: ``(arrays, names)`` with arrays as NumPy (None for empty ones), sparse
    arrays made dense; ``stypes``, if given, receives each array's storage type (``'csr'`` ...)."""
    r = _Reader(data, fname)
    if stypes is not None:
        r.stypes = stypes
    magic, _reserved = r.unpack("<QQ")
    if magic != LIST_MAGIC:
        raise MXNetError(f"nd.load: {fname} is not an MXNet NDArray file (magic {magic:#x}, expected 0x112)")
    (n,) = r.unpack("<Q")
    if n > len(data):
        raise MXNetError(f"nd.load: {fname} is corrupt (claims {n} arrays)")
    arrays = []
    for _ in range(n):
        r.stypes.append("default")
        arrays.append(_read_array(r))
    (m,) = r.unpack("<Q")
    if m not in (0, n):
        raise MXNetError(f"nd.load: {fname} is corrupt ({n} arrays but {m} names)")
    names = []
    for _ in range(m):
        (length,) = r.unpack("<Q")
        names.append(r.take(length).decode("utf-8"))
    if r.pos != len(data):
        raise MXNetError(f"nd.load: {fname} has {len(data) - r.pos} unexpected trailing bytes")
    return arrays, names


def _write_array(out: list, arr: np.ndarray) -> None:
    dtype = np.dtype(arr.dtype)
    if dtype not in DTYPE2FLAG:
        raise MXNetError(f"nd.save: dtype {dtype} cannot be saved in MXNet's format")
    out.append(struct.pack("<IiI", V2_MAGIC, 0, arr.ndim))
    if arr.ndim == 0:
        return
    out.append(struct.pack(f"<{arr.ndim}q", *arr.shape))
    out.append(struct.pack("<iii", 1, 0, DTYPE2FLAG[dtype]))
    out.append(np.ascontiguousarray(arr).astype(dtype.newbyteorder("<"), copy=False).tobytes())


def _write_sparse(out: list, stype: str, arr: np.ndarray) -> None:
    """A CSR or row-sparse array from its dense values: the nonzeros (CSR: row by row; row-sparse: the
    rows holding one) and int64 index arrays, in MXNet's v2 sparse layout."""
    dtype = np.dtype(arr.dtype)
    if dtype not in DTYPE2FLAG:
        raise MXNetError(f"nd.save: dtype {dtype} cannot be saved in MXNet's format")
    if stype == "csr":
        rows, cols = np.nonzero(arr)
        values = arr[rows, cols]
        aux = [np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=arr.shape[0]))]), cols]
    else:
        keep = np.nonzero(arr.reshape(arr.shape[0], -1).any(axis=1))[0]
        values, aux = arr[keep], [keep]
    aux = [np.asarray(a, dtype="<i8") for a in aux]

    def shape(s):
        return struct.pack(f"<I{len(s)}q", len(s), *s)

    code = {"row_sparse": 1, "csr": 2}[stype]
    out.append(struct.pack("<Ii", V2_MAGIC, code) + shape(values.shape) + shape(arr.shape))
    out.append(struct.pack("<iii", 1, 0, DTYPE2FLAG[dtype]))
    out.extend(struct.pack("<i", DTYPE2FLAG[np.dtype(np.int64)]) + shape(a.shape) for a in aux)
    out.append(np.ascontiguousarray(values).astype(dtype.newbyteorder("<"), copy=False).tobytes())
    out.extend(a.tobytes() for a in aux)


def write_ndarray_file(arrays: list[np.ndarray], names: list[str], stypes: list | None = None) -> bytes:
    """Serialise NumPy arrays (and optional names) in MXNet's NDArray list format (v2 arrays); where
    ``stypes`` names a sparse storage type for an array, it is written in that sparse form."""
    out = [struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays))]
    for i, a in enumerate(arrays):
        stype = stypes[i] if stypes else "default"
        if stype != "default" and a.ndim > 0:
            _write_sparse(out, stype, a)
        else:
            _write_array(out, a)
    out.append(struct.pack("<Q", len(names)))
    for name in names:
        b = name.encode("utf-8")
        out.append(struct.pack("<Q", len(b)) + b)
    return b"".join(out)
