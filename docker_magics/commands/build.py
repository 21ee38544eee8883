"""``%%docker build`` (the cell is the Dockerfile) and ``%docker build PATH`` (PATH/Dockerfile, as the CLI).

The build log streams as it runs (a collapsible log in a notebook, plain lines elsewhere); a failing step ends in
one line naming the step and its exit code; the result is the built image (a ``str`` of its ID, with ``.tags``).
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..command import Command
from ..engine import references, streams
from ..engine.build.classic import BuildOptions
from ..errors import BuildError, DockerMagicError, Interrupted, RegistryAuthError, UsageError
from ..session import Session
from ..units import ellipsis, human_size
from ..views.progress import progress_for
from ..views.results import BuiltImage
from .buildkit import STEP_FIX, shm_size, step_exit_code

_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
_BUILT = re.compile(r"^Successfully built ([0-9a-f]+)$")
_UPLOAD_PROGRESS = 8_000_000  # show upload progress for contexts at least this big (bytes)


@dataclass(frozen=True)
class _Spec:
    """A build request, checked: where the context is and what the Dockerfile is."""

    context: Path
    dockerfile_text: str | None  # the cell
    dockerfile: Path | None  # -f, resolved against the working folder
    tags: tuple[Any, ...]  # references.Reference
    label: str  # the context as the user wrote it, for the title


def build(cmd: Command, session: Session) -> BuiltImage:
    """Build an image; return it once built and tagged.

    Raises:
        BuildError: a step failed (the message names it and its exit code) or the engine refused the Dockerfile.
        Interrupted: the user pressed Ctrl-C; the engine stopped the build.
    """
    from ..engine.build import context as buildcontext
    from . import buildkit

    buildkit.check_flags(cmd)
    spec = _spec(cmd)
    options = _options(cmd)
    if cmd.iidfile:
        _check_iidfile(Path(cmd.iidfile).expanduser())  # before the build, not after it
        with contextlib.suppress(FileNotFoundError):
            os.remove(cmd.iidfile)  # as the CLI does: a failed build leaves no stale ID behind
    engine = session.engine(cmd)
    with_buildkit = buildkit.use_buildkit(engine)
    context = buildcontext.prepare(spec.context, dockerfile_text=spec.dockerfile_text, dockerfile=spec.dockerfile)
    try:
        run = buildkit.run if with_buildkit else _run
        image = run(cmd, session, engine, context, spec, options)
    except KeyboardInterrupt:
        raise Interrupted("The build was interrupted; the engine stopped it",
                          hint="Run it again when ready: the steps that finished are cached.") from None
    finally:
        context.close()
    if cmd.iidfile:
        try:
            Path(cmd.iidfile).expanduser().write_text(str(image))
        except OSError as exc:
            raise DockerMagicError(f"Built {image}, but cannot write its ID to {cmd.iidfile}: {exc.strerror or exc}",
                                   hint="To fix it, give --iidfile a path you may write to.") from None
    return image


def _check_iidfile(target: Path) -> None:
    """``--iidfile`` must name a file in an existing folder: a build that cannot report its ID is refused first."""
    if not target.parent.is_dir():
        raise UsageError(f"Cannot write the image ID to {target}: the folder {target.parent} does not exist",
                         hint="To fix it, create the folder first, or give --iidfile another path.")
    if target.is_dir():
        raise UsageError(f"Cannot write the image ID to {target}: it is a directory",
                         hint="To fix it, give --iidfile the path of a file.")


def _spec(cmd: Command) -> _Spec:
    path = cmd.path
    if path == "-" or cmd.file == "-":
        raise UsageError("Reading a context or Dockerfile from stdin is not possible in a notebook",
                         hint="Write the Dockerfile in a %%docker build cell instead.")
    if path and re.match(r"^(https?://|git://|git@|github\.com/)", path):
        raise UsageError(f"Remote build contexts are not supported: {path}",
                         hint="Clone or download it, then build the folder.")
    cell = cmd.cell
    if cell is None and not path:
        raise UsageError('"docker build" requires exactly 1 argument.',
                         hint="Write %docker build PATH (e.g. '.'), or put the Dockerfile in a %%docker build cell.")
    if cell is not None and not cell.strip():
        raise UsageError("The cell is empty: it is the Dockerfile of %%docker build",
                         hint="Write the Dockerfile in the cell, or use the line form %docker build PATH.")
    if cell is not None and cmd.file:
        raise UsageError("-f/--file cannot be used with a %%docker build cell: the cell is the Dockerfile",
                         hint="Remove -f, or use the line form %docker build -f FILE PATH.")
    tags = []
    for tag in cmd.tag:
        ref = references.parse(tag)
        if ref.digest:
            raise UsageError(f"invalid argument '{tag}' for \"-t, --tag\" flag: refusing to create a tag with a "
                             "digest reference", hint="Give NAME[:TAG] to -t.")
        tags.append(ref.with_default_tag())
    base = Path.cwd()
    return _Spec(base / (path or "."), cell, base / cmd.file if cmd.file else None, tuple(tags), path or ".")


def _options(cmd: Command) -> Any:
    return BuildOptions(dockerfile="", buildargs=_build_args(cmd.build_arg), labels=_labels(cmd.label),
                        target=cmd.target, nocache=cmd.no_cache, pull=cmd.pull, platform=cmd.platform,
                        network=cmd.network, rm=cmd.rm, forcerm=cmd.force_rm,
                        cache_from=tuple(cmd.cache_from), extra_hosts=_hosts(cmd.add_host),
                        shm_size=shm_size(cmd.shm_size))


def _hosts(values: list[str]) -> tuple[str, ...]:
    """``--add-host HOST:IP`` (the CLI also takes HOST=IP)."""
    hosts = []
    for value in values:
        host, sep, ip = value.partition("=") if "=" in value else value.partition(":")
        if not host or not sep or not ip:
            raise UsageError(f"invalid argument '{value}' for \"--add-host\" flag: bad format for add-host",
                             hint="Write --add-host HOST:IP, e.g. --add-host db:10.0.0.5.")
        hosts.append(f"{host}:{ip}")
    return tuple(hosts)


def _build_args(values: list[str]) -> dict[str, str | None]:
    """``--build-arg K=V``; ``--build-arg K`` takes K from the environment, as the CLI does (unset: no value)."""
    args: dict[str, str | None] = {}
    for value in values:
        key, eq, arg = value.partition("=")
        if not key:
            raise UsageError(f"invalid argument '{value}' for \"--build-arg\" flag: invalid environment variable",
                             hint="Write --build-arg NAME=VALUE, e.g. --build-arg VERSION={version}.")
        args[key] = arg if eq else os.environ.get(key)
    return args


def _labels(values: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for value in values:
        key, _, text = value.partition("=")
        if not key:
            raise UsageError(f"invalid argument '{value}' for \"--label\" flag: the key is empty",
                             hint="Write --label KEY=VALUE.")
        labels[key] = text
    return labels


class _Log:
    """Turns the engine's ``stream`` chunks into whole lines for the display, and follows the steps."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.partial = ""
        self.step: tuple[int, int, str] | None = None
        self.step_lines: list[str] = []  # the running step's output, shown on failure with -q
        self.built: str | None = None

    def feed(self, text: str) -> None:
        *lines, self.partial = (self.partial + text).split("\n")
        for line in lines:
            self.line(line.rstrip("\r"))

    def flush(self) -> None:
        if self.partial:
            self.line(self.partial)
            self.partial = ""

    def line(self, line: str) -> None:
        if step := _STEP.match(line):
            self.step = (int(step[1]), int(step[2]), step[3])
            self.step_lines = []
            self.progress.step(self.step[0], self.step[1], line)
        if built := _BUILT.match(line):
            self.built = built[1]
        self.step_lines.append(line)
        del self.step_lines[:-500]
        self.progress.log(line)


def _run(cmd: Command, session: Session, engine: Any, context: Any, spec: _Spec, options: Any) -> BuiltImage:
    title = f"Building {spec.tags[0].familiar()}" if spec.tags else f"Building from {spec.label}"
    big = context.size >= _UPLOAD_PROGRESS
    progress = progress_for(session.settings.progress, title, quiet=cmd.quiet, total_bytes=context.size if big else 0)
    progress.start()
    log = _Log(progress)
    log.line(f"Sending build context to Docker daemon  {human_size(context.size, 4)}")
    try:
        with engine.build(context.file, context.size, replace(options, dockerfile=context.dockerfile),
                                 on_bytes=progress.advance if big else None) as stream:
            image_id = _follow(stream, log)
        image = _tag(engine, image_id or _resolve(engine, log.built), spec.tags, log, quiet=cmd.quiet)
    except DockerMagicError as exc:
        if cmd.quiet:  # the CLI shows a quiet build's output when it fails
            from ..views.display import message

            message("\n".join(log.step_lines))
        progress.finish(ok=False, message=exc.engine_text or "build failed")
        raise
    except KeyboardInterrupt:
        progress.finish(ok=False, message="interrupted")
        raise
    progress.finish(ok=True, message=f"built {image.short_id}")
    return image


def _follow(stream: Any, log: _Log) -> str | None:
    """Show every event; raise at the first error with the failing step named. Returns the image ID."""

    image_id = None
    for event in stream:
        if "stream" in event:
            log.feed(str(event["stream"]))
        try:
            streams.check(event)
        except DockerMagicError as exc:
            log.flush()
            raise _step_error(exc, event, log.step) from None
        aux = event.get("aux")
        if isinstance(aux, dict) and aux.get("ID"):
            image_id = aux["ID"]
    log.flush()
    return image_id


def _step_error(exc: DockerMagicError, event: dict[str, Any], step: tuple[int, int, str] | None) -> DockerMagicError:
    """One line: which step failed and how (its exit code for a RUN), and what to do."""
    text = " ".join(str(event.get("error") or (event.get("errorDetail") or {}).get("message") or "").split())
    detail = event.get("errorDetail") if isinstance(event.get("errorDetail"), dict) else {}

    code = detail.get("code") or step_exit_code(text)
    where = f"Step {step[0]}/{step[1]} ({ellipsis(' '.join(step[2].split()), 60)})" if step else "The build"
    what = f"{where} failed with exit code {code}" if code else f"{where} failed: {text}"
    # engine_text: what the CLI would print last; the progress display shows it.
    if isinstance(exc, RegistryAuthError):
        return RegistryAuthError(what, hint=exc.hint, engine_text=text)
    return BuildError(what, hint=STEP_FIX if step else "Check the Dockerfile and run the cell again.", engine_text=text)


def _resolve(engine: Any, short_id: str | None) -> str:
    """The full ID from "Successfully built abc123" (engines older than API 1.30 send no aux ID)."""
    if not short_id:
        raise BuildError("The engine finished the build without naming the image",
                         hint="Look for it with '%docker images -a' and report this.")
    return engine.inspect(short_id)["Id"]


def _tag(engine: Any, image_id: str, tags: tuple[Any, ...], log: _Log, *, quiet: bool) -> BuiltImage:
    """Apply every -t (the CLI's Successfully tagged lines) and return the result."""
    for ref in tags:
        engine.tag(image_id, ref.familiar())
        log.line(f"Successfully tagged {ref.familiar()}")
    return BuiltImage(image_id, tuple(ref.familiar() for ref in tags), quiet=quiet, engine=engine.label)
