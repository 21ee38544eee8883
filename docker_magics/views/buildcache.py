"""``builder prune``'s frames: what a prune would remove (the dry run) and what it removed."""

from __future__ import annotations

from typing import Any

from ..units import human_size
from .frames import frame, with_caption

COLUMNS = ["id", "type", "description", "size", "shared", "last_used"]


def plan_frame(records: list[Any], engine: str | None) -> Any:
    """The build cache records a prune would remove, captioned with the bytes it would free."""
    rows = [(r.id, r.kind, r.description, r.size, r.shared, r.last_used or r.created) for r in records]
    df = frame(rows, COLUMNS, dtypes={"size": "int64", "shared": "bool", "last_used": "datetime"},
               views={"size": "size", "last_used": "age"}, engine=engine)
    space = int(df["size"].sum()) if len(df) else 0
    shared = int(df.loc[df["shared"], "size"].sum()) if len(df) else 0
    held = f" ({human_size(shared)} of it shared with images, which keep it on disk)" if shared else ""
    caption = (f"Would remove {len(df)} build cache record{'s' if len(df) != 1 else ''}, freeing about "
               f"{human_size(space)}{held}" if len(df) else "Nothing to remove.")
    return with_caption(df, caption, at="end", space_reclaimed=space, dry_run=True)


def pruned_frame(report: Any, engine: str | None) -> Any:
    """What ``POST /build/prune`` removed, captioned with the space reclaimed."""
    df = frame([("Deleted", record) for record in report.deleted], ["action", "id"], dtypes={}, engine=engine)
    return with_caption(df, f"Total reclaimed space: {human_size(report.space_reclaimed)}", at="end",
                        space_reclaimed=report.space_reclaimed)
