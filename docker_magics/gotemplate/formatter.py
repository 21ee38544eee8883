"""List formatting as docker/cli does it for ``image ls``, ``history`` and ``search`` (``--format``).

The pipeline of ``cli/command/formatter/formatter.go``: pick the command's default format for
``""``/``table`` (and ``raw`` for image ls), detect ``table`` with a prefix test on the raw string,
strip it and trim spaces, turn the two characters ``\\t``/``\\n`` into tab/newline, run the template
once per row (each row followed by a newline), and for tables run it once more over the header
map with header functions swapped in, then align everything with the tab writer.
"""

from __future__ import annotations

import contextlib

from docker_magics.errors import did_you_mean

from .containers import CONTAINER_CONTEXT, PS_TABLE
from .contexts import HISTORY_CONTEXT, IMAGE_CONTEXT, SEARCH_CONTEXT
from .exec import ExecError, execute_rows
from .failure import GoTemplateError
from .funcs import FUNCS, HEADER_PASS_FUNCS
from .tabwriter import tabwrite
from .template import clean_output, parse
from .values import T_STRING, ContextRow, ContextType, GoMap, map_type

_HEADER_TYPE = map_type(T_STRING, "formatter.SubHeaderContext")

COMMANDS: dict[str, ContextType] = {"image ls": IMAGE_CONTEXT, "history": HISTORY_CONTEXT,
                                    "search": SEARCH_CONTEXT, "ps": CONTAINER_CONTEXT}

_IMAGE_TABLE = ("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t"
                "{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
_IMAGE_TABLE_DIGEST = ("table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t"
                       "{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
_IMAGE_RAW = "repository: {{ .Repository }}\ntag: {{.Tag}}\n{digest}image_id: {{.ID}}\n" \
             "created_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n"
_HISTORY_TABLE = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
_HISTORY_TABLE_RAW = "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
_SEARCH_TABLE = "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}"
QUIET_FORMAT = "{{.ID}}"
JSON_FORMAT = "{{json .}}"


def command_format(command: str, template: str, *, quiet: bool = False, digests: bool = False,
                   human: bool = True) -> str:
    """The format the CLI actually uses for a --format value (NewImageFormat and friends)."""
    if command == "search":
        return _SEARCH_TABLE if template in ("", "table") else template
    if command == "ps":
        if template in ("", "table"):
            return QUIET_FORMAT if quiet else PS_TABLE + ("\t{{.Size}}" if digests else "")  # digests: ps -s
        return template
    if template == "":
        template = "table"
    if command == "history":
        if template == "table":
            return QUIET_FORMAT if quiet else (_HISTORY_TABLE if human else _HISTORY_TABLE_RAW)
        return template
    if template == "table":
        return QUIET_FORMAT if quiet else (_IMAGE_TABLE_DIGEST if digests else _IMAGE_TABLE)
    if template == "raw":
        if quiet:
            return "image_id: {{.ID}}"
        return _IMAGE_RAW.replace("{digest}", "digest: {{.Digest}}\n" if digests else "")
    if template.startswith("table") and digests and "{{.Digest}}" not in template:
        template += "\t{{.Digest}}"
    return template


def pre_format(fmt: str) -> tuple[str, bool]:
    """(template text, is table): Context.preFormat."""
    is_table = fmt.startswith("table")
    if is_table:
        fmt = fmt[len("table"):]
    elif fmt == "json":
        fmt = JSON_FORMAT
    fmt = fmt.strip(" ")
    return fmt.replace("\\t", "\t").replace("\\n", "\n"), is_table


def format_list(template: str, rows: list[dict[str, str]], *, command: str, digests: bool = False,
                quiet: bool = False, human: bool = True) -> str:
    """Format list rows exactly as ``docker image ls|history|search --format TEMPLATE`` prints them.

    Args:
        template: the --format value (``""`` for none, ``table``, ``json``, ``raw``, a template).
        rows: context rows (see ``contexts.py``), one dict of strings per line.
        command: ``"image ls"``, ``"history"`` or ``"search"``.
        digests: image ls ``--digests`` (adds a DIGEST column to table formats).
        quiet: ``-q`` (``{{.ID}}`` unless a custom format is given).
        human: history ``--human`` (false: the default table shows CREATED AT).

    Returns:
        The CLI's stdout.

    Raises:
        GoTemplateError: ``template parsing error: ...`` for a template that does not parse or
            fails on a row; nothing is printed then, as with the CLI.
    """
    ctype = COMMANDS.get(command)
    if ctype is None:
        raise GoTemplateError(f"unknown list command {command!r}; expected one of {sorted(COMMANDS)}")
    fmt = command_format(command, template, quiet=quiet, digests=digests, human=human)
    text, is_table = pre_format(fmt)
    try:
        tmpl = parse(text)
    except GoTemplateError as e:
        raise GoTemplateError(f"template parsing error: {e.message}", kind="parse", hint=e.hint) from None
    out: list[str] = []
    if text == JSON_FORMAT and not is_table:
        # --format json: the same as running {{json .}} per row, without the evaluator's overhead.
        return clean_output("".join(ContextRow(ctype, row).marshal_json() + "\n" for row in rows))
    try:
        execute_rows(tmpl.text, tmpl.trees, (ContextRow(ctype, row) for row in rows), FUNCS, out)
    except ExecError as e:
        raise GoTemplateError(f"template parsing error: {e}", hint=_field_hint(str(e), ctype)) from None
    if not is_table:
        return clean_output("".join(out))
    header: list[str] = []
    # The CLI ignores errors of the header pass and keeps what was written before them.
    with contextlib.suppress(ExecError):
        tmpl.execute_into(header, GoMap(_HEADER_TYPE, ctype.header), funcs=HEADER_PASS_FUNCS)
    return clean_output(tabwrite("".join(header) + "\n" + "".join(out)))


def _field_hint(message: str, ctype: ContextType) -> str | None:
    marker = "can't evaluate field "
    if marker not in message:
        return None
    name = message.split(marker, 1)[1].split(" ", 1)[0]
    return did_you_mean(name, ctype.header)
