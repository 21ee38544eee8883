"""A parsed template and the plain Go engine: parse once, execute many times.

:func:`parse` checks a template the way ``template.New("").Funcs(docker).Parse(text)`` does;
:meth:`Template.execute` runs it over data already in the Go value model (see ``values.py``);
:func:`go_value` brings JSON-like Python data into that model with the typing the ``engine``
test vectors were recorded with.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from .exec import ExecError, execute
from .failure import GoTemplateError
from .funcs import FUNC_NAMES, FUNCS, NUMBER_METHODS
from .gotime import DURATION_METHODS, NAMED_INT_METHODS, TIME_METHODS, Duration, GoTime, Month, Weekday
from .nodes import ListNode
from .parser import ParseError, parse_trees
from .state import METHODS
from .values import T_STR_MAP, T_STR_SLICE, GoFunc, GoMap, GoSlice, JsonNumber

METHODS.update({GoTime: TIME_METHODS, Duration: DURATION_METHODS, Month: NAMED_INT_METHODS,
                Weekday: NAMED_INT_METHODS, JsonNumber: NUMBER_METHODS})


class Template:
    """A parsed template: the main tree and every ``{{define}}``/``{{block}}`` tree."""

    __slots__ = ("text", "trees")

    def __init__(self, text: str, trees: dict[str, ListNode]) -> None:
        self.text = text
        self.trees = trees

    def execute(self, data: Any, *, funcs: dict[str, GoFunc] | None = None, missing_error: bool = False) -> str:
        """Run the template over Go-model data; raises :class:`ExecError` with Go's message.

        ``missing_error`` is Go's ``missingkey=error``.
        """
        out: list[str] = []
        self.execute_into(out, data, funcs=funcs, missing_error=missing_error)
        return "".join(out)

    def execute_into(self, out: list[str], data: Any, *, funcs: dict[str, GoFunc] | None = None,
                     missing_error: bool = False) -> None:
        """Like :meth:`execute`, appending to ``out``, which keeps what was written before an error
        (the CLI keeps a table header's partial output; rows share one buffer)."""
        execute(self.text, self.trees, data, FUNCS if funcs is None else funcs, missing_error, out)

    def __repr__(self) -> str:
        return f"Template({self.text!r})"


def parse(text: str) -> Template:
    """Parse a template with Go's builtins and Docker's functions.

    Raises:
        GoTemplateError: with Go's message, e.g. ``template: :1: function "foo" not defined``.
    """
    try:
        return Template(text, parse_trees(text, FUNC_NAMES))
    except ParseError as e:
        raise GoTemplateError(str(e), kind="parse", exit_code=64) from None
    except RecursionError:
        raise GoTemplateError("template: :1: template nesting too deep", kind="parse",
                              exit_code=64) from None


def clean_output(text: str) -> str:
    """Turn bytes of invalid UTF-8 (kept as surrogate escapes) into U+FFFD, as a terminal shows them."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def go_value(data: Any) -> Any:
    """JSON-like Python data as the engine vectors' Go values.

    Integers are ``int64``, floats ``float64``, lists of strings ``[]string``, dicts of strings
    ``map[string]string``, other lists and dicts ``[]interface {}`` and ``map[string]interface {}``.
    Tuples count as lists; datetimes become ``time.Time``; anything else is used as its ``str()``.
    """
    if data is None or isinstance(data, (str, bool, int, float)):
        return data
    if isinstance(data, Mapping):
        items = {str(k): go_value(v) for k, v in data.items()}
        if all(type(v) is str for v in items.values()):
            return GoMap(T_STR_MAP, items)
        return items
    if isinstance(data, (list, tuple)):
        elems = [go_value(v) for v in data]
        if all(type(v) is str for v in elems):
            return GoSlice(T_STR_SLICE, elems)
        return elems
    if isinstance(data, _dt.datetime):
        ts = data if data.tzinfo else data.replace(tzinfo=_dt.UTC)
        offset = int(ts.utcoffset().total_seconds())  # type: ignore[union-attr]
        return GoTime(int(ts.timestamp()), ts.microsecond * 1000, offset,
                      "UTC" if offset == 0 else "")
    return str(data)


def render_engine(text: str, data: Any) -> str:
    """Parse and execute a template over JSON-like data (the ``engine`` command)."""
    tmpl = parse(text)
    try:
        return clean_output(tmpl.execute(go_value(data)))
    except ExecError as e:
        raise GoTemplateError(str(e)) from None
