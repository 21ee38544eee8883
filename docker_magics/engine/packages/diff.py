"""Two images' packages compared by (type, name): added, removed, or changed version."""

from __future__ import annotations

from dataclasses import dataclass

from .records import Package


@dataclass(frozen=True)
class PackageChange:
    """One package that differs between image A and image B (a version is "" where it is absent)."""

    type: str
    name: str
    version_a: str
    version_b: str
    change: str  # added, removed, changed


def _versions(packages: list[Package]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], set[str]] = {}
    for package in packages:
        out.setdefault((package.type, package.name), set()).add(package.version)
    # A name installed at several versions (two copies of a Python package) compares as the set of them.
    return {key: ", ".join(sorted(versions)) for key, versions in out.items()}


def compare(a: list[Package], b: list[Package]) -> list[PackageChange]:
    """The packages added, removed or changed from ``a`` to ``b``, sorted by type and name; unchanged left out."""
    left, right = _versions(a), _versions(b)
    out = []
    for key in sorted(left.keys() | right.keys(), key=lambda k: (k[0], k[1].lower(), k[1])):
        x, y = left.get(key, ""), right.get(key, "")
        if x == y:
            continue
        change = "added" if not x else "removed" if not y else "changed"
        out.append(PackageChange(key[0], key[1], x, y, change))
    return out
