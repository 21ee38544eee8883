"""Engine API payloads turned into pandas DataFrames with typed columns.

Pure functions: no engine calls, no display. pandas is imported here, and this module is imported
only when a listing is made, so ``%load_ext`` does not pay for pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

import pandas as pd

from ..engine.references import familiar_parts
from ..units import truncate_id

NONE = "<none>"


class DockerFrame(pd.DataFrame):
    """A DataFrame that remembers which engine it came from and displays sizes and ages for humans.

    The values stay typed (int64 bytes, tz-aware datetimes); only the notebook's rendering of them
    changes. Any operation that keeps the frame (filtering, sorting) keeps the friendly display.
    """

    _metadata: ClassVar[list[str]] = ["dm_engine", "dm_views", "dm_index"]

    @property
    def _constructor(self) -> Callable[..., DockerFrame]:
        return DockerFrame

    def _display_copy(self) -> pd.DataFrame:
        view = pd.DataFrame(self)
        now = datetime.now(UTC)
        for column, kind in (getattr(self, "dm_views", None) or {}).items():
            if column in view.columns:
                view[column] = view[column].map(_VIEWS[kind](now))
        return view

    def _repr_html_(self) -> str | None:
        from ..units import escape_html

        with _row_limit():
            html = self._display_copy()._repr_html_()
        engine = self._engine_label()
        if engine and html:
            html = f"<div><small>engine: {escape_html(engine)}</small>{html}</div>"
        return html

    def __repr__(self) -> str:
        with _row_limit():
            text = repr(self._display_copy())
        engine = self._engine_label()
        return f"{text}\n[engine: {engine}]" if engine else text

    def _engine_label(self) -> str | None:
        # "(index)" when the rows came from the engine's image index rather than a listing of its own.
        engine = getattr(self, "dm_engine", None)
        return f"{engine} (index)" if engine and getattr(self, "dm_index", False) else engine


def _row_limit() -> Any:
    from .frames_options import display_rows

    return pd.option_context("display.max_rows", display_rows, "display.min_rows", min(display_rows, 20))


def _size_view(_now: datetime) -> Callable[[Any], str]:
    from ..units import human_size

    return lambda v: v if not isinstance(v, int | float) or pd.isna(v) or v < 0 else human_size(int(v))


def _age_view(now: datetime) -> Callable[[Any], str]:
    from ..units import human_duration

    def view(value: Any) -> Any:
        if not isinstance(value, datetime) or pd.isna(value):
            return value
        return human_duration((now - value).total_seconds()) + " ago"

    return view


def _ellipsis_view(_now: datetime) -> Callable[[Any], str]:
    # The CLI's Ellipsis(s, 45): cut by display width and end in "…"; the frame keeps the whole text.
    return lambda v: v if not isinstance(v, str) or len(v) <= 45 else v[:44] + "…"


_VIEWS = {"size": _size_view, "age": _age_view, "ellipsis": _ellipsis_view}


def frame(rows: Iterable[dict[str, Any]] | list[tuple], columns: list[str], *, dtypes: dict[str, str],
          views: dict[str, str] | None = None, engine: str | None = None) -> DockerFrame:
    """Build a DockerFrame with the given column order and dtypes.

    Args:
        rows: row tuples in column order.
        columns: column names.
        dtypes: column -> "int64", "datetime" (unix seconds or ISO text, to tz-aware UTC), "bool", "string".
        views: column -> "size" or "age", how the notebook shows it.
        engine: the engine's name, shown with the frame.
    """
    rows = list(rows)
    # Column by column, each converted once: cheaper than a frame of objects converted afterwards.
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    data: dict[str, Any] = {}
    for column, column_values in zip(columns, values, strict=True):
        kind = dtypes.get(column)
        if kind == "datetime":
            data[column] = _to_datetime(column_values)
        elif kind in (None, "string"):
            data[column] = pd.Series(column_values, dtype=object)
        else:
            data[column] = pd.Series(column_values, dtype=kind)
    df = DockerFrame(data, columns=columns)
    df.dm_engine = engine
    df.dm_views = views or {}
    return df


def _to_datetime(values: tuple) -> pd.Series:
    """Unix seconds (the images API) or ISO text (inspect) as tz-aware UTC datetimes."""
    if values and not isinstance(values[0], str):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype="int64"), unit="s", utc=True))
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601"))


def image_rows(image: dict, *, digests: bool) -> list[tuple[str, str, str]]:
    """The (repository, tag, digest) rows the CLI lists for one image.

    One row per repository:tag; a repository known only by digest gets a ``<none>`` tag; an image
    with neither is ``<none> <none>``. Without ``--digests`` the digest is ``<none>``.
    """
    tags: dict[str, list[str]] = {}
    for ref in image.get("RepoTags") or ():
        if (parts := familiar_parts(ref)) and parts[1]:
            tags.setdefault(parts[0], []).append(parts[1])
    by_digest: dict[str, list[str]] = {}
    for ref in image.get("RepoDigests") or ():
        if (parts := familiar_parts(ref)) and parts[2]:
            by_digest.setdefault(parts[0], []).append(parts[2])
    rows: list[tuple[str, str, str]] = []
    for repo, repo_tags in tags.items():
        # A repository that has tags shows its digests on the tag rows, never as rows of their own.
        shown = by_digest.pop(repo, []) if digests else by_digest.pop(repo, None) and []
        for tag in repo_tags:
            rows.extend((repo, tag, d) for d in shown or [NONE])
    for repo, repo_digests in by_digest.items():
        rows.extend((repo, NONE, d) for d in (repo_digests if digests else [NONE]))
    return rows or [(NONE, NONE, NONE)]


def _newest_first(images: list[dict]) -> list[dict]:
    # The CLI's order (newest first); ties broken by ID so that two listings compare equal.
    return sorted(images, key=lambda i: (-i.get("Created", 0), i["Id"]))


IMAGE_COLUMNS = ["repository", "tag", "image_id", "created", "size"]


def images_frame(images: list[dict], *, digests: bool = False, no_trunc: bool = False,
                 engine: str | None = None) -> DockerFrame:
    """``%docker images``: one row per repository:tag, newest image first, as the CLI lists them."""
    ordered = _newest_first(images)
    rows = []
    for image in ordered:
        image_id = truncate_id(image["Id"], no_trunc)
        for repo, tag, digest in image_rows(image, digests=digests):
            row = (repo, tag, digest, image_id, image.get("Created", 0), image.get("Size", 0))
            rows.append(row if digests else row[:2] + row[3:])
    columns = IMAGE_COLUMNS[:2] + (["digest"] if digests else []) + IMAGE_COLUMNS[2:]
    return frame(rows, columns, dtypes={"created": "datetime", "size": "int64"},
                 views={"created": "age", "size": "size"}, engine=engine)


def image_ids(images: list[dict], *, no_trunc: bool = False) -> list[str]:
    """``%docker images -q``: the IDs, one per listed row, as the CLI prints them."""
    ordered = _newest_first(images)
    return [truncate_id(i["Id"], no_trunc) for i in ordered for _ in image_rows(i, digests=False)]


HISTORY_COLUMNS = ["image_id", "created", "created_by", "size", "comment"]


def history_frame(history: list[dict], *, no_trunc: bool = False, human: bool = True,
                  engine: str | None = None) -> DockerFrame:
    """``%docker history``: one row per layer, newest first; ``<missing>`` IDs kept as the engine sends them.

    ``created_by`` keeps the whole step (tabs as spaces, as the CLI shows it); the display cuts it at 45
    characters unless ``--no-trunc``. ``-H=false`` shows raw bytes and timestamps instead of human ones.
    """
    rows = [(_history_id(h.get("Id", ""), no_trunc), h.get("Created", 0), (h.get("CreatedBy") or "").replace("\t", " "),
             h.get("Size", 0), h.get("Comment") or "") for h in history]
    views: dict[str, str] = {"created": "age", "size": "size"} if human else {}
    if not no_trunc:
        views["created_by"] = "ellipsis"
    return frame(rows, HISTORY_COLUMNS, dtypes={"created": "datetime", "size": "int64"}, views=views, engine=engine)


def _history_id(image_id: str, no_trunc: bool) -> str:
    return image_id if image_id == "<missing>" else truncate_id(image_id, no_trunc)


def history_ids(history: list[dict], *, no_trunc: bool = False) -> list[str]:
    """``%docker history -q``: the IDs, ``<missing>`` included, as the CLI prints them."""
    return [_history_id(h.get("Id", ""), no_trunc) for h in history]


def fleet_frame(parts: list[tuple[str, DockerFrame, str | None]]) -> DockerFrame:
    """Stack per-engine frames under an ``engine`` column; an engine that failed is one row with its ``error``."""
    pieces = []
    for name, part, error in parts:
        part = pd.DataFrame(part)
        if error:
            part = pd.DataFrame({column: [pd.NA] for column in part.columns})
        part.insert(0, "engine", name)
        part["error"] = error
        pieces.append(part)
    combined = DockerFrame(pd.concat(pieces, ignore_index=True))
    combined["error"] = combined["error"].astype(object).where(combined["error"].notna(), None)
    if "size" in combined and not combined["size"].isna().any():
        combined["size"] = combined["size"].astype("int64")
    elif "size" in combined:
        combined["size"] = combined["size"].astype("Int64")
    combined.dm_engine = ", ".join(name for name, _, _ in parts)
    combined.dm_views = parts[0][1].dm_views if parts else {}
    return combined


def stacked_results(parts: list[tuple[str, Any, str | None]]) -> DockerFrame:
    """One read-only command's results from several engines, in one frame with an ``engine`` column.

    Frames are stacked as listings are (:func:`fleet_frame`); any other result (inspect's JSON, ``--format``
    text) becomes one row per item with the item in a ``result`` column. A failed engine is a row with its
    ``error``.
    """
    if all(error or isinstance(result, DockerFrame) for _, result, error in parts) and any(
            isinstance(result, DockerFrame) for _, result, _ in parts):
        template = next(result for _, result, _ in parts if isinstance(result, DockerFrame))
        return fleet_frame([(name, result if isinstance(result, DockerFrame) else template.iloc[0:0], error)
                            for name, result, error in parts])
    rows = []
    for name, result, error in parts:
        items = [None] if error else (list(result) if isinstance(result, list) else [result])
        rows += [(name, item, error) for item in items]
    combined = frame(rows, ["engine", "result", "error"], dtypes={})
    combined.dm_engine = ", ".join(name for name, _, _ in parts)
    return combined
