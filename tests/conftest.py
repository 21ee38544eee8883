"""Shared fixtures: an IPython shell with the extension, and (for integration tests) a real engine.

The integration tests get a private dockerd and an authenticated docker-registry started for the
session (scripts/sandbox.py), fixture images built on it, and a temporary DOCKER_CONFIG: they never
touch the machine's own engine or ~/.docker.

The engine is one of sandbox.ENGINE_KINDS, chosen with ``pytest --engine KIND`` (default: $DM_ENGINE, else
bookworm). A test whose expectation legitimately depends on the engine asks ``sandbox.kind`` and says why
with ``@pytest.mark.engine_differs("reason")``; no test is skipped on an engine.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
from pathlib import Path

import pytest
import sandbox as sandbox_module

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--engine", choices=list(sandbox_module.ENGINE_KINDS),
                     default=os.environ.get("DM_ENGINE") or sandbox_module.DEFAULT_ENGINE,
                     help="the sandbox engine the integration tests run on (default: $DM_ENGINE, else bookworm)")


def pytest_configure(config):
    # A session started as a background job of a non-interactive shell inherits SIGINT ignored, and Python then
    # installs no KeyboardInterrupt handler: the interrupt tests (a real SIGINT) need Python's own.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # The image index's snapshots (engine/index/snapshot.py) of test engines never go to the user's cache folder.
    import shutil
    import tempfile

    cache = os.environ["DOCKER_MAGICS_CACHE"] = tempfile.mkdtemp(prefix="dm-cache-")
    config.add_cleanup(lambda: shutil.rmtree(cache, ignore_errors=True))
    config.addinivalue_line(
        "markers", "engine_differs(reason): the test's expectation depends on the engine kind (sandbox.kind); "
        "the reason says what the engines do differently")


def pytest_collection_modifyitems(config, items):
    for item in items:
        for mark in item.iter_markers("engine_differs"):
            if not (mark.args and isinstance(mark.args[0], str) and mark.args[0].strip()):
                raise pytest.UsageError(f"{item.nodeid}: engine_differs needs a reason")


def pytest_report_header(config):
    kind = sandbox_module.engine_kind(config.getoption("--engine"))
    return f"engine: {kind.name} ({kind.description})"


@pytest.fixture(scope="session")
def ipshell():
    """IPython's test shell with docker_magics loaded."""
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    shell.run_line_magic("load_ext", "docker_magics")
    yield shell


@pytest.fixture
def ip(ipshell, sandbox):
    """The shell, pointed at the sandbox engine, with fresh settings."""
    yield ipshell
    ipshell.run_line_magic("config", "DockerMagics.host = None")


class Sandbox:
    """What integration tests need to know about the running sandbox."""

    def __init__(self, sb: sandbox_module.Sandbox, ids: dict[str, str]) -> None:
        self.sb = sb
        self.ids = ids
        self.kind = sb.kind  # a name in sandbox.ENGINE_KINDS: bookworm, classic26, containerd26, classic28, ...
        self.containerd_store = sandbox_module.engine_kind(sb.kind).containerd_store
        self.host = sb.engine.host
        self.registry = sb.registry.address
        self.user = sb.registry.user
        self.password = sb.registry.password
        self.env = {**os.environ, **sb.env()}

    @functools.cached_property
    def engine_about(self) -> str:
        """What a result's engine line says of this engine, from the CLI: ``Engine 26.1.5, API 1.45, containerd store``.

        The store is the containerd store when ``docker info`` shows ``driver-type: io.containerd.snapshotter.v1``.
        """
        version, api = self.cli("version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}").stdout.split()
        status = self.cli("info", "--format", "{{json .DriverStatus}}").stdout
        store = "containerd" if "io.containerd.snapshotter.v1" in status else "classic"
        return f"Engine {version}, API {api}, {store} store"

    def engine_line(self, name: str | None = None) -> str:
        """The engine line of a result from this engine: ``[engine: unix:///…/docker.sock: Engine …]``."""
        return f"[engine: {name or self.host}: {self.engine_about}]"

    def cli(self, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
        """Run the real Docker CLI against the sandbox.

        On Podman, ``docker login`` cannot work (Podman 4.3's ``/auth`` pings a plain-HTTP registry over HTTPS):
        there the login is checked with the registry and stored as the CLI stores it (see :meth:`_stored_login`).
        """
        if self.kind == "podman" and args[:1] == ("login",):
            return self._stored_login(args, input, check)
        return subprocess.run(["docker", *args], env=self.env, capture_output=True, text=True, check=check,
                              input=input)

    def _stored_login(self, args: tuple[str, ...], input: str | None, check: bool) -> subprocess.CompletedProcess:
        """``docker login -u USER (--password-stdin | -p PW) SERVER`` as the CLI would leave it, without ``/auth``.

        The registry's ``/v2/`` checks the password (plain HTTP: the sandbox registry is on loopback); the login
        goes into config.json's ``auths`` in base64, the CLI's plain-text store, where pulls and pushes read it.
        """
        import base64
        import json as json_module

        import requests

        rest, user, password = list(args[1:]), "", input.strip() if input else ""
        while rest and rest[0].startswith("-"):
            flag = rest.pop(0)
            if flag in ("-u", "--username"):
                user = rest.pop(0)
            elif flag in ("-p", "--password"):
                password = rest.pop(0)
        server = rest[0] if rest else self.registry
        answer = requests.get(f"http://{server}/v2/", auth=(user, password), timeout=10)
        if answer.status_code != 200:
            stderr = f"Error response from daemon: login attempt to http://{server}/v2/ failed with status: 401"
            if check:
                raise subprocess.CalledProcessError(1, ["docker", *args], "", stderr)
            return subprocess.CompletedProcess(["docker", *args], 1, "", stderr)
        path = Path(self.env["DOCKER_CONFIG"]) / "config.json"
        config = json_module.loads(path.read_text()) if path.exists() else {}
        auth = base64.b64encode(f"{user}:{password}".encode()).decode()
        config.setdefault("auths", {})[server] = {"auth": auth}
        path.write_text(json_module.dumps(config, indent="\t"))
        return subprocess.CompletedProcess(["docker", *args], 0, "Login Succeeded\n", "")

    def remove_images(self, pattern: str) -> None:
        """Remove every tagged image whose reference matches ``pattern`` (e.g. ``bt/*``)."""
        refs = self.cli("images", "--format", "{{.Repository}}:{{.Tag}}", pattern).stdout.split()
        if refs:
            self.cli("rmi", "-f", *refs, check=False)

    def api(self):
        import docker

        return docker.APIClient(base_url=self.host, version="auto")


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory, pytestconfig):
    """A private engine (of the ``--engine`` kind) and registry for the whole test session, with fixture images."""
    kind = pytestconfig.getoption("--engine")
    with sandbox_module.Sandbox(kind=kind) as sb, sandbox_module.patched_environ(sb.env()):
        import docker

        ids = sandbox_module.make_fixtures(docker.APIClient(base_url=sb.engine.host, version="auto"))
        yield Sandbox(sb, ids)
