"""A registry stand-in for :mod:`loopback`: answers the Registry HTTP API with whatever a test puts in it.

Every answer can be replaced: the tag list pages, the catalog, each manifest, each blob, and any route can
return a raw writer (drip, cut). Basic authentication is asked for when ``password`` is set, as the
sandbox's docker-registry does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from support.loopback import Reply, Request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def config_blob(**fields: Any) -> bytes:
    return json.dumps({"os": "linux", "architecture": "amd64", **fields}).encode()


def image_manifest(config_bytes: bytes, sizes: tuple[int, ...] = (1000,), **overrides: Any) -> bytes:
    document = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config_bytes),
                           "digest": digest_of(config_bytes)},
                "layers": [{"size": size, "digest": "sha256:" + f"{i:x}" * 64} for i, size in enumerate(sizes, 1)]}
    document.update(overrides)
    return json.dumps(document).encode()


@dataclass
class StandIn:
    """What the registry holds; a test changes the fields between requests."""

    user: str = ""
    password: str = ""
    tags: Any = field(default_factory=lambda: {"name": "team/app", "tags": ["a"]})  # a page body, or a route
    catalog: Any = field(default_factory=lambda: {"repositories": ["team/app"]})
    manifests: dict[str, Any] = field(default_factory=dict)  # reference -> bytes, Reply or raw writer
    blobs: dict[str, Any] = field(default_factory=dict)  # digest -> bytes, Reply or raw writer
    link: str | None = None  # a Link header for the tag list and catalog pages
    seen_authorization: list[str | None] = field(default_factory=list)

    def with_image(self, reference: str, config: bytes, manifest: bytes | None = None) -> StandIn:
        manifest = manifest if manifest is not None else image_manifest(config)
        self.manifests[reference] = manifest
        self.blobs[digest_of(config)] = config
        return self

    def __call__(self, request: Request) -> Any:
        self.seen_authorization.append(request.headers.get("Authorization"))
        if self.password:
            expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            if request.headers.get("Authorization") != expected:
                return Reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
                             {"WWW-Authenticate": 'Basic realm="stand-in"'})
        path = request.path
        if path == "/v2/" or path == "/v2":
            return Reply(200, {})
        if path == "/v2/_catalog":
            return self._page(self.catalog, request)
        match = re.fullmatch(r"/v2/(.+?)/(tags/list|manifests|blobs)/?(.*)", path)
        if not match:
            return Reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no route"}]})
        kind, key = match.group(2), match.group(3)
        if kind == "tags/list":
            return self._page(self.tags, request)
        table = self.manifests if kind == "manifests" else self.blobs
        found = table.get(key)
        if found is None:
            code = "MANIFEST_UNKNOWN" if kind == "manifests" else "BLOB_UNKNOWN"
            return Reply(404, {"errors": [{"code": code, "message": f"unknown {key}"}]})
        if isinstance(found, bytes):
            content_type = OCI_MANIFEST if kind == "manifests" else "application/octet-stream"
            with_type = {"Content-Type": content_type}
            if kind == "manifests":
                with_type["Docker-Content-Digest"] = digest_of(found)
            return Reply(200, found, with_type)
        return found

    def _page(self, page: Any, request: Request) -> Any:
        if callable(page) and not isinstance(page, Reply):
            return page(request)
        if isinstance(page, Reply):
            return page
        return Reply(200, page, {"Link": self.link} if self.link else {})
