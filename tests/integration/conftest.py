"""Every test under integration/ runs on the real engine and registry."""

import secrets
from pathlib import Path

import pytest
import sandbox as sandbox_module


@pytest.fixture
def config(tmp_path, monkeypatch, sandbox):
    """A DOCKER_CONFIG of the test's own (for the magic and the CLI runs), so "not logged in" is a real state."""
    folder = tmp_path / "docker-config"
    folder.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    return folder


@pytest.fixture
def own_engine(sandbox):
    """An engine of the test's own (of the session's kind), stopped and started by the test."""
    root = Path(f"/tmp/dmo-{secrets.token_hex(3)}")  # unix socket paths must stay short
    engine = sandbox_module.Engine(root / "engine", kind=sandbox.kind)
    try:
        engine.start()
        yield engine
    finally:
        engine.stop()
        sandbox_module._remove_tree(root)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
