"""npm packages: every ``package.json`` with a name and a version (what syft's image cataloger reads)."""

from __future__ import annotations

import json
import posixpath

from .records import Package


def is_manifest(path: str) -> bool:
    """Whether ``path`` is a ``package.json``."""
    return posixpath.basename(path) == "package.json"


def _license(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("type") or "")
    if isinstance(value, list):
        return " OR ".join(x for x in (_license(v) for v in value) if x)
    return ""


def parse(path: str, text: str) -> list[Package]:
    """The package one ``package.json`` describes (none without a name and a version, or when not JSON)."""
    try:
        document = json.loads(text)
    except ValueError:
        return []
    if not isinstance(document, dict):
        return []
    name, version = document.get("name"), document.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return []
    return [Package("npm", name, version, path, license=_license(document.get("license") or document.get("licenses")))]
