"""Listings compared with the CLI's: the rows both show, as a multiset of the columns the CLI prints."""

from __future__ import annotations

import json
from collections import Counter

from docker_magics.units import human_size


def cli_rows(run, *args: str) -> Counter:
    """``docker images --format json ARGS`` through ``run`` (``sandbox.cli`` or a CLI of another engine)."""
    out = run("images", "--format", "json", *args).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return Counter((r["Repository"], r["Tag"], r["ID"], r["CreatedAt"], r["Size"]) for r in rows)


def frame_rows(df) -> Counter:
    """The same columns from a ``%docker images`` frame, written as the CLI writes them."""
    when = "%Y-%m-%d %H:%M:%S +0000 UTC"
    return Counter((r.repository, r.tag, r.image_id, r.created.tz_convert("UTC").strftime(when), human_size(r.size))
                   for r in df.itertuples(index=False))
