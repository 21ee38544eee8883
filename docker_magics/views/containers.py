"""What containers look like in a notebook: a run's output as it comes, its result, ``-d``'s container, ``ps``.

The output display writes stdout to the cell's stdout and stderr to its stderr (a kernel shows stderr as
stderr), decoded as UTF-8 across frame boundaries. Views never talk to the engine: a detached container's
``logs()``, ``stop()`` and ``remove()`` are functions the command hands in.
"""

from __future__ import annotations

import codecs
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..units import ellipsis, human_size, truncate_id
from .display import engine_line, message

#: Bytes of one run's output written into the cell; beyond that it is only captured (a cell holding hundreds of
#: megabytes would stall the notebook), and one line says so.
SHOWN_LIMIT = 4 * 1024 * 1024
_FLUSH_EVERY = 0.05  # seconds between two flushes of a stream that writes whole lines


class OutputDisplay:
    """A container's output written into the cell as it arrives, stdout and stderr apart.

    Attributes:
        shown: bytes written into the cell so far.
        cpu: seconds of CPU spent writing (what the benchmark compares with the run's wall time).
    """

    def __init__(self, limit: int = SHOWN_LIMIT, quiet: bool = False) -> None:
        self.limit, self.quiet = limit, quiet
        self.shown, self.cpu = 0, 0.0
        self._decoders = {1: codecs.getincrementaldecoder("utf-8")("replace"),
                          2: codecs.getincrementaldecoder("utf-8")("replace")}
        self._flushed = 0.0
        self._said_limit = False

    @staticmethod
    def _target(stream: int) -> Any:
        return sys.stderr if stream == 2 else sys.stdout

    def write(self, stream: int, data: bytes) -> None:
        """Show ``data`` from ``stream`` (1 stdout, 2 stderr), up to the display's limit."""
        if self.quiet:
            return
        started = time.thread_time()
        room = self.limit - self.shown
        if room > 0:
            part = data[:room]
            self.shown += len(part)
            target = self._target(stream)
            target.write(self._decoders[stream if stream in (1, 2) else 1].decode(part))
            now = time.monotonic()
            # A prompt or a progress dot without a newline must be seen at once; whole lines at most 20 times a second.
            if not part.endswith(b"\n") or now - self._flushed > _FLUSH_EVERY:
                target.flush()
                self._flushed = now
        elif not self._said_limit:
            self._said_limit = True
            message(f"\n[output beyond {human_size(self.limit)} not shown here; the result keeps the last part of "
                    "each stream]", warning=True)
        self.cpu += time.thread_time() - started

    def close(self) -> None:
        """Write what the decoders still hold (a character cut at the end) and flush both streams."""
        if self.quiet:
            return
        for stream, decoder in self._decoders.items():
            rest = decoder.decode(b"", final=True)
            if rest:
                self._target(stream).write(rest)
        sys.stdout.flush()
        sys.stderr.flush()


@dataclass(frozen=True)
class RunResult:
    """A container that ran in the foreground: its exit code, ID and captured output (the last part of each
    stream when it was long: ``stdout_dropped``/``stderr_dropped`` bytes came before it)."""

    container_id: str
    exit_code: int
    stdout: str
    stderr: str
    stdout_dropped: int = 0
    stderr_dropped: int = 0
    name: str | None = None
    removed: bool = False
    engine: str | None = field(default=None, compare=False)
    display_cpu: float | None = field(default=None, compare=False)  # seconds of CPU the output display spent

    @property
    def output(self) -> str:
        """stdout then stderr, as captured."""
        return self.stdout + self.stderr

    @property
    def truncated(self) -> bool:
        """Whether the output was longer than what was kept."""
        return bool(self.stdout_dropped or self.stderr_dropped)

    def summary(self) -> str:
        """One line: the exit code, the container, and what was kept of the output."""
        where = f"container {truncate_id(self.container_id)}" + (f" ({self.name})" if self.name else "")
        kept = ""
        if self.truncated:
            kept = (f"; kept the last {human_size(len(self.stdout.encode()))} of stdout and "
                    f"{human_size(len(self.stderr.encode()))} of stderr")
        return f"[exit code {self.exit_code}, {where}{', removed' if self.removed else ''}{kept}]"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.summary() + engine_line(self.engine))


class DetachedContainer(str):
    """``run -d``: the new container's full ID (what the CLI prints), with ``logs()``, ``stop()``, ``remove()``."""

    engine: str | None
    _actions: dict[str, Callable[..., Any]]

    def __new__(cls, container_id: str, *, engine: str | None = None,
                actions: dict[str, Callable[..., Any]] | None = None) -> DetachedContainer:
        self = super().__new__(cls, container_id)
        self.engine, self._actions = engine, dict(actions or {})
        return self

    @property
    def id(self) -> str:
        """The full container ID."""
        return str(self)

    def logs(self, tail: str | int | None = None) -> Any:
        """The container's output so far (a :class:`ContainerLogs`)."""
        return self._actions["logs"](tail)

    def stop(self, timeout: int | None = None) -> None:
        """Stop the container (the engine's stop signal, then a kill after ``timeout`` seconds)."""
        self._actions["stop"](timeout)

    def remove(self, force: bool = False) -> None:
        """Remove the container (``force``: also when it still runs)."""
        self._actions["remove"](force)

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


@dataclass(frozen=True)
class ContainerLogs:
    """``%docker logs``: what the container wrote, stdout and stderr apart (each bounded like a run's)."""

    container: str
    stdout: str
    stderr: str
    dropped: int = 0  # bytes that came before what was kept
    shown: bool = False  # already written into the cell as it came (logs -f): displayed as one line

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        if self.shown:
            printer.text(f"[logs of {self.container}: {human_size(len(self.stdout.encode()))} of stdout, "
                         f"{human_size(len(self.stderr.encode()))} of stderr]")
        else:
            printer.text((self.stdout + self.stderr).rstrip("\n"))


def _ports(ports: list[dict[str, Any]] | None) -> str:
    # The CLI's DisplayablePorts without its grouping of port ranges: IP:public->private/proto, or private/proto.
    shown = []
    for port in sorted(ports or (), key=lambda p: (p.get("PrivatePort", 0), p.get("IP", ""))):
        private = f"{port.get('PrivatePort')}/{port.get('Type', 'tcp')}"
        if port.get("PublicPort"):
            ip = port.get("IP") or ""
            ip = f"[{ip}]" if ":" in ip else ip
            shown.append(f"{ip}:{port['PublicPort']}->{private}")
        else:
            shown.append(private)
    return ", ".join(dict.fromkeys(shown))


def _names(names: list[str] | None, no_trunc: bool) -> str:
    # The CLI drops link names (another container's name/alias) unless --no-trunc.
    stripped = [n[1:] if n.startswith("/") else n for n in names or ()]
    if not no_trunc:
        stripped = next(([n] for n in stripped if "/" not in n), stripped)
    return ",".join(stripped)


def ps_row(container: dict[str, Any], *, no_trunc: bool = False) -> dict[str, Any]:
    """One ``docker ps`` row as the CLI shows it: ID, image, command (cut to 20 cells), names, ports."""
    image = container.get("Image") or ""
    if not no_trunc and image == container.get("ImageID"):
        image = truncate_id(image)
    command = container.get("Command") or ""
    return {"container_id": truncate_id(container.get("Id", ""), no_trunc), "image": image,
            "command": command if no_trunc else ellipsis(command, 20), "created": container.get("Created", 0),
            "status": container.get("Status") or "", "ports": _ports(container.get("Ports")),
            "names": _names(container.get("Names"), no_trunc), "size": container.get("SizeRw") or 0,
            "virtual_size": container.get("SizeRootFs") or 0}


PS_COLUMNS = ["container_id", "image", "command", "created", "status", "ports", "names"]


def ps_frame(containers: list[dict[str, Any]], *, size: bool = False, no_trunc: bool = False,
             engine: str | None = None) -> Any:
    """``%docker ps``: one row per container in the engine's order (newest first, to the nanosecond), as the CLI
    lists them."""
    from .frames import frame

    columns = PS_COLUMNS + (["size", "virtual_size"] if size else [])
    rows = [tuple(ps_row(c, no_trunc=no_trunc)[k] for k in columns) for c in containers]
    return frame(rows, columns, dtypes={"created": "datetime", "size": "int64", "virtual_size": "int64"},
                 views={"created": "age", "size": "size", "virtual_size": "size"}, engine=engine)


def ps_ids(containers: list[dict[str, Any]], *, no_trunc: bool = False) -> list[str]:
    """``ps -q``: the containers' IDs, in the engine's order (newest first)."""
    return [truncate_id(c.get("Id", ""), no_trunc) for c in containers]


def pruned_frame(deleted: list[str], space: int, *, engine: str | None) -> Any:
    """``container prune``'s result: one row per removed container ID, the bytes reclaimed below it."""
    from .frames import frame, with_caption

    df = frame([(c,) for c in deleted], ["container_id"], dtypes={"container_id": "string"}, engine=engine)
    return with_caption(df, f"Total reclaimed space: {human_size(space)}", at="end", space_reclaimed=space)


def prune_plan_frame(stopped: list[dict[str, Any]], *, engine: str | None) -> Any:
    """What ``container prune`` would remove: the ``ps -a -s`` rows of the stopped containers, their writable
    layers' bytes in ``attrs["space_reclaimed"]``."""
    from .frames import with_caption

    df = ps_frame(stopped, size=True, engine=engine)
    space = int(df["size"].sum()) if len(df) else 0
    count = len(df)
    caption = (f"Would remove {count} stopped container{'s' if count != 1 else ''}, freeing {human_size(space)}"
               if count else "Nothing to remove.")
    return with_caption(df, caption, at="end", space_reclaimed=space)
