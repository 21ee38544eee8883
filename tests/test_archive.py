"""Pure logic of save/load/import: archive sniffing, load events, the writer thread, the saved summary."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from docker_magics.engine.archive import saveload as archive
from docker_magics.errors import UsageError
from docker_magics.views.results import SavedArchive


def tar_bytes() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"[]"))
    return buf.getvalue()


def test_sniff_archive(tmp_path):
    (tmp_path / "a.tar").write_bytes(tar_bytes())
    (tmp_path / "a.tar.gz").write_bytes(gzip.compress(tar_bytes()))
    (tmp_path / "a.tar.xz").write_bytes(b"\xfd7zXZ\x00rest")
    assert archive.sniff_archive(tmp_path / "a.tar") == "tar"
    assert archive.sniff_archive(tmp_path / "a.tar.gz") == "gzip"
    assert archive.sniff_archive(tmp_path / "a.tar.xz") == "xz"


@pytest.mark.parametrize("content", [b"", b"hello", gzip.compress(b"not a tar" * 100)])
def test_sniff_rejects_what_is_not_a_tar(tmp_path, content):
    (tmp_path / "x").write_bytes(content)
    with pytest.raises(UsageError, match=r"x is not an image archive: it is neither a tar nor a compressed tar file"):
        archive.sniff_archive(tmp_path / "x")


def test_loaded_images():
    assert archive.loaded_images({"stream": "Loaded image: a/b:1\n"}) == [("a/b:1", "")]
    assert archive.loaded_images({"stream": "Loaded image ID: sha256:ab\n"}) == [("<none>", "sha256:ab")]
    assert archive.loaded_images({"status": "Loading layer", "id": "x"}) == []


class Counting:
    def __init__(self):
        self.count = 0

    def advance(self, n):
        self.count += n


def test_read_chunks_counts_every_byte():
    sink = Counting()
    data = b"x" * (archive.CHUNK * 2 + 5)
    chunks = list(archive.read_chunks(io.BytesIO(data), sink))
    assert [len(c) for c in chunks] == [archive.CHUNK, archive.CHUNK, 5] and sink.count == len(data)


def test_hashing_writer_and_writer_thread():
    import hashlib

    raw = io.BytesIO()
    writer = archive._HashingWriter(raw)
    with archive._Writer(writer) as thread:
        for part in (b"ab", b"cd" * 1000):
            thread.put(part)
    assert raw.getvalue() == b"ab" + b"cd" * 1000 and writer.count == 2002
    assert writer.hash.hexdigest() == hashlib.sha256(raw.getvalue()).hexdigest()


def test_writer_thread_hands_its_error_back():
    class Full:
        def write(self, data):
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"), archive._Writer(Full()) as thread:
        thread.put(b"x")


def test_saved_archive_summary():
    saved = SavedArchive("/data/x.tar", 2_000_000, "ab" * 32, ["a:1", "b:2"])
    assert saved.summary() == f"Saved 2 images to /data/x.tar (2MB, sha256:{'ab' * 32})"
    assert "<code>a:1</code>" in saved._repr_html_()
