"""``docker ps --format`` rows: ``GET /containers/json`` items as the CLI's container context strings.

Following docker/cli 28.2.2 ``cli/command/formatter/container.go``: ``.Command`` is quoted (and cut to 20 cells
unless ``--no-trunc``), ``.CreatedAt`` is Go's ``time.Time.String()``, ``.RunningFor`` a human duration, ``.Size``
``0B (virtual 1.98MB)``. ``.Labels`` joins the labels sorted (the CLI's order is Go's random map order).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from ..units import ellipsis, human_duration, human_size, truncate_id
from ..views.containers import ps_row
from .contexts import go_time_string
from .values import ContextType

CONTAINER_CONTEXT = ContextType("*formatter.ContainerContext", {
    "ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
    "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE",
    "Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS", "LocalVolumes": "LOCAL VOLUMES",
    "Networks": "NETWORKS", "Platform": "PLATFORM"})

PS_TABLE = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"


def wants_size(format: str, size: bool) -> bool:
    """The CLI asks the engine for sizes with ``-s``, or when a template (not ``json``) mentions ``.Size``."""
    return size or (format not in ("", "table", "json") and ".Size" in format)


def _image(container: dict[str, Any], no_trunc: bool) -> str:
    image = container.get("Image") or ""
    if not image:
        return "<no image>"
    if no_trunc:
        return image
    if truncate_id(container.get("ImageID") or "") == truncate_id(image):
        return truncate_id(image)
    return image.split("@", 1)[0]  # the CLI drops a digest unless --no-trunc


def _size(container: dict[str, Any]) -> str:
    writable = human_size(int(container.get("SizeRw") or 0))
    virtual = int(container.get("SizeRootFs") or 0)
    return f"{writable} (virtual {human_size(virtual)})" if virtual > 0 else writable


def _mounts(container: dict[str, Any], no_trunc: bool) -> str:
    names = []
    for mount in container.get("Mounts") or ():
        name = mount.get("Name") or mount.get("Source") or ""
        names.append(name if no_trunc else ellipsis(name, 15))
    return ",".join(names)


def ps_rows(containers: Iterable[dict[str, Any]], *, no_trunc: bool = False,
            now: float | None = None) -> list[dict[str, Any]]:
    """One context row per container, in the order given."""
    now = time.time() if now is None else now
    rows = []
    for container in containers:
        shown = ps_row(container, no_trunc=no_trunc)
        created = int(container.get("Created") or 0)
        labels = container.get("Labels") or {}
        networks = (container.get("NetworkSettings") or {}).get("Networks") or {}
        rows.append({
            "ID": shown["container_id"], "Image": _image(container, no_trunc),
            "Command": json.dumps(shown["command"], ensure_ascii=False), "CreatedAt": go_time_string(created),
            "RunningFor": human_duration(now - created) + " ago", "Ports": shown["ports"],
            "State": container.get("State") or "", "Status": container.get("Status") or "", "Size": _size(container),
            "Names": shown["names"], "Labels": ",".join(f"{k}={v}" for k, v in sorted(labels.items())),
            "Mounts": _mounts(container, no_trunc),
            "LocalVolumes": str(sum(1 for m in container.get("Mounts") or () if m.get("Driver") == "local")),
            "Networks": ",".join(networks), "Platform": _platform(container)})
    return rows


def _platform(container: dict[str, Any]) -> dict[str, Any] | None:
    """The image manifest's platform (API 1.48+, the containerd store), as the CLI's OCI Platform encodes it."""
    platform = (container.get("ImageManifestDescriptor") or {}).get("platform")
    if not platform:
        return None
    keys = ("architecture", "os", "os.version", "os.features", "variant")  # the Go struct's order, omitempty
    return {key: platform[key] for key in keys if platform.get(key)}
