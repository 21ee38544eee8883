"""The image index saved between kernels: one snapshot file per engine in the user's cache folder.

A kernel restart, or a notebook opened later, would otherwise list every image from nothing (the containerd
store lists at about 3 ms per image). The snapshot keeps what :class:`~.store.ImageIndex` knows: the rows of
``/images/json?all=1``, the exact creation times it read, and its cursor in the engine's events. A new kernel
starts from it and brings it up to date from ``/events`` as a warm listing does; whenever it cannot prove the
snapshot exact it lists in full (the checks are the store's, see :meth:`~.store.ImageIndex.current`).

Where: ``$DOCKER_MAGICS_CACHE``, else platformdirs' user cache folder (``~/.cache/docker_magics`` on Linux), in
``index/``. One file per engine, named after the engine's ``/info`` ``ID``, ``DockerRootDir`` and ``Name`` (the
same engine reached through another socket path or context shares it; two engines behind one path do not).
A file is a header line (the format, the package version, the cursor's time, the image count) and zlib-compressed
JSON; it is written to a temporary file in the same folder and renamed, mode 0600, so a reader sees a whole
file or the previous one. A file that does not parse, was written by another version or format, is not a
regular file owned by this user, or names another engine is ignored (never an error) and replaced by the next
write. ``tab/`` holds, per endpoint, the references of its last snapshot: what the first Tab of a new kernel
offers before docker-py is even imported.

Nothing here talks to an engine or raises: reading gives None (with :attr:`SnapshotStore.last_miss` saying why),
writing gives False.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The file format; a file of another format (or package version) is ignored and rewritten.
FORMAT = 1
MAGIC = "docker_magics-index"
#: A snapshot larger than this is not read (far above 3,000 images' few hundred KiB).
MAX_BYTES = 256 * 1024 * 1024
ENV = "DOCKER_MAGICS_CACHE"


def _package_version() -> str:
    from ... import __version__

    return __version__


def cache_folder() -> Path:
    """Where snapshots live: ``$DOCKER_MAGICS_CACHE``, else the user cache folder (``~/.cache/docker_magics``)."""
    moved = os.environ.get(ENV)
    if moved:
        return Path(moved).expanduser()
    import platformdirs  # a few ms, only when a snapshot is read or written

    return Path(platformdirs.user_cache_dir("docker_magics", appauthor=False))


@dataclass(frozen=True)
class EngineIdentity:
    """What names one engine across kernels: ``/info``'s ``ID``, ``DockerRootDir`` and ``Name``."""

    id: str
    root: str
    name: str

    @classmethod
    def of(cls, info: dict[str, Any]) -> EngineIdentity | None:
        """The identity in an ``/info`` answer; None when the engine gives no ID (then nothing is saved)."""
        ident = info.get("ID")
        if not isinstance(ident, str) or not ident:
            return None
        return cls(ident, str(info.get("DockerRootDir") or ""), str(info.get("Name") or ""))

    def key(self) -> str:
        """The snapshot's file name (a hash: IDs and paths stay out of file names)."""
        return hashlib.sha256(json.dumps([self.id, self.root, self.name]).encode()).hexdigest()[:32]


@dataclass
class Snapshot:
    """One engine's saved index.

    Attributes:
        identity: the engine it was taken from.
        api_version: the API version the rows were listed with (their conventions depend on it).
        containerd: whether the engine used the containerd image store.
        rows: every image's ``/images/json?all=1`` row.
        created: exact creation times (ns) read so far, by image ID.
        cursor: the index's cursor in the engine's events (:func:`~.store.cursor_to_plain`).
        records: the image (or record) count ``/info`` gave.
    """

    identity: EngineIdentity
    api_version: str
    containerd: bool
    rows: list[dict]
    created: dict[str, int | None]
    cursor: dict[str, Any]
    records: int

    def to_bytes(self) -> bytes:
        """The file's content: the header line, then the compressed JSON."""
        body = {"format": FORMAT, "version": _package_version(), "identity": [self.identity.id, self.identity.root,
                                                                             self.identity.name],
                "api_version": self.api_version, "containerd": self.containerd, "rows": self.rows,
                "created": self.created, "cursor": self.cursor, "records": self.records}
        header = f"{MAGIC} {FORMAT} {_package_version()} {int(self.cursor['until_ns'])} {self.records}\n"
        return header.encode() + zlib.compress(json.dumps(body, separators=(",", ":")).encode(), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> Snapshot:
        """Parse a file's content.

        Raises:
            ValueError: not a snapshot of this format and version, or malformed (zlib and JSON errors included).
        """
        header, newline, rest = data.partition(b"\n")
        if not newline:
            raise ValueError("no header")
        _check_header(header)
        try:
            body = json.loads(zlib.decompress(rest))
        except (zlib.error, UnicodeDecodeError) as exc:
            raise ValueError(f"body: {exc}") from None
        if not isinstance(body, dict) or body.get("format") != FORMAT or body.get("version") != _package_version():
            raise ValueError("another format or version")
        ident, rows, created, cursor = body["identity"], body["rows"], body["created"], body["cursor"]
        if not (isinstance(ident, list) and len(ident) == 3 and all(isinstance(part, str) for part in ident)):
            raise ValueError("identity")
        if not isinstance(rows, list) or not all(isinstance(r, dict) and isinstance(r.get("Id"), str) for r in rows):
            raise ValueError("rows")
        if not isinstance(created, dict) or not isinstance(cursor, dict):
            raise ValueError("created or cursor")
        return cls(EngineIdentity(*ident), str(body["api_version"]), bool(body["containerd"]), rows,
                   {str(k): (None if v is None else int(v)) for k, v in created.items()}, cursor,
                   int(body["records"]))


def _check_header(header: bytes) -> tuple[int, int]:
    """(until_ns, records) of a header line of this format and version.

    Raises:
        ValueError: another format, another version, or not a header.
    """
    try:
        magic, form, version, until, records = header.decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError):
        raise ValueError("not a snapshot header") from None
    if magic != MAGIC or form != str(FORMAT) or version != _package_version():
        raise ValueError(f"written by another version ({form} {version})")
    return int(until), int(records)


class SnapshotStore:
    """The snapshot files in one folder (:func:`cache_folder` by default).

    Args:
        folder: the cache folder; ``index/`` and ``tab/`` are made in it (mode 0700) on the first write.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else cache_folder()
        self.last_miss: str | None = None  # why the last load gave None (tests, benchmarks)

    def path(self, identity: EngineIdentity) -> Path:
        """The snapshot file of an engine."""
        return self.folder / "index" / f"{identity.key()}.snapshot"

    def _tab_path(self, host: str) -> Path:
        return self.folder / "tab" / f"{hashlib.sha256(host.encode()).hexdigest()[:32]}.json"

    # ---- reading ------------------------------------------------------------------------------------

    def load(self, identity: EngineIdentity) -> Snapshot | None:
        """The engine's snapshot, or None (absent, unreadable, malformed, of another version or engine)."""
        data = self._read(self.path(identity))
        if data is None:
            return None
        try:
            snapshot = Snapshot.from_bytes(data)
        except (ValueError, KeyError, TypeError) as exc:
            self.last_miss = f"does not parse: {exc}"
            return None
        if snapshot.identity != identity:
            self.last_miss = "another engine"
            return None
        self.last_miss = None
        return snapshot

    def header(self, identity: EngineIdentity) -> tuple[int, int] | None:
        """(until_ns, records) from the snapshot's first line alone, or None."""
        line = self._read(self.path(identity), first_line=True)
        try:
            return _check_header(line) if line is not None else None
        except ValueError:
            return None

    def _read(self, path: Path, *, first_line: bool = False) -> bytes | None:
        """The file's bytes, if it is a regular file of this user: never through a link, never a FIFO."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            self.last_miss = "no snapshot"
            return None
        except OSError as exc:
            self.last_miss = f"unreadable: {exc.strerror or exc}"
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_size > MAX_BYTES:
                self.last_miss = "not a regular file of this user"
                return None
            with os.fdopen(fd, "rb", closefd=False) as stream:
                return stream.readline(256) if first_line else stream.read()
        except OSError as exc:
            self.last_miss = f"unreadable: {exc.strerror or exc}"
            return None
        finally:
            os.close(fd)

    def tab_references(self, host: str) -> list[str] | None:
        """The references (tags, short IDs) the last snapshot of the engine at ``host`` held, for the first Tab."""
        data = self._read(self._tab_path(host))
        try:
            payload = json.loads(data) if data is not None else None
        except ValueError:
            return None
        if not isinstance(payload, dict) or payload.get("version") != _package_version() or payload.get("host") != host:
            return None
        refs = payload.get("references")
        return [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else None

    # ---- writing ------------------------------------------------------------------------------------

    def save(self, snapshot: Snapshot, *, host: str | None = None, references: list[str] | None = None,
             replace: bool = False) -> bool:
        """Write the snapshot atomically (unless the file already holds a newer one); False when it could not.

        Args:
            snapshot: what to save.
            host: the endpoint it was listed through: its Tab references are saved too.
            references: those references.
            replace: even over a file that looks newer (one the index refused, e.g. ahead of the engine's clock).
        """
        path = self.path(snapshot.identity)
        existing = None if replace else self.header(snapshot.identity)
        if existing is not None and existing[0] > int(snapshot.cursor["until_ns"]):
            return True  # another kernel saved a newer view of the same engine: keep it
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # image names are this user's business
            written = _write_atomically(path, snapshot.to_bytes())
            if written and host is not None and references is not None:
                tab = {"version": _package_version(), "host": host, "key": snapshot.identity.key(),
                       "references": references}
                _write_atomically(self._tab_path(host), json.dumps(tab, separators=(",", ":")).encode())
            return written
        except (OSError, ValueError, TypeError):
            return False


def _write_atomically(path: Path, data: bytes) -> bool:
    """``data`` into ``path`` through a temporary file in the same folder and a rename (mode 0600)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
        return True
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
