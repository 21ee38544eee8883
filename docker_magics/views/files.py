"""Frames of what is inside an image: files per layer, wasted space (dive's figures), two images' file changes.

Pure presentation: the functions take the engine's records (:mod:`docker_magics.engine.imagefs`) and
never talk to the engine. Columns are typed (``size`` int64 bytes, ``layer`` int64); the notebook shows
sizes for humans, and a caption line above the table says the totals (a filtered copy drops it).
"""

from __future__ import annotations

import fnmatch
import stat
from typing import TYPE_CHECKING

from ..units import human_size, truncate_id
from .frames import DockerFrame, frame, with_caption

if TYPE_CHECKING:
    from ..engine.archive.files import Efficiency, FileChange, ImageFiles

FILE_COLUMNS = ["layer", "layer_id", "created_by", "path", "type", "size", "mode", "change"]


def _path_matches(path: str, pattern: str) -> bool:
    # "/etc/*.conf" matches absolute paths; "*.py" or "usr/lib/*" also match without the leading slash.
    return fnmatch.fnmatchcase(path, pattern) or (not pattern.startswith("/")
                                                  and fnmatch.fnmatchcase(path.lstrip("/"), pattern))


def files_frame(image: ImageFiles, *, no_trunc: bool = False, layer: int | None = None, path: str | None = None,
                changes: bool = False, engine: str | None = None) -> DockerFrame:
    """One row per entry per layer: layer (0 = bottom), layer_id, created_by, path, type, size, mode, change.

    Args:
        image: the image's layers (from the engine).
        no_trunc: full diff IDs instead of 12 hex digits.
        layer: keep only this layer (negative counts from the top: -1 is the last).
        path: keep only paths matching this glob.
        changes: drop ``unchanged`` rows (directories a layer lists again only because it writes below them).
        engine: the engine's name, shown with the frame.
    """
    layers = image.layers
    if layer is not None:
        layers = [x for x in layers if x.index == (layer if layer >= 0 else len(image.layers) + layer)]
    rows = []
    for item in layers:
        layer_id = truncate_id(item.diff_id, no_trunc)
        for entry in item.entries:
            if (changes and entry.change == "unchanged") or (path and not _path_matches(entry.path, path)):
                continue
            rows.append((item.index, layer_id, item.created_by, entry.path, entry.type, entry.size,
                         stat.filemode(entry.mode), entry.change))
    result = frame(rows, FILE_COLUMNS, dtypes={"layer": "int64", "size": "int64"}, views={"size": "size"},
                   engine=engine)
    total = sum(r[5] for r in rows)
    caption = (f"{image.reference}: {len(image.layers)} layer{'s' if len(image.layers) != 1 else ''}, "
               f"{len(rows)} rows, {human_size(total)} in files")
    return with_caption(result, caption, at="end")


def wasted_frame(image: ImageFiles, found: Efficiency, *, engine: str | None = None) -> DockerFrame:
    """dive's inefficient paths: path, layers (bottom first), count, cumulative_size; largest first.

    ``attrs["efficiency"]`` is dive's score and ``attrs["wasted_bytes"]`` its potential wasted bytes.
    """
    rows = [(use.path, list(use.layers), len(use.layers), use.cumulative_size) for use in found.inefficient]
    result = frame(rows, ["path", "layers", "count", "cumulative_size"],
                   dtypes={"count": "int64", "cumulative_size": "int64"}, views={"cumulative_size": "size"},
                   engine=engine)
    caption = (f"{image.reference}: efficiency {found.score:.4%}, potential wasted space "
               f"{human_size(found.wasted_bytes)} in {len(rows)} path{'s' if len(rows) != 1 else ''}")
    result = with_caption(result, caption, at="end")
    result.attrs.update(efficiency=found.score, wasted_bytes=found.wasted_bytes, user_size=found.user_size)
    return result


def diff_files_frame(changes: list[FileChange], name_a: str, name_b: str, *, engine: str | None = None) -> DockerFrame:
    """path, change (added/removed/changed), size_a, size_b, size_delta (nullable Int64: <NA> where absent)."""
    rows = [(c.path, c.change, c.size_a, c.size_b, (c.size_b or 0) - (c.size_a or 0)) for c in changes]
    result = frame(rows, ["path", "change", "size_a", "size_b", "size_delta"],
                   dtypes={"size_a": "Int64", "size_b": "Int64", "size_delta": "int64"},
                   views={"size_a": "size", "size_b": "size"}, engine=engine)
    added = sum(r[4] for r in rows if r[4] > 0)
    removed = -sum(r[4] for r in rows if r[4] < 0)
    counts = {kind: sum(1 for c in changes if c.change == kind) for kind in ("added", "removed", "changed")}
    caption = (f"A = {name_a}, B = {name_b}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items())
               + f"; {human_size(added)} added, {human_size(removed)} removed")
    result = with_caption(result, caption, at="end")
    result.attrs["summary"] = {"A": name_a, "B": name_b, **counts, "bytes_added": added, "bytes_removed": removed}
    return result

