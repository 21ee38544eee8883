"""Go templates for ``--format``: a Go text/template engine and the Docker CLI's formatters.

Targets **docker CLI 28.2.2** (built with Go 1.24): output is byte for byte what that CLI prints,
as pinned by ``tests/data/format-vectors.json``. Pure Python, standard library only.

Entry points:

``render(template, data, *, command="engine", flags=None) -> str``
    One call for every command: ``"engine"`` (plain Go template over JSON-like data),
    ``"image inspect"`` (one inspect object; the result ends with the CLI's newline),
    ``"image ls"``/``"history"`` (context rows, see below) and ``"search"`` (API search results).
    ``flags``: ``digests``, ``quiet`` (image ls), ``quiet``, ``human`` (history), ``no_trunc``,
    ``limit`` (search).
``parse(template) -> Template``
    Check a template without running it (``Template.execute`` runs it on Go-model data).
``format_inspect(template, objects) -> str``
    ``docker image inspect --format`` over several objects: the typed pass on
    ``image.InspectResponse``, then the raw-JSON pass with ``missingkey=error``; ``""`` and
    ``json`` dump the objects. Failures raise with ``partial_output`` (what the CLI still prints).
``format_list(template, rows, *, command, digests=False, quiet=False, human=True) -> str``
    ``image ls``/``history``/``search`` formatting: ``table`` directive, header pass, ``\\t``/``\\n``,
    ``json``, ``raw``, default tables, tab writer (minwidth 10, padding 3, wide characters).
``image_ls_rows``, ``history_rows``, ``search_rows``
    The CLI's context rows (dicts of strings) from docker-py ``APIClient`` payloads, with the
    helpers ``truncate_id``, ``human_size``, ``human_duration``, ``ellipsis``,
    ``familiar_reference`` and ``needs_digest``.

Modules: ``lexer``, ``parser``, ``nodes`` and ``literals`` (Go's template syntax); ``exec``,
``evaluate`` and ``state`` (execution); ``values`` and ``gotime`` (Go values and types);
``gofmt``, ``printf`` and ``gojson`` (Go's fmt and encoding/json output); ``funcs`` (builtins and
Docker's functions); ``schema`` (typed inspect values); ``contexts`` (list rows from API data);
``formatter``, ``tabwriter`` and ``inspect`` (the CLI's formatters); ``template`` (parse/execute).

Every failure is a :class:`GoTemplateError` (a :class:`docker_magics.errors.TemplateError`) whose
message is the one-line Go/CLI message, e.g. ``template: :1:7: executing "" at <.Foo>: map has no
entry for key "Foo"`` (list commands and inspect prefix ``template parsing error: ``).

Not reproduced: pointer addresses (``{{.}}`` or ``{{.ContainerConfig}}`` print a fixed
``0xc000010000`` where Go prints a real address), ``{{.}}`` of a list context (the CLI prints the
context struct's private fields), functions as values (``call``), the ``image ls`` row order for
an image with several repositories (Go map order, random in the CLI), go-runewidth's East Asian
ambiguous widths under a CJK locale, and Go's ``%x`` of floats with a precision.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from .contexts import (
    ellipsis,
    familiar_reference,
    history_rows,
    human_duration,
    human_size,
    image_ls_rows,
    needs_digest,
    search_rows,
    truncate_id,
)
from .failure import GoTemplateError
from .formatter import format_list as _format_list
from .inspect import format_inspect as _format_inspect
from .template import Template, render_engine
from .template import parse as _parse

TARGET_CLI_VERSION = "28.2.2"

__all__ = [
    "TARGET_CLI_VERSION",
    "GoTemplateError",
    "Template",
    "ellipsis",
    "familiar_reference",
    "format_inspect",
    "format_list",
    "history_rows",
    "human_duration",
    "human_size",
    "image_ls_rows",
    "needs_digest",
    "parse",
    "render",
    "search_rows",
    "truncate_id",
]


F = TypeVar("F", bound=Callable[..., Any])


def _total(fn: F) -> F:
    """The public wrapper of fn: same signature and docs, but only GoTemplateError escapes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return guarded(functools.partial(fn, *args, **kwargs))

    return wrapper  # type: ignore[return-value]


parse = _total(_parse)
format_inspect = _total(_format_inspect)
format_list = _total(_format_list)


def _render_search(template: str, data: Any, flags: dict[str, Any]) -> str:
    results = list(data or [])
    limit = int(flags.get("limit") or 0)
    if limit > 0:
        results = results[:limit]
    rows = search_rows(results, no_trunc=bool(flags.get("no_trunc")))
    return format_list(template, rows, command="search")


_COMMANDS: dict[str, Callable[[str, Any, dict[str, Any]], str]] = {
    "engine": lambda t, d, f: render_engine(t, d),
    "image inspect": lambda t, d, f: format_inspect(t, [d]),
    "image ls": lambda t, d, f: format_list(t, list(d or []), command="image ls",
                                            digests=bool(f.get("digests")), quiet=bool(f.get("quiet"))),
    "history": lambda t, d, f: format_list(t, list(d or []), command="history", quiet=bool(f.get("quiet")),
                                           human=bool(f.get("human", True))),
    "search": _render_search,
}


def render(template: str, data: Any, *, command: str = "engine", flags: dict[str, Any] | None = None) -> str:
    """Render a --format template exactly as docker CLI 28.2.2 would.

    Args:
        template: the Go template (or a special format: ``""``, ``table``, ``json``, ``raw``).
        data: JSON-like data (engine), one inspect object (image inspect), context rows
            (image ls, history) or search API results (search).
        command: ``"engine"``, ``"image inspect"``, ``"image ls"``, ``"history"`` or ``"search"``.
        flags: command flags (``digests``, ``quiet``, ``human``, ``no_trunc``, ``limit``).

    Returns:
        What the CLI writes to stdout (for inspect, including the newline after the object).

    Raises:
        GoTemplateError: for any template that does not parse or fails to execute; never any
            other exception.
    """
    handler = _COMMANDS.get(command)
    if handler is None:
        raise GoTemplateError(f"unknown command {command!r}; expected one of {', '.join(_COMMANDS)}")
    return guarded(handler, template, data, flags or {})


def guarded(fn: Callable[..., str], *args: Any) -> str:
    """Call fn, turning anything but a GoTemplateError into one (a bug must not crash a notebook)."""
    try:
        return fn(*args)
    except GoTemplateError:
        raise
    except RecursionError:
        raise GoTemplateError("template: nesting too deep") from None
    except Exception as e:
        raise GoTemplateError(f"template: internal error: {type(e).__name__}: {e}") from e
