"""Sizes and durations written the way the Docker CLI writes them (go-units)."""

from __future__ import annotations

import html

_DECIMAL = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


def human_size(size: float, precision: int = 3) -> str:
    """go-units ``HumanSizeWithPrecision``: decimal units, ``%.3g`` (1234567 -> ``1.23MB``)."""
    unit = 0
    while size >= 1000 and unit < len(_DECIMAL) - 1:
        size /= 1000.0
        unit += 1
    return f"{size:.{precision}g}{_DECIMAL[unit]}"


def human_duration(seconds: float) -> str:
    """go-units ``HumanDuration``: "Less than a second", "About a minute", "3 hours", "2 weeks"."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = round(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(seconds / 3600)
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
    return f"{hours // 24 // 365} years"


def escape_html(text: str) -> str:
    """HTML-escape text for a notebook display."""
    return html.escape(text, quote=True)
