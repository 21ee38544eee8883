"""``%docker history`` / ``image history``: the steps that made an image."""

from __future__ import annotations

from typing import Any

from ..command import Command
from ..errors import UsageError
from ..session import Session
from ..views.display import Text
from .platforms import check_platform


def history(cmd: Command, session: Session) -> Any:
    """The layers of an image: a DataFrame, a list of IDs with ``-q``, or text with ``--format``."""
    from ..views import frames

    if not cmd.image:
        raise UsageError('"history" requires exactly 1 argument.', hint="See '%docker history --help'.")
    engine = session.engine(cmd)

    check_platform(engine, "history", cmd.platform)
    layers = engine.history(cmd.image, platform=cmd.platform)
    if cmd.format:
        from ..gotemplate import contexts, format_list

        rows = contexts.history_rows(layers, no_trunc=cmd.no_trunc, human=cmd.human)
        return Text(format_list(cmd.format, rows, command="history", quiet=cmd.quiet, human=cmd.human))
    if cmd.quiet:
        return frames.history_ids(layers, no_trunc=cmd.no_trunc)
    return frames.history_frame(layers, no_trunc=cmd.no_trunc, human=cmd.human, engine=engine.label)
