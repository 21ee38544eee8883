"""Which engine answered: its version, the API version negotiated with it, and its image store.

Every result names the engine it came from; since Engine 26 and the containerd image store answer some questions
differently from Engine 20.10's classic store (sizes, digests, platforms), the name alone does not say enough.
:class:`EngineLabel` is the engine's name as a ``str`` (so it compares, hashes and prints as the name) that also
carries those facts, for the result's engine line. It is built once per engine from the ``/version`` answer the
API negotiation already asked for and one ``/info`` request (:meth:`~.connection.Connection.label`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: /info's DriverStatus entry that names the containerd snapshotter: the containerd image store.
CONTAINERD_DRIVER_TYPE = "io.containerd.snapshotter.v1"


@dataclass(frozen=True)
class ServerFacts:
    """What an engine says about itself.

    Attributes:
        version: the Engine's version, as ``docker version`` prints it (``26.1.5+dfsg1``).
        api_version: the API version this client speaks with it (``1.45``).
        store: ``containerd`` (the containerd image store), ``classic`` (a graph driver), or None (unknown: the
            engine did not answer ``/info``, e.g. behind a proxy that blocks it).
        driver: the storage driver (``overlay2``, or ``overlayfs`` for the containerd snapshotter).
    """

    version: str | None
    api_version: str | None
    store: str | None = None
    driver: str | None = None

    def describe(self) -> str:
        """``Engine 26.1.5, API 1.45, containerd store``: what is known, in that order."""
        parts = [f"Engine {self.version}" if self.version else None,
                 f"API {self.api_version}" if self.api_version else None,
                 f"{self.store} store" if self.store else None]
        return ", ".join(p for p in parts if p)


def version_at_least(version: str, minimum: str) -> bool:
    """Whether an API version (``1.45``) is ``minimum`` or newer, number by number (``1.9`` < ``1.10``).

    Raises:
        ValueError: a part is not a number.
    """
    have, want = ([int(part) for part in text.split(".")] for text in (version, minimum))
    width = max(len(have), len(want))
    return have + [0] * (width - len(have)) >= want + [0] * (width - len(want))


def image_store(info: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """(store, driver) from ``GET /info``: ``containerd`` when the driver is the containerd snapshotter.

    Engine 24 to 29 report the containerd image store as ``"DriverStatus": [["driver-type",
    "io.containerd.snapshotter.v1"]]`` (``docker info``: ``driver-type: io.containerd.snapshotter.v1``).
    """
    if not isinstance(info, dict) or not info.get("Driver"):
        return None, None
    status = {str(pair[0]): str(pair[1]) for pair in info.get("DriverStatus") or () if len(pair) == 2}
    store = "containerd" if status.get("driver-type") == CONTAINERD_DRIVER_TYPE else "classic"
    return store, str(info["Driver"])


def facts_from(version: dict[str, Any] | None, info: dict[str, Any] | None, api_version: str | None) -> ServerFacts:
    """The facts from ``/version`` and ``/info`` answers (either may be None when the engine did not give it)."""
    store, driver = image_store(info)
    engine = version.get("Version") if isinstance(version, dict) else None
    return ServerFacts(str(engine) if engine else None, api_version, store, driver)


class EngineLabel(str):
    """An engine's name (``unix:///var/run/docker.sock``, a context's name) that also knows the engine's facts.

    It is the name wherever a ``str`` is expected (``df.attrs["engine"]``, equality, dict keys); the engine line
    of a result reads :attr:`about` too.
    """

    facts: ServerFacts | None

    def __new__(cls, name: str, facts: ServerFacts | None = None) -> EngineLabel:
        self = super().__new__(cls, name)
        self.facts = facts
        return self

    @property
    def about(self) -> str:
        """``Engine 26.1.5, API 1.45, containerd store``, or "" when nothing is known."""
        return self.facts.describe() if self.facts else ""

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle keep the facts (pandas deep-copies attrs)
        return EngineLabel, (str(self), self.facts)


def describe(engine: str | None) -> str:
    """The text of an engine line: ``NAME: Engine 26.1.5, API 1.45, containerd store`` (the name alone if unknown)."""
    if not engine:
        return ""
    about = getattr(engine, "about", "")
    return f"{engine}: {about}" if about else str(engine)
