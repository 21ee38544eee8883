"""Engine side of the local image lifecycle: tag, remove, prune (and what a prune would remove).

Nothing here prints or displays. Failures leave as one-line :class:`~docker_magics.errors.DockerMagicError`;
the engine's terse conflict messages are rewritten to name the cause and the fix.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConflictError, DockerMagicError, InvalidReferenceError, UsageError
from . import references
from .connection import Connection
from .containers.kept import KeptImage, kept_among, names_by_image
from .filters import match_labels, parse_until
from .images import ImageCalls
from .references import NONE_DIGEST, NONE_TAG
from .usage import UsageCalls

# ---- rm -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoveEvent:
    """One line of ``docker rmi``'s output: an ``Untagged`` or ``Deleted`` event."""

    image: str  # the argument it came from
    action: str  # "Untagged" or "Deleted"
    reference: str


_CONTAINER = re.compile(r"(running|stopped)? ?container ([0-9a-f]{6,64})")


def explain_conflict(engine: ImageCalls, image: str, text: str) -> ConflictError:
    """Rewrite the engine's conflict message for ``image`` as cause and fix."""
    found = _CONTAINER.search(text)
    container = found.group(2)[:12] if found else None
    if container and "running" in text:
        return ConflictError(f"Cannot remove {image}: the running container {container} uses it, and -f cannot "
                             "override that",
                             hint=f"To fix it, stop and remove the container first: docker rm -f {container}.")
    if container:
        return ConflictError(f"Cannot remove {image}: the container {container} uses it",
                             hint=f"To fix it, remove the container first: docker rm {container}; or use -f to "
                                  "remove the image anyway (the container keeps its filesystem).")
    if "multiple repositories" in text:
        tags = _repo_tags(engine, image)
        return ConflictError(f"Cannot remove {image}: the image is referenced by several repositories"
                             + (f" ({', '.join(tags)})" if tags else ""),
                             hint="To fix it, remove it by name (one reference at a time), or use -f to remove "
                                  "every reference and the image.")
    if "dependent child images" in text:
        return ConflictError(f"Cannot remove {image}: other images are built on it, and -f cannot override that",
                             hint="To fix it, remove the images built on it first.")
    return ConflictError(f"Cannot remove {image}: {text}", hint="To fix it, use -f.")


def _repo_tags(engine: ImageCalls, image: str) -> list[str]:
    try:
        return [t for t in engine.inspect(image).get("RepoTags") or [] if t != NONE_TAG]
    except DockerMagicError:
        return []


# ---- prune ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PruneReport:
    """What ``POST /images/prune`` did: its events and the bytes it freed."""

    events: list[tuple[str, str]]  # (action, reference)
    space_reclaimed: int


def prune_filters(all_: bool, filters: dict[str, list[str]]) -> dict[str, list[str]]:
    """The engine's prune filters: ``dangling=true`` unless ``-a``, as the CLI sends them."""
    unknown = set(filters) - {"until", "label", "label!", "dangling"}
    if unknown:
        name = sorted(unknown)[0]
        raise UsageError(f"invalid filter '{name}' for image prune",
                         hint="Use --filter until=<timestamp or duration>, label=<key>[=<value>] or "
                              "label!=<key>[=<value>].")
    for value in filters.get("until", []):
        parse_until(value)
    return {**filters, "dangling": ["false" if all_ else "true"]}


def _add_unique_sizes(engine: UsageCalls, plan: list[dict[str, Any]], every: list[dict[str, Any]]) -> None:
    """Set each planned image's UniqueSize from ``/system/df`` (what removing it alone frees).

    The containerd store counts content blobs instead (:mod:`.prune_sizes`), from ``every`` (the listing the plan
    was made from).
    """
    if not plan:
        return
    if engine.containerd_store():
        from .prune_sizes import add_content_sizes

        add_content_sizes(engine, plan, every)
        return
    usage = {i["Id"]: i for i in engine.system_df(("image",)).get("Images") or []}
    for image in plan:
        known = usage.get(image["Id"], image)
        shared = known.get("SharedSize", -1)
        image["UniqueSize"] = 0 if image["UntagOnly"] else max(0, known.get("Size", 0) - max(0, shared))


class LifecycleCalls(Connection):
    """Tag, remove and prune images."""

    def tag(self, source: str, target: str) -> references.Reference:
        """Give the image ``source`` the new reference ``target`` (``docker tag``).

        Args:
            source: a name, name:tag, name@digest, or a full or short image ID.
            target: ``[REGISTRY[:PORT]/]NAME[:TAG]``; the tag defaults to ``latest``.

        Returns:
            The normalised target reference.

        Raises:
            InvalidReferenceError: the target is not a valid reference (or carries a digest).
            ImageNotFoundError: no local image matches ``source``.
        """
        ref = references.parse(target)
        if ref.digest:
            raise InvalidReferenceError(
                f"invalid reference format '{target}': a tag cannot carry a digest (@sha256:...)",
                hint="To fix it, give the target as [REGISTRY[:PORT]/]NAME[:TAG].")
        ref = ref.with_default_tag()
        try:
            with self.translated("tag", source):
                self.api.tag(source, ref.familiar_name, ref.tag, force=False)
        except DockerMagicError as exc:
            # The engine is stricter than the grammar in a few corners (an uppercase registry part).
            said = exc.engine_text or ""
            if "invalid reference format" not in said.lower():
                raise
            why = said.split(":", 1)[-1].strip()
            raise InvalidReferenceError(
                f"invalid reference format '{target}': {why}",
                hint="A reference is [REGISTRY[:PORT]/]NAME[:TAG], NAME in lowercase.") from None
        return ref

    def remove(self, image: str, *, force: bool = False, no_prune: bool = False) -> list[RemoveEvent]:
        """``DELETE /images/{image}``: the Untagged/Deleted events, in the engine's order.

        Raises:
            ConflictError: a container uses the image, several repositories reference it, or images are
                built on it; one line naming the cause and the fix.
            ImageNotFoundError: no such image.
        """
        try:
            with self.translated("remove", image):
                items = self.api.remove_image(image, force=force, noprune=no_prune) or []
        except ConflictError as exc:
            raise explain_conflict(self, image, exc.message) from None
        return [RemoveEvent(image, action, ref) for item in items for action, ref in item.items()]

    def prune(self, filters: dict[str, list[str]]) -> PruneReport:
        """``POST /images/prune`` with ready-made filters (see :func:`prune_filters`)."""
        answer = self.post_json("/images/prune", {"filters": json.dumps(filters)}, action="prune images") or {}
        events = [(action, ref) for item in answer.get("ImagesDeleted") or [] for action, ref in item.items()]
        return PruneReport(events, int(answer.get("SpaceReclaimed") or 0))

    def plan_prune(self, filters: dict[str, list[str]]) -> list[dict[str, Any]]:
        """What :func:`prune_images` would remove, without removing anything.

        Mirrors the engine's rules (moby ``daemon/images/image_prune.go``): without ``-a`` only images
        without a tag; intermediate images (untagged parents of other images) are never candidates (they
        go with their child); images newer than ``until``, not matching the labels, or used by a container
        (the engine skips those conflicts) stay.

        Returns:
            One dict per image: Id, RepoTags, RepoDigests, Created, Size, UniqueSize (bytes freed, from the
            engine's disk usage, or on the containerd store its content blobs), Estimated (containerd store: the
            image shares layers with images that stay, so UniqueSize is an estimate), UntagOnly (an image with
            children loses its tags only).
        """
        return self.preview_prune(filters)[0]

    def preview_prune(self, filters: dict[str, list[str]]) -> tuple[list[dict[str, Any]], list[KeptImage]]:
        """:meth:`plan_prune` and the images containers keep from it (:func:`.containers.kept_by_containers`),
        from one listing of the images and one of the containers.
        """

        dangling_only = filters["dangling"] != ["false"]
        until = min((parse_until(v) for v in filters.get("until", [])), default=None)
        every = self.images(all=True)
        containers = self.containers()
        used = {c.get("ImageID") for c in containers}
        parents = {i.get("ParentId") for i in every if i.get("ParentId")}
        plan = []
        for image in every:
            tagged = any(t != NONE_TAG for t in image.get("RepoTags") or [])
            refs = tagged or any(d != NONE_DIGEST for d in image.get("RepoDigests") or [])
            if (not refs and image["Id"] in parents) or (dangling_only and tagged) or image["Id"] in used:
                continue
            if until is not None and image.get("Created", 0) > until:
                continue
            if not match_labels(filters, image.get("Labels") or {}):
                continue
            plan.append({**image, "UntagOnly": image["Id"] in parents})
        _add_unique_sizes(self, plan, every)
        return plan, kept_among(every, names_by_image(containers), filters)
