"""``docker image inspect --format``: a typed pass, then a raw JSON pass with ``missingkey=error``.

As in ``cli/command/inspect/inspector.go`` (v28.2.2): ``""`` prints the raw objects as a JSON array
indented with four spaces, ``json`` prints it compact; any other format is parsed once (a parse
error is exit status 64 with nothing printed), then each object is rendered on its typed Go value
and, if that fails, on its raw JSON; an object whose raw pass fails too is left out and its error
reported (exit status 1). Each rendered object is followed by a newline; when none rendered, a lone
newline is printed.
"""

from __future__ import annotations

from typing import Any

from docker_magics.errors import did_you_mean

from . import gojson
from .exec import ExecError
from .failure import GoTemplateError
from .schema import raw_inspect, typed_inspect
from .template import clean_output, parse


def dump_json(objects: list[dict[str, Any]], indented: bool) -> str:
    """The raw objects as the CLI prints them for ``--format ""`` (indented) or ``--format json``."""
    if not objects:
        return "[]\n"
    text = "[" + ",".join(gojson.encode(o, sort_keys=False) for o in objects) + "]"
    return clean_output(gojson.indent(text) if indented else text) + "\n"


def format_inspect(template: str, objects: list[dict[str, Any]]) -> str:
    """Format inspect objects exactly as ``docker image inspect --format TEMPLATE`` prints them.

    Args:
        template: the --format value (``""``, ``json`` or a Go template).
        objects: ``GET /images/{name}/json`` bodies (``APIClient.inspect_image()``), in order.

    Returns:
        The CLI's stdout.

    Raises:
        GoTemplateError: for a template that does not parse (``exit_code`` 64, nothing printed),
            or when some objects failed (``exit_code`` 1); ``partial_output`` then holds what the
            CLI still prints for the objects that rendered, ``errors`` one message per failure and
            ``failed`` the indexes of the objects that failed.
    """
    if template == "":
        return dump_json(objects, indented=True)
    if template == "json":
        return dump_json(objects, indented=False)
    try:
        tmpl = parse(template)
    except GoTemplateError as e:
        raise GoTemplateError(f"template parsing error: {e.message}", kind="parse", exit_code=64,
                              hint=e.hint) from None
    out: list[str] = []
    errors: list[str] = []
    failed: list[int] = []
    for index, obj in enumerate(objects):
        try:
            out.append(tmpl.execute(typed_inspect(obj)) + "\n")
            continue
        except ExecError:
            pass  # the CLI retries on the raw JSON; only that pass's error is reported
        try:
            out.append(tmpl.execute(raw_inspect(obj), missing_error=True) + "\n")
        except ExecError as e:
            errors.append(f"template parsing error: {e}")
            failed.append(index)
    text = clean_output("".join(out) or "\n")
    if errors:
        raise GoTemplateError("; ".join(errors), partial_output=text, errors=errors, failed=failed,
                              hint=_key_hint(errors[0], objects))
    return text


def _key_hint(message: str, objects: list[dict[str, Any]]) -> str | None:
    marker = "map has no entry for key "
    if marker not in message or not objects or not isinstance(objects[0], dict):
        return None
    key = message.split(marker, 1)[1].strip().strip('"')
    return did_you_mean(key, objects[0].keys())
