"""``%docker inspect`` / ``image inspect`` and ``%docker history`` / ``image history``."""

from __future__ import annotations

import json
from typing import Any

from ..errors import ImageNotFoundError, UsageError
from ..grammar import Command
from ..session import Session
from ..views.display import JSONResult, Text


def inspect(cmd: Command, session: Session) -> Any:
    """The CLI's JSON for each image, or the ``--format`` text (printed without quotes, and returned)."""
    if cmd.type not in (None, "image"):
        raise UsageError(f"--type {cmd.type} is not supported here.", hint="docker_magics inspects images only.")
    if not cmd.images:
        raise UsageError('"inspect" requires at least 1 argument.', hint="See '%docker inspect --help'.")
    engine = session.engine(cmd)
    objects, missing = [], []
    for reference in cmd.images:
        try:
            objects.append(engine.inspect(reference))
        except ImageNotFoundError:
            missing.append(reference)
    if missing:
        names = ", ".join(missing)
        raise ImageNotFoundError(f"No such image: {names}",
                                 hint="List local images with '%docker images', or pull it first.")
    if cmd.format is None:
        result = JSONResult(objects)
        result.engine = engine.endpoint.name
        return result
    if cmd.format == "json":
        return Text(json.dumps(objects, separators=(",", ":"), ensure_ascii=False) + "\n")
    from ..gotemplate import format_inspect

    return Text(format_inspect(cmd.format, objects))


def history(cmd: Command, session: Session) -> Any:
    """The layers of an image: a DataFrame, a list of IDs with ``-q``, or text with ``--format``."""
    from ..views import frames

    if not cmd.image:
        raise UsageError('"history" requires exactly 1 argument.', hint="See '%docker history --help'.")
    engine = session.engine(cmd)
    layers = engine.history(cmd.image)
    if cmd.format:
        from ..gotemplate import contexts, format_list

        rows = contexts.history_rows(layers, no_trunc=cmd.no_trunc, human=cmd.human)
        return Text(format_list(cmd.format, rows, command="history", quiet=cmd.quiet, human=cmd.human))
    if cmd.quiet:
        return frames.history_ids(layers, no_trunc=cmd.no_trunc)
    return frames.history_frame(layers, no_trunc=cmd.no_trunc, human=cmd.human, engine=engine.endpoint.name)
