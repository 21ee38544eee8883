"""What lives between commands: the engines already connected and the user's settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from .command import Command
from .engine.endpoints import Endpoint, resolve_endpoint
from .errors import DockerMagicError

if TYPE_CHECKING:
    from .engine.client import Engine

T = TypeVar("T")


@dataclass
class Settings:
    """The user's settings (``%config DockerMagics.*`` fills them)."""

    host: str | None = None
    context: str | None = None
    progress: str = "auto"  # auto, widget, text, none
    timeout: float = 60.0
    display_rows: int = 60
    forms: str = "auto"  # auto (when a person looks at a notebook), always, never
    index: bool | str = True  # each engine's image index: True (where faster), 'always', False (engine/index/)


#: The settings' names: each is a trait of the magics class of the same name (magics.DockerMagics).
SETTINGS: tuple[str, ...] = tuple(f.name for f in fields(Settings))


@dataclass
class Session:
    """One per shell: the engines (one client each, kept so /version is asked once) and settings."""

    settings: Settings = field(default_factory=Settings)
    shell: Any = None
    _engines: dict[Endpoint, Engine] = field(default_factory=dict)

    def endpoints(self, cmd: Command) -> list[Endpoint]:
        """The engines a command addresses: every ``-H``, else the context, settings or environment."""
        if cmd.endpoint is not None:  # the dispatcher runs the command on each engine in turn
            return [cmd.endpoint]
        if cmd.hosts:
            return [resolve_endpoint(host=h, cfg=cmd.config, tls=cmd.tls) for h in cmd.hosts]
        if cmd.context:  # --context a,b addresses several contexts at once
            return [resolve_endpoint(context=c.strip(), cfg=cmd.config) for c in cmd.context.split(",") if c.strip()]
        # The settings act like DOCKER_HOST / DOCKER_CONTEXT: below the command's own flags.
        return [resolve_endpoint(host=self.settings.host, context=self.settings.context, cfg=cmd.config,
                                 tls=cmd.tls)]

    def engine(self, cmd: Command) -> Engine:
        """The single engine a command talks to (the dispatcher has refused or split several)."""
        return self.engine_at(self.endpoints(cmd)[0])

    def default_engine(self) -> Engine:
        """The engine a command with no -H or --context talks to."""
        return self.engine_at(resolve_endpoint(host=self.settings.host, context=self.settings.context))

    def engine_at(self, endpoint: Endpoint) -> Engine:
        """The cached engine for an endpoint."""
        if endpoint not in self._engines:
            from .engine.client import Engine  # the engine's modules load with the first command

            self._engines[endpoint] = Engine(endpoint, timeout=self.settings.timeout)
        return self._engines[endpoint]

    def forget(self) -> None:
        """Drop every client (after a setting that changes how engines are reached), closing their streams."""
        engines = list(self._engines.values())
        self._engines.clear()
        for engine in engines:
            engine.close()


def each(endpoints: list[Endpoint], call: Callable[[Endpoint], T]) -> list[tuple[Endpoint, T | None, str | None]]:
    """Run ``call`` for every engine at once; (endpoint, result, error line) in the given order.

    An engine that fails gives its one-line error instead of a result; the others are unaffected.
    """
    from concurrent.futures import ThreadPoolExecutor

    def one(endpoint: Endpoint) -> tuple[Endpoint, T | None, str | None]:
        try:
            return endpoint, call(endpoint), None
        except DockerMagicError as exc:
            return endpoint, None, exc.line()

    with ThreadPoolExecutor(max_workers=min(16, len(endpoints))) as pool:
        return list(pool.map(one, endpoints))
