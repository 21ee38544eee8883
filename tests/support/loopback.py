"""A bounded HTTP server on loopback for one test: its own lifetime, a request cap, and it stops by itself.

Tests use it to stand in for a registry (or an engine) that answers badly on purpose. It binds 127.0.0.1
(or another 127.0.0.0/8 address) on a free port, never anything else; after ``max_requests`` requests or
``lifetime`` seconds it stops answering and shuts down, whatever the test does.

A route is a function of the :class:`Request` that returns a :class:`Reply`, or a callable that writes the
raw answer itself (to drip bytes or cut a stream half way).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up (a deadline, a cut) is what these tests do on purpose


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | Any = b""  # str or bytes; anything else is sent as JSON
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        import json

        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Route = Callable[[Request], "Reply | Callable[[Any], None]"]


class Loopback:
    """``with Loopback(route) as server:`` serves ``route`` at ``server.url`` until the block ends or a bound hits."""

    def __init__(self, route: Route, *, host: str = "127.0.0.1", max_requests: int = 2000,
                 lifetime: float = 60.0) -> None:
        assert host.startswith("127."), "loopback only"
        self.route, self.max_requests, self.lifetime = route, max_requests, lifetime
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = _QuietServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self.host = f"{host}:{self._server.server_address[1]}"
        self.url = f"http://{self.host}"
        self._stopped = threading.Event()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as registries answer

            def _any(self) -> None:
                with server._lock:
                    count = len(server.requests)
                    if count >= server.max_requests or server._stopped.is_set():
                        self.close_connection = True
                        server.stop_soon()
                        return
                    url = urlsplit(self.path)
                    request = Request(self.command, url.path, parse_qs(url.query), dict(self.headers.items()),
                                      self._body())
                    server.requests.append(request)
                answer = server.route(request)
                if callable(answer) and not isinstance(answer, Reply):
                    self.close_connection = True
                    with contextlib.suppress(OSError):  # the client went away: what a cut or a deadline does
                        answer(self.wfile)
                    return
                body = answer.payload()
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json", **answer.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    parts = []
                    while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                        parts.append(self.rfile.read(size))
                        self.rfile.readline()
                    self.rfile.readline()
                    return b"".join(parts)
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def stop_soon(self) -> None:
        self._stopped.set()
        threading.Thread(target=self._server.shutdown, daemon=True).start()

    def __enter__(self) -> Loopback:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._timer = threading.Timer(self.lifetime, self.stop_soon)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._timer.cancel()
        self._stopped.set()
        self._server.shutdown()
        self._server.server_close()


def drip(head: bytes, body: bytes, every: float = 1.0, limit: float = 30.0) -> Callable[[Any], None]:
    """A raw answer: ``head`` at once, then ``body`` one byte every ``every`` seconds (for ``limit`` s at most)."""

    def write(out: Any) -> None:
        out.write(head)
        out.flush()
        stop = time.monotonic() + limit
        for byte in body:
            if time.monotonic() > stop:
                return
            out.write(bytes([byte]))
            out.flush()
            time.sleep(every)

    return write


def cut(head: bytes, body: bytes) -> Callable[[Any], None]:
    """A raw answer that sends ``head`` and part of ``body``, then closes the connection mid-way."""

    def write(out: Any) -> None:
        out.write(head + body)
        out.flush()

    return write
