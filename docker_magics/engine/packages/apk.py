"""Alpine packages: apk's database ``lib/apk/db/installed`` (``P:`` name, ``V:`` version, ``L:`` license ...)."""

from __future__ import annotations

from .records import Package

DATABASE = "/lib/apk/db/installed"


def parse(path: str, text: str, *, limit: int) -> list[Package]:
    """The packages of one apk database.

    Raises:
        ValueError: the database holds more than ``limit`` packages.
    """
    out: list[Package] = []
    fields: dict[str, str] = {}
    for line in [*text.split("\n"), ""]:
        if not line.strip():
            if fields.get("P") and fields.get("V"):
                out.append(Package("apk", fields["P"], fields["V"], path, license=fields.get("L", ""),
                                   arch=fields.get("A", ""), source=fields.get("o", "")))
                if len(out) > limit:
                    raise ValueError(f"more than {limit} packages")
            fields = {}
            continue
        key, colon, value = line.partition(":")
        if colon and len(key) == 1 and key not in fields:
            fields[key] = value
    return out
