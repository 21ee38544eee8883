"""What a handler returns when a person should fill in a form instead (its arguments are missing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FormRequest:
    """Open the form ``name`` (``tag``, ``push`` or ``login``) with these initial values."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)
