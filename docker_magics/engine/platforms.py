"""Platforms of local images: ``os/arch[/variant]`` texts, the platforms an image index has here, API checks.

Only the containerd image store keeps several platforms of one image (an image index); the classic store keeps one.
What the Engine API tells about them depends on its version:

- API 1.47+ (Engine 27.3): ``GET /images/json?manifests=1`` lists each image's ``Manifests``, with the platform and
  whether its content is here (``Available``), attestations marked as such (``Kind``);
- API 1.49+ (Engine 28.1): ``GET /images/{name}/json?platform=…`` inspects one platform of an index;
- before (Engine 26.1 is API 1.45, checked): neither parameter is known (the engine ignores ``platform`` and answers
  the platform it would run), and nothing lists an index's platforms; the Docker CLI 28 refuses ``images --tree``
  and ``image inspect --platform`` there ("requires API version 1.47/1.49").
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import UsageError

#: The first API version whose image listing can carry ``Manifests`` (``?manifests=1``).
MANIFESTS_API = "1.47"
#: The first API version whose image inspect takes ``platform``.
INSPECT_PLATFORM_API = "1.49"


def platform_text(spec: dict[str, Any] | None) -> str:
    """``linux/arm64/v8`` from an OCI platform (``os``, ``architecture``, ``variant``) or an inspect object."""
    if not isinstance(spec, dict):
        return ""
    parts = [spec.get("os") or spec.get("Os"), spec.get("architecture") or spec.get("Architecture"),
             spec.get("variant") or spec.get("Variant")]
    return "/".join(str(p) for p in parts if p)


def present_platforms(summary: dict[str, Any]) -> list[str] | None:
    """The platforms of an image whose content is here, from its ``Manifests`` (API 1.47+); None without them.

    Attestations and manifests whose content was never pulled are left out, as ``docker images --tree`` leaves
    them out of its platform rows by default.
    """
    manifests = summary.get("Manifests")
    if manifests is None:
        return None
    found = []
    for manifest in manifests:
        if manifest.get("Kind", "image") != "image" or not manifest.get("Available", True):
            continue
        spec = (manifest.get("ImageData") or {}).get("Platform") or (manifest.get("Descriptor") or {}).get("platform")
        if text := platform_text(spec):
            found.append(text)
    return found


def platform_param(text: str) -> str:
    """``--platform os[/arch[/variant]]`` as the JSON the API wants (``{"os": "linux", "architecture": …}``).

    Raises:
        UsageError: not ``os[/arch[/variant]]``.
    """
    parts = text.strip().lower().split("/")
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise UsageError(f'"{text}": unknown operating system or architecture: invalid argument',
                         hint="Write --platform os[/arch[/variant]], e.g. linux/arm64 or linux/arm/v7.")
    keys = ("os", "architecture", "variant")
    return json.dumps(dict(zip(keys, parts, strict=False)))


def require_api(engine: Any, flag: str, version: str) -> None:
    """Refuse a flag the engine's API is too old for, in the Docker CLI's words.

    Raises:
        UsageError: ``"--platform" requires API version 1.49, but the Docker daemon API version is 1.45``.
    """
    if not engine.api_at_least(version):
        raise UsageError(f'"{flag}" requires API version {version}, but the Docker daemon API version is '
                         f"{engine.api_version}",
                         hint=f"To fix it, leave out {flag}, or use an engine with API {version} or newer.")
