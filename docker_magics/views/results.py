"""What single operations return: small result objects with the CLI's words as their notebook display.

A pull, push, login, build or save is not a listing: its result is a value to keep (``pushed.digest``,
``img = _`` after a build), shown the way the Docker CLI ends the same command, with the engine it ran on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.identity import describe
from ..units import escape_html, human_size, truncate_id
from .buildsteps import steps_frame
from .display import engine_line


@dataclass(frozen=True)
class Pulled:
    """What a pull did: the reference, the engine's status and the digest (one per tag with ``-a``)."""

    reference: str
    status: str  # "Downloaded newer image" or "Image is up to date"
    digest: str | None = None
    digests: tuple[tuple[str, str], ...] = ()  # (tag, digest) for --all-tags
    engine: str | None = field(default=None, compare=False)  # the engine that pulled: shown, not compared

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        lines = [f"Status: {self.status} for {self.reference}"]
        lines += [f"Digest: {self.digest}"] if self.digest else []
        lines += [f"{tag}: {digest}" for tag, digest in self.digests]
        printer.text("\n".join(lines) + engine_line(self.engine))


@dataclass(frozen=True)
class PushedTag:
    """One tag the registry accepted."""

    tag: str
    digest: str
    size: int  # bytes of the manifest, as the CLI reports it


@dataclass(frozen=True)
class Pushed:
    """What a push did: the repository and, per tag, the digest the registry now serves."""

    repository: str
    tags: tuple[PushedTag, ...]
    engine: str | None = field(default=None, compare=False)  # the engine that pushed: shown, not compared

    @property
    def digest(self) -> str | None:
        """The pushed digest (the first tag's, with ``-a``)."""
        return self.tags[0].digest if self.tags else None

    @property
    def digests(self) -> dict[str, str]:
        """Tag -> digest."""
        return {t.tag: t.digest for t in self.tags}

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("\n".join([f"Pushed {self.repository}"] +
                               [f"{t.tag}: digest: {t.digest} size: {t.size}" for t in self.tags])
                     + engine_line(self.engine))


@dataclass(frozen=True)
class LoggedIn:
    """A login that the registry accepted and that is now stored (never the secret itself)."""

    server: str
    username: str
    status: str
    stored_in: str  # config.json's path or the credential helper's name

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.status)


class BuiltImage(str):
    """The image a build made: its full ID (``sha256:...``) as a string, and the tags given with ``-t``.

    Being a ``str`` it goes straight into the next command: ``img = _`` then ``%docker history $img``.
    """

    tags: tuple[str, ...]
    quiet: bool
    engine: str | None
    builder: str  # "buildkit" or "classic"
    display_cpu: float | None  # seconds of CPU the progress display spent (BuildKit builds)

    def __new__(cls, image_id: str, tags: tuple[str, ...] = (), *, quiet: bool = False,
                engine: str | None = None, builder: str = "classic", steps: list[Any] | None = None) -> BuiltImage:
        self = super().__new__(cls, image_id)
        self.tags, self.quiet, self.engine, self.builder = tuple(tags), quiet, engine, builder
        self._steps, self.display_cpu = list(steps or []), None
        return self

    @property
    def steps(self) -> Any:
        """The build's steps as a DataFrame (step, name, cached, duration in seconds, error); BuildKit builds only."""

        return steps_frame(self._steps)

    @property
    def id(self) -> str:
        """The full image ID."""
        return str(self)

    @property
    def short_id(self) -> str:
        """The 12 characters ``docker images`` shows."""
        return truncate_id(str(self))

    def __repr__(self) -> str:
        return f"BuiltImage({str(self)!r}, tags={list(self.tags)!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        if self.quiet:  # -q: only the ID, as the CLI prints it
            printer.text(str(self))
        else:
            cached = sum(1 for step in self._steps if step.cached)
            steps = f" [BuildKit: {len(self._steps)} steps, {cached} cached]" if self.builder == "buildkit" else ""
            printer.text(f"Built {self.short_id}" + (f" ({', '.join(self.tags)})" if self.tags else "") + steps
                         + engine_line(self.engine))


@dataclass(frozen=True)
class SavedArchive:
    """What ``save`` wrote: the file, its size and sha256, and the images in it."""

    path: str
    bytes: int
    sha256: str
    images: list[str] = field(default_factory=list)
    engine: str | None = field(default=None, compare=False)  # the engine the images came from

    def summary(self) -> str:
        """One line: what was saved where."""
        count = len(self.images)
        return (f"Saved {count} image{'s' if count != 1 else ''} to {self.path} "
                f"({human_size(self.bytes)}, sha256:{self.sha256})")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.summary() + engine_line(self.engine))

    def _repr_html_(self) -> str:
        items = "".join(f"<li><code>{escape_html(i)}</code></li>" for i in self.images)
        engine = f"<br><small>engine: {escape_html(describe(self.engine))}</small>" if self.engine else ""
        return (f"<div>Saved to <code>{escape_html(self.path)}</code> ({human_size(self.bytes)})<br>"
                f"<small>sha256:{self.sha256}</small><ul>{items}</ul>{engine}</div>")

