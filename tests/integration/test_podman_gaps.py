"""What a new user does first, on every kind: the gaps issue 30 found on Podman's Docker-compatible API.

Login to the plain-HTTP sandbox registry, push, pull by digest and save (the seed walkthrough's path), a
``%%docker build``, ``DOCKER_BUILDKIT=1``, a missing image and a reference the engine cannot parse. On the Docker
engines these are the ordinary answers; on Podman the same commands work (login is checked with the registry
itself, builds use the classic builder's API) or are refused in one line naming the Podman limitation.
"""

from __future__ import annotations

import subprocess

import pytest
from support.registry import login, remove, unique_image

from docker_magics.errors import ImageNotFoundError, InvalidReferenceError, UsageError


@pytest.mark.engine_differs("Podman 4.3's /auth pings a plain-HTTP registry over HTTPS: the Docker CLI's own login "
                            "fails there, %docker login checks the login with the registry itself")
def test_login_push_pull_by_digest_and_save(ip, sandbox, config, tmp_path):
    ref = f"{sandbox.registry}/gap/seed:1"
    unique_image(sandbox, tmp_path, ref)
    try:
        cli = subprocess.run(["docker", "login", "-u", sandbox.user, "--password-stdin", sandbox.registry],
                             env={**sandbox.env, "DOCKER_CONFIG": str(config)}, input=sandbox.password,
                             capture_output=True, text=True)
        if sandbox.kind == "podman":
            assert cli.returncode == 1 and "server gave HTTP response to HTTPS client" in cli.stderr
        else:
            assert cli.returncode == 0, cli.stderr
        logged = login(ip, sandbox, tmp_path)
        assert logged.status == "Login Succeeded" and logged.stored_in == str(config / "config.json")
        pushed = ip.run_line_magic("docker", f"push -q {ref}")
        digest = pushed.tags[0].digest
        assert digest.startswith("sha256:")
        remove(sandbox, ref)
        by_digest = f"{sandbox.registry}/gap/seed@{digest}"
        ip.run_line_magic("docker", f"pull -q {by_digest}")
        saved = ip.run_line_magic("docker", f"save -o {tmp_path / 'seed.tar'} {by_digest}")
        assert saved.bytes > 200_000
    finally:
        remove(sandbox, ref, f"{sandbox.registry}/gap/seed")
        ip.run_line_magic("docker", f"logout {sandbox.registry}")


@pytest.mark.engine_differs("Podman has no BuildKit: the build goes to the classic builder's API, and "
                            "DOCKER_BUILDKIT=1 is refused in one line")
def test_build_names_the_image_and_buildkit_is_asked_for_only_where_there_is_one(ip, sandbox, monkeypatch):
    dockerfile = 'FROM dmtest/tiny:1.0\nRUN ["/bin/busybox", "sh", "-c", "echo gap > /gap"]\n'
    try:
        built = ip.run_cell_magic("docker", "build -q -t gap/built:1", dockerfile)
        assert built.startswith("sha256:")
        assert sandbox.cli("images", "-q", "--no-trunc", "gap/built:1").stdout.strip() == built
        if sandbox.kind == "podman":
            assert built.builder == "classic"
            monkeypatch.setenv("DOCKER_BUILDKIT", "1")
            with pytest.raises(UsageError) as info:
                ip.run_cell_magic("docker", "build -q -t gap/built:2", dockerfile)
            assert info.value.line() == (
                "DOCKER_BUILDKIT=1: Podman has no BuildKit (it builds with Buildah, through the classic builder's "
                "API). To fix it, unset DOCKER_BUILDKIT; the build then runs on Podman.")
        else:
            assert built.builder == "buildkit"  # every Docker engine here has BuildKit
    finally:
        remove(sandbox, "gap/built:1")


@pytest.mark.engine_differs("Podman answers a reference it cannot parse with HTTP 500 in its own words: the same one "
                            "line as a reference refused before asking")
def test_missing_image_and_unparsable_reference_are_one_line(ip, sandbox):
    with pytest.raises(ImageNotFoundError):
        ip.run_line_magic("docker", "rmi no-such-image:nope")
    with pytest.raises(ImageNotFoundError):
        ip.run_line_magic("docker", "inspect no-such-image:nope")
    with pytest.raises((InvalidReferenceError, UsageError, ImageNotFoundError)) as info:
        ip.run_line_magic("docker", "inspect DMTEST/App:1")
    assert "\n" not in info.value.line()
    if sandbox.kind == "podman":
        assert info.value.line() == ("invalid reference format 'DMTEST/App:1': repository name (App) must be "
                                     "lowercase. A reference is [REGISTRY[:PORT]/]NAME[:TAG][@DIGEST], NAME in "
                                     "lowercase.")
