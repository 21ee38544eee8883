"""What a handler returns when a person should fill in a form instead (its arguments are missing)."""

from __future__ import annotations

from typing import Any, NamedTuple


class FormRequest(NamedTuple):
    """Open the form ``name`` (``tag``, ``push`` or ``login``) with these initial values."""

    name: str
    values: dict[str, Any] = {}  # noqa: RUF012 (a NamedTuple's default is never mutated here)
