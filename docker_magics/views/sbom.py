"""Frames of what software is inside images: one row per package per image, and two images' package changes.

Pure presentation: the functions take the engine's records (:mod:`docker_magics.engine.packages`) and never
talk to the engine. ``layer`` is int64 (0 is the bottom layer); the other columns are text. ``attrs["os"]``
holds each image's os-release ``ID`` and ``VERSION_ID``, ``attrs["counts"]`` the packages per type.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .display import engine_line
from .frames import DockerFrame, frame, with_caption

if TYPE_CHECKING:
    from ..engine.packages.diff import PackageChange
    from ..engine.packages.records import ImagePackages

SBOM_COLUMNS = ["image", "image_id", "type", "name", "version", "purl", "license", "layer", "layer_diff_id", "path",
                "arch", "source"]
DIFF_COLUMNS = ["type", "name", "version_a", "version_b", "change"]


@dataclass(frozen=True)
class WrittenDocument:
    """A document ``sbom -o FILE`` wrote: where, how many bytes, which format."""

    path: str
    bytes: int
    format: str  # CycloneDX or SPDX-2.3
    engine: str | None = field(default=None, compare=False)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"Wrote {self.format} to {self.path} ({self.bytes} bytes)" + engine_line(self.engine))


def sbom_frame(images: list[ImagePackages], *, engine: str | None = None) -> DockerFrame:
    """One row per package per image, base layer's packages first within an image."""
    rows = [(image.reference, image.image_id, p.type, p.name, p.version, p.purl, p.license, p.layer, p.layer_diff_id,
             p.path, p.arch, p.source) for image in images for p in image.packages]
    result = frame(rows, SBOM_COLUMNS, dtypes={"layer": "int64", **{c: "string" for c in SBOM_COLUMNS if c != "layer"}},
                   engine=engine)
    counts = dict(sorted(Counter(r[2] for r in rows).items()))
    systems = {image.reference: {"ID": image.os_id, "VERSION_ID": image.os_version} for image in images}
    read = sum(1 for image in images if image.exported)
    caption = (f"{len(rows)} package{'s' if len(rows) != 1 else ''} in {len(images)} image"
               f"{'s' if len(images) != 1 else ''} ({', '.join(f'{n} {t}' for t, n in counts.items()) or 'none'}); "
               f"{read} exported, {len(images) - read} from layers already read")
    extra: dict[str, Any] = {"os": systems, "counts": counts}
    if len(images) == 1:
        extra.update(os_id=images[0].os_id, os_version=images[0].os_version)
    return with_caption(result, caption, at="end", **extra)


def diff_frame(changes: list[PackageChange], a: str, b: str, *, engine: str | None = None) -> DockerFrame:
    """One row per package added, removed or changed from image ``a`` to image ``b``."""
    rows = [(c.type, c.name, c.version_a, c.version_b, c.change) for c in changes]
    result = frame(rows, DIFF_COLUMNS, dtypes={c: "string" for c in DIFF_COLUMNS}, engine=engine)
    counts = Counter(c.change for c in changes)
    caption = (f"{a} -> {b}: {counts['added']} added, {counts['removed']} removed, {counts['changed']} changed "
               "(unchanged packages not listed)")
    return with_caption(result, caption, at="end", image_a=a, image_b=b)


def show_skipped(images: list[ImagePackages]) -> None:
    """One line per image whose files were left out (too big or unreadable), so nothing is missed silently."""
    from .display import message

    for image in images:
        if image.skipped:
            more = f" (and {len(image.skipped) - 1} more)" if len(image.skipped) > 1 else ""
            message(f"{image.reference}: left out {image.skipped[0]}{more}")
