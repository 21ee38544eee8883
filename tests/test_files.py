"""The streaming reader of save archives and dive's efficiency, on archives generated here.

Both layouts are made: the classic store's (``<id>/layer.tar``, ``manifest.json`` after the layers, a
repeated layer as a symlink) and the OCI layout (``index.json`` first, gzip layers under ``blobs/``, the
manifest and config blobs after the layers). The archive reaches the reader through a file object that
can only ``read``: a stream, as the engine sends it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile

import pytest

from docker_magics.engine.archive import files as imagefs
from docker_magics.errors import DockerMagicError
from docker_magics.grammar import parse
from docker_magics.views.files import diff_files_frame, files_frame, wasted_frame


class OnlyRead:
    """A file object without seek or tell: what ``response.raw`` offers."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


def layer_tar(*entries: tuple) -> bytes:
    """Entries: ("dir", name), ("file", name, bytes), ("link", name, target), ("symlink", name, target)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for kind, name, *rest in entries:
            info = tarfile.TarInfo(name)
            data = None
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif kind == "file":
                data = rest[0]
                info.size, info.mode = len(data), rest[1] if len(rest) > 1 else 0o644
            elif kind == "link":
                info.type, info.linkname = tarfile.LNKTYPE, rest[0]
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, rest[0]
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _config(layers: list[bytes], steps: list[str]) -> bytes:
    history = []
    for step in steps:
        history.append({"created_by": step})
        history.append({"created_by": "/bin/sh -c #(nop) ENV X=1", "empty_layer": True})
    diff_ids = ["sha256:" + hashlib.sha256(layer).hexdigest() for layer in layers]
    return json.dumps({"rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history}).encode()


def docker_save(layers: list[bytes], steps: list[str], *, manifest_first: bool = False) -> bytes:
    """The classic store's ``docker save``: layer folders, config, then manifest.json (a repeat: a symlink)."""
    config = _config(layers, steps)
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    paths, seen = [], {}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        manifest = None

        def write_manifest() -> None:
            _add(tar, "manifest.json", json.dumps([{"Config": config_name, "RepoTags": ["t:1"],
                                                    "Layers": manifest}]).encode())

        folders = [hashlib.sha256(f"{i}{layer[:64]}".encode()).hexdigest() for i, layer in enumerate(layers)]
        manifest = [f"{folder}/layer.tar" for folder in folders]
        if manifest_first:
            write_manifest()
        for folder, layer in zip(folders, layers, strict=True):
            digest = hashlib.sha256(layer).hexdigest()
            if digest in seen:
                info = tarfile.TarInfo(f"{folder}/layer.tar")
                info.type, info.linkname = tarfile.SYMTYPE, f"../{seen[digest]}/layer.tar"
                tar.addfile(info)
            else:
                seen[digest] = folder
                _add(tar, f"{folder}/VERSION", b"1.0")
                _add(tar, f"{folder}/json", b'{"id": "x"}')
                _add(tar, f"{folder}/layer.tar", layer)
            paths.append(f"{folder}/layer.tar")
        _add(tar, config_name, config)
        if not manifest_first:
            write_manifest()
    return buffer.getvalue()


def oci_save(layers: list[bytes], steps: list[str]) -> bytes:
    """The OCI layout: index.json first, gzip layer blobs, then the config and manifest blobs; no manifest.json."""
    config = _config(layers, steps)
    blobs = [gzip.compress(layer, mtime=0) for layer in layers]
    manifest = json.dumps({"schemaVersion": 2, "config": {"digest": "sha256:" + hashlib.sha256(config).hexdigest()},
                           "layers": [{"digest": "sha256:" + hashlib.sha256(b).hexdigest()} for b in blobs]}).encode()
    index = {"schemaVersion": 2, "manifests": [{"digest": "sha256:" + hashlib.sha256(manifest).hexdigest()}]}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        _add(tar, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        _add(tar, "index.json", json.dumps(index).encode())
        for blob in [*blobs, config, manifest]:
            _add(tar, "blobs/sha256/" + hashlib.sha256(blob).hexdigest(), blob)
    return buffer.getvalue()


BIG, SMALL = b"x" * 1000, b"y" * 256
LAYERS = [
    layer_tar(("dir", "etc/"), ("file", "etc/a", BIG), ("dir", "data/"), ("file", "data/big", b"z" * 512),
              ("dir", "tmp/"), ("dir", "bin/"), ("file", "bin/x", b"binary", 0o755), ("link", "bin/y", "bin/x"),
              ("symlink", "bin/z", "x")),
    layer_tar(("dir", "data/"), ("file", "data/big", SMALL), ("dir", "tmp/"), ("dir", "tmp/cache/"),
              ("file", "tmp/cache/f", b"c" * 100)),
    layer_tar(("dir", "etc/"), ("file", "etc/.wh.a", b""), ("dir", "tmp/"), ("file", "tmp/.wh..wh..opq", b""),
              ("file", "tmp/new", b"n" * 10)),
]
STEPS = ["ADD base /", "COPY big /data/big", "RUN rm /etc/a"]


@pytest.fixture(params=["docker", "docker-manifest-first", "oci"])
def image(request) -> imagefs.ImageFiles:
    archive = {"docker": lambda: docker_save(LAYERS, STEPS),
               "docker-manifest-first": lambda: docker_save(LAYERS, STEPS, manifest_first=True),
               "oci": lambda: oci_save(LAYERS, STEPS)}[request.param]()
    return imagefs.assemble(imagefs.scan_archive(OnlyRead(archive)), "t:1")


def rows(image: imagefs.ImageFiles) -> set[tuple]:
    return {(layer.index, e.path, e.type, e.size, e.change) for layer in image.layers for e in layer.entries}


def test_layers_come_in_order_with_diff_ids_and_steps(image):
    assert [layer.diff_id for layer in image.layers] == \
        ["sha256:" + hashlib.sha256(layer).hexdigest() for layer in LAYERS]
    assert [layer.created_by for layer in image.layers] == STEPS


def test_every_entry_is_classified_against_the_layers_below(image):
    assert rows(image) == {
        (0, "/etc", "dir", 0, "added"), (0, "/etc/a", "file", 1000, "added"), (0, "/data", "dir", 0, "added"),
        (0, "/data/big", "file", 512, "added"), (0, "/tmp", "dir", 0, "added"), (0, "/bin", "dir", 0, "added"),
        (0, "/bin/x", "file", 6, "added"), (0, "/bin/y", "hardlink", 0, "added"),
        (0, "/bin/z", "symlink", 0, "added"),
        (1, "/data", "dir", 0, "unchanged"), (1, "/data/big", "file", 256, "modified"),
        (1, "/tmp", "dir", 0, "unchanged"), (1, "/tmp/cache", "dir", 0, "added"),
        (1, "/tmp/cache/f", "file", 100, "added"),
        (2, "/etc", "dir", 0, "unchanged"), (2, "/etc/a", "file", 0, "removed"),
        (2, "/tmp", "dir", 0, "removed"), (2, "/tmp", "dir", 0, "unchanged"), (2, "/tmp/new", "file", 10, "added"),
    }
    links = {e.path: e.linkname for e in image.layers[0].entries if e.linkname}
    assert links == {"/bin/y": "/bin/x", "/bin/z": "x"}
    (opaque,) = [e for e in image.layers[2].entries if e.path == "/tmp" and e.change == "removed"]
    assert opaque.removed_bytes == 100  # what /tmp held below: /tmp/cache/f


def test_the_final_filesystem_applies_whiteouts_and_opaque_directories(image):
    final = imagefs.final_filesystem(image)
    assert sorted(final) == ["/bin", "/bin/x", "/bin/y", "/bin/z", "/data", "/data/big", "/etc", "/tmp", "/tmp/new"]
    assert final["/data/big"].size == 256


def test_efficiency_uses_dives_definitions(image):
    found = imagefs.efficiency(image.layers)
    # Leaf sightings: /etc/a 1000 then removed (0); /data/big 512 then 256; /tmp empty (0) then made opaque
    # (it held 100); seen once: /tmp/cache/f 100, /tmp/new 10, /bin/x 6, /bin/y, /bin/z (0).
    cumulative = 1000 + 768 + 100 + 100 + 10 + 6
    smallest = 0 + 256 + 0 + 100 + 10 + 6
    assert found.score == pytest.approx(smallest / cumulative)
    assert found.wasted_bytes == 1000 + 768 + 100
    assert [(u.path, u.layers, u.cumulative_size) for u in found.inefficient] == \
        [("/etc/a", [0, 2], 1000), ("/data/big", [0, 1], 768), ("/tmp", [0, 2], 100)]


def test_hashes_compare_content_across_images():
    other = list(LAYERS)
    other[1] = layer_tar(("dir", "data/"), ("file", "data/big", b"Y" * 256), ("dir", "tmp/"))
    a = imagefs.assemble(imagefs.scan_archive(OnlyRead(docker_save(LAYERS, STEPS)), hash_files=True), "a")
    b = imagefs.assemble(imagefs.scan_archive(OnlyRead(oci_save(other, STEPS)), hash_files=True), "b")
    changes = imagefs.compare(imagefs.final_filesystem(a), imagefs.final_filesystem(b))
    assert [(c.path, c.change, c.size_a, c.size_b) for c in changes] == [("/data/big", "changed", 256, 256)]
    frame = diff_files_frame(changes, "a", "b")
    assert list(frame.columns) == ["path", "change", "size_a", "size_b", "size_delta"]
    assert frame.attrs["summary"]["changed"] == 1


def test_a_repeated_layer_is_read_once_and_used_twice():
    empty = layer_tar(("dir", "d/"))
    image = imagefs.assemble(imagefs.scan_archive(OnlyRead(docker_save([LAYERS[0], empty, empty], STEPS))))
    assert [len(layer.entries) for layer in image.layers] == [9, 1, 1]
    assert [e.change for layer in image.layers[1:] for e in layer.entries] == ["added", "unchanged"]


def test_an_empty_layer_tar_has_no_entries():
    empty = layer_tar()
    image = imagefs.assemble(imagefs.scan_archive(OnlyRead(oci_save([LAYERS[0], empty], STEPS[:2]))))
    assert image.layers[1].entries == []


def test_an_archive_without_a_manifest_is_one_line():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        _add(tar, "x/layer.tar", LAYERS[0])
    with pytest.raises(DockerMagicError, match=r"neither manifest\.json nor a usable OCI index\.json"):
        imagefs.assemble(imagefs.scan_archive(OnlyRead(buffer.getvalue())))


def test_files_frame_filters_and_types():
    image = imagefs.assemble(imagefs.scan_archive(OnlyRead(docker_save(LAYERS, STEPS))), "t:1")
    df = files_frame(image)
    assert list(df.columns) == ["layer", "layer_id", "created_by", "path", "type", "size", "mode", "change"]
    assert (str(df["layer"].dtype), str(df["size"].dtype)) == ("int64", "int64")
    assert df["layer_id"].str.len().max() == 12
    assert df.loc[df.path == "/bin/x", "mode"].item() == "-rwxr-xr-x"
    assert set(files_frame(image, changes=True).change) == {"added", "modified", "removed"}
    assert list(files_frame(image, layer=-1, changes=True).path) == ["/etc/a", "/tmp", "/tmp/new"]
    assert list(files_frame(image, path="/data/*").path) == ["/data/big", "/data/big"]
    assert list(files_frame(image, path="bin/?").path) == ["/bin/x", "/bin/y", "/bin/z"]
    assert files_frame(image, no_trunc=True)["layer_id"].iloc[0] == image.layers[0].diff_id


def test_wasted_frame_has_dives_figures():
    image = imagefs.assemble(imagefs.scan_archive(OnlyRead(docker_save(LAYERS, STEPS))), "t:1")
    df = wasted_frame(image, imagefs.efficiency(image.layers))
    assert list(df.columns) == ["path", "layers", "count", "cumulative_size"]
    assert df.attrs["wasted_bytes"] == 1868 and 0 < df.attrs["efficiency"] < 1
    assert "efficiency" in repr(df).splitlines()[-1]


def test_grammar_knows_files_and_diff_files():
    cmd = parse("files --wasted --lowest-efficiency 0.9 --layer -1 --path '/usr/*' img:1")
    assert (cmd.image, cmd.wasted, cmd.lowest_efficiency, cmd.layer, cmd.path) == ("img:1", True, "0.9", -1, "/usr/*")
    cmd = parse("image diff --files a b")
    assert (cmd.files, cmd.image_a, cmd.image_b) == (True, "a", "b")


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
def test_the_tar_walker_reads_what_tarfile_reads(fmt):
    from docker_magics.engine.archive import tarstream

    buffer = io.BytesIO()
    names = ["a/" + "long-" * 30 + "name.txt", "b/ünïcode", "c/dir/", "c/dir/f"] if fmt != tarfile.USTAR_FORMAT \
        else ["a/" + "d" * 90 + "/" + "f" * 90, "c/dir/", "c/dir/f"]
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as tar:
        for index, name in enumerate(names):
            info = tarfile.TarInfo(name)
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = 700 * index + 1
                tar.addfile(info, io.BytesIO(b"q" * info.size))
        link = tarfile.TarInfo("l")
        link.type, link.linkname = tarfile.SYMTYPE, "t" * 150 if fmt != tarfile.USTAR_FORMAT else "t"
        tar.addfile(link)
    with tarfile.open(fileobj=io.BytesIO(buffer.getvalue())) as tar:
        expected = [(m.name, m.type, m.size, m.linkname) for m in tar]
    walked = []
    for member, data in tarstream.members(OnlyRead(buffer.getvalue())):
        walked.append((member.name, member.type, member.size, member.linkname))
        if member.isreg():
            assert data.read() == b"q" * member.size
    assert walked == expected
