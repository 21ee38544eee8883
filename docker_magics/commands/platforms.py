"""``--platform`` on the verbs that read or move local images, and ``images --platforms``.

The Docker CLI 28 marks each of these flags with the API version that brought it and refuses it, in one line, on an
older engine ("requires API version 1.49, but the Docker daemon API version is 1.45"); so do we, from one table.
"""

from __future__ import annotations

from typing import Any

from ..engine.platforms import INSPECT_PLATFORM_API, platform_text, present_platforms, require_api
from ..errors import UsageError

#: Verb -> the API version its ``--platform`` needs (the CLI's annotations).
PLATFORM_API = {"inspect": INSPECT_PLATFORM_API, "history": "1.48", "save": "1.48", "load": "1.48", "rmi": "1.50"}


def check_platform(engine: Any, verb: str, platform: str | None) -> None:
    """Refuse ``--platform`` on an engine whose API does not have it for ``verb``, as the CLI does.

    Raises:
        UsageError: the API is older than :data:`PLATFORM_API` says, or the verb's ``--platform`` is not wired here.
    """
    if not platform:
        return
    require_api(engine, "--platform", PLATFORM_API[verb])
    if verb == "rmi":  # DELETE /images/{name}?platforms=… (API 1.50) is not wired up yet
        raise UsageError("rmi --platform is not supported by docker_magics yet",
                         hint="To fix it, remove the image without --platform (every platform goes).")


def platforms_column(engine: Any, images: list[dict[str, Any]]) -> tuple[dict[str, str], str | None]:
    """Image ID -> ``linux/amd64, linux/arm64``, and a note when the API cannot list them all.

    API 1.47+: the platforms whose content is here, from the listing's ``Manifests`` (no extra request). Older
    APIs list none: each image then names the one platform the engine inspects (one request per image), which
    is all of it on the classic store and, on the containerd store, the platform the engine would run.
    """
    found: dict[str, str] = {}
    listed = True
    for image in images:
        platforms = present_platforms(image)
        if platforms is None:
            listed = False
            platforms = [platform_text(engine.inspect(image["Id"]))]
        found[image["Id"]] = ", ".join(platforms)
    if listed or not engine.containerd_store():
        return found, None
    return found, (f"API {engine.api_version} lists no platforms (1.47+ does): each image shows the platform the "
                   "engine uses, and an image index may hold more")
