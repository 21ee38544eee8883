"""``files``, ``files --wasted`` and ``image diff --files`` on the real engine.

The image (classic builder, on the busybox fixture) writes a 512 KiB file, overwrites it with 256 KiB in
a later layer and deletes another file in a third. dive's efficiency and wasted bytes are computed here
again, independently, from the layer tars of the CLI's own ``docker save``.
"""

from __future__ import annotations

import json
import os
import posixpath
import tarfile

import pytest
import sandbox as sandbox_module

from docker_magics.errors import DockerMagicError

A, B = "filestest/a:1", "filestest/b:1"
KIB = 1024
BIG, SMALL, OTHER = os.urandom(512 * KIB), os.urandom(256 * KIB), os.urandom(256 * KIB)
DOCKERFILE_A = ('FROM dmtest/tiny:1.0\nCOPY data /data/\nCOPY small /data/model.bin\n'
                'RUN ["/bin/busybox", "rm", "/data/gone.txt"]\n')
DOCKERFILE_B = 'FROM dmtest/tiny:1.0\nCOPY data /data/\nCOPY other /data/model.bin\nCOPY extra /data/extra.txt\n'
CONTEXT = {"data/model.bin": BIG, "data/gone.txt": b"bye\n", "data/same.txt": b"same\n",
           "small": SMALL, "other": OTHER, "extra": b"extra\n"}


@pytest.fixture(scope="module")
def images(sandbox):
    api = sandbox.api()
    ids = {A: sandbox_module._build(api, DOCKERFILE_A, CONTEXT, tag=A),
           B: sandbox_module._build(api, DOCKERFILE_B, CONTEXT, tag=B)}
    yield ids
    sandbox.cli("rmi", "-f", A, B, check=False)


def saved_layers(sandbox, tmp_path, image: str) -> list[list[tuple[str, str, int]]]:
    """Each layer of ``docker save IMAGE`` as (path, kind, size) rows, kind file/dir/whiteout, bottom first."""
    archive = tmp_path / "saved.tar"
    sandbox.cli("save", "-o", str(archive), image)
    with tarfile.open(archive) as outer:
        (manifest,) = json.load(outer.extractfile("manifest.json"))
        layers = []
        for name in manifest["Layers"]:
            with tarfile.open(fileobj=outer.extractfile(name)) as layer:
                rows = []
                for member in layer.getmembers():
                    path = "/" + member.name.strip("./").rstrip("/")
                    base = posixpath.basename(path)
                    if base.startswith(".wh."):
                        rows.append((posixpath.join(posixpath.dirname(path), base[4:]), "whiteout", 0))
                    else:
                        rows.append((path, "dir" if member.isdir() else "file", member.size if member.isreg() else 0))
                layers.append(rows)
    return layers


def dive_figures(layers: list[list[tuple[str, str, int]]]) -> tuple[float, int]:
    """dive's efficiency and wasted bytes, from its definitions, written apart from the package's."""
    stacked: dict[str, tuple[str, int]] = {}
    sightings: dict[str, list[int]] = {}
    for rows in layers:
        parents = {posixpath.dirname(path) for path, _, _ in rows}
        for path, kind, size in rows:
            if path in parents and kind != "whiteout":
                continue  # not a leaf of this layer's tree
            if kind == "whiteout":
                was = stacked.get(path, ("file", 0))[0]
                size = sum(s for p, (_, s) in stacked.items() if p.startswith(path + "/")) if was == "dir" else 0
            sightings.setdefault(path, []).append(size)
        for path, kind, size in rows:
            if kind == "whiteout":
                for p in [p for p in stacked if p == path or p.startswith(path + "/")]:
                    del stacked[p]
            else:
                stacked[path] = (kind, size)
    total = sum(sum(s) for s in sightings.values())
    smallest = sum(min(s) for s in sightings.values())
    return smallest / total, sum(sum(s) for s in sightings.values() if len(s) > 1)


def test_files_has_added_modified_and_removed_rows(ip, sandbox, images):
    df = ip.run_line_magic("docker", f"files --changes {A}")
    base = len(sandbox.api().inspect_image("dmtest/tiny:1.0")["RootFS"]["Layers"])
    model = df[df.path == "/data/model.bin"]
    assert list(zip(model.layer, model.change, model["size"], strict=True)) == \
        [(base, "added", 512 * KIB), (base + 1, "modified", 256 * KIB)]
    gone = df[df.path == "/data/gone.txt"]
    assert list(zip(gone.layer, gone.change, strict=True)) == [(base, "added"), (base + 2, "removed")]
    assert str(df["size"].dtype) == "int64" and df.layer.max() == base + 2
    steps = dict(zip(df.layer, df.created_by, strict=False))
    assert "rm" in steps[base + 2] and "COPY" in steps[base + 1]
    diff_ids = sandbox.api().inspect_image(A)["RootFS"]["Layers"]
    assert set(df.layer_id) <= {d.split(":")[1][:12] for d in diff_ids}


def test_files_filters(ip, images):
    df = ip.run_line_magic("docker", f"files --layer -1 --path '/data/*' {A}")
    assert list(df.path) == ["/data/gone.txt"] and list(df.change) == ["removed"]


def test_wasted_matches_dive_computed_from_docker_save(ip, sandbox, images, tmp_path):
    df = ip.run_line_magic("docker", f"files --wasted {A}")
    efficiency, wasted = dive_figures(saved_layers(sandbox, tmp_path, A))
    assert df.attrs["efficiency"] == pytest.approx(efficiency)
    assert df.attrs["wasted_bytes"] == wasted
    top = df.iloc[0]
    assert (top.path, top.layers[1] - top.layers[0], top["count"], top.cumulative_size) == \
        ("/data/model.bin", 1, 2, 768 * KIB)
    assert "/data/gone.txt" in set(df.path)


def test_lowest_efficiency_fails_in_one_line(ip, images):
    with pytest.raises(DockerMagicError) as failure:
        ip.run_line_magic("docker", f"files --lowest-efficiency 0.99 {A}")
    line = failure.value.line()
    assert "\n" not in line and line.startswith(f"Image efficiency of {A} is 0.")
    assert "below the lowest allowed 0.99" in line
    assert len(ip.run_line_magic("docker", f"files --lowest-efficiency 0.1 {A}")) > 0


def test_image_diff_files_lists_exactly_the_paths_whose_content_differs(ip, images):
    df = ip.run_line_magic("docker", f"image diff --files {A} {B}")
    # A removed gone.txt, B kept it; same.txt and the folders are equal; model.bin has other bytes, same size.
    assert sorted(zip(df.path, df.change, strict=True)) == [("/data/extra.txt", "added"), ("/data/gone.txt", "added"),
                                                            ("/data/model.bin", "changed")]
    changed = df.set_index("path").loc["/data/model.bin"]
    assert (changed.size_a, changed.size_b, changed.size_delta) == (256 * KIB, 256 * KIB, 0)
    assert df.attrs["summary"]["bytes_added"] == len(b"extra\n") + len(b"bye\n")


def test_files_of_a_missing_image_is_one_line(ip, images):
    with pytest.raises(DockerMagicError, match="No such image: filestest/nope:1"):
        ip.run_line_magic("docker", "files filestest/nope:1")
