"""The engine's JSON event streams (pull, push, load, build, import): read every event, raise on errors.

docker-py reports a failed push or pull inside a 200 stream and raises nothing; the CLI fails. So every
event goes through :func:`check`, and :func:`follow` hands each one to a progress display as it comes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import RegistryAuthError, StreamError

_AUTH_WORDS = ("unauthorized", "authentication required", "denied", "no basic auth credentials")


def refuses_credentials(text: str) -> bool:
    """Whether the engine's (or registry's) words say the registry refused or wants credentials."""
    lowered = text.lower()
    return any(word in lowered for word in _AUTH_WORDS)


def check(event: dict[str, Any], *, action: str = "") -> None:
    """Raise our one-line error when ``event`` reports an error (``error`` or ``errorDetail``)."""
    if not isinstance(event, dict):
        return
    detail = event.get("errorDetail") or {}
    message = event.get("error") or (detail.get("message") if isinstance(detail, dict) else None)
    if not message:
        return
    text = " ".join(str(message).split())
    prefix = f"{action} failed: " if action else ""
    if refuses_credentials(text):
        raise RegistryAuthError(f"{prefix}{text}", hint="Log in first with '%docker login SERVER'.", engine_text=text)
    raise StreamError(f"{prefix}{text}", engine_text=text)


def follow(events: Iterable[dict[str, Any]], sink: Any = None, *, action: str = "") -> Iterator[dict[str, Any]]:
    """Yield each event after checking it and showing it on ``sink`` (a :class:`~.progress.Progress`)."""
    for event in events:
        check(event, action=action)
        if sink is not None:
            sink.event(event)
        yield event


def drain(events: Iterable[dict[str, Any]], sink: Any = None, *, action: str = "") -> list[dict[str, Any]]:
    """Consume a whole stream through :func:`follow`; return the events that carry results.

    Only events with ``aux`` (digests, built IDs) or a final status are kept, so memory stays bounded
    however many progress events the engine sends.
    """
    kept: list[dict[str, Any]] = []
    for event in follow(events, sink, action=action):
        if "aux" in event or ("status" in event and "id" not in event):
            kept.append(event)
            del kept[:-1000]  # a pathological stream must not grow the kernel
    return kept
