"""Pictures of disk usage and layers, drawn with matplotlib (the optional ``plot`` extra).

Pure presentation: the functions take the DataFrames the usage commands build and never talk to the
engine. Figures are made with ``matplotlib.figure.Figure`` and rendered by the Agg canvas, not by
pyplot, so no global figure registry keeps them alive: once shown (as a PNG) they are cleared and
left to the garbage collector, and a notebook that draws many charts does not grow.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from ..engine.references import NONE
from ..errors import DockerMagicError
from ..units import human_size

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

SHARED_COLOR = "#4c72b0"
UNIQUE_COLOR = "#dd8452"
MAX_BARS = 40  # bars per chart; more would be unreadable, so the largest are kept
_STEP_PREFIX = re.compile(r"^(?:\|\d+ \S+ )?/bin/sh -c (?:#\(nop\)\s+)?")


def require() -> None:
    """Check that matplotlib can be imported, before any work is done.

    Raises:
        DockerMagicError: matplotlib is missing; the message names the pip command.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise DockerMagicError(
            "Charts need matplotlib, which is not installed.",
            hint="To fix it, run: pip install matplotlib (or pip install 'docker_magics[plot]'), "
                 "or drop --plot.") from None


def _size_axis(axis: Any, totals: list[int]) -> None:
    """Human sizes on the x axis, and each bar's total written at its end (tiny bars stay readable)."""
    from matplotlib.ticker import FuncFormatter

    axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: human_size(max(value, 0))))
    axis.grid(axis="x", alpha=0.3)
    axis.set_axisbelow(True)
    axis.set_xlim(0, max([*totals, 1]) * 1.18)
    for position, total in enumerate(totals):
        axis.text(total, position, " " + human_size(total), va="center", fontsize=8)


def _figure(bars: int, panels: int = 1) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(9, 1.0 * panels + 0.28 * max(bars, 1) + 0.6), layout="constrained")


def image_sizes(images: pd.DataFrame, title: str = "Image sizes: shared versus unique bytes") -> Figure:
    """Stacked horizontal bars, one per image (grouped by repository): shared bytes, then unique bytes.

    Args:
        images: the ``%docker df -v`` frame (repository, tag, image_id, size, shared_size, unique_size).
        title: the chart's title.
    """
    rows = images.assign(shared=images["shared_size"].clip(lower=0), unique=images["unique_size"].clip(lower=0))
    kept = rows.nlargest(MAX_BARS, "size") if len(rows) > MAX_BARS else rows
    kept = kept.sort_values(["repository", "size"], ascending=[True, False])
    labels = [f"{r}:{t}" if r != NONE else f"{NONE} {i}" for r, t, i in
              zip(kept["repository"], kept["tag"], kept["image_id"], strict=True)]
    fig = _figure(len(kept))
    axis = fig.add_subplot()
    positions = range(len(kept))
    axis.barh(positions, kept["shared"], color=SHARED_COLOR, label="shared with other images")
    axis.barh(positions, kept["unique"], left=kept["shared"], color=UNIQUE_COLOR, label="unique to the image")
    axis.set_yticks(list(positions), labels)
    axis.invert_yaxis()
    _size_axis(axis, [int(s + u) for s, u in zip(kept["shared"], kept["unique"], strict=True)])
    shown = "" if len(kept) == len(rows) else f" (largest {len(kept)} of {len(rows)})"
    axis.set_title(title + shown)
    fig.legend(loc="outside lower center", ncols=2)
    return fig


def step_label(created_by: str, width: int = 40) -> str:
    """A short label for a build step: the shell prefix dropped, cut at ``width`` characters."""
    text = " ".join(_STEP_PREFIX.sub("", created_by or "").split()) or "(no step recorded)"
    return text if len(text) <= width else text[: width - 1] + "…"


def layer_sizes(layers: pd.DataFrame) -> Figure:
    """One panel per image: a bar per layer (base at the top), coloured by whether other images share it.

    Args:
        layers: the ``%docker layers`` frame (image, layer, size, created_by, shared).
    """
    names = list(dict.fromkeys(layers["image"]))
    fig = _figure(len(layers), len(names))
    heights = [max(int((layers["image"] == n).sum()), 1) for n in names]
    grid = fig.add_gridspec(len(names), 1, height_ratios=heights)
    for index, name in enumerate(names):
        part = layers[layers["image"] == name].tail(MAX_BARS)
        axis = fig.add_subplot(grid[index])
        colors = [SHARED_COLOR if s else UNIQUE_COLOR for s in part["shared"]]
        positions = list(range(len(part)))
        axis.barh(positions, part["size"].clip(lower=0), color=colors)
        axis.set_yticks(positions, [f"{step_label(c)}  [{lay[:12]}]" for c, lay in
                                    zip(part["created_by"], part["layer"].str.removeprefix("sha256:"), strict=True)])
        axis.invert_yaxis()
        _size_axis(axis, [int(v) for v in part["size"].clip(lower=0)])
        axis.set_title(f"{name}: {len(part)} layers, {human_size(int(part['size'].clip(lower=0).sum()))}",
                       loc="left")
    if len(names) > 1 or layers["shared"].any():
        from matplotlib.patches import Patch

        fig.legend(handles=[Patch(color=SHARED_COLOR, label="shared with another image listed"),
                            Patch(color=UNIQUE_COLOR, label="not shared")], loc="outside lower center", ncols=2)
    return fig


def png(fig: Figure, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes with the Agg canvas (no display, no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # attaches itself as the figure's canvas
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def show(fig: Figure) -> None:
    """Display a figure in the notebook as a PNG, then clear it so that nothing keeps its memory."""
    from IPython.display import Image, display

    try:
        display(Image(data=png(fig), format="png"))
    finally:
        fig.clear()


def wasted_space(wasted: pd.DataFrame, title: str | None = None) -> Figure:
    """A bar per path that several layers hold or a later layer removes (largest at the top), by cumulative size.

    Args:
        wasted: the ``%docker files --wasted`` frame (path, layers, count, cumulative_size; attrs efficiency).
        title: the chart's title (default: the efficiency and the potential wasted bytes).
    """
    part = wasted.head(MAX_BARS)
    fig = _figure(len(part))
    axis = fig.add_subplot()
    positions = list(range(len(part)))
    axis.barh(positions, part["cumulative_size"], color=UNIQUE_COLOR)
    axis.set_yticks(positions, [f"{path}  (layers {', '.join(map(str, layers))})"
                                for path, layers in zip(part["path"], part["layers"], strict=True)])
    axis.invert_yaxis()
    _size_axis(axis, [int(v) for v in part["cumulative_size"]])
    efficiency, wasted_bytes = wasted.attrs.get("efficiency"), wasted.attrs.get("wasted_bytes", 0)
    axis.set_title(title or (f"Potential wasted space {human_size(wasted_bytes)}"
                             + (f", efficiency {efficiency:.1%}" if efficiency is not None else "")), loc="left")
    return fig
