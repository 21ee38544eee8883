"""How disk usage, layers and image differences look: frames with the CLI's per-row formats and a caption.

Presentation only: the engine side (``/system/df``, RootFS layers matched with history rows) is
:mod:`docker_magics.engine.usage`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..engine.references import NONE, familiar_parts
from ..engine.usage import percent, usage_triple
from ..units import ellipsis, human_size
from .frames import DockerFrame, frame, truncate_id, with_caption

if TYPE_CHECKING:
    from ..engine.usage import DiskUsage, Layer


SIDES = ("both", "A only", "B only")


def usage_frame(rows: list[tuple], columns: list[str], *, dtypes: dict[str, str], views: dict[str, str],
                formats: dict[str, Callable[[dict], str]] | None = None, caption: str | None = None,
                engine: str | None = None) -> DockerFrame:
    """A typed frame (see :func:`docker_magics.frames.frame`) with CLI-like per-row formats and a caption."""
    result = frame(rows, columns, dtypes=dtypes, views=views, engine=engine)
    result.dm_formats = formats or {}
    return with_caption(result, caption) if caption else result


def _size4(column: str) -> Callable[[dict], str]:
    def fmt(row: dict) -> str:
        return "N/A" if row[column] == -1 else human_size(row[column], 4)

    return fmt


def _count_or_na(row: dict) -> str:
    return "N/A" if row["containers"] == -1 else str(row["containers"])


def _size_cell(row: dict) -> str:
    return human_size(row["size"], 3 if row["type"] == "Build Cache" else 4)  # as the CLI's two rows


def _reclaimable(row: dict) -> str:
    if row["type"] == "Build Cache":  # the CLI gives no percentage for it, and 3 digits
        return human_size(row["reclaimable"], 3)
    text = human_size(row["reclaimable"], 4)
    return f"{text} ({percent(row['reclaimable'], row['size'])}%)" if row["size"] > 0 else text


def summary_frame(du: DiskUsage, *, engine: str | None = None, cache: DiskUsage | None = None) -> DockerFrame:
    """The ``TYPE Images`` row (and ``Build Cache`` when given): total, active (ints), size, reclaimable (bytes)."""
    rows = [("Images", du.total, du.active, du.size, du.reclaimable)]
    if cache is not None:
        rows.append(("Build Cache", cache.total, cache.active, cache.size, cache.reclaimable))
    return usage_frame(rows,
                       ["type", "total", "active", "size", "reclaimable"],
                       dtypes={"total": "int64", "active": "int64", "size": "int64", "reclaimable": "int64"},
                       views={}, formats={"size": _size_cell, "reclaimable": _reclaimable},
                       engine=engine)


def _first_tag(image: dict) -> tuple[str, str]:
    # The CLI shows the first tag only; a dangling image, or one known by digest only, is <none> <none>.

    for ref in image.get("RepoTags") or ():
        if (parts := familiar_parts(ref)) and parts[1]:
            return parts[0], parts[1]
    return NONE, NONE


def images_usage_frame(images: list[dict], *, engine: str | None = None) -> DockerFrame:
    """``docker system df -v``'s images: repository, tag, image_id, created, size, shared/unique size, containers."""

    rows = []
    # Newest first, as the engine sends them; ties broken by ID, since the engine's order of images
    # created in the same second changes from call to call.
    for image in sorted(images, key=lambda i: (-i.get("Created", 0), i["Id"])):
        containers, shared, unique = usage_triple(image)
        rows.append((*_first_tag(image), truncate_id(image["Id"]), image.get("Created", 0), image.get("Size", -1),
                     shared, unique, containers))
    columns = ["repository", "tag", "image_id", "created", "size", "shared_size", "unique_size", "containers"]
    return usage_frame(rows, columns,
                       dtypes={"created": "datetime", "size": "int64", "shared_size": "int64",
                               "unique_size": "int64", "containers": "int64"},
                       views={"created": "age", "size": "size"},
                       formats={"shared_size": _size4("shared_size"), "unique_size": _size4("unique_size"),
                                "containers": _count_or_na},
                       engine=engine)


def layers_frame(per_image: dict[str, list[Layer]], *, no_trunc: bool = False,
                 engine: str | None = None) -> DockerFrame:
    """The ``layers`` frame: image, layer (diff ID), size, created_by, shared, shared_with.

    ``shared_with`` lists the other given images that hold the same layer (same chain ID: the same
    bytes on top of the same layers, stored once by the engine); ``shared`` is whether it is non-empty.
    """

    chains = {name: {layer.chain_id for layer in image_layers} for name, image_layers in per_image.items()}
    rows = []
    for name, image_layers in per_image.items():
        for layer in image_layers:
            others = [other for other in per_image if other != name and layer.chain_id in chains[other]]
            step = layer.created_by.replace("\t", " ")
            rows.append((name, truncate_id(layer.diff_id, no_trunc), layer.size,
                         step if no_trunc else ellipsis(step, 45), bool(others), others))
    return usage_frame(rows, ["image", "layer", "size", "created_by", "shared", "shared_with"],
                       dtypes={"size": "int64", "shared": "bool"}, views={"size": "size"}, engine=engine)


def diff_summary(a: list[Layer], b: list[Layer]) -> dict[str, dict[str, int]]:
    """Layers and bytes on each side: ``{"both": {"layers": n, "size": bytes}, "A only": ..., "B only": ...}``."""
    in_a, in_b = {x.chain_id for x in a}, {x.chain_id for x in b}
    sides = {"both": [x for x in a if x.chain_id in in_b], "A only": [x for x in a if x.chain_id not in in_b],
             "B only": [x for x in b if x.chain_id not in in_a]}
    return {side: {"layers": len(items), "size": sum(max(x.size, 0) for x in items)} for side, items in sides.items()}


def diff_frame(name_a: str, a: list[Layer], name_b: str, b: list[Layer], *, engine: str | None = None) -> DockerFrame:
    """Rows: A's layers (``both`` or ``A only``, base first), then B's own (``B only``); attrs hold the summary."""
    in_a, in_b = {x.chain_id for x in a}, {x.chain_id for x in b}
    rows = [("both" if x.chain_id in in_b else "A only", truncate_id(x.diff_id), x.size, x.created_by) for x in a]
    rows += [("B only", truncate_id(x.diff_id), x.size, x.created_by) for x in b if x.chain_id not in in_a]
    summary = diff_summary(a, b)
    caption = f"A = {name_a}, B = {name_b}: " + "; ".join(
        f"{side}: {s['layers']} layer{'' if s['layers'] == 1 else 's'}, {human_size(s['size'])}"
        for side, s in summary.items())
    result = usage_frame(rows, ["side", "layer", "size", "created_by"], dtypes={"size": "int64"},
                         views={"size": "size"}, caption=caption, engine=engine)
    result.attrs["summary"] = {"A": name_a, "B": name_b, **summary}
    return result


def add_usage_columns(images: DockerFrame, usage: dict[str, tuple[int, int, int]],
                      names: dict[str, list[str]] | None = None, *, no_trunc: bool = False) -> DockerFrame:
    """Add ``containers``, ``container_names``, ``shared_size`` and ``unique_size`` to an ``images`` frame.

    Args:
        images: the ``images`` frame.
        usage: per full image ID, ``(containers, shared_size, unique_size)`` from ``/system/df``. An image it
            does not list (made between the two calls) gets -1, the engine's own "not computed" value.
        names: per full image ID, the names of the containers made from it (a list per row).
        no_trunc: whether the frame's IDs are full.
    """
    by_id = {truncate_id(image_id, no_trunc): triple for image_id, triple in usage.items()}
    triples = [by_id.get(image_id, (-1, -1, -1)) for image_id in images["image_id"]]
    for position, column in enumerate(("containers", "shared_size", "unique_size")):
        images[column] = [t[position] for t in triples]
        images[column] = images[column].astype("int64")
    # Beside the count, who they are: "which containers hold this image" is one filter away.
    by_name = {truncate_id(image_id, no_trunc): found for image_id, found in (names or {}).items()}
    images.insert(images.columns.get_loc("containers") + 1, "container_names",
                  [list(by_name.get(image_id, ())) for image_id in images["image_id"]])
    images.dm_views = {**(images.dm_views or {}), "shared_size": "size", "unique_size": "size"}
    return images
