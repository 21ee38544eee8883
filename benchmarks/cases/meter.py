"""Measure what the progress display costs while a real command runs.

``metered()`` swaps ``docker_magics.progress.progress_for`` for one that returns the real display
(text progress writing to ``os.devnull``, as a terminal or a headless notebook run gets it) with its
methods wrapped: CPU time of the calling thread spent in the display (``time.thread_time``), events
and redraws. Benchmark-side instrumentation only; the product code is unchanged.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass
class Meter:
    """What the display did during one command."""

    cpu: float = 0.0  # seconds of CPU in the display's methods
    calls: int = 0
    redraws: int = 0
    wall: float = 0.0  # seconds the display was up (the whole command)
    depth: int = 0  # nested calls (log -> event) are counted once


def _wrap(progress: Any, meter: Meter) -> None:
    for name in ("start", "event", "advance", "log", "finish"):
        original = getattr(progress, name)

        def wrapped(*args: Any, _original=original, **kwargs: Any) -> Any:
            meter.depth += 1
            start = time.thread_time()
            try:
                return _original(*args, **kwargs)
            finally:
                meter.depth -= 1
                if not meter.depth:
                    meter.cpu += time.thread_time() - start
                    meter.calls += 1

        setattr(progress, name, wrapped)


@contextlib.contextmanager
def metered(meters: list[Meter]) -> Iterator[None]:
    """While active, every progress display is a metered ``TextProgress`` to os.devnull; one Meter per display."""
    from docker_magics.views import progress as progress_module

    original = progress_module.progress_for
    sink = open(os.devnull, "w")  # noqa: SIM115 (closed below)
    shown: list[tuple[Any, Meter]] = []

    def progress_for(style: str, title: str, *, quiet: bool = False, total_bytes: int = 0) -> Any:
        display = progress_module.TextProgress(title, total_bytes=total_bytes, stream=sink)
        meter = Meter(wall=time.perf_counter())
        _wrap(display, meter)
        shown.append((display, meter))
        meters.append(meter)
        return display

    progress_module.progress_for = progress_for
    try:
        yield
    finally:
        progress_module.progress_for = original
        for display, meter in shown:
            meter.redraws = display.redraws
            meter.wall = time.perf_counter() - meter.wall
        sink.close()
