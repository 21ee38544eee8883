"""Python packages: ``*.dist-info/METADATA``, ``*.egg-info`` (a file or a folder's ``PKG-INFO``).

The license is ``License-Expression`` (PEP 639, already SPDX) where given, else ``License`` when it is one
short line, else the classifiers' ``License ::`` names.
"""

from __future__ import annotations

import email.parser
import posixpath

from .records import Package


def is_metadata(path: str) -> bool:
    """Whether ``path`` is the metadata file of an installed Python distribution."""
    parent = posixpath.basename(posixpath.dirname(path)).lower()
    base = posixpath.basename(path)
    if base == "METADATA":
        return parent.endswith(".dist-info")
    if base == "PKG-INFO":
        return parent.endswith(".egg-info")
    return base.lower().endswith(".egg-info")  # the file form (a folder's entry is a dir, never read)


def _license(message: email.message.Message) -> str:
    expression = (message.get("License-Expression") or "").strip()
    if expression:
        return expression
    text = (message.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 64:
        return text
    names = [c.split("::")[-1].strip() for c in message.get_all("Classifier") or () if c.startswith("License ::")]
    return " AND ".join(dict.fromkeys(n for n in names if n))


def parse(path: str, text: str) -> list[Package]:
    """The distribution one metadata file describes (none when it has no name or version)."""
    head, _, _ = text.partition("\n\n")  # the description body below the headers is not needed
    message = email.parser.HeaderParser().parsestr(head + "\n")
    name, version = (message.get("Name") or "").strip(), (message.get("Version") or "").strip()
    if not name or not version:
        return []
    return [Package("python", name, version, path, license=_license(message))]
