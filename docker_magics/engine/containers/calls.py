"""The engine's container calls: create, start, follow the output, wait, stop, remove, list, commit, prune.

A mixin of :class:`~docker_magics.engine.connection.Connection`, composed into the Engine. Nothing here prints:
output comes out as ``(stream, bytes)`` pairs (:mod:`.demux`), listings as the API's dicts, and a container the
engine does not know is :class:`~docker_magics.errors.ContainerNotFoundError`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ...errors import ContainerNotFoundError, DockerMagicError, ImageNotFoundError, Interrupted
from ..connection import Connection
from . import demux
from .index import ContainerIndex
from .options import RunOptions, create_body

_PS_HINT = "List containers with '%docker ps -a'."


@contextlib.contextmanager
def _container(subject: str) -> Iterator[None]:
    """The engine's 404 for a container is ours "no such container", not "no such image"."""
    try:
        yield
    except ImageNotFoundError as exc:
        if "container" not in (exc.engine_text or "").lower():
            raise
        raise ContainerNotFoundError(exc.message, hint=_PS_HINT, status=exc.status,
                                     engine_text=exc.engine_text) from None


class ContainerCalls(Connection):
    """Containers: what ``run``, ``ps``, ``logs``, ``stop``, ``rm``, ``commit`` and ``container prune`` ask."""

    def run_network(self, network: str | None) -> str | None:
        """The network mode to create a container with: ``network`` when given, else the rule RUN steps of a build
        follow (the engine's default, or ``none`` on an engine without a ``bridge`` network)."""
        if network:
            return network
        default_network = getattr(self, "default_network", None)  # BuildKitCalls' rule: one home for it
        return default_network(action="run a container") if default_network else None

    def create_container(self, options: RunOptions, network: str | None) -> str:
        """``POST /containers/create``: a container for ``options``, not started.

        Args:
            options: the run's flags.
            network: the network mode to send (see :meth:`run_network`).

        Returns:
            The new container's full ID.

        Raises:
            ImageNotFoundError: the image is not on the engine (the caller may pull it).
            ConflictError: the name is taken.
            DockerMagicError: any other refusal.
        """
        params = {k: v for k, v in (("name", options.name), ("platform", options.platform)) if v}
        answer = self.post_json("/containers/create", params, action="create a container", subject=options.image,
                                body=create_body(options, network))
        return str(answer["Id"])

    def start_container(self, container: str) -> None:
        """``POST /containers/{id}/start``."""
        with _container(container):
            self.post_json(f"/containers/{container}/start", action="start the container", subject=container)

    @contextlib.contextmanager
    def container_output(self, container: str, *, follow: bool = True, tail: str | None = None,
                         since: str | None = None, timestamps: bool = False,
                         tty: bool = False) -> Iterator[Iterator[tuple[int, bytes]]]:
        """Follow a container's output (``GET /containers/{id}/logs``) from its first byte; closed on leaving.

        Args:
            container: the container's ID or name.
            follow: keep reading until the container stops.
            tail: the number of last lines to start with (``all`` by default).
            since: a Unix timestamp or Go duration the engine understands.
            timestamps: prefix each line with its RFC 3339 time.
            tty: the container has a terminal (its output is not framed).

        Yields:
            ``(stream, bytes)`` pairs as the engine sends them: ``demux.STDOUT`` or ``demux.STDERR``.
        """
        params: dict[str, Any] = {"stdout": 1, "stderr": 1, "follow": int(follow), "timestamps": int(timestamps),
                                  "tail": tail or "all"}
        if since:
            params["since"] = since
        with _container(container), self.stream("GET", "/containers/{0}/logs", action="read the output of",
                                                 subject=container, params=params, timeout=None) as response:
            pieces = demux.chunks(response.raw)
            yield demux.raw_frames(pieces) if tty else demux.frames(pieces)

    @contextlib.contextmanager
    def attached_output(self, container: str) -> Iterator[Iterator[tuple[int, bytes]]]:
        """Attach to a container's stdout and stderr before it starts (``POST /containers/{id}/attach``), as
        ``docker run`` does: its output comes byte for byte as it is written (the logs endpoint waits for whole
        lines), and ends when the container stops. Closed on leaving.

        Yields:
            ``(stream, bytes)`` pairs: ``demux.STDOUT`` or ``demux.STDERR``.
        """
        params = {"stream": 1, "stdout": 1, "stderr": 1}
        # Without an Upgrade header the engine answers 200 and then sends the raw frames until the container
        # stops, closing the connection: an HTTP body of unknown length, read as it comes.
        with _container(container), self.stream("POST", "/containers/{0}/attach", action="attach to",
                                                 subject=container, params=params, timeout=None) as response:
            yield demux.frames(demux.chunks(response.raw))

    def wait_container(self, container: str) -> int:
        """``POST /containers/{id}/wait``: the container's exit code once it has stopped."""
        with _container(container), self.translated("wait for the container", container):
            return int(self.api.wait(container, timeout=None).get("StatusCode", -1))

    def stop_container(self, container: str, timeout: int | None = None) -> None:
        """``POST /containers/{id}/stop``: the engine's stop signal, then a kill after ``timeout`` seconds."""
        with _container(container), self.translated("stop the container", container):
            self.api.stop(container, timeout=timeout)

    def remove_container(self, container: str, *, force: bool = False, volumes: bool = False) -> None:
        """``DELETE /containers/{id}`` (``force`` kills a running one; ``volumes`` removes its anonymous volumes)."""
        with _container(container), self.translated("remove the container", container):
            self.api.remove_container(container, force=force, v=volumes)

    def inspect_container(self, container: str) -> dict[str, Any]:
        """``GET /containers/{id}/json``."""
        with _container(container):
            return self.get_json("/containers/{0}/json", action="inspect the container", subject=container)

    def list_containers(self, *, all: bool = False, filters: dict[str, list[str]] | None = None,
                        size: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
        """``GET /containers/json``, as ``docker ps`` asks it (``limit``: the last N created, any state)."""
        with self.translated("list containers"):
            return self.api.containers(all=all, trunc=False, size=size, filters=filters or None,
                                       limit=limit if limit is not None else -1)

    def container_rows(self, *, all: bool = False, limit: int | None = None, index: str = "auto") -> list[dict]:
        """``docker ps``' rows (no filters, no sizes): from the container index where it is faster, else listed.

        Args:
            all: every state, not only running containers.
            limit: the last N created, any state.
            index: ``auto`` answers from the index on the containerd image store (it lists at about 1.7 ms per
                container; the classic store lists 500 in about 30 ms, as fast as the index's ``/info`` and
                ``/events``); ``always`` on any engine; ``never`` lists, as the CLI does.

        Raises:
            DockerMagicError: the engine refused or could not be reached.
        """
        if index == "always" or (index == "auto" and self.containerd_store()):
            kept = self.container_index()
            try:
                with self.translated("list containers"):
                    return kept.containers(all=all, limit=limit)
            except ValueError:  # the engine does not tell its time: list, as the CLI does
                pass
            except DockerMagicError as exc:  # e.g. an authorization plugin that forbids /events: list directly
                if exc.status is None or isinstance(exc, Interrupted) or not 400 <= exc.status < 500:
                    raise
        return self.list_containers(all=all, limit=limit)

    def container_index(self) -> ContainerIndex:
        """This engine's :class:`~.index.ContainerIndex`, made at its first use."""
        kept = self.__dict__.get("_container_index")
        if kept is None:
            kept = self.__dict__["_container_index"] = ContainerIndex(self)
        return kept

    def close_container_index(self) -> None:
        """Stop the container index's ``/events`` stream, if it holds one."""
        kept = self.__dict__.get("_container_index")
        if kept is not None:
            kept.close()

    def commit_container(self, container: str, *, repository: str | None = None, tag: str | None = None,
                         message: str | None = None, author: str | None = None, changes: list[str] | None = None,
                         pause: bool = True) -> str:
        """``POST /commit``: a new image from a container's file system; its full ID.

        Raises:
            ContainerNotFoundError: no such container.
            UsageError: the engine refused a ``--change`` instruction.
        """
        with _container(container), self.translated("commit the container", container):
            answer = self.api.commit(container, repository=repository, tag=tag, message=message, author=author,
                                     changes=changes or None, pause=pause)
        return str(answer["Id"])

    def prune_containers(self, filters: dict[str, list[str]] | None = None) -> dict[str, Any]:
        """``POST /containers/prune``: removes every stopped container the filters match."""
        with self.translated("prune containers"):
            return self.api.prune_containers(filters=filters or None)
