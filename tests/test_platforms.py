"""Platforms of local images: the listing's Manifests (API 1.47+), inspect's platform (1.49+), the CLI's refusals."""

from __future__ import annotations

import json

import pytest
from support.fakes import FakeAPI, fake_engine

from docker_magics.commands import images as images_command
from docker_magics.commands import inspect as inspect_command
from docker_magics.commands.platforms import check_platform
from docker_magics.engine.platforms import platform_param, platform_text, present_platforms
from docker_magics.errors import UsageError
from docker_magics.grammar import parse
from docker_magics.session import Session

ID = "sha256:" + "a" * 64
INDEX = {"Id": ID, "RepoTags": ["mp/multi:1"], "Created": 1, "Size": 46492, "Manifests": [
    {"ID": "sha256:" + "1" * 64, "Kind": "image", "Available": True,
     "ImageData": {"Platform": {"os": "linux", "architecture": "amd64"}}},
    {"ID": "sha256:" + "2" * 64, "Kind": "image", "Available": True,
     "ImageData": {"Platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}},
    {"ID": "sha256:" + "3" * 64, "Kind": "image", "Available": False,
     "ImageData": {"Platform": {"os": "linux", "architecture": "s390x"}}},
    {"ID": "sha256:" + "4" * 64, "Kind": "attestation", "Available": True,
     "AttestationData": {"For": "sha256:" + "1" * 64}}]}


def session_on(api: FakeAPI) -> Session:
    session = Session()
    engine = fake_engine(api)
    session.engine = lambda cmd: engine  # type: ignore[method-assign]
    session.engine_at = lambda endpoint: engine  # type: ignore[method-assign]
    return session


def test_platform_texts_and_params():
    assert platform_text({"os": "linux", "architecture": "arm", "variant": "v7"}) == "linux/arm/v7"
    assert platform_text({"Os": "linux", "Architecture": "amd64"}) == "linux/amd64"  # an inspect object
    assert json.loads(platform_param("linux/arm64/v8")) == {"os": "linux", "architecture": "arm64", "variant": "v8"}
    with pytest.raises(UsageError, match="unknown operating system or architecture"):
        platform_param("linux//v8")


def test_present_platforms_leave_out_attestations_and_absent_content():
    assert present_platforms(INDEX) == ["linux/amd64", "linux/arm64/v8"]
    assert present_platforms({"Id": ID}) is None  # API before 1.47: no Manifests at all


def test_images_platforms_from_the_listing_on_api_1_47():
    api = FakeAPI(answers={"/images/json": [INDEX]})
    api._version = "1.47"
    df = images_command.run(parse("images --platforms"), session_on(api))
    assert list(df.columns) == ["repository", "tag", "image_id", "created", "size", "platforms"]
    assert df.platforms.tolist() == ["linux/amd64, linux/arm64/v8"]
    assert api.requests[0][1]["manifests"] == 1 and "platforms_note" not in df.attrs


def test_images_platforms_before_api_1_47_name_the_engines_platform():
    summary = {k: v for k, v in INDEX.items() if k != "Manifests"}
    info = {"Driver": "overlayfs", "DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]]}
    api = FakeAPI(answers={"/images/json": [summary], "/info": info}, tags=["mp/multi:1"])
    api.inspect_image = lambda ref: {"Id": ID, "Os": "linux", "Architecture": "amd64"}  # type: ignore[method-assign]
    df = images_command.run(parse("images --platforms"), session_on(api))
    assert "manifests" not in api.requests[0][1]
    assert df.platforms.tolist() == ["linux/amd64"]
    assert df.attrs["platforms_note"].startswith("API 1.41 lists no platforms (1.47+ does)")
    assert repr(df).startswith("API 1.41 lists no platforms")
    plain = images_command.run(parse("images"), session_on(api))
    assert "platforms" not in plain.columns


def test_inspect_platform_needs_api_1_49_as_the_cli_says():
    api = FakeAPI(tags=["mp/multi:1"])
    with pytest.raises(UsageError) as info:
        inspect_command.inspect(parse("inspect --platform linux/arm64 mp/multi:1"), session_on(api))
    assert info.value.line() == ('"--platform" requires API version 1.49, but the Docker daemon API version is 1.41. '
                                 "To fix it, leave out --platform, or use an engine with API 1.49 or newer.")
    api = FakeAPI(answers={"/images/mp/multi:1/json": {"Id": ID, "Architecture": "arm64"}})
    api._version = "1.49"
    result = inspect_command.inspect(parse("inspect --platform linux/arm64 mp/multi:1"), session_on(api))
    assert result[0]["Architecture"] == "arm64"
    assert json.loads(api.requests[0][1]["platform"]) == {"os": "linux", "architecture": "arm64"}


@pytest.mark.parametrize(("verb", "version"), [("history", "1.48"), ("save", "1.48"), ("load", "1.48"),
                                               ("rmi", "1.50")])
def test_other_platform_flags_need_their_api(verb, version):
    with pytest.raises(UsageError, match=f'"--platform" requires API version {version}, but the Docker daemon API '
                                         "version is 1.41"):
        check_platform(fake_engine(), verb, "linux/arm64")
    check_platform(fake_engine(), verb, None)
