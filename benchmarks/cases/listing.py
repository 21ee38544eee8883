"""Case 1 (``%docker images`` warm and in a new kernel), case 2 (``%load_ext``), case 6 (Tab completion)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import fixtures
from harness import Bench, Result, interleave, median, seconds, verdict

# Runs in a fresh interpreter: IPython started, then only %load_ext and the first %docker images timed.
_NEW_KERNEL = """
import json, sys, time
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
t0 = time.perf_counter(); ip.run_line_magic("load_ext", "docker_magics"); t1 = time.perf_counter()
heavy = sorted(m for m in ("docker", "pandas", "ipywidgets", "requests") if m in sys.modules)
df = ip.run_line_magic("docker", "images"); t2 = time.perf_counter()
print(json.dumps({"load_ext": t1 - t0, "first": t2 - t1, "rows": len(df), "heavy": heavy}))
"""

# The same first call done by hand: import docker-py and pandas, one /images/json, a DataFrame.
_NEW_RAW = """
import json, os, time
t0 = time.perf_counter()
import docker
t1 = time.perf_counter()
import pandas as pd
t2 = time.perf_counter()
api = docker.APIClient(base_url=os.environ["DOCKER_HOST"], version="auto")
df = pd.DataFrame(api.images())
print(json.dumps({"first": time.perf_counter() - t0, "rows": len(df), "docker": t1 - t0, "pandas": t2 - t1}))
"""


def _subprocess(bench: Bench, code: str) -> dict:
    # An installed package has its bytecode cached; PYTHONDONTWRITEBYTECODE (set on some CI machines) would
    # make every new kernel compile docker_magics from source. Cache it in the run's folder instead.
    env = {k: v for k, v in bench.env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(bench.workdir / "pycache")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"new-kernel run failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def images(bench: Bench, rows: int) -> None:
    """``%docker images`` warm (vs the CLI and vs the raw call) and as the first call of a new kernel.

    Warm, twice: as users get it (the default: from the image index on the containerd store, from the engine on
    the classic store) and as the engine's own listing (``--no-index``, the path the raw call takes). The index's
    own measures (cold, after a change, on both stores) are case 9.
    """
    import pandas as pd

    case = f"1. images, {len(bench.magic('images')):,} rows"
    times = interleave({
        "index": lambda: _timed(lambda: bench.magic("images")),
        "magic": lambda: _timed(lambda: bench.magic("images --no-index")),
        "cli": lambda: bench.timed_cli("images", "--format", "json"),
        "raw": lambda: _timed(lambda: pd.DataFrame(bench.api.images())),
    }, bench.rounds)
    indexed, magic, cli, raw = (median(times[k]) for k in ("index", "magic", "cli", "raw"))
    cli_text = f"`docker images --format json` {seconds(cli)}"
    source = "from the index" if bench.magic("images").dm_index else "from the engine"
    bench.add(Result(case, "warm (the default)", seconds(indexed), cli_text,
                     indexed / cli, "<= 0.35x", verdict(indexed / cli <= 0.35), f"the default listed {source}"))
    bench.add(Result(case, "warm, --no-index", seconds(magic), cli_text,
                     magic / cli, "<= 0.35x", verdict(magic / cli <= 0.35)))
    bench.add(Result(case, "warm, --no-index", seconds(magic), f"`APIClient.images()` + DataFrame {seconds(raw)}",
                     magic / raw, "<= 1.15x", verdict(magic / raw <= 1.15),
                     f"the raw frame has one row per image ({len(bench.api.images()):,}), untyped"))
    firsts: dict[str, list] = {"magic": [], "raw": []}
    fresh = interleave({
        "magic": lambda: _keep(firsts["magic"], _subprocess(bench, _NEW_KERNEL)),
        "raw": lambda: _keep(firsts["raw"], _subprocess(bench, _NEW_RAW)),
    }, max(2, bench.rounds - 2))  # the warm-up round writes the bytecode cache
    first, first_raw = median(fresh["magic"]), median(fresh["raw"])
    imports = {m: median([a[m] for a in firsts["raw"]]) for m in ("docker", "pandas")}
    bench.add(Result(case, "first call in a new kernel", seconds(first),
                     f"import docker, pandas + raw call {seconds(first_raw)}", first / first_raw, "< 0.4 s",
                     verdict(first < 0.4), "both include importing docker-py "
                     f"({seconds(imports['docker'])}) and pandas ({seconds(imports['pandas'])})"))
    if rows == max(bench_sizes(bench)):
        _load_ext(bench, firsts["magic"])


def _keep(store: list, answer: dict) -> float:
    store.append(answer)
    return answer["first"]


def _load_ext(bench: Bench, answers: list[dict]) -> None:
    """Case 2, from the same new-kernel runs: the %load_ext time and what it imported."""
    value = median([a["load_ext"] for a in answers])
    heavy = sorted({m for a in answers for m in a["heavy"]})
    bench.add(Result("2. %load_ext docker_magics", "in a running IPython", seconds(value), goal="< 50 ms",
                     verdict=verdict(value < 0.05),
                     note=f"{len(answers)} new kernels; heavy modules imported by it: {', '.join(heavy) or 'none'}"))


def bench_sizes(bench: Bench) -> tuple[int, ...]:
    """The listing sizes of this run."""
    return (100,) if bench.quick else (100, 1_000, 3_000)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def completion(bench: Bench, prefix: str) -> None:
    """Case 6: how long a Tab on ``%docker inspect PREFIX`` takes, cold (first Tab) and warm (cached)."""
    from IPython.core.completer import provisionalcompleter

    import docker_magics

    magics = docker_magics._loaded[id(bench.ip)]
    cache = magics.completion_cache
    text = f"%docker inspect {prefix}"
    counts: dict[str, int] = {}

    def tab(kind: str) -> float:
        if kind == "cold":  # a fresh kernel's first Tab: nothing cached, the refresh starts now
            if cache._worker is not None:
                cache._worker.join()
            cache.references, cache.stamp = [], 0.0
        start = time.perf_counter()
        with provisionalcompleter():
            found = list(bench.ip.Completer.completions(text, len(text)))
        elapsed = time.perf_counter() - start
        counts[kind] = len(found)
        if kind == "cold" and cache._worker is not None:
            cache._worker.join()  # let the background refresh finish, so "warm" is cached
        return elapsed

    times = interleave({"cold": lambda: tab("cold"), "warm": lambda: tab("warm")}, bench.rounds)
    case = f"6. Tab completion, {fixtures.rows(bench.api):,} image references"
    cold, warm = median(times["cold"]), median(times["warm"])
    bench.add(Result(case, f"cold (first Tab) `{text}`", seconds(cold), goal="<= 150 ms",
                     verdict=verdict(cold <= 0.15),
                     note=f"{counts['cold']} completions offered (completion_timeout {cache.timeout:g} s)"))
    bench.add(Result(case, f"warm (cached) `{text}`", seconds(warm), goal="<= 50 ms", verdict=verdict(warm <= 0.05),
                     note=f"{counts['warm']} completions offered"))
