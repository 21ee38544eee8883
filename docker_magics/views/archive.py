"""How load's result looks in a notebook: one row per loaded reference (save's summary is views/results.py's)."""

from __future__ import annotations

from .frames import DockerFrame, frame

LOADED_COLUMNS = ["reference", "image_id"]


def loaded_frame(loaded: list[tuple[str, str]], *, engine: str | None) -> DockerFrame:
    """load: one row per loaded reference (``<none>`` for an image loaded by ID) and its full ID."""
    return frame(loaded, LOADED_COLUMNS, dtypes={c: "string" for c in LOADED_COLUMNS}, engine=engine)
