"""What the engine layer asks of a progress display: a small protocol, so the engine never reaches into one."""

from __future__ import annotations

from typing import Any, Protocol


class Progress(Protocol):
    """Where the engine layer reports a long operation as it goes (the views implement it)."""

    def event(self, event: dict[str, Any]) -> None:
        """One event of the engine's stream (a layer's status, a log line)."""

    def advance(self, nbytes: int) -> None:
        """``nbytes`` more bytes of a byte stream went through (save, the upload of load or build)."""

