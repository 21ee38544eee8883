"""``%docker builder prune``: remove BuildKit's build cache, after a look and a yes as ``image prune`` asks."""

from __future__ import annotations

from typing import Any

from ..command import Command
from ..engine.build.buildkit import plan_cache_prune
from ..engine.filters import parse_until
from ..session import Session
from .filters import parse_filters


def prune(cmd: Command, session: Session) -> Any:
    """Remove build cache: at once with ``-f``, after a look and a yes otherwise, never with ``--dry-run``."""
    from ..views.buildcache import plan_frame, pruned_frame
    from ..views.confirm import confirm

    engine = session.engine(cmd)
    filters = _filters(cmd.filter)

    def run() -> Any:
        report = engine.prune_build_cache(all=cmd.all, filters=filters)
        return pruned_frame(report, engine.label)

    if cmd.force and not cmd.dry_run:
        return run()
    preview = plan_frame(plan_cache_prune(engine.build_cache(), all=cmd.all, filters=filters), engine.label)
    if cmd.dry_run or not len(preview):
        return preview
    return confirm(preview, run, session.shell, verb="builder prune", forms=session.settings.forms)


def _filters(values: list[str]) -> dict[str, list[str]]:
    filters = parse_filters(values, hint="Write --filter until=24h.")
    for text in filters.get("until", ()):
        parse_until(text)  # refuse a bad duration before asking anything
    return filters
