"""Case 3: history of a many-layer image, and ``--format`` rendering of a big listing, against the CLI."""

from __future__ import annotations

import time

import fixtures
from harness import Bench, Result, interleave, median, seconds, verdict

TABLE = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}"
JSON = "{{json .}}"


def gotemplate_missing() -> str | None:
    """Why ``--format`` cannot be measured, or None when docker_magics.gotemplate is there."""
    try:
        from docker_magics.gotemplate import contexts, format_list  # noqa: F401
    except ImportError as exc:
        return f"docker_magics.gotemplate is not usable yet ({exc})"
    return None


def _same_rows(magic: str, cli: str, *, table: bool) -> bool:
    """Equal as the CLI defines it: the rows of one image tagged into several repositories come in Go's random
    map order, so rows compare as a multiset (the header, for tables, line for line)."""
    magic_lines, cli_lines = magic.rstrip("\n").split("\n"), cli.rstrip("\n").split("\n")
    if table:
        return magic_lines[0] == cli_lines[0] and sorted(magic_lines[1:]) == sorted(cli_lines[1:])
    return sorted(magic_lines) == sorted(cli_lines)


def formats(bench: Bench) -> None:
    """``%docker images --format`` (a table and ``{{json .}}``) vs ``docker images --format`` on all rows."""
    case = f"3. images --format, {fixtures.rows(bench.api):,} rows"
    missing = gotemplate_missing()
    if missing:
        bench.not_run(case, missing)
        return
    for name, template in (("table", TABLE), ("{{json .}}", JSON)):
        line = f"images --format '{template}'"
        try:
            same = _same_rows(str(bench.magic(line)), bench.cli("images", "--format", template).stdout.decode(),
                              table=template.startswith("table"))
        except Exception as exc:  # a broken renderer is reported, not hidden
            bench.not_run(f"{case} ({name})", f"%docker {line} failed: {exc}")
            continue
        times = interleave({"magic": lambda line=line: _timed(lambda: bench.magic(line)),
                            "cli": lambda template=template: bench.timed_cli("images", "--format", template)},
                           bench.rounds)
        magic, cli = median(times["magic"]), median(times["cli"])
        bench.add(Result(case, f"`--format '{template}'` warm", seconds(magic), f"CLI {seconds(cli)}", magic / cli,
                         "<= 0.5x", verdict(magic / cli <= 0.5),
                         "output identical to the CLI's" if same else "OUTPUT DIFFERS from the CLI's"))


def history(bench: Bench) -> None:
    """``%docker history`` of a many-layer image vs ``docker history --format json``."""
    layers = 10 if bench.quick else 100
    image = fixtures.layered_image(bench.api, layers)
    case = f"3. history, {layers}-layer image"
    times = interleave({"magic": lambda: _timed(lambda: bench.magic(f"history {image}")),
                        "cli": lambda: bench.timed_cli("history", "--format", "json", image)}, bench.rounds)
    magic, cli = median(times["magic"]), median(times["cli"])
    shown = len(bench.magic(f"history {image}"))
    bench.add(Result(case, "warm (DataFrame)", seconds(magic), f"`docker history --format json` {seconds(cli)}",
                     magic / cli, "", "INFO", f"{shown} rows; no goal in the issues"))
    bench.api.remove_image(image, force=True)  # and its 99 untagged parents, which slow every listing


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
