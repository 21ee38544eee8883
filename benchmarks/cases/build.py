"""Case 7: ``%%docker build`` with BuildKit and with the classic builder, cold (``--no-cache``) and cached.

The same Dockerfile (no BuildKit-only syntax, so both builders take it): a COPY of a few files and a RUN that
prints 300 lines, so the progress display has work. Each builder is compared with the Docker CLI on the same
engine (``docker build`` through buildx for BuildKit, ``DOCKER_BUILDKIT=0 docker build`` for the classic one) and
with raw docker-py in the same run (``APIClient.build`` for the classic builder; for BuildKit, which docker-py
cannot ask for, the same ``POST /build?version=2`` through its low-level client, the stream drained). The display
is the real text one (``--progress=plain`` lines to ``os.devnull``); its CPU time is measured with
``time.thread_time`` around every call into it. RUN steps get ``--network none`` everywhere (bridge-less engines).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tarfile
import time
from pathlib import Path
from typing import Any

import fixtures
from harness import Bench, Result, interleave, median, seconds, verdict

from cases.meter import Meter, metered

DOCKERFILE = (f"FROM {fixtures.BASE}\nCOPY data /data\n"
              "RUN i=0; while [ $i -lt 300 ]; do echo \"line $i of the build output\"; i=$((i+1)); done > /data/log "
              "&& cat /data/log\n")
TAG = f"{fixtures.PREFIX}/build"


def builders(bench: Bench) -> None:
    """BuildKit vs classic, cold and cached: wall time against the CLI and docker-py, and the display's CPU."""
    context = bench.workdir / "build-context"
    (context / "data").mkdir(parents=True, exist_ok=True)
    for i in range(20):
        (context / "data" / f"f{i:02d}.txt").write_text(f"file {i}\n" * 200)
    (context / "Dockerfile").write_text(DOCKERFILE)
    buildx = _buildx(bench)
    before = {image["Id"] for image in bench.api.images(all=True)}
    try:
        for cached in (False, True):
            _classic(bench, context, cached)
            _buildkit(bench, context, cached, buildx)
    finally:
        _remove_new(bench, before)


def _remove_new(bench: Bench, before: set[str]) -> None:
    """Every image the builds made (each --no-cache build leaves the previous one untagged, classic builds leave
    parents): removed in passes, children before parents, so the harness can then remove its base image."""
    for _ in range(10):
        left = [image["Id"] for image in bench.api.images(all=True) if image["Id"] not in before]
        if not left:
            return
        for image_id in left:
            with contextlib.suppress(Exception):  # a parent with children left: the next pass
                bench.api.remove_image(image_id, force=True)
    print(f"  cleanup: {len(left)} images made by the build case are left", flush=True)


def _buildx(bench: Bench) -> bool:
    """Give the benchmark's CLI a buildx plugin when one is on the machine (BuildKit builds need it)."""
    found = shutil.which("docker-buildx") or next(
        (str(p) for p in (Path("/usr/libexec/docker/cli-plugins/docker-buildx"),
                          Path(os.environ.get("DM_BUILDX", "/nonexistent"))) if p.is_file()), None)
    if found:
        plugins = Path(bench.env["DOCKER_CONFIG"]) / "cli-plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        if not (plugins / "docker-buildx").exists():
            (plugins / "docker-buildx").symlink_to(found)
    try:
        bench.cli("buildx", "version")
        return True
    except RuntimeError:
        return False


def _classic(bench: Bench, context: Path, cached: bool) -> None:
    case = f"8. build, classic builder, {'cached' if cached else 'cold'}"
    flags = "" if cached else "--no-cache "
    meters: list[Meter] = []

    def magic() -> float:
        os.environ["DOCKER_BUILDKIT"] = "0"
        try:
            with metered(meters):
                return _timed(lambda: bench.magic(f"build {flags}-t {TAG}:classic {context}"))
        finally:
            os.environ.pop("DOCKER_BUILDKIT", None)

    def cli() -> float:
        return _timed(lambda: _cli(bench, {"DOCKER_BUILDKIT": "0"}, "build", *flags.split(), "-t", f"{TAG}:cli",
                                   str(context)))

    def raw() -> float:
        def go() -> None:
            for event in bench.api.build(path=str(context), tag=f"{TAG}:raw", nocache=not cached, rm=True,
                                         decode=True):
                if "error" in event:
                    raise RuntimeError(event["error"])
        return _timed(go)

    times = interleave({"magic": magic, "cli": cli, "docker-py": raw}, bench.rounds)
    _report(bench, case, times, [m.cpu for m in meters], "`DOCKER_BUILDKIT=0 docker build`")


def _buildkit(bench: Bench, context: Path, cached: bool, buildx: bool) -> None:
    case = f"8. build, BuildKit, {'cached' if cached else 'cold'}"
    flags = "" if cached else "--no-cache "
    cpu: list[float] = []

    def magic() -> float:
        from docker_magics.views import buildsteps

        original = buildsteps.steps_display
        sink = open(os.devnull, "w")  # noqa: SIM115 (closed below)
        shown: list[Any] = []

        def display(style: str, title: str, *, quiet: bool = False) -> Any:
            shown.append(buildsteps.PlainSteps(title, stream=sink))
            return shown[-1]

        buildsteps.steps_display = display
        try:
            elapsed = _timed(lambda: bench.magic(f"build {flags}--network none -t {TAG}:bk {context}"))
        finally:
            buildsteps.steps_display = original
            sink.close()
        cpu.append(sum(d.cpu for d in shown))
        return elapsed

    def cli() -> float:
        return _timed(lambda: _cli(bench, {"DOCKER_BUILDKIT": "1"}, "build", "--progress=plain", "--network", "none",
                                   *flags.split(), "-t", f"{TAG}:bkcli", str(context)))

    def raw() -> float:
        return _timed(lambda: _raw_buildkit(bench, context, nocache=not cached))

    variants = {"magic": magic, "docker-py": raw} | ({"cli": cli} if buildx else {})
    times = interleave(variants, bench.rounds)
    _report(bench, case, times, cpu, "`docker build` (buildx)" if buildx else None)


def _raw_buildkit(bench: Bench, context: Path, *, nocache: bool) -> None:
    """What a docker-py user can do for BuildKit: the low-level POST, the stream drained, the image tagged."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:  # as docker-py's own tar
        for path in sorted(context.iterdir()):
            tar.add(path, arcname=path.name)
    api = bench.api
    params = {"version": "2", "networkmode": "none", "dockerfile": "Dockerfile", "nocache": "1" if nocache else None}
    with contextlib.ExitStack() as stack:
        body: Any = buffer.getvalue()
        if _body_context_broken(bench):
            # Engine < 27.5 with the containerd store cannot read the body (moby/moby#47717): the context goes the
            # way docker_magics sends it there, served on loopback as a remote tarball context.
            from docker_magics.engine.build.contextserver import served

            buffer.seek(0)
            params["remote"] = stack.enter_context(served(buffer, len(body)))
            body = None
        response = api._post(api._url("/build"), params={k: v for k, v in params.items() if v},
                             data=body, headers={"Content-Type": "application/x-tar"}, stream=True)
        image = None
        for line in response.iter_lines():
            event = json.loads(line)
            if event.get("error"):
                raise RuntimeError(event["error"])
            if event.get("id") == "moby.image.id":
                image = event["aux"]["ID"]
    api.tag(image, TAG, "bkraw")


def _body_context_broken(bench: Bench) -> bool:
    from docker_magics.engine.build.contextserver import body_context_broken
    from docker_magics.engine.identity import image_store

    return body_context_broken(image_store(bench.api.info())[0], bench.api.version().get("Version"))


def _cli(bench: Bench, extra: dict[str, str], *args: str) -> None:
    import subprocess

    done = subprocess.run(["docker", *args], env={**bench.env, **extra}, capture_output=True)
    if done.returncode:
        raise RuntimeError(f"docker {' '.join(args)} failed: {done.stderr.decode(errors='replace').strip()[-300:]}")


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _report(bench: Bench, case: str, times: dict[str, list[float]], cpu: list[float], cli_name: str | None) -> None:
    magic, raw = median(times["magic"]), median(times["docker-py"])
    if cli_name:
        cli = median(times["cli"])
        bench.add(Result(case, "wall time (text progress on)", seconds(magic), f"{cli_name} {seconds(cli)}",
                         magic / cli, "", "INFO"))
    else:
        bench.add(Result(case, "wall time vs the CLI", "-", verdict="NOT RUN",
                         note="the Docker CLI has no buildx plugin here (bash scripts/trixie.sh DIR docker-buildx, "
                              "then DM_BUILDX=DIR/root/usr/libexec/docker/cli-plugins/docker-buildx)"))
    raw_note = ("docker-py's request gets the context served on loopback too, as on this engine BuildKit cannot read "
                "it from the body (moby/moby#47717)") if "BuildKit" in case and _body_context_broken(bench) else ""
    bench.add(Result(case, "wall time vs raw docker-py", seconds(magic), f"docker-py {seconds(raw)}", magic / raw,
                     "", "INFO", raw_note))
    share = median(cpu) / magic if cpu and magic else 0.0
    bench.add(Result(case, "progress display CPU", f"{seconds(median(cpu))} ({share:.2%} of the wall time)",
                     goal="< 2% of the wall time", verdict=verdict(share < 0.02)))
