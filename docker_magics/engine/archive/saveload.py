"""Engine side of image archives: save several images to one tar, load a tar back, import a rootfs tarball.

Everything streams in chunks of :data:`CHUNK` bytes, so memory stays bounded whatever the image size:
``GET /images/get`` is read chunk by chunk into a temporary file next to the target (renamed only when
complete), and ``POST /images/load`` and ``POST /images/create`` get a generator that reads the file.
Nothing here prints; byte counts and engine events go to a progress ``sink``.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import os
import queue
import re
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ...errors import DockerMagicError, ImageNotFoundError, Interrupted, StreamError, UsageError
from ...units import human_size
from .. import streams
from ..connection import Connection, broken_stream
from ..images import ImageCalls
from ..progress import Progress
from ..references import NONE

CHUNK = 1 << 20  # the engine sends 32 KiB pieces; 1 MiB reads keep the per-chunk cost low
QUEUE = 8  # chunks waiting to be written: at most 8 MiB in flight
GZIP_LEVEL = 1  # most of gzip's gain on layer tars at a fraction of level 6's time


class _HashingWriter:
    """A write-only file that counts and hashes what goes through it (the bytes on disk)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.count, self.hash = raw, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.count += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


class _Writer:
    """Hash, compress and write in a thread while the caller reads the next chunk from the engine.

    The queue holds at most :data:`QUEUE` chunks, so memory stays bounded; the GIL is released while
    hashing, compressing and writing, so reading and writing overlap (save runs at the engine's pace).
    """

    def __init__(self, out: Any) -> None:
        self.out, self.error, self.abort = out, None, False
        self.queue: queue.Queue[bytes | None] = queue.Queue(QUEUE)
        self.thread = threading.Thread(target=self._run, name="docker_magics-save-writer", daemon=True)

    def _run(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is None and not self.abort:
                try:
                    self.out.write(chunk)
                except BaseException as exc:  # handed to the reading thread in put() or __exit__
                    self.error = exc

    def put(self, chunk: bytes) -> None:
        """Queue a chunk (waits while the queue is full); raise the writer's error, if any."""
        if self.error is not None:
            raise self.error
        self.queue.put(chunk)

    def __enter__(self) -> _Writer:
        self.thread.start()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.abort = exc_type is not None
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc_type is None:
            raise self.error


def _disk_full(target: Path, folder: Path, need: int) -> DockerMagicError:
    """The line for a full disk: where, how much is free (the partial file is gone by now), how much is needed."""

    free = shutil.disk_usage(folder).free
    needed = f"; the images need about {human_size(need)}" if need else ""
    return DockerMagicError(f"Cannot write {target}: no space left on device in {folder} "
                            f"({human_size(free)} free{needed})",
                            hint="To fix it, free some space there or save to another folder.")


def _stream_save(engine: Connection, names: list[str], writer: _HashingWriter, compress: bool, sink: Any,
                 platform: str | None = None) -> None:
    subject = ", ".join(names)
    params: dict[str, Any] = {"names": names}
    if platform:
        from ..platforms import platform_param

        params["platform"] = platform_param(platform)
    with engine.stream("GET", "/images/get", action="save", subject=subject, params=params) as response:
        out: Any = gzip.GzipFile(filename="", fileobj=writer, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) \
            if compress else writer
        with broken_stream("save", subject), engine.translated("save", subject), _Writer(out) as writer_thread:
            for chunk in response.iter_content(CHUNK):
                writer_thread.put(chunk)
                sink.advance(len(chunk))
        if compress:
            out.close()


# What the Docker CLI (its atomic writer) says when the output path is not a regular file.
_NOT_A_FILE = (
    (stat.S_ISLNK, "cannot write to a symbolic link directly"),
    (stat.S_ISDIR, "cannot write to a directory"),
    (stat.S_ISFIFO, "cannot write to a named pipe (FIFO)"),
    (stat.S_ISSOCK, "cannot write to a socket"),
    (stat.S_ISCHR, "cannot write to a character device file"),
    (stat.S_ISBLK, "cannot write to a block device file"),
)


def writable_target(target: Path) -> int:
    """Refuse what ``docker save -o`` refuses; the mode the finished file gets.

    The archive is renamed over ``target`` when complete, which would turn a symbolic link into a file,
    leave a FIFO's reader with nothing and replace a device: the CLI refuses those, and so does this.
    An existing regular file keeps its mode (a 0600 file stays 0600); a new one gets 0666 less the umask.

    Raises:
        UsageError: ``target`` is a symbolic link, a directory, a FIFO, a socket or a device.
    """
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return 0o666 & ~_umask()
    except OSError as exc:
        raise DockerMagicError(f"Cannot write {target}: {exc.strerror or exc}",
                               hint="To fix it, check the path.") from None
    if stat.S_ISREG(info.st_mode):
        return stat.S_IMODE(info.st_mode)
    why = next((said for test, said in _NOT_A_FILE if test(info.st_mode)), f"unknown file mode: {info.st_mode:o}")
    raise UsageError(f"failed to save image: invalid output path {str(target)!r}: {why}",
                     hint="To fix it, give the path of a regular file, or a new one.")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---- load -----------------------------------------------------------------------------------------

_COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd"}


def sniff_archive(path: Path) -> str:
    """``tar``, ``gzip``, ``bzip2``, ``xz`` or ``zstd`` from the first bytes of ``path`` (a gzip must hold a tar).

    Raises:
        UsageError: the file is missing, or is neither a tar nor a compressed file.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(512)
        kind = next((k for magic, k in _COMPRESSED.items() if head.startswith(magic)), None)
        if kind == "gzip":
            with gzip.open(path, "rb") as f:
                head = f.read(512)
            kind = "gzip" if _is_tar(head) else None
        elif kind is None and _is_tar(head):
            kind = "tar"
    except FileNotFoundError:
        raise UsageError(f"open {path}: no such file", hint="To fix it, check the path (relative to the "
                                                            f"notebook's folder, {Path.cwd()}).") from None
    except (OSError, EOFError) as exc:
        raise UsageError(f"cannot read {path}: {exc}", hint="To fix it, check the file.") from None
    if kind is None:
        raise not_an_archive(path, "it is neither a tar nor a compressed tar file")
    return kind


def _is_tar(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


def not_an_archive(path: Path | str, why: str) -> UsageError:
    """The one line for a file that ``load`` cannot use."""
    return UsageError(f"{path} is not an image archive: {why}",
                      hint="To fix it, load a file written by 'docker save' or '%docker save -o FILE IMAGE'; "
                           "a root filesystem tarball goes in with '%docker import FILE REPOSITORY:TAG'.")


def read_chunks(source: IO[bytes], sink: Any) -> Iterator[bytes]:
    """Yield ``source`` in :data:`CHUNK` pieces, counting each on ``sink`` (an upload body)."""
    while chunk := source.read(CHUNK):
        sink.advance(len(chunk))
        yield chunk


def loaded_images(event: dict[str, Any]) -> list[tuple[str, str]]:
    """(reference, ID) from an engine ``stream`` event: ``Loaded image: x:1`` or ``Loaded image ID: sha256:…``."""
    out = []
    for line in str(event.get("stream") or "").splitlines():
        if line.startswith("Loaded image ID: "):
            out.append((NONE, line.removeprefix("Loaded image ID: ").strip()))
        elif line.startswith("Loaded image: "):
            out.append((line.removeprefix("Loaded image: ").strip(), ""))
    return out


def _with_ids(engine: ImageCalls, loaded: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # The engine names a loaded tag without its ID: ask for it (one inspect per tag).
    return [(ref, image_id or engine.inspect(ref)["Id"]) for ref, image_id in loaded]


# ---- import ---------------------------------------------------------------------------------------


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


@contextlib.contextmanager
def _import_body(source: str, sink: Any) -> Iterator[Iterator[bytes] | None]:
    if _is_url(source):
        yield None
        return
    if source == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        if stdin is None or (hasattr(sys.stdin, "isatty") and sys.stdin.isatty()):
            raise UsageError("'%docker import -' reads the tarball from standard input, and there is none here",
                             hint="To fix it, give the tarball's path: %docker import FILE REPOSITORY:TAG.")
        yield read_chunks(stdin, sink)
        return
    try:
        source_file = open(Path(source).expanduser(), "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise UsageError(f"open {source}: {exc.strerror or exc}",
                         hint="To fix it, give the path of a tarball, a http(s) URL, or - for stdin.") from None
    with source_file:
        yield read_chunks(source_file, sink)


class ArchiveCalls(Connection):
    """Save, load and import: archives streamed both ways, never held in memory."""

    def estimate_size(self, names: Iterable[str]) -> int:
        """The bytes a save of ``names`` will roughly stream: the sum of the distinct images' sizes.

        Also checks that every image exists before a byte is written.

        Raises:
            ImageNotFoundError: one of the images is not there.
        """
        sizes = {}
        for name in names:
            try:
                info = self.inspect(name)
            except ImageNotFoundError:
                # The engine repeats itself on inspect ("no such image: x: No such image: x").
                raise ImageNotFoundError(f"No such image: {name}",
                                         hint="List local images with '%docker images'.") from None
            sizes[info["Id"]] = int(info.get("Size") or 0)
        return sum(sizes.values())

    def save(self, names: list[str], path: str | Path, *, compress: bool, sink: Progress,
             expected: int = 0, platform: str | None = None) -> tuple[int, str]:
        """Save ``names`` into one tar at ``path`` in one ``GET /images/get`` request.

        The archive is written to a hidden temporary file in the same folder and renamed to ``path``
        only when complete: an error or an interrupt leaves no file behind.

        Args:
            names: references or IDs; the archive keeps every tag given.
            path: the file to write.
            compress: write gzip.
            sink: a :class:`~docker_magics.engine.progress.Progress` (``advance`` gets the bytes from the engine).
            expected: the size the archive is expected to have (named when the disk fills up).
            platform: ``os[/arch[/variant]]``: only that platform of multi-platform images (API 1.48+).

        Returns:
            The size of the written file and its sha256 (hex).

        Raises:
            Interrupted: Ctrl-C; the temporary file is removed.
            DockerMagicError: the engine refused or the disk failed; nothing is left behind.
        """
        target = Path(path).expanduser()
        folder = target.parent.resolve()
        if not folder.is_dir():
            raise UsageError(f"cannot save to {target}: the folder {folder} does not exist",
                             hint="To fix it, create the folder first or choose another path.")
        mode = writable_target(target)
        try:
            # The temporary name stays short whatever the target's (a 254-character name must still work).
            fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name[:48]}.", suffix=".part")
        except OSError as exc:  # /proc, /sys, a read-only or unwritable folder
            raise DockerMagicError(f"Cannot write {target}: {exc.strerror or exc}",
                                   hint="To fix it, save to a folder you may write to.") from None
        try:
            with os.fdopen(fd, "wb") as raw:
                writer = _HashingWriter(raw)
                _stream_save(self, names, writer, compress, sink, platform)
            os.chmod(temp, mode)
            os.replace(temp, target)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            if isinstance(exc, KeyboardInterrupt):
                raise Interrupted(f"Saving to {target} was interrupted; no file was written",
                                  hint="Run the command again to save.") from None
            if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise _disk_full(target, folder, expected) from None
            if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
                raise DockerMagicError(f"Cannot write {target}: {exc.strerror or exc}",
                                       hint="To fix it, check the folder's permissions and free space.") from None
            raise
        return writer.count, writer.hash.hexdigest()

    def load(self, path: str | Path, *, quiet: bool, sink: Any, platform: str | None = None) -> list[tuple[str, str]]:
        """``POST /images/load`` streaming ``path``; the (reference, image ID) pairs the engine reports.

        ``platform``: ``os[/arch[/variant]]``: only that platform of multi-platform images (API 1.48+).

        Raises:
            UsageError: the file is not an image archive.
            Interrupted: Ctrl-C (the upload stops; the engine loads nothing).
        """
        path = Path(path).expanduser()
        sniff_archive(path)
        params: dict[str, Any] = {"quiet": 1 if quiet else 0}
        if platform:
            from ..platforms import platform_param

            params["platform"] = platform_param(platform)
        loaded: list[tuple[str, str]] = []
        try:
            with (open(path, "rb") as source,
                  self.stream("POST", "/images/load", action="load", subject=str(path),
                              data=read_chunks(source, sink), params=params,
                              headers={"Content-Type": "application/x-tar"}) as response,
                  self.translated("load", str(path))):
                for event in streams.follow(self.events(response), sink, action="load"):
                    loaded.extend(loaded_images(event))
        except StreamError as exc:
            # No manifest.json: the classic store falls back to the legacy layout and misses its files; the
            # containerd store finds neither manifest.json nor an OCI index.json.
            said = exc.engine_text or exc.message  # the engine's words, without our "load failed: "
            if re.search(r"docker-import-\d+/.*no such file", said) or "unrecognized image format" in said:
                raise not_an_archive(path, "a tar file without the manifest.json that 'docker save' writes") from None
            raise
        except KeyboardInterrupt:
            raise Interrupted(f"Loading {path} was interrupted", hint="Run the command again to load.") from None
        return _with_ids(self, loaded)

    def import_image(self, source: str, *, repository: str | None, tag: str | None,
                       changes: list[str], message: str | None, sink: Any) -> str:
        """``POST /images/create?fromSrc=…``: a root filesystem tarball (file, URL or ``-`` for stdin) as an image.

        Returns:
            The new image's ID.
        """
        params: dict[str, Any] = {"fromSrc": source if _is_url(source) else "-", "repo": repository, "tag": tag,
                                  "message": message, "changes": changes or None}
        params = {k: v for k, v in params.items() if v}
        with _import_body(source, sink) as body:
            try:
                with (self.stream("POST", "/images/create", action="import", subject=source, data=body,
                                  params=params, headers={"Content-Type": "application/tar"}) as response,
                      self.translated("import", source)):
                    kept = streams.drain(self.events(response), sink, action="import")
            except KeyboardInterrupt:
                raise Interrupted(f"Importing {source} was interrupted", hint="Run the command again.") from None
        status = next((e["status"] for e in reversed(kept) if str(e.get("status", "")).startswith("sha256:")), "")
        return status.strip()
