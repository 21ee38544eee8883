"""Debian packages: dpkg's ``var/lib/dpkg/status``, distroless's ``status.d/*``, and ``copyright`` licenses.

A stanza without a ``Status`` field is installed (distroless writes none); ``deinstall`` and ``purge``
stanzas, and any whose state is not ``installed``, are not. Licenses come from
``usr/share/doc/NAME/copyright``: the ``License:`` fields of a DEP-5 file, or the common-licenses a free-form
file points to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .records import Package

STATUS = "/var/lib/dpkg/status"
STATUS_D = "/var/lib/dpkg/status.d/"
DOC = "/usr/share/doc/"
_COMMON = re.compile(r"/usr/share/common-licenses/([A-Za-z0-9.+-]+)")
_LICENSE = re.compile(r"^License:[ \t]*(\S[^\n]*)$", re.MULTILINE)


def is_database(path: str) -> bool:
    """Whether ``path`` is a dpkg status database (the main one or a distroless ``status.d`` entry)."""
    if path == STATUS:
        return True
    return path.startswith(STATUS_D) and "/" not in path[len(STATUS_D):] and "." not in path[len(STATUS_D):]


def is_copyright(path: str) -> bool:
    """Whether ``path`` is a package's ``usr/share/doc/NAME/copyright``."""
    return path.startswith(DOC) and path.endswith("/copyright") and path.count("/") == 5


def copyright_package(path: str) -> str:
    """The package a copyright file belongs to (``/usr/share/doc/NAME/copyright`` -> NAME)."""
    return path.split("/")[4]


def _blocks(text: str) -> Iterator[str]:
    """The stanzas of a control file one at a time (never a list of them all), split at blank lines."""
    start = 0
    while start < len(text):
        end = text.find("\n\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end]
        start = end + 2


def _stanzas(text: str, limit: int) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for block in _blocks(text):
        fields: dict[str, str] = {}
        key = ""
        for line in block.split("\n"):
            if line[:1] in (" ", "\t"):
                continue  # a continuation line: none of the fields kept here spans lines
            name, colon, value = line.partition(":")
            if colon:
                key = name.strip()
                fields[key] = value.strip()
        if fields.get("Package"):
            out.append(fields)
            if len(out) >= limit:
                raise ValueError(f"more than {limit} stanzas")
    return out


def _installed(fields: dict[str, str]) -> bool:
    status = fields.get("Status")
    if status is None:
        return True  # distroless's status.d: a package is there because it was installed
    words = status.split()
    return len(words) == 3 and words[0] in ("install", "hold") and words[2] == "installed"


def parse(path: str, text: str, *, limit: int) -> list[Package]:
    """The installed packages of one dpkg status file.

    Raises:
        ValueError: the file holds more than ``limit`` stanzas.
    """
    out = []
    for fields in _stanzas(text, limit):
        if not _installed(fields) or not fields.get("Version"):
            continue
        source = fields.get("Source", "").split(" ")[0]
        out.append(Package("deb", fields["Package"], fields["Version"], path, arch=fields.get("Architecture", ""),
                           source=source))
    return out


def licenses(text: str) -> str:
    """The licenses a copyright file names, in order, joined by `` AND ``; "" when it names none."""
    found: list[str] = []
    for match in _LICENSE.finditer(text):
        for name in re.split(r"\s+(?:or|and)\s+|\s*[|,]\s*", match.group(1).strip()):
            if name and name not in found and len(name) < 64:
                found.append(name)
    if not found:
        for name in _COMMON.findall(text):
            name = name.rstrip(".")
            if name not in found:
                found.append(name)
    return " AND ".join(found)
