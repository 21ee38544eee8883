"""The engine side of a build: send a context tar to ``POST /build`` and hand back the engine's event stream.

docker-py's low-level ``build`` speaks the classic builder's API, which is what the engine supports here. The
HTTP response is kept, so that leaving the stream early (Ctrl-C, an error) closes it: the engine then cancels the
build, kills the running step's container and removes it. Nothing here prints.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from ...errors import BuildError
from ..connection import Connection, broken_stream


@dataclass(frozen=True)
class BuildOptions:
    """What ``docker build``'s flags ask of the engine (tags are applied after the build)."""

    dockerfile: str  # the Dockerfile's path inside the context tar
    buildargs: dict[str, str | None] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    nocache: bool = False
    pull: bool = False
    platform: str | None = None
    network: str | None = None
    rm: bool = True
    forcerm: bool = False
    cache_from: tuple[str, ...] = ()
    extra_hosts: tuple[str, ...] = ()  # HOST:IP
    shm_size: int | None = None


class _Counting:
    """A file that reports how many bytes were read from it (the upload of a large context)."""

    def __init__(self, file: BinaryIO, size: int, on_bytes: Callable[[int], None]) -> None:
        self.file, self.size, self.on_bytes = file, size, on_bytes

    def read(self, n: int = -1) -> bytes:
        data = self.file.read(n)
        self.on_bytes(len(data))
        return data

    def __len__(self) -> int:  # requests sends Content-Length from it, so the body is streamed, not chunked
        return self.size


def _refusals(engine: Connection, stream: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The stream, with the engine's refusal of the whole build (HTTP 400) as a BuildError."""
    import docker.errors

    with engine.translated("build"):
        try:
            yield from stream
        except docker.errors.APIError as exc:
            error = refused(exc)
            if error is None:
                raise
            raise error from None


def refused(exc: Exception) -> BuildError | None:
    """The one-line error for a build the engine refused before its first step (HTTP 400), else None."""
    if getattr(getattr(exc, "response", None), "status_code", None) != 400:
        return None
    return refusal(str(getattr(exc, "explanation", None) or exc))


def refusal(said: str) -> BuildError:
    """The one-line error for the engine's refusal of a whole build (``said``: the engine's words)."""
    what = " ".join(said.split())
    if "parse error" in what:
        return BuildError(f"The Dockerfile does not parse: {what}", hint="Fix that line and run the cell again.")
    if "cannot be empty" in what:
        return BuildError("The Dockerfile is empty", hint="Write it, starting with a FROM line.")
    # Engine 20.10: "failed to reach build target X in Dockerfile"; Engine 26: 'target stage "X" could not be found'.
    if "build target" in what or re.search(r"target stage .* could not be found", what):
        return BuildError(f"The engine refused the build: {what}",
                          hint="Name a stage of the Dockerfile (FROM IMAGE AS NAME) with --target.")
    return BuildError(f"The engine refused the build: {what}",
                      hint="Check the Dockerfile and the flags (see '%docker build --help').")


class BuildCalls(Connection):
    """Builds: the context tar sent to /build, the engine's event stream back."""

    @contextlib.contextmanager
    def build(self, context: BinaryIO, size: int, options: BuildOptions, *,
               on_bytes: Callable[[int], None] | None = None) -> Iterator[Iterator[dict[str, Any]]]:
        """Start a build and yield its decoded event stream; the HTTP response is closed on leaving the block.

        Args:
            context: the context tar, positioned at its start (streamed, never read into memory).
            size: its size in bytes.
            options: the build's flags.
            on_bytes: called with the number of bytes of each chunk of the context sent.

        Raises:
            BuildError: the engine refused the Dockerfile or the flags (a parse error, an unknown target).
            DockerMagicError: the engine cannot be reached.
        """
        api = self.api
        responses: list[Any] = []

        def keep(response: Any, *args: Any, **kwargs: Any) -> Any:
            responses.append(response)
            return response

        body = _Counting(context, size, on_bytes) if on_bytes else context
        api.hooks["response"].append(keep)  # requests' own hook: the only way to reach docker-py's response
        try:
            with self.translated("build"):
                stream = api.build(fileobj=body, custom_context=True, decode=True, dockerfile=options.dockerfile,
                                   buildargs=dict(options.buildargs), labels=options.labels or None,
                                   target=options.target, nocache=options.nocache, pull=options.pull,
                                   platform=options.platform, network_mode=options.network, rm=options.rm,
                                   forcerm=options.forcerm, cache_from=list(options.cache_from) or None,
                                   extra_hosts=dict(h.split(":", 1) for h in options.extra_hosts) or None,
                                   shmsize=options.shm_size, timeout=None)  # a step may be silent for long
        finally:
            api.hooks["response"].remove(keep)
        try:
            with broken_stream("build"):
                yield _refusals(self, stream)
        finally:
            for response in responses:
                response.close()
