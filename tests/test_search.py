"""search and tags: the grammar, filter syntax, and the frames built from API payloads (no engine)."""

from __future__ import annotations

import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from docker_magics import grammar
from docker_magics.commands import search as cmd
from docker_magics.errors import Interrupted, UsageError
from docker_magics.views import search as views

RESULTS = [
    {"name": "acme/web", "description": "A web server\nwith a description much longer than forty-five characters",
     "star_count": 12, "is_official": False, "is_automated": True},
    {"name": "acme", "description": None, "star_count": 999, "is_official": True, "is_automated": False},
]


def test_grammar_routes_search_and_tags():
    search = grammar.parse("search -f stars=3 --filter is-official=true --limit 5 --no-trunc acme")
    assert (search.verb, search.term, search.filter, search.limit, search.no_trunc) == \
        ("search", "acme", ["stars=3", "is-official=true"], 5, True)
    assert grammar.parse("search --registry 127.0.0.1:5000 team/").registry == "127.0.0.1:5000"
    for line in ("tags --limit 2 reg:5000/a", "image tags --limit 2 reg:5000/a"):
        tags = grammar.parse(line)
        assert (tags.verb, tags.repository, tags.limit) == ("tags", "reg:5000/a", 2)
    assert grammar.verb_named("tags").handler is cmd.tags


def test_filters_syntax_checked_here_values_by_the_engine():
    assert cmd.parse_search_filters(["stars=3", "is-official=true", "IS-OFFICIAL=false"]) == \
        {"stars": ["3"], "is-official": ["true", "false"]}
    with pytest.raises(UsageError) as info:
        cmd.parse_search_filters(["stars"])
    assert info.value.line() == "bad format of filter 'stars' (expected name=value). Write -f stars=N or " \
                                "-f is-official=true."


def test_search_frame_is_typed_and_keeps_whole_descriptions():
    df = views.search_frame(RESULTS, engine="default")
    assert list(df.columns) == ["name", "description", "stars", "official"]
    assert str(df["stars"].dtype) == "int64" and str(df["official"].dtype) == "bool"
    assert df.description[0] == "A web server with a description much longer than forty-five characters"
    assert df.description[1] == ""
    assert df._display_copy().description[0] == "A web server with a description much longer …"
    assert len(df._display_copy().description[0]) == 45
    assert views.search_frame(RESULTS, no_trunc=True)._display_copy().description[0] == df.description[0]
    assert views.search_frame([]).empty


def test_tags_frame_types_and_unknowns():
    rows = [{"tag": "1", "digest": "sha256:" + "a" * 64, "size": 1234, "platforms": ["linux/amd64", "linux/arm64"],
             "created": "2024-05-06T07:08:09.123456789Z"},
            {"tag": "old", "digest": "sha256:" + "b" * 64, "size": None, "platforms": ["linux/amd64"],
             "created": "0001-01-01T00:00:00Z"}]
    df = views.tags_frame("reg:5000/team/app", rows)
    assert list(df.columns) == views.TAG_COLUMNS
    assert str(df["compressed_size"].dtype) == "Int64" and pd.isna(df["compressed_size"][1])
    assert isinstance(df["created"].dtype, pd.DatetimeTZDtype) and pd.isna(df["created"][1])
    assert df.platforms[0] == "linux/amd64, linux/arm64"
    assert df.digest[0] == "sha256:" + "a" * 64  # whole in the data; the display cuts it
    assert df._display_copy().digest[0].endswith("…")
    assert views.tags_frame("x", rows, no_trunc=True)._display_copy().digest[0] == df.digest[0]


@pytest.mark.parametrize(("text", "host"), [
    ("127.0.0.1:5000", "127.0.0.1:5000"), ("http://localhost:5000/", "localhost:5000"),
    ("index.docker.io", "docker.io"), ("[::1]:5000", "[::1]:5000")])
def test_registry_host(text, host):
    assert cmd._registry_host(text) == host


def test_bad_registry_host_is_one_line():
    with pytest.raises(UsageError) as info:
        cmd._registry_host("reg:5000/team")
    assert info.value.line() == ("'reg:5000/team' is not a registry host (expected HOST[:PORT], e.g. 127.0.0.1:5000). "
                                 "See '%docker search --help'.")


def _run(line: str):
    from docker_magics.session import Session

    return grammar.verb_named(grammar.parse(line).verb).handler(grammar.parse(line), Session())


def test_usage_errors_before_any_network():
    with pytest.raises(UsageError, match=r'^"search" requires exactly 1 argument\.'):
        _run("search")
    with pytest.raises(UsageError, match=r'^"tags" requires exactly 1 argument\.'):
        _run("tags")
    with pytest.raises(UsageError) as info:
        _run("tags reg:5000/a@sha256:" + "a" * 64)
    assert info.value.line() == (f"'reg:5000/a@sha256:{'a' * 64}' names a digest; 'tags' lists a repository's tags. "
                                 "Write the repository alone: '%docker tags reg:5000/a'.")
    with pytest.raises(UsageError, match=r"^--filter does not apply to --registry"):
        _run("search --registry reg:5000 -f stars=1")


def test_format_renders_the_results():
    assert cmd._format(grammar.parse("search --format '{{.Name}}' x"), RESULTS) == "acme/web\nacme\n"


class _Slow(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(3)
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_ctrl_c_stops_a_listing_cleanly():
    """SIGINT while the registry is slow: one line at once, and the next command works."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_address[1]}"
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    started = time.monotonic()
    try:
        with pytest.raises(Interrupted) as info:
            _run(f"tags {host}/slow/app")
    finally:
        server.shutdown()
        server.server_close()
    assert time.monotonic() - started < 2
    assert info.value.line() == f"Interrupted while listing the tags of {host}/slow/app; nothing was changed."
    with pytest.raises(UsageError):
        _run("tags")
