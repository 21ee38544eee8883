"""Several engines at once (``%docker -H A -H B images``): the same call on each, concurrently."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .engine.client import Engine
from .engine.endpoints import Endpoint
from .errors import DockerMagicError

T = TypeVar("T")


def each_engine(engines: list[Engine], call: Callable[[Engine], T]) -> list[tuple[Endpoint, T | None, str | None]]:
    """Run ``call`` on every engine at once; return (endpoint, result, error line) in the given order.

    An engine that fails gives its one-line error instead of a result; the others are unaffected.
    """
    def one(engine: Engine) -> tuple[Endpoint, T | None, str | None]:
        try:
            return engine.endpoint, call(engine), None
        except DockerMagicError as exc:
            return engine.endpoint, None, exc.line()

    with ThreadPoolExecutor(max_workers=min(16, len(engines))) as pool:
        return list(pool.map(one, engines))
