"""``%docker run`` (line and cell), the containers it leaves (ps, logs, stop, rm, container prune) and commit.

Every run uses a busybox image whose applets are links (Debian's busybox-static), made once per session;
what the engine did is checked against the Docker CLI pointed at the same engine.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import signal
import subprocess
import tarfile
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from support.shell import completions, configured

from docker_magics.engine.endpoints import resolve_endpoint
from docker_magics.errors import ContainerExitError, ContainerNotFoundError, Interrupted, UsageError

BUSYBOX = "dmtest/busybox:1.0"


def _applets_tar() -> bytes:
    """/bin/busybox and a link per applet (``busybox --list``), so ``echo``, ``cat``, ``sleep`` run by name."""
    applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True, check=True).stdout.split()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        data = Path("/bin/busybox").read_bytes()
        info = tarfile.TarInfo("bin/busybox")
        info.size, info.mode, info.mtime = len(data), 0o755, 1_700_000_000
        tar.addfile(info, io.BytesIO(data))
        for name in ("tmp", "data"):
            folder = tarfile.TarInfo(name)
            folder.type, folder.mode = tarfile.DIRTYPE, 0o1777
            tar.addfile(folder)
        for applet in applets:
            if applet != "busybox":
                link = tarfile.TarInfo(f"bin/{applet}")
                link.type, link.linkname, link.mtime = tarfile.SYMTYPE, "busybox", 1_700_000_000
                tar.addfile(link)
    return buf.getvalue()


@pytest.fixture(scope="session")
def busybox(sandbox):
    """The busybox image, imported once for the session."""
    api = sandbox.api()
    api.import_image_from_data(_applets_tar(), repository="dmtest/busybox", tag="1.0")
    return BUSYBOX


@pytest.fixture
def containers(sandbox):
    """Names of containers a test makes; removed afterwards, whatever happened."""
    made: list[str] = []
    yield made
    if made:
        sandbox.cli("rm", "-f", *made, check=False)


def _exists(sandbox, container: str) -> bool:
    return sandbox.cli("inspect", "--type", "container", container, check=False).returncode == 0


def test_run_echo_streams_and_removes(ip, busybox, sandbox, capfd):
    result = ip.run_line_magic("docker", f"run --rm {busybox} echo hello notebook")
    assert (result.exit_code, result.stdout, result.stderr, result.removed) == (0, "hello notebook\n", "", True)
    assert "hello notebook\n" in capfd.readouterr().out
    assert not _exists(sandbox, result.container_id)
    assert result.summary() == f"[exit code 0, container {result.container_id[:12]}, removed]"


def test_failing_run_is_one_line_after_its_output(ip, busybox, capfd):
    with pytest.raises(ContainerExitError) as info:
        ip.run_line_magic("docker", f"run --rm {busybox} sh -c 'echo out; echo oops >&2; exit 3'")
    assert info.value.message == f"run {busybox} sh -c 'echo out; echo oops >&2; exit 3' exited with code 3: oops"
    assert (info.value.result.exit_code, info.value.result.stdout, info.value.result.stderr) == (3, "out\n", "oops\n")
    seen = capfd.readouterr()
    assert (seen.out, seen.err) == ("out\n", "oops\n")  # stderr as stderr


def test_cell_is_a_script_run_by_sh(ip, busybox, sandbox, capfd):
    ip.user_ns["n"] = "not used"
    script = 'n=0\nfor i in 1 2 3; do n=$((n + i)); echo "line $i"; done\necho "sum $n"\n'
    result = ip.run_cell_magic("docker", f"run -e GREETING=hi {busybox}", script + 'echo "$GREETING"\n')
    assert result.stdout == "line 1\nline 2\nline 3\nsum 6\nhi\n"
    assert result.removed and not _exists(sandbox, result.container_id)
    named = ip.run_cell_magic("docker", f"run --name dm-cell-kept --shell /bin/ash {busybox}", "echo kept\n")
    try:
        assert (named.stdout, named.removed, _exists(sandbox, "dm-cell-kept")) == ("kept\n", False, True)
    finally:
        sandbox.cli("rm", "-f", "dm-cell-kept", check=False)


def test_bind_mount_workdir_env_entrypoint_user(ip, busybox, tmp_path):
    (tmp_path / "note.txt").write_text("from the host\n")
    tmp_path.chmod(0o755)  # readable by the container's user 1234
    env_file = tmp_path / "vars.env"
    env_file.write_text("# a comment\nFROM_FILE=yes\n")
    result = ip.run_line_magic("docker", f"run --rm -v {tmp_path}:/data -w /data -e WHO=me --env-file {env_file} "
                                         f"--entrypoint /bin/sh -u 1234 --name dm-flags {busybox} "
                                         "-c 'cat note.txt; pwd; echo $WHO $FROM_FILE; id -u; hostname'")
    lines = result.stdout.splitlines()
    assert lines[:4] == ["from the host", "/data", "me yes", "1234"]
    assert result.name == "dm-flags"


def test_terminal_flags_are_refused(ip, busybox):
    for flags in ("-t", "-i", "-it"):
        with pytest.raises(UsageError, match=r"^-(t/--tty|i/--interactive) needs a terminal, and a notebook cell "
                                             r"has none"):
            ip.run_line_magic("docker", f"run {flags} {busybox} sh")


def test_detached_ps_logs_stop_rm_as_the_cli_sees_them(ip, busybox, sandbox, containers):
    started = ip.run_line_magic("docker", f"run -d --name dm-detached {busybox} sh -c 'echo ready; exec sleep 60'")
    containers.append("dm-detached")
    assert len(started) == 64 and started == sandbox.cli("inspect", "--format", "{{.Id}}", "dm-detached").stdout.strip()
    deadline = time.monotonic() + 10
    while "ready" not in started.logs().stdout and time.monotonic() < deadline:
        time.sleep(0.1)
    df = ip.run_line_magic("docker", "ps")
    cli = [json.loads(line) for line in sandbox.cli("ps", "--format", "json").stdout.splitlines()]
    assert list(df.columns) == ["container_id", "image", "command", "created", "status", "ports", "names"]
    ours = [(r.container_id, r.image, f'"{r.command}"', r.ports, r.names) for r in df.itertuples()]
    assert ours == [(c["ID"], c["Image"], c["Command"], c["Ports"], c["Names"]) for c in cli]
    assert str(df.created.dtype).startswith("datetime64[") and str(df.created.dtype).endswith(", UTC]")
    assert ip.run_line_magic("docker", "ps -q") == sandbox.cli("ps", "-q").stdout.split()
    logs = ip.run_line_magic("docker", "logs dm-detached")
    assert logs.stdout == sandbox.cli("logs", "dm-detached").stdout == "ready\n"
    assert str(ip.run_line_magic("docker", "stop -t 1 dm-detached")) == "dm-detached"
    assert sandbox.cli("inspect", "--format", "{{.State.Status}}", "dm-detached").stdout.strip() == "exited"
    every = ip.run_line_magic("docker", "ps -a --no-trunc -s")
    row = every[every.names == "dm-detached"].iloc[0]
    assert row.container_id == started and row.status.startswith("Exited (137)") and row.size >= 0
    assert str(ip.run_line_magic("docker", "rm dm-detached")) == "dm-detached"
    assert not _exists(sandbox, "dm-detached")
    with pytest.raises(ContainerNotFoundError, match="No such container: dm-detached"):
        ip.run_line_magic("docker", "rm dm-detached")


def test_commit_with_change_and_message_then_run_it(ip, busybox, sandbox, containers):
    ip.run_line_magic("docker", f"run --name dm-to-commit {busybox} sh -c 'echo made > /made.txt'")
    containers.append("dm-to-commit")
    image = ip.run_line_magic("docker", "commit -c 'CMD [\"cat\", \"/made.txt\"]' -c 'ENV STAGE=committed' "
                                        "-m 'from a notebook' dm-to-commit dmtest/committed:1")
    try:
        assert image.startswith("sha256:") and image == sandbox.cli(
            "image", "inspect", "--format", "{{.Id}}", "dmtest/committed:1").stdout.strip()
        config = json.loads(sandbox.cli("image", "inspect", "--format", "{{json .}}", image).stdout)
        assert config["Config"]["Cmd"] == ["cat", "/made.txt"] and "STAGE=committed" in config["Config"]["Env"]
        assert config["Comment"] == "from a notebook"
        assert ip.run_line_magic("docker", "run --rm dmtest/committed:1").stdout == "made\n"
        with pytest.raises(UsageError) as info:
            ip.run_line_magic("docker", "commit -c 'RUN echo no' dm-to-commit dmtest/committed:2")
        assert "is not a valid change command" in info.value.message
        assert info.value.hint == ("To fix it, give -c one of CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, "
                                   "ONBUILD, STOPSIGNAL, USER, VOLUME or WORKDIR, one instruction per -c (e.g. -c "
                                   "'CMD [\"sh\"]').")
    finally:
        sandbox.cli("rmi", "-f", "dmtest/committed:1", check=False)


def test_ctrl_c_stops_and_removes_the_container(ip, busybox, sandbox):
    main = threading.main_thread().ident
    timer = threading.Timer(1.5, lambda: signal.pthread_kill(main, signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(Interrupted) as info:
            ip.run_line_magic("docker", f"run --rm --name dm-sleeper {busybox} sleep 120")
    finally:
        timer.cancel()
    assert "interrupted: the container" in info.value.message and info.value.message.endswith("stopped and removed")
    assert not _exists(sandbox, "dm-sleeper")


def test_a_hundred_megabytes_of_output_stay_bounded(ip, busybox, capfd):
    from docker_magics.engine.containers.demux import CAPTURE_LIMIT

    total = 100 * 1024 * 1024
    tracemalloc.start()
    try:
        script = "yes $(head -c 1023 /dev/zero | tr '\\0' x) | head -c " + str(total)
        result = ip.run_line_magic("docker", f"run --rm {busybox} sh -c {shlex.quote(script)}")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(result.stdout) == CAPTURE_LIMIT and result.stdout_dropped == total - CAPTURE_LIMIT
    assert result.truncated and "kept the last 8.39MB of stdout" in result.summary()
    assert peak < 5 * CAPTURE_LIMIT
    assert "not shown here; the result keeps the last part of each stream" in capfd.readouterr().err


def test_output_without_newlines(ip, busybox, capfd):
    result = ip.run_line_magic("docker", f"run --rm {busybox} sh -c 'printf a; sleep 0.3; printf b; printf c >&2'")
    assert (result.stdout, result.stderr) == ("ab", "c")
    seen = capfd.readouterr()
    assert (seen.out, seen.err) == ("ab", "c")


def test_container_prune_dry_run_then_force(ip, busybox, sandbox, containers):
    ip.run_line_magic("docker", f"run --name dm-stopped -l dm.prune=yes {busybox} true")
    containers.append("dm-stopped")
    preview = ip.run_line_magic("docker", "container prune --dry-run --filter label=dm.prune=yes")
    assert list(preview.names) == ["dm-stopped"] and preview.dm_caption.startswith("Would remove 1 stopped container")
    assert _exists(sandbox, "dm-stopped")
    done = ip.run_line_magic("docker", "container prune -f --filter label=dm.prune=yes")
    assert len(done) == 1 and done.container_id[0].startswith(sandbox.cli("ps", "-aq", "--no-trunc").stdout[:0])
    assert not _exists(sandbox, "dm-stopped")


def test_tab_completes_container_names(ip, busybox, sandbox, containers):
    ip.run_line_magic("docker", f"run --name dm-completed {busybox} true")
    containers.append("dm-completed")
    with configured(ip, host=sandbox.host, completion_timeout=5.0):
        assert "dm-completed" in completions(ip, "%docker rm dm-comp")
        assert "dm-completed" in completions(ip, "%docker logs -t dm-")
        assert "dm-completed" not in completions(ip, "%docker rmi dm-")


def test_missing_image_is_pulled_as_the_cli_does(ip, busybox, sandbox, config, tmp_path, capfd):
    remote = f"{sandbox.registry}/dmtest/pulled-busybox:1"
    sandbox.cli("login", "-u", sandbox.user, "--password-stdin", sandbox.registry, input=sandbox.password)
    secret = tmp_path / "password"
    secret.write_text(sandbox.password)
    ip.run_line_magic("docker", f"login -u {sandbox.user} --password-file {secret} {sandbox.registry}")
    sandbox.cli("tag", busybox, remote)
    sandbox.cli("push", remote)
    sandbox.cli("rmi", remote)
    try:
        result = ip.run_line_magic("docker", f"run --rm {remote} echo pulled")
        assert result.stdout == "pulled\n"
        assert f"Unable to find image '{remote}' locally" in capfd.readouterr().out
        with pytest.raises(Exception, match="pulled-busybox:nope"):
            ip.run_line_magic("docker", f"run --rm {remote[:-2]}:nope true")
    finally:
        sandbox.cli("rmi", "-f", remote, check=False)


def test_ps_on_several_engines_has_an_engine_column(ip, busybox, sandbox, containers):
    ip.run_line_magic("docker", f"run --name dm-fleet {busybox} true")
    containers.append("dm-fleet")
    df = ip.run_line_magic("docker", f"-H {sandbox.host} -H unix:///nonexistent/docker.sock ps -a")
    assert "engine" in df.columns and "dm-fleet" in set(df.names.dropna())
    with pytest.raises(UsageError, match="changes an engine and runs on one at a time"):
        ip.run_line_magic("docker", f"-H {sandbox.host} -H unix:///nonexistent/docker.sock rm dm-fleet")


def test_ctrl_c_in_a_cell_removes_its_container(ip, busybox, sandbox):
    main = threading.main_thread().ident
    timer = threading.Timer(1.5, lambda: signal.pthread_kill(main, signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(Interrupted, match=r"stopped and removed$"):
            ip.run_cell_magic("docker", f"run -l dm.cell=interrupted {busybox}", "echo start\nsleep 120\n")
    finally:
        timer.cancel()
    assert sandbox.cli("ps", "-aq", "--filter", "label=dm.cell=interrupted").stdout.strip() == ""


def test_detached_result_stops_and_removes_and_logs_follow(ip, busybox, sandbox, containers, capfd):
    started = ip.run_line_magic("docker", f"run -d --name dm-follow {busybox} sh -c 'echo one; sleep 1; echo two'")
    containers.append("dm-follow")
    followed = ip.run_line_magic("docker", "logs -f dm-follow")  # until the container stops
    assert followed.stdout == "one\ntwo\n" and "one\ntwo\n" in capfd.readouterr().out
    assert ip.run_line_magic("docker", "logs --tail 1 dm-follow").stdout == "two\n"
    started.remove()
    assert not _exists(sandbox, "dm-follow")
    again = ip.run_line_magic("docker", f"run -d --rm --name dm-auto {busybox} sleep 60")
    containers.append("dm-auto")
    again.stop(1)
    deadline = time.monotonic() + 10
    while _exists(sandbox, "dm-auto") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _exists(sandbox, "dm-auto")  # -d --rm: removed once it stopped


def test_a_command_the_image_lacks_and_a_taken_name_are_one_line(ip, busybox, sandbox, containers):
    from docker_magics.errors import ConflictError, DockerMagicError

    with pytest.raises(DockerMagicError, match=rf'^The container of {busybox} could not start: .*"nosuchcmd"'):
        ip.run_line_magic("docker", f"run --rm -l dm.start=failed {busybox} nosuchcmd")
    assert sandbox.cli("ps", "-aq", "--filter", "label=dm.start=failed").stdout.strip() == ""
    ip.run_line_magic("docker", f"run --name dm-taken {busybox} true")
    containers.append("dm-taken")
    with pytest.raises(ConflictError) as info:
        ip.run_line_magic("docker", f"run --name dm-taken {busybox} true")
    assert info.value.line() == ("The container name 'dm-taken' is already in use. To fix it, remove that container "
                                 "(%docker rm -f dm-taken) or choose another --name.")


def test_ps_format_prints_what_the_cli_prints(ip, busybox, sandbox, containers, tmp_path):
    ip.run_line_magic("docker", f"run -d --name dm-fmt-up -l b=2 {busybox} sleep 60")
    ip.run_line_magic("docker", f"run --name dm-fmt-done -v {tmp_path}:/host {busybox} true")
    containers += ["dm-fmt-up", "dm-fmt-done"]

    def ticking(text: str) -> list[dict]:  # RunningFor and Status tick between our call and the CLI's
        rows = [json.loads(line) for line in text.splitlines()]
        return [{k: v for k, v in row.items() if k not in ("RunningFor", "Status")} for row in rows]

    for flags in ("-a", "-a --no-trunc"):
        ours = ip.run_line_magic("docker", f"ps {flags} --format json")
        assert ticking(ours) == ticking(sandbox.cli("ps", *flags.split(), "--format", "json").stdout)
    template = "{{.ID}} {{.Image}} {{.Command}} {{.Names}} {{.Size}} {{.Labels}} {{.Mounts}} {{.State}}"
    assert str(ip.run_line_magic("docker", f"ps -a --format '{template}'")) == sandbox.cli(
        "ps", "-a", "--format", template).stdout
    assert str(ip.run_line_magic("docker", "ps --format 'table {{.Names}}\\t{{.State}}'")) == sandbox.cli(
        "ps", "--format", "table {{.Names}}\t{{.State}}").stdout


def test_ps_from_the_container_index_follows_what_the_cli_did(ip, busybox, sandbox, containers):
    def ticking(text: str) -> list[dict]:  # RunningFor and Status tick between our call and the CLI's
        rows = [json.loads(line) for line in text.splitlines()]
        return [{k: v for k, v in row.items() if k not in ("RunningFor", "Status")} for row in rows]

    def words(text: str) -> list[str]:  # the Status without its durations: "Up", "Exited (137)", "Created"
        return [re.sub(r" (Less than a second|About an? \w+|\d+ \w+)( ago)?", "", json.loads(line)["Status"])
                for line in text.splitlines()]

    names = [f"dm-ix-{i}" for i in range(4)]
    containers += [*names, "dm-ix-renamed"]
    for name in names:
        sandbox.cli("create", "--name", name, "--network", "none", busybox, "sleep", "60")
    sandbox.cli("start", names[0], names[1])
    with configured(ip, index="always") as magics:
        assert ticking(ip.run_line_magic("docker", "ps -a --format json")) == ticking(
            sandbox.cli("ps", "-a", "--format", "json").stdout)
        sandbox.cli("stop", "-t", "0", names[0])
        sandbox.cli("rm", names[2])
        sandbox.cli("rename", names[3], "dm-ix-renamed")
        sandbox.cli("start", "dm-ix-renamed")
        sandbox.cli("run", "-d", "--name", names[2], "--network", "none", busybox, "sleep", "60")
        for flags in ("-a", "", "-n 2"):
            ours = ip.run_line_magic("docker", f"ps {flags} --format json")
            theirs = sandbox.cli("ps", *flags.split(), "--format", "json").stdout
            assert (ticking(ours), words(ours)) == (ticking(theirs), words(theirs)), flags
        df = ip.run_line_magic("docker", "ps -a")
        assert list(df.names[:3]) == [names[2], "dm-ix-renamed", names[1]]
        index = magics.session.default_engine().container_index()
        assert (index.rebuilds, index.answers) == (1, 5)  # listed once; the rest from the engine's events



def test_container_index_lists_again_after_an_engine_restart(ip, busybox, sandbox, own_engine, tmp_path):
    def run(*args: str) -> str:
        return subprocess.run(["docker", *args], env={**sandbox.env, "DOCKER_HOST": own_engine.host},
                              capture_output=True, text=True, check=True).stdout

    def names(text: str) -> list[str]:
        return [json.loads(line)["Names"] for line in text.splitlines()]

    archive = tmp_path / "busybox.tar"
    sandbox.cli("save", "-o", str(archive), busybox)
    run("load", "-i", str(archive))
    run("create", "--name", "dm-before", "--network", "none", busybox, "true")
    with configured(ip, index="always") as magics:
        line = f"-H {own_engine.host} ps -a --format json"
        assert names(ip.run_line_magic("docker", line)) == names(run("ps", "-a", "--format", "json"))
        index = magics.session.engine_at(resolve_endpoint(host=own_engine.host)).container_index()
        run("create", "--name", "dm-forgotten", "--network", "none", busybox, "true")  # the restart forgets it
        own_engine.stop()
        own_engine.start()
        assert names(ip.run_line_magic("docker", line)) == names(run("ps", "-a", "--format", "json")) == [
            "dm-forgotten", "dm-before"]
        assert (index.rebuilds, index.answers) == (2, 2)  # the watch stream ended with the engine: listed again
        magics.session.forget()  # closes the stream to this engine before the fixture stops it
