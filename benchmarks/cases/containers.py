"""Case 11: ``%docker run --rm`` of a trivial command against ``docker run --rm``, the output display's CPU, and
``%docker ps -a`` against ``docker ps -a --format json``."""

from __future__ import annotations

import contextlib
import os
import time

import fixtures
from harness import Bench, Result, interleave, median, seconds, verdict


def _quiet() -> contextlib.ExitStack:
    """The run's output goes to /dev/null (the display still writes and flushes it, as in a terminal)."""
    stack = contextlib.ExitStack()
    sink = stack.enter_context(open(os.devnull, "w"))  # noqa: SIM115 (closed by the stack)
    stack.enter_context(contextlib.redirect_stdout(sink))
    stack.enter_context(contextlib.redirect_stderr(sink))
    return stack


def run_rm(bench: Bench) -> None:
    """``%docker run --rm BASE /bin/busybox true`` vs the CLI's ``docker run --rm --network none`` (the sandbox has
    no bridge network; the magic picks ``none`` there itself, as it does for a build)."""
    case = "11. run --rm of a trivial command"
    image = fixtures.BASE

    def magic() -> float:
        started = time.perf_counter()
        with _quiet():
            bench.magic(f"run --rm {image} /bin/busybox true")
        return time.perf_counter() - started

    def cli() -> float:
        return bench.timed_cli("run", "--rm", "--network", "none", image, "/bin/busybox", "true")

    times = interleave({"magic": magic, "cli": cli}, max(bench.rounds, 5) * 2)
    ours, theirs = median(times["magic"]), median(times["cli"])
    bench.add(Result(case, "wall time", seconds(ours), f"CLI {seconds(theirs)}", ours / theirs, "<= 1.1x",
                     verdict(ours / theirs <= 1.1)))


def display_cpu(bench: Bench) -> None:
    """The output display's CPU time (``time.thread_time`` around every write) over a run's wall time, for a run that
    writes 4 MB in 64-byte lines (all of it shown)."""
    case = "11. run output display"
    image = fixtures.BASE
    size = 1_000_000 if bench.quick else 4_000_000
    line = f"run --rm {image} /bin/busybox sh -c '/bin/busybox yes {'x' * 63} | /bin/busybox head -c {size}'"
    shares, walls = [], []
    for _ in range(bench.rounds):
        started = time.perf_counter()
        with _quiet():
            result = bench.magic(line)
        wall = time.perf_counter() - started
        walls.append(wall)
        shares.append(result.display_cpu / wall)
    share = median(shares)
    bench.add(Result(case, f"display CPU, {size / 1e6:g} MB in lines", f"{share:.2%} of the wall time",
                     f"wall {seconds(median(walls))}", None, "< 2%", verdict(share < 0.02)))


def ps(bench: Bench, count: int) -> None:
    """``%docker ps -a`` over ``count`` stopped containers against ``docker ps -a --format json`` and the engine's own
    answer: from the container index on the containerd store (engine/containers/index.py), listed elsewhere."""
    case = f"11. ps -a over {count:,} containers"
    made = [bench.api.create_container(fixtures.BASE, ["/bin/busybox", "true"], name=f"dmbench-ps-{i:04d}",
                                       host_config=bench.api.create_host_config(network_mode="none"))["Id"]
            for i in range(count)]
    try:
        def magic() -> float:
            started = time.perf_counter()
            bench.magic("ps -a")
            return time.perf_counter() - started

        def cli() -> float:
            return bench.timed_cli("ps", "-a", "--format", "json")

        def raw() -> float:  # the engine's own answer, through docker-py: what an index could save
            started = time.perf_counter()
            bench.api.containers(all=True)
            return time.perf_counter() - started

        times = interleave({"magic": magic, "cli": cli, "raw": raw}, bench.rounds)
        ours, theirs, engine = median(times["magic"]), median(times["cli"]), median(times["raw"])
        listed = set(bench.magic("ps -a --no-trunc").container_id)
        kept = bench.ip.magics_manager.registry["DockerMagics"].session.default_engine().__dict__.get(
            "_container_index")
        answered = "yes" if kept is not None and kept.answers else "no (the engine listed)"
        bench.add(Result(case, "warm listing", seconds(ours), f"`docker ps -a --format json` {seconds(theirs)}",
                         ours / theirs, "none (ratio reported)", "INFO",
                         f"`APIClient.containers(all=True)` alone {seconds(engine)}; from the container index: "
                         f"{answered}; rows equal to the engine's: {'yes' if set(made) <= listed else 'no'}"))
    finally:
        for container in made:
            bench.api.remove_container(container, force=True)
