"""How Python values get into a ``%docker`` line.

IPython's own expansion would eat Go templates (``{{.ID}}`` becomes ``{.ID}``), so the magic turns it
off and applies this rule instead, which a shell user will recognise:

* ``$name`` and ``{expression}`` are replaced by the value from the notebook's namespace;
* a list or tuple value becomes several arguments (``%docker rmi {old_ids}``);
* a value is one argument even if it holds spaces or quotes (it is shell-quoted for you);
* nothing inside single quotes ``'...'`` and nothing inside a Go template ``{{ ... }}`` is touched;
* ``$$`` is a literal ``$``.

The cell body of ``%%docker build`` is a Dockerfile and is never expanded (its ``$VAR`` belong to
Docker); pass Python values into it with ``--build-arg NAME={value}``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

from .errors import UsageError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A run copied as it is: characters that start nothing, backslash escapes and whole {{ }} templates.
_PLAIN = re.compile(r"(?:\{\{.*?\}\}|\\.|[^{}'\"\\$])+", re.DOTALL)
_QUOTED = re.compile(r"(?:\{\{.*?\}\}|[^'{])+", re.DOTALL)  # the same inside single quotes: only ' and {{ matter


def _render(value: Any, in_double_quotes: bool) -> str:
    if isinstance(value, list | tuple | set | frozenset) and not in_double_quotes:
        return " ".join(shlex.quote(str(v)) for v in value)
    text = str(value)
    if in_double_quotes:
        return re.sub(r'(["\\$`])', r"\\\1", text)
    return shlex.quote(text)


def _evaluate(expr: str, namespace: Mapping[str, Any]) -> Any:
    try:
        return eval(expr, {}, dict(namespace))  # the user's own expression, in the user's own namespace
    except Exception as exc:
        raise UsageError(f"cannot expand {{{expr}}}: {type(exc).__name__}: {exc}",
                         hint="Put a literal brace in single quotes '...'.") from None


def _lookup(name: str, namespace: Mapping[str, Any]) -> Any:
    if name not in namespace:
        raise UsageError(f"${name} is not defined in the notebook.",
                         hint="Define it first, write $$ for a literal $, or quote with '...'.")
    return namespace[name]


def _closing_brace(line: str, start: int) -> int:
    """Index of the ``}`` that closes the ``{`` at ``start`` (nested braces and quotes allowed), or -1."""
    depth, quote = 0, None
    for index in range(start, len(line)):
        ch = line[index]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1


def expand(line: str, namespace: Mapping[str, Any]) -> str:
    """Replace ``$name`` and ``{expression}`` in ``line`` with values from ``namespace``.

    Args:
        line: The text after ``%docker``.
        namespace: The notebook's user namespace.

    Returns:
        The line with values inserted, shell-quoted so that each stays one argument.

    Raises:
        UsageError: an undefined name or a failing expression.

    Example:
        >>> expand("tag $src {repo}:{tag} --format '{{.ID}}'", {"src": "a", "repo": "r", "tag": "1"})
        "tag a r:1 --format '{{.ID}}'"
    """
    out: list[str] = []
    i, n = 0, len(line)
    quote: str | None = None
    while i < n:
        ch = line[i]
        if line.startswith("{{", i):
            end = line.find("}}", i + 2)
            end = n if end < 0 else end + 2
            out.append(line[i:end])
            i = end
        elif quote == "'" and (plain := _QUOTED.match(line, i)):
            out.append(plain.group())
            i = plain.end()
        elif quote == "'":
            out.append(ch)
            quote = None if ch == "'" else quote
            i += 1
        elif ch == "\\" and i + 1 < n:
            out.append(line[i:i + 2])
            i += 2
        elif ch in "'\"" and quote is None:
            quote = ch
            out.append(ch)
            i += 1
        elif ch == '"' and quote == '"':
            quote = None
            out.append(ch)
            i += 1
        elif ch == "$" and line.startswith("$$", i):
            out.append("\\$" if quote == '"' else "'$'")
            i += 2
        elif ch == "$" and (m := _NAME.match(line, i + 1)):
            out.append(_render(_lookup(m.group(), namespace), quote == '"'))
            i = m.end()
        elif ch == "{":
            end = _closing_brace(line, i)
            if end < 0:
                out.append(line[i:])
                break
            out.append(_render(_evaluate(line[i + 1:end], namespace), quote == '"'))
            i = end + 1
        elif plain := _PLAIN.match(line, i):
            out.append(plain.group())
            i = plain.end()
        else:
            out.append(ch)
            i += 1
    return "".join(out)
