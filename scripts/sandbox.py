"""A private Docker engine and an authenticated registry on loopback, for tests and the quickstart.

Both come from Debian's packages (``docker.io`` and ``docker-registry``) and run as root. Each
sandbox lives in its own folder, so several can run side by side::

    with Sandbox() as sb:
        os.environ.update(sb.env())
        ...

The engine comes in these kinds (``ENGINE_KINDS``), each naming an engine version, never "whatever apt installs":
``bookworm`` is Debian bookworm's dockerd 20.10 with the classic image store (the default); ``classic26`` and
``containerd26`` are Debian trixie's dockerd 26.1, unpacked by scripts/setup.sh into .cache/trixie/root, with the
classic store and with the containerd image store (``"features": {"containerd-snapshotter": true}``, the default of
Engine 29 on fresh installations); ``classic28`` and ``containerd28`` are Debian sid's dockerd 28.5 (.cache/sid/root)
with the two stores; ``podman`` is Debian bookworm's podman 4.3 serving its Docker-compatible API (API 1.41), with
its own storage and a registries.conf that marks the sandbox registry insecure.

``python scripts/sandbox.py start DIR [--engine KIND]`` starts one in the background and prints the
environment to use; ``python scripts/sandbox.py stop DIR`` stops it.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REGISTRY_USER = "dmuser"

ROOT = Path(__file__).resolve().parent.parent
# Debian trixie's and sid's docker.io and containerd, unpacked (never installed) by scripts/setup.sh.
TRIXIE_ROOT = ROOT / ".cache" / "trixie" / "root"
SID_ROOT = ROOT / ".cache" / "sid" / "root"
# Debian bookworm's docker.io 20.10, when the machine's own apt does not give it (Debian 13 gives 26.1).
BOOKWORM_ROOT = ROOT / ".cache" / "bookworm" / "root"


@dataclass(frozen=True)
class EngineKind:
    """Which dockerd runs, and with which image store."""

    name: str
    description: str
    unpacked: Path | None = None  # dockerd from this unpacked root (it starts its own containerd from there too)
    containerd_store: bool = False  # the containerd image store instead of the classic graph driver store
    version: str = ""  # the Engine version the kind names (the first characters of /version's Version)
    podman: bool = False  # podman's Docker-compatible service instead of dockerd
    cli: bool = False  # the unpacked root's own Docker CLI is the tests' oracle (sid's 28.5 speaks API 1.51)

    @property
    def trixie(self) -> bool:
        """dockerd comes from an unpacked root rather than the system's PATH (the name is the first such kind's)."""
        return self.unpacked is not None


ENGINE_KINDS = {
    kind.name: kind for kind in (
        EngineKind("bookworm", "Debian bookworm's Engine 20.10, classic store", version="20.10."),
        EngineKind("classic26", "Debian trixie's Engine 26.1, classic store", TRIXIE_ROOT, version="26.1."),
        EngineKind("containerd26", "Debian trixie's Engine 26.1, containerd store", TRIXIE_ROOT,
                   containerd_store=True, version="26.1."),
        EngineKind("classic28", "Debian sid's Engine 28.5, classic store", SID_ROOT, version="28.5.", cli=True),
        EngineKind("containerd28", "Debian sid's Engine 28.5, containerd store", SID_ROOT,
                   containerd_store=True, version="28.5.", cli=True),
        EngineKind("podman", "Debian bookworm's Podman 4.3, Docker-compatible API", version="4.3.", podman=True),
    )
}
DEFAULT_ENGINE = "bookworm"


def cli_path(kind: EngineKind) -> str | None:
    """A folder holding only the kind's own ``docker`` CLI (first in PATH for the tests), or None for the machine's.

    The machine's CLI (28.2, API 1.50) reads Engine 28.5's API 1.51 answers differently from the CLI users run
    with it (e.g. 1.51 counts each image's containers); the folder keeps the unpacked root's containerd and ctr
    out of PATH.
    """
    if not kind.cli or kind.unpacked is None:
        return None
    folder = kind.unpacked.parent / "cli"
    link = folder / "docker"
    if not link.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another session made it meanwhile
            link.symlink_to(kind.unpacked / "usr" / "bin" / "docker")
    return str(folder)


def engine_kind(name: str) -> EngineKind:
    try:
        return ENGINE_KINDS[name]
    except KeyError:
        raise ValueError(f"unknown engine kind {name!r}; one of: {', '.join(ENGINE_KINDS)}") from None


def _wait(check, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            if check():
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not answer within {timeout:.0f} s")


def _ping_socket(path: str) -> bool:
    conn = http.client.HTTPConnection("localhost", timeout=2)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(2)
    sock.connect(path)
    conn.sock = sock
    conn.request("GET", "/_ping")
    return conn.getresponse().status == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log(root: Path, name: str):
    return open(root / f"{name}.log", "ab")


@dataclass
class Engine:
    """A dockerd on a private unix socket and data root, of one of the ENGINE_KINDS.

    Everything the engine keeps lives under ``root``: its data (``data/``, where the containerd that dockerd
    starts keeps its root, ``data/containerd/daemon``), its runtime state (``exec/``, with that containerd's
    socket, ``exec/containerd/containerd.sock``) and its own ``daemon.json`` (``--config-file``, so the
    machine's /etc/docker/daemon.json never applies). Engines with different roots run side by side.
    """

    root: Path
    tcp_port: int | None = None  # also listen on tcp://127.0.0.1:PORT (plain, for -H tcp:// tests)
    proc: subprocess.Popen | None = None
    extra_args: tuple[str, ...] = ()  # more dockerd flags, e.g. ("--max-download-attempts=1",)
    kind: str = DEFAULT_ENGINE  # a name in ENGINE_KINDS
    insecure_registries: tuple[str, ...] = ()  # plain-HTTP registries (podman: its registries.conf)

    def __post_init__(self) -> None:
        engine_kind(self.kind)  # fail early on an unknown name

    @property
    def socket(self) -> str:
        return str(self.root / "docker.sock")

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    @property
    def description(self) -> str:
        return engine_kind(self.kind).description

    def _environ(self) -> dict[str, str]:
        env = dict(os.environ)
        unpacked = engine_kind(self.kind).unpacked
        if unpacked is not None:
            # dockerd from the unpacked root first, and the containerd it starts; runc stays bookworm's (trixie's
            # and sid's need glibc 2.38).
            path = [str(unpacked / "usr" / "bin"), str(unpacked / "usr" / "sbin")]
            env["PATH"] = os.pathsep.join([*path, env.get("PATH", os.defpath)])
        elif self.kind == "bookworm" and (BOOKWORM_ROOT / "usr" / "sbin" / "dockerd").exists():
            # A machine whose apt gives another version (Debian 13: 26.1): bookworm's 20.10 unpacked by setup.sh.
            path = [str(BOOKWORM_ROOT / "usr" / "bin"), str(BOOKWORM_ROOT / "usr" / "sbin")]
            env["PATH"] = os.pathsep.join([*path, env.get("PATH", os.defpath)])
        if engine_kind(self.kind).podman:
            env["CONTAINERS_REGISTRIES_CONF"] = str(self.root / "registries.conf")
        return env

    def start(self) -> Engine:
        kind = engine_kind(self.kind)
        self.root.mkdir(parents=True, exist_ok=True)
        env = self._environ()
        if kind.podman:
            return self._start_podman(env)
        dockerd = shutil.which("dockerd", path=env["PATH"])
        if not dockerd or (kind.unpacked is not None and not dockerd.startswith(str(kind.unpacked))):
            raise RuntimeError(f"no dockerd for the {kind.name} engine; run scripts/setup.sh")
        config = {"features": {"containerd-snapshotter": True}} if kind.containerd_store else {}
        (self.root / "daemon.json").write_text(json.dumps(config))
        cmd = [
            dockerd, "--config-file", str(self.root / "daemon.json"),
            "--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec"),
            "--pidfile", str(self.root / "dockerd.pid"), "-H", self.host,
            "--iptables=false", "--ip6tables=false", "--bridge=none",
        ]
        if self.tcp_port:
            cmd += ["-H", f"tcp://127.0.0.1:{self.tcp_port}"]
        cmd += list(self.extra_args)
        self.proc = subprocess.Popen(cmd, stdout=_log(self.root, "dockerd"), stderr=subprocess.STDOUT,
                                     start_new_session=True, env=env)
        _wait(lambda: self.proc.poll() is None and _ping_socket(self.socket), f"dockerd at {self.host}")
        self._check_version(kind, env)
        return self

    def _start_podman(self, env: dict[str, str]) -> Engine:
        """Podman's Docker-compatible service on the engine's socket, with storage of its own under ``root``.

        The registries.conf marks the sandbox's registries insecure (plain HTTP), as loopback registries are for
        dockerd; the service lives as long as the process (``--time=0``: no idle timeout).
        """
        podman = shutil.which("podman", path=env["PATH"])
        if not podman:
            raise RuntimeError("no podman for the podman engine; run scripts/setup.sh")
        if self.tcp_port or self.extra_args:
            raise RuntimeError("the podman engine takes no dockerd flags and no tcp:// listener")
        conf = ['unqualified-search-registries = ["docker.io"]', 'short-name-mode = "permissive"']
        for address in self.insecure_registries:
            conf += ["", "[[registry]]", f'location = "{address}"', "insecure = true"]
        (self.root / "registries.conf").write_text("\n".join(conf) + "\n")
        cmd = [podman, "--root", str(self.root / "data"), "--runroot", str(self.root / "exec"),
               "--cgroup-manager", "cgroupfs", "--events-backend", "file",
               "system", "service", "--time=0", self.host]
        self.proc = subprocess.Popen(cmd, stdout=_log(self.root, "podman"), stderr=subprocess.STDOUT,
                                     start_new_session=True, env=env)
        _wait(lambda: self.proc.poll() is None and _ping_socket(self.socket), f"podman at {self.host}")
        self._check_version(engine_kind(self.kind), env)
        return self

    def _check_version(self, kind: EngineKind, env: dict[str, str]) -> None:
        """The kind names an engine version: refuse to run the suite on another one (e.g. a newer apt's docker.io)."""
        conn = http.client.HTTPConnection("localhost", timeout=5)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(5)
        sock.connect(self.socket)
        conn.sock = sock
        conn.request("GET", "/version")
        version = json.loads(conn.getresponse().read()).get("Version", "")
        if kind.version and not version.startswith(kind.version):
            self.stop()
            raise RuntimeError(f"the {kind.name} engine is {version}, not {kind.version}x; run scripts/setup.sh")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@dataclass
class Registry:
    """Debian's docker-registry with htpasswd auth on 127.0.0.1."""

    root: Path
    user: str = REGISTRY_USER
    password: str = field(default_factory=lambda: "pw-" + secrets.token_hex(12))
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> Registry:
        self.root.mkdir(parents=True, exist_ok=True)
        htpasswd = subprocess.run(["htpasswd", "-Bbn", self.user, self.password], check=True,
                                  capture_output=True, text=True).stdout
        (self.root / "htpasswd").write_text(htpasswd)
        config = {
            "version": 0.1,
            "log": {"level": "warn"},
            "storage": {"filesystem": {"rootdirectory": str(self.root / "data")}, "delete": {"enabled": True}},
            "http": {"addr": self.address},
            "auth": {"htpasswd": {"realm": "docker_magics-test", "path": str(self.root / "htpasswd")}},
        }
        # JSON is YAML, so no YAML library is needed.
        (self.root / "config.yml").write_text(json.dumps(config))
        self.proc = subprocess.Popen(["docker-registry", "serve", str(self.root / "config.yml")],
                                     stdout=_log(self.root, "registry"), stderr=subprocess.STDOUT,
                                     start_new_session=True)

        def answers() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"docker-registry exited; see {self.root / 'registry.log'}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/v2/")
            return conn.getresponse().status in (200, 401)

        _wait(answers, f"docker-registry at {self.address}")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Sandbox:
    """An engine, a registry and a DOCKER_CONFIG folder under one temporary root."""

    def __init__(self, root: str | Path | None = None, *, registry: bool = True, engine: bool = True,
                 kind: str = DEFAULT_ENGINE) -> None:
        # Unix socket paths are limited to 108 bytes: keep the root short.
        self.kind = engine_kind(kind).name
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="dm-", dir="/tmp"))
        self.owns_root = root is None
        self.registry = Registry(self.root / "registry") if registry else None
        insecure = (self.registry.address,) if self.registry else ()
        self.engine = Engine(self.root / "engine", kind=self.kind, insecure_registries=insecure) if engine else None
        self.docker_config = self.root / "docker-config"

    def start(self) -> Sandbox:
        self.docker_config.mkdir(parents=True, exist_ok=True)
        if self.engine:
            self.engine.start()
        if self.registry:
            self.registry.start()
        return self

    def stop(self) -> None:
        if self.registry:
            self.registry.stop()
        if self.engine:
            self.engine.stop()
        if self.owns_root:
            _remove_tree(self.root)

    def env(self) -> dict[str, str]:
        """The environment that points docker, docker-py and docker_magics at this sandbox."""
        # DOCKER_MAGICS_CACHE: the image index's snapshots of a throw-away engine stay with it, not in ~/.cache.
        env = {"DOCKER_HOST": self.engine.host, "DOCKER_CONFIG": str(self.docker_config),
               "DOCKER_MAGICS_CACHE": str(self.root / "cache"), "DM_ENGINE": self.kind} if self.engine else {}
        cli = cli_path(engine_kind(self.kind)) if self.engine else None
        if cli and not os.environ.get("PATH", "").startswith(cli + os.pathsep):
            env["PATH"] = os.pathsep.join([cli, os.environ.get("PATH", os.defpath)])
        if self.registry:
            env |= {
                "DM_REGISTRY": self.registry.address,
                "DM_REGISTRY_USER": self.registry.user,
                "DM_REGISTRY_PASSWORD": self.registry.password,
            }
        return env

    def __enter__(self) -> Sandbox:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def patched_environ(env: dict[str, str]):
    """Set ``env`` in ``os.environ`` for the block, then put back what was there (or remove it)."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _remove_tree(root: Path) -> None:
    # dockerd unmounts its overlays on a clean stop; a leftover mount would make rmtree fail.
    mounts = Path("/proc/mounts").read_text().splitlines() if Path("/proc/mounts").exists() else []
    for line in reversed(mounts):
        target = line.split()[1]
        if target.startswith(str(root)):
            subprocess.run(["umount", "-l", target], check=False, capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


# ---- fixture images -------------------------------------------------------------------------


def _tar(files: dict[str, bytes | tuple[bytes, int]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, content in files.items():
            data, mode = content if isinstance(content, tuple) else (content, 0o644)
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _build(api, dockerfile: str, files: dict[str, bytes] | None = None, **kwargs) -> str:
    context = _tar({"Dockerfile": dockerfile.encode(), **(files or {})})
    image_id = None
    for event in api.build(fileobj=io.BytesIO(context), custom_context=True, decode=True, rm=True, **kwargs):
        if "error" in event:
            raise RuntimeError(event["error"])
        image_id = event.get("aux", {}).get("ID", image_id)
    return image_id


def busybox_tar() -> bytes:
    """A root filesystem with Debian's static busybox as /bin/busybox and /bin/sh."""
    busybox = Path("/bin/busybox").read_bytes()
    return _tar({"bin/busybox": (busybox, 0o755), "bin/sh": (busybox, 0o755)})


def make_fixtures(api) -> dict[str, str]:
    """Build the test images on the engine behind docker-py's ``APIClient`` ``api``.

    Returns:
        A map from a short name to the image ID.
    """
    ids: dict[str, str] = {}
    ids["tiny"] = api.import_image_from_data(busybox_tar(), repository="dmtest/tiny", tag="1.0")
    ids["tiny"] = json.loads(ids["tiny"].strip().splitlines()[-1])["status"]
    # Podman 4.3's compat import drops the tag parameter (it names the image REPO:latest): tag it as asked here.
    api.tag(ids["tiny"], "dmtest/tiny", "1.0")
    api.tag(ids["tiny"], "dmtest/tiny", "latest")
    ids["app1"] = _build(api, "FROM scratch\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n"
                         'LABEL org.example.team="data" org.example.tier="gold"\nCMD ["/a.txt"]\n',
                         {"a.txt": b"a" * 2000, "b.txt": b"b" * 3000}, tag="dmtest/app:1.0")
    ids["app2"] = _build(api, "FROM scratch\nCOPY a.txt /a.txt\nCOPY c.txt /c.txt\nCOPY d.txt /d.txt\n"
                         'LABEL org.example.team="ml"\n',
                         {"a.txt": b"a" * 2000, "c.txt": b"c" * 50_000, "d.txt": b"d" * 10}, tag="dmtest/app:2.0")
    api.tag(ids["app2"], "dmtest/app", "latest")
    api.tag(ids["app2"], "dmtest/other", "stable")
    # Build a tag twice: the first image keeps no tag and becomes dangling (<none>:<none>).
    ids["dangling"] = _build(api, "FROM scratch\nCOPY v.txt /v.txt\nLABEL org.example.team=\"data\"\n",
                             {"v.txt": b"one"}, tag="dmtest/dangle:tmp")
    ids["dangle"] = _build(api, "FROM scratch\nCOPY v.txt /v.txt\n", {"v.txt": b"two"}, tag="dmtest/dangle:tmp")
    ids["runner"] = _build(api, 'FROM dmtest/tiny:1.0\nRUN ["/bin/busybox", "sh", "-c", "echo built > /built"]\n',
                           tag="dmtest/runner:1.0")
    return ids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="sandbox.py", description="A private Docker engine and registry.")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--engine", choices=list(ENGINE_KINDS), default=os.environ.get("DM_ENGINE") or DEFAULT_ENGINE,
                        help="the engine kind (default: $DM_ENGINE, else %(default)s)")
    args = parser.parse_args(argv)
    action, root = args.action, args.dir.resolve()
    state = root / "sandbox.json"
    if action == "start":
        sb = Sandbox(root, kind=args.engine).start()
        # Detach: the processes outlive this command; stop() finds them by their pids.
        state.write_text(json.dumps({"env": sb.env(), "kind": sb.kind,
                                     "pids": [sb.engine.proc.pid, sb.registry.proc.pid]}))
        for key, value in sb.env().items():
            print(f"export {key}={value}")
        return 0
    if state.exists():
        pids = json.loads(state.read_text())["pids"]
        for pid in pids[::-1]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        # dockerd unmounts its data root on its way out: remove the tree only once it is gone.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.1)
        _remove_tree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
