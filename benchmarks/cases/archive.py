"""Case 4: ``%docker save``/``load`` of a big image vs ``docker save -o``/``docker load -i``.

Throughput is the image's bytes on disk (the tar) over the wall time. Memory is the growth of this
process's peak resident set (the kernel's VmHWM, reset before each run) over its size before the run.
Before every load the image is removed (untimed), so each load really writes the layer.
"""

from __future__ import annotations

import time

import fixtures
from harness import Bench, Result, interleave, median, reset_peak_rss, rss_kib, seconds, verdict

from cases.meter import Meter, metered

MIB = 1 << 20


def save_load(bench: Bench) -> None:
    """Save then load, magic and CLI interleaved; throughput ratio and peak memory growth."""
    megabytes = 20 if bench.quick else 720
    case = f"4. save/load, {megabytes} MiB image"
    missing = [v for v in ("save", "load") if not _implemented(v)]
    if missing:
        bench.not_run(case, f"%docker {'/'.join(missing)} is not implemented")
        return
    image = fixtures.big_image(bench.api, megabytes)
    growth: list[float] = []
    meters: list[Meter] = []
    out = {"magic": bench.workdir / "magic.tar", "cli": bench.workdir / "cli.tar"}

    def magic_save() -> float:
        with metered(meters):
            return _measured(lambda: bench.magic(f"save -o {out['magic']} {image}"), growth)

    def clean() -> None:
        for path in out.values():
            path.unlink(missing_ok=True)

    times = interleave({"magic": magic_save, "cli": lambda: bench.timed_cli("save", "-o", str(out["cli"]), image)},
                       bench.rounds, between=clean)
    size = out["cli"].stat().st_size
    _report(bench, case, "save", size, times, growth, meters)
    archive = out["cli"]

    def magic_load() -> float:
        with metered(meters):
            return _measured(lambda: bench.magic(f"load -i {archive}"), growth)

    growth.clear()
    meters.clear()
    times = interleave({"magic": magic_load, "cli": lambda: bench.timed_cli("load", "-i", str(archive))},
                       bench.rounds, between=lambda: bench.api.remove_image(image, force=True))
    _report(bench, case, "load", size, times, growth, meters)
    clean()


def _implemented(verb: str) -> bool:
    from docker_magics.grammar import verb_named

    return verb_named(verb).handler is not None


def _measured(run, growth: list[float]) -> float:
    """Time ``run`` and record the growth of the peak RSS over the RSS before it (in MiB)."""
    before = rss_kib()
    if not reset_peak_rss():
        raise RuntimeError("cannot reset VmHWM (/proc/self/clear_refs): peak memory cannot be measured")
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    growth.append((rss_kib("VmHWM") - before) / 1024)
    return elapsed


def _report(bench: Bench, case: str, verb: str, size: int, times: dict, growth: list[float],
            meters: list[Meter]) -> None:
    magic, cli = median(times["magic"]), median(times["cli"])
    rate, cli_rate = size / magic / MIB, size / cli / MIB
    display = median([m.cpu for m in meters]) if meters else 0.0
    bench.add(Result(case, f"{verb} throughput", f"{rate:.0f} MiB/s ({seconds(magic)})",
                     f"`docker {verb} {'-o' if verb == 'save' else '-i'}` {cli_rate:.0f} MiB/s ({seconds(cli)})",
                     rate / cli_rate, ">= 0.95x", verdict(rate / cli_rate >= 0.95),
                     f"tar {size / MIB:.0f} MiB; text progress to /dev/null: display CPU {seconds(display)}"))
    peak = max(growth)
    bench.add(Result(case, f"{verb}: peak RSS growth of the kernel", f"{peak:.1f} MiB", goal="< 64 MiB",
                     verdict=verdict(peak < 64), note=f"max over {len(growth)} runs (VmHWM - VmRSS before)"))

