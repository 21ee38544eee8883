"""Go modules: the build info every Go executable carries (``runtime/debug.BuildInfo``, ``go version -m``).

The build info is a ``\\xff Go buildinf:`` header in the ``.go.buildinfo`` section, 16-byte aligned; since
Go 1.18 (flag bit 2) the Go version and the module list follow it inline, each a varint length and its bytes.
The executable streams past once: it is scanned for the header in chunks, never kept whole, and the lengths it
claims are bounded, so a file that claims a huge module list costs nothing. Older executables point into their
memory image instead (not read here: a skipped line says so).

Packages are syft's: the main module, each dependency (a ``=>`` replacement wins), and ``stdlib`` at the
Go version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .records import Package

ELF = b"\x7fELF"
MAGIC = b"\xff Go buildinf:"
HEADER = 32
CHUNK = 1 << 20
DEVEL = "(devel)"


class TooBig(ValueError):
    """The build info claims more bytes than it may."""


def _varint(buffer: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while position < len(buffer) and shift < 64:
        byte = buffer[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7
    return -1, position


#: A Go executable names its toolchain in a ``Go`` ELF note at its start: only those are scanned further.
GO_NOTE = b"Go\x00\x00"
NOTE_WINDOW = 8 << 10
#: syft's guess at a main module version from the executable's bytes (a NUL- or non-UTF-8-led semver string);
#: a byte at or above 0x80 stands for Go's U+FFFD (an invalid UTF-8 byte).
SEMVER = re.compile(rb"(?:\x00|[\x80-\xff])(?:.L)?(v?\d+\.\d+\.\d+[-\w]*[+\w]*)\x00", re.DOTALL)
OVERLAP = 128


def _first_semver(buffer: bytes) -> str:
    """The first string of ``buffer`` that :data:`SEMVER` matches, or "".

    A regular expression over tens of MB of an executable is slow in Python: numpy finds the few places
    where a digit, a dot and a digit stand in a row, and the expression runs only around those.
    """
    import numpy  # pandas' own dependency: always there where docker_magics is installed

    data = numpy.frombuffer(buffer, dtype=numpy.uint8)
    if len(data) < 3:
        return ""
    digit = (data >= 0x30) & (data <= 0x39)
    starts = numpy.flatnonzero(digit[:-2] & (data[1:-1] == 0x2E) & digit[2:])
    for at in starts.tolist():
        match = SEMVER.search(buffer, max(0, at - 24), at + 160)
        if match and match.start(1) <= at:
            return match.group(1).decode("ascii")
    return ""


@dataclass
class BuildInfo:
    """What one Go executable says of itself."""

    go_version: str
    modinfo: str
    contents_version: str = ""  # the first semver string of its bytes (syft's guess for a "(devel)" main module)


class _Scan:
    """The executable's bytes, a window at a time: the build info header and the first semver string."""

    def __init__(self, data: Any, head: bytes, limit: int) -> None:
        self.data, self.buffer, self.base, self.limit = data, head, 0, limit  # base: file offset of buffer[0]
        self.semver = ""

    def more(self, size: int = CHUNK) -> bool:
        data = self.data.read(size)
        if not data:
            return False
        self.buffer += data
        return True

    def slide(self) -> bool:
        keep = self.buffer[-OVERLAP:]
        self.base += len(self.buffer) - len(keep)
        self.buffer = keep
        return self.more()

    def search_semver(self) -> None:
        if not self.semver:
            self.semver = _first_semver(self.buffer)

    def find_header(self) -> int:
        start = 0
        while (found := self.buffer.find(MAGIC, start)) >= 0:
            if (self.base + found) % 16 == 0:
                return found
            start = found + 1
        return -1

    def strings(self, at: int) -> tuple[str, str] | None:
        while len(self.buffer) < at + HEADER:
            if not self.more():
                return None
        if not self.buffer[at + 15] & 2:
            return None  # before Go 1.18: pointers into the memory image
        out, position = [], at + HEADER
        for _ in range(2):
            while (found := _varint(self.buffer, position))[0] < 0 and len(self.buffer) < position + 10:
                if not self.more():
                    return None
            length, end = found
            if length < 0 or length > self.limit:
                raise TooBig(f"Go build info claims {length} bytes")
            while len(self.buffer) < end + length:
                if not self.more(min(CHUNK, end + length - len(self.buffer))):
                    return None
            out.append(self.buffer[end:end + length].decode("utf-8", "replace"))
            position = end + length
        return out[0], out[1]


def build_info(data: Any, head: bytes, *, limit: int) -> BuildInfo | None:
    """The Go version and module list of one executable, or None when it carries none we can read.

    Args:
        data: the rest of the file (``read(n)``), read forward only.
        head: the bytes of the file already read (its first bytes).
        limit: the most bytes the module list may claim.

    Raises:
        TooBig: the build info claims more than ``limit`` bytes.
    """
    scan = _Scan(data, head, limit)
    while len(scan.buffer) < NOTE_WINDOW and scan.more(NOTE_WINDOW):
        pass
    if GO_NOTE not in scan.buffer[:NOTE_WINDOW]:
        return None
    found: tuple[str, str] | None = None
    while True:
        scan.search_semver()
        if found is None and (at := scan.find_header()) >= 0:
            found = scan.strings(at)
            if found is None:
                return None
            scan.search_semver()  # over what reading the strings brought in
        if found is not None and (scan.semver or not _devel(found[1])):
            break
        if not scan.slide():
            if found is None:
                return None
            break
    version, modinfo = found
    if len(modinfo) >= 33 and modinfo[-17] == "\n":
        modinfo = modinfo[16:-16]  # the sentinels around the list
    return BuildInfo(version, modinfo, scan.semver)


def _devel(modinfo: str) -> bool:
    """Whether the main module has no version of its own (no ``mod`` line, or ``(devel)``)."""
    for line in modinfo.split("\n"):
        words = line.split("\t")
        if words[0] == "mod":
            return len(words) < 3 or words[2] == DEVEL
    return True


#: syft's patterns for a version given to the linker (``-X main.version=1.2.3``, ``-X mod/pkg.Tag=v1.2.3``).
_LDFLAG_VERSION = (r"\.[a-zA-Z0-9]*([rR]elease)?([gG]it)?([bB]uild)?[vV]er(sion)?=(\S+/)*"
                   r"(?P<version>v?\d+.\d+.\d+[-\w]*)",
                   r"\.[a-zA-Z0-9]*([tT]ag)=(\S+/)*(?P<version>v?\d+.\d+.\d+[-\w]*)")


def _main_version(main_path: str, settings: dict[str, str], contents_version: str) -> str:
    """What syft calls a ``(devel)`` main module's version: from ``-ldflags``, else the executable's bytes."""
    ldflags = settings.get("-ldflags", "")
    for pattern in _LDFLAG_VERSION if ldflags else ():
        found = re.search(rf"(main|{re.escape(main_path)}/\S*){pattern}", ldflags)
        if found:
            return "v" + found.group("version").removeprefix("v")
    if contents_version:
        return "v" + contents_version.removeprefix("v")
    return DEVEL


def parse(path: str, info: BuildInfo) -> list[Package]:
    """The modules of one executable's build info as syft lists them: dependencies, main module, ``stdlib``.

    Without a ``mod`` line (a GOPATH build) the main module is the one ``(devel)`` dependency, or the
    ``path`` line; a ``(devel)`` main module takes the version the linker was given, or else the first
    version string of the executable's bytes (syft's defaults).
    """
    main_path, main_version = "", ""
    deps: list[list[str]] = []
    settings: dict[str, str] = {}
    package_path = ""
    for line in info.modinfo.split("\n"):
        words = line.split("\t")
        if words[0] == "path" and len(words) >= 2:
            package_path = words[1]
        elif words[0] == "mod" and len(words) >= 3:
            main_path, main_version = words[1], words[2]
        elif words[0] == "dep" and len(words) >= 3:
            deps.append([words[1], words[2]])
        elif words[0] == "=>" and len(words) >= 3 and deps:
            deps[-1] = [words[1], words[2]]
        elif words[0] == "build" and len(words) >= 2:
            key, _, value = words[1].partition("=")
            settings[key] = value.strip('"')
    if not main_path or main_path == "command-line-arguments":
        devel = [d for d in deps if d[1] == DEVEL]
        if len(devel) == 1:
            deps.remove(devel[0])
            main_path, main_version = devel[0]
        else:
            main_path, main_version = package_path, DEVEL
    if main_version == DEVEL:
        main_version = _main_version(main_path, settings, info.contents_version)
    out = [Package("go-module", name, version, path, source=main_path) for name, version in deps if name and version]
    if main_path:
        out.append(Package("go-module", main_path, main_version, path, arch=settings.get("GOARCH", "")))
    go_version = info.go_version.split(" ")[0]
    if go_version.startswith("go"):
        out.append(Package("go-module", "stdlib", go_version, path, license="BSD-3-Clause", source=main_path,
                           arch=settings.get("GOARCH", "")))
    return out
