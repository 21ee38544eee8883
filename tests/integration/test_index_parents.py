"""The index lists a classic build's intermediate images as the engine does, however often the result is tagged.

On the containerd store, ``/images/json?all=1`` merges the records of an image's tags and takes ``ParentId`` from
one of them, which after ``docker tag`` may be a record without a parent (reproduced on Engine 26.1: a classic build
tagged 18 times, and a fresh kernel's ``%docker images`` showed the build's intermediate image, which ``docker
images`` hides). Every listing here is compared with ``docker images --format json`` run at the same moment.
"""

from __future__ import annotations

import subprocess

import pytest
from support.listing import cli_rows, frame_rows

import docker_magics

DOCKERFILE = ('FROM dmtest/tiny:1.0\nRUN ["/bin/busybox", "sh", "-c", "echo parent > /parent"]\n'
              "LABEL org.example.ixp=child\n")
# Names on both sides of the build's own (the store keeps records in name order): 18 more tags, as reproduced.
NAMES = [f"ixp/a{i:02d}:v" for i in range(9)] + [f"ixp/z{i:02d}:v" for i in range(9)]
FLAGS = ((), ("-a",), ("--filter", "dangling=true"), ("-a", "--filter", "dangling=true"), ("ixp/*",))




@pytest.fixture
def built(ip, sandbox, tmp_path):
    """A classic build (its RUN step leaves an intermediate image) tagged 18 more times; removed afterwards."""
    ip.run_line_magic("config", "DockerMagics.index = 'always'")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    subprocess.run(["docker", "build", "-q", "-t", "ixp/httpd:latest", str(tmp_path)],
                   env={**sandbox.env, "DOCKER_BUILDKIT": "0"}, check=True, capture_output=True, text=True)
    for name in NAMES:
        sandbox.cli("tag", "ixp/httpd:latest", name)
    parent = sandbox.api().inspect_image("ixp/httpd:latest").get("Parent") or ""
    yield parent
    ip.run_line_magic("config", "DockerMagics.index = True")
    sandbox.remove_images("ixp/*")
    if parent:  # the containerd store keeps a removed image's intermediate parent: leave no dangling image behind
        sandbox.cli("rmi", parent, check=False)


def test_classic_build_tagged_many_times_lists_as_the_cli_from_a_fresh_index(ip, sandbox, built):
    engine = docker_magics._loaded[id(ip)].session.default_engine()
    index = engine.image_index()
    index.close()  # as in a fresh kernel: the next listing starts the index from a full listing
    rebuilds = index.rebuilds
    for flags in FLAGS:
        df = ip.run_line_magic("docker", " ".join(("images", *flags)))
        assert df.dm_index
        assert frame_rows(df) == cli_rows(sandbox.cli, *flags), flags
    assert index.rebuilds == rebuilds + 1
    sandbox.cli("tag", "ixp/httpd:latest", "ixp/m00:v")  # and once more, the index brought up to date by events
    for flags in FLAGS:
        df = ip.run_line_magic("docker", " ".join(("images", *flags)))
        assert df.dm_index
        assert frame_rows(df) == cli_rows(sandbox.cli, *flags), flags
    untagged = [r for r in frame_rows(ip.run_line_magic("docker", "images -a")) if r[0] == "<none>"]
    if built:  # the intermediate image is there, only hidden without -a
        assert any(built.removeprefix("sha256:")[:12] == r[2] for r in untagged)
