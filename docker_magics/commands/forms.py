"""The forms ``%docker tag``, ``push`` and ``login`` open in a notebook when their arguments are missing.

This module wires the presentation (``docker_magics.widgets``, which never talks to the engine) to the
engine through the same functions the argument forms of the commands use, so a form and a typed command
behave alike: the same engine (``-H``/``--context`` of the magic line), the same ``--config``, the same
one-line errors.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ..grammar import Command
from ..session import Session

if TYPE_CHECKING:
    from ..views.forms import LoginForm, PushForm, TagForm


def tag_form(cmd: Command, session: Session) -> TagForm:
    """The tag form, with ``cmd.source`` (when given) already chosen."""
    from ..engine.lifecycle import tag_image
    from ..views.forms import TagForm

    engine = session.engine(cmd)
    return TagForm(engine.images, lambda source, target: tag_image(engine, source, target), source=cmd.source)


def push_form(cmd: Command, session: Session) -> PushForm:
    """The push form: each push runs ``%docker push`` with the form's reference and progress display."""
    from ..views.forms import PushForm
    from .registry import push

    def push_one(reference: str, bar: Any) -> Any:
        return push(dataclasses.replace(cmd, options={**cmd.options, "name": reference}), session, bar=bar)

    return PushForm(session.engine(cmd).images, push_one, _login(cmd, session))


def login_form(cmd: Command, session: Session, server: str, username: str = "") -> LoginForm:
    """The login form for ``server`` (a stored key: ``https://index.docker.io/v1/`` or a host)."""
    from ..views.forms import LoginForm

    return LoginForm(_login(cmd, session), server=server, username=username)


def _login(cmd: Command, session: Session) -> Any:
    from .registry import login_with

    engine = session.engine(cmd)

    def login(server: str, username: str, password: str) -> Any:
        return login_with(engine, server or None, username, password, config=cmd.config)

    return login
