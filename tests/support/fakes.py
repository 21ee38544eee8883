"""The one fake engine for unit tests of pure logic: canned answers behind docker-py's low-level client.

Integration tests never use it: they run on the real engine and registry. Here it stands in for
``docker.APIClient`` under a real :class:`~docker_magics.engine.client.Engine`, answering exactly the calls
that :mod:`docker_magics.engine.connection` makes, and recording each request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from docker_magics.engine.client import Engine
from docker_magics.engine.endpoints import Endpoint


class FakeResponse:
    """A streamed or plain HTTP answer."""

    def __init__(self, events: list[Any] | None = None, status: int = 200, body: Any = None) -> None:
        self.events, self.status_code, self.body, self.closed = events or [], status, body, False

    def json(self) -> Any:
        return self.body

    @property
    def content(self) -> bytes:
        return b"" if self.body is None else self.text.encode()

    @property
    def text(self) -> str:
        return json.dumps(self.body)

    def close(self) -> None:
        self.closed = True


class FakeAPI:
    """docker-py's ``APIClient`` as the engine layer uses it, with canned answers.

    Args:
        answers: path -> what a ``GET``/``POST`` of it answers (a JSON value), or an exception to raise
            (``KeyboardInterrupt`` for Ctrl-C), or a callable of the params.
        events: the events a streamed request yields (an exception in the list is raised there).
        auth: (status, body) of ``POST /auth``.
        containers: what ``containers()`` lists.
        tags: the RepoTags ``inspect_image`` answers (none: the image does not exist).
        ping: the headers ``GET /_ping`` answers.
    """

    _version = "1.41"

    def __init__(self, answers: dict[str, Any] | None = None, events: list[Any] | None = None, *,
                 auth: tuple[int, Any] = (200, {"Status": "Login Succeeded", "IdentityToken": ""}),
                 containers: list[dict] | None = None, tags: list[str] | None = None,
                 ping: dict[str, str] | None = None) -> None:
        self.answers, self.events, self.auth = answers or {}, events or [], auth
        self.ping = ping or {"Api-Version": self._version, "Ostype": "linux"}
        self.containers_, self.tags = containers or [], tags or []
        self.requests: list[tuple[str, dict, Any]] = []
        self.responses: list[FakeResponse] = []

    # ---- the private request helpers the engine's Connection calls ----

    def _url(self, path: str, *args: str) -> str:
        return path.format(*args)

    def _answer(self, url: str, params: Any) -> FakeResponse:
        answer = self.answers.get(url)
        if isinstance(answer, BaseException) or (isinstance(answer, type) and issubclass(answer, BaseException)):
            raise answer
        if callable(answer):
            answer = answer(params)
        response = FakeResponse(self.events, body=answer)
        self.responses.append(response)
        return response

    def _get(self, url: str, params: Any = None, **kwargs: Any) -> FakeResponse:
        self.requests.append((url, params or {}, kwargs.get("headers")))
        if url == "/_ping":
            response = FakeResponse(body="OK")
            response.headers = self.ping
            return response
        return self._answer(url, params)

    def _post(self, url: str, params: Any = None, **kwargs: Any) -> FakeResponse:
        self.requests.append((url, params or {}, kwargs.get("headers")))
        return self._answer(url, params)

    def _post_json(self, url: str, data: dict, params: Any = None) -> FakeResponse:
        self.requests.append((url, params or {}, data))
        if url == "/auth":
            return FakeResponse([], *self.auth)
        return self._answer(url, params)

    def _result(self, response: FakeResponse, json: bool = False) -> Any:
        return response.body

    def _raise_for_status(self, response: FakeResponse) -> None:
        return None

    def _stream_helper(self, response: FakeResponse, decode: bool) -> Iterator[Any]:
        for event in response.events:
            if isinstance(event, BaseException):
                raise event
            yield event

    # ---- the public calls ----

    def containers(self, all: bool = False, trunc: bool = True) -> list[dict]:
        return self.containers_

    def inspect_image(self, reference: str) -> dict:
        from docker_magics.errors import ImageNotFoundError

        if not self.tags:
            raise ImageNotFoundError(f"No such image: {reference}")
        return {"Id": "sha256:" + "f" * 64, "RepoTags": self.tags}


def fake_engine(api: FakeAPI | None = None) -> Engine:
    """A real :class:`Engine` whose docker-py client is ``api``."""
    return Engine(Endpoint("unix:///fake.sock", "fake"), client=api or FakeAPI())
