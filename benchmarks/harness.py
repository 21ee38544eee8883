"""Timing, verdicts and the results table shared by every benchmark case.

A case runs its variants interleaved (A B A B ...) so that a slow moment of the machine hits both
sides alike, keeps the medians, and records rows of ``Result``: the magic's median, the reference's
median, their ratio and a verdict against the goal (PASS, MISS, INFO when there is no goal, or
NOT RUN with the reason).
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Result:
    """One line of the results table."""

    case: str
    measure: str
    value: str  # the magic's median (with its unit)
    reference: str = ""  # what it is compared with, and its median
    ratio: float | None = None
    goal: str = ""
    verdict: str = "INFO"  # PASS, MISS, INFO, NOT RUN
    note: str = ""


@dataclass
class Bench:
    """What every case needs: the engine, the registry, the shell and the sizes of this run."""

    quick: bool
    rounds: int
    host: str
    env: dict[str, str]  # the environment for the Docker CLI and subprocesses
    api: Any  # docker.APIClient on the engine
    ip: Any  # an IPython shell with docker_magics loaded
    workdir: Path
    registry: str | None = None
    registry_user: str | None = None
    registry_password: str | None = None
    registry_data: Path | None = None  # the sandbox registry's storage, to empty between push rounds
    results: list[Result] = field(default_factory=list)

    def add(self, result: Result) -> None:
        """Record a result and print it at once (a long run shows its progress)."""
        self.results.append(result)
        ratio = f"  ratio {ratio_text(result.ratio)}" if result.ratio is not None else ""
        print(f"  [{result.verdict}] {result.case} / {result.measure}: {result.value}"
              f"{'  vs ' + result.reference if result.reference else ''}{ratio}"
              f"{'  goal ' + result.goal if result.goal else ''}{'  (' + result.note + ')' if result.note else ''}",
              flush=True)

    def not_run(self, case: str, reason: str) -> None:
        """Record a case that could not run, with why."""
        self.add(Result(case, "-", "-", verdict="NOT RUN", note=reason))

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        """Run the Docker CLI on the benchmark engine; fail loudly."""
        done = subprocess.run(["docker", *args], env=self.env, capture_output=True, text=input is not None,
                              input=input)
        if done.returncode:
            err = done.stderr if isinstance(done.stderr, str) else done.stderr.decode(errors="replace")
            raise RuntimeError(f"docker {' '.join(args)} failed: {err.strip()}")
        return done

    def timed_cli(self, *args: str) -> float:
        """Wall time of one Docker CLI command (output captured, as a script would)."""
        start = time.perf_counter()
        self.cli(*args)
        return time.perf_counter() - start

    def magic(self, line: str) -> Any:
        """Run ``%docker LINE`` in the benchmark's shell."""
        return self.ip.run_line_magic("docker", line)


def timed(fn: Callable[[], Any]) -> float:
    """Wall time of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleave(variants: dict[str, Callable[[], float]], rounds: int, *, warmup: bool = True,
               between: Callable[[], None] | None = None) -> dict[str, list[float]]:
    """Run each variant once per round, in turn (A B A B ...), and collect the seconds each returns.

    Args:
        variants: name -> a callable that runs once and returns its own elapsed seconds (so a variant
            can time only its part, e.g. inside a subprocess).
        rounds: how many measured rounds.
        warmup: run one unmeasured round first (connections, page cache, imports).
        between: untimed work before every run (e.g. delete the image a pull will fetch again).
    """
    times: dict[str, list[float]] = {name: [] for name in variants}
    for index in range(rounds + (1 if warmup else 0)):
        for name, run in variants.items():
            if between:
                between()
            elapsed = run()
            if index or not warmup:
                times[name].append(elapsed)
    return times


def median(values: list[float]) -> float:
    """The median (the table's statistic: robust to one slow round)."""
    return statistics.median(values)


def seconds(value: float) -> str:
    """A duration for the table: ms below a second."""
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def ratio_text(ratio: float) -> str:
    """A ratio for the table: two decimals, or two significant digits below 0.01 (0.0031x, not 0.00x)."""
    return f"{ratio:.2f}x" if ratio >= 0.01 or ratio == 0 else f"{ratio:.2g}x"


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


# ---- the machine --------------------------------------------------------------------------------


def machine(bench: Bench) -> dict[str, str]:
    """What the numbers were measured on: CPU, memory, OS, engine, CLI, Python and package versions."""
    from importlib.metadata import version

    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal")), 0)
    engine = bench.api.version()
    cli = subprocess.run(["docker", "version", "--format", "{{.Client.Version}}"], env=bench.env,
                         capture_output=True, text=True).stdout.strip()
    packages = ", ".join(f"{name} {_version(version, name)}"
                         for name in ("docker_magics", "ipython", "docker", "pandas", "ipywidgets", "requests"))
    return {
        "CPU": f"{cpu} ({os.cpu_count()} cores)",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "OS": f"{_os_name()} (kernel {platform.release()})",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "Docker engine": f"{engine.get('Version')} (API {engine.get('ApiVersion')}, storage {_storage(bench.api)})",
        "Docker CLI": cli,
        "Python": platform.python_version(),
        "packages": packages,
    }


def _version(version: Callable[[str], str], name: str) -> str:
    try:
        return version(name)
    except Exception:
        return "?"


def _storage(api: Any) -> str:
    try:
        return api.info().get("Driver", "?")
    except Exception:
        return "?"


def _os_name() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return platform.system()


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


# ---- the results file ---------------------------------------------------------------------------


def write_results(path: Path, bench: Bench, facts: dict[str, str], command: str, elapsed: float) -> None:
    """Write the machine's description and the table of medians, ratios and verdicts as Markdown."""
    lines = ["# Benchmark results", "",
             f"Generated by `{command}` in {elapsed:.0f} s "
             f"({bench.rounds} interleaved rounds per case after a warm-up round; medians).", "",
             "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in facts.items()]
    lines += ["", "## Results", "",
              "| case | measure | docker_magics | compared with | ratio | goal | verdict | note |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in bench.results:
        ratio = ratio_text(r.ratio) if r.ratio is not None else ""
        cells = [r.case, r.measure, r.value, r.reference, ratio, r.goal, f"**{r.verdict}**", r.note]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    counts = {v: sum(r.verdict == v for r in bench.results) for v in ("PASS", "MISS", "INFO", "NOT RUN")}
    lines += ["", "Summary: " + ", ".join(f"{n} {v}" for v, n in counts.items()), ""]
    path.write_text("\n".join(lines))


def write_comparison(path: Path, runs: list[tuple[str, Bench, dict[str, str], float]], command: str,
                     elapsed: float) -> None:
    """Several engines' runs in one table: a column per engine (the magic's median, the ratio to what it is compared
    with, the verdict), rows matched by case and measure.

    Args:
        path: the Markdown file to write.
        runs: (engine name, bench, machine facts, seconds) per engine, in the order they ran.
        command: the command line, for the header.
        elapsed: the whole run's seconds.
    """
    names = [name for name, _, _, _ in runs]
    first = runs[0][2]
    lines = ["# Benchmark results", "",
             f"Generated by `{command}` in {elapsed:.0f} s ({runs[0][1].rounds} interleaved rounds per case after a "
             "warm-up round; medians), one engine after the other on the same machine.", "", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in first.items()
              if key not in ("Docker engine", "load average at start", "load average at end")]
    for name, _, facts, seconds_taken in runs:
        lines.append(f"- {name}: Docker engine {facts.get('Docker engine')}, {seconds_taken:.0f} s, load average "
                     f"{facts.get('load average at start')} at start, {facts.get('load average at end')} at end")
    rows: dict[tuple[str, str, int], dict[str, Result]] = {}
    for name, bench, _, _ in runs:
        seen: dict[tuple[str, str], int] = {}
        for r in bench.results:
            n = seen[(r.case, r.measure)] = seen.get((r.case, r.measure), -1) + 1
            rows.setdefault((r.case, r.measure, n), {})[name] = r
    lines += ["", "## Results", "",
              "Each engine's cell: docker_magics' median, what it is compared with and its median, the ratio, the "
              "verdict against the goal.", "",
              "| case | measure | goal | " + " | ".join(names) + " | note |",
              "| --- | --- | --- | " + " | ".join("---" for _ in names) + " | --- |"]
    for (case, measure, _), by_engine in rows.items():
        goal = next((r.goal for r in by_engine.values() if r.goal), "")
        cells = [_cell(by_engine.get(name)) for name in names]
        notes = {r.note for r in by_engine.values() if r.note}
        shared = len(notes) == 1 and all(r.note for r in by_engine.values())
        note = next(iter(notes)) if shared else "; ".join(
            f"{name}: {by_engine[name].note}" for name in names if name in by_engine and by_engine[name].note)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in [case, measure, goal, *cells, note]) + " |")
    lines += [""]
    for name, bench, _, _ in runs:
        counts = {v: sum(r.verdict == v for r in bench.results) for v in ("PASS", "MISS", "INFO", "NOT RUN")}
        lines.append(f"Summary on {name}: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    path.write_text("\n".join([*lines, ""]))


def _cell(r: Result | None) -> str:
    if r is None:
        return "-"
    ratio = f" = {ratio_text(r.ratio)}" if r.ratio is not None else ""
    versus = f" vs {r.reference}" if r.reference else ""
    return f"{r.value}{versus}{ratio} **{r.verdict}**"


def rss_kib(field_name: str = "VmRSS") -> int:
    """This process's resident memory (or its peak, ``VmHWM``) in KiB, from /proc/self/status."""
    for line in _read("/proc/self/status").splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process; False where the kernel refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False
