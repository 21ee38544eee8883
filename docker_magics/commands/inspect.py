"""``%docker inspect`` / ``image inspect``: the CLI's JSON, or its ``--format`` text."""

from __future__ import annotations

import json
from typing import Any

from ..command import Command
from ..errors import ImageNotFoundError, UsageError
from ..session import Session
from ..views.display import JSONResult, Text
from .platforms import check_platform


def inspect(cmd: Command, session: Session) -> Any:
    """The CLI's JSON for each image, or the ``--format`` text (printed without quotes, and returned)."""
    if cmd.type not in (None, "image"):
        raise UsageError(f"--type {cmd.type} is not supported here.", hint="docker_magics inspects images only.")
    if not cmd.images:
        raise UsageError('"inspect" requires at least 1 argument.', hint="See '%docker inspect --help'.")
    engine = session.engine(cmd)

    check_platform(engine, "inspect", cmd.platform)
    objects, missing = [], []
    for reference in cmd.images:
        try:
            objects.append(engine.inspect(reference, platform=cmd.platform))
        except ImageNotFoundError as exc:
            if cmd.platform and "platform" in exc.message:  # API 1.49+: the image is here, not for that platform
                raise ImageNotFoundError(exc.message, hint="Inspect it without --platform, or pull that platform "
                                                           "first.") from None
            missing.append(reference)
    if missing:
        names = ", ".join(missing)
        raise ImageNotFoundError(f"No such image: {names}",
                                 hint="List local images with '%docker images', or pull it first.")
    if cmd.format is None:
        result = JSONResult(objects)
        result.engine = engine.label
        return result
    if cmd.format == "json":
        return Text(json.dumps(objects, separators=(",", ":"), ensure_ascii=False) + "\n")
    from ..gotemplate import format_inspect

    return Text(format_inspect(cmd.format, objects))
