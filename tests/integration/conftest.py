"""Every test under integration/ runs on the real engine and registry."""

import pytest


@pytest.fixture
def config(tmp_path, monkeypatch, sandbox):
    """A DOCKER_CONFIG of the test's own (for the magic and the CLI runs), so "not logged in" is a real state."""
    folder = tmp_path / "docker-config"
    folder.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    return folder


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
