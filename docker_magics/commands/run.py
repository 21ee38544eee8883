"""``%docker run`` (``container run``) and ``%%docker run``: a command, or the cell as a script, run in an image.

The output streams into the cell as it comes (stdout and stderr apart); the result keeps the exit code, the
container's ID and the last part of each stream. A non-zero exit is one line after the output already shown;
Ctrl-C stops the container (the engine's stop, then its kill) and removes it where the run would have.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from typing import TYPE_CHECKING, Any

from ..command import Command
from ..engine.containers.demux import CAPTURE_LIMIT, Tail
from ..engine.containers.options import RunOptions, shown_command
from ..errors import ConflictError, ContainerExitError, DockerMagicError, ImageNotFoundError, Interrupted, UsageError
from ..session import Session
from ..views import containers as views
from ..views.display import message
from .containers import read_logs
from .transfer import pull

if TYPE_CHECKING:
    from ..engine.client import Engine

#: Seconds the engine gives an interrupted container to stop before it kills it (unless --stop-timeout says).
INTERRUPT_STOP_SECONDS = 3
_PULL_CHOICES = ("missing", "always", "never")


def _refuse_terminal(cmd: Command) -> None:
    for flag, on in (("-t/--tty", cmd.tty), ("-i/--interactive", cmd.interactive)):
        if on:
            raise UsageError(f"{flag} needs a terminal, and a notebook cell has none: the output streams into the "
                             "cell, and there is no standard input to read",
                             hint="To fix it, drop " + flag.split("/")[0] + "; for a script, use a %%docker run cell.")


def _options(cmd: Command) -> RunOptions:
    if not cmd.image:
        raise UsageError("'%docker run' requires at least 1 argument",
                         hint="Write %docker run [OPTIONS] IMAGE [COMMAND] [ARG...].")
    command = list(cmd.command or ())
    if cmd.cell is not None:
        if command:
            raise UsageError("'%%docker run' takes the cell as its command: give no COMMAND on the magic's line",
                             hint="Write %%docker run [OPTIONS] IMAGE, and the script in the cell.")
        command = [cmd.shell or "/bin/sh", "-c", cmd.cell]
    elif cmd.shell:
        raise UsageError("--shell goes with the cell form", hint="Write %%docker run --shell PATH IMAGE.")
    if cmd.pull and cmd.pull not in _PULL_CHOICES:
        raise UsageError(f'invalid pull option: \'{cmd.pull}\': must be one of "always", "missing" or "never"')
    return RunOptions(image=cmd.image, command=command, name=cmd.name, env=list(cmd.env),
                      env_files=list(cmd.env_file), volumes=list(cmd.volume), mounts=list(cmd.mount),
                      workdir=cmd.workdir, user=cmd.user, entrypoint=cmd.entrypoint, labels=list(cmd.label),
                      network=cmd.network, platform=cmd.platform, publish=list(cmd.publish), cpus=cmd.cpus,
                      memory=cmd.memory, gpus=cmd.gpus, stop_timeout=cmd.stop_timeout)


def _pull(cmd: Command, session: Session, image: str) -> None:
    """Pull as ``docker run`` does (with the pull's progress); its failures are the pull's one line."""
    options = {"name": image, "all_tags": False, "platform": cmd.platform, "quiet": False,
               "disable_content_trust": False}
    pull(dataclasses.replace(cmd, verb="pull", options=options), session)


def _create(engine: Engine, cmd: Command, session: Session, options: RunOptions) -> str:
    """Create the container, pulling its image first when it is missing (or always, with ``--pull always``)."""
    network = engine.run_network(options.network)
    if cmd.pull == "always":
        _pull(cmd, session, options.image)
    try:
        return engine.create_container(options, network)
    except ConflictError as exc:
        if not options.name:
            raise
        raise ConflictError(f"The container name '{options.name}' is already in use", status=exc.status,
                            engine_text=exc.engine_text,
                            hint=f"To fix it, remove that container (%docker rm -f {options.name}) or choose "
                                 "another --name.") from None
    except ImageNotFoundError as exc:
        if "image" not in (exc.engine_text or "").lower():
            raise
        if cmd.pull == "never":
            raise ImageNotFoundError(f"Unable to find image '{options.image}' locally (--pull never)",
                                     hint="To fix it, pull it first, or drop --pull never.") from None
    message(f"Unable to find image '{options.image}' locally")
    _pull(cmd, session, options.image)
    return engine.create_container(options, network)


def run(cmd: Command, session: Session) -> Any:
    """Run a command (or the cell) in a new container; a :class:`~docker_magics.views.containers.RunResult`.

    With ``-d``: the container's ID (a :class:`~docker_magics.views.containers.DetachedContainer`).

    Raises:
        UsageError: ``-t``/``-i``, a missing IMAGE, a bad flag value.
        ContainerExitError: the command exited with a non-zero code (the error's ``result`` keeps the run).
        Interrupted: Ctrl-C; the container was stopped (and removed where the run would have removed it).
    """
    _refuse_terminal(cmd)
    options = _options(cmd)
    engine = session.engine(cmd)
    container = _create(engine, cmd, session, options)
    if cmd.detach:
        return _detached(engine, options, container, auto_remove=cmd.rm)
    remove = cmd.rm or (cmd.cell is not None and not cmd.name)
    return _foreground(engine, cmd, options, container, remove)


def _start(engine: Engine, options: RunOptions, container: str) -> None:
    """Start the container; the engine's refusal (no such program in the image, a bad mount) is one line."""
    try:
        engine.start_container(container)
    except DockerMagicError as exc:
        said = (exc.engine_text or exc.message).rsplit("unable to start container process: ", 1)[-1]
        raise DockerMagicError(f"The container of {options.image} could not start: {said}", status=exc.status,
                               engine_text=exc.engine_text,
                               hint="To fix it, check the command and the flags (-v, --mount, -w, -u) against "
                                    "the image.") from None


def _detached(engine: Engine, options: RunOptions, container: str, *, auto_remove: bool) -> Any:
    try:
        _start(engine, options, container)
    except DockerMagicError:
        _quietly_remove(engine, container)
        raise
    if auto_remove:
        _remove_when_done(engine, container)
    return views.DetachedContainer(container, engine=engine.label, actions=container_actions(engine, container))


def _remove_when_done(engine: Engine, container: str) -> None:
    """``-d --rm``: a thread waits for the container and removes it (we never set the engine's AutoRemove, so that
    a foreground run can still read the output of a container that exited at once)."""
    def wait_and_remove() -> None:
        with contextlib.suppress(DockerMagicError):
            engine.wait_container(container)
            engine.remove_container(container, force=True, volumes=True)

    threading.Thread(target=wait_and_remove, name=f"docker-magics-rm-{container[:12]}", daemon=True).start()


def container_actions(engine: Engine, container: str) -> dict[str, Any]:
    """The functions a detached container's result calls: ``logs``, ``stop``, ``remove``."""

    return {"logs": lambda tail: read_logs(engine, container, tail=None if tail is None else str(tail)),
            "stop": lambda timeout: engine.stop_container(container, timeout),
            "remove": lambda force: engine.remove_container(container, force=force)}


def _foreground(engine: Engine, cmd: Command, options: RunOptions, container: str, remove: bool) -> Any:
    tails = {1: Tail(CAPTURE_LIMIT), 2: Tail(CAPTURE_LIMIT)}
    display = views.OutputDisplay()  # read at the call: a replaced display is the one used
    try:
        try:
            with engine.attached_output(container) as output:
                _start(engine, options, container)  # attached first: not a byte is missed
                for stream, data in output:
                    tails[stream].add(data)
                    display.write(stream, data)
            code = engine.wait_container(container)
        finally:
            display.close()
    except KeyboardInterrupt:
        raise _interrupted(engine, cmd, options, container, remove) from None
    except BaseException:
        if remove:
            _quietly_remove(engine, container)
        raise
    if remove:
        engine.remove_container(container, force=True, volumes=True)
    result = views.RunResult(container, code, tails[1].text(), tails[2].text(), tails[1].dropped, tails[2].dropped,
                       name=options.name, removed=remove, engine=engine.label, display_cpu=display.cpu)
    if code != 0:
        raise _exit_error(options, result)
    return result


def _quietly_remove(engine: Engine, container: str) -> None:
    with contextlib.suppress(DockerMagicError):
        engine.remove_container(container, force=True, volumes=True)


def _interrupted(engine: Engine, cmd: Command, options: RunOptions, container: str, remove: bool) -> Interrupted:
    """Ctrl-C: stop the container (the engine kills it after the timeout), remove it where the run would have."""
    timeout = cmd.stop_timeout if cmd.stop_timeout is not None else INTERRUPT_STOP_SECONDS
    try:
        engine.stop_container(container, timeout)
        if remove:
            engine.remove_container(container, force=True, volumes=True)
    except DockerMagicError as exc:
        return Interrupted(f"Run of {options.image} interrupted, but the container {container[:12]} could not be "
                           f"stopped: {exc.message}", hint=f"To fix it, run %docker rm -f {container[:12]}.")
    what = "stopped and removed" if remove else "stopped (it is kept: %docker rm " + container[:12] + " removes it)"
    return Interrupted(f"Run of {options.image} interrupted: the container {container[:12]} was {what}")


def _exit_error(options: RunOptions, result: Any) -> ContainerExitError:
    cell = len(options.command) == 3 and options.command[1] == "-c" and "\n" in options.command[2]
    shown = f"The cell run by {options.command[0]} in {options.image}" if cell else \
        shown_command(options.image, options.command)
    if len(shown) > 120:
        shown = shown[:117] + "..."
    last = next((line.strip() for line in reversed(result.stderr.splitlines()) if line.strip()), "")
    text = f"{shown} exited with code {result.exit_code}" + (f": {last}" if last else "")
    return ContainerExitError(text, result=result,
                              hint="The exit code and output are in the error's result "
                                   "(sys.last_value.result).")
