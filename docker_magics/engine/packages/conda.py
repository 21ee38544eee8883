"""conda packages: ``conda-meta/*.json`` (one record per installed package)."""

from __future__ import annotations

import json
import posixpath

from .records import Package


def is_record(path: str) -> bool:
    """Whether ``path`` is a conda-meta package record (``conda-meta/NAME-VERSION-BUILD.json``)."""
    return posixpath.basename(posixpath.dirname(path)) == "conda-meta" and path.endswith(".json") \
        and not path.endswith("/history.json")


def parse(path: str, text: str) -> list[Package]:
    """The package one conda-meta record describes."""
    try:
        document = json.loads(text)
    except ValueError:
        return []
    if not isinstance(document, dict) or not document.get("name") or not document.get("version"):
        return []
    return [Package("conda", str(document["name"]), str(document["version"]), path,
                    license=str(document.get("license") or ""), arch=str(document.get("subdir") or ""),
                    source=str(document.get("channel") or ""))]
