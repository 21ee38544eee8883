"""One layer tar, walked once: the files the ecosystems know, read bounded, and what the layer removes.

Each file is matched by its path alone (no directory listing is needed, so nothing but the records is kept);
its bytes are read only up to its ecosystem's bound. A file over a hard bound, or one that cannot be parsed,
is left out with one line in ``skipped``: it never fails the image. A Go executable is scanned as it streams
(see :mod:`.golang`); every other file is read once into memory, at most its bound.
"""

from __future__ import annotations

import posixpath
import tarfile
from dataclasses import dataclass, field
from typing import IO, Any

from ..archive import tarstream
from . import apk, conda, deb, golang, java, npm, python, rpm
from .records import Package

KIB, MIB = 1 << 10, 1 << 20
#: The most bytes read of each kind of file: a database is read whole up to this and skipped above it; the
#: header of a metadata file is all that is needed, so a longer one is read up to its bound.
DATABASE_LIMIT = 16 * MIB
STANZA_LIMIT = 100_000
HEADER_LIMIT = 256 * KIB
JSON_LIMIT = 4 * MIB
GO_LIMIT = 4 * MIB
GO_MIN_SIZE = 4 * KIB
OS_RELEASE = ("/etc/os-release", "/usr/lib/os-release")


@dataclass
class LayerPackages:
    """What one layer says about packages (kept by its diff ID: the same layer always says the same)."""

    files: dict[str, tuple[Package, ...]] = field(default_factory=dict)  # a database or metadata file -> packages
    licenses: dict[str, str] = field(default_factory=dict)  # a deb copyright file -> its licenses
    os_release: dict[str, str] = field(default_factory=dict)  # os-release path -> text, or "->target" for a link
    removed: list[str] = field(default_factory=list)  # whiteouts: paths hidden from the layers below
    opaque: list[str] = field(default_factory=list)  # directories whose lower contents are hidden
    skipped: list[str] = field(default_factory=list)


def _abs(name: str) -> str:
    path = posixpath.normpath("/" + name.lstrip("/"))
    return "/" if path in ("/", "/.") else path


def _text(data: tarstream.Bounded, limit: int) -> str:
    return data.read(limit).decode("utf-8", "replace")


def _database(layer: LayerPackages, path: str, member: tarfile.TarInfo, data: tarstream.Bounded, parse: Any) -> None:
    if member.size > DATABASE_LIMIT:
        layer.skipped.append(f"{path}: {member.size} bytes, over the {DATABASE_LIMIT >> 20} MiB read for a database")
        layer.files[path] = ()
        return
    try:
        layer.files[path] = tuple(parse(path, _text(data, DATABASE_LIMIT), limit=STANZA_LIMIT))
    except ValueError as exc:
        layer.skipped.append(f"{path}: {exc}")
        layer.files[path] = ()


def _whole(layer: LayerPackages, path: str, member: tarfile.TarInfo, data: tarstream.Bounded) -> None:
    """A file read whole (an sqlite database, a zip): bounded by :data:`DATABASE_LIMIT`."""
    if member.size > DATABASE_LIMIT:
        layer.skipped.append(f"{path}: {member.size} bytes, over the {DATABASE_LIMIT >> 20} MiB read for a "
                             "database or archive")
        return
    try:
        if java.is_archive(path):
            layer.files[path] = tuple(java.parse(path, data.read(DATABASE_LIMIT)))
        else:
            layer.files[path] = tuple(rpm.parse(path, data.read(DATABASE_LIMIT), limit=STANZA_LIMIT))
    except ValueError as exc:
        layer.skipped.append(f"{path}: {exc}")
        layer.files[path] = ()


def _go(layer: LayerPackages, path: str, data: tarstream.Bounded) -> None:
    head = data.read(4)
    if head != golang.ELF:
        return
    try:
        found = golang.build_info(data, head, limit=GO_LIMIT)
    except golang.TooBig as exc:
        layer.skipped.append(f"{path}: {exc}, over the {GO_LIMIT >> 20} MiB read")
        return
    if found is not None:
        layer.files[path] = tuple(golang.parse(path, found))


def _regular(layer: LayerPackages, path: str, member: tarfile.TarInfo, data: tarstream.Bounded) -> None:
    if deb.is_database(path):
        _database(layer, path, member, data, deb.parse)
    elif path == apk.DATABASE:
        _database(layer, path, member, data, apk.parse)
    elif deb.is_copyright(path):
        layer.licenses[path] = deb.licenses(_text(data, HEADER_LIMIT))
    elif python.is_metadata(path):
        layer.files[path] = tuple(python.parse(path, _text(data, HEADER_LIMIT)))
    elif npm.is_manifest(path) or conda.is_record(path):
        if member.size > JSON_LIMIT:
            layer.skipped.append(f"{path}: {member.size} bytes, over the {JSON_LIMIT >> 20} MiB read for JSON")
            return
        reader = npm if npm.is_manifest(path) else conda
        layer.files[path] = tuple(reader.parse(path, _text(data, JSON_LIMIT)))
    elif path in rpm.SQLITE or java.is_archive(path):
        _whole(layer, path, member, data)
    elif path in rpm.BERKELEY:
        layer.skipped.append(f"{path}: a Berkeley DB rpm database, which docker_magics does not read")
    elif path in OS_RELEASE:
        layer.os_release[path] = _text(data, 64 * KIB)
    elif member.size >= GO_MIN_SIZE:
        _go(layer, path, data)


def read_layer(stream: IO[bytes] | Any) -> LayerPackages:
    """Walk one (uncompressed) layer tar as it streams: its package files and its removals.

    Raises:
        tarfile.ReadError: the stream is not a tar or ends early.
    """
    layer = LayerPackages()
    for member, data in tarstream.members(stream):
        path = _abs(member.name)
        base = posixpath.basename(path)
        if base == ".wh..wh..opq":
            layer.opaque.append(posixpath.dirname(path))
        elif base.startswith(".wh..wh."):
            continue
        elif base.startswith(".wh."):
            layer.removed.append(posixpath.join(posixpath.dirname(path), base[4:]))
        elif member.isreg():
            _regular(layer, path, member, data)
        elif member.issym() and path in OS_RELEASE:
            layer.os_release[path] = "->" + posixpath.normpath(posixpath.join(posixpath.dirname(path),
                                                                              member.linkname))
        elif path in layer.files or deb.is_database(path) or path == apk.DATABASE:
            layer.files[path] = ()  # no longer a database: what the layers below said of it is gone
    return layer
