"""``%%docker build`` with BuildKit (the default, as the Docker CLI's): which builder, the flags, the run.

:func:`use_buildkit` decides the builder as the CLI does (``DOCKER_BUILDKIT``, else what the engine has);
:func:`check_flags` refuses what needs a BuildKit session; :func:`run` builds, shows the steps, names a failing
step in one line, and tags the image only once it is built.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import Any

from ..engine.build.buildkit import Trace
from ..errors import BuildError, DockerMagicError, UsageError
from ..units import go_bool, human_size
from ..views import buildsteps
from ..views.results import BuiltImage

#: A failed RUN's exit code in the engine's words: BuildKit's "exit code: N", the classic builder's "returned a
#: non-zero code: N".
_EXIT = re.compile(r"(?:exit code|returned a non-zero code): (\d+)")
#: What to do after a step of either builder failed.
STEP_FIX = "Fix the Dockerfile line and run the cell again."


def step_exit_code(text: str) -> int | None:
    """The exit code a failed RUN step reports in ``text``, or None."""
    found = _EXIT.search(text)
    return int(found[1]) if found else None
_TAIL = 5  # lines of a failing step's output in the error line
#: Flags that need a BuildKit session (a gRPC stream back to the client), which the Engine API alone cannot give.
_SESSION_FLAGS = {
    "secret": ("--secret needs a BuildKit session, which builds from a notebook do not have",
               "Build in a terminal with 'docker buildx build --secret ...', or give the value with --build-arg "
               "(it then stays in the image's history)."),
    "ssh": ("--ssh needs a BuildKit session, which builds from a notebook do not have",
            "Build in a terminal with 'docker buildx build --ssh ...', or copy what the step fetches into the "
            "context first."),
    "output": ("--output needs a BuildKit session, which builds from a notebook do not have",
               "Build the image with -t, then take its files out with %docker save, or build in a terminal with "
               "'docker buildx build --output ...'."),
}


def use_buildkit(engine: Any) -> bool:
    """BuildKit unless ``DOCKER_BUILDKIT`` says no (the CLI's switch) or the engine has none.

    Raises:
        UsageError: ``DOCKER_BUILDKIT`` is not a boolean (the CLI refuses it too).
    """
    value = os.environ.get("DOCKER_BUILDKIT", "")
    if go_bool(value) is False:
        return False
    if value and go_bool(value) is None:
        raise UsageError(f"DOCKER_BUILDKIT environment variable expects boolean value: {value!r}",
                         hint="Set it to 1 (BuildKit) or 0 (the classic builder), or unset it.")
    if value:
        if engine.is_podman():
            raise UsageError("DOCKER_BUILDKIT=1: Podman has no BuildKit (it builds with Buildah, through the classic "
                             "builder's API)", hint="To fix it, unset DOCKER_BUILDKIT; the build then runs on Podman.")
        if engine.context_route() == "none":
            raise UsageError(
                "BuildKit on this engine cannot read a build context sent through the Engine API: Engine before 27.5 "
                "with the containerd image store (moby/moby#47717), and not on this machine, so it cannot fetch the "
                "context from here either", hint="To fix it, unset DOCKER_BUILDKIT (the classic builder is used), "
                                                 "or upgrade the engine to 27.5 or newer.")
        return True
    # Such an engine elsewhere gets the classic builder, as from a Docker CLI without buildx.
    return engine.supports_buildkit() and engine.context_route() != "none"


def check_flags(cmd: Any) -> None:
    """Refuse, in one line each, the flags that need a BuildKit session.

    Raises:
        UsageError: --secret, --ssh or --output was given.
    """
    for name, (what, hint) in _SESSION_FLAGS.items():
        if cmd.options.get(name):
            raise UsageError(what, hint=hint)


def shm_size(text: str | None) -> int | None:
    """``--shm-size 64m`` in bytes (the CLI's RAMInBytes: b, k, m, g, t, p, binary multiples)."""
    if not text:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?", text.strip().lower())
    if not match:
        raise UsageError(f"invalid argument '{text}' for \"--shm-size\" flag: invalid size",
                         hint="Write a size like 64m or 1g.")
    return int(float(match[1]) * 1024 ** "bkmgtp".index(match[2] or "b"))


def run(cmd: Any, session: Any, engine: Any, context: Any, spec: Any, options: Any) -> Any:
    """Build with BuildKit; return the :class:`~docker_magics.views.results.BuiltImage`, tagged.

    Raises:
        BuildError: a step failed (one line: the step, its exit code, its last lines) or the engine refused.
        KeyboardInterrupt: passed on after the stream is closed (the engine cancels the build).
    """

    title = f"Building {spec.tags[0].familiar()}" if spec.tags else f"Building from {spec.label}"
    display = buildsteps.steps_display(session.settings.progress, title, quiet=cmd.quiet)
    network = options.network if options.network else engine.default_network()
    options = replace(options, dockerfile=context.dockerfile, network=network)
    display.start()
    display.line(f"Sending build context to Docker daemon  {human_size(context.size, 4)} (BuildKit)")
    try:
        with engine.buildkit_build(context.file, context.size, options) as stream:
            image_id = _follow(stream, display)
        for ref in spec.tags:  # only now: a failed or interrupted build leaves no tag behind
            engine.tag(image_id, ref.familiar())
            display.line(f"naming to {ref.familiar()} done")
    except DockerMagicError as exc:
        if cmd.quiet and (step := display.steps.failed()) is not None:  # the CLI shows a quiet build's log
            from ..views.display import message

            message("\n".join(step.output()))
        display.finish(False, exc.line() if hasattr(exc, "line") else str(exc))
        raise
    except KeyboardInterrupt:
        display.finish(False, "interrupted")
        raise
    image = BuiltImage(image_id, tuple(ref.familiar() for ref in spec.tags), quiet=cmd.quiet,
                       engine=engine.label, builder="buildkit", steps=display.steps.steps)
    image.display_cpu = display.cpu
    display.finish(True, f"built {image.short_id}")
    return image


def _follow(stream: Any, display: Any) -> str:
    """Show every trace; raise at the first error with the failing step named. Returns the image ID."""

    image_id = None
    for event in stream:
        if isinstance(event, Trace):
            display.trace(event)
        elif isinstance(event, tuple):
            image_id = event[1]
        elif event.get("error") or event.get("errorDetail"):
            raise failure(display.steps, str(event.get("error") or event["errorDetail"].get("message") or ""))
    if not image_id:
        raise BuildError("The engine finished the build without naming the image",
                         hint="Look for it with '%docker images -a' and report this.")
    return image_id


def failure(steps: Any, text: str) -> DockerMagicError:
    """One line for a failed BuildKit build: the step, its exit code and its last lines, or the engine's reason."""
    text = " ".join(text.split())
    step = steps.failed()
    if (step is not None and step.name.startswith("resolve image config for ")) or "frontend gateway" in text:
        frontend = step.name.removeprefix("resolve image config for ") if step else "the # syntax= image"
        frontend = frontend.removeprefix("docker-image://")  # Engine 26's BuildKit names the source's scheme
        cause = (step.error if step else text).split(": ")[-1]
        error = BuildError(f"The Dockerfile's '# syntax=' line needs the frontend image {frontend}, which the "
                           f"engine cannot pull ({cause})",
                           hint="Remove the # syntax= line (the engine's built-in Dockerfile frontend is used), "
                                "or make the image available to the engine.")
    elif step is not None:
        code = step_exit_code(step.error)
        tail = [line for line in step.output() if line.strip()][-_TAIL:]
        shown = f"; last output: {' | '.join(tail)}" if tail else ""
        error = BuildError(f"{_short(step.name)} failed with exit code {code}{shown}" if code is not None
                           else f"{_short(step.name)} failed: {step.error}", hint=STEP_FIX)
    else:
        error = BuildError(f"The build failed: {text}", hint="Check the Dockerfile and the flags, and run it again.")
    error.engine_text = text
    return error


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"
