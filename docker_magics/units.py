"""Sizes, durations, IDs and cut text written the way the Docker CLI writes them (go-units, stringid, Ellipsis)."""

from __future__ import annotations

import html
import unicodedata

#: strconv.ParseBool's words, as pflag reads ``--flag=VALUE`` and the CLI reads ``DOCKER_BUILDKIT`` (case-sensitive).
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def go_bool(text: str) -> bool | None:
    """A Go boolean (strconv.ParseBool): True or False, None for a word Go refuses."""
    return True if text in GO_TRUE else False if text in GO_FALSE else None


def truncate_id(image_id: str, no_trunc: bool = False) -> str:
    """stringid.TruncateID: drop the ``sha256:`` prefix and keep 12 characters (unless no_trunc)."""
    if no_trunc:
        return image_id
    return image_id.split(":", 1)[-1][:12]


def human_size(size: float, precision: int = 3) -> str:
    """go-units HumanSizeWithPrecision: decimal units, ``%.{precision}g``: 1234567 -> ``1.23MB``.

    ``precision=4`` is go-units HumanSize (``1.235MB``), which the CLI uses for shared sizes.
    """
    units = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
    size = float(size)
    i = 0
    while size >= 1000.0 and i < len(units) - 1:
        size /= 1000.0
        i += 1
    return f"{size:.{precision}g}{units[i]}"


def human_duration(seconds: float) -> str:
    """go-units HumanDuration: ``Less than a second``, ``About a minute``, ``3 weeks``, ``2 years``."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = int(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def escape_html(text: str) -> str:
    """HTML-escape text for a notebook display."""
    return html.escape(text, quote=True)


def _ellipsis_width(c: str) -> int:
    # golang.org/x/text/width: only East Asian Wide and Fullwidth take two cells here.
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def ellipsis(s: str, width: int) -> str:
    """The CLI's formatter.Ellipsis: cut s to ``width`` display cells, ending in ``…`` when cut."""
    if width <= 0:
        return ""
    if width == 1:
        return s[:1]
    if s.isascii():
        return s if len(s) <= width else s[:width - 1] + "…"
    total = 0
    cut = None
    for i, c in enumerate(s):
        total += _ellipsis_width(c)
        if cut is None and total > width - 1:
            cut = i
    if total <= width:
        return s
    return s[:cut] + "…" if cut else "…"
