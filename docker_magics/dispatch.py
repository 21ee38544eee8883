"""From a parsed command to its result: the engines it addresses, its handler, and the forms it asks for."""

from __future__ import annotations

import dataclasses
from typing import Any

from .command import Command
from .commands.form_request import FormRequest
from .errors import UsageError
from .grammar import verb_named
from .session import Session, each
from .views.display import message


def run(cmd: Command, session: Session) -> Any:
    """Run a parsed command and return its result.

    With several engines (``-H A -H B`` or ``--context a,b``) a read-only verb runs on each and its results
    are stacked under an ``engine`` column; a verb that changes state refuses in one line.

    Raises:
        DockerMagicError: what the handler raised, or the refusal of several engines.
    """
    verb = verb_named(cmd.verb)
    assert verb.handler is not None
    if verb.engines in ("each", "one"):
        endpoints = session.endpoints(cmd)
        if len(endpoints) > 1:
            if verb.engines == "one":
                names = ", ".join(e.name for e in endpoints)
                raise UsageError(f"'%docker {verb.forms[0]}' changes an engine and runs on one at a time; this "
                                 f"command names {len(endpoints)}: {names}",
                                 hint="To fix it, give one -H (or one --context).")
            return _on_each(verb.handler, cmd, session, endpoints)
    result = verb.handler(cmd, session)
    if isinstance(result, FormRequest):
        from .commands import forms

        return forms.open_form(result, cmd, session)
    return result


def _on_each(handler: Any, cmd: Command, session: Session, endpoints: list[Any]) -> Any:
    """Run a read-only handler on every engine at once; one frame with an ``engine`` column.

    An engine that cannot answer is a row whose ``error`` says why (and a warning), not a failed command.
    """
    from .views.frames import stacked_results

    def one(endpoint: Any) -> Any:
        return handler(dataclasses.replace(cmd, endpoint=endpoint), session)

    outcomes = each(endpoints, one)
    for endpoint, _, error in outcomes:
        if error:
            message(f"{endpoint.name}: {error}", warning=True)
    return stacked_results([(endpoint.name, result, error) for endpoint, result, error in outcomes])

