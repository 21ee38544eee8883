"""Engine API payloads turned into pandas DataFrames with typed columns.

Pure functions: no engine calls, no display. pandas is imported here, and this module is imported
only when a listing is made, so ``%load_ext`` does not pay for pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from ..engine.identity import EngineLabel, ServerFacts, describe
from ..engine.references import NONE, listing_rows
from ..units import escape_html, human_duration, human_size, truncate_id
from .frontend import display_rows

#: pandas' string dtype: "str" since pandas 3 (missing values are NaN), the nullable "string" before.
TEXT = "str" if int(pd.__version__.split(".")[0]) >= 3 else "string"


class DockerFrame(pd.DataFrame):
    """A DataFrame that says which engine it came from and displays sizes and ages for humans.

    The values stay typed (int64 bytes, tz-aware datetimes, text as pandas' string dtype); only the notebook's
    rendering changes. What the display needs lives in ``df.attrs``, which pandas carries through filtering,
    sorting, ``pd.concat`` and ``merge`` of frames that agree on it:

    - ``engine``: the engine's name (``engines`` lists them for a listing of several); ``engine_version``,
      ``api_version`` and ``image_store`` (``containerd`` or ``classic``): what that engine said about itself;
    - ``views``: column -> ``size``, ``age`` or ``ellipsis``, how the notebook shows the column;
    - ``formats``: column -> a function of the row giving its text (the CLI's ``N/A``, ``4.02MB (99%)``);
    - ``caption``: a line shown with the frame (``Total reclaimed space: 12MB``). It belongs to the frame the
      command returned: any frame derived from it drops it, so a filtered subset never shows a total that is
      no longer true (its numbers stay in the other ``attrs``).
    """

    @property
    def _constructor(self) -> Callable[..., DockerFrame]:
        return DockerFrame

    def __finalize__(self, other: Any, method: str | None = None, **kwargs: Any) -> DockerFrame:
        result = super().__finalize__(other, method=method, **kwargs)
        if method in ("merge", "concat"):
            # pandas keeps attrs only when every input has the same ones; what the frames agree on (the engine,
            # most often) is still true of the result, even beside a plain DataFrame or another listing.
            inputs = [other.left, other.right] if method == "merge" else list(getattr(other, "objs", ()))
            ours = [frame.attrs for frame in inputs if isinstance(frame, DockerFrame)]
            if ours:
                result.attrs = {k: v for k, v in ours[0].items() if all(a.get(k) == v for a in ours[1:])}
        if "caption" in result.attrs:
            result.attrs = {k: v for k, v in result.attrs.items() if k not in ("caption", "caption_at")}
        return result

    # The attrs under the names the code reads them by.
    dm_engine = property(lambda self: self.attrs.get("engine"), lambda self, v: self._set_engine(v))
    dm_views = property(lambda self: self.attrs.get("views") or {}, lambda self, v: self._set("views", v))
    dm_formats = property(lambda self: self.attrs.get("formats") or {}, lambda self, v: self._set("formats", v))
    dm_caption = property(lambda self: self.attrs.get("caption"), lambda self, v: self._set("caption", v))
    #: True when the rows came from the engine's image index rather than a listing of its own.
    dm_index = property(lambda self: bool(self.attrs.get("index")), lambda self, v: self._set("index", v or None))

    def _set_engine(self, engine: str | None) -> None:
        # An EngineLabel brings the engine's facts: kept as plain values, which pandas compares and copies.
        facts = getattr(engine, "facts", None)
        self._set("engine", str(engine) if engine else None)
        for key, value in _FACT_ATTRS:
            self._set(key, getattr(facts, value, None))

    @property
    def dm_engine_text(self) -> str:
        """The engine line's text: ``NAME: Engine 26.1.5, API 1.45, containerd store``, ``NAME (index): ...``."""

        engine = self.dm_engine
        if engine and self.dm_index:
            engine = f"{engine} (index)"
        return describe(engine and EngineLabel(engine, ServerFacts(*(self.attrs.get(key) for key, _ in _FACT_ATTRS))))

    def _set(self, key: str, value: Any) -> None:
        if value is None or value == {}:
            self.attrs.pop(key, None)
        else:
            self.attrs[key] = value

    def _display_copy(self) -> pd.DataFrame:
        view = pd.DataFrame(self)
        now = datetime.now(UTC)
        for column, kind in self.dm_views.items():
            if column in view.columns:
                view[column] = view[column].astype(object).map(_VIEWS[kind](now))
        formats = self.dm_formats
        records = pd.DataFrame(self).to_dict("records") if formats else []
        for column, fmt in formats.items():
            if column in view.columns:
                view[column] = pd.Series([fmt(row) for row in records], index=view.index, dtype=object)
        return view

    def _repr_html_(self) -> str | None:
        with _row_limit():
            html = self._display_copy()._repr_html_() if len(self) or not self.dm_caption else ""
        engine = self.dm_engine_text
        if engine and html:
            html = f"<div><small>engine: {escape_html(engine)}</small>{html}</div>"
        caption = self.dm_caption
        if caption:
            bold = self.attrs.get("caption_at") == "end"
            text = f"<b>{escape_html(caption)}</b>" if bold else escape_html(caption)
            html = f"<div><p>{text}</p>{html}</div>"
        return html

    def __repr__(self) -> str:
        caption = self.dm_caption
        if caption and not len(self) and self.attrs.get("caption_at") == "end":
            return caption
        with _row_limit():
            text = repr(self._display_copy())
        engine = self.dm_engine_text
        text = f"{text}\n[engine: {engine}]" if engine else text
        if not caption:
            return text
        return f"{text}\n{caption}" if self.attrs.get("caption_at") == "end" else f"{caption}\n{text}"


#: (attrs key, ServerFacts field), in ServerFacts' order.
_FACT_ATTRS = (("engine_version", "version"), ("api_version", "api_version"), ("image_store", "store"))


def with_caption(df: DockerFrame, caption: str, *, at: str = "start", **attrs: Any) -> DockerFrame:
    """``df`` shown with ``caption`` (above it, or below with ``at="end"``); ``attrs`` land in ``df.attrs``."""
    df.dm_caption = caption
    if at == "end":
        df.attrs["caption_at"] = "end"
    df.attrs.update(attrs)
    return df


def _row_limit() -> Any:
    rows = display_rows()
    return pd.option_context("display.max_rows", rows, "display.min_rows", min(rows, 20))


def _size_view(_now: datetime) -> Callable[[Any], str]:
    return lambda v: v if not isinstance(v, int | float) or pd.isna(v) or v < 0 else human_size(int(v))


def _age_view(now: datetime) -> Callable[[Any], str]:
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
        elif kind == "string" or (kind is None and all(v is None or isinstance(v, str) for v in column_values)):
            data[column] = pd.Series(column_values, dtype=TEXT)
        elif kind is None:
            data[column] = pd.Series(column_values, dtype=object)  # lists, dicts: kept as they are
        else:
            data[column] = pd.Series(column_values, dtype=kind)
    df = DockerFrame(data, columns=columns)
    df.dm_engine = engine
    df.dm_views = views or {}
    return df


def _to_datetime(values: tuple) -> pd.Series:
    """Unix seconds (the images API) or ISO text (inspect) as tz-aware UTC datetimes."""
    known = next((v for v in values if v is not None), None)  # None: unknown (a registry may not say)
    if known is None:
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), utc=True), dtype="datetime64[ns, UTC]")
    if not isinstance(known, str):
        series = pd.Series(values, dtype="int64" if len(values) and None not in values else "Int64")
        return pd.Series(pd.to_datetime(series, unit="s", utc=True))
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601"))


def image_rows(image: dict, *, digests: bool) -> list[tuple[str, str, str]]:
    """The (repository, tag, digest) rows the CLI lists for one image.

    One row per repository:tag; a repository known only by digest gets a ``<none>`` tag; an image
    with neither is ``<none> <none>``. Without ``--digests`` the digest is ``<none>``.
    """
    return listing_rows(image, digests=digests, tag_digests=digests) or [(NONE, NONE, NONE)]


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


def add_platforms_column(df: DockerFrame, platforms: dict[str, str], note: str | None, *,
                         no_trunc: bool = False) -> DockerFrame:
    """``images --platforms``: a ``platforms`` column (``linux/amd64, linux/arm64``) after ``size``.

    Args:
        df: the images frame.
        platforms: full image ID -> the platforms of that image that are here.
        note: what the column cannot tell on this engine (shown as the caption, kept in ``attrs``), or None.
        no_trunc: whether the frame's IDs are full.
    """
    by_shown = {truncate_id(image_id, no_trunc): text for image_id, text in platforms.items()}
    df.insert(df.columns.get_loc("size") + 1, "platforms",
              pd.Series([by_shown.get(i, "") for i in df["image_id"]], index=df.index, dtype=TEXT))
    if note:
        with_caption(df, note, platforms_note=note)
    return df


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


def _stacked_frames(parts: list[tuple[str, DockerFrame, str | None]]) -> DockerFrame:
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
    combined.attrs["engines"] = [name for name, _, _ in parts]
    combined.dm_views = parts[0][1].dm_views if parts else {}
    return combined


def stacked_results(parts: list[tuple[str, Any, str | None]]) -> DockerFrame:
    """One read-only command's results from several engines, in one frame with an ``engine`` column.

    Frames are stacked under an ``engine`` column (their columns kept); any other result (inspect's JSON, ``--format``
    text) becomes one row per item with the item in a ``result`` column. A failed engine is a row with its
    ``error``.
    """
    if all(error or isinstance(result, DockerFrame) for _, result, error in parts) and any(
            isinstance(result, DockerFrame) for _, result, _ in parts):
        template = next(result for _, result, _ in parts if isinstance(result, DockerFrame))
        return _stacked_frames([(name, result if isinstance(result, DockerFrame) else template.iloc[0:0], error)
                            for name, result, error in parts])
    rows = []
    for name, result, error in parts:
        items = [None] if error else (list(result) if isinstance(result, list) else [result])
        rows += [(name, item, error) for item in items]
    combined = frame(rows, ["engine", "result", "error"], dtypes={})
    combined.dm_engine = ", ".join(name for name, _, _ in parts)
    return combined
