"""The one exception family users see.

Every mistake of the user's and every refusal of the engine or registry ends as a
:class:`DockerMagicError`. IPython calls ``_render_traceback_`` on it, so a notebook shows one
line (what failed, what to do next) instead of a traceback. Anything else that escapes is a bug of
ours and keeps its traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator


class DockerMagicError(Exception):
    """A failure the user can act on, shown as one line.

    Args:
        message: what failed.
        hint: what to do next.
        status: the HTTP status the engine or registry answered, when one did.
        engine_text: what the engine or registry said, word for word (never our own sentence), so that
            callers decide on it without parsing our messages back.
    """

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None,
                 engine_text: str | None = None) -> None:
        self.message = message
        self.hint = hint
        self.status = status
        self.engine_text = engine_text
        super().__init__(self.line())

    def line(self) -> str:
        """The single line shown to the user: what failed, then what to do."""
        if not self.hint:
            return _one_line(self.message)
        stop = "" if self.message.endswith((".", "?", "!", ":")) else "."
        return _one_line(f"{self.message}{stop} {self.hint}")

    def _render_traceback_(self) -> list[str]:
        # IPython prints these lines instead of a traceback.
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self.line()}"]


def _one_line(text: str) -> str:
    # A message may quote the user's value, and a value put in with $var or {expr} may hold line breaks.
    return text.replace("\r", "\\r").replace("\n", "\\n")


class UsageError(DockerMagicError):
    """The command line does not follow the grammar (unknown verb or flag, missing argument)."""


class EngineUnavailableError(DockerMagicError):
    """The Docker engine cannot be reached."""


class PermissionDeniedError(DockerMagicError):
    """The engine's socket exists but this user may not use it."""


class ImageNotFoundError(DockerMagicError):
    """No such image, locally or in the registry."""


class ContainerNotFoundError(DockerMagicError):
    """No such container on the engine."""


class ContainerExitError(DockerMagicError):
    """A container run in the foreground exited with a non-zero code; ``result`` keeps its exit code and output."""

    def __init__(self, message: str, *, result: object = None, hint: str | None = None) -> None:
        self.result = result
        super().__init__(message, hint=hint)


class ConflictError(DockerMagicError):
    """The engine refused because of a conflict (image in use, ambiguous reference)."""


class RegistryError(DockerMagicError):
    """A registry refused or failed (pull, push, search, login)."""


class RegistryAuthError(RegistryError):
    """The registry refused the credentials, or asked for some."""


class CredentialStoreError(RegistryError):
    """config.json or a credential helper failed (never with the secret in the message)."""


class Stalled(RegistryError):
    """The engine sent nothing for ``seconds`` during a pull or push (it waits on a silent registry)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"no answer for {seconds:g} s")


class InvalidReferenceError(DockerMagicError):
    """An image reference that Docker would reject."""


class TemplateError(DockerMagicError):
    """A --format template that does not parse or fails to execute."""


class StreamError(DockerMagicError):
    """An error reported inside a progress stream (pull, push, build, load)."""


class BuildError(StreamError):
    """A build failed: a step of the Dockerfile, or the engine refused the Dockerfile or the flags."""


class Interrupted(DockerMagicError):
    """The user interrupted a long operation; it was stopped cleanly."""


@contextlib.contextmanager
def interrupts_as(message: str, hint: str | None = None) -> Iterator[None]:
    """Turn Ctrl-C inside the block into one :class:`Interrupted` line (the kernel stays usable).

    The block's own ``finally`` clauses run first, so streams are closed and half-written files removed
    before the line is shown.
    """
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(message, hint=hint) from None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return ``"Did you mean 'x'?"`` for the closest choice, or None when nothing is close."""
    import difflib  # only when a hint is needed: keeps %load_ext fast

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'?" if close else None
