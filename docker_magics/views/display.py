"""What the notebook shows besides frames: text results, messages, JSON trees."""

from __future__ import annotations

import json
import sys
from typing import Any

from ..engine.identity import describe


class Text(str):
    """Text a command printed (``--format`` output): shown as is, without quotes, and still a ``str``."""

    __slots__ = ()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.rstrip("\n") if self.endswith("\n") else self)

    def __repr__(self) -> str:
        return str(self)


def engine_line(engine: str | None) -> str:
    """The line a single-operation result ends with, naming the engine it ran on (as listings do).

    ``engine``: the engine's name; an :class:`~docker_magics.engine.identity.EngineLabel` adds its version, API
    version and image store (``[engine: unix:///…: Engine 26.1.5, API 1.45, containerd store]``).
    """

    return f"\n[engine: {describe(engine)}]" if engine else ""


class JSONResult(list):
    """``inspect``'s result: the CLI's JSON (a list of objects), shown as a collapsible tree."""

    engine: str | None = None

    def _repr_json_(self) -> tuple[list, dict]:
        root = f"inspect on {describe(self.engine)}" if self.engine else "inspect"
        return list(self), {"expanded": False, "root": root}

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(json.dumps(list(self), indent=4, ensure_ascii=False))


def message(text: str, *, warning: bool = False) -> None:
    """Show a side note: the one channel every command's notes leave by.

    A status line goes to stdout, so it lands in the cell's output and in nbclient's; a ``warning`` (what a result
    left out, an engine that did not answer, an insecure flag) goes to stderr, where the CLI writes its own.
    """

    print(text, file=sys.stderr if warning else sys.stdout)
