"""A forward-only tar walker for archives that arrive as a stream, with as few copies of the bytes as it can.

:mod:`tarfile`'s stream mode (``r|``) copies every data byte several times through its buffers: a layer
tar inside a save archive goes through two of them, which made reading an image slower than the engine
sends it. Here each header is decoded by :meth:`tarfile.TarInfo.frombuf` (ustar, GNU and pax headers all
come in as the tar module reads them), and file data is either handed to the caller as a bounded reader
or skipped with ``readinto`` into one reused buffer. Nothing is written anywhere and memory is one buffer.
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable, Iterator
from typing import IO, Any

BLOCK = 512
CHUNK = 1 << 20
_PAX_FIELDS = {"path": "name", "linkpath": "linkname", "uname": "uname", "gname": "gname"}
_PAX_NUMBERS = ("size", "uid", "gid", "mtime")


class Source:
    """A forward-only reader with ``read(n)`` (exactly n bytes unless the stream ends) and ``skip(n)``."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self._readinto = getattr(raw, "readinto", None)
        self._buffer = bytearray(CHUNK)
        self._view = memoryview(self._buffer)

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            return self.raw.read()
        parts, left = [], size
        while left > 0:
            data = self.raw.read(left)
            if not data:
                break
            parts.append(data)
            left -= len(data)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def readinto(self, target: Any) -> int:
        if self._readinto is not None:
            return self._readinto(target)
        data = self.raw.read(len(target))
        target[: len(data)] = data
        return len(data)

    def skip(self, size: int, sink: Callable[[memoryview], Any] | None = None) -> None:
        """Read ``size`` bytes into the reused buffer, handing each piece to ``sink`` (e.g. a hash's ``update``).

        Raises:
            tarfile.ReadError: the stream ended first.
        """
        while size > 0:
            got = self.readinto(self._view[: min(size, CHUNK)])
            if not got:
                raise tarfile.ReadError("unexpected end of data")
            if sink is not None:
                sink(self._view[:got])
            size -= got


class Bounded:
    """The next ``size`` bytes of a :class:`Source`, as a reader of their own (a member's data)."""

    def __init__(self, source: Source, size: int) -> None:
        self.source, self.left = source, size

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.source.read(size)
        self.left -= len(data)
        return data

    def readinto(self, target: Any) -> int:
        if self.left <= 0:
            return 0
        view = memoryview(target)
        got = self.source.readinto(view[: min(len(view), self.left)])
        self.left -= got
        return got

    def skip_rest(self, sink: Callable[[memoryview], Any] | None = None) -> None:
        """Read what is left, handing each piece to ``sink`` if given (see :meth:`Source.skip`)."""
        self.source.skip(self.left, sink)
        self.left = 0


def _pax(data: bytes) -> dict[str, str]:
    """``LEN key=value\\n`` records of a pax extended header."""
    out, position = {}, 0
    while position < len(data):
        space = data.find(b" ", position)
        if space < 0:
            break
        length = int(data[position:space])
        if length <= 0:
            break
        key, _, value = data[space + 1: position + length - 1].partition(b"=")
        out[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        position += length
    return out


def _apply_pax(info: tarfile.TarInfo, fields: dict[str, str]) -> None:
    for key, value in fields.items():
        if key in _PAX_FIELDS:
            setattr(info, _PAX_FIELDS[key], value)
        elif key in _PAX_NUMBERS:
            setattr(info, key, int(float(value)) if key == "mtime" else int(value))


def members(stream: IO[bytes] | Any) -> Iterator[tuple[tarfile.TarInfo, Bounded]]:
    """Walk a tar stream: each member's header and a reader of its data.

    The caller may read the data or not; whatever it leaves is skipped before the next header.

    Raises:
        tarfile.ReadError: the stream is not a tar, or ends in the middle of a member.
    """
    source = stream if isinstance(stream, Source) else Source(stream)
    global_pax: dict[str, str] = {}
    pax: dict[str, str] = {}
    long_name = long_link = None
    while True:
        header = source.read(BLOCK)
        if len(header) < BLOCK:
            if header.strip(b"\0"):
                raise tarfile.ReadError("unexpected end of data")
            return  # a tar may end without its two zero blocks
        try:
            info = tarfile.TarInfo.frombuf(header, "utf-8", "surrogateescape")
        except tarfile.EOFHeaderError:
            return
        except tarfile.HeaderError as exc:
            raise tarfile.ReadError(str(exc)) from None
        padding = -info.size % BLOCK
        if info.type in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE, tarfile.GNUTYPE_LONGNAME,
                         tarfile.GNUTYPE_LONGLINK):
            data = source.read(info.size)
            source.skip(padding)
            if info.type == tarfile.XGLTYPE:
                global_pax.update(_pax(data))
            elif info.type == tarfile.GNUTYPE_LONGNAME:
                long_name = data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
            elif info.type == tarfile.GNUTYPE_LONGLINK:
                long_link = data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
            else:
                pax.update(_pax(data))
            continue
        if global_pax or pax:
            _apply_pax(info, {**global_pax, **pax})
            if info.name.endswith("/") and info.type == tarfile.AREGTYPE:
                info.type = tarfile.DIRTYPE
        if long_name is not None:
            info.name = long_name
        if long_link is not None:
            info.linkname = long_link
        pax, long_name, long_link = {}, None, None
        # As tarfile: only regular files and unknown types carry data (a hard link's size means nothing).
        size = info.size if info.isreg() or info.type not in tarfile.SUPPORTED_TYPES else 0
        data = Bounded(source, size)
        yield info, data
        data.skip_rest()
        source.skip(-size % BLOCK)
