"""``%%docker build`` and ``%docker build PATH`` with the classic builder on the real engine: steps, .dockerignore,
args, targets, failures."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from docker_magics.errors import BuildError, Interrupted, UsageError
from docker_magics.views.results import BuiltImage

BASE = "FROM dmtest/tiny:1.0\n"


@pytest.fixture(autouse=True)
def _cleanup(sandbox, monkeypatch):
    monkeypatch.setenv("DOCKER_BUILDKIT", "0")  # this file tests the classic builder (BuildKit: test_buildkit.py)
    yield
    sandbox.remove_images("bt/*")


@pytest.fixture
def ctx(tmp_path, monkeypatch):
    """An empty context folder that is the notebook's working folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(sandbox, image: str, *cmd: str) -> str:
    return sandbox.cli("run", "--rm", "--network", "none", image, "/bin/busybox", *cmd).stdout


def test_cell_build_streams_steps_and_returns_the_image(ip, sandbox, ctx, capsys):
    ip.user_ns["version"] = "1.2.3"
    image = ip.run_cell_magic("docker", "build -t bt/args:1 -t bt/args:latest --build-arg VERSION={version} .",
                              BASE + 'ARG VERSION=0\nRUN ["/bin/busybox", "sh", "-c", "echo v=$VERSION > /v"]\n'
                                     'RUN echo "building $VERSION"\n')
    out = capsys.readouterr().out
    assert isinstance(image, BuiltImage)
    assert image == sandbox.api().inspect_image("bt/args:1")["Id"]
    assert image.tags == ("bt/args:1", "bt/args:latest")
    assert image.short_id == image.removeprefix("sha256:")[:12]
    assert run(sandbox, "bt/args:1", "cat", "/v") == "v=1.2.3\n"
    lines = out.splitlines()
    assert lines[0] == "Building bt/args:1"
    assert lines[1] == "Sending build context to Docker daemon  3.072kB"
    assert "Step 3/4 : RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo v=$VERSION > /v\"]" in lines
    assert "building 1.2.3" in lines
    assert f"Successfully built {image.short_id}" in lines
    assert lines[-3:] == ["Successfully tagged bt/args:1", "Successfully tagged bt/args:latest",
                          f"Building bt/args:1: built {image.short_id}"]
    shown = ip.display_formatter.format(image)[0]["text/plain"]
    assert shown == f"Built {image.short_id} (bt/args:1, bt/args:latest)\n{sandbox.engine_line()}"
    # The result goes straight into the next command.
    ip.user_ns["img"] = image
    assert ip.run_line_magic("docker", "inspect $img")[0]["RepoTags"] == ["bt/args:1", "bt/args:latest"]


def test_copy_honours_dockerignore(ip, sandbox, ctx):
    for name in ("a/keep/k.txt", "a/keep/drop.log", "a/b/c/z.md", "a/b/y.txt", "docs/x/r.md", "docs/index.md",
                 "node_modules/m/i.js", "top.log", "top.txt", "x.pyc", "sub/deep/y.pyc", ".git/HEAD"):
        (ctx / name).parent.mkdir(parents=True, exist_ok=True)
        (ctx / name).write_text(name)
    (ctx / ".dockerignore").write_text("# comment\n*.log\n!a/keep/*.log\na/b\n!a/b/c\n**/*.pyc\n/node_modules\n"
                                       ".git\ndocs/**\n!docs/index.md\n")
    ip.run_cell_magic("docker", "build -q -t bt/ignore:1 .", BASE + "COPY . /x\n")
    found = set(run(sandbox, "bt/ignore:1", "find", "/x", "-type", "f").split())
    assert found == {"/x/.dockerignore", "/x/a/keep/k.txt", "/x/a/keep/drop.log", "/x/a/b/c/z.md",
                     "/x/docs/index.md", "/x/top.txt"}
    # The cell's Dockerfile reaches the engine under a name .dockerignore excludes: it is never copied.


def test_line_form_equals_the_cli_image(ip, sandbox, ctx):
    (ctx / "app").mkdir()
    (ctx / "app" / "main.txt").write_text("hello\n")
    (ctx / "app" / "tool.sh").write_text("#!/bin/sh\n")
    os.chmod(ctx / "app" / "tool.sh", 0o755)
    (ctx / "Dockerfile").write_text(BASE + "COPY . /src\nRUN ls /src > /listing\n")
    (ctx / ".dockerignore").write_text("*.md\n")
    ours = ip.run_line_magic("docker", "build -q -t bt/line:1 .")
    env = {**sandbox.env, "DOCKER_BUILDKIT": "0"}
    import subprocess

    cli = subprocess.run(["docker", "build", "-q", "-t", "bt/line:cli", str(ctx)], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert cli == ours  # same context bytes that matter: the CLI's build is entirely from our cache


def test_line_form_with_file_flag(ip, sandbox, ctx, capsys):
    (ctx / "build").mkdir()
    (ctx / "build" / "Dockerfile.dev").write_text(BASE + "RUN echo dev > /mode\n")
    (ctx / "src").mkdir()
    image = ip.run_line_magic("docker", "build -f build/Dockerfile.dev -t bt/dev:1 src")
    assert run(sandbox, image, "cat", "/mode") == "dev\n"
    (ctx / "src" / "Dockerfile").write_text(BASE + "RUN echo default > /mode\n")
    image = ip.run_line_magic("docker", "build -t bt/dev:2 src")
    assert run(sandbox, "bt/dev:2", "cat", "/mode") == "default\n"


# The classic builder's refusals, in each engine's words (the product shows the engine's text as the CLI does).
UNKNOWN_TARGET = {"bookworm": "failed to reach build target nosuch in Dockerfile"}
UNKNOWN_INSTRUCTION = {"bookworm": "dockerfile parse error line 2: unknown instruction: FORM"}
for _kind in ("classic26", "containerd26", "classic28", "containerd28"):
    UNKNOWN_TARGET[_kind] = 'target stage "nosuch" could not be found'
    UNKNOWN_INSTRUCTION[_kind] = "dockerfile parse error on line 2: unknown instruction: FORM (did you mean FROM?)"


@pytest.mark.engine_differs("Engine 26 and 28's classic builder words an unknown --target stage differently")
def test_multi_stage_target_and_labels(ip, sandbox, ctx):
    dockerfile = (BASE.replace("\n", " AS builder\n") + "RUN echo compiled > /artifact\n"
                  "FROM dmtest/tiny:1.0 AS final\nCOPY --from=builder /artifact /artifact\nLABEL stage=final\n")
    ip.run_cell_magic("docker", "build -q -t bt/stage:builder --target builder --label team=data .", dockerfile)
    info = sandbox.api().inspect_image("bt/stage:builder")
    assert info["Config"]["Labels"] == {"team": "data"}
    assert run(sandbox, "bt/stage:builder", "cat", "/artifact") == "compiled\n"
    final = ip.run_cell_magic("docker", "build -q -t bt/stage:final --label team=ml --label empty .", dockerfile)
    assert sandbox.api().inspect_image(final)["Config"]["Labels"] == {"stage": "final", "team": "ml", "empty": ""}
    with pytest.raises(BuildError) as info:
        ip.run_cell_magic("docker", "build --target nosuch .", dockerfile)
    assert info.value.line() == (f"The engine refused the build: {UNKNOWN_TARGET[sandbox.kind]}. "
                                 "Name a stage of the Dockerfile (FROM IMAGE AS NAME) with --target.")


def test_failing_run_shows_its_output_and_one_line(ip, sandbox, ctx, capsys):
    with pytest.raises(BuildError) as info:
        ip.run_cell_magic("docker", "build -t bt/fail:1 .",
                          BASE + "RUN echo fine\nRUN echo 'about to fail'; exit 3\nRUN echo never\n")
    assert info.value.line() == ("Step 3/4 (RUN echo 'about to fail'; exit 3) failed with exit code 3. "
                                 "Fix the Dockerfile line and run the cell again.")
    out = capsys.readouterr().out.splitlines()
    assert out[out.index("Step 3/4 : RUN echo 'about to fail'; exit 3") + 2] == "about to fail"
    assert out[-1] == "The command '/bin/sh -c echo 'about to fail'; exit 3' returned a non-zero code: 3"
    assert "never" not in out
    assert sandbox.cli("images", "-q", "bt/fail").stdout == ""
    # One line in the notebook, never a traceback.
    assert info.value._render_traceback_() == [f"\x1b[0;31mBuildError\x1b[0m: {info.value.line()}"]


def test_failing_exec_form_and_quiet_show_the_step(ip, sandbox, ctx, capsys):
    with pytest.raises(BuildError) as info:
        ip.run_cell_magic("docker", "build -q .", BASE + 'RUN ["/bin/busybox", "sh", "-c", "echo oops; exit 7"]\n')
    assert info.value.line() == ('Step 2/2 (RUN ["/bin/busybox", "sh", "-c", "echo oops; exit 7"]) failed with '
                                 "exit code 7. Fix the Dockerfile line and run the cell again.")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == 'Step 2/2 : RUN ["/bin/busybox", "sh", "-c", "echo oops; exit 7"]'
    assert "oops" in out


def test_quiet_and_iidfile(ip, sandbox, ctx, capsys):
    (ctx / "old.iid").write_text("stale")
    image = ip.run_cell_magic("docker", "build -q --iidfile old.iid .", BASE + "RUN echo quiet > /q\n")
    assert capsys.readouterr().out == ""
    assert ip.display_formatter.format(image)[0]["text/plain"] == image == (ctx / "old.iid").read_text()
    assert image.startswith("sha256:") and len(image) == 71
    with pytest.raises(BuildError):
        ip.run_cell_magic("docker", "build -q --iidfile old.iid .", BASE + "RUN exit 1\n")
    assert not (ctx / "old.iid").exists()  # the CLI removes it first: no stale ID after a failure


def test_no_cache_and_cache(ip, sandbox, ctx, capsys):
    cell = BASE + "RUN echo cached > /c\n"
    first = ip.run_cell_magic("docker", "build -t bt/cache:1 .", cell)
    capsys.readouterr()
    again = ip.run_cell_magic("docker", "build -t bt/cache:1 .", cell)
    assert again == first and " ---> Using cache" in capsys.readouterr().out
    fresh = ip.run_cell_magic("docker", "build --no-cache -t bt/cache:1 .", cell)
    assert fresh != first and " ---> Using cache" not in capsys.readouterr().out


@pytest.mark.parametrize(("line", "cell", "message"), [
    ("build", None, '"docker build" requires exactly 1 argument. Write %docker build PATH (e.g. \'.\'), or put '
                    "the Dockerfile in a %%docker build cell."),
    ("build .", "\n  \n", "The cell is empty: it is the Dockerfile of %%docker build. Write the Dockerfile in the "
                          "cell, or use the line form %docker build PATH."),
    ("build -f Dockerfile .", BASE, "-f/--file cannot be used with a %%docker build cell: the cell is the "
                                    "Dockerfile. Remove -f, or use the line form %docker build -f FILE PATH."),
    ("build nosuch", BASE, "unable to prepare context: path '{ctx}/nosuch' not found. Give an existing folder as "
                           "PATH (relative to the notebook's folder)."),
    ("build .", None, "Cannot locate the Dockerfile: '{ctx}/Dockerfile' does not exist. Give its path with -f, or "
                      "write the Dockerfile in a %%docker build cell."),
    ("build --build-arg =x .", BASE, "invalid argument '=x' for \"--build-arg\" flag: invalid environment variable. "
                                     "Write --build-arg NAME=VALUE, e.g. --build-arg VERSION={version}."),
])
def test_usage_errors(ip, sandbox, ctx, line, cell, message):
    with pytest.raises(UsageError) as info:
        if cell is None:
            ip.run_line_magic("docker", line)
        else:
            ip.run_cell_magic("docker", line, cell)
    assert info.value.line() == message.replace("{ctx}", str(ctx))


@pytest.mark.engine_differs("Engine 26 and 28's Dockerfile parser words a parse error differently (and suggests a "
                            "fix)")
def test_parse_error_and_missing_copy_source(ip, sandbox, ctx):
    with pytest.raises(BuildError) as info:
        ip.run_cell_magic("docker", "build .", BASE + "FORM x\n")
    assert info.value.line() == (f"The Dockerfile does not parse: {UNKNOWN_INSTRUCTION[sandbox.kind]}. "
                                 "Fix that line and run the cell again.")
    with pytest.raises(BuildError) as info:
        ip.run_cell_magic("docker", "build .", BASE + "COPY missing.txt /x\n")
    assert info.value.line().startswith("Step 2/2 (COPY missing.txt /x) failed: COPY failed: file not found in "
                                        "build context or excluded by .dockerignore")


def test_interrupt_stops_the_build_on_the_engine(ip, sandbox, ctx, capsys):
    timer = threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(Interrupted) as info:
            ip.run_cell_magic("docker", "build -t bt/slow:1 .", BASE + "RUN echo start; sleep 30\n")
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10
    assert info.value.line() == ("The build was interrupted; the engine stopped it. Run it again when ready: "
                                 "the steps that finished are cached.")
    # The engine killed and removed the RUN step's container; the kernel goes on.
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == ["start", "interrupted"]
    container = next(line.split()[-1] for line in out if line.startswith(" ---> Running in "))
    deadline = time.monotonic() + 10
    while container in sandbox.cli("ps", "-aq").stdout and time.monotonic() < deadline:
        time.sleep(0.2)
    assert container not in sandbox.cli("ps", "-aq").stdout
    assert ip.run_cell_magic("docker", "build -q .", BASE + "RUN echo after\n").startswith("sha256:")
    assert json.loads(sandbox.cli("images", "--format", "json", "bt/slow").stdout or "null") is None
