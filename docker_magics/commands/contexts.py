"""``%docker context ls`` and ``%docker context use NAME``: the Docker CLI's own contexts."""

from __future__ import annotations

from typing import Any

from ..command import Command
from ..engine.config import config_dir
from ..engine.endpoints import list_contexts, use_context
from ..errors import UsageError
from ..session import Session
from ..views.display import Text


def ls(cmd: Command, session: Session) -> Any:
    """The contexts as a DataFrame: name, description, docker_endpoint, current."""
    from ..views.frames import frame

    rows = [(r["name"], r["description"], r["docker_endpoint"], r["current"])
            for r in list_contexts(config_dir(cmd.config))]
    return frame(rows, ["name", "description", "docker_endpoint", "current"], dtypes={"current": "bool"})


def use(cmd: Command, session: Session) -> Any:
    """Make a context current for the notebook and for the Docker CLI (config.json's currentContext)."""
    if not cmd.name:
        raise UsageError('"context use" requires exactly 1 argument.', hint="See '%docker context ls'.")
    use_context(cmd.name, config_dir(cmd.config))
    session.forget()

    return Text(f"Current context is now \"{cmd.name}\"")
