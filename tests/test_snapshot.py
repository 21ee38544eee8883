"""The image index saved between kernels: written, read back, and refused whenever it cannot be proven exact.

Pure logic: the stand-in engine of test_index.py (its event buffer, clock and image count), given an ID; each
"kernel" is a new ImageIndex over the same snapshot folder.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import time
import zlib
from pathlib import Path

import pytest

from docker_magics.engine.index import snapshot as snapshot_module
from docker_magics.engine.index import store as index_module
from docker_magics.engine.index.snapshot import EngineIdentity, Snapshot, SnapshotStore
from docker_magics.engine.index.store import ImageIndex

# test_index.py's stand-ins, loaded by path: tests/integration/ has a test_index.py of its own.
_spec = importlib.util.spec_from_file_location("unit_test_index", Path(__file__).with_name("test_index.py"))
_unit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_unit)
FakeEngine, FakeWatch, ident, tags_of = _unit.FakeEngine, _unit.FakeWatch, _unit.ident, _unit.tags_of


class Endpoint:
    host = "unix:///run/fake.sock"


class IdentifiedEngine(FakeEngine):
    """The stand-in engine with an ID, a data root and a name, as ``/info`` gives them."""

    endpoint = Endpoint()

    def __init__(self, ident_: str = "ENGINE-A") -> None:
        super().__init__()
        self.ident = ident_

    def info(self):
        return {**super().info(), "ID": self.ident, "DockerRootDir": "/var/lib/docker", "Name": "box"}

    def restart(self):
        self.buffer.clear()  # the engine forgets its events


@pytest.fixture
def engine(monkeypatch):
    monkeypatch.setattr(index_module, "EngineWatch", FakeWatch)
    FakeWatch.alive_now = True
    fake = IdentifiedEngine()
    fake.add(1, "app:1")
    fake.add(2, "base:1")
    fake.log("container", "start", "c0ffee")
    return fake


@pytest.fixture
def store(tmp_path):
    return SnapshotStore(tmp_path / "cache")


def kernel(engine, store) -> ImageIndex:
    """A new kernel's index: nothing in memory, the snapshot folder shared."""
    return ImageIndex(engine, store)


def first_kernel(engine, store) -> ImageIndex:
    index = kernel(engine, store)
    tags_of(index)
    index.close()  # the kernel ends: what changed is saved
    assert index.saves == 1 and index.rebuilds == 1
    return index


def identity(engine) -> EngineIdentity:
    return EngineIdentity.of(engine.info())


def test_a_new_kernel_starts_from_the_snapshot_and_applies_what_happened_meanwhile(engine, store):
    first_kernel(engine, store)
    engine.tag(1, "app:2")  # while no kernel runs
    engine.add(3, "new:1")
    engine.log("image", "import", ident(3))
    listings = engine.full_listings
    second = kernel(engine, store)
    assert tags_of(second) == {"1": ["app:1", "app:2"], "2": ["base:1"], "3": ["new:1"]}
    assert (second.resumes, second.rebuilds, engine.full_listings) == (1, 0, listings)
    second.close()
    third = kernel(engine, store)
    assert tags_of(third)["3"] == ["new:1"] and third.resumes == 1 and third.rebuilds == 0


def test_the_file_is_small_private_and_named_after_the_engine(engine, store):
    first_kernel(engine, store)
    path = store.path(identity(engine))
    assert path.parent == store.folder / "index" and "ENGINE-A" not in path.name
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # the temporary file was renamed
    header = path.read_bytes().split(b"\n", 1)[0].decode()
    assert header.startswith(f"docker_magics-index {snapshot_module.FORMAT} ") and header.endswith(" 2")
    assert store.tab_references(Endpoint.host)[:2] == ["app:1", "base:1"]


def test_another_engine_id_does_not_read_it(engine, store):
    first_kernel(engine, store)
    engine.ident = "ENGINE-B"  # another engine behind the same socket
    index = kernel(engine, store)
    tags_of(index)
    assert index.rebuilds == 1 and index.full_reason == "snapshot: no snapshot"
    index.close()
    same_key = store.path(identity(engine))
    same_key.parent.mkdir(parents=True, exist_ok=True)
    store.path(EngineIdentity("ENGINE-A", "/var/lib/docker", "box")).rename(same_key)  # a copied file
    assert store.load(identity(engine)) is None and store.last_miss == "another engine"


GONE = "the last event seen left the engine's buffer"


@pytest.mark.parametrize(("happen", "reason"), [
    (lambda e: e.restart() or e.tag(1, "after:1"), GONE),
    (lambda e: [e.log("container", "start", f"c{n}") for n in range(300)], GONE),
    (lambda e: e.log("daemon", "reload", "d"), "an event the index cannot apply"),
    (lambda e: e.add(7), "the image count does not add up"),  # a build without a tag: no event
])
def test_what_cannot_be_proven_exact_is_listed_in_full(engine, store, happen, reason):
    first_kernel(engine, store)
    happen(engine)
    index = kernel(engine, store)
    rows = tags_of(index)
    assert index.resumes == 0 and index.rebuilds == 1 and index.full_reason == reason
    assert rows == {i["Id"][-1]: i["RepoTags"] or ["<none>:<none>"] for i in engine.images_by_id.values()}
    index.close()
    assert kernel(engine, store).current() and store.load(identity(engine)) is not None  # rewritten


def test_a_snapshot_without_an_anchor_is_never_trusted(monkeypatch, store):
    monkeypatch.setattr(index_module, "EngineWatch", FakeWatch)
    fresh = IdentifiedEngine()  # an engine that has sent no event since it started
    fresh.add(1, "app:1")
    first_kernel(fresh, store)
    index = kernel(fresh, store)
    index.current()
    assert index.rebuilds == 1 and "no event to anchor on" in index.full_reason


def corrupt(data: bytes) -> bytes:
    return data[:20] + b"\x00garbage" + data[28:]


def foreign_version(data: bytes) -> bytes:
    header, _, body = data.partition(b"\n")
    return header.replace(b" 0.1.0 ", b" 0.0.9 ") + b"\n" + body


def foreign_body(data: bytes) -> bytes:
    header, _, body = data.partition(b"\n")
    payload = json.loads(zlib.decompress(body))
    payload["version"] = "9.9"
    return header + b"\n" + zlib.compress(json.dumps(payload).encode())


def bad_rows(data: bytes) -> bytes:
    header, _, body = data.partition(b"\n")
    payload = json.loads(zlib.decompress(body))
    payload["rows"] = [{"NoId": 1}]
    return header + b"\n" + zlib.compress(json.dumps(payload).encode())


def bad_cursor(data: bytes) -> bytes:
    header, _, body = data.partition(b"\n")
    payload = json.loads(zlib.decompress(body))
    del payload["cursor"]["anchor"]
    return header + b"\n" + zlib.compress(json.dumps(payload).encode())


@pytest.mark.parametrize(("spoil", "miss"), [
    (corrupt, "does not parse"), (lambda d: d[: len(d) // 2], "does not parse"), (lambda d: b"", "does not parse"),
    (foreign_version, "written by another version"), (foreign_body, "another format or version"),
    (bad_rows, "rows"), (bad_cursor, "cursor"), (lambda d: b"\xff\xfe\n" + d, "not a snapshot header"),
])
def test_a_spoiled_file_is_ignored_and_rewritten(engine, store, spoil, miss):
    first_kernel(engine, store)
    path = store.path(identity(engine))
    path.write_bytes(spoil(path.read_bytes()))
    index = kernel(engine, store)
    assert tags_of(index) == {"1": ["app:1"], "2": ["base:1"]}  # never a traceback
    assert index.rebuilds == 1 and miss in index.full_reason
    index.close()
    assert store.load(identity(engine)) is not None  # rewritten whole


def test_an_unreadable_file_or_a_link_is_ignored_and_replaced(engine, store, monkeypatch, tmp_path):
    first_kernel(engine, store)
    path = store.path(identity(engine))
    real_open = os.open

    def refuse(name, *args, **kwargs):
        if os.fspath(name) == os.fspath(path):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(os, "open", refuse)  # what a file of mode 000 gives a user who is not root
        assert store.load(identity(engine)) is None and store.last_miss == "unreadable: Permission denied"
    target = tmp_path / "elsewhere"
    target.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(target)  # never read through a link
    index = kernel(engine, store)
    tags_of(index)
    assert index.rebuilds == 1 and "unreadable" in index.full_reason
    index.close()
    assert not path.is_symlink() and store.load(identity(engine)) is not None


def test_a_fifo_is_not_opened_for_reading(engine, store):
    path = store.path(identity(engine))
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    assert store.load(identity(engine)) is None and store.last_miss == "not a regular file of this user"


def test_an_older_snapshot_never_replaces_a_newer_one(engine, store, monkeypatch):
    monkeypatch.setattr(index_module, "SAVE_INTERVAL", 3600.0)
    old = kernel(engine, store)
    old._saved_at = time.monotonic()  # kernel A lists first and saves only when it closes, after B (no race)
    old.current()
    new = first_kernel(engine, store)  # kernel B's later view is saved
    newest = store.header(identity(engine))
    old.close()
    assert store.header(identity(engine)) == newest and new.saves == 1


def test_a_snapshot_ahead_of_the_engines_clock_is_refused_and_replaced(engine, store):
    first_kernel(engine, store)
    engine.clock -= 500  # the engine's clock went back (or the file came from elsewhere)
    engine.tag(2, "later:1")
    index = kernel(engine, store)
    tags_of(index)
    assert index.rebuilds == 1 and index.full_reason == "snapshot: newer than the engine's clock"
    index.close()
    again = kernel(engine, store)
    tags_of(again)
    assert again.resumes == 1 and again.rebuilds == 0  # replaced although its cursor looked older


def test_saves_wait_for_the_interval_and_close_saves_what_is_pending(engine, store, monkeypatch):
    monkeypatch.setattr(index_module, "SAVE_INTERVAL", 3600.0)
    index = kernel(engine, store)
    index.current()
    index._saver.join(5)  # the first save starts at once, in the background
    assert index.saves == 1
    engine.tag(2, "moved:1")
    index.current()
    assert index._saver is not None and index._saver.is_alive() and index.saves == 1  # waits for the interval
    index.close()
    assert index.saves == 2 and index._saver is None
    saved = store.load(identity(engine))
    assert sorted(t for r in saved.rows for t in r["RepoTags"]) == ["app:1", "base:1", "moved:1"]


def test_two_kernels_writing_at_once_leave_a_whole_file(engine, store):
    first_kernel(engine, store)
    snapshot = store.load(identity(engine))
    errors = []

    def write(n: int) -> None:
        for _ in range(30):
            snapshot.cursor = {**snapshot.cursor, "until_ns": snapshot.cursor["until_ns"] + n}
            if not store.save(snapshot):
                errors.append(n)

    threads = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        assert store.load(identity(engine)) is not None, store.last_miss  # a reader never sees half a file
    assert not errors
    assert not [p for p in store.path(identity(engine)).parent.iterdir() if p.name.endswith(".tmp")]


def test_the_store_never_raises_on_a_folder_it_cannot_write(engine, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    store = SnapshotStore(blocked)  # a file where the folder should be
    index = kernel(engine, store)
    tags_of(index)
    index.close()
    assert index.saves == 0 and store.load(identity(engine)) is None


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_MAGICS_CACHE", str(tmp_path / "moved"))
    assert SnapshotStore().folder == tmp_path / "moved"
    monkeypatch.delenv("DOCKER_MAGICS_CACHE")
    import platformdirs

    assert SnapshotStore().folder == snapshot_module.Path(platformdirs.user_cache_dir("docker_magics", appauthor=False))


def test_snapshot_round_trip():
    cursor = {"until_ns": 5, "anchor": [4, "image", "tag", "x"], "anchor_ns": 4, "seen": [], "offset": 0,
              "cache": None}
    saved = Snapshot(EngineIdentity("I", "/r", "n"), "1.45", True, [{"Id": "sha256:1"}], {"sha256:1": 7}, cursor, 1)
    assert Snapshot.from_bytes(saved.to_bytes()) == saved
    from docker_magics.engine.index.store import cursor_from_plain, cursor_to_plain

    plain = {**cursor, "cache": [["a", 1, "t"]], "seen": [[4, "image", "tag", "x"]]}
    assert cursor_to_plain(cursor_from_plain(plain)) == plain
    odd = {**cursor, "seen": [[4, "image", "tag", None], [4, "image", "tag", "x"]]}  # an event without an actor
    assert cursor_from_plain(cursor_to_plain(cursor_from_plain(odd))) == cursor_from_plain(odd)
