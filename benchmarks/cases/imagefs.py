"""Case 7: ``%docker files`` of a big image vs ``docker save IMAGE > /dev/null`` of the same image.

``files`` streams the engine's save archive through tarfile and keeps only one small record per
entry, so it can go no faster than the engine writes the archive: the CLI's ``save`` to /dev/null is
that pace (``>``: the CLI refuses ``-o /dev/null``, a character device). Throughput is the archive's
bytes over the wall time (the same bytes for both sides, so the ratio is the CLI's time over ours).
Memory is the growth of this process's peak resident set (VmHWM, reset before each run) over its
size before the run: the layer's bytes must never be held.
"""

from __future__ import annotations

import subprocess
import time

import fixtures
from harness import Bench, Result, interleave, median, seconds, verdict

from cases.archive import _implemented, _measured

MIB = 1 << 20


def files(bench: Bench) -> None:
    """``files IMAGE`` and ``docker save IMAGE > /dev/null`` interleaved; throughput ratio and peak memory growth."""
    megabytes = 20 if bench.quick else 720
    case = f"7. files, {megabytes} MiB image"
    if not _implemented("files"):
        bench.not_run(case, "%docker files is not implemented")
        return
    image = fixtures.big_image(bench.api, megabytes)
    size = len_of_save(bench, image)
    growth: list[float] = []
    rows: list[int] = []

    def magic() -> float:
        def run() -> None:
            rows.append(len(bench.magic(f"files {image}")))

        return _measured(run, growth)

    times = interleave({"magic": magic, "cli": lambda: cli_save_to_null(bench, image)}, bench.rounds)
    ours, cli = median(times["magic"]), median(times["cli"])
    ratio = cli / ours
    bench.add(Result(case, "files throughput", f"{size / ours / MIB:.0f} MiB/s ({seconds(ours)})",
                     f"`docker save > /dev/null` {size / cli / MIB:.0f} MiB/s ({seconds(cli)})", ratio, ">= 0.8x",
                     verdict(ratio >= 0.8), f"archive {size / MIB:.0f} MiB, {rows[-1]} rows"))
    peak = max(growth)
    bench.add(Result(case, "files: peak RSS growth of the kernel", f"{peak:.1f} MiB", goal="< 64 MiB",
                     verdict=verdict(peak < 64), note=f"max over {len(growth)} runs (VmHWM - VmRSS before)"))


def cli_save_to_null(bench: Bench, image: str) -> float:
    """Wall time of ``docker save IMAGE > /dev/null`` (the CLI refuses ``-o`` to a character device)."""
    start = time.perf_counter()
    subprocess.run(["docker", "save", image], env=bench.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   check=True)
    return time.perf_counter() - start


def len_of_save(bench: Bench, image: str) -> int:
    """Bytes of the image's save archive, counted from the engine's stream (untimed, nothing written)."""
    response = bench.api._get(bench.api._url("/images/{0}/get", image), stream=True)
    try:
        bench.api._raise_for_status(response)
        return sum(len(chunk) for chunk in response.iter_content(1 << 20))
    finally:
        response.close()
