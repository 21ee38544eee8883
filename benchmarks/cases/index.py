"""Case 9: ``%docker images`` answered from the image index: cold, warm, and after one change made by the CLI.

The engine keeps ``images`` distinct images (``dmbench/ix-NNNN:1``). Each round runs, in turn: a cold listing
(the index closed first, untimed, so the listing builds it again: a full ``/images/json?all=1`` plus the
index's own calls), a warm one (nothing changed since), one right after ``docker tag`` or ``docker rmi`` in
another process (untimed), the CLI's ``docker images --format json`` and docker-py's raw
``APIClient.images()`` + ``DataFrame``. The goal is the issue's: warm at most 0.1x the CLI on the
containerd image store with 3,000 images; on the classic store the ratios are reported without a verdict.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter

import fixtures
from harness import Bench, Result, interleave, median, seconds, timed, verdict

import docker_magics

CHANGED = f"{fixtures.PREFIX}/ix-change:1"


def index(bench: Bench, images: int) -> None:
    """Cold, warm and after-one-change listings from the index, against the CLI and the raw call."""
    fixtures.grow_distinct(bench.api, images)
    # By default the index answers on the containerd store (the classic store from 1,000 images); here both
    # stores are measured. (A change of the setting starts the session's engines afresh: the engine is taken after.)
    bench.ip.run_line_magic("config", "DockerMagics.index = 'always'")
    try:
        _measure(bench, images)
    finally:
        bench.ip.run_line_magic("config", "DockerMagics.index = True")


def _measure(bench: Bench, images: int) -> None:
    import pandas as pd

    engine = docker_magics._loaded[id(bench.ip)].session.default_engine()
    index = engine.image_index()
    listed = bench.magic("images")
    if not listed.dm_index:
        bench.not_run("9. images from the index", "the listing did not come from the index")
        return
    containerd = bool(index.conventions and index.conventions.containerd)
    case = (f"9. images from the index, {images:,} images ({len(listed):,} rows, "
            f"{'containerd' if containerd else 'classic'} store)")
    flips = [0]

    def change() -> None:
        flips[0] += 1
        if flips[0] % 2:
            bench.cli("tag", fixtures.BASE, CHANGED)
        else:
            bench.cli("rmi", CHANGED)

    def cold() -> float:
        engine.close()  # untimed: the next listing builds the index again (not from the snapshot: case 10's)
        shutil.rmtree(index.snapshots.folder / "index", ignore_errors=True)
        return timed(lambda: bench.magic("images"))

    def after_change() -> float:
        change()  # untimed: another process changes one image
        return timed(lambda: bench.magic("images"))

    counts = (index.rebuilds, index.updates)
    times = interleave({
        "cold": cold,
        "warm": lambda: timed(lambda: bench.magic("images")),
        "after one change": after_change,
        "cli": lambda: bench.timed_cli("images", "--format", "json"),
        "raw": lambda: timed(lambda: pd.DataFrame(bench.api.images())),
    }, bench.rounds)
    runs = bench.rounds + 1
    rebuilds, updates = index.rebuilds - counts[0], index.updates - counts[1]
    cli, raw = median(times["cli"]), median(times["raw"])
    same = _same_rows(bench)
    for measure in ("cold", "warm", "after one change"):
        value = median(times[measure])
        goal = "<= 0.1x (containerd store)" if measure == "warm" else ""
        mark = verdict(value / cli <= 0.1) if measure == "warm" and containerd else "INFO"
        note = f"raw `APIClient.images()` + DataFrame {seconds(raw)} ({value / raw:.2f}x)"
        if measure == "warm":
            note += (f"; {rebuilds} full listings in {runs} rounds (the cold ones: {runs}), {updates} answered "
                     f"from events; rows equal to the CLI's: {'yes' if same else 'NO'}")
        bench.add(Result(case, measure, seconds(value), f"`docker images --format json` {seconds(cli)}",
                         value / cli, goal, mark, note))
    if flips[0] % 2:
        bench.cli("rmi", CHANGED)


def _same_rows(bench: Bench) -> bool:
    """The index's listing equals the CLI's, row for row (as a multiset: ties in age come in any order)."""
    df = bench.magic("images")
    ours = Counter((r.repository, r.tag, r.image_id) for r in df.itertuples(index=False))
    out = bench.cli("images", "--format", "json").stdout
    theirs = Counter((r["Repository"], r["Tag"], r["ID"]) for r in map(json.loads, out.decode().splitlines()))
    return ours == theirs
