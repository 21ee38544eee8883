"""A container's multiplexed output: stdout and stderr frames taken apart, and the bounded tail kept of each.

A container without a terminal sends its output in frames: an 8-byte header (the stream: 1 stdout, 2 stderr;
three zero bytes; the payload's length, big-endian) then the payload. Nothing here prints; memory stays bounded
however much the container writes (one read of the socket, one partial frame, and each stream's tail).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

STDOUT, STDERR = 1, 2
_READ = 64 * 1024


def chunks(raw: Any) -> Iterator[bytes]:
    """What the engine has sent so far, read by read (``read1``: a container that prints without a newline is
    seen at once, not once 64 KiB have come)."""
    read = getattr(raw, "read1", None) or raw.read
    while True:
        data = read(_READ)
        if not data:
            return
        yield data


def frames(pieces: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """``(stream, bytes)`` for every payload in ``pieces`` (the raw multiplexed body, cut anywhere).

    A frame's payload may come in several pieces: each is yielded as it arrives, under its frame's stream.
    """
    buffer = bytearray()
    stream, left = STDOUT, 0  # the stream of the frame being read, and its bytes still to come
    for piece in pieces:
        buffer += piece
        while buffer:
            if left:
                take = min(left, len(buffer))
                yield stream, bytes(buffer[:take])
                del buffer[:take]
                left -= take
                continue
            if len(buffer) < 8:
                break
            stream, left = buffer[0], int.from_bytes(buffer[4:8], "big")
            del buffer[:8]
            if stream not in (STDOUT, STDERR):
                stream = STDOUT  # stdin (0) or an unknown stream: shown with stdout, never lost


def raw_frames(pieces: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """A container with a terminal sends its output unframed: all of it as stdout."""
    for piece in pieces:
        yield STDOUT, piece


#: Bytes of each stream a foreground run (or ``logs``) keeps for its result (the last ones): a run that writes
#: gigabytes must not fill the kernel.
CAPTURE_LIMIT = 8 * 1024 * 1024


class Tail:
    """The last ``limit`` bytes written to one stream, and how many came before them (dropped)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.dropped = 0

    def add(self, data: bytes) -> None:
        """Keep ``data``, dropping the oldest bytes beyond the limit."""
        self.data += data
        over = len(self.data) - self.limit
        if over > 0:
            del self.data[:over]
            self.dropped += over

    @property
    def total(self) -> int:
        """Every byte the stream carried."""
        return self.dropped + len(self.data)

    def text(self) -> str:
        """The kept bytes as text (UTF-8; a character cut by the limit, or bytes that are not UTF-8, replaced)."""
        return self.data.decode("utf-8", errors="replace")
