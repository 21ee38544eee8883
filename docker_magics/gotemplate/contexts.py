"""The rows list formatters show: Engine API payloads turned into the CLI's string fields.

``docker image ls``, ``docker history`` and ``docker search`` do not template the API objects;
they template "context" objects whose methods return strings (``.Size`` is ``1.23MB``, ``.ID``
is 12 characters, ``.CreatedSince`` is ``2 minutes ago``). These builders produce the same strings
from what docker-py's low-level APIClient returns, following docker/cli 28.2.2
(``cli/command/formatter/image.go``, ``cli/command/image/formatter_history.go``,
``cli/command/registry/formatter_search.go``) and docker/go-units.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..engine.references import NONE, NONE_DIGEST, NONE_TAG, listing_rows
from ..engine.references import familiar_parts as familiar_reference  # noqa: F401 (the package exports it)
from ..units import ellipsis, human_duration, human_size, truncate_id
from .gotime import local_time
from .values import ContextType

EPOCH_2000 = 946684800  # history shows N/A for layers created before 2000-01-01


def _created_since(created: int, now: datetime | None) -> str:
    now_ts = now.timestamp() if now is not None else time.time()
    return human_duration(now_ts - created) + " ago"


def go_time_string(unix: int) -> str:
    """``time.Unix(unix, 0).String()`` in the local zone: ``2026-11-27 20:27:01 +0000 UTC``."""
    try:
        tm = time.localtime(unix)
    except (OverflowError, OSError, ValueError):
        return local_time(unix).go_string()
    off = tm.tm_gmtoff
    h, m = divmod(abs(off) // 60, 60)
    offset = f"{'-' if off < 0 else '+'}{h:02d}{m:02d}"
    return (f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d} {tm.tm_hour:02d}:{tm.tm_min:02d}:"
            f"{tm.tm_sec:02d} {offset} {tm.tm_zone or offset}")


def go_rfc3339(unix: int) -> str:
    """``time.Unix(unix, 0).Format(time.RFC3339)`` in the local zone: ``2026-11-27T20:09:59Z``."""
    return local_time(unix).format("2006-01-02T15:04:05Z07:00")


# -- image ls ----------------------------------------------------------------------------------
IMAGE_CONTEXT = ContextType("*formatter.imageContext", {
    "ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
    "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
    "VirtualSize": "SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE"})


def needs_digest(format: str, digests: bool) -> bool:
    """image ls fills ``.Digest`` with --digests or when the format mentions ``{{.Digest}}``."""
    return digests or "{{.Digest}}" in format


def _is_dangling(img: dict[str, Any]) -> bool:
    tags, digests = img.get("RepoTags") or [], img.get("RepoDigests") or []
    if not tags and not digests:
        return True
    return tags == [NONE_TAG] and digests == [NONE_DIGEST]


def _repo_rows(img: dict[str, Any], digests: bool, need_digest: bool) -> list[tuple[str, str, str]]:
    """(repository, tag, digest) rows of one image, as imageFormatTaggedAndDigest makes them."""
    return listing_rows(img, digests=digests, tag_digests=need_digest, digest_placeholder="")


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _image_fields(img: dict[str, Any], no_trunc: bool, now: datetime | None) -> dict[str, str]:
    size = _int(img.get("Size"), 0)
    shared = _int(img.get("SharedSize"), -1)
    containers = _int(img.get("Containers"), -1)
    created = _int(img.get("Created"), 0)
    return {
        "Containers": "N/A" if containers == -1 else str(containers),
        "CreatedAt": go_time_string(created),
        "CreatedSince": _created_since(created, now),
        "ID": truncate_id(str(img.get("Id") or ""), no_trunc),
        "SharedSize": "N/A" if shared == -1 else human_size(shared, 4),
        "Size": human_size(size),
        "UniqueSize": "N/A" if size == -1 or shared == -1 else human_size(size - shared, 4),
        "VirtualSize": human_size(size, 4),
    }


def image_ls_rows(images: Iterable[dict[str, Any]], *, no_trunc: bool = False, digests: bool = False,
                  now: datetime | None = None, format: str = "") -> list[dict[str, str]]:
    """``docker image ls`` rows from ``GET /images/json`` items (``APIClient.images()``).

    One row per repository:tag (``<none>`` for dangling images); with ``digests`` (or a format
    containing ``{{.Digest}}``) ``.Digest`` is filled from RepoDigests of the same repository,
    and digest-only repositories get a row per digest. Rows for one image come in the order of
    its RepoTags (the CLI's order there is Go map order, i.e. random).
    """
    need = needs_digest(format, digests)
    rows = []
    for img in images:
        fields = _image_fields(img, no_trunc, now)
        refs = [(NONE, NONE, NONE)] if _is_dangling(img) else _repo_rows(img, digests, need)
        for repo, tag, digest in refs:
            rows.append({**fields, "Repository": repo, "Tag": tag, "Digest": digest})
    return rows


# -- history -----------------------------------------------------------------------------------
HISTORY_CONTEXT = ContextType("*image.historyContext", {
    "ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
    "Size": "SIZE", "Comment": "COMMENT"})


def history_rows(history: Iterable[dict[str, Any]], *, no_trunc: bool = False, human: bool = True,
                 now: datetime | None = None) -> list[dict[str, str]]:
    """``docker history`` rows from ``GET /images/{name}/history`` (``APIClient.history()``)."""
    rows = []
    for h in history:
        created = _int(h.get("Created"), 0)
        created_at = go_rfc3339(created)
        if not human:
            since = created_at
        elif created <= EPOCH_2000:
            since = "N/A"
        else:
            since = _created_since(created, now)
        created_by = str(h.get("CreatedBy") or "").replace("\t", " ")
        size = _int(h.get("Size"), 0)
        rows.append({
            "Comment": str(h.get("Comment") or ""),
            "CreatedAt": created_at,
            "CreatedBy": created_by if no_trunc else ellipsis(created_by, 45),
            "CreatedSince": since,
            "ID": truncate_id(str(h.get("Id") or ""), no_trunc),
            "Size": human_size(size) if human else str(size),
        })
    return rows


# -- search ------------------------------------------------------------------------------------
def _search_json_view(values: dict[str, str]) -> dict[str, str]:
    # The search context's MarshalJSON sets a flag that makes IsOfficial "true"/"false".
    view = dict(values)
    if "IsOfficial" in view:
        view["IsOfficial"] = "true" if view["IsOfficial"] == "[OK]" else "false"
    return view


SEARCH_CONTEXT = ContextType("*registry.searchContext", {
    "Name": "NAME", "Description": "DESCRIPTION", "StarCount": "STARS", "IsOfficial": "OFFICIAL"},
    json_view=_search_json_view)


def search_rows(results: Iterable[dict[str, Any]], *, no_trunc: bool = False) -> list[dict[str, str]]:
    """``docker search`` rows from the search API results (``APIClient.search()``)."""
    rows = []
    for r in results:
        desc = str(r.get("description") or "").replace("\n", " ").replace("\r", " ")
        rows.append({
            "Name": str(r.get("name") or ""),
            "Description": desc if no_trunc else ellipsis(desc, 45),
            "StarCount": str(_int(r.get("star_count"), 0)),
            "IsOfficial": "[OK]" if r.get("is_official") else "",
        })
    return rows
