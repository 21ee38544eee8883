"""``%docker builder prune``: remove BuildKit's build cache, after a look and a yes as ``image prune`` asks."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

from ..command import Command
from ..errors import UsageError
from ..session import Session
from .filters import parse_filters

_KEPT_WITHOUT_ALL = {"internal", "frontend"}  # BuildKit keeps these unless --all
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
COLUMNS = ["id", "type", "description", "size", "shared", "last_used"]


def prune(cmd: Command, session: Session) -> Any:
    """Remove build cache: at once with ``-f``, after a look and a yes otherwise, never with ``--dry-run``."""
    from ..views.confirm import confirm

    engine = session.engine(cmd)
    filters = _filters(cmd.filter)

    def run() -> Any:
        report = engine.prune_build_cache(all=cmd.all, filters=filters)
        return _pruned(report, engine.label)

    if cmd.force and not cmd.dry_run:
        return run()
    preview = _plan(plan(engine.build_cache(), all=cmd.all, filters=filters), engine.label)
    if cmd.dry_run or not len(preview):
        return preview
    return confirm(preview, run, session.shell, verb="builder prune", forms=session.settings.forms)


def _filters(values: list[str]) -> dict[str, list[str]]:
    filters = parse_filters(values, hint="Write --filter until=24h.")
    for text in filters.get("until", ()):
        _seconds(text)  # refuse a bad duration before asking anything
    return filters


def _seconds(text: str) -> float:
    """A Go duration (``24h``, ``90m``, ``1h30m``) or a timestamp, as seconds before now."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text)
    if parts and "".join(n + u for n, u in parts) == text:
        return sum(float(n) * _UNITS[u] for n, u in parts)
    try:
        return time.time() - datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise UsageError(f"invalid filter 'until={text}': not a duration or a timestamp",
                         hint="Write a duration such as until=24h, or a date such as until=2024-01-31.") from None


def plan(records: list[Any], *, all: bool, filters: dict[str, list[str]]) -> list[Any]:
    """The records a prune would remove: not in use, older than ``until``; internal and frontend records only with
    ``all`` (what BuildKit's prune keeps without ``--all``).

    Shared records (their data also belongs to an image) are removed too, and the engine counts them in the space
    it reports reclaimed (Engine 26 measured: a base image's 2.1 MB snapshot on the containerd store), although
    ``docker system df`` leaves them out of the reclaimable figure and the disk keeps them while the image does.
    """
    cutoff = time.time() - min(_seconds(t) for t in filters["until"]) if "until" in filters else None
    chosen = []
    for record in records:
        if record.in_use or (not all and record.kind in _KEPT_WITHOUT_ALL):
            continue
        if "type" in filters and record.kind not in filters["type"]:
            continue
        if "id" in filters and not any(record.id.startswith(i) for i in filters["id"]):
            continue
        if cutoff is not None and _timestamp(record.last_used or record.created) > cutoff:
            continue
        chosen.append(record)
    return chosen


def _timestamp(text: str) -> float:
    try:
        return datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _plan(records: list[Any], engine: str | None) -> Any:
    from ..units import human_size
    from ..views.frames import frame
    from ..views.lifecycle import captioned

    rows = [(r.id, r.kind, r.description, r.size, r.shared, r.last_used or r.created) for r in records]
    df = frame(rows, COLUMNS, dtypes={"size": "int64", "shared": "bool", "last_used": "datetime"},
               views={"size": "size", "last_used": "age"}, engine=engine)
    space = int(df["size"].sum()) if len(df) else 0
    shared = int(df.loc[df["shared"], "size"].sum()) if len(df) else 0
    held = f" ({human_size(shared)} of it shared with images, which keep it on disk)" if shared else ""
    caption = (f"Would remove {len(df)} build cache record{'s' if len(df) != 1 else ''}, freeing about "
               f"{human_size(space)}{held}" if len(df) else "Nothing to remove.")
    return captioned(df, caption, space_reclaimed=space, dry_run=True)


def _pruned(report: Any, engine: str | None) -> Any:
    from ..units import human_size
    from ..views.frames import frame
    from ..views.lifecycle import captioned

    df = frame([("Deleted", record) for record in report.deleted], ["action", "id"], dtypes={}, engine=engine)
    return captioned(df, f"Total reclaimed space: {human_size(report.space_reclaimed)}",
                     space_reclaimed=report.space_reclaimed)
