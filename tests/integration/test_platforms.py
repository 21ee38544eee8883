"""Multi-platform images: an OCI archive with two platforms, an index in the registry, ``pull --platform``.

The image is made here (helpers_platforms: an OCI index with linux/amd64 and linux/arm64, one layer each); nothing
runs, so no emulation is needed. Only the containerd store keeps an index: the classic stores load the archive's
linux/amd64 image (its manifest.json) and keep one platform per tag. The Engine API of these engines (1.41, 1.45)
lists no platforms (``Manifests`` come with 1.47) and cannot inspect one platform (1.49): ``images --platforms``
names the platform the engine uses, and ``inspect --platform`` is refused in the CLI's words.
"""

from __future__ import annotations

import secrets

import pytest
from support.platforms import push_layout, two_platform_layout, write_archive
from support.registry import login

from docker_magics.errors import ImageNotFoundError, UsageError


@pytest.fixture
def layout():
    return two_platform_layout(secrets.token_hex(4))  # content no earlier test left in the engine


def cli_rows(sandbox, repository: str) -> list[str]:
    out = sandbox.cli("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}", repository).stdout
    return out.splitlines()


def api_version(sandbox) -> str:
    return sandbox.cli("version", "--format", "{{.Server.APIVersion}}").stdout.strip()


# API 1.47+ (Engine 27.3+) lists the platforms of an image from its Manifests; the containerd store keeps several.
LISTS_PLATFORMS = ("containerd28",)


@pytest.mark.engine_differs("only the containerd store keeps the index (its ID is the index's digest); the classic "
                            "stores load the linux/amd64 image the archive's manifest.json names; API 1.47+ (Engine "
                            "28) lists both platforms of the index, API 1.45 none")
def test_a_two_platform_archive_loads_and_lists_one_row_per_tag(ip, sandbox, tmp_path, layout):
    ref = f"pf/two-{secrets.token_hex(3)}:1"
    repository = ref.split(":")[0]
    archive = write_archive(tmp_path / "two.tar", ref, layout)
    try:
        loaded = ip.run_line_magic("docker", f"load -q -i {archive}")
        expected_id = layout.index if sandbox.containerd_store else layout.configs["amd64"]
        assert list(zip(loaded.reference, loaded.image_id, strict=True)) == [(ref, expected_id)]
        df = ip.run_line_magic("docker", f"images {repository}")
        assert [f"{r.repository}:{r.tag} {r.image_id}" for r in df.itertuples()] == [
            " ".join(row.split()[:2]) for row in cli_rows(sandbox, repository)]  # one row per tag, as the CLI
        with_platforms = ip.run_line_magic("docker", f"images --platforms {repository}")
        if sandbox.kind in LISTS_PLATFORMS:
            assert with_platforms.platforms.tolist() == ["linux/amd64, linux/arm64"]  # both are here
            assert "platforms_note" not in with_platforms.attrs
        else:
            assert with_platforms.platforms.tolist() == ["linux/amd64"]  # the platform the engine uses
        if sandbox.containerd_store and sandbox.kind not in LISTS_PLATFORMS:
            assert with_platforms.attrs["platforms_note"] == (
                f"API {api_version(sandbox)} lists no platforms (1.47+ does): each image shows the platform the "
                "engine uses, and an image index may hold more")
            # Both platforms are here: the listing counts the content of both, inspect that of linux/amd64.
            inspected = ip.run_line_magic("docker", f"inspect {ref}")[0]
            assert df["size"].iloc[0] > 2 * inspected["Size"] > 2 * len(layout.blobs[layout.layers["amd64"]])
        elif not sandbox.containerd_store:
            assert "platforms_note" not in with_platforms.attrs
    finally:
        sandbox.cli("rmi", ref, check=False)


@pytest.mark.engine_differs("API 1.49+ (Engine 28) takes --platform: an image that is here for another platform only "
                            "is refused in the engine's words, as the CLI shows them")
def test_inspect_platform_needs_a_newer_api_as_the_cli_says(ip, sandbox):
    said = sandbox.cli("image", "inspect", "--platform", "linux/arm64", "dmtest/tiny:1.0", check=False).stderr.strip()
    version = api_version(sandbox)
    if sandbox.kind in ("classic28", "containerd28"):
        with pytest.raises(ImageNotFoundError) as found:
            ip.run_line_magic("docker", "inspect --platform linux/arm64 dmtest/tiny:1.0")
        words = ("image with reference dmtest/tiny:1.0 was found but its platform (linux/amd64) does not match the "
                 "specified platform (linux/arm64)")
        assert said == f"Error response from daemon: {words}"
        assert found.value.line() == words[:1].upper() + words[1:] + (". Inspect it without --platform, or pull "
                                                                      "that platform first.")
        return
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("docker", "inspect --platform linux/arm64 dmtest/tiny:1.0")
    assert said == f'"--platform" requires API version 1.49, but the Docker daemon API version is {version}'
    assert info.value.line() == f"{said}. To fix it, leave out --platform, or use an engine with API 1.49 or newer."
    with pytest.raises(UsageError, match=r'"--platform" requires API version 1\.48'):
        ip.run_line_magic("docker", "history --platform linux/arm64 dmtest/tiny:1.0")


@pytest.mark.engine_differs("the containerd store adds the second platform to the same image (one ID, the index's "
                            "digest); a classic store replaces the tag's image and leaves the first one dangling")
def test_pull_platform_of_an_index_in_the_registry(ip, sandbox, tmp_path, layout):
    repository = f"{sandbox.registry}/pf/index-{secrets.token_hex(3)}"
    push_layout(sandbox.registry, (sandbox.user, sandbox.password), repository.split("/", 1)[1], "1", layout)
    login(ip, sandbox, tmp_path)
    pulled_ids = []
    try:
        for arch in ("arm64", "amd64"):
            pulled = ip.run_line_magic("docker", f"pull -q --platform linux/{arch} {repository}:1")
            assert pulled.digest == layout.index  # the index's digest, whichever platform came down
            df = ip.run_line_magic("docker", f"images --platforms {repository}:1")
            inspected = sandbox.cli("image", "inspect", "--format", "{{.Id}} {{.Architecture}}",
                                    f"{repository}:1").stdout.split()
            pulled_ids.append(inspected[0])
            if sandbox.kind in LISTS_PLATFORMS and arch == "amd64":  # API 1.47+: every platform that is here
                assert df.platforms.tolist() == ["linux/amd64, linux/arm64"]
            else:
                assert df.platforms.tolist() == [f"linux/{inspected[1]}"]
        if sandbox.containerd_store:
            # One image: arm64 alone first, then amd64 too (which the engine then prefers on this machine).
            assert pulled_ids == [layout.index, layout.index]
        else:
            assert pulled_ids == [layout.configs["arm64"], layout.configs["amd64"]]
    finally:
        sandbox.cli("rmi", f"{repository}:1", *pulled_ids, check=False)
