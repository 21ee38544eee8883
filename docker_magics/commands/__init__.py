"""One module per group of verbs; :func:`run` finds the handler the grammar names and calls it.

A handler takes ``(cmd, session)`` and returns the result the magic hands back to the notebook.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import NotImplementedVerb
from ..grammar import Command, verb_named
from ..session import Session


def run(cmd: Command, session: Session) -> Any:
    """Run a parsed command and return its result."""
    verb = verb_named(cmd.verb)
    module_name, _, function = (verb.handler or "").partition(":")
    qualified = f"{__name__}.{module_name}"
    try:
        handler = getattr(importlib.import_module(qualified), function, None)
    except ModuleNotFoundError as exc:
        if exc.name != qualified:
            raise
        handler = None
    if handler is None:
        raise NotImplementedVerb(f"'%docker {verb.forms[0]}' is not implemented yet.",
                                 hint="It is planned; use the Docker CLI in a terminal meanwhile.")
    return handler(cmd, session)
