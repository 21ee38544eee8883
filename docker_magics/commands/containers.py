"""The containers runs leave: ``%docker ps``, ``logs``, ``stop``, ``rm``, ``container prune`` and ``commit``.

``%docker run`` itself is :mod:`.run`. ``rm`` removes containers, as in the CLI; images stay ``rmi``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ..command import Command
from ..engine import references
from ..engine.containers.demux import CAPTURE_LIMIT, Tail
from ..engine.filters import match_labels, parse_until
from ..errors import DockerMagicError, Interrupted, UsageError
from ..session import Session
from ..views import containers as views
from ..views.display import Text
from .filters import parse_filters

if TYPE_CHECKING:
    from ..engine.client import Engine

#: What the engine accepts in ``commit -c`` (moby's validCommitCommands), one instruction per ``-c``.
_CHANGE_HINT = ("To fix it, give -c one of CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, "
                "USER, VOLUME or WORKDIR, one instruction per -c (e.g. -c 'CMD [\"sh\"]').")
_PS_FILTERS = "Write --filter status=exited, --filter name=NAME, --filter label=KEY=VALUE, --filter ancestor=IMAGE."


def _listing(engine: Engine, cmd: Command, session: Session) -> list[dict[str, Any]]:
    """The rows ``docker ps`` gets; without filters or sizes, from the container index where it is faster."""
    filters = parse_filters(cmd.filter, hint=_PS_FILTERS)
    last = cmd.last if cmd.last is not None and cmd.last >= 0 else None
    if cmd.latest:
        last = 1
    setting = session.settings.index
    if not filters and not cmd.size and setting:
        return engine.container_rows(all=cmd.all, limit=last, index="always" if setting == "always" else "auto")
    return engine.list_containers(all=cmd.all or last is not None, filters=filters, size=cmd.size, limit=last)


def ps(cmd: Command, session: Session) -> Any:
    """List containers (running ones; every one with ``-a``): a DataFrame, or a list of IDs with ``-q``.

    With several engines, dispatch runs it on each and stacks the frames under an ``engine`` column.
    """
    engine = session.engine(cmd)
    if cmd.format:
        return _formatted(engine, cmd, session)
    containers = _listing(engine, cmd, session)
    if cmd.quiet:
        return views.ps_ids(containers, no_trunc=cmd.no_trunc)
    return views.ps_frame(containers, size=cmd.size, no_trunc=cmd.no_trunc, engine=engine.label)


def _formatted(engine: Engine, cmd: Command, session: Session) -> Any:
    """``ps --format``: the CLI's text, from the CLI's container context (``ps -s`` adds the SIZE column)."""
    from ..gotemplate import format_list
    from ..gotemplate.containers import ps_rows, wants_size

    size = wants_size(cmd.format, cmd.size)
    # In the engine's order, newest first to the nanosecond (Created is in seconds: no sort of ours could keep it).
    found = _listing(engine, dataclasses.replace(cmd, options={**cmd.options, "size": size}), session)
    return Text(format_list(cmd.format, ps_rows(found, no_trunc=cmd.no_trunc), command="ps", digests=cmd.size,
                            quiet=cmd.quiet))


def read_logs(engine: Engine, container: str, *, tail: str | None = None, since: str | None = None,
              timestamps: bool = False, follow: bool = False) -> Any:
    """A container's output (:class:`~docker_magics.views.containers.ContainerLogs`); with ``follow``, also
    written into the cell as it comes, until the container stops (or Ctrl-C)."""
    tty = bool(engine.inspect_container(container).get("Config", {}).get("Tty"))
    tails = {1: Tail(CAPTURE_LIMIT), 2: Tail(CAPTURE_LIMIT)}
    display = views.OutputDisplay(quiet=not follow)
    try:
        with engine.container_output(container, follow=follow, tail=tail, since=since, timestamps=timestamps,
                                     tty=tty) as output:
            for stream, data in output:
                tails[stream].add(data)
                display.write(stream, data)
    except KeyboardInterrupt:
        raise Interrupted(f"Stopped following the output of {container} (the container still runs)") from None
    finally:
        display.close()
    return views.ContainerLogs(container, tails[1].text(), tails[2].text(), tails[1].dropped + tails[2].dropped,
                         shown=follow)


def logs(cmd: Command, session: Session) -> Any:
    """``%docker logs [-f] [--tail N] [-t] [--since T] CONTAINER``."""
    if not cmd.container:
        raise UsageError('"docker logs" requires exactly 1 argument.',
                         hint="Write %docker logs [OPTIONS] CONTAINER.")
    return read_logs(session.engine(cmd), cmd.container, tail=cmd.tail, since=cmd.since,
                     timestamps=cmd.timestamps, follow=cmd.follow)


def _each_container(cmd: Command, verb: str, call: Any) -> Any:
    """Run ``call`` on every container named (as the CLI does, every one is tried); the names, as the CLI prints
    them; the first failure is raised once the others are done, saying how many went through."""
    if not cmd.containers:
        raise UsageError(f'"docker {verb}" requires at least 1 argument.',
                         hint=f"Write %docker {verb} [OPTIONS] CONTAINER [CONTAINER...].")
    done, failures = [], []
    for container in dict.fromkeys(cmd.containers):
        try:
            call(container)
            done.append(container)
        except DockerMagicError as exc:
            failures.append(exc)
    if failures:
        first = failures[0]
        more = f" (and {len(failures) - 1} other failures)" if len(failures) > 1 else ""
        went = f" {len(done)} other{'s' if len(done) != 1 else ''} went through: {', '.join(done)}." if done else ""
        raise type(first)(first.message + more, hint=(first.hint or "") + went)
    return Text("\n".join(done))


def stop(cmd: Command, session: Session) -> Any:
    """``%docker stop [-t N] CONTAINER...``: the engine's stop signal, then a kill after the timeout."""
    engine = session.engine(cmd)
    return _each_container(cmd, "stop", lambda c: engine.stop_container(c, cmd.time))


def rm(cmd: Command, session: Session) -> Any:
    """``%docker rm [-f] [-v] CONTAINER...``: remove containers (images are ``rmi``)."""
    engine = session.engine(cmd)
    return _each_container(cmd, "rm", lambda c: engine.remove_container(c, force=cmd.force, volumes=cmd.volumes))


def prune(cmd: Command, session: Session) -> Any:
    """``%docker container prune``: remove stopped containers; at once with ``-f``, after a look and a yes
    otherwise, never with ``--dry-run``."""
    engine = session.engine(cmd)
    filters = parse_filters(cmd.filter, hint="Write --filter until=24h or --filter label=KEY=VALUE.")
    unknown = sorted(set(filters) - {"until", "label", "label!"})
    if unknown:
        raise UsageError(f"invalid filter '{unknown[0]}' for container prune",
                         hint="Use --filter until=<timestamp or duration>, label=<key>[=<value>] or "
                              "label!=<key>[=<value>].")

    def run() -> Any:
        report = engine.prune_containers(filters)
        return views.pruned_frame(report.get("ContainersDeleted") or [], int(report.get("SpaceReclaimed") or 0),
                                  engine=engine.label)

    if cmd.force and not cmd.dry_run:
        return run()
    until = min((parse_until(v) for v in filters.get("until", [])), default=None)
    stopped = [c for c in engine.list_containers(all=True, size=True)
               if c.get("State") != "running" and c.get("State") != "paused"
               and (until is None or c.get("Created", 0) < until) and match_labels(filters, c.get("Labels") or {})]
    preview = views.prune_plan_frame(stopped, engine=engine.label)
    if cmd.dry_run or not len(preview):
        return preview
    from ..views.confirm import confirm

    return confirm(preview, run, session.shell, verb="container prune", forms=session.settings.forms)


def commit(cmd: Command, session: Session) -> Any:
    """``%docker commit [-a] [-c] [-m] [-p] CONTAINER [REPOSITORY[:TAG]]``: the new image's ID."""
    if not cmd.container:
        raise UsageError('"docker commit" requires at least 1 and at most 2 arguments.',
                         hint="Write %docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]].")
    repository, tag = references.new_image_name(cmd.reference, "commit")
    try:
        image_id = session.engine(cmd).commit_container(cmd.container, repository=repository, tag=tag,
                                                        message=cmd.message, author=cmd.author,
                                                        changes=list(cmd.change), pause=cmd.pause)
    except UsageError as exc:  # the engine checks each -c (the CLI passes them on as they are)
        if not cmd.change:
            raise
        raise UsageError(exc.message, hint=_CHANGE_HINT, status=exc.status, engine_text=exc.engine_text) from None
    return Text(image_id)
