"""The forms ``%docker tag``, ``push`` and ``login`` open in a notebook when their arguments are missing.

This module wires the presentation (:mod:`docker_magics.views.forms`, which never talks to the engine) to
the engine through the same functions the typed commands use, so a form and a typed command behave alike:
the same engine (``-H``/``--context`` of the magic line), the same ``--config``, the same one-line errors.
Only the dispatcher imports it (:func:`open_form`), when a handler returns a :class:`FormRequest`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ..command import Command
from ..session import Session
from .form_request import FormRequest
from .images import local_images
from .transfer import login_with, push

if TYPE_CHECKING:
    from ..views.forms import LoginForm, PushForm, TagForm


def open_form(request: FormRequest, cmd: Command, session: Session) -> Any:
    """The form a handler asked for, wired to the engine of ``cmd``."""
    openers = {"tag": tag_form, "push": push_form, "login": login_form}
    return openers[request.name](cmd, session, **request.values)


def tag_form(cmd: Command, session: Session) -> TagForm:
    """The tag form, with ``cmd.source`` (when given) already chosen."""
    from ..views.forms import TagForm

    engine = session.engine(cmd)
    return TagForm(lambda: local_images(session, engine).images, engine.tag, source=cmd.source)


def push_form(cmd: Command, session: Session) -> PushForm:
    """The push form: each push runs ``%docker push`` with the form's reference and progress display."""
    from ..views.forms import PushForm

    def push_one(reference: str, bar: Any) -> Any:
        return push(dataclasses.replace(cmd, options={**cmd.options, "name": reference}), session, bar=bar)


    engine = session.engine(cmd)
    return PushForm(lambda: local_images(session, engine).images, push_one, _login(cmd, session))


def login_form(cmd: Command, session: Session, server: str, username: str = "") -> LoginForm:
    """The login form for ``server`` (a stored key: ``https://index.docker.io/v1/`` or a host)."""
    from ..views.forms import LoginForm

    return LoginForm(_login(cmd, session), server=server, username=username)


def _login(cmd: Command, session: Session) -> Any:
    engine = session.engine(cmd)

    def login(server: str, username: str, password: str) -> Any:
        return login_with(engine, server or None, username, password, config=cmd.config)

    return login
