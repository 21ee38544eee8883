"""Local images: the listing, one image's inspect object and history, and the containers that use images."""

from __future__ import annotations

import json
from typing import Any

from .connection import Connection


class ImageCalls(Connection):
    """Read-only calls about local images."""

    def images(self, *, all: bool = False, filters: dict[str, list[str]] | None = None) -> list[dict]:
        """``GET /images/json``: one call, no per-image inspect (docker-py's ``images.list()`` does that).

        Args:
            all: include intermediate images (``-a``).
            filters: the engine's filters, e.g. ``{"reference": ["app:*"], "dangling": ["false"]}``.

        Returns:
            The engine's image summaries (Id, RepoTags, RepoDigests, Created, Size, Labels, ...).
        """
        params: dict[str, Any] = {"all": 1 if all else 0}
        if filters:
            params["filters"] = json.dumps(filters)
        return self.get_json("/images/json", params, action="list images")

    def inspect(self, reference: str) -> dict:
        """``GET /images/{name}/json``: the raw inspect object, as the CLI prints it.

        Raises:
            ImageNotFoundError: no local image has that name.
        """
        with self.translated("inspect", reference):
            return self.api.inspect_image(reference)

    def history(self, reference: str) -> list[dict]:
        """``GET /images/{name}/history``: the steps that made the image, newest first."""
        with self.translated("history", reference):
            return self.api.history(reference)

    def containers(self) -> list[dict]:
        """``GET /containers/json?all=1``: every container, running or not, with its full image ID."""
        with self.translated("list containers"):
            return self.api.containers(all=True, trunc=False)
