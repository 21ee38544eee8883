"""The table writer behind ``table`` formats: Docker's fork of Go's text/tabwriter.

The CLI writes with ``tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)``: a cell is text ended by a tab;
a column is a run of consecutive lines that all have a tab-terminated cell at that index; its width
is the widest cell plus 3, but at least 10; the last cell of a line is never padded, while empty
tab-terminated cells are. Widths count display cells: East Asian wide characters take two.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def _char_width(c: str) -> int:
    # go-runewidth in a non-CJK locale: wide and fullwidth are 2, combining marks and controls 0.
    if c < " " or "\x7f" <= c < "\xa0":
        return 0
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def display_width(s: str) -> int:
    """Terminal cells a string takes (its length for plain ASCII)."""
    if s.isascii() and s.isprintable():
        return len(s)
    return sum(_char_width(c) for c in s)


def tabwrite(text: str, minwidth: int = 10, padding: int = 3) -> str:
    """Align tab-separated text into columns, exactly as the Docker CLI's table output."""
    lines = [line.split("\t") for line in text.split("\n")]
    widths = [[len(c) if c.isascii() and c.isprintable() else display_width(c) for c in cells]
              for cells in lines]
    ncells = {len(cells) for cells in lines[:-1]}
    if len(ncells) == 1 and len(lines[-1]) == 1:
        # The usual table: every line has the same cells, so each column is one block.
        return _uniform(lines, widths, ncells.pop() - 1, minwidth, padding)
    pads: list[list[int]] = [[] for _ in lines]
    _format(lines, widths, pads, 0, 0, len(lines), minwidth, padding)
    out = []
    for cells, cell_widths, line_pads in zip(lines, widths, pads, strict=True):
        if not line_pads:
            out.append("".join(cells))
            continue
        parts = [cell + " " * (pad - w) for cell, w, pad in zip(cells, cell_widths, line_pads, strict=False)]
        parts.extend(cells[len(line_pads):])
        out.append("".join(parts))
    return "\n".join(out)


def _uniform(lines: list[list[str]], widths: list[list[int]], ncols: int, minwidth: int,
             padding: int) -> str:
    col = [max(minwidth, max(w[j] for w in widths[:-1]) + padding) for j in range(ncols)]
    out = []
    for cells, cell_widths in zip(lines[:-1], widths[:-1], strict=True):
        parts = [cells[j] + " " * (col[j] - cell_widths[j]) for j in range(ncols)]
        parts.append(cells[ncols])
        out.append("".join(parts))
    out.append(lines[-1][0])
    return "\n".join(out)


def _format(lines: list[list[str]], widths: list[list[int]], pads: list[list[int]], column: int,
            line0: int, line1: int, minwidth: int, padding: int) -> None:
    """Give every line in [line0, line1) the width of each column block it belongs to."""
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        # A column block starts here and runs while lines have a terminated cell in this column.
        start = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, widths[this][column] + padding)
            this += 1
        for i in range(start, this):
            pads[i].append(width)
        _format(lines, widths, pads, column + 1, start, this, minwidth, padding)
