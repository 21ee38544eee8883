"""One connection to a Docker engine: docker-py's low-level ``APIClient``, created once, and the requests.

This is the one module that calls docker-py's private request helpers (``_get``, ``_post``, ``_url``,
``_result``, ``_stream_helper``, ``_raise_for_status``, ``_post_json``): docker-py has no public call that
keeps a handle on a streamed response (so Ctrl-C can close it) or sends a body as a stream. Every other
engine module goes through :meth:`Connection.get_json`, :meth:`Connection.post_json` and
:meth:`Connection.stream`. Nothing here prints; failures leave as our one-line errors (:mod:`.failures`).
docker-py is imported on first use, so ``%load_ext`` stays fast.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import DockerMagicError
from .endpoints import Endpoint, check_host
from .failures import cut, translate
from .identity import EngineLabel, ServerFacts, facts_from, version_at_least

if TYPE_CHECKING:
    from docker import APIClient
    from requests import Response


@dataclass
class Connection:
    """One Docker engine, reached through one docker-py client.

    Args:
        endpoint: where the engine is.
        timeout: seconds to wait for an answer to one request.
        client: an ``APIClient`` to use instead of creating one (tests of pure logic).
    """

    endpoint: Endpoint
    timeout: float = 60.0
    client: APIClient | None = None
    _server: dict[str, Any] | None = field(default=None, repr=False)
    _label: EngineLabel | None = field(default=None, repr=False)
    _info: dict[str, Any] | None = field(default=None, repr=False)  # the last /info answer
    _podman: bool | None = field(default=None, repr=False)  # from the first /_ping

    @property
    def api(self) -> APIClient:
        """docker-py's low-level client, created once (creating one negotiates the API version)."""
        if self.client is None:
            import docker

            kwargs = self.endpoint.client_kwargs()
            check_host(self.endpoint.host)  # docker-py's ValueError for a bad port would be a traceback
            with self.translated("connect"):
                client = docker.APIClient(base_url=self.endpoint.host, timeout=self.timeout,
                                          version=docker.constants.MINIMUM_DOCKER_API_VERSION, **kwargs)
                if "tls" in kwargs:
                    # requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's own CA
                    # (psf/requests#3829), which would reject the engine's certificate: stop it reading the
                    # environment before the first request.
                    client.trust_env = False
                # What version="auto" does, keeping the whole /version answer: the engine's version and the API
                # version in one request, asked once per engine.
                try:
                    self._server = client.version(api_version=False)
                except docker.errors.APIError as exc:
                    raise docker.errors.DockerException(f"Error while fetching server API version: {exc}") from exc
                client._version = self._server["ApiVersion"]
                self.client = client
        return self.client

    @property
    def api_version(self) -> str:
        """The API version negotiated with the engine (e.g. ``1.41``)."""
        return str(self.api._version)

    def api_at_least(self, version: str) -> bool:
        """Whether the negotiated API version is ``version`` or newer."""
        return version_at_least(self.api_version, version)

    @contextlib.contextmanager
    def translated(self, action: str, subject: str | None = None) -> Iterator[None]:
        """Run a block, turning docker-py and connection failures into our one-line errors."""
        try:
            yield
        except DockerMagicError:
            raise
        except Exception as exc:
            translated = translate(exc, self.endpoint, action, subject)
            if translated is None:
                raise
            raise translated from None

    # ---- requests ---------------------------------------------------------------------------

    def get_json(self, path: str, params: dict[str, Any] | None = None, *, action: str,
                 subject: str | None = None, headers: dict[str, str] | None = None) -> Any:
        """``GET path`` and its decoded JSON answer.

        Args:
            path: the API path, e.g. ``/images/json`` (the version prefix is added); ``{0}`` in it is filled with
                ``subject`` quoted as a path segment.
            params: query parameters; lists and dicts must already be JSON text where the API wants it.
            action: what we are doing, for the error message ("list images").
            subject: the image or reference concerned, if any.
            headers: extra request headers (``X-Registry-Auth``).

        Raises:
            DockerMagicError: the engine refused (typed by status) or could not be reached.
        """
        with self.translated(action, subject):
            api = self.api
            url = api._url(path, subject) if "{0}" in path else api._url(path)
            return api._result(api._get(url, params=params, headers=headers), True)

    def post_json(self, path: str, params: dict[str, Any] | None = None, *, action: str,
                  subject: str | None = None, body: dict[str, Any] | None = None) -> Any:
        """``POST path`` (with an optional JSON ``body``) and its decoded JSON answer; None when it has none."""
        with self.translated(action, subject):
            api = self.api
            if body is not None:
                response = api._post_json(api._url(path), data=body, params=params)
            else:
                response = api._post(api._url(path), params=params)
            api._raise_for_status(response)
            return response.json() if response.content else None

    def post_raw(self, path: str, body: dict[str, Any]) -> Response:
        """``POST path`` with a JSON body, answer unchecked: the caller reads status and body itself.

        Used by ``/auth``, whose refusals carry the registry's own words. Connection failures are not
        translated here: the caller must keep the request (and so its body) out of any exception chain.
        """
        api = self.api
        return api._post_json(api._url(path), data=body)

    @contextlib.contextmanager
    def stream(self, method: str, path: str, *, action: str, subject: str | None = None,
               params: dict[str, Any] | None = None, data: Any = None, headers: dict[str, str] | None = None,
               timeout: float | None = -1.0,
               guard: Callable[[], contextlib.AbstractContextManager[Any]] | None = None) -> Iterator[Response]:
        """Open a streamed request and yield its checked response; the response is closed on leaving.

        Closing the response is what stops the engine's work when the caller leaves early (Ctrl-C, an
        error): the engine cancels a pull, a load or a build whose client went away.

        Args:
            method: ``GET`` or ``POST``.
            path: the API path; ``{0}`` in it is filled with ``subject`` quoted as a path segment.
            action: what we are doing, for the error message.
            subject: the image or reference concerned, if any.
            params: query parameters.
            data: the request body (bytes, a file, or an iterator of chunks for a streamed upload).
            headers: extra request headers.
            timeout: seconds for the answer and between chunks; None waits for ever; -1 the engine's timeout.
            guard: a context entered inside the error translation around the request and the status check,
                to give a failure its own meaning first (a read timeout of a pull is a stalled registry).

        Raises:
            DockerMagicError: the engine refused before streaming (typed by status) or could not be reached.
        """
        wait = self.timeout if timeout == -1.0 else timeout
        guarded = guard or contextlib.nullcontext
        with self.translated(action, subject), guarded():
            api = self.api
            url = api._url(path, subject) if "{0}" in path else api._url(path)
            send = api._get if method == "GET" else api._post
            kwargs: dict[str, Any] = {"params": params, "headers": headers, "stream": True, "timeout": wait}
            if data is not None:
                kwargs["data"] = data
            response = send(url, **kwargs)
        try:
            with self.translated(action, subject), guarded():
                api._raise_for_status(response)
            with broken_stream(action, subject):
                yield response
        finally:
            response.close()

    def events(self, response: Response) -> Iterator[dict[str, Any]]:
        """The JSON events of a streamed response, decoded one by one as they arrive."""
        return self.api._stream_helper(response, decode=True)

    @staticmethod
    def interrupt(response: Response) -> None:
        """End a streamed response from another thread: a read blocked on it returns at once.

        Closing the response is not enough (closing a file does not wake a thread blocked reading it), so
        the connection itself is shut down: the socket, or the ssh process of docker-py's ssh transport.
        """
        fp = getattr(getattr(response.raw, "_fp", None), "fp", None)
        channel = getattr(fp, "channel", None)  # docker-py's ssh transport: the ssh process's stdout
        with contextlib.suppress(Exception):
            if channel is not None:
                channel.close()  # terminates the ssh process: its stdout ends
            elif (sock := getattr(getattr(fp, "raw", None), "_sock", None)) is not None:
                sock.shutdown(socket.SHUT_RDWR)

    def server(self) -> dict[str, Any]:
        """``GET /version``, asked once: the engine's version, API version, OS and architecture."""
        if self._server is None:
            self._server = self.get_json("/version", action="ask the engine's version")
        return self._server

    def ping_headers(self) -> dict[str, str]:
        """``GET /_ping``'s headers: ``Api-Version``, ``Ostype``, ``Builder-Version`` (what builders it has)."""
        with self.translated("ping"):
            api = self.api
            headers = dict(api._get(api._url("/_ping")).headers)
        self._podman = bool(headers.get("Libpod-Api-Version"))
        return headers

    def is_podman(self) -> bool:
        """Whether the engine is Podman's Docker-compatible service (its ``/_ping`` sends ``Libpod-Api-Version``).

        Asked once per engine (a ping made for another reason answers it too).

        Raises:
            DockerMagicError: the engine cannot be reached.
        """
        if self._podman is None:
            self.ping_headers()
        return bool(self._podman)

    def info(self) -> dict[str, Any]:
        """``GET /info``: the engine's configuration, e.g. its storage driver and image store."""
        self._info = self.get_json("/info", action="ask the engine's configuration")
        return self._info

    @property
    def label(self) -> EngineLabel:
        """The engine's name with its version, API version and image store, for the engine line of results.

        Asked once per engine: the ``/version`` answer of the API negotiation and one ``/info`` request (none when
        ``/info`` was already asked, e.g. by the image index). An engine that refuses ``/info`` (a socket proxy may)
        is named without its store; the command still succeeds.
        """
        if self._label is None:
            try:
                version = self.server()
            except DockerMagicError:
                version = None
            try:
                info = self._info if self._info is not None else self.info()
            except DockerMagicError:
                info = None
            api_version = str(self.api._version) if self.client is not None else None
            self._label = EngineLabel(self.endpoint.name, facts_from(version, info, api_version))
        return self._label

    def facts(self) -> ServerFacts:
        """What the engine said about itself (asked once): version, API version, image store."""
        return self.label.facts or ServerFacts(None, None)

    def containerd_store(self) -> bool:
        """Whether the engine keeps images in the containerd image store (multi-platform images, other sizes)."""
        return self.facts().store == "containerd"


@contextlib.contextmanager
def broken_stream(action: str, subject: str | None = None) -> Iterator[None]:
    """A stream the engine closes half way (it stopped or restarted during a pull, push, build, load or
    save) is one line, not urllib3's ``ProtocolError: IncompleteRead`` or requests' ``ChunkedEncodingError``.

    Wraps the block that reads the stream; our own errors and Ctrl-C pass through unchanged.
    """
    import http.client

    import requests.exceptions
    import urllib3.exceptions

    try:
        yield
    except (urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError, http.client.IncompleteRead,
            requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError, ConnectionError) as exc:
        if isinstance(exc, requests.exceptions.ConnectionError) and (
                "Connection refused" in str(exc) or "No such file" in str(exc)):
            raise  # never connected: the caller's translation names the engine that is down
        raise cut(action, subject) from None


def load_docker_py() -> None:
    """Import docker-py now (the background preload after ``%load_ext``), so the first command does not wait."""
    import docker  # noqa: F401
