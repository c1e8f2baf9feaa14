"""mx.recordio: MXNet's RecordIO files (``.rec``) and their ``.idx`` indexes.

A ``.rec`` file is a sequence of parts. Each part is a little-endian 32-bit magic word
``0xced7230a``, a 32-bit length word (the low 29 bits are the payload length, the high 3 bits
say whether the part is a whole record (0) or the start (1), middle (2) or end (3) of one),
the payload, and zero bytes up to the next multiple of 4. A record whose payload holds the magic
word at a 4-byte aligned offset is cut there into several parts (the magic word itself is not
stored; the reader puts it back), so a reader can always find record starts. An ``.idx`` file
has one ``key<TAB>byte offset`` line per record.

``pack``/``unpack`` add MXNet's 24-byte image-record header (``IRHeader``) in front of a payload;
``pack_img``/``unpack_img`` also encode/decode the image with Pillow (OpenCV's BGR channel order,
as MXNet's functions use).
"""

from __future__ import annotations

import numbers
import os
import struct
from collections import namedtuple
from typing import Any

import numpy as np

from .base import MXNetError

__all__ = ["MXRecordIO", "MXIndexedRecordIO", "IRHeader", "pack", "unpack", "pack_img", "unpack_img"]

_MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", _MAGIC)
_LEN_BITS = 29
_LEN_MASK = (1 << _LEN_BITS) - 1
_HEAD = struct.Struct("<II")


def _split_at_magic(buf: bytes) -> list[bytes]:
    """Cut ``buf`` wherever the magic word sits at a 4-byte aligned offset (the word is dropped)."""
    parts, start, pos = [], 0, buf.find(_MAGIC_BYTES)
    while pos >= 0:
        if pos % 4 == 0:
            parts.append(buf[start:pos])
            start = pos + 4
            pos = buf.find(_MAGIC_BYTES, start)
        else:
            pos = buf.find(_MAGIC_BYTES, pos + 1)
    parts.append(buf[start:])
    return parts


def _encode_record(buf: bytes) -> bytes:
    parts = _split_at_magic(buf)
    out = []
    for i, part in enumerate(parts):
        if len(parts) == 1:
            cflag = 0
        else:
            cflag = 1 if i == 0 else (3 if i == len(parts) - 1 else 2)
        if len(part) > _LEN_MASK:
            raise MXNetError(
                f"MXRecordIO.write: a record part of {len(part)} bytes exceeds the 2**29-1 limit"
            )
        out.append(_HEAD.pack(_MAGIC, (cflag << _LEN_BITS) | len(part)))
        out.append(part)
        out.append(b"\0" * (-len(part) % 4))
    return b"".join(out)


class MXRecordIO:
    """Sequential reader/writer of a RecordIO ``.rec`` file.

    Parameters
    ----------
    uri : str
        Path of the ``.rec`` file.
    flag : str
        ``'r'`` to read, ``'w'`` to write (the file is truncated).

    Example
    -------
    >>> rec = mx.recordio.MXRecordIO('data.rec', 'w')
    >>> rec.write(b'first'); rec.write(b'second'); rec.close()
    >>> rec = mx.recordio.MXRecordIO('data.rec', 'r')
    >>> rec.read()
    b'first'
    """

    def __init__(self, uri: str, flag: str) -> None:
        self.uri = str(uri)
        self.flag = flag
        self.handle = None
        self.is_open = False
        self.writable = False
        self.pid = None
        self._count = 0  # ordinal of the next record, for error messages
        self._key = None  # key of the record seek() moved to (indexed files)
        self.open()

    # -- opening and closing -------------------------------------------------------------------
    def open(self) -> None:
        """Open the file (called by the constructor; again after :meth:`close`)."""
        if self.flag == "w":
            mode, self.writable = "wb", True
        elif self.flag == "r":
            mode, self.writable = "rb", False
        else:
            raise ValueError(f"Invalid flag {self.flag}")
        try:
            self.handle = open(self.uri, mode)
        except OSError as err:
            raise MXNetError(f'MXRecordIO: cannot open "{self.uri}": {err.strerror}') from None
        self.pid = os.getpid()
        self.is_open = True
        self._count, self._key = 0, None

    def close(self) -> None:
        """Close the file; a closed record file can be opened again with :meth:`open`."""
        if self.is_open:
            self.handle.close()
            self.handle = None
            self.is_open = False
            self.pid = None

    def reset(self) -> None:
        """Go back to the first record (close and reopen; a writer starts a new, empty file)."""
        self.close()
        self.open()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __getstate__(self) -> dict:
        # A file handle cannot cross a process boundary: the copy reopens the file (readers only).
        state = self.__dict__.copy()
        state["handle"] = None
        state["pid"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.is_open:
            self.is_open = False
            self.open()

    def _check_pid(self, allow_reset: bool = False) -> None:
        """After a fork the file offset would be shared: a reader reopens, a writer refuses."""
        if not self.is_open:
            raise MXNetError(f'MXRecordIO: "{self.uri}" is closed')
        if self.pid != os.getpid():
            if not allow_reset:
                raise RuntimeError("Forbidden operation in multiple processes")
            self.reset()

    # -- records ---------------------------------------------------------------------------------
    def write(self, buf: bytes) -> None:
        """Append one record (``bytes``) to a file opened with ``'w'``."""
        if not self.writable:
            raise MXNetError(f'MXRecordIO.write: "{self.uri}" was opened for reading (flag "r")')
        self._check_pid(allow_reset=False)
        self.handle.write(_encode_record(bytes(buf)))
        self._count += 1

    def _fail(self, offset: int, what: str) -> MXNetError:
        which = f"record {self._count}" if self._key is None else f"record with key {self._key!r}"
        return MXNetError(f'Invalid RecordIO file "{self.uri}": {which} at byte offset {offset}: {what}')

    def read(self) -> bytes | None:
        """Return the next record as ``bytes``, or ``None`` at the end of the file."""
        if self.writable:
            raise MXNetError(f'MXRecordIO.read: "{self.uri}" was opened for writing (flag "w")')
        self._check_pid(allow_reset=True)
        f = self.handle
        start = f.tell()
        chunks: list[bytes] = []
        while True:
            offset = f.tell()
            head = f.read(8)
            if not head and not chunks:
                return None
            if len(head) < 8:
                raise self._fail(start, f"the file ends inside a part header at byte {offset}")
            magic, lrec = _HEAD.unpack(head)
            if magic != _MAGIC:
                raise self._fail(start, f"no magic number 0xced7230a at byte {offset} (found {magic:#010x})")
            cflag, length = lrec >> _LEN_BITS, lrec & _LEN_MASK
            if cflag > 3:
                raise self._fail(start, f"invalid part flag {cflag} at byte {offset}")
            padded = (length + 3) & ~3
            left = os.fstat(f.fileno()).st_size - offset - 8 if padded > 65536 else padded
            data = f.read(padded) if left >= padded else b""
            if len(data) < padded:
                left = os.fstat(f.fileno()).st_size - offset - 8
                raise self._fail(
                    start,
                    f"the header at byte {offset} announces {length} bytes but only {left} remain in the file",
                )
            data = data[:length]
            if cflag == 0 or cflag == 1:
                if chunks:
                    raise self._fail(start, f"a new record begins at byte {offset} inside a split record")
                if cflag == 0:
                    self._count, self._key = self._count + 1, None
                    return data
            elif not chunks:
                raise self._fail(start, f"continuation part (flag {cflag}) at byte {offset} without a start")
            chunks.append(data)
            if cflag == 3:
                self._count, self._key = self._count + 1, None
                return _MAGIC_BYTES.join(chunks)


class MXIndexedRecordIO(MXRecordIO):
    """A RecordIO file with an ``.idx`` index for random access by key.

    Parameters
    ----------
    idx_path : str
        Path of the ``.idx`` file (``key<TAB>offset`` per line).
    uri : str
        Path of the ``.rec`` file.
    flag : str
        ``'r'`` or ``'w'``.
    key_type : type
        How keys in the index are parsed (``int`` by default).

    Example
    -------
    >>> rec = mx.recordio.MXIndexedRecordIO('data.idx', 'data.rec', 'w')
    >>> for i in range(3):
    ...     rec.write_idx(i, b'record %d' % i)
    >>> rec.close()
    >>> mx.recordio.MXIndexedRecordIO('data.idx', 'data.rec', 'r').read_idx(2)
    b'record 2'
    """

    def __init__(self, idx_path: str, uri: str, flag: str, key_type: type = int) -> None:
        self.idx_path = str(idx_path)
        self.idx: dict[Any, int] = {}
        self.keys: list[Any] = []
        self.key_type = key_type
        self.fidx = None
        super().__init__(uri, flag)

    def open(self) -> None:
        super().open()
        self.idx, self.keys = {}, []
        if self.writable:
            self.fidx = open(self.idx_path, "w")
            return
        self.fidx = None
        try:
            with open(self.idx_path) as f:
                lines = f.read().splitlines()
        except OSError as err:
            raise MXNetError(
                f'MXIndexedRecordIO: cannot open index "{self.idx_path}": {err.strerror}'
            ) from None
        except UnicodeDecodeError:
            raise MXNetError(f'MXIndexedRecordIO: index "{self.idx_path}" is not a text file') from None
        size = os.path.getsize(self.uri)
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            fields = line.strip().split("\t")
            try:
                if len(fields) != 2:
                    raise ValueError
                key, pos = self.key_type(fields[0]), int(fields[1])
            except ValueError:
                raise MXNetError(
                    f'Invalid index file "{self.idx_path}", line {lineno}: expected "key<TAB>offset", '
                    f"got {line!r}"
                ) from None
            if not 0 <= pos < size:
                raise MXNetError(
                    f'Invalid index file "{self.idx_path}", line {lineno}: offset {pos} of key {key!r} '
                    f'lies outside "{self.uri}" ({size} bytes)'
                )
            self.idx[key] = pos
            self.keys.append(key)

    def close(self) -> None:
        if self.is_open and self.fidx is not None:
            self.fidx.close()
            self.fidx = None
        super().close()

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["fidx"] = None
        return state

    def seek(self, idx: Any) -> None:
        """Move the reader to the record stored under key ``idx``."""
        if self.writable:
            raise MXNetError(f'MXIndexedRecordIO.seek: "{self.uri}" was opened for writing')
        self._check_pid(allow_reset=True)
        pos = self.idx[idx]
        self.handle.seek(pos)
        self._key = idx

    def tell(self) -> int:
        """Byte offset where the next record will be written."""
        if not self.writable:
            raise MXNetError(f'MXIndexedRecordIO.tell: "{self.uri}" was opened for reading')
        self._check_pid(allow_reset=False)
        return self.handle.tell()

    def read_idx(self, idx: Any) -> bytes:
        """Return the record stored under key ``idx`` (``KeyError`` if there is none)."""
        self.seek(idx)
        rec = self.read()
        if rec is None:
            raise MXNetError(f'Invalid RecordIO file "{self.uri}": key {idx!r} points at the end of the file')
        return rec

    def write_idx(self, idx: Any, buf: bytes) -> None:
        """Append a record and index it under key ``idx``."""
        key = self.key_type(idx)
        pos = self.tell()
        self.write(buf)
        self.fidx.write(f"{key}\t{pos}\n")
        self.idx[key] = pos
        self.keys.append(key)


IRHeader = namedtuple("HEADER", ["flag", "label", "id", "id2"])
IRHeader.__doc__ = """The header of an image record: ``flag`` (number of float labels that follow, or 0),
``label`` (a float, or an array of floats when ``flag > 0``), ``id`` and ``id2`` (64-bit ids)."""

_IR_FORMAT = struct.Struct("<IfQQ")
_IR_SIZE = _IR_FORMAT.size


def pack(header: IRHeader, s: bytes) -> bytes:
    """Put an :class:`IRHeader` in front of the payload ``s``.

    A scalar label is stored in the header (``flag`` is set to 0); an array label is stored as
    float32 values after the header and ``flag`` becomes its length.

    Example
    -------
    >>> buf = mx.recordio.pack(mx.recordio.IRHeader(0, [1.0, 2.0], 7, 0), b'payload')
    >>> mx.recordio.unpack(buf)[0].flag
    2
    """
    header = IRHeader(*header)
    if isinstance(header.label, numbers.Number):
        header = header._replace(flag=0)
    else:
        label = np.asarray(header.label, dtype=np.float32)
        header = header._replace(flag=label.size, label=0)
        s = label.tobytes() + bytes(s)
    return _IR_FORMAT.pack(*header) + bytes(s)


def unpack(s: bytes) -> tuple[IRHeader, bytes]:
    """Split a packed record into its :class:`IRHeader` and payload (inverse of :func:`pack`).

    Example
    -------
    >>> header, payload = mx.recordio.unpack(mx.recordio.pack(mx.recordio.IRHeader(0, 3, 1, 0), b'x'))
    >>> header.label, payload
    (3.0, b'x')
    """
    if len(s) < _IR_SIZE:
        raise MXNetError(f"recordio.unpack: a record of {len(s)} bytes is shorter than the 24-byte header")
    header = IRHeader(*_IR_FORMAT.unpack_from(s))
    s = s[_IR_SIZE:]
    if header.flag > 0:
        if len(s) < 4 * header.flag:
            raise MXNetError(
                f"recordio.unpack: the header announces {header.flag} float32 labels but the record "
                f"holds only {len(s)} bytes after it"
            )
        header = header._replace(label=np.frombuffer(s, np.float32, header.flag))
        s = s[4 * header.flag :]
    return header, s


def unpack_img(s: bytes, iscolor: int = -1) -> tuple[IRHeader, np.ndarray]:
    """Unpack a record made by :func:`pack_img`: the header and the image as a NumPy array.

    The image comes back in OpenCV's layout, as MXNet returns it: ``(H, W, 3)`` uint8 in BGR
    order for colour images, ``(H, W)`` for grey ones. ``iscolor``: 1 always colour, 0 always grey,
    -1 (default) as stored.

    Example
    -------
    >>> header, img = mx.recordio.unpack_img(record)
    >>> img.shape
    (32, 32, 3)
    """
    from .image.codec import decode_to_numpy

    header, s = unpack(s)
    return header, decode_to_numpy(s, iscolor, rgb=False, where="recordio.unpack_img")


def pack_img(header: IRHeader, img: np.ndarray, quality: int = 95, img_fmt: str = ".jpg") -> bytes:
    """Encode ``img`` (NumPy uint8, BGR order as OpenCV uses) and :func:`pack` it with ``header``.

    ``img_fmt`` is ``'.jpg'``/``'.jpeg'`` (``quality`` 1-100) or ``'.png'`` (``quality`` is the
    compression level, 0-9).

    Example
    -------
    >>> img = np.zeros((8, 8, 3), np.uint8)
    >>> rec = mx.recordio.pack_img(mx.recordio.IRHeader(0, 1.0, 0, 0), img, img_fmt='.png')
    """
    from .image.codec import encode_numpy

    return pack(header, encode_numpy(np.asarray(img), quality, img_fmt, bgr=True))
