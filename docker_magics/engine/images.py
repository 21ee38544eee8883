"""Local images: the listing, one image's inspect object and history, and the containers that use images."""

from __future__ import annotations

import json
from typing import Any

from .connection import Connection
from .platforms import MANIFESTS_API


class ImageCalls(Connection):
    """Read-only calls about local images."""

    def images(self, *, all: bool = False, filters: dict[str, list[str]] | None = None,
               manifests: bool = False) -> list[dict]:
        """``GET /images/json``: one call, no per-image inspect (docker-py's ``images.list()`` does that).

        Args:
            all: include intermediate images (``-a``).
            filters: the engine's filters, e.g. ``{"reference": ["app:*"], "dangling": ["false"]}``.
            manifests: ask for each image's ``Manifests`` (its platforms) where the API has them (1.47+).

        Returns:
            The engine's image summaries (Id, RepoTags, RepoDigests, Created, Size, Labels, ...).
        """

        params: dict[str, Any] = {"all": 1 if all else 0}
        if filters:
            params["filters"] = json.dumps(filters)
        if manifests and self.api_at_least(MANIFESTS_API):
            params["manifests"] = 1
        return self.get_json("/images/json", params, action="list images")

    def inspect(self, reference: str, *, platform: str | None = None) -> dict:
        """``GET /images/{name}/json``: the raw inspect object, as the CLI prints it.

        Args:
            reference: a name, ``name:tag``, ID or digest reference.
            platform: ``os[/arch[/variant]]``: that platform of a multi-platform image (API 1.49+; the caller
                checks the version, see :func:`.platforms.require_api`).

        Raises:
            ImageNotFoundError: no local image has that name (or not for that platform).
        """
        if platform:
            from .platforms import platform_param

            return self.get_json("/images/{0}/json", {"platform": platform_param(platform)}, action="inspect",
                                 subject=reference)
        with self.translated("inspect", reference):
            return self.api.inspect_image(reference)

    def history(self, reference: str, *, platform: str | None = None) -> list[dict]:
        """``GET /images/{name}/history``: the steps that made the image, newest first.

        Args:
            reference: a name, ``name:tag``, ID or digest reference.
            platform: ``os[/arch[/variant]]``: that platform of a multi-platform image (API 1.48+).
        """
        if platform:
            from .platforms import platform_param

            return self.get_json("/images/{0}/history", {"platform": platform_param(platform)}, action="history",
                                 subject=reference)
        with self.translated("history", reference):
            return self.api.history(reference)

    def containers(self) -> list[dict]:
        """``GET /containers/json?all=1``: every container, running or not, with its full image ID."""
        with self.translated("list containers"):
            return self.api.containers(all=True, trunc=False)
