"""Java archives: a jar, war or ear's ``META-INF/maven/**/pom.properties`` (groupId, artifactId, version).

A zip is read from its end (the central directory), so an archive is held in memory while it is read: up to
the layer reader's bound (a bigger one is a skipped line), and each ``pom.properties`` read is bounded too.
Nested archives are not opened.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from .records import Package

SUFFIXES = (".jar", ".war", ".ear", ".jpi", ".hpi")
PROPERTIES_LIMIT = 64 << 10


def is_archive(path: str) -> bool:
    """Whether ``path`` names a Java archive."""
    return path.lower().endswith(SUFFIXES)


def _properties(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def parse(path: str, data: bytes) -> list[Package]:
    """The Maven artifacts a Java archive says it holds (none when it is not a readable zip)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return []
    out = []
    with archive:
        for info in archive.infolist()[:100_000]:
            if posixpath.basename(info.filename) != "pom.properties" or not info.filename.startswith("META-INF/maven/"):
                continue
            try:
                with archive.open(info) as member:
                    fields = _properties(member.read(PROPERTIES_LIMIT).decode("utf-8", "replace"))
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
                continue  # an encrypted or damaged entry: nothing to say about it
            group, artifact, version = fields.get("groupId"), fields.get("artifactId"), fields.get("version")
            if artifact and version:
                out.append(Package("java-archive", f"{group}:{artifact}" if group else artifact, version, path))
    return out
