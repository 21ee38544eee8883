"""``%docker images`` / ``image ls`` / ``image list``."""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..grammar import Command
from ..session import Session


def parse_filters(values: list[str], *, flag: str = "--filter") -> dict[str, list[str]]:
    """``-f key=value`` (repeatable) as the engine's filters map; the engine checks the keys."""
    filters: dict[str, list[str]] = {}
    for value in values:
        key, eq, arg = value.partition("=")
        if not eq or not key:
            raise UsageError(f"bad format of filter '{value}' (expected name=value)",
                             hint=f"Write {flag} dangling=true, {flag} label=KEY=VALUE, {flag} reference=REPO.")
        filters.setdefault(key.strip().lower(), []).append(arg)
    return filters


def run(cmd: Command, session: Session) -> Any:
    """List images: a DataFrame, a list of IDs with ``-q``, or text with ``--format``."""
    from .. import frames

    filters = parse_filters(cmd.filter)
    if cmd.reference:
        filters.setdefault("reference", []).append(cmd.reference)
    engine = session.engine(cmd)
    images = engine.images(all=cmd.all, filters=filters)
    if cmd.format:
        from ..display import Text
        from ..gotemplate import contexts, format_list

        rows = contexts.image_ls_rows(images, no_trunc=cmd.no_trunc, digests=cmd.digests)
        return Text(format_list(cmd.format, rows, command="image ls", digests=cmd.digests, quiet=cmd.quiet))
    if cmd.quiet:
        return frames.image_ids(images, no_trunc=cmd.no_trunc)
    return frames.images_frame(images, digests=cmd.digests, no_trunc=cmd.no_trunc,
                               engine=engine.endpoint.name)
