"""BuildKit progress: the build's steps folded from the engine's trace, shown as ``--progress=plain`` or a step list.

:class:`Steps` is the state (pure: it folds :class:`~docker_magics.engine.buildkit.Trace` values); the displays
draw it. :class:`PlainSteps` writes what ``docker buildx build --progress=plain`` writes (``#5 [2/3] RUN ...``,
log lines with their offset, ``#5 CACHED``, ``#5 DONE 0.4s``, ``#5 ERROR: ...``); :class:`WidgetSteps` keeps one
HTML table of the steps (name, cached / running / done, duration) with each step's log in a foldable
``<details>``, redrawn at most ``max_rate`` times a second. Both count the CPU time they spend (``cpu``), so the
benchmark can hold the display to a small share of a build's wall time.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field, replace
from typing import Any

from ..engine.build.buildkit import Vertex
from ..units import escape_html as esc
from .progress import display_kind

_LOG_LINES = 2000  # per step: enough for the failure line and the fold-out, bounded for huge outputs


@dataclass
class Step:
    """One vertex of the build as far as known (the engine's last word on it), numbered, with its output."""

    number: int
    vertex: Vertex
    lines: list[str] = field(default_factory=list)
    partial: str = ""

    digest = property(lambda self: self.vertex.digest)
    name = property(lambda self: self.vertex.name)
    cached = property(lambda self: self.vertex.cached)
    started = property(lambda self: self.vertex.started)
    completed = property(lambda self: self.vertex.completed)
    error = property(lambda self: self.vertex.error)

    @property
    def state(self) -> str:
        """``cached``, ``error``, ``done``, ``running`` or ``waiting``."""
        if self.error:
            return "error"
        if self.cached and self.completed is not None:
            return "cached"
        if self.completed is not None:
            return "done"
        return "running" if self.started is not None else "waiting"

    @property
    def duration(self) -> float | None:
        """Seconds from start to completion (None while running or when cached without times)."""
        if self.started is None or self.completed is None:
            return None
        return max(0.0, self.completed - self.started)

    def add_output(self, data: bytes) -> list[str]:
        """Add a chunk of output; return the lines it completes."""
        *lines, self.partial = (self.partial + data.decode("utf-8", "replace")).split("\n")
        lines = [line.rstrip("\r") for line in lines]
        self.lines.extend(lines)
        del self.lines[:-_LOG_LINES]
        return lines

    def output(self) -> list[str]:
        """Every line kept, the unfinished last one included."""
        return self.lines + ([self.partial] if self.partial else [])


class Steps:
    """The folded state of a BuildKit build: its steps in the order the engine first named them."""

    def __init__(self) -> None:
        self.by_digest: dict[str, Step] = {}
        self.warnings: list[str] = []
        self._statuses_done: set[tuple[str, str]] = set()

    @property
    def steps(self) -> list[Step]:
        """The steps, numbered from 1."""
        return list(self.by_digest.values())

    def fold(self, trace: Any) -> list[tuple[str, Step, Any]]:
        """Fold one trace message; return what changed as ``(kind, step, detail)``.

        kinds: ``start`` (first seen running), ``log`` (detail: the lines the chunk completed), ``status`` (detail:
        the name of an item of the step that completed, e.g. "exporting layers"), ``end`` (completed, cached or
        failed).
        """
        changes: list[tuple[str, Step, Any]] = []
        for vertex in trace.vertexes:
            step = self.by_digest.get(vertex.digest)
            if step is None:
                step = self.by_digest[vertex.digest] = Step(len(self.by_digest) + 1, replace(vertex, started=None,
                                                                                             completed=None))
            was = (step.started, step.completed)
            # Sticky times: the engine may re-send a finished vertex without its completion time.
            step.vertex = replace(vertex, started=vertex.started if vertex.started is not None else step.started,
                                  completed=vertex.completed if vertex.completed is not None else step.completed)
            if was[0] is None and (step.started is not None or step.cached):
                changes.append(("start", step, None))
            if was[1] is None and step.completed is not None:
                changes.append(("end", step, None))
        for status in trace.statuses:
            step = self.by_digest.get(status.vertex)
            if step is not None and status.completed and (status.vertex, status.id) not in self._statuses_done:
                self._statuses_done.add((status.vertex, status.id))
                changes.append(("status", step, status.name or status.id))
        for log in trace.logs:
            step = self.by_digest.get(log.vertex)
            if step is not None:
                changes.append(("log", step, step.add_output(log.data)))
        self.warnings.extend(trace.warnings)
        return changes

    def failed(self) -> Step | None:
        """The step that failed (the last one with an error), if any."""
        errors = [step for step in self.by_digest.values() if step.error]
        return errors[-1] if errors else None


class StepsDisplay:
    """Base of the BuildKit displays: folds traces into :attr:`steps` and accounts for its own CPU time."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.steps = Steps()
        self.cpu = 0.0  # seconds of CPU spent in this display (folding, writing, drawing)
        self.redraws = 0

    def start(self) -> None:
        """Show the display."""

    def trace(self, trace: Any) -> None:
        """Fold one trace message and show what changed."""
        began = time.thread_time()
        self.show(self.steps.fold(trace))
        self.cpu += time.thread_time() - began

    def show(self, changes: list[tuple[str, Step, Any]]) -> None:
        """Show changes (subclasses)."""

    def line(self, text: str) -> None:
        """A line of our own (the context upload, a tag applied)."""

    def finish(self, ok: bool, message: str) -> None:
        """The outcome."""


class QuietSteps(StepsDisplay):
    """Shows nothing (``-q``, ``progress = 'none'``); the steps are still folded for the result."""


class PlainSteps(StepsDisplay):
    """``docker buildx build --progress=plain`` lines."""

    def __init__(self, title: str, *, stream: Any = None) -> None:
        super().__init__(title)
        self.stream = stream or sys.stdout
        self._last: int | None = None

    def start(self) -> None:
        self._write(self.title)

    def line(self, text: str) -> None:
        self._write(text)

    def show(self, changes: list[tuple[str, Step, Any]]) -> None:
        out: list[str] = []
        for kind, step, detail in changes:
            if kind == "log" and not detail:
                continue
            if kind == "start" or self._last != step.number:  # another step speaks: the CLI repeats its header
                out.extend(("", f"#{step.number} {step.name}"))
                self._last = step.number
            if kind == "log":
                offset = (time.time() - step.started) if step.started else 0.0
                out.extend(f"#{step.number} {offset:.3f} {text}" for text in detail)
            elif kind == "status":
                out.append(f"#{step.number} {detail} done")
            elif kind == "end":
                out.extend(_ending(step))
        if out:
            self._write("\n".join(out))

    def finish(self, ok: bool, message: str) -> None:
        self._write(("" if ok else "\n") + (f"{self.title}: {message}" if ok else message))

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


def _ending(step: Step) -> list[str]:
    lines = [f"#{step.number} {step.partial}"] if step.partial and step.state != "cached" else []
    if step.state == "cached":
        return [*lines, f"#{step.number} CACHED"]
    if step.error:
        return [*lines, f"#{step.number} ERROR: {step.error}"]
    return [*lines, f"#{step.number} DONE {step.duration or 0.0:.1f}s"]


class WidgetSteps(StepsDisplay):
    """A step list as one ipywidgets HTML: name, state, duration; each step's log foldable below it."""

    max_rate = 4.0  # redraws a second: a table of a few dozen rows costs well under a millisecond each

    def __init__(self, title: str) -> None:
        super().__init__(title)
        self._drawn = 0.0
        self._outcome = ""

    def start(self) -> None:
        import ipywidgets as widgets
        from IPython.display import display

        self.html = widgets.HTML(value=_html(self.title, [], ""))
        display(self.html)

    def show(self, changes: list[tuple[str, Step, Any]]) -> None:
        now = time.monotonic()
        if changes and now - self._drawn >= 1.0 / self.max_rate:
            self._draw(now)

    def line(self, text: str) -> None:
        self._outcome = text

    def finish(self, ok: bool, message: str) -> None:
        began = time.thread_time()
        self._outcome = message if ok else f"✗ {message}"
        self._draw(time.monotonic())
        self.cpu += time.thread_time() - began

    def _draw(self, now: float) -> None:
        self._drawn = now
        self.redraws += 1
        self.html.value = _html(self.title, self.steps.steps, self._outcome)


_MARK = {"cached": "CACHED", "done": "done", "running": "running…", "waiting": "", "error": "ERROR"}


def _html(title: str, steps: list[Step], outcome: str) -> str:
    rows = []
    for step in steps:
        duration = f"{step.duration:.1f}s" if step.duration is not None and step.state != "cached" else ""
        color = {"error": "#c00", "cached": "#777", "running": "#06c"}.get(step.state, "inherit")
        rows.append(f"<tr><td>#{step.number}</td><td><code>{esc(step.name)}</code></td>"
                    f"<td style='color:{color}'>{_MARK[step.state]}</td><td style='text-align:right'>{duration}</td>"
                    "</tr>")
        output = step.output()
        if output:
            opened = " open" if step.state in ("running", "error") else ""
            rows.append(f"<tr><td></td><td colspan='3'><details{opened}><summary>log ({len(output)} lines)"
                        f"</summary><pre style='max-height:16em;overflow:auto;margin:0'>"
                        f"{esc(chr(10).join(output[-500:]))}</pre></details></td></tr>")
    return (f"<div><b>{esc(title)}</b> {esc(outcome)}<table style='font-size:90%'>{''.join(rows)}</table></div>")


def steps_display(style: str, title: str, *, quiet: bool = False) -> StepsDisplay:
    """The BuildKit display for a progress setting (auto, widget, text, none), as ``progress_for`` chooses."""

    kinds: dict[str, type[StepsDisplay]] = {"none": QuietSteps, "widget": WidgetSteps, "text": PlainSteps}
    return kinds[display_kind(style, quiet=quiet)](title)


def steps_frame(steps: list[Step]) -> Any:
    """The steps as a DataFrame: step number, name, cached, duration (seconds, NaN when unknown), error."""
    import pandas as pd

    frame = pd.DataFrame({
        "step": pd.Series([s.number for s in steps], dtype="int64"),
        "name": pd.Series([s.name for s in steps], dtype="string"),
        "cached": pd.Series([s.cached for s in steps], dtype="bool"),
        "duration": pd.Series([s.duration for s in steps], dtype="float64").round(3),
        "error": pd.Series([s.error or None for s in steps], dtype="string"),
    })
    return frame
