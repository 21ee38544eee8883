"""The engine's filter rules, applied where we answer for the engine: labels and ``until`` times.

``label=KEY[=VALUE]`` and ``label!=...`` as the engine matches them (moby ``api/types/filters``), and ``until=`` as
the engine parses it: a Go duration (``24h``, ``1h30m``), unix seconds or a date. Image prune's preview, the
images containers keep, the image index's listings and the build cache's prune preview all use these, so they
agree with each other and with the engine.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

from ..errors import UsageError


def match_label(spec: str, labels: dict[str, str]) -> bool:
    """One ``KEY`` or ``KEY=VALUE`` against an object's labels (the key present, and the value equal if given)."""
    key, eq, value = spec.partition("=")
    return key in labels and (not eq or labels[key] == value)


def match_labels(filters: dict[str, list[str]], labels: dict[str, str]) -> bool:
    """The engine's ``label=`` (all must match) and ``label!=`` (none may match) filters."""
    return all(match_label(s, labels) for s in filters.get("label", [])) and \
        not any(match_label(s, labels) for s in filters.get("label!", []))


_DURATION = re.compile(r"(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+")
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def parse_until(value: str, now: float | None = None) -> float:
    """An ``until=`` value as unix seconds: a Go duration (``24h``, ``1h30m``), unix seconds or a date.

    Raises:
        UsageError: the value is none of these (the engine's own words).
    """
    now = time.time() if now is None else now
    text = value.strip()
    if _DURATION.fullmatch(text):
        return now - sum(float(n) * _UNIT[u] for n, u in _PART.findall(text))
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f'failed to parse value as time or duration: "{value}"',
                         hint="Write until=24h, until=2024-01-31, until=2024-01-31T10:00:00Z or unix seconds.") \
            from None
    if moment.tzinfo is None:  # the engine reads a date without zone as local time
        moment = moment.astimezone()
    return moment.timestamp()
