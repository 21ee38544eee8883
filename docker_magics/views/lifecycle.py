"""How rm and prune results look in a notebook: their events, a prune's plan, the images containers keep.

Presentation only: nothing here talks to the engine. pandas comes in with :mod:`frames`, so this module
is imported only by the commands that need it.
"""

from __future__ import annotations

from typing import Any

from ..engine.references import NONE_DIGEST, NONE_TAG
from ..units import human_size
from .frames import DockerFrame, frame, truncate_id, with_caption

EVENT_COLUMNS = ["action", "reference"]


def events_frame(events: list[tuple[str, str]], *, engine: str | None, images: list[str] | None = None) -> DockerFrame:
    """rm and prune: one row per Untagged/Deleted event, as the CLI prints them.

    Args:
        events: (action, reference) pairs in the engine's order.
        engine: the engine's name.
        images: for rm, the argument each event came from (an ``image`` column).
    """
    columns = EVENT_COLUMNS + (["image"] if images is not None else [])
    rows = [(*event, images[i]) if images is not None else event for i, event in enumerate(events)]
    return frame(rows, columns, dtypes={c: "string" for c in columns}, engine=engine)


def pruned_frame(events: list[tuple[str, str]], space: int, *, engine: str | None) -> DockerFrame:
    """The result of a prune: its events and the space reclaimed (caption and ``attrs``)."""
    return with_caption(events_frame(events, engine=engine), f"Total reclaimed space: {human_size(space)}",
                        at="end", space_reclaimed=space)


PLAN_COLUMNS = ["image_id", "references", "created", "size", "unique_size", "untag_only"]


def plan_frame(plan: list[dict[str, Any]], *, engine: str | None) -> DockerFrame:
    """What a prune would remove: one row per image, the bytes it frees in ``attrs["space_reclaimed"]``."""
    rows = []
    for image in plan:
        refs = [t for t in image.get("RepoTags") or [] if t != NONE_TAG] or \
               [d for d in image.get("RepoDigests") or [] if d != NONE_DIGEST] or [NONE_TAG]
        rows.append((truncate_id(image["Id"]), ", ".join(refs), image.get("Created", 0), image.get("Size", 0),
                     image.get("UniqueSize", 0), image.get("UntagOnly", False)))
    df = frame(rows, PLAN_COLUMNS, dtypes={"created": "datetime", "size": "int64", "unique_size": "int64",
                                           "untag_only": "bool"},
               views={"created": "age", "size": "size", "unique_size": "size"}, engine=engine)
    space = int(df["unique_size"].sum())
    caption = (f"Would remove {len(df)} image{'s' if len(df) != 1 else ''}, freeing about {human_size(space)}"
               if len(df) else "Nothing to remove.")
    # The containerd store: images sharing layers with images that stay free an estimated share (see
    # docker_magics.engine.prune_sizes); the others free exactly what the engine will report.
    estimated = [truncate_id(image["Id"]) for image in plan if image.get("Estimated")]
    if estimated:
        count = len(estimated)
        caption += (f" (estimated for {count} image{'s' if count != 1 else ''} sharing layers with images that "
                    f"stay: {', '.join(estimated)})")
    return with_caption(df, caption, at="end", space_reclaimed=space, dry_run=True, estimated=estimated)


def with_kept(df: DockerFrame, kept: list[Any]) -> DockerFrame:
    """A prune's frame, its caption saying which images containers keep (``attrs["kept_by_containers"]``).

    Args:
        df: the plan or the result of a prune.
        kept: :class:`docker_magics.engine.containers.KeptImage` records.
    """
    if not kept:
        return df
    parts = [f"{truncate_id(k.image_id)} {k.references[0]} (containers: {', '.join(k.containers)})" for k in kept]
    df.dm_caption = (f"{df.dm_caption.rstrip('.')}; kept {len(kept)} image{'s' if len(kept) != 1 else ''} "
                     f"that containers use: " + "; ".join(parts))
    df.attrs["kept_by_containers"] = {k.image_id: list(k.containers) for k in kept}
    return df
