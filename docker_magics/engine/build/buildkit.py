"""BuildKit builds through the Engine API: ``POST /build?version=2`` with the context tar as the body, no session.

The engine's own BuildKit builds what the classic builder cannot (``RUN --mount=type=cache``, parallel stages)
and streams its progress as ``moby.buildkit.trace`` events: base64 ``moby.buildkit.v1.StatusResponse``
protobufs, decoded here (see :mod:`.buildkit_pb`) into plain :class:`Trace` values. The image is never tagged
by the engine (no ``t`` parameter): the caller tags after a successful build, so an interrupted or failed build
leaves no half-tagged image. Leaving the stream early closes the HTTP response, and the engine cancels the build.
Nothing here prints.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from ...errors import BuildError, DockerMagicError
from ..connection import Connection, broken_stream
from ..filters import parse_until
from ..identity import version_at_least
from .classic import BuildOptions, refusal

#: The first engine API version with BuildKit (Engine 18.09).
_MIN_API = "1.39"


@dataclass(frozen=True)
class Vertex:
    """One step of the build graph as last reported (times in seconds since the epoch, None while unknown)."""

    digest: str
    name: str
    cached: bool = False
    started: float | None = None
    completed: float | None = None
    error: str = ""


@dataclass(frozen=True)
class VertexStatus:
    """Progress of one item inside a step (a layer being exported, a file copied)."""

    id: str
    vertex: str
    name: str
    current: int
    total: int
    completed: bool


@dataclass(frozen=True)
class VertexLog:
    """Output of a step: ``stream`` 1 is stdout, 2 stderr."""

    vertex: str
    stream: int
    data: bytes


@dataclass(frozen=True)
class Trace:
    """One decoded ``moby.buildkit.trace`` message."""

    vertexes: tuple[Vertex, ...] = ()
    statuses: tuple[VertexStatus, ...] = ()
    logs: tuple[VertexLog, ...] = ()
    warnings: tuple[str, ...] = ()


def _params(options: BuildOptions) -> dict[str, Any]:
    params: dict[str, Any] = {"version": "2", "dockerfile": options.dockerfile, "rm": "1",
                              "q": "0", "nocache": "1" if options.nocache else None,
                              "pull": "1" if options.pull else None, "target": options.target,
                              "platform": options.platform, "networkmode": options.network,
                              "shmsize": options.shm_size}
    if options.buildargs:
        params["buildargs"] = json.dumps(options.buildargs)
    if options.labels:
        params["labels"] = json.dumps(options.labels)
    if options.cache_from:
        params["cachefrom"] = json.dumps(list(options.cache_from))
    if options.extra_hosts:
        params["extrahosts"] = ",".join(options.extra_hosts)
    return {key: value for key, value in params.items() if value is not None}


def _decoded(engine: Connection, response: Any) -> Iterator[Any]:
    with engine.translated("build"), broken_stream("build"):
        for line in response.iter_lines():
            if not line.strip():
                continue
            event = json.loads(line)
            kind = event.get("id")
            if kind == "moby.buildkit.trace":
                yield decode_trace(event.get("aux") or "")
            elif kind == "moby.image.id":
                yield ("image", (event.get("aux") or {}).get("ID"))
            else:
                yield event


def decode_trace(aux: str) -> Trace:
    """Decode one ``moby.buildkit.trace`` message (base64 ``StatusResponse``) into a :class:`Trace`.

    Raises:
        BuildError: ``protobuf`` is not installed (with the pip line), or the message does not decode.
    """
    try:
        from .buildkit_pb import status_response_class
        message_class = status_response_class()
    except ImportError:
        raise BuildError("BuildKit's progress needs the protobuf package",
                         hint="pip install protobuf (or build with DOCKER_BUILDKIT=0).") from None
    from google.protobuf.message import DecodeError

    try:
        message = message_class.FromString(base64.b64decode(aux))
    except (DecodeError, ValueError) as exc:
        raise BuildError(f"The engine sent a BuildKit progress message that does not decode: {exc}",
                         hint="Build with DOCKER_BUILDKIT=0 and report this.") from None
    return Trace(
        tuple(Vertex(v.digest, v.name, v.cached, _seconds(v, "started"), _seconds(v, "completed"), v.error)
              for v in message.vertexes),
        tuple(VertexStatus(s.ID, s.vertex, s.name, s.current, s.total, s.HasField("completed"))
              for s in message.statuses),
        tuple(VertexLog(log.vertex, log.stream, log.msg) for log in message.logs),
        tuple(w.short.decode("utf-8", "replace") for w in message.warnings))


def _seconds(message: Any, name: str) -> float | None:
    return getattr(message, name).ToNanoseconds() / 1e9 if message.HasField(name) else None


@dataclass(frozen=True)
class CacheRecord:
    """One build cache record (``GET /system/df`` ``BuildCache``)."""

    id: str
    kind: str
    description: str
    size: int
    in_use: bool
    shared: bool
    created: str
    last_used: str | None
    usage_count: int


def summarize_cache(payload: dict) -> tuple[int, int, int, int]:
    """``docker system df``'s Build Cache row from a ``/system/df`` answer: total, active, size, reclaimable.

    As the CLI counts: size leaves out shared records; reclaimable is ``BuilderSize`` less what is in use.
    """
    records = payload.get("BuildCache") or []
    size = sum(int(r.get("Size") or 0) for r in records if not r.get("Shared"))
    in_use = sum(int(r.get("Size") or 0) for r in records if r.get("InUse") and not r.get("Shared"))
    builder_size = int(payload.get("BuilderSize") or size)
    return len(records), sum(1 for r in records if r.get("InUse")), size, builder_size - in_use


@dataclass(frozen=True)
class PruneReport:
    """What ``POST /build/prune`` removed."""

    deleted: tuple[str, ...]
    space_reclaimed: int


#: BuildKit keeps these records unless ``--all``.
_KEPT_WITHOUT_ALL = {"internal", "frontend"}


def plan_cache_prune(records: list[CacheRecord], *, all: bool, filters: dict[str, list[str]]) -> list[CacheRecord]:
    """The records ``builder prune`` would remove: not in use, last used before ``until``; internal and frontend
    records only with ``all`` (what BuildKit's prune keeps without ``--all``).

    Shared records (their data also belongs to an image) are removed too, and the engine counts them in the space
    it reports reclaimed (Engine 26 measured: a base image's 2.1 MB snapshot on the containerd store), although
    ``docker system df`` leaves them out of the reclaimable figure and the disk keeps them while the image does.

    Raises:
        UsageError: an ``until`` value the engine would not parse.
    """
    cutoff = max(parse_until(t) for t in filters["until"]) if filters.get("until") else None
    chosen = []
    for record in records:
        if record.in_use or (not all and record.kind in _KEPT_WITHOUT_ALL):
            continue
        if "type" in filters and record.kind not in filters["type"]:
            continue
        if "id" in filters and not any(record.id.startswith(i) for i in filters["id"]):
            continue
        if cutoff is not None and _timestamp(record.last_used or record.created) > cutoff:
            continue
        chosen.append(record)
    return chosen


def _timestamp(text: str) -> float:
    """An RFC 3339 time with nanoseconds (BuildKit's) as unix seconds; 0 when it does not parse."""
    try:
        return datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


class BuildKitCalls(Connection):
    """BuildKit through the Engine API: whether the engine has it, the build stream, the build cache."""

    def supports_buildkit(self) -> bool:
        """Whether the engine builds with BuildKit, from ``/_ping`` and its API version, as the Docker CLI decides.

        An engine that says ``Builder-Version: 2`` has it; a Windows engine or one older than API 1.39 has not;
        other Linux engines (20.10 sends no header unless BuildKit is its configured default) have it.

        Raises:
            DockerMagicError: the engine cannot be reached.
        """
        headers = self.ping_headers()
        if self.is_podman():  # answered by the ping just made
            return False  # Buildah builds there: /build?version=2 streams its classic-style log, no BuildKit trace
        if headers.get("Builder-Version") == "2":
            return True
        if (headers.get("Ostype") or "linux").lower() == "windows":
            return False
        version = headers.get("Api-Version") or self.api_version or "0.0"
        try:
            return version_at_least(version, _MIN_API)
        except ValueError:
            return True

    def default_network(self, action: str = "build") -> str | None:
        """The network RUN steps get when ``--network`` is not given: the engine's default (None, sent as nothing).

        An engine without a ``bridge`` network (``dockerd --bridge=none``) cannot give RUN steps its default
        network, and BuildKit fails every RUN with "network bridge not found": there, ``none``. ``%docker run``
        follows the same rule (``action`` names what asks, for the error message).

        Raises:
            DockerMagicError: the engine cannot be reached.
        """
        with self.translated(action):  # asked only for a build or a run
            names = {net.get("Name") for net in self.api.networks(names=["bridge"])}
        return None if "bridge" in names else "none"

    @contextlib.contextmanager
    def buildkit_build(self, context: BinaryIO, size: int, options: BuildOptions) -> Iterator[Iterator[Any]]:
        """Start a BuildKit build and yield its events; the HTTP response is closed on leaving the block.

        The events are :class:`Trace` values, ``("image", ID)`` once the image exists, and the engine's other
        JSON events as dicts (``stream`` text, ``error``/``errorDetail`` for a failed build).

        Args:
            context: the context tar, positioned at its start (streamed, never read into memory).
            size: its size in bytes.
            options: the build's flags (``options.network`` as it is sent: see :func:`default_network`).

        Raises:
            BuildError: the engine refused the Dockerfile or the flags (HTTP 400).
            DockerMagicError: the engine cannot be reached.
        """
        try:
            with self._context_sent(context, size, options) as (params, data, headers), \
                    self.stream("POST", "/build", action="build", params=params, data=data, headers=headers,
                                timeout=None) as response:  # a step may be silent for long
                yield _decoded(self, response)
        except DockerMagicError as exc:
            if exc.status != 400:
                raise
            raise refusal(exc.engine_text or exc.message) from None

    def context_route(self) -> str:
        """How BuildKit on this engine gets the build context.

        ``body``: in the ``/build`` request's body (every engine but one kind); ``loopback``: served by us on
        127.0.0.1 as a remote tarball context, for an engine on this machine with the containerd image store before
        Engine 27.5, whose BuildKit cannot read the body (moby/moby#47717); ``none``: such an engine elsewhere.

        Raises:
            DockerMagicError: the engine cannot be reached.
        """
        from .contextserver import body_context_broken, local_host

        facts = self.facts()
        if not body_context_broken(facts.store, facts.version):
            return "body"
        return "loopback" if local_host(self.endpoint.host) else "none"

    @contextlib.contextmanager
    def _context_sent(self, context: BinaryIO, size: int, options: BuildOptions
                      ) -> Iterator[tuple[dict[str, Any], Any, dict[str, str]]]:
        """(params, body, headers) of the /build request, the context in the body or served on loopback."""
        params = _params(options)
        if self.context_route() != "loopback":
            yield params, context, {"Content-Type": "application/x-tar", "Content-Length": str(size)}
            return
        from .contextserver import served

        with served(context, size) as url:
            yield {**params, "remote": url}, None, {}

    def build_cache(self) -> list[CacheRecord]:
        """The engine's build cache records, as ``docker system df -v`` lists them.

        Raises:
            DockerMagicError: the engine cannot be reached.
        """
        # Only the build cache: without ``type`` the engine walks every image, container and volume too (API 1.42+;
        # older engines ignore it and answer in full).
        data = self.get_json("/system/df", {"type": "build-cache"}, action="measure the build cache")
        return [CacheRecord(r.get("ID", ""), r.get("Type", ""), r.get("Description", ""), int(r.get("Size") or 0),
                            bool(r.get("InUse")), bool(r.get("Shared")), r.get("CreatedAt", ""), r.get("LastUsedAt"),
                            int(r.get("UsageCount") or 0))
                for r in data.get("BuildCache") or []]

    def prune_build_cache(self, *, all: bool = False, filters: dict[str, list[str]] | None = None) -> PruneReport:
        """Remove build cache (``docker builder prune``): unused records, all of them with ``all``.

        Args:
            all: remove every unused record, not only the dangling (internal) ones.
            filters: ``until``, ``id``, ``type``, ``description`` ... as the CLI's ``--filter``.

        Raises:
            DockerMagicError: the engine cannot be reached or refused the filters.
        """
        params: dict[str, Any] = {"all": "1" if all else None}
        if filters:
            params["filters"] = json.dumps(filters)
        data = self.post_json("/build/prune", {k: v for k, v in params.items() if v is not None},
                                action="prune the build cache") or {}
        return PruneReport(tuple(data.get("CachesDeleted") or ()), int(data.get("SpaceReclaimed") or 0))
