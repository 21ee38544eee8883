"""An engine that stops half way through a stream (pull, push, build, load, import, save): one line, no traceback.

The engine here is a stand-in on loopback (tests/loopback.py: its own lifetime and request cap) that answers
``/version`` like Docker 20.10 and cuts each stream in the middle of a chunk, as a dockerd that is stopped
or restarted mid-stream does. Stopping the session's real engine would break every other test.
"""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from support.loopback import Loopback, Reply, cut
from support.shell import configured

from docker_magics.errors import DockerMagicError

VERSION = {"ApiVersion": "1.41", "MinAPIVersion": "1.12", "Version": "20.10.24", "Os": "linux", "Arch": "amd64"}
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"


def _chunk(event: dict) -> bytes:
    data = json.dumps(event).encode() + b"\r\n"
    return b"%x\r\n%s\r\n" % (len(data), data)


# One whole event, then a chunk that announces 0x40 bytes and stops after a few.
CUT = cut(HEAD, _chunk({"status": "Working", "id": "1"}) + b"40\r\n{\"status\":\"Down")


def engine(request):
    if request.path.endswith("/version"):
        return Reply(200, VERSION)
    if request.path.endswith("/_ping"):
        return Reply(200, b"OK", {"Content-Type": "text/plain", "Api-Version": "1.41"})
    if request.path.endswith("/json") and "/images/" in request.path:  # inspect before a save
        return Reply(200, {"Id": "sha256:" + "a" * 64, "Size": 1000, "RepoTags": ["x:1"]})
    if request.path.endswith("/images/get"):
        return cut(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n",
                   b"400\r\n" + b"\0" * 100)
    return CUT


@pytest.fixture(scope="module")
def fake_engine():
    with Loopback(engine, max_requests=200, lifetime=120) as server:
        yield f"tcp://{server.host}"


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "images.tar"
    with tarfile.open(path, "w") as tar:
        data = b"[]"
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def _one_line(ipshell, line: str) -> str:
    with configured(ipshell, progress="none"), pytest.raises(DockerMagicError) as info:
        ipshell.run_line_magic("docker", line)
    return info.value.line()


HINT = "To fix it, check that the engine still runs (its log says why), then run the command again."


def test_a_pull_cut_half_way(ipshell, fake_engine):
    line = _one_line(ipshell, f"-H {fake_engine} pull 127.0.0.1:5999/team/app:1")
    assert line == ("Pull of 127.0.0.1:5999/team/app:1 failed: The engine stopped sending during pull of "
                    f"127.0.0.1:5999/team/app: the stream was cut half way. {HINT}")


def test_a_push_cut_half_way(ipshell, fake_engine):
    line = _one_line(ipshell, f"-H {fake_engine} push 127.0.0.1:5999/team/app:1")
    assert line == ("Push of 127.0.0.1:5999/team/app:1 failed: The engine stopped sending during push of "
                    f"127.0.0.1:5999/team/app: the stream was cut half way. {HINT}")


def test_a_build_cut_half_way(ipshell, fake_engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    line = _one_line(ipshell, f"-H {fake_engine} build -t cut:1 .")
    assert line == f"The engine stopped sending during build: the stream was cut half way. {HINT}"


def test_a_load_cut_half_way(ipshell, fake_engine, archive):
    line = _one_line(ipshell, f"-H {fake_engine} load -i {archive}")
    assert line == f"The engine stopped sending during load of {archive}: the stream was cut half way. {HINT}"


def test_an_import_cut_half_way(ipshell, fake_engine, archive):
    line = _one_line(ipshell, f"-H {fake_engine} import {archive} cut:1")
    assert line == f"The engine stopped sending during import of {archive}: the stream was cut half way. {HINT}"


def test_a_save_cut_half_way_leaves_no_file(ipshell, fake_engine, tmp_path):
    target = tmp_path / "out.tar"
    line = _one_line(ipshell, f"-H {fake_engine} save -o {target} x:1")
    assert line == f"The engine stopped sending during save of x:1: the stream was cut half way. {HINT}"
    assert list(tmp_path.iterdir()) == []
