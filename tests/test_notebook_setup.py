"""notebooks/notebook_setup.py: what a notebook opened by hand says when it cannot find or start a registry."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parent.parent / "notebooks" / "notebook_setup.py"
spec = importlib.util.spec_from_file_location("notebook_setup", PATH)
notebook_setup = importlib.util.module_from_spec(spec)
spec.loader.exec_module(notebook_setup)


@pytest.fixture(autouse=True)
def no_registry_env(monkeypatch):
    for name in (*notebook_setup.NEEDS, "DOCKER_HOST"):
        monkeypatch.delenv(name, raising=False)


def test_a_configured_registry_is_used(monkeypatch):
    monkeypatch.setenv("DM_REGISTRY", "reg.example:5000")
    monkeypatch.setenv("DM_REGISTRY_USER", "me")
    monkeypatch.setenv("DM_REGISTRY_PASSWORD", "pw")
    assert notebook_setup.use_registry() == "reg.example:5000"


def test_a_registry_without_its_password_says_what_to_set(monkeypatch):
    monkeypatch.setenv("DM_REGISTRY", "reg.example:5000")
    monkeypatch.setenv("DM_REGISTRY_USER", "me")
    with pytest.raises(notebook_setup.SetUpNeeded) as info:
        notebook_setup.use_registry()
    assert info.value._render_traceback_() == [
        "SetUpNeeded: DM_REGISTRY is set but DM_REGISTRY_PASSWORD not: set them too (the notebook logs in with "
        "them), or unset DM_REGISTRY for a sandbox registry."]


def test_a_remote_engine_needs_a_registry_it_can_reach(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.0.0.5:2375")
    with pytest.raises(notebook_setup.SetUpNeeded) as info:
        notebook_setup.use_registry()
    assert str(info.value) == ("The engine tcp://10.0.0.5:2375 is not on this machine, so it cannot reach a sandbox "
                               "registry here: set DM_REGISTRY (HOST:PORT), DM_REGISTRY_USER and "
                               "DM_REGISTRY_PASSWORD to a registry it can push to.")


def test_no_registry_tools_says_what_to_install(monkeypatch):
    monkeypatch.setattr(notebook_setup.shutil, "which", lambda tool: None)
    with pytest.raises(notebook_setup.SetUpNeeded) as info:
        notebook_setup.use_registry()
    assert str(info.value) == ("No registry configured, and docker-registry and htpasswd not installed for a sandbox "
                               "one: set DM_REGISTRY (HOST:PORT), DM_REGISTRY_USER and DM_REGISTRY_PASSWORD, or "
                               "install Debian's docker-registry and apache2-utils.")


def test_no_busybox_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("DM_BUSYBOX", str(tmp_path / "busybox"))
    with pytest.raises(notebook_setup.SetUpNeeded) as info:
        notebook_setup.static_busybox()
    assert str(info.value) == (f"No busybox at {tmp_path / 'busybox'}: install Debian's busybox-static, or set "
                               "DM_BUSYBOX to a static Linux busybox for the engine's architecture.")


def test_the_current_context_stays_in_the_temporary_config(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    (old / "contexts" / "meta").mkdir(parents=True)
    (old / "config.json").write_text('{"currentContext": "desktop-linux", "credsStore": "desktop"}')
    new.mkdir()
    notebook_setup._keep_engine(old, new)
    assert (new / "config.json").read_text() == '{"currentContext": "desktop-linux"}'
    assert (new / "contexts").resolve() == (old / "contexts").resolve()
