"""A parsed ``%docker`` command: what the grammar produces and every handler takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Command:
    """A parsed ``%docker`` line: the verb, its options and the global options."""

    verb: str
    options: dict[str, Any]
    hosts: tuple[str, ...] = ()
    context: str | None = None
    config: str | None = None
    tls: dict[str, Any] = field(default_factory=dict)
    cell: str | None = None
    help: str | None = None  # set when the user asked for --help: the text to show
    endpoint: Any = None  # set by the dispatcher when the command runs on each of several engines in turn

    def __getattr__(self, name: str) -> Any:
        # cmd.format, cmd.quiet ...: option values read like attributes.
        try:
            return self.options[name]
        except KeyError:
            raise AttributeError(name) from None
