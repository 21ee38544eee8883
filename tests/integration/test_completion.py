"""Completion through IPython's own completer, with image references from the real engine."""

from __future__ import annotations

from support.shell import completions


def test_ipython_completes_image_references(ip, sandbox):
    ip.run_line_magic("config", f"DockerMagics.host = '{sandbox.host}'")
    ip.run_line_magic("config", "DockerMagics.completion_timeout = 5.0")
    assert {"dmtest/app:1.0", "dmtest/app:2.0", "dmtest/app:latest"} <= set(
        completions(ip, "%docker inspect dmtest/ap"))
    assert set(completions(ip, "%docker rmi dmtest/app:")) == {"1.0", "2.0", "latest"}
    assert sandbox.ids["app1"][7:19] in completions(ip, f"%docker history {sandbox.ids['app1'][7:11]}")
    assert {"ls", "list", "load", "layers"} <= set(completions(ip, "%docker image l"))
    assert completions(ip, "%docker images --dig") == ["--digests"]


def test_unload_removes_magics_and_completion(ipshell, sandbox):
    ipshell.run_line_magic("unload_ext", "docker_magics")
    try:
        assert "docker" not in ipshell.magics_manager.magics["line"]
        assert "docker" not in ipshell.magics_manager.magics["cell"]
        assert not [m for m in ipshell.Completer.custom_matchers if m.__name__ == "docker_matcher"]
        assert not [c for c in ipshell.configurables if type(c).__name__ == "DockerMagics"]  # no stale %config target
    finally:
        ipshell.run_line_magic("load_ext", "docker_magics")
    assert "docker" in ipshell.magics_manager.magics["line"]
