"""``-f``/``--filter KEY=VALUE`` (repeatable), the one way every verb reads filters."""

from __future__ import annotations

from ..errors import UsageError


def parse_filters(values: list[str], *, hint: str) -> dict[str, list[str]]:
    """The engine's filters map from ``KEY=VALUE`` texts; keys lowercased, the engine checks names and values.

    Args:
        values: what the flag was given, in order.
        hint: what to write instead, for the one-line error.

    Raises:
        UsageError: a value without ``=`` or without a key.
    """
    filters: dict[str, list[str]] = {}
    for value in values:
        key, eq, arg = value.partition("=")
        if not eq or not key.strip():
            raise UsageError(f"bad format of filter '{value}' (expected name=value)", hint=hint)
        filters.setdefault(key.strip().lower(), []).append(arg)
    return filters
