"""``search`` and ``tags`` frames: the engine's search results, a registry's catalog, a repository's tags."""

from __future__ import annotations

from typing import Any

from .frames import frame

SEARCH_COLUMNS = ["name", "description", "stars", "official"]
TAG_COLUMNS = ["repository", "tag", "digest", "compressed_size", "platforms", "created"]


def search_frame(results: list[dict], *, no_trunc: bool = False, engine: str | None = None) -> Any:
    """The search results as a DataFrame; descriptions stay whole, the display cuts them like the CLI."""
    # `is_automated` is left out: Docker Hub retired automated builds and the engine deprecated the field.
    rows = [(r.get("name", ""), _one_line(r.get("description")), int(r.get("star_count") or 0),
             bool(r.get("is_official"))) for r in results]
    return frame(rows, SEARCH_COLUMNS, dtypes={"stars": "int64", "official": "bool"},
                 views=None if no_trunc else {"description": "ellipsis"}, engine=engine)


def _one_line(text: str | None) -> str:
    # As every output of the CLI does: a description's line breaks become spaces.
    return (text or "").replace("\r", " ").replace("\n", " ")


def catalog_frame(names: list[str]) -> Any:
    """A registry's repositories (``search --registry``), one ``name`` per row."""
    return frame([(name,) for name in names], ["name"], dtypes={"name": "string"})


def tags_frame(repository: str, rows: list[dict], *, no_trunc: bool = False) -> Any:
    """Tag rows as a DataFrame: compressed_size is nullable Int64 bytes, created tz-aware, platforms ``os/arch`` text.

    ``compressed_size`` is what the registry stores and a pull downloads (config and compressed layers), not the
    unpacked ``size`` that ``%docker images`` shows: the registry does not know that one.
    """
    from ..engine.registry.api import created_time  # None for a missing, unparseable or zero time

    table = [(repository, r["tag"], r["digest"], r.get("size"), ", ".join(r.get("platforms") or ()),
              created_time(r.get("created"))) for r in rows]
    views = {"compressed_size": "size", "created": "age"} | ({} if no_trunc else {"digest": "ellipsis"})
    return frame(table, TAG_COLUMNS, dtypes={"compressed_size": "Int64", "created": "datetime"}, views=views)
