"""Engine-side registry calls: the pull and push event streams, and the login check.

Nothing here prints or displays. :func:`pull` and :func:`push` are context managers that hand out the
engine's decoded event stream and always close the HTTP response on the way out, so an interrupt
(Ctrl-C) drops the connection and the engine cancels the transfer. They make the same request as
docker-py's ``APIClient.pull``/``push`` (whose generators give no handle on the response to close),
with the auth header built from :mod:`docker_magics.credentials` rather than docker-py's cached copy of
config.json, so a logout takes effect at once.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

from ..errors import DockerMagicError, Interrupted, RegistryAuthError, RegistryError, Stalled, UsageError
from .connection import Connection
from .failures import translate
from .references import server_label
from .registry.credentials import Credentials, auth_header


@contextlib.contextmanager
def _stalls(seconds: float) -> Iterator[None]:
    """A read timeout (before the headers or between two events) becomes :class:`Stalled`."""
    import requests.exceptions
    import urllib3.exceptions

    try:
        yield
    except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError) as exc:
        raise Stalled(seconds) from exc
    except requests.exceptions.ConnectionError as exc:
        if isinstance(exc.args[0] if exc.args else None, urllib3.exceptions.TimeoutError):
            raise Stalled(seconds) from exc
        raise


@contextlib.contextmanager
def _stream(engine: Connection, action: str, subject: str, path: str, params: dict[str, Any],
            headers: dict[str, str]) -> Iterator[Iterator[dict[str, Any]]]:
    # The engine's timeout bounds the wait for the headers and the silence between two events: a pull
    # or push in progress sends an event at least every second (bytes, "Retrying in N seconds"), so a
    # longer silence means the engine waits on a registry that stopped answering.
    with engine.stream("POST", path, action=action, subject=subject, params=params, headers=headers,
                       guard=lambda: _stalls(engine.timeout)) as response:
        yield _events(engine.events(response), engine.timeout)


def _events(events: Iterator[dict[str, Any]], seconds: float) -> Iterator[dict[str, Any]]:
    # The read timeout strikes inside docker-py's generator, which the caller iterates outside _stream.
    # The containerd image store repeats each layer's state ({"status": "Waiting", "id": …}) ten times a second
    # while it waits on a silent registry: the socket never goes quiet, so only news counts as activity.
    last: dict[Any, tuple[Any, Any]] = {}
    news = time.monotonic()
    with _stalls(seconds):
        for event in events:
            key, state = event.get("id"), (event.get("status"), event.get("progressDetail"))
            if last.get(key) != state or "id" not in event:
                last[key], news = state, time.monotonic()
            elif time.monotonic() - news > seconds:
                raise Stalled(seconds)
            yield event


def _unanswered(engine: Connection, exc: Exception, server: str) -> DockerMagicError:
    import requests.exceptions


    if isinstance(exc, requests.exceptions.Timeout):  # the engine answers /auth once the registry has
        return RegistryError(f"Login to {server_label(server)}: no answer within {engine.timeout:g} s from the engine, "
                             f"which waits on the registry {server_label(server)}; nothing was stored",
                             hint="To fix it, check that the registry is running and reachable from the engine, "
                                  "or allow more time with %config DockerMagics.timeout = SECONDS.")
    return translate(exc, engine.endpoint, "log in") or DockerMagicError(
        f"Login failed: {type(exc).__name__}.", hint="To fix it, check the engine and try again.")


#: Podman 4.3's ``/auth`` on a plain-HTTP registry: it pings over HTTPS whatever its registries.conf says (its compat
#: handler sets TLS verification on for every address but ``localhost:``), while its pull and push honour the
#: registry's ``insecure = true`` there.
PODMAN_HTTPS_ONLY = "server gave HTTP response to HTTPS client"


def _check_plain_http_login(engine: Connection, server: str, username: str, password: str) -> dict[str, Any]:
    """Check a login with a plain-HTTP registry directly, where the engine's ``/auth`` only speaks HTTPS (Podman).

    The registry answered the engine in plain HTTP, so the check asks its ``/v2/`` over HTTP with the login, as
    the Docker engine does for a registry it treats as insecure; the login is then stored as ``docker login``
    stores it, and pulls and pushes send it in ``X-Registry-Auth`` (which Podman honours over HTTP for a registry
    its registries.conf marks insecure).

    Raises:
        RegistryAuthError: the registry refused the username or password.
        RegistryError: the registry could not be reached over plain HTTP either.
    """
    from .registry.api import RegistryClient  # requests and the registry client: only on Podman's way

    domain = server.split("://", 1)[-1].split("/", 1)[0]  # the login key is a host (Docker Hub's never gets here)
    client = RegistryClient(domain, Credentials(domain, username, password), timeout=engine.timeout)
    client.base = f"http://{client.host}"
    try:
        answer = client.request("/v2/", scope="", action="log in")
    except RegistryAuthError:
        raise _refused(server, username, 401, "unauthorized") from None
    except RegistryError as exc:
        raise RegistryError(f"Login to {server_label(server)} failed: the engine (Podman) reaches it over HTTPS "
                            f"only for a login, and over plain HTTP it did not answer ({exc.message})",
                            hint="To fix it, check that the registry is running, or log in with the Docker CLI."
                            ) from None
    if answer.status_code != 200:
        raise _refused(server, username, answer.status_code, answer.text[:300])
    return {"Status": "Login Succeeded", "IdentityToken": ""}


def _body_message(response: Any) -> str:
    try:
        data = response.json()
    except ValueError:
        return " ".join(response.text.split())
    if isinstance(data, dict) and "message" in data:
        return " ".join(str(data["message"]).split())
    return json.dumps(data)


def _refused(server: str, username: str, status: int, text: str) -> DockerMagicError:
    shown = server_label(server)
    text = text if len(text) <= 300 else text[:300] + "…"  # a registry's page of HTML is not a line
    lowered = text.lower()
    if status == 401 or "unauthorized" in lowered or "incorrect" in lowered:
        return RegistryAuthError(
            f"Login to {shown} failed: the registry refused the username '{username}' or its password; "
            "nothing was stored.",
            hint="To fix it, check the username and the password or token, then log in again.")
    if status == 400:
        return UsageError(f"Login to {shown} failed: {text}")
    return RegistryError(f"Login to {shown} failed: {text}",
                         hint="To fix it, check that the registry is running and reachable from the engine.")


def registry_unreachable(text: str) -> bool:
    """Whether the engine's words for a failed pull or push say the registry could not be reached."""
    lowered = text.lower()
    # "unexpected EOF", "connection reset by peer", "use of closed network connection", "broken pipe": Engine 26
    # names a registry that went away mid-transfer by the broken read or write; "TLS handshake timeout": the engine
    # gave up on a registry that stopped answering; "failed to do request": the containerd store's registry client
    # could not send a request at all (the registry went away between two).
    return any(w in lowered for w in ("connection refused", "dial tcp", "no such host", "i/o timeout",
                                      "server gave http response to https client", "client.timeout exceeded",
                                      "context deadline exceeded", "unexpected eof", "connection reset by peer",
                                      "use of closed network connection", "broken pipe", "tls handshake timeout",
                                      "failed to do request"))


class TransferCalls(Connection):
    """Pull, push and log in through the engine: event streams and the engine's /auth."""

    def pull(self, name: str, tag: str | None, *, creds: Credentials | None = None,
             platform: str | None = None) -> contextlib.AbstractContextManager[Iterator[dict[str, Any]]]:
        """``POST /images/create``: the pull's event stream, as a context manager that closes it.

        Args:
            name: the repository, e.g. ``127.0.0.1:5000/team/app`` or ``docker.io/library/debian``.
            tag: a tag or a digest (``sha256:…``); None pulls every tag (``--all-tags``).
            creds: the login for the registry, or None for anonymous access.
            platform: ``os[/arch[/variant]]`` for a multi-platform image.

        Raises:
            ImageNotFoundError: the registry has no such repository or tag (or hides it without a login).
        """
        params: dict[str, Any] = {"fromImage": name}
        if tag:
            params["tag"] = tag
        if platform:
            params["platform"] = platform
        return _stream(self, "pull", name, "/images/create", params, auth_header(creds))

    def push(self, name: str, tag: str | None, *, creds: Credentials | None = None
             ) -> contextlib.AbstractContextManager[Iterator[dict[str, Any]]]:
        """``POST /images/{name}/push``: the push's event stream, as a context manager that closes it.

        Args:
            name: the repository, e.g. ``127.0.0.1:5000/team/app``.
            tag: the tag to push; None pushes every tag of the repository (``--all-tags``).
            creds: the login for the registry, or None (the registry will most likely refuse).

        Raises:
            ImageNotFoundError: no local image has that name.
        """
        params = {"tag": tag} if tag else {}
        return _stream(self, "push", name, "/images/{0}/push", params, auth_header(creds))

    def authenticate(self, server: str, username: str, password: str) -> dict[str, Any]:
        """``POST /auth``: ask the engine to check a login against the registry; nothing is stored.

        This is the request docker-py's ``APIClient.login(..., reauth=True)`` makes, without keeping the
        password in the long-lived client afterwards (a later logout must leave no copy behind).

        Returns:
            The engine's answer, e.g. ``{"Status": "Login Succeeded", "IdentityToken": ""}``.

        Raises:
            RegistryAuthError: the registry refused the username or password.
            RegistryError: the registry could not be reached.
        """
        failure: DockerMagicError | None = None
        interrupted = False
        try:
            response = self.post_raw("/auth", {"username": username, "password": password, "serveraddress": server})
            status, text = response.status_code, _body_message(response)
            response.close()
            from .registry.redact import redact

            text = redact(text, [password])  # a registry that echoes what it got must not leak it
        except KeyboardInterrupt:  # Ctrl-C while the engine waits on a registry that does not answer
            interrupted = True
        except Exception as exc:  # the request never got an answer
            failure = _unanswered(self, exc, server)
        # Raised outside the except block on purpose: the request (and its body, which holds the password)
        # must not ride along as the exception's __context__.
        if interrupted:
            raise Interrupted(f"Login to {server_label(server)} interrupted; nothing was stored.",
                              hint="If the registry does not answer, check that it runs, then log in again.")
        if failure is not None:
            raise failure
        if status == 200:
            return json.loads(text) if text.startswith("{") else {"Status": text}
        if PODMAN_HTTPS_ONLY in text:
            return _check_plain_http_login(self, server, username, password)
        raise _refused(server, username, status, text)
