"""Faults survived: a registry killed mid-transfer, an engine stopped, a full disk, Ctrl-C, a stalled registry.

Every test here runs on an engine and a registry of this module's own (scripts/sandbox.py's Engine and
Registry on fresh sockets and ports), so killing or stopping them never disturbs the session's sandbox.
The engine runs with ``--max-download-attempts=1``: a stock engine retries a broken download four times
over 50 s before it reports the error (the same line then); pushes have no such flag in dockerd 20.10
and keep the engine's 50 s of retries. Each fault ends in one line (asserted), leaves nothing
half-written, and the next command works.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import sandbox as sandbox_module

from docker_magics.errors import DockerMagicError, EngineUnavailableError, Interrupted, RegistryError
from docker_magics.units import human_size
from docker_magics.views import progress

BIG_MB = 80


class Own:
    """The module's engine and registry."""

    def __init__(self, root: Path, kind: str) -> None:
        self.root = root
        self.engine = sandbox_module.Engine(root / "engine", extra_args=("--max-download-attempts=1",), kind=kind)
        self.registry = sandbox_module.Registry(root / "registry")
        self.config = root / "docker-config"

    @property
    def host(self) -> str:
        return self.engine.host

    @property
    def reg(self) -> str:
        return self.registry.address

    def cli(self, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
        full = {**os.environ, "DOCKER_HOST": self.host, "DOCKER_CONFIG": str(self.config), **env}
        return subprocess.run(["docker", *args], env=full, capture_output=True, text=True, check=check)

    def build_big(self, ref: str, mb: int = BIG_MB) -> None:
        """An image with one layer of ``mb`` MB of random bytes on top of faults/tiny:1.0 (classic builder)."""
        folder = self.root / f"ctx-{secrets.token_hex(3)}"
        folder.mkdir()
        (folder / "Dockerfile").write_text(
            "FROM faults/tiny:1.0\n"
            f'RUN ["/bin/busybox","dd","if=/dev/urandom","of=/big","bs=1M","count={mb}"]\n')
        self.cli("build", "-q", "-t", ref, str(folder), DOCKER_BUILDKIT="0")

    def has(self, ref: str) -> bool:
        return self.cli("image", "inspect", ref, check=False).returncode == 0


@pytest.fixture(scope="module")
def own(sandbox):
    import docker

    root = Path(f"/tmp/dmf-{secrets.token_hex(3)}")  # unix socket paths must stay short
    own = Own(root, sandbox.kind)
    try:
        own.config.mkdir(parents=True)
        own.engine.start()
        own.registry.start()
        api = docker.APIClient(base_url=own.host, version="auto")
        api.import_image_from_data(sandbox_module.busybox_tar(), repository="faults/tiny", tag="1.0")
        own.build_big(f"{own.reg}/faults/big:1")
        own.cli("login", "-u", own.registry.user, "--password-stdin", own.reg, check=False)
        yield own
    finally:
        own.registry.stop()
        own.engine.stop()
        sandbox_module._remove_tree(root)


@pytest.fixture
def shell(ip, own, monkeypatch, tmp_path):
    """The shell with text progress, logged in to the module's registry through its own DOCKER_CONFIG."""
    monkeypatch.setenv("DOCKER_CONFIG", str(own.config))
    secret = tmp_path / ".token"
    secret.write_text(own.registry.password)
    ip.run_line_magic("docker", f"-H {own.host} login -u {own.registry.user} --password-file {secret} {own.reg}")
    ip.run_line_magic("config", "DockerMagics.progress = 'text'")
    yield ip
    ip.run_line_magic("config", "DockerMagics.progress = 'auto'")
    ip.run_line_magic("config", "DockerMagics.timeout = 60.0")


def docker(ip, line: str, own: Own):
    return ip.run_line_magic("docker", f"-H {own.host} {line}")


class When:
    """Run ``action`` once, from another thread, the first time the progress display sees bytes move.

    A context manager around the command: the text display's ``event``/``advance``/``log`` are wrapped
    (the real ones still draw) while it is open. The display's call waits until the action is done, so
    the fault lands while the transfer runs.
    """

    def __init__(self, action, *, min_bytes: int = 1) -> None:
        self.action, self.min_bytes, self.fired = action, min_bytes, False

    def __enter__(self) -> When:
        cls = progress.TextProgress
        self.saved = {name: cls.__dict__.get(name) for name in ("event", "advance", "log")}
        real_event, real_advance, real_log = cls.event, cls.advance, cls.log

        def event(bar, ev):
            real_event(bar, ev)
            if ((ev.get("progressDetail") or {}).get("current") or 0) >= self.min_bytes:
                self.fire()

        def advance(bar, nbytes):
            real_advance(bar, nbytes)
            if bar.state.done_bytes >= self.min_bytes:
                self.fire()

        def log(bar, line):
            real_log(bar, line)
            if line.startswith("Step 2/"):
                self.fire()

        cls.event, cls.advance, cls.log = event, advance, log
        return self

    def __exit__(self, *exc) -> None:
        for name, function in self.saved.items():
            if function is None:
                delattr(progress.TextProgress, name)
            else:
                setattr(progress.TextProgress, name, function)

    def fire(self) -> None:
        if self.fired:
            return
        self.fired = True
        worker = threading.Thread(target=self.action)
        worker.start()
        worker.join(30)


def interrupt_main() -> None:
    """A real SIGINT to the main thread, as Ctrl-C in a terminal or the kernel's interrupt button sends."""
    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)


def big_image(shell, own: Own) -> tuple[str, str]:
    """The module's big image, local and in the registry (a test before may have removed either); ref, digest."""
    ref = f"{own.reg}/faults/big:1"
    if not own.has(ref):
        docker(shell, f"pull -q {ref}", own)
    return ref, docker(shell, f"push -q {ref}", own).digest


# ---- the registry killed in the middle of a transfer ----------------------------------------------


@pytest.mark.engine_differs("the containerd store's pusher does not retry: it reports the broken upload (a reset "
                            "connection on the blob PUT), not the refused reconnection")
def test_registry_killed_mid_push_is_one_line_and_a_retry_succeeds(shell, own, sandbox):
    ref = f"{own.reg}/faults/killpush:1"
    own.build_big(ref, mb=60)  # a layer the registry has never seen
    try:
        with When(lambda: own.registry.proc.kill(), min_bytes=1 << 20) as fault, \
                pytest.raises(RegistryError) as info:
            docker(shell, f"push {ref}", own)  # the engine retries for 50 s, then gives up
        assert fault.fired
        hint = f"To fix it, check that the registry {own.reg} is running and reachable from the engine."
        if sandbox.containerd_store:
            line = info.value.line()
            assert line.startswith(f"Push of {ref} failed: ") and line.endswith(hint) and "\n" not in line
        else:
            assert info.value.line() == f"Push of {ref} failed: dial tcp {own.reg}: connect: connection refused. {hint}"
    finally:
        own.registry.start()  # same data folder and port
    pushed = docker(shell, f"push -q {ref}", own)
    assert pushed.digest.startswith("sha256:")
    own.cli("rmi", ref)
    assert docker(shell, f"pull -q {ref}@{pushed.digest}", own).digest == pushed.digest
    own.cli("rmi", f"{ref}@{pushed.digest}", check=False)


def test_registry_killed_mid_pull_is_one_line_and_a_retry_succeeds(shell, own):
    ref, digest = big_image(shell, own)
    own.cli("rmi", ref)
    try:
        with When(lambda: own.registry.proc.kill()) as fault, pytest.raises(RegistryError) as info:
            docker(shell, f"pull {ref}", own)
        assert fault.fired
        line = info.value.line()
        assert line.startswith(f"Pull of {ref} failed: ") and "\n" not in line
        assert line.endswith(f"To fix it, check that the registry {own.reg} is running and reachable from the engine.")
    finally:
        own.registry.start()
    assert not own.has(ref)  # nothing half-pulled is tagged
    pulled = docker(shell, f"pull {ref}", own)
    assert (pulled.status, pulled.digest) == ("Downloaded newer image", digest)


# ---- the engine stopped between two commands ------------------------------------------------------


def test_engine_stopped_then_restarted_needs_no_reload(shell, own):
    before = docker(shell, "images -q", own)
    own.engine.stop()
    try:
        with pytest.raises(EngineUnavailableError) as info:
            docker(shell, "images", own)
        assert info.value.line() == (
            f"Cannot connect to the Docker engine at {own.host} (is the engine running?). To fix it, start the "
            f"engine, or point DOCKER_HOST or '%docker -H unix:///path/docker.sock' at one that runs.")
        with pytest.raises(EngineUnavailableError):
            docker(shell, "inspect faults/tiny:1.0", own)
    finally:
        own.engine.start()  # same data root
    assert docker(shell, "images -q", own) == before  # the cached client reconnects by itself
    assert docker(shell, "inspect faults/tiny:1.0", own)[0]["RepoTags"] == ["faults/tiny:1.0"]


# ---- the disk full during save --------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], check=True)
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_disk_full_during_save_is_one_line_and_leaves_no_file(shell, own, small_disk):
    ref, _ = big_image(shell, own)
    target = small_disk / "big.tar"
    with pytest.raises(DockerMagicError) as info:
        docker(shell, f"save -o {target} {ref}", own)
    free = human_size(shutil.disk_usage(small_disk).free)
    assert info.value.line() == (
        f"Cannot write {target}: no space left on device in {small_disk} ({free} free; the images need about "
        f"{_size_of(own, ref)}). To fix it, free some space there or save to another folder.")
    assert os.listdir(small_disk) == []
    assert docker(shell, "images -q faults/tiny:1.0", own)  # the engine is fine


def _size_of(own: Own, ref: str) -> str:
    return human_size(int(own.cli("image", "inspect", "--format", "{{.Size}}", ref).stdout))


# ---- Ctrl-C during pull, push, save, load and build -----------------------------------------------


def test_interrupt_during_pull(shell, own):
    # An image of its own: on the containerd store an interrupted save (the disk-full test) leaves the engine a lease
    # on the big image's blobs, so after rmi they are still there and a pull of it downloads nothing to interrupt.
    ref = f"{own.reg}/faults/intpull:1"
    own.build_big(ref, mb=40)
    digest = docker(shell, f"push -q {ref}", own).digest
    own.cli("rmi", ref)
    with When(interrupt_main), pytest.raises(Interrupted) as info:
        docker(shell, f"pull {ref}", own)
    assert info.value.line() == f"Pull of {ref} interrupted: the transfer was stopped. Run it again to finish it."
    assert not own.has(ref)
    assert docker(shell, f"pull -q {ref}", own).digest == digest


def test_interrupt_during_push(shell, own):
    ref = f"{own.reg}/faults/intpush:1"
    own.build_big(ref, mb=40)
    with When(interrupt_main), pytest.raises(Interrupted) as info:
        docker(shell, f"push {ref}", own)
    assert info.value.line() == f"Push of {ref} interrupted: the transfer was stopped. Run it again to finish it."
    pushed = docker(shell, f"push -q {ref}", own)
    assert pushed.tags[0].tag == "1"
    own.cli("rmi", ref)


def test_interrupt_during_save_leaves_no_file(shell, own, tmp_path):
    target = tmp_path / "out" / "big.tar"
    target.parent.mkdir()
    with When(interrupt_main), pytest.raises(Interrupted) as info:
        docker(shell, f"save -o {target} {big_image(shell, own)[0]}", own)
    assert info.value.line() == (f"Saving to {target} was interrupted; no file was written. "
                                 "Run the command again to save.")
    assert os.listdir(target.parent) == []
    assert docker(shell, f"save -o {target} faults/tiny:1.0", own).bytes > 0


def test_interrupt_during_load(shell, own, tmp_path):
    ref, _ = big_image(shell, own)
    archive = tmp_path / "big.tar"
    docker(shell, f"save -o {archive} {ref}", own)
    with When(interrupt_main, min_bytes=1 << 20), pytest.raises(Interrupted) as info:
        docker(shell, f"load -i {archive}", own)
    assert info.value.line() == f"Loading {archive} was interrupted. Run the command again to load."
    assert list(docker(shell, f"load -q -i {archive}", own)["reference"]) == [ref]


def test_interrupt_during_build_stops_it(shell, own, monkeypatch):
    monkeypatch.setenv("DOCKER_BUILDKIT", "0")  # the classic builder's containers (BuildKit: test_buildkit.py)
    dockerfile = 'FROM faults/tiny:1.0\nRUN ["/bin/busybox","sleep","30"]\n'
    with When(interrupt_main), pytest.raises(Interrupted) as info:
        shell.run_cell_magic("docker", f"-H {own.host} build -t faults/intbuild:1", dockerfile)
    assert info.value.line().startswith("The build was interrupted; the engine stopped it")
    deadline = time.monotonic() + 20
    while own.cli("ps", "-aq").stdout.strip() and time.monotonic() < deadline:
        time.sleep(0.2)  # the engine removes the step's container once it sees the client gone
    assert own.cli("ps", "-aq").stdout.strip() == ""
    assert not own.has("faults/intbuild:1")
    built = shell.run_cell_magic("docker", f"-H {own.host} build -q -t faults/intbuild:1",
                                 "FROM faults/tiny:1.0\nLABEL after=interrupt\n")
    assert own.has("faults/intbuild:1") and built
    own.cli("rmi", "faults/intbuild:1")


# ---- a registry that accepts and then says nothing ------------------------------------------------


@contextlib.contextmanager
def stalling_server():
    """A loopback TCP server that accepts every connection and never answers; its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        server.close()


@pytest.mark.parametrize("verb", ["pull", "push"])
def test_stalled_registry_times_out_in_one_line(shell, own, verb):
    shell.run_line_magic("config", "DockerMagics.timeout = 2")
    outcome: list[BaseException | object] = []
    with stalling_server() as port:
        ref = f"127.0.0.1:{port}/faults/stalled:1"
        if verb == "push":
            own.cli("tag", "faults/tiny:1.0", ref)

        def run() -> None:
            try:
                outcome.append(docker(shell, f"{verb} {ref}", own))
            except BaseException as exc:
                outcome.append(exc)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(60)  # a guard against a hang, not a timing assert
        assert not worker.is_alive(), f"{verb} from a stalled registry hung"
    if verb == "push":
        own.cli("rmi", ref)
    [error] = outcome
    assert isinstance(error, RegistryError), repr(error)
    what = "Pull" if verb == "pull" else "Push"
    assert error.line() == (
        f"{what} of {ref} stopped: no answer for 2 s from the engine, which waits on the registry 127.0.0.1:{port}. "
        f"To fix it, check that the registry answers, or allow more time with %config DockerMagics.timeout = "
        f"SECONDS.")
    assert docker(shell, "images -q faults/tiny:1.0", own)  # the engine is fine
