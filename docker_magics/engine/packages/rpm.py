"""RPM packages: the rpm database ``rpmdb.sqlite`` (Fedora 33+, RHEL 9, Amazon Linux 2023).

Each row of its ``Packages`` table is an rpm header blob: a count of index entries, the data length, the
entries (tag, type, offset, count; big-endian) and the data they point into. The database is opened from
memory (sqlite's deserialize), never written anywhere. The Berkeley DB ``Packages`` of older distributions is
not read: no Python library in the dependencies reads that format (a skipped line says so).
"""

from __future__ import annotations

import sqlite3
import struct

from .records import Package

SQLITE = ("/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite")
BERKELEY = ("/var/lib/rpm/Packages",)
_TAGS = {1000: "name", 1001: "version", 1002: "release", 1003: "epoch", 1014: "license", 1022: "arch",
         1044: "sourcerpm"}
_STRING, _INT32, _I18N = 6, 4, 9


def header(blob: bytes) -> dict[str, str]:
    """The tags of one rpm header blob that name a package (name, version, release, epoch, arch, license ...)."""
    if len(blob) < 8:
        return {}
    count, length = struct.unpack(">II", blob[:8])
    start = 8 + 16 * count
    if count > 100_000 or start + length > len(blob):
        return {}
    data = blob[start:start + length]
    out = {}
    for index in range(count):
        tag, kind, offset, _ = struct.unpack(">iIiI", blob[8 + 16 * index: 24 + 16 * index])
        name = _TAGS.get(tag)
        if name is None or not 0 <= offset < len(data):
            continue
        if kind in (_STRING, _I18N):
            end = data.find(b"\0", offset)
            out[name] = data[offset: end if end >= 0 else len(data)].decode("utf-8", "replace")
        elif kind == _INT32 and offset + 4 <= len(data):
            out[name] = str(struct.unpack(">I", data[offset:offset + 4])[0])
    return out


def parse(path: str, data: bytes, *, limit: int) -> list[Package]:
    """The packages of one ``rpmdb.sqlite``.

    Raises:
        ValueError: the file is not an sqlite database with a Packages table, or holds more than ``limit`` rows.
    """
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        rows = connection.execute("SELECT blob FROM Packages LIMIT ?", (limit + 1,)).fetchall()
    except sqlite3.Error as exc:
        raise ValueError(f"not an rpm database ({exc})") from None
    finally:
        connection.close()
    if len(rows) > limit:
        raise ValueError(f"more than {limit} packages")
    out = []
    for (blob,) in rows:
        fields = header(bytes(blob))
        if not fields.get("name") or not fields.get("version"):
            continue
        version = f"{fields['version']}-{fields['release']}" if fields.get("release") else fields["version"]
        if fields.get("epoch") and fields["epoch"] != "0":
            version = f"{fields['epoch']}:{version}"
        out.append(Package("rpm", fields["name"], version, path, license=fields.get("license", ""),
                           arch=fields.get("arch", ""), source=fields.get("sourcerpm", "")))
    return out
