"""A stream held open to an engine, so that the image index knows the engine has not restarted.

The engine keeps its recent events only in memory: after a restart it has forgotten every event from
before, so an index cannot tell from ``/events`` alone what changed just before the restart. An open
``GET /events`` stream ends when the engine stops; while it is open, the engine is the one the index was
built from. The stream asks for ``daemon`` events only (a configuration reload), which an engine almost
never sends, so the thread that holds it sleeps in a read.
"""

from __future__ import annotations

import contextlib
import json
import threading
from typing import TYPE_CHECKING

from ..connection import Connection

if TYPE_CHECKING:
    from requests import Response


def events_time(ns: int | None) -> str:
    """A ``since``/``until`` of ``GET /events`` to the nanosecond (``SECONDS.NANOSECONDS``; None is the epoch)."""
    ns = ns or 0
    return f"{ns // 1_000_000_000}.{ns % 1_000_000_000:09d}"


class EngineWatch:
    """One open ``/events`` stream and the daemon thread reading it.

    Args:
        connection: the engine to watch.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._response: Response | None = None
        self._thread: threading.Thread | None = None
        self._ended = threading.Event()

    def start(self) -> None:
        """Open the stream (the engine has answered when this returns) and start reading it.

        Raises:
            DockerMagicError: the engine refused or could not be reached.
        """
        stack = contextlib.ExitStack()
        self._response = stack.enter_context(self.connection.stream(
            "GET", "/events", params={"filters": json.dumps({"type": ["daemon"]})}, timeout=None,
            action="watch the engine's events"))
        self._thread = threading.Thread(target=self._read, args=(stack,), daemon=True, name="docker_magics-watch")
        self._thread.start()

    def _read(self, stack: contextlib.ExitStack) -> None:
        try:
            for _event in self.connection.events(self._response):
                break  # a daemon event (a configuration reload): the index starts again, to be safe
        except Exception:  # the engine went away, or stop() shut the stream: either way it has ended
            pass
        finally:
            self._ended.set()
            with contextlib.suppress(Exception):
                stack.close()

    @property
    def alive(self) -> bool:
        """True while the stream is open: the engine has run without a restart since :meth:`start`."""
        return self._thread is not None and not self._ended.is_set()

    def stop(self, timeout: float = 2.0) -> None:
        """Close the stream and wait (at most ``timeout`` seconds) for its thread to end."""
        if self._response is not None and not self._ended.is_set():
            self.connection.interrupt(self._response)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
