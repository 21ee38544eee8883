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
