"""Several engines: -H with unix:// and tcp://, the CLI's contexts, and fleet listings."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import sandbox as sandbox_module  # scripts/ is on sys.path (tests/conftest.py)

from docker_magics.errors import DockerMagicError


@pytest.fixture(scope="module")
def second(sandbox):
    """A second real engine, also listening on tcp://127.0.0.1, holding one image of its own."""
    # unix socket paths must stay short: root the engine under /tmp, not pytest's deep folders
    short = Path(tempfile.mkdtemp(prefix="dm2-", dir="/tmp"))
    engine = sandbox_module.Engine(short / "e", tcp_port=sandbox_module._free_port(), kind=sandbox.kind).start()
    import docker

    api = docker.APIClient(base_url=engine.host, version="auto")
    api.import_image_from_data(sandbox_module.busybox_tar(), repository="second/only", tag="1")
    yield engine
    engine.stop()
    sandbox_module._remove_tree(short)


def test_tcp_host(ip, second):
    df = ip.run_line_magic("docker", f"-H tcp://127.0.0.1:{second.tcp_port} images")
    assert list(df.repository) == ["second/only"]
    assert df.dm_engine == f"tcp://127.0.0.1:{second.tcp_port}"


def test_fleet_listing_has_engine_column(ip, sandbox, second):
    df = ip.run_line_magic("docker", f"-H {sandbox.host} -H {second.host} images")
    assert list(df.columns) == ["engine", "repository", "tag", "image_id", "created", "size", "error"]
    assert set(df.engine) == {sandbox.host, second.host}
    mine = df[df.engine == second.host]
    assert list(mine.repository) == ["second/only"]
    assert len(df[df.engine == sandbox.host]) == len(ip.run_line_magic("docker", "images"))
    assert df.error.isna().all()
    assert str(df["size"].dtype) == "int64"


def test_fleet_engine_down_is_a_warning_row(ip, sandbox, tmp_path, capsys):
    down = f"unix://{tmp_path}/down.sock"
    df = ip.run_line_magic("docker", f"-H {sandbox.host} -H {down} images")
    assert f"{down}: Cannot connect to the Docker engine" in capsys.readouterr().err
    failed = df[df.engine == down]
    assert len(failed) == 1
    assert failed.error.iloc[0].startswith(f"Cannot connect to the Docker engine at {down}")
    assert len(df[df.engine == sandbox.host]) > 0


@pytest.fixture
def context(sandbox, second, monkeypatch):
    """A CLI context named 'second', made with the real CLI; DOCKER_HOST unset so contexts decide."""
    sandbox.cli("context", "create", "second", "--description", "the other engine",
                "--docker", f"host={second.host}")
    monkeypatch.delenv("DOCKER_HOST")
    yield "second"
    sandbox.cli("context", "use", "default", check=False)
    sandbox.cli("context", "rm", "-f", "second", check=False)


def test_context_ls_matches_cli(ip, sandbox, context, monkeypatch):
    df = ip.run_line_magic("docker", "context ls")
    env = {k: v for k, v in sandbox.env.items() if k != "DOCKER_HOST"}
    monkeypatch.setattr(sandbox, "env", env)
    cli = [json.loads(line) for line in sandbox.cli("context", "ls", "--format", "json").stdout.splitlines()]
    assert sorted(df.name) == sorted(c["Name"] for c in cli)
    row = df[df.name == "second"].iloc[0]
    assert row.docker_endpoint == next(c for c in cli if c["Name"] == "second")["DockerEndpoint"]
    assert row.description == "the other engine"
    assert list(df[df.current].name) == ["default"]


def test_context_flag_and_use(ip, sandbox, second, context, monkeypatch, capsys):
    assert list(ip.run_line_magic("docker", "--context second images").repository) == ["second/only"]
    ip.run_line_magic("docker", "context use second")
    env = {k: v for k, v in sandbox.env.items() if k != "DOCKER_HOST"}
    monkeypatch.setattr(sandbox, "env", env)
    assert sandbox.cli("context", "show").stdout.strip() == "second"  # the CLI sees the notebook's choice
    df = ip.run_line_magic("docker", "images")
    assert list(df.repository) == ["second/only"] and df.dm_engine == "second"
    capsys.readouterr()
    fleet = ip.run_line_magic("docker", "--context default,second images")
    assert "default: Cannot connect" in capsys.readouterr().err  # no engine on the default socket here
    assert set(fleet.engine) == {"default", "second"}
    ip.run_line_magic("docker", "context use default")
    assert sandbox.cli("context", "show").stdout.strip() == "default"


def test_unknown_context_is_one_line(ip, context):
    with pytest.raises(DockerMagicError) as info:
        ip.run_line_magic("docker", "--context nope images")
    assert info.value.line().startswith("context 'nope' not found in ")
    assert info.value.line().endswith("List contexts with '%docker context ls'.")


@pytest.mark.engine_differs("a listing on the containerd store comes from the image index and says '(index)'")
def test_every_result_names_its_engine(ip, sandbox, tmp_path):
    """Listings, inspect, pull, push, save and build all say which engine they came from: its name, version, API
    version and image store, as ``docker version`` and ``docker info`` tell them."""
    from IPython.lib.pretty import pretty

    name, line = sandbox.host, sandbox.engine_line()
    images = ip.run_line_magic("docker", "images")  # on the containerd store, from the image index: it says so
    indexed = sandbox.engine_line(f"{name} (index)") if sandbox.containerd_store else line
    assert images.dm_engine == name and repr(images).endswith(indexed)
    assert repr(ip.run_line_magic("docker", "images --no-index")).endswith(line)
    api_version = sandbox.cli("version", "--format", "{{.Server.APIVersion}}").stdout.strip()
    assert images.attrs["api_version"] == api_version
    assert images.attrs["image_store"] == ("containerd" if sandbox.containerd_store else "classic")
    assert ip.run_line_magic("docker", "history dmtest/app:1.0").dm_engine == name
    assert ip.run_line_magic("docker", "inspect dmtest/app:1.0")._repr_json_()[1]["root"] == (
        f"inspect on {name}: {sandbox.engine_about}")
    saved = ip.run_line_magic("docker", f"save -o {tmp_path}/x.tar dmtest/app:1.0")
    assert pretty(saved).endswith(line) and name in saved._repr_html_()
    built = ip.run_cell_magic("docker", "build -q -t engines/named:1", "FROM dmtest/tiny:1.0\nLABEL named=yes\n")
    assert built.engine == name
    ref = f"{sandbox.registry}/engines/named:1"
    ip.run_line_magic("docker", f"tag engines/named:1 {ref}")
    ip.run_line_magic("docker", f"login -u {sandbox.user} --password-file {_secret_file(tmp_path, sandbox)} "
                                f"{sandbox.registry}")
    pushed = ip.run_line_magic("docker", f"push -q {ref}")
    assert pretty(pushed).endswith(line)
    pulled = ip.run_line_magic("docker", f"pull -q {ref}")
    assert pretty(pulled).endswith(line)
    ip.run_line_magic("docker", f"rmi {ref} engines/named:1")


def _secret_file(tmp_path, sandbox) -> str:
    path = tmp_path / "token"
    path.write_text(sandbox.password + "\n")
    path.chmod(0o600)
    return str(path)


def test_context_use_leaves_a_config_it_cannot_read_alone(ip, context):
    """config.json that does not parse holds the user's logins: it is never replaced, the command says why."""
    from docker_magics.engine.config import config_dir

    path = config_dir() / "config.json"
    before = path.read_bytes() if path.exists() else None
    broken = b'{"auths": {"reg.example:5000": {"auth": "Ym9iOnMzY3JldA=="}}, oops'
    path.write_bytes(broken)
    try:
        with pytest.raises(DockerMagicError) as info:
            ip.run_line_magic("docker", "context use second")
        assert "is not valid JSON" in info.value.line() and path.read_bytes() == broken
    finally:
        if before is None:
            path.unlink()
        else:
            path.write_bytes(before)
