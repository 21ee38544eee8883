"""Measure docker_magics against the Docker CLI and raw docker-py, side by side, on a real engine.

    python benchmarks/run.py [--engine HOST | --engine-kind KIND[,KIND...]] [--quick] [--rounds N] [--only TEXT]
                              [--output FILE]

Without ``--engine`` it starts its own sandbox engine and registry (scripts/sandbox.py) and stops
them at the end: of each kind given with ``--engine-kind`` (bookworm, classic26, containerd26, the
sandbox's and the tests' names; default bookworm), one after the other; with ``--engine`` it uses
that engine (creating and then removing only ``dmbench/*`` images there) and a sandbox registry.
Every case runs its variants interleaved (A B A B) and the medians, ratios and PASS/MISS verdicts
go to benchmarks/results.md with the machine's description, one column per engine when several
kinds ran. ``--quick`` uses small sizes (the CI smoke test); its numbers are not the goals' numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fixtures  # noqa: E402
import harness  # noqa: E402
from cases import archive, build, containers, formats, imagefs, index, listing, registry, sbom, snapshot  # noqa: E402


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    import sandbox

    parser.add_argument("--engine", help="engine to measure (unix:///..., tcp://...); default: a sandbox engine")
    parser.add_argument("--engine-kind", default=sandbox.DEFAULT_ENGINE,
                        help="sandbox engine kinds to measure, one after the other, comma-separated: "
                             f"{', '.join(sandbox.ENGINE_KINDS)} (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="small sizes, few rounds (CI smoke)")
    parser.add_argument("--rounds", type=int, help="measured rounds per case (default 5, quick 2)")
    parser.add_argument("--only", action="append", default=[],
                        help="run only the cases whose name contains TEXT (repeatable), e.g. --only index")
    parser.add_argument("--output", type=Path, default=HERE / "results.md", help="where to write the table")
    args = parser.parse_args(argv)
    args.kinds = [k.strip() for k in args.engine_kind.split(",") if k.strip()]
    for kind in args.kinds:
        if kind not in sandbox.ENGINE_KINDS:
            parser.error(f"unknown engine kind {kind!r}; one of: {', '.join(sandbox.ENGINE_KINDS)}")
    if args.engine and any(a.startswith("--engine-kind") for a in (sys.argv[1:] if argv is None else argv)):
        parser.error("--engine and --engine-kind exclude each other")
    return args


@contextlib.contextmanager
def _environment(engine: str | None, kind: str) -> Iterator[tuple[dict[str, str], object]]:
    """The engine and registry to measure: given, or a sandbox of ``kind``; DOCKER_CONFIG is always a temp folder."""
    import sandbox

    with sandbox.Sandbox(engine=engine is None, kind=kind) as sb:
        env = sb.env()
        if engine:  # the index's snapshots of the measured engine stay in the run's folder, not in ~/.cache
            env |= {"DOCKER_HOST": engine, "DOCKER_CONFIG": str(sb.docker_config),
                    "DOCKER_MAGICS_CACHE": str(sb.root / "cache")}
        with sandbox.patched_environ(env):
            yield {**os.environ}, sb


def _shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "docker_magics")
    shell.run_line_magic("config", "DockerMagics.progress = 'text'")
    return shell


def _cases(bench: harness.Bench) -> list[tuple[str, object]]:
    """Every case in the order that keeps them honest: listings before any build leaves parent images."""
    steps: list[tuple[str, object]] = []
    have = 0
    for rows in listing.bench_sizes(bench):
        def grow(rows: int = rows) -> None:
            nonlocal have
            have = fixtures.grow_listing(bench.api, rows, have)
            listing.images(bench, rows)
        steps.append((f"images at {rows} rows", grow))
    steps += [("Tab completion", lambda: listing.completion(bench, f"{fixtures.PREFIX}/ap")),
              ("--format", lambda: formats.formats(bench)),
              ("history", lambda: formats.history(bench)),
              ("save/load", lambda: archive.save_load(bench)),
              ("files", lambda: imagefs.files(bench)),
              ("push/pull", lambda: registry.pull_push(bench)),
              ("build", lambda: build.builders(bench)),
              ("run", lambda: containers.run_rm(bench)),
              ("run output", lambda: containers.display_cpu(bench)),
              ("ps -a listing", lambda: containers.ps(bench, 100 if bench.quick else 500)),
              ("sbom", lambda: sbom.sbom(bench)),
              ("snapshot, new kernels, 1,000 images", lambda: snapshot.snapshot(bench, 100 if bench.quick else 1_000)),
              ("index", lambda: index.index(bench, 100 if bench.quick else 3_000))]
    if not bench.quick:  # after case 9 made 3,000 images
        steps.append(("snapshot, new kernels, 3,000 images", lambda: snapshot.snapshot(bench, 3_000)))
    return steps


def _measure(args: argparse.Namespace, kind: str) -> tuple[harness.Bench, dict[str, str], float]:
    """Every case on one engine (``--engine``, or a sandbox of ``kind``): the bench, the machine, the seconds."""
    started = time.perf_counter()
    with _environment(args.engine, kind) as (env, sb), tempfile.TemporaryDirectory(prefix="dmbench-") as work:
        import docker

        api = docker.APIClient(base_url=env["DOCKER_HOST"], version="auto", timeout=600)
        bench = harness.Bench(quick=args.quick, rounds=args.rounds or (2 if args.quick else 5), host=env["DOCKER_HOST"],
                              env=env, api=api, ip=_shell(), workdir=Path(work),
                              registry=sb.registry.address, registry_user=sb.registry.user,
                              registry_password=sb.registry.password, registry_data=sb.registry.root / "data")
        facts = harness.machine(bench)
        print(f"Benchmarking {bench.host} ({'quick' if args.quick else 'full'}, {bench.rounds} rounds)", flush=True)
        try:
            fixtures.remove_all(api)
            fixtures.base_image(api)
            for name, step in _cases(bench):
                if args.only and not any(text in name for text in args.only):
                    continue
                print(f"- {name}", flush=True)
                try:
                    step()
                except Exception as exc:  # one broken case must not hide the others
                    traceback.print_exc()
                    bench.not_run(name, f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        finally:
            if args.engine:  # a sandbox of the run's own goes with its images: removing 3,000 takes minutes
                fixtures.remove_all(api)
        facts["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return bench, facts, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    started = time.perf_counter()
    quick = " --quick" if args.quick else ""
    kinds = args.kinds[:1] if args.engine else args.kinds  # with --engine the sandbox has a registry only
    runs = []
    for kind in kinds:
        bench, facts, elapsed = _measure(args, kind)
        runs.append((bench.host if args.engine else kind, bench, facts, elapsed))
    if len(runs) == 1:
        _, bench, facts, elapsed = runs[0]
        harness.write_results(args.output, bench, facts, "python benchmarks/run.py" + quick, elapsed)
    else:
        harness.write_comparison(args.output, runs, f"python benchmarks/run.py --engine-kind {','.join(kinds)}{quick}",
                                 time.perf_counter() - started)
    print(f"Wrote {args.output} in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
