"""Which containers use which image: ``GET /containers/json?all=1`` (each container's ``Names`` and ``ImageID``).

Nothing here prints. Used by ``images --usage`` (``container_names``) and ``image prune`` (the images a
prune keeps because a container, running or not, still uses them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..filters import match_labels, parse_until
from ..references import NONE_DIGEST, NONE_TAG

if TYPE_CHECKING:
    from ..images import ImageCalls


@dataclass(frozen=True)
class KeptImage:
    """An image a prune would otherwise remove, and the containers that keep it."""

    image_id: str
    references: list[str]
    containers: list[str]


def container_names_by_image(engine: ImageCalls) -> dict[str, list[str]]:
    """Image ID -> the names of the containers (any state) created from it, sorted.

    Args:
        engine: the engine to ask.

    Returns:
        Full image IDs (``sha256:...``) to container names without the leading slash.

    Raises:
        DockerMagicError: the engine refused or could not be reached.
    """
    return names_by_image(engine.containers())


def names_by_image(containers: list[dict] | None) -> dict[str, list[str]]:
    """Image ID -> the sorted names of ``containers`` (``/containers/json`` rows) created from it."""
    names: dict[str, list[str]] = {}
    for container in containers or ():
        name = next((n.lstrip("/") for n in container.get("Names") or ()), container.get("Id", "")[:12])
        names.setdefault(container.get("ImageID", ""), []).append(name)
    return {image: sorted(found) for image, found in names.items()}


def kept_by_containers(engine: ImageCalls, filters: dict[str, list[str]]) -> list[KeptImage]:
    """The images a prune with ``filters`` would remove if no container used them (the engine skips those).

    Args:
        engine: the engine to ask.
        filters: the prune's filters, as :func:`docker_magics.engine.lifecycle.prune_filters` makes them.

    Returns:
        One :class:`KeptImage` per image kept by containers, with their names.
    """
    by_image = container_names_by_image(engine)
    return kept_among(engine.images(all=True), by_image, filters) if by_image else []


def kept_among(every: list[dict], by_image: dict[str, list[str]], filters: dict[str, list[str]]) -> list[KeptImage]:
    """:func:`kept_by_containers` on a listing (``/images/json?all=1``) and its containers' names already read."""
    dangling_only = filters.get("dangling") != ["false"]
    until = min((parse_until(v) for v in filters.get("until", [])), default=None)
    kept = []
    for image in every:
        if image["Id"] not in by_image:
            continue
        tags = [t for t in image.get("RepoTags") or () if t != NONE_TAG]
        if (dangling_only and tags) or (until is not None and image.get("Created", 0) > until):
            continue
        if not match_labels(filters, image.get("Labels") or {}):
            continue
        refs = tags or [d for d in image.get("RepoDigests") or () if d != NONE_DIGEST] or [NONE_TAG]
        kept.append(KeptImage(image["Id"], refs, by_image[image["Id"]]))
    return kept
