"""A build context served over loopback HTTP, for engines whose BuildKit cannot read it from the request body.

BuildKit through the Engine API reads the context tar from the ``/build`` request's body: the engine serves it to
BuildKit under a made-up URL (``http://build-context-…``). Engines with the containerd image store before Engine
27.5 do not route that URL (moby/moby#47717, fixed by moby/moby#49194), and every such build fails with "failed to
read downloaded context … build-context-…: no such host". An engine on this machine can fetch the same tar from us
instead: ``remote=http://127.0.0.1:PORT/TOKEN/context.tar`` is BuildKit's remote tarball context. The server
answers that one path (a random token) while the build runs, and nothing else.
"""

from __future__ import annotations

import contextlib
import http.server
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from typing import BinaryIO

#: The first Engine version whose containerd store reads a /build request body as the context (moby/moby#49194).
FIXED_IN = (27, 5)


def engine_version(text: str | None) -> tuple[int, ...]:
    """``26.1.5+dfsg1`` as ``(26, 1, 5)``; ``()`` when the version is unknown or not numeric."""
    parts = []
    for part in (text or "").split("+")[0].split("-")[0].split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def body_context_broken(store: str | None, version: str | None) -> bool:
    """Whether BuildKit on this engine cannot read the context from the request body (moby/moby#47717)."""
    found = engine_version(version)
    return store == "containerd" and bool(found) and found < FIXED_IN


def local_host(host: str) -> bool:
    """Whether an engine at ``host`` runs on this machine and can reach our 127.0.0.1 (a unix socket, loopback tcp).

    Not always true of a unix socket (Docker Desktop's engine runs in a VM, a rootless engine in its own network
    namespace): the build then fails to fetch the context, in one line that says what to do.
    """
    return host.startswith(("unix://", "tcp://127.", "tcp://localhost", "http://127.", "http://localhost"))


@contextlib.contextmanager
def served(context: BinaryIO, size: int, on_bytes: Callable[[int], None] | None = None) -> Iterator[str]:
    """Serve ``context`` (a seekable tar) on 127.0.0.1 for the block; yields the URL to give as ``remote``.

    Args:
        context: the context tar; each request reads it from its start.
        size: its size in bytes (sent as Content-Length).
        on_bytes: called with the number of bytes of each chunk sent.
    """
    token = secrets.token_hex(16)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != f"/{token}/context.tar":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-tar")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            with lock:  # BuildKit may ask twice (a HEAD-less retry); each answer is the whole tar
                context.seek(0)
                _copy(context, self.wfile, on_bytes)

        def log_message(self, format: str, *args: object) -> None:  # never print
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="docker_magics-build-context", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{token}/context.tar"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _copy(source: BinaryIO, target: BinaryIO, on_bytes: Callable[[int], None] | None) -> None:
    if on_bytes is None:
        shutil.copyfileobj(source, target, 1 << 20)
        return
    while chunk := source.read(1 << 20):
        target.write(chunk)
        on_bytes(len(chunk))
