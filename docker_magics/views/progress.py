"""Live progress for long operations: ipywidgets where a person looks at a notebook, text redrawn in place elsewhere.

The presentation never talks to the engine: a command feeds engine events (``event``), byte counts
(``advance``) or log lines (``log``) into a :class:`Progress`, which folds them into a state and redraws
at most ``max_rate`` times a second. The engine sends 25-40 events a second on a local push; the
display costs a redraw per 100 ms at most.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..units import escape_html, human_size
from .frontend import detect


@dataclass
class Layer:
    """What is known of one layer (or one item) of a stream."""

    id: str
    status: str = ""
    current: int = 0
    total: int = 0
    extracting: bool = False  # a pulled layer in its second phase (current/total count extracted bytes)

    def done(self, pull: bool = False) -> float:
        """Progress in bytes of ``total``. In a pull, download and extraction count half each, so the bar
        does not fall back when a layer's extraction starts again at 0."""
        current = min(self.current, self.total)
        if not pull:
            return current
        return (self.total + current) / 2 if self.extracting else current / 2

    def moved(self) -> int:
        """Bytes transferred (a layer being extracted is downloaded)."""
        return self.total if self.extracting else min(self.current, self.total)


@dataclass
class State:
    """The folded state of a stream: per-layer detail plus overall bytes."""

    title: str
    layers: dict[str, Layer] = field(default_factory=dict)
    done_bytes: int = 0  # for byte streams (save/load without layers)
    total_bytes: int = 0
    lines: list[str] = field(default_factory=list)  # the last log lines (build)
    status: str = ""
    steps: tuple[int, int] | None = None  # (running step, number of steps) of a build
    pull: bool = False  # layers are downloaded, then extracted

    def fraction(self) -> float | None:
        """Overall progress in [0, 1], or None while nothing tells the size."""
        if self.steps:
            return min(1.0, (self.steps[0] - 1) / self.steps[1]) if self.steps[1] else None
        if self.layers:
            total = sum(layer.total for layer in self.layers.values())
            if total:
                return min(1.0, sum(layer.done(self.pull) for layer in self.layers.values()) / total)
            return None
        if self.total_bytes:
            return min(1.0, self.done_bytes / self.total_bytes)
        return None


_FINISHED = ("complete", "already exists", "pushed", "mounted from", "loaded")


def fold(state: State, event: dict[str, Any]) -> bool:
    """Fold one engine event into ``state``; True when something visible changed."""
    if "stream" in event:
        state.lines.extend(event["stream"].rstrip("\n").splitlines() or [""])
        del state.lines[:-200]
        return True
    status, layer_id = event.get("status"), event.get("id")
    if not status:
        return False
    if not layer_id:
        state.status = status
        return True
    layer = state.layers.setdefault(layer_id, Layer(layer_id))
    layer.extracting = layer.extracting or status.startswith(("Extracting", "Pull complete"))
    state.pull = state.pull or layer.extracting or status.startswith(("Pulling fs layer", "Downloading"))
    detail = event.get("progressDetail") or {}
    if detail.get("total"):
        layer.current, layer.total = int(detail.get("current") or 0), int(detail["total"])
    if any(word in status.lower() for word in _FINISHED) and layer.total:
        layer.current = layer.total
    changed = layer.status != status
    layer.status = status
    return changed or bool(detail)


class Progress:
    """Base progress display; subclasses draw. Use as a context manager."""

    max_rate = 10.0  # redraws per second

    def __init__(self, title: str, *, total_bytes: int = 0) -> None:
        self.state = State(title, total_bytes=total_bytes)
        self.redraws = 0
        self._last = 0.0
        self._lock = threading.Lock()

    def __enter__(self) -> Progress:
        self.start()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.finish(ok=exc_type is None, message=None if exc_type is None else _short(exc))

    def event(self, event: dict[str, Any]) -> None:
        """Show one engine event."""
        with self._lock:
            if fold(self.state, event):
                self._maybe_draw()

    def advance(self, nbytes: int) -> None:
        """Count bytes of a byte stream (save, load upload)."""
        with self._lock:
            self.state.done_bytes += nbytes
            self._maybe_draw()

    def log(self, line: str) -> None:
        """Add a log line (build)."""
        self.event({"stream": line})

    def step(self, number: int, total: int, text: str) -> None:
        """A build starts its step ``number`` of ``total`` (``text``: the instruction): the bar counts steps."""
        with self._lock:
            self.state.steps, self.state.status = (number, total), text
            self._maybe_draw()

    def _maybe_draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= 1.0 / self.max_rate:
            self._last = now
            self.redraws += 1
            self.draw()

    def start(self) -> None:
        """Show the display."""

    def draw(self) -> None:
        """Redraw from ``self.state`` (throttled by the caller)."""

    def finish(self, ok: bool = True, message: str | None = None) -> None:
        """Final redraw, with the outcome."""
        self.state.status = message or self.state.status
        self.ok = ok
        self.redraws += 1
        self.draw()


def _short(exc: Any) -> str:
    line = getattr(exc, "line", None)
    return line() if callable(line) else f"{type(exc).__name__}: {exc}"


class NoProgress(Progress):
    """Shows nothing (``%config DockerMagics.progress = 'none'`` or ``-q``)."""

    def _maybe_draw(self, force: bool = False) -> None:
        return None

    def finish(self, ok: bool = True, message: str | None = None) -> None:
        return None


class TextProgress(Progress):
    """Text that redraws in place; at the end one summary line that stays.

    Where the text goes decides how it redraws (``mode``):

    - ``display`` (a kernel): one display, updated with ``update_display`` (VS Code, Colab, nbconvert
      output and Lab all replace it), holding the overall line and a line per layer.
    - ``tty`` (a terminal): one line rewritten with ``\\r``.
    - ``lines`` (a pipe, a log file): a line per layer state change, as the CLI writes without a TTY, and
      never a percentage line a second.

    Build log lines are output, not progress: they are written as they come in every mode.
    """

    max_rate = 2.0
    max_layers = 20  # layer lines shown in the display (the last ones)

    def __init__(self, title: str, *, total_bytes: int = 0, stream: Any = None, mode: str | None = None) -> None:
        super().__init__(title, total_bytes=total_bytes)
        self.stream = stream or sys.stdout
        self.mode = mode or _text_mode(stream)
        self._seen: dict[str, str] = {}
        self._handle: Any = None  # the display (display mode)
        self._width = 0  # the length of the line on screen (tty mode)

    def start(self) -> None:
        if self.mode == "display":
            from IPython.display import display

            self._handle = display({"text/plain": self.state.title}, raw=True, display_id=True)
        elif self.mode == "tty":
            self._rewrite(self.state.title)
        else:
            self._write(self.state.title)

    def event(self, event: dict[str, Any]) -> None:
        with self._lock:
            if "stream" in event:
                for line in event["stream"].rstrip("\n").splitlines():
                    self._write(line)
                return
            fold(self.state, event)
            if self.mode == "lines":
                self._line_per_change(event)
            else:
                self._maybe_draw()

    def _line_per_change(self, event: dict[str, Any]) -> None:
        layer = self.state.layers.get(event.get("id") or "")
        # Per-layer state changes are worth a line each; byte counts only in the summary.
        if layer and self._seen.get(layer.id) != layer.status:
            self._seen[layer.id] = layer.status
            self._write(f"{layer.id}: {layer.status}")
        elif not layer and event.get("status"):
            self._write(event["status"])

    def log(self, line: str) -> None:
        with self._lock:
            self._write(line.rstrip("\n"))

    def step(self, number: int, total: int, text: str) -> None:
        # The log line "Step 2/5 : ..." already says it: no percentage lines between log lines.
        with self._lock:
            self.state.steps, self.state.status = (number, total), text

    def draw(self) -> None:
        if self.mode == "display" and self._handle is not None:
            self._handle.update({"text/plain": "\n".join([self._overall(), *self._layer_lines()])}, raw=True)
        elif self.mode == "tty":
            self._rewrite(self._overall())

    def finish(self, ok: bool = True, message: str | None = None) -> None:
        # The engine's own status lines said the details: end with the outcome, not a repeat.
        outcome = message or ("done" if ok else "failed")
        summary = f"{self.state.title}: {outcome}{_bytes_text(self.state)}" if ok else outcome
        if self.mode == "display" and self._handle is not None:
            self._handle.update({"text/plain": summary}, raw=True)
        elif self.mode == "tty":
            self._rewrite(summary)
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
        else:
            self._write(summary)

    def _overall(self) -> str:
        fraction = self.state.fraction()
        done = f"{fraction:.0%}" if fraction is not None else ""
        status = "" if self.state.lines else self.state.status  # a build's status is its step, logged already
        parts = " ".join(part for part in (done, status) if part) + _bytes_text(self.state)
        return f"{self.state.title}: {parts.strip()}" if parts else self.state.title

    def _layer_lines(self) -> list[str]:
        lines = []
        for layer in list(self.state.layers.values())[-self.max_layers:]:
            size = f" {human_size(layer.current)}/{human_size(layer.total)}" if layer.total else ""
            lines.append(f"  {layer.id}: {layer.status}{size}")
        return lines

    def _rewrite(self, text: str) -> None:
        """Put ``text`` on the terminal's current line (padded over a longer line before it)."""
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def _write(self, text: str) -> None:
        if self.mode == "tty" and self._width:
            # A log line goes above the progress line, which is drawn again under it.
            self.stream.write("\r" + text.ljust(self._width) + "\n")
            self._width = 0
            self._rewrite(self._overall())
            return
        self.stream.write(text + "\n")
        self.stream.flush()


def _text_mode(stream: Any) -> str:
    """How text progress redraws: a display in a kernel, ``\\r`` on a terminal, else lines."""
    if stream is None:
        if detect().kernel:
            return "display"
        stream = sys.stdout
    isatty = getattr(stream, "isatty", None)
    try:
        return "tty" if callable(isatty) and isatty() else "lines"
    except ValueError:  # a closed stream
        return "lines"


def _bytes_text(state: State) -> str:
    if state.layers:
        done = sum(layer.moved() for layer in state.layers.values())
        total = sum(layer.total for layer in state.layers.values())
    else:
        done, total = state.done_bytes, state.total_bytes
    if not done and not total:
        return ""
    return f" ({human_size(done)}/{human_size(total)})" if total else f" ({human_size(done)})"


class WidgetProgress(Progress):
    """An overall bar and a per-layer table as ipywidgets, redrawn at most 10 times a second."""

    def start(self) -> None:
        import ipywidgets as widgets
        from IPython.display import display

        self.bar = widgets.FloatProgress(value=0.0, min=0.0, max=1.0, description="",
                                         layout=widgets.Layout(width="60%"))
        self.label = widgets.HTML(value=_escape(self.state.title))
        self.detail = widgets.HTML(value="")
        self.box = widgets.VBox([widgets.HBox([self.bar, self.label]), self.detail])
        display(self.box)

    def draw(self) -> None:
        fraction = self.state.fraction()
        if fraction is not None:
            self.bar.value = fraction
            self.bar.bar_style = "info"
        self.label.value = _escape(f"{self.state.title} {self.state.status}{_bytes_text(self.state)}")
        self.detail.value = _layers_html(self.state)

    def finish(self, ok: bool = True, message: str | None = None) -> None:
        super().finish(ok, message)
        self.bar.value = 1.0 if ok else self.bar.value
        self.bar.bar_style = "success" if ok else "danger"


def _escape(text: str) -> str:
    return escape_html(text)


def _layers_html(state: State) -> str:
    rows = []
    for layer in list(state.layers.values())[-40:]:
        size = f"{human_size(layer.current)}/{human_size(layer.total)}" if layer.total else ""
        rows.append(f"<tr><td><code>{_escape(layer.id)}</code></td><td>{_escape(layer.status)}</td>"
                    f"<td style='text-align:right'>{size}</td></tr>")
    if state.lines:
        log = _escape("\n".join(state.lines[-30:]))
        return f"<details open><summary>log</summary><pre style='max-height:20em;overflow:auto'>{log}</pre></details>"
    return f"<table style='font-size:90%'>{''.join(rows)}</table>" if rows else ""


def progress_for(style: str, title: str, *, quiet: bool = False, total_bytes: int = 0) -> Progress:
    """The progress display for a setting (auto, widget, text, none).

    Args:
        style: ``%config DockerMagics.progress``.
        title: what is running, e.g. "Pulling 127.0.0.1:5000/team/app:1.0".
        quiet: the command's ``-q``: nothing shown.
        total_bytes: the expected size for byte streams (0 when unknown).
    """
    kinds: dict[str, type[Progress]] = {"none": NoProgress, "widget": WidgetProgress, "text": TextProgress}
    return kinds[display_kind(style, quiet=quiet)](title, total_bytes=total_bytes)


def display_kind(style: str, *, quiet: bool = False) -> str:
    """Which display a progress setting picks: ``none``, ``widget`` (``auto``: where a person looks; and only with
    ipywidgets installed) or ``text``. One rule for the transfers' and BuildKit's displays.
    """

    if quiet or style == "none":
        return "none"
    if style == "widget" or (style == "auto" and detect().looking):
        try:
            import ipywidgets  # noqa: F401
        except ImportError:
            return "text"
        return "widget"
    return "text"
