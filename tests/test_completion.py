"""Completion of %docker lines: pure logic with a stand-in reference list."""

from __future__ import annotations

import threading
import time

import pytest

from docker_magics.completion import ReferenceCache, candidates, complete

REFS = ["dmtest/app:1.0", "dmtest/app:2.0", "dmtest/tiny:1.0", "0123456789ab"]


def refs() -> list[str]:
    return REFS


@pytest.mark.parametrize(("line", "expected"), [
    ("im", ["image", "images", "import"]),
    ("image ", ["build", "diff", "files", "history", "import", "inspect", "layers", "list", "load", "ls", "prune",
                "pull", "push", "remove", "rm", "save", "sbom", "tag", "tags"]),
    ("image l", ["layers", "list", "load", "ls"]),
    ("images --d", ["--digests"]),
    ("image ls --no", ["--no-trunc", "--no-index"]),
    ("images -f dang", ["dangling=true", "dangling=false"]),
    ("--ho", ["--host"]),
    ("-H unix:///x ima", ["image", "images"]),
    ("inspect dmtest/app", ["dmtest/app:1.0", "dmtest/app:2.0"]),
    ("rmi -f 0123", ["0123456789ab"]),
    ("history --format j", ["json"]),
    ("login ", []),
    ("context ", ["ls", "list", "use"]),
])
def test_candidates(line, expected):
    typed = line.split(" ")
    words, current = [w for w in typed[:-1] if w], typed[-1]
    assert sorted(candidates(words, current, refs)) == sorted(expected)


def test_complete_cuts_at_ipythons_token():
    assert complete("%docker inspect dmtest/app:", "", refs) == ["1.0", "2.0"]
    assert complete("%docker tag dmtest/ti", "dmtest/ti", refs) == ["dmtest/tiny:1.0"]


def test_slow_engine_never_blocks_a_keystroke():
    release = threading.Event()

    def slow_fetch():
        release.wait(5)
        return [{"Id": "sha256:" + "ab" * 32, "RepoTags": ["slow/app:1"]}]

    cache = ReferenceCache(slow_fetch, timeout=0.05)
    start = time.monotonic()
    assert cache.get() == []  # the engine has not answered: the keystroke goes on without it
    assert time.monotonic() - start < 1.0
    release.set()
    cache._worker.join(5)
    assert cache.get() == ["slow/app:1", "abababababab"]


def test_failing_engine_gives_no_completions():
    def broken():
        raise RuntimeError("engine down")

    assert ReferenceCache(broken, timeout=0.5).get() == []


def test_a_new_kernel_offers_the_saved_references_without_waiting_for_the_engine():
    release = threading.Event()

    def slow_fetch():
        release.wait(5)
        return [{"Id": "sha256:" + "cd" * 32, "RepoTags": ["now/app:2"]}]

    asked = []
    cache = ReferenceCache(slow_fetch, timeout=5.0, saved=lambda: asked.append(1) or ["saved/app:1"])
    start = time.monotonic()
    assert cache.get() == ["saved/app:1"] and cache.provisional
    assert time.monotonic() - start < 1.0  # did not wait the 5 s timeout for the engine
    release.set()
    cache._worker.join(5)
    assert cache.get() == ["now/app:2", "cdcdcdcdcdcd"] and not cache.provisional
    cache.stamp = 0.0
    assert cache.get() == ["now/app:2", "cdcdcdcdcdcd"] and asked == [1]  # the saved ones are read once


def test_saved_references_that_fail_to_read_are_no_completions():
    def broken():
        raise OSError("unreadable")

    cache = ReferenceCache(lambda: [], timeout=0.5, saved=broken)
    assert cache.get() == [] and not cache.provisional


def test_the_saved_references_of_the_default_engine(tmp_path, monkeypatch):
    import docker_magics
    from docker_magics.engine.index.snapshot import EngineIdentity, Snapshot, SnapshotStore
    from docker_magics.session import Session, Settings

    monkeypatch.setenv("DOCKER_MAGICS_CACHE", str(tmp_path))
    host = "unix:///run/saved.sock"
    cursor = {"until_ns": 1, "anchor": None, "anchor_ns": 0, "seen": [], "offset": 0, "cache": None}
    snapshot = Snapshot(EngineIdentity("I", "/r", "n"), "1.45", True, [], {}, cursor, 0)
    assert SnapshotStore().save(snapshot, host=host, references=["saved/app:1", "0123456789ab"])
    session = Session(Settings(host=host))
    assert docker_magics._saved_references(session) == ["saved/app:1", "0123456789ab"]
    assert docker_magics._saved_references(Session(Settings(host="unix:///run/other.sock"))) is None
    assert docker_magics._saved_references(Session(Settings(host=host, index=False))) is None  # the index is off
