"""``%docker pull``, ``push``, ``login`` and ``logout``.

Results are small dataclasses rather than frames: a pull or a push has one outcome (a reference, a
status, a digest per tag) that scripts read as attributes (``%docker pull x`` then ``_.digest``), and
they display as the last lines the CLI prints, without importing pandas.

Secrets: a password or token reaches the engine and the credential store and nothing else. It is never
part of a result, a message or an exception; ``-p`` works but warns that the secret is now in the
notebook's input and IPython's history.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..command import Command
from ..engine import references, streams
from ..engine.references import HUB_KEY, HUB_LABEL, server_label
from ..engine.registry import credentials
from ..engine.transfer import registry_unreachable
from ..errors import (
    DockerMagicError,
    ImageNotFoundError,
    Interrupted,
    RegistryAuthError,
    RegistryError,
    Stalled,
    StreamError,
    UsageError,
    interrupts_as,
)
from ..session import Session
from ..views.display import Text
from ..views.frontend import shows_forms
from ..views.progress import progress_for
from ..views.results import LoggedIn, Pulled, Pushed, PushedTag
from .form_request import FormRequest

PASSWORD_WARNING = ("WARNING! Using --password puts the secret in this notebook's input and IPython's "
                    "history. Use --password-file PATH, or --password-stdin for a masked prompt.")


# ---- pull -----------------------------------------------------------------------------------


def _one_name(cmd: Command, verb: str) -> str:
    if not cmd.name:
        raise UsageError(f'"docker {verb}" requires exactly 1 argument.',
                         hint=f"See '%docker {verb} --help'. Usage: %docker {verb} NAME[:TAG]")
    return cmd.name


def _server(ref: references.Reference) -> str | None:
    return None if ref.is_docker_hub else ref.domain


def _login_hint(ref: references.Reference) -> str:
    server = _server(ref)
    return f"'%docker login {server}'" if server else "'%docker login'"


def pull(cmd: Command, session: Session) -> Pulled:
    """``%docker pull NAME[:TAG|@DIGEST]``: pull with live progress; returns a :class:`Pulled`."""

    ref = references.parse(_one_name(cmd, "pull"))
    if cmd.all_tags and (ref.tag or ref.digest):
        raise UsageError("tag can't be used with --all-tags/-a", hint="Give the repository name alone.")
    ref = ref if cmd.all_tags else ref.with_default_tag()
    shown = _canonical(ref)
    engine = session.engine(cmd)
    creds = credentials.get(_server(ref), cmd.config)
    what = f"Pull of {shown}"
    with (progress_for(session.settings.progress, f"Pulling {shown}", quiet=cmd.quiet) as bar,
          _transfer_interrupts(what), _stream_errors(ref, what, push=False),
          engine.pull(ref.name, ref.digest or ref.tag, creds=creds, platform=cmd.platform) as events):
        return _pull_result(streams.follow(events, bar, action=what), shown, engine.label)


def _canonical(ref: references.Reference) -> str:
    """What the CLI prints as a pull's last line: ``docker.io/library/debian:latest``."""
    return ref.name + (f":{ref.tag}" if ref.tag else "") + (f"@{ref.digest}" if ref.digest else "")


def _pull_result(events: Iterator[dict[str, Any]], shown: str, engine: str | None = None) -> Pulled:
    digests: dict[str, str] = {}
    tag, digest, status = "", None, ""
    for event in events:
        text = event.get("status") or ""
        if text.startswith("Pulling from"):
            tag = event.get("id") or tag
        elif text.startswith("Digest: "):
            digest = text.removeprefix("Digest: ").strip()
            digests[tag] = digest
        elif text.startswith("Status: "):
            status = text.removeprefix("Status: ").split(" for ", 1)[0]
    if len(digests) > 1:
        return Pulled(shown, status, None, tuple(digests.items()), engine)
    return Pulled(shown, status or "Pulled", digest, engine=engine)


# ---- push -----------------------------------------------------------------------------------


def push(cmd: Command, session: Session, bar: Any = None) -> Any:
    """``%docker push NAME[:TAG]``: push with live progress; returns a :class:`Pushed` with the digests.

    No name in a notebook: the push form. ``bar``: a Progress to show the push in (the form's).
    """

    if not cmd.name and shows_forms(session.settings.forms):
        return FormRequest("push")
    ref = references.parse(_one_name(cmd, "push"))
    if ref.digest:
        raise UsageError(f"cannot push a digest reference ({ref.familiar()})", hint="Push a tag: NAME[:TAG].")
    if cmd.all_tags and ref.tag:
        raise UsageError("tag can't be used with --all-tags/-a", hint="Give the repository name alone.")
    ref = ref if cmd.all_tags else ref.with_default_tag()
    engine = session.engine(cmd)
    _check_push_platform(engine, cmd.platform)
    creds = credentials.get(_server(ref), cmd.config)
    shown = ref.familiar()
    what = f"Push of {shown}"
    bar = bar or progress_for(session.settings.progress, f"Pushing {shown}", quiet=cmd.quiet)
    with (bar, _transfer_interrupts(what), _stream_errors(ref, what, push=True),
          engine.push(ref.familiar_name, ref.tag, creds=creds) as events):
        pushed = pushed_tags(streams.follow(events, bar, action=what))
    if not pushed:
        raise RegistryError(f"Push of {shown} ended without the registry confirming a digest.",
                          hint="To fix it, run the push again and check the registry's log.")
    return Pushed(ref.familiar_name, tuple(pushed), engine.label)


#: The push's last status line per tag, as the CLI prints it: the only digest the containerd image store sends.
_PUSHED_LINE = re.compile(r"^(?P<tag>[^\s:]+): digest: (?P<digest>sha256:[0-9a-f]{64}) size: (?P<size>\d+)$")


def pushed_tags(events: Iterable[dict[str, Any]]) -> list[PushedTag]:
    """The tags a push stream confirms, in the order the engine confirmed them.

    The classic store sends ``aux`` ``{"Tag", "Digest", "Size"}`` after the status line ``TAG: digest: sha256:…
    size: N``; the containerd store sends only that line (as the CLI reads it). ``aux`` wins when both come.
    """

    found: dict[str, PushedTag] = {}
    for event in events:
        aux = event.get("aux")
        if isinstance(aux, dict) and "Digest" in aux:
            found[aux.get("Tag") or ""] = PushedTag(aux.get("Tag") or "", aux["Digest"], int(aux.get("Size") or 0))
        elif "id" not in event and (line := _PUSHED_LINE.match(str(event.get("status") or "").strip())):
            found.setdefault(line["tag"], PushedTag(line["tag"], line["digest"], int(line["size"])))
    return list(found.values())


def _check_push_platform(engine: Any, platform: str | None) -> None:
    if not platform:
        return
    if not engine.api_at_least("1.46"):
        raise UsageError(f"push --platform needs Docker API 1.46 or newer; this engine speaks {engine.api_version}.",
                         hint="To fix it, push without --platform (every platform of the image is pushed).")


# ---- stream errors and interrupts -------------------------------------------------------------


def _transfer_interrupts(what: str) -> Any:
    """Ctrl-C during a pull or push: one line. The stream's response is already closed by then."""
    return interrupts_as(f"{what} interrupted: the transfer was stopped.", "Run it again to finish it.")


@contextlib.contextmanager
def _stream_errors(ref: references.Reference, what: str, *, push: bool) -> Iterator[None]:
    """Name the server to log in to or to check; the engine's refusals become one registry line.

    The engine reports a refusal either inside the stream (push) or as a 500 before it (pull); both
    read the same here.
    """

    try:
        yield
    except Stalled as exc:
        where = HUB_LABEL if ref.is_docker_hub else f"the registry {ref.domain}"
        raise RegistryError(f"{what} stopped: no answer for {exc.seconds:g} s from the engine, which waits on {where}",
                            hint="To fix it, check that the registry answers, or allow more time with "
                                 "%config DockerMagics.timeout = SECONDS.") from None
    except DockerMagicError as exc:
        if type(exc) not in _RECLASSIFIED:
            raise
        raise _reworded(exc, ref, what, push=push) from None


def _reworded(exc: DockerMagicError, ref: references.Reference, what: str, *, push: bool) -> DockerMagicError:
    """A transfer's failure as one registry line: what failed, then whom to log in to or what to check."""
    # An engine's HTTP refusal (it has a status) is worded from the engine's own text; an error inside
    # the stream already names the operation.
    said = exc.engine_text if exc.engine_text and exc.status is not None else None
    text = exc.message if said is None else f"{said[:1].upper()}{said[1:]}"
    if not text.startswith(what):
        text = f"{what} failed: {text}"
    lowered = text.lower()
    if "does not exist locally" in lowered or (isinstance(exc, ImageNotFoundError) and push):
        return ImageNotFoundError(text, hint="To fix it, tag a local image with that name first "
                                             "('%docker tag SOURCE NAME').")
    if isinstance(exc, RegistryAuthError) or streams.refuses_credentials(text):
        return RegistryAuthError(text, hint=f"To fix it, log in with {_login_hint(ref)}, and check "
                                            "that this account may use the repository.")
    if registry_unreachable(text):
        where = HUB_LABEL if ref.is_docker_hub else ref.domain
        return RegistryError(text, hint=f"To fix it, check that the registry {where} is running and "
                                        "reachable from the engine.")
    if isinstance(exc, ImageNotFoundError):
        return ImageNotFoundError(text, hint="To fix it, check the name and tag, and that you are logged "
                                             f"in ({_login_hint(ref)}).")
    return type(exc)(text, hint=exc.hint)


_RECLASSIFIED = (DockerMagicError, StreamError, RegistryAuthError, ImageNotFoundError)


# ---- login and logout -----------------------------------------------------------------------


def login_with(target: Any, server: str | None, username: str, password: str, *,
               config: str | None = None) -> LoggedIn:
    """Check a login against the registry, then store it as ``docker login`` does.

    The one entry point for every way of asking for a password (flags, prompt, and the login form).

    Args:
        target: an :class:`~docker_magics.engine.Engine` or a :class:`~docker_magics.session.Session`.
        server: the registry (``127.0.0.1:5000``); None or ``docker.io`` for Docker Hub.
        username: the user name.
        password: the password or access token (used, never kept or shown).
        config: the config folder (``--config``), default ``$DOCKER_CONFIG`` or ``~/.docker``.

    Returns:
        A :class:`LoggedIn` (no secret in it).

    Raises:
        RegistryAuthError: the registry refused the login; nothing was stored.
    """

    username = (username or "").strip()
    if not username:
        raise UsageError("Username Required", hint="Pass -u/--username NAME.")
    if not password:
        raise UsageError("Password Required", hint="Pass --password-file PATH or --password-stdin.")
    engine = _engine_of(target)
    key = credentials.server_key(server)
    answer = engine.authenticate(key, username, password)
    token = answer.get("IdentityToken") or ""
    creds = credentials.Credentials(key, username, "" if token else password, token)
    where = credentials.store(creds, config)
    return LoggedIn(key, username, answer.get("Status") or "Login Succeeded", where)


def _engine_of(target: Any) -> Any:
    return target.default_engine() if isinstance(target, Session) else target


def login(cmd: Command, session: Session) -> Any:
    """``%docker login [SERVER]``: check the login against the registry, then store it like the CLI.

    No password in a notebook (and no stored login that still works): the login form.
    """

    sources = [cmd.password is not None, cmd.password_stdin, cmd.password_file is not None]
    if sum(sources) > 1:
        raise UsageError("--password, --password-stdin and --password-file are mutually exclusive",
                         hint="Give the password one way (prefer --password-file PATH).")
    key = credentials.server_key(cmd.server)
    username = (cmd.username or "").strip()
    if cmd.password is not None:
        from ..views.display import message

        message(PASSWORD_WARNING, warning=True)
    if not username and not any(sources):
        reused = _login_with_stored(session.engine(cmd), key, cmd.config)
        if reused is not None:
            return reused
    password = cmd.password
    if cmd.password_file is not None:
        password = read_password_file(cmd.password_file)
    if password is None and not cmd.password_stdin and shows_forms(session.settings.forms):
        return FormRequest("login", {"server": key, "username": username})

    username = username or _prompt(f"Username for {server_label(key)}: ", secret=False).strip()
    if password is None:
        password = _prompt(f"Password for {username}@{server_label(key)}: ", secret=True)
    return login_with(session.engine(cmd), key, username, password, config=cmd.config)


def _login_with_stored(engine: Any, key: str, config: str | None) -> LoggedIn | None:
    """The CLI's first step when no username or password is given: try the stored login."""

    stored = credentials.get(key, config)
    if stored is None or not stored.password:
        return None
    try:
        answer = engine.authenticate(key, stored.username, stored.password)
    except RegistryAuthError:
        return None
    return LoggedIn(key, stored.username, answer.get("Status") or "Login Succeeded",
                    "existing credentials")


def read_password_file(path: str) -> str:
    """The secret in a file, without the one trailing newline an editor or ``echo`` leaves."""
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"Cannot read the password file {file}: {exc.strerror}.",
                         hint="To fix it, check the path (relative paths start in the notebook's folder).") from None
    except UnicodeDecodeError:
        raise UsageError(f"The password file {file} is not UTF-8 text.",
                         hint="To fix it, write the password or token as plain text.") from None
    secret = text.removesuffix("\n").removesuffix("\r")
    if not secret:
        # Said here, where the file is known: "password required" would contradict the --password-file just given.
        raise UsageError(f"The password file {file} is empty.",
                         hint="To fix it, write the password or access token into it (one line).")
    return secret


def _prompt(prompt: str, *, secret: bool) -> str:
    """Ask in the notebook (ipykernel's input/getpass) or the terminal; the secret is masked."""
    import getpass

    from IPython.core.error import StdinNotImplementedError

    try:
        return getpass.getpass(prompt) if secret else input(prompt)
    except KeyboardInterrupt:
        raise Interrupted("Login cancelled; nothing was stored.") from None
    except (EOFError, StdinNotImplementedError):
        what = "a password" if secret else "a username"
        raise UsageError(f"Login needs {what}, and this kernel cannot prompt for it (no input: a headless run?).",
                         hint="To fix it, pass -u NAME --password-file PATH.") from None


def logout(cmd: Command, session: Session) -> Text:
    """``%docker logout [SERVER]``: remove the stored login the way the CLI does."""
    key = credentials.server_key(cmd.server)
    shown = key if key == HUB_KEY else credentials.hostname(key)
    if credentials.erase(cmd.server, cmd.config):
        return Text(f"Removing login credentials for {shown}")
    return Text(f"Not logged in to {shown}")

