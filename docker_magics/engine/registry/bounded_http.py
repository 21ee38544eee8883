"""HTTP exchanges with a registry that cannot hold the kernel: a deadline for the whole exchange, a size cap.

``requests`` applies its timeout to each read, so a server that sends one byte a second holds a request for
ever, and ``response.content`` reads a body of any size into memory. :func:`fetch` bounds both:

* the deadline covers connecting, the headers and the body. A timer shuts the request's socket down when
  it passes, which wakes a read blocked in any layer (http.client, urllib3, TLS); the connections a request
  uses are known because the session's connection class records itself in the calling thread's watch list;
* the body is read in chunks and refused past ``limit`` bytes (decoded bytes: a gzip bomb stops there too);
  an error answer's body is read up to :data:`ERROR_READ` bytes and cut there, never refused.

``requests`` is imported on first use. Nothing here prints; the failures are :class:`TooLarge` and
:class:`DeadlineExceeded` (the caller words them), or ``requests``' own exceptions.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: Bytes of an error answer's body kept (enough for any registry's JSON error; the rest is dropped).
ERROR_READ = 64 * 1024
CHUNK = 64 * 1024

_watch = threading.local()


class TooLarge(Exception):
    """The body passed the limit; reading stopped there."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


class DeadlineExceeded(Exception):
    """The exchange did not finish within its deadline; its connection was shut down."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


@dataclass
class Answer:
    """A finished exchange: status, headers and the (bounded) body, already read; the connection is released."""

    status_code: int
    reason: str
    headers: Any  # requests' case-insensitive dict
    url: str  # the final URL, after redirects
    body: bytes
    cut: bool = False  # an error body longer than ERROR_READ, cut there
    history: list[str] = field(default_factory=list)  # the URLs redirected from

    @property
    def text(self) -> str:
        """The body as text (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not JSON."""
        return json.loads(self.body)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[threading.Event]:
    """Within the block, requests made by this thread are cut at ``seconds``; yields the event set when that happens."""
    connections: list[Any] = []
    outer = getattr(_watch, "connections", None)
    _watch.connections = connections
    fired = threading.Event()

    def expire() -> None:
        fired.set()
        for connection in list(connections):
            sock = getattr(connection, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()
        _watch.connections = outer


def _watched(connection_class: type) -> type:
    """A urllib3 connection class that puts each connection it sends a request on in the thread's watch list."""

    class Watched(connection_class):  # type: ignore[misc, valid-type]
        def request(self, *args: Any, **kwargs: Any) -> Any:
            watching = getattr(_watch, "connections", None)
            if watching is not None:
                watching.append(self)
            return super().request(*args, **kwargs)

    Watched.__name__ = f"Watched{connection_class.__name__}"
    return Watched


def session(user_agent: str) -> Any:
    """A ``requests.Session`` whose plain and TLS connections :func:`deadline` can cut."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Plain(HTTPConnectionPool):
        ConnectionCls = _watched(HTTPConnection)

    class Secure(HTTPSConnectionPool):
        ConnectionCls = _watched(HTTPSConnection)

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": Plain, "https": Secure}

    made = requests.Session()
    made.headers["User-Agent"] = user_agent
    made.mount("http://", Adapter())
    made.mount("https://", Adapter())
    return made


def fetch(http: Any, method: str, url: str, *, timeout: float, limit: int, params: Any = None,
          headers: dict[str, str] | None = None, data: Any = None, auth: Any = None) -> Answer:
    """One exchange, finished within ``timeout`` seconds, its body at most ``limit`` bytes.

    Args:
        http: a session from :func:`session` (another session works, with a per-read timeout only).
        method: ``GET``, ``POST``, ...
        url: the absolute URL.
        timeout: seconds for the whole exchange: connect, headers, body.
        limit: bytes of a successful answer's body (an error's body is cut at :data:`ERROR_READ`).
        params, headers, data, auth: as ``requests`` takes them.

    Returns:
        The :class:`Answer`.

    Raises:
        TooLarge: a successful answer's body passed ``limit``.
        DeadlineExceeded: the exchange was still going at the deadline.
        requests.exceptions.RequestException: connection failures, as ``requests`` raises them.
    """
    import requests

    with deadline(timeout) as fired:
        try:
            response = http.request(method, url, params=params, headers=headers, data=data, auth=auth,
                                    timeout=timeout, stream=True)
            with response:
                body, cut = _read(response, limit)
        except requests.exceptions.RequestException:
            if fired.is_set():
                raise DeadlineExceeded(timeout) from None
            raise
        if fired.is_set():  # a body cut by the shutdown can look complete (no length, connection closed)
            raise DeadlineExceeded(timeout)
    return Answer(response.status_code, response.reason or "", response.headers, response.url, body, cut,
                  [r.url for r in response.history])


def _read(response: Any, limit: int) -> tuple[bytes, bool]:
    error = response.status_code >= 400
    cap = ERROR_READ if error else limit
    declared = response.headers.get("Content-Length", "")
    if not error and declared.isdigit() and int(declared) > limit:
        raise TooLarge(limit)
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_content(CHUNK):
        parts.append(chunk)
        size += len(chunk)
        if size > cap:
            if not error:
                raise TooLarge(limit)
            return b"".join(parts)[:cap], True
    return b"".join(parts), False
