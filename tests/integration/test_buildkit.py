"""``%%docker build`` with BuildKit on the real engine: cache mounts, targets, cached steps, failures, Ctrl-C,
the classic builder with DOCKER_BUILDKIT=0, and ``builder prune`` against ``df``'s Build Cache row."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from docker_magics.errors import BuildError, Interrupted, UsageError
from docker_magics.views import buildsteps
from docker_magics.views.results import BuiltImage

BASE = "FROM dmtest/tiny:1.0\n"
CACHE = (BASE + "RUN --mount=type=cache,target=/cache echo filled >> /cache/log && cp /cache/log /from-cache "
         "&& echo cache-run\n")


@pytest.fixture(autouse=True)
def _buildkit(sandbox, monkeypatch, tmp_path):
    monkeypatch.delenv("DOCKER_BUILDKIT", raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    sandbox.remove_images("bk/*")


def run(sandbox, image: str, *cmd: str) -> str:
    return sandbox.cli("run", "--rm", "--network", "none", image, "/bin/busybox", *cmd).stdout


def test_cache_mount_builds_and_its_files_are_in_the_image(ip, sandbox, capsys):
    image = ip.run_cell_magic("docker", "build -t bk/cache:1 -t bk/cache:latest .", CACHE)
    out = capsys.readouterr().out.splitlines()
    assert isinstance(image, BuiltImage) and image.builder == "buildkit"
    assert image == sandbox.api().inspect_image("bk/cache:1")["Id"]
    assert image.tags == ("bk/cache:1", "bk/cache:latest")
    assert run(sandbox, "bk/cache:latest", "cat", "/from-cache").startswith("filled\n")
    # --progress=plain lines: the step's header, its output, its end.
    header = next(line for line in out if "RUN --mount=type=cache" in line)
    number = header.split()[0]
    # "[stage-0 2/2] RUN ...": the engine names a step with a --mount by its stage, as buildx prints it
    assert header.startswith("#") and "2/2] RUN --mount=type=cache,target=/cache" in header
    assert any(line.startswith(f"{number} ") and line.endswith(" cache-run") for line in out)
    assert any(line.startswith(f"{number} DONE ") and line.endswith("s") for line in out)
    assert out[-1] == f"Building bk/cache:1: built {image.short_id}"
    steps = image.steps
    assert list(steps.columns) == ["step", "name", "cached", "duration", "error"]
    assert str(steps["cached"].dtype) == "bool" and str(steps["duration"].dtype) == "float64"  # seconds
    run_step = steps[steps.name.str.contains("RUN --mount")].iloc[0]
    assert not run_step.cached and run_step.duration > 0
    shown = ip.display_formatter.format(image)[0]["text/plain"]
    assert shown.startswith(f"Built {image.short_id} (bk/cache:1, bk/cache:latest) [BuildKit: ")


def test_second_identical_build_reports_its_steps_cached(ip, sandbox, capsys):
    dockerfile = BASE + 'RUN echo once > /once\nLABEL bk.test="cached"\n'
    first = ip.run_cell_magic("docker", "build -t bk/again:1 .", dockerfile)
    capsys.readouterr()
    second = ip.run_cell_magic("docker", "build -t bk/again:1 .", dockerfile)
    out = capsys.readouterr().out.splitlines()
    assert second == first
    steps = second.steps
    assert steps[steps.name.str.contains("RUN echo once")].cached.all()
    number = next(line.split()[0] for line in out if "RUN echo once" in line)
    assert f"{number} CACHED" in out


def test_target_stops_at_the_stage(ip, sandbox, tmp_path):
    dockerfile = (BASE + "RUN echo base > /stage\nFROM dmtest/tiny:1.0 AS builder\nARG WHO=nobody\n"
                  "RUN echo builder $WHO > /stage\nFROM builder AS final\nRUN echo final > /stage\n")
    image = ip.run_cell_magic("docker", f"build -q --target builder --build-arg WHO=me --label team=data "
                                        f"--iidfile {tmp_path}/iid -t bk/target:1 .", dockerfile)
    assert run(sandbox, "bk/target:1", "cat", "/stage") == "builder me\n"
    assert not image.steps.name.str.contains("echo final").any()
    assert sandbox.api().inspect_image("bk/target:1")["Config"]["Labels"] == {"team": "data"}
    assert (tmp_path / "iid").read_text() == image
    assert ip.display_formatter.format(image)[0]["text/plain"] == image  # -q: only the ID, as the CLI prints


@pytest.mark.engine_differs("Engine 26's BuildKit says 'process … did not complete successfully', 20.10's 'executor "
                             "failed running'")
def test_failing_run_is_one_line_with_its_output(ip, sandbox, capsys):
    dockerfile = BASE + "RUN echo compiling; sleep 0.3; echo 'no header' >&2; exit 3\n"
    with pytest.raises(BuildError) as info:
        ip.run_cell_magic("docker", "build -t bk/fail:1 .", dockerfile)
    assert info.value.line() == ("[2/2] RUN echo compiling; sleep 0.3; echo 'no header' >&2; exit 3 failed with exit "
                                 "code 3; last output: compiling | no header. Fix the Dockerfile line and run the "
                                 "cell again.")
    out = capsys.readouterr().out
    # The full log stays above it, with BuildKit's own error line (Engine 26's BuildKit words it differently).
    said = "ERROR: executor failed running" if sandbox.kind == "bookworm" else "ERROR: process \"/bin/sh -c echo"
    assert "compiling" in out and said in out
    assert not sandbox.cli("images", "-q", "bk/fail:1").stdout.strip()


def test_classic_builder_with_docker_buildkit_0_refuses_mount(ip, sandbox, monkeypatch):
    monkeypatch.setenv("DOCKER_BUILDKIT", "0")
    with pytest.raises(BuildError) as info:
        ip.run_cell_magic("docker", "build -q .", CACHE)
    line = info.value.line()
    assert line.startswith("Step 2/2 (RUN --mount=type=cache,target=/cache") and line.endswith(
        "failed: the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to "
        "build images with BuildKit enabled. Fix the Dockerfile line and run the cell again.")
    image = ip.run_cell_magic("docker", "build -q -t bk/classic:1 .", BASE + "LABEL x=1\n")
    assert image.builder == "classic"


def test_session_flags_and_unreachable_frontend_are_one_line(ip, sandbox):
    with pytest.raises(UsageError) as info:
        ip.run_cell_magic("docker", "build --secret id=pip,src=pip.conf .", BASE)
    assert info.value.line().startswith("--secret needs a BuildKit session, which builds from a notebook do not have")
    with pytest.raises(BuildError) as info:
        ip.run_cell_magic("docker", "build -q .", "# syntax=docker/dockerfile:1\n" + BASE)
    assert info.value.line().startswith("The Dockerfile's '# syntax=' line needs the frontend image "
                                        "docker.io/docker/dockerfile:1, which the engine cannot pull (")
    assert info.value.line().endswith("Remove the # syntax= line (the engine's built-in Dockerfile frontend is "
                                      "used), or make the image available to the engine.")


def test_builder_prune_frees_what_df_reported(ip, sandbox):
    ip.run_cell_magic("docker", "build -q -t bk/prune:1 .", CACHE.replace("filled", "prune-me"))
    sandbox.remove_images("bk/prune*")
    before = ip.run_line_magic("docker", "df")
    cache_row = before[before.type == "Build Cache"].iloc[0]
    assert cache_row.total > 0 and cache_row.reclaimable > 0
    cli = sandbox.cli("system", "df", "--format", "{{.Type}}\t{{.TotalCount}}").stdout
    assert f"Build Cache\t{cache_row.total}" in cli.splitlines()
    plan = ip.run_line_magic("docker", "builder prune -a --dry-run")
    assert plan.attrs["dry_run"] and len(plan) > 0
    pruned = ip.run_line_magic("docker", "builder prune -a -f")
    assert set(pruned.id) == set(plan.id)
    # The engine removes and counts shared records too (a base image's snapshot on the containerd store); df's
    # reclaimable figure leaves them out, as the CLI's does.
    shared = int(plan.loc[plan.shared, "size"].sum())
    assert pruned.attrs["space_reclaimed"] == plan.attrs["space_reclaimed"] == cache_row.reclaimable + shared
    after = ip.run_line_magic("docker", "df")
    assert after[after.type == "Build Cache"].iloc[0].reclaimable == 0


def test_ctrl_c_cancels_the_build_and_leaves_no_tag(ip, sandbox, monkeypatch):
    real_show = buildsteps.PlainSteps.show
    fired = threading.Event()

    def show(display, changes):
        real_show(display, changes)
        if not fired.is_set() and any(kind == "log" and "started" in detail for kind, _, detail in changes):
            fired.set()  # the RUN step runs: Ctrl-C lands while the build waits for the engine
            threading.Timer(0.3, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT)).start()

    monkeypatch.setattr(buildsteps.PlainSteps, "show", show)
    began = time.monotonic()
    with pytest.raises(Interrupted) as info:
        ip.run_cell_magic("docker", "build -t bk/cancel:1 .", BASE + "RUN echo started; sleep 30; echo late > /x\n")
    assert time.monotonic() - began < 20 and fired.is_set()
    assert info.value.line() == ("The build was interrupted; the engine stopped it. Run it again when ready: "
                                 "the steps that finished are cached.")
    assert not sandbox.cli("images", "-q", "bk/cancel").stdout.strip()  # no half-tagged image
    assert ip.run_cell_magic("docker", "build -q -t bk/cancel:2 .", BASE + "RUN echo after\n").startswith("sha256:")
