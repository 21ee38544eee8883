"""Engine-side disk usage and layers: what images use, share and could give back.

Nothing here prints or displays. Two engine sources are used:

- ``GET /system/df`` (docker-py ``api.df()``) for per-image ``Containers``, ``Size`` and ``SharedSize``
  and the engine's ``LayersSize``; the engine walks every layer to answer, so it is only called when a
  command asks for usage (``%docker df``, ``%docker images --usage``), never for a plain listing.
- ``GET /images/{name}/json`` (``RootFS.Layers``, the diff IDs, oldest first) with
  ``GET /images/{name}/history`` (the steps, newest first, with each layer's size) for ``layers``
  and ``image diff``.

Layers and steps are matched by :func:`align`: a history row with a size above zero always made a
layer; metadata steps (``ENV``, ``LABEL``, ``CMD`` ...) made none; a step that made a layer with no
bytes in it (``WORKDIR /new``) also has size 0, so where zero-size rows are ambiguous the rule asks
the engine how many layers the row's own image has (rows of a local build name one), and otherwise
guesses from the instruction. Layers are shared when their *chain ID* (the diff ID together with
every layer below it) is the same, which is how the engine stores and counts them (``SharedSize``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ImageNotFoundError, interrupts_as
from .connection import Connection

#: Instructions that never add a layer, as the classic builder writes them (``#(nop)``) and as BuildKit does.
_METADATA = re.compile(r"^(?:/bin/sh -c #\(nop\)\s+|\|\d+ .*?#\(nop\)\s+)?"
                       r"(ENV|LABEL|CMD|ENTRYPOINT|EXPOSE|USER|VOLUME|STOPSIGNAL|HEALTHCHECK|SHELL|ARG|"
                       r"MAINTAINER|ONBUILD)\b")
_NOP = "#(nop)"


@dataclass(frozen=True)
class Layer:
    """One layer of one image, oldest first."""

    diff_id: str  # sha256 of the layer's uncompressed tar, as RootFS.Layers lists it
    chain_id: str  # the diff ID together with every layer below it: what the engine stores and shares
    size: int  # bytes the layer adds (-1 when no history row tells)
    created_by: str  # the step that made it ("" when unknown)


@dataclass(frozen=True)
class DiskUsage:
    """The ``Images`` row of ``docker system df``, as numbers."""

    total: int
    active: int
    size: int
    reclaimable: int


# ---- /system/df --------------------------------------------------------------------------------


def usage_triple(image: dict) -> tuple[int, int, int]:
    """``(containers, shared_size, unique_size)`` of one ``/system/df`` image entry."""
    size, shared = image.get("Size", -1), image.get("SharedSize", -1)
    unique = -1 if size == -1 or shared == -1 else size - shared
    return image.get("Containers", -1), shared, unique


def summarize(df: dict) -> DiskUsage:
    """The CLI's ``Images`` row of ``docker system df`` (docker/cli ``formatter/disk_usage.go``).

    TOTAL counts the images, ACTIVE those with containers; SIZE is the engine's ``LayersSize`` (every
    layer once); RECLAIMABLE is ``LayersSize`` minus the unique bytes (``Size - SharedSize``) of the
    images some container uses, skipping images whose sizes the engine did not compute (-1).
    """
    images = df.get("Images") or []
    total_size = int(df.get("LayersSize") or 0)
    used = sum(i["Size"] - i["SharedSize"] for i in images
               if i.get("Containers", 0) != 0 and i.get("Size", -1) != -1 and i.get("SharedSize", -1) != -1)
    active = sum(1 for i in images if i.get("Containers", 0) > 0)
    return DiskUsage(len(images), active, total_size, total_size - used)


def percent(part: int, whole: int) -> int:
    """Go's ``(part*100)/whole`` on int64: truncated toward zero, as the CLI prints RECLAIMABLE's percentage."""
    quotient = abs(part) * 100 // abs(whole)
    return quotient if (part >= 0) == (whole >= 0) else -quotient


# ---- layers -----------------------------------------------------------------------------------


def chain_ids(diff_ids: list[str]) -> list[str]:
    """The chain ID of each layer (OCI image spec): ``ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln))``."""
    chains: list[str] = []
    for diff_id in diff_ids:
        if not chains:
            chains.append(diff_id)
        else:
            chains.append("sha256:" + hashlib.sha256(f"{chains[-1]} {diff_id}".encode()).hexdigest())
    return chains


def _may_add_layer(row: dict) -> bool:
    # A zero-size step that could still have made a (byte-less) layer: anything but a metadata instruction.
    created_by = (row.get("CreatedBy") or "").strip()
    if _METADATA.match(created_by):
        return False
    return not (_NOP in created_by and not re.search(r"#\(nop\)\s+(COPY|ADD|WORKDIR)\b", created_by))


def _zero_size_layers(rows: list[dict], needed: int, layer_count: Callable[[str], int | None] | None) -> set[int]:
    """Which zero-size rows (indices, oldest first) made a layer, when ``needed`` of them did."""
    found: set[int] = set()
    unknown: list[int] = []
    count = 0  # layers below the current row
    for index, row in enumerate(rows):
        if row.get("Size", 0) > 0:
            count += 1
            continue
        known = layer_count(row.get("Id", "")) if layer_count and row.get("Id", "<missing>") != "<missing>" else None
        if known is None:
            unknown.append(index)
        elif known > count:
            found.add(index)
        if known is not None:
            count = known
    left = needed - len(found)
    if left > 0:
        candidates = [i for i in unknown if _may_add_layer(rows[i])] or unknown
        found.update(candidates[:left])
    return found


def align(history: list[dict], diff_ids: list[str],
          layer_count: Callable[[str], int | None] | None = None) -> list[Layer]:
    """Match an image's layers with the history rows that made them.

    Args:
        history: ``/images/{name}/history`` rows, newest first (as the engine sends them).
        diff_ids: ``RootFS.Layers``, oldest first.
        layer_count: asks how many layers the image with a given ID has (None when it cannot tell);
            used only when zero-size rows are ambiguous.

    Returns:
        One :class:`Layer` per diff ID, oldest first.
    """
    rows = list(reversed(history))
    nonzero = [i for i, row in enumerate(rows) if row.get("Size", 0) > 0]
    needed = len(diff_ids) - len(nonzero)
    extra = _zero_size_layers(rows, needed, layer_count) if needed > 0 else set()
    makers = sorted([*nonzero, *extra])[: len(diff_ids)]
    layers = []
    for position, (diff_id, chain_id) in enumerate(zip(diff_ids, chain_ids(diff_ids), strict=True)):
        row: dict[str, Any] = rows[makers[position]] if position < len(makers) else {}
        layers.append(Layer(diff_id, chain_id, int(row.get("Size", -1)), row.get("CreatedBy") or ""))
    return layers


class UsageCalls(Connection):
    """Disk usage and layers: what images use, share and could give back."""

    def system_df(self, types: tuple[str, ...] = ("image", "build-cache")) -> dict:
        """``GET /system/df`` restricted to ``types`` (engines before API 1.42 ignore ``type`` and answer in full).

        Args:
            types: what the engine measures: ``image`` and ``build-cache`` (``%docker df``'s two rows).

        Returns:
            The engine's answer: ``LayersSize`` and ``Images`` (each with ``Containers``, ``Size``, ``SharedSize``),
            ``BuildCache`` and ``BuilderSize`` when asked.

        Raises:
            Interrupted: Ctrl-C while the engine was walking its layers (the connection is dropped).
            DockerMagicError: the engine refused or could not be reached.
        """
        with interrupts_as("Stopped while the engine computed disk usage; nothing was changed."):
            return self.get_json("/system/df", {"type": list(types)}, action="compute disk usage")

    def image_usage(self) -> dict[str, tuple[int, int, int]]:
        """Per image ID: ``(containers, shared_size, unique_size)`` from ``/system/df``.

        ``unique_size`` is ``Size - SharedSize``; the engine's ``-1`` ("not computed") is kept, and makes
        ``unique_size`` ``-1`` too, as the CLI shows ``N/A`` for both.
        """
        return {image["Id"]: usage_triple(image) for image in self.system_df(("image",)).get("Images") or ()}

    def layers(self, reference: str) -> list[Layer]:
        """The layers of one local image, oldest first, each with its size and the step that made it.

        Args:
            reference: a name, ``name:tag``, ID or digest reference.

        Raises:
            ImageNotFoundError: no such local image.
        """
        try:
            diff_ids = (self.inspect(reference).get("RootFS") or {}).get("Layers") or []
        except ImageNotFoundError:
            # The engine's own text repeats itself ("no such image: x: No such image: x"): say it once.
            raise ImageNotFoundError(f"No such image: {reference}",
                                     hint="List local images with '%docker images', or pull it first.") from None
        history = self.history(reference)

        def layer_count(image_id: str) -> int | None:
            # A local build's history rows name intermediate images: their RootFS says exactly how many layers.
            try:
                return len((self.inspect(image_id).get("RootFS") or {}).get("Layers") or [])
            except Exception:  # any failure only means "cannot tell": fall back to the instruction
                return None

        return align(history, diff_ids, layer_count)
