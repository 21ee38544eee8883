"""``%docker tag``, ``rmi`` (``image rm``/``image remove``) and ``image prune``."""

from __future__ import annotations

from typing import Any

from ..command import Command
from ..engine.containers.kept import kept_by_containers
from ..engine.lifecycle import prune_filters
from ..errors import DockerMagicError, UsageError
from ..session import Session
from ..views.frontend import shows_forms
from .form_request import FormRequest
from .images import parse_filters
from .platforms import check_platform


def tag(cmd: Command, session: Session) -> Any:
    """Give an image a new reference; silent on success, as the CLI is. No target in a notebook: a form."""

    if not cmd.target and shows_forms(session.settings.forms):
        return FormRequest("tag")
    if not cmd.source or not cmd.target:
        raise UsageError("'%docker tag' needs a source image and a target reference",
                         hint="Write %docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG], e.g. "
                              "%docker tag app:1.0 127.0.0.1:5000/team/app:1.0.")
    session.engine(cmd).tag(cmd.source, cmd.target)


def rm(cmd: Command, session: Session) -> Any:
    """Remove images; a DataFrame with one row per Untagged/Deleted event.

    Every image is tried (as the CLI does); when some fail, the first failure is raised and says how many
    others were removed. A list given twice (``images -q`` lists an ID once per tag) is removed once.
    """
    from ..views import lifecycle as lifecycle_views

    if not cmd.images:
        raise UsageError("'%docker rmi' requires at least 1 argument",
                         hint="Write %docker rmi IMAGE [IMAGE...]; a Python list works too: %docker rmi {ids}.")
    engine = session.engine(cmd)

    check_platform(engine, "rmi", cmd.platform)
    events, failures = [], []
    for image in dict.fromkeys(cmd.images):
        try:
            events += engine.remove(image, force=cmd.force, no_prune=cmd.no_prune)
        except DockerMagicError as exc:
            failures.append(exc)
    if failures:
        raise _some_failed(failures, len({e.image for e in events}))
    return lifecycle_views.events_frame([(e.action, e.reference) for e in events], engine=engine.label,
                                        images=[e.image for e in events])


def _some_failed(failures: list[DockerMagicError], removed: int) -> DockerMagicError:
    first = failures[0]
    if len(failures) == 1 and not removed:
        return first
    more = f" (and {len(failures) - 1} other failures)" if len(failures) > 1 else ""
    done = f" The other {removed} image{'s were' if removed != 1 else ' was'} removed." if removed else ""
    return type(first)(first.message + more, hint=(first.hint or "") + done)


def prune(cmd: Command, session: Session) -> Any:
    """Remove unused images: at once with ``-f``, after a look and a yes otherwise, never with ``--dry-run``."""
    from ..views import lifecycle as lifecycle_views

    engine = session.engine(cmd)
    filters = prune_filters(cmd.all, parse_filters(cmd.filter))

    def run(kept: list[Any]) -> Any:  # the images the engine skips silently: say which, and why
        report = engine.prune(filters)
        return lifecycle_views.with_kept(
            lifecycle_views.pruned_frame(report.events, report.space_reclaimed, engine=engine.label), kept)

    if cmd.force and not cmd.dry_run:
        return run(kept_by_containers(engine, filters))
    plan, kept = engine.preview_prune(filters)  # one listing of images and containers for both
    preview = lifecycle_views.with_kept(lifecycle_views.plan_frame(plan, engine=engine.label), kept)
    if cmd.dry_run or not len(preview):
        return preview
    from ..views.confirm import confirm

    return confirm(preview, lambda: run(kept), session.shell, forms=session.settings.forms)


