"""``save``, ``load`` and ``import`` on the real engine; archives checked with the Docker CLI."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import io
import json
import os
import sys
import tarfile
import threading

import pytest
from support.lifecycle import image_id, make_image, rootfs_tar

from docker_magics.errors import ImageNotFoundError, Interrupted, UsageError
from docker_magics.views import progress


@pytest.fixture
def cleanup(sandbox):
    refs: list[str] = []
    yield refs
    if refs:
        sandbox.cli("rmi", "-f", *refs, check=False)


@pytest.fixture
def three(sandbox, tmp_path, cleanup):
    """Three references on two images: a unique imported one, and a fixture image under two new tags."""
    unique = make_image(sandbox, tmp_path, "ar/one:1")
    sandbox.cli("tag", "dmtest/app:1.0", "ar/two:1")
    sandbox.cli("tag", "dmtest/app:1.0", "ar/two:2")
    cleanup += ["ar/one:1", "ar/two:1", "ar/two:2"]
    return {"ar/one:1": unique, "ar/two:1": sandbox.ids["app1"], "ar/two:2": sandbox.ids["app1"]}


def sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def test_save_several_images_in_one_tar_restored_by_the_cli(ip, sandbox, tmp_path, three):
    out = tmp_path / "three.tar"
    result = ip.run_line_magic("docker", f"save -o {out} ar/one:1 ar/two:1 ar/two:2")
    assert result.path == str(out) and result.images == ["ar/one:1", "ar/two:1", "ar/two:2"]
    assert result.bytes == out.stat().st_size and result.sha256 == sha256(out)
    assert result.summary().startswith(f"Saved 3 images to {out} (")
    with tarfile.open(out) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert sorted(t for m in manifest for t in m["RepoTags"]) == ["ar/one:1", "ar/two:1", "ar/two:2"]
    assert os.listdir(tmp_path) == [p for p in os.listdir(tmp_path) if not p.startswith(".")]  # no temp file

    sandbox.cli("rmi", "ar/one:1", "ar/two:1", "ar/two:2")
    assert image_id(sandbox, three["ar/one:1"]) is None  # gone for good, layers too
    loaded = sandbox.cli("load", "-i", str(out)).stdout
    for ref, full in three.items():
        assert f"Loaded image: {ref}" in loaded
        assert image_id(sandbox, ref) == full


@pytest.mark.parametrize("name, flags", [("rt.tar", ""), ("rt.tar.gz", ""), ("rt.tar", "--gzip")])
def test_save_then_load_with_the_magic(ip, sandbox, tmp_path, three, name, flags):
    out = tmp_path / name
    ip.run_line_magic("docker", f"image save {flags} -o {out} ar/one:1 ar/two:1 ar/two:2")
    with open(out, "rb") as f:
        assert (f.read(2) == b"\x1f\x8b") == bool(flags or name.endswith(".gz"))
    sandbox.cli("rmi", "ar/one:1", "ar/two:1", "ar/two:2")
    df = ip.run_line_magic("docker", f"load -i {out}")
    assert list(df.columns) == ["reference", "image_id"]
    assert dict(zip(df.reference, df.image_id, strict=True)) == three
    assert all(image_id(sandbox, ref) == full for ref, full in three.items())


def test_load_by_id_and_quiet(ip, sandbox, tmp_path, cleanup, capsys):
    full = make_image(sandbox, tmp_path, "ar/byid:1")
    cleanup.append(full)
    out = tmp_path / "byid.tar"
    ip.run_line_magic("docker", f"save -o {out} {full[7:19]}")
    sandbox.cli("rmi", "ar/byid:1")
    capsys.readouterr()
    df = ip.run_line_magic("docker", f"image load -q -i {out}")
    assert list(zip(df.reference, df.image_id, strict=True)) == [("<none>", full)]
    assert capsys.readouterr().out == ""


@pytest.mark.engine_differs("the containerd store's load sends no 'Loading layer' progress (nor does the CLI show any)")
def test_load_progress_in_text(ip, sandbox, tmp_path, three, capsys):
    out = tmp_path / "p.tar"
    ip.run_line_magic("docker", f"save -o {out} ar/one:1")
    sandbox.cli("rmi", "ar/one:1")
    capsys.readouterr()
    ip.run_line_magic("docker", f"load -i {out}")
    text = capsys.readouterr().out
    assert f"Loading {out}" in text and "Loaded image: ar/one:1" in text
    assert ("Loading layer" in text) is not sandbox.containerd_store


class InterruptingProgress(progress.NoProgress):
    """A progress display whose user presses Ctrl-C once some bytes have arrived."""

    def advance(self, nbytes: int) -> None:
        super().advance(nbytes)
        if self.state.done_bytes > 1_000_000:
            raise KeyboardInterrupt


def test_interrupted_save_leaves_no_file(ip, sandbox, tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "progress_for", lambda *a, **k: InterruptingProgress("save"))
    out = tmp_path / "cut.tar"
    with pytest.raises(Interrupted) as info:
        ip.run_line_magic("docker", f"save -o {out} dmtest/tiny:1.0 dmtest/runner:1.0")
    assert info.value.line() == f"Saving to {out} was interrupted; no file was written. Run the command again to save."
    assert os.listdir(tmp_path) == []
    monkeypatch.undo()
    assert len(ip.run_line_magic("docker", "images dmtest/tiny")) > 0  # the kernel goes on


def test_save_errors_are_one_line_and_leave_nothing(ip, tmp_path):
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("docker", "save dmtest/tiny:1.0")
    assert info.value.line() == ("'%docker save' needs -o FILE in a notebook: the archive is binary and cannot go "
                                 "to the cell's output. To fix it, write %docker save -o images.tar IMAGE "
                                 "[IMAGE...] (images.tar.gz or --gzip compresses).")
    with pytest.raises(ImageNotFoundError, match=r"^No such image: ar/absent:1\."):
        ip.run_line_magic("docker", f"save -o {tmp_path}/x.tar dmtest/tiny:1.0 ar/absent:1")
    with pytest.raises(UsageError, match=r"the folder .*/nowhere does not exist"):
        ip.run_line_magic("docker", f"save -o {tmp_path}/nowhere/x.tar dmtest/tiny:1.0")
    assert os.listdir(tmp_path) == []


def test_load_of_something_else_is_one_line(ip, tmp_path):
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(5000))
    hint = ("To fix it, load a file written by 'docker save' or '%docker save -o FILE IMAGE'; a root filesystem "
            "tarball goes in with '%docker import FILE REPOSITORY:TAG'.")
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("docker", f"load -i {noise}")
    assert info.value.line() == (f"{noise} is not an image archive: it is neither a tar nor a compressed tar "
                                 f"file. {hint}")
    rootfs = rootfs_tar(tmp_path / "rootfs.tar")
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("docker", f"load -i {rootfs}")
    assert info.value.line() == (f"{rootfs} is not an image archive: a tar file without the manifest.json that "
                                 f"'docker save' writes. {hint}")
    with pytest.raises(UsageError, match=r"^'%docker load' needs -i FILE in a notebook"):
        ip.run_line_magic("docker", "load")
    with pytest.raises(UsageError, match=f"^open {tmp_path}/none.tar: no such file"):
        ip.run_line_magic("docker", f"load -i {tmp_path}/none.tar")


def test_import_a_tarball_written_by_the_test(ip, sandbox, tmp_path, cleanup):
    tar = rootfs_tar(tmp_path / "rootfs.tar")
    cleanup.append("ar/imported:1")
    new_id = ip.run_line_magic("docker", f"import -c 'ENV MODE=test' -c 'CMD [\"/bin/sh\"]' "
                                         f"--message 'from the test' {tar} ar/imported:1")
    assert new_id.startswith("sha256:") and image_id(sandbox, "ar/imported:1") == new_id
    info = sandbox.api().inspect_image(new_id)
    assert "MODE=test" in info["Config"]["Env"] and info["Config"]["Cmd"] == ["/bin/sh"]
    assert info["Comment"] == "from the test"
    with tarfile.open(tar) as src:
        names = {m.name for m in src.getmembers()}
    exported = sandbox.cli("run", "--rm", "--network", "none", "ar/imported:1", "/bin/busybox", "ls", "/").stdout
    assert {"bin", "unique.bin"} <= set(exported.split()) and "unique.bin" in names


def test_import_from_stdin_and_url(ip, sandbox, tmp_path, cleanup, monkeypatch):
    rootfs_tar(tmp_path / "rootfs.tar")
    cleanup += ["ar/stdin:1", "ar/url:1"]
    data = (tmp_path / "rootfs.tar").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert image_id(sandbox, "ar/stdin:1") is None
    new_id = ip.run_line_magic("docker", "image import - ar/stdin:1")
    assert image_id(sandbox, "ar/stdin:1") == new_id

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/rootfs.tar"
        new_id = ip.run_line_magic("docker", f"import {url} ar/url:1")
    finally:
        server.shutdown()
    assert image_id(sandbox, "ar/url:1") == new_id


def test_import_errors(ip, tmp_path):
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("docker", f"import {tmp_path}/none.tar ar/x:1")
    assert info.value.line() == (f"open {tmp_path}/none.tar: No such file or directory. To fix it, give the path "
                                 "of a tarball, a http(s) URL, or - for stdin.")
    with pytest.raises(UsageError, match=r"^'%docker import' requires at least 1 argument"):
        ip.run_line_magic("docker", "import")


def test_gzip_archive_is_a_valid_gzip(ip, sandbox, tmp_path, three):
    out = tmp_path / "g.tar.gz"
    ip.run_line_magic("docker", f"save -o {out} ar/two:1")
    with gzip.open(out) as f, tarfile.open(fileobj=f, mode="r|") as tar:
        assert "manifest.json" in [m.name for m in tar]
