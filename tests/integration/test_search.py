"""``%docker search`` against the real engine, and registry browsing against the real registry.

The v1 search side is a small search index served here on loopback (stdlib http.server): the real
engine queries it, as it would query Docker Hub, and the real CLI queries it too for comparison.
Catalog and tags run against the sandbox's authenticated docker-registry, filled with the real CLI.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from docker_magics.commands import search as search_command
from docker_magics.engine.registry.api import RegistryClient
from docker_magics.engine.registry.credentials import login_for
from docker_magics.errors import ImageNotFoundError, RegistryAuthError, RegistryError, UsageError

# Ascending stars on purpose: the order must be the index's, as the CLI shows it.
INDEX = [
    {"name": "acme/tool", "description": "", "star_count": 0, "is_official": False, "is_automated": False},
    {"name": "acme/web", "description": "A web server\nwith a description much longer than forty-five "
                                        "characters", "star_count": 12, "is_official": False,
     "is_automated": True},
    {"name": "acme", "description": "The official acme image", "star_count": 999, "is_official": True,
     "is_automated": False},
    {"name": "other/thing", "description": "Nothing to do with it", "star_count": 3, "is_official": False,
     "is_automated": False},
]


class _SearchIndex(BaseHTTPRequestHandler):
    """A registry's v1 search API: /v1/_ping and /v1/search?q=TERM&n=N; 401 for every path under /locked."""

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/v1/_ping":
            self._send(200, b"true")
        elif url.path == "/v1/search" and query.get("q", [""])[0].startswith("locked"):
            self._send(401, b'{"error": "authentication required"}')
        elif url.path == "/v1/search":
            term, limit = query.get("q", [""])[0], int(query.get("n", ["25"])[0])
            found = [r for r in INDEX if term in r["name"]][:limit]
            self._send(200, json.dumps({"num_results": len(found), "query": term, "results": found}).encode())
        else:
            self._send(404, b"{}")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # the engine first tries TLS here: keep its noise out of the output
        pass


@pytest.fixture(scope="module")
def index():
    """The search index's address, 127.0.0.1:PORT (the engine treats 127.0.0.0/8 as insecure: plain HTTP)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SearchIndex)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def cli_search(sandbox, *args: str) -> list[tuple[str, int, bool]]:
    out = sandbox.cli("search", "--format", "{{.Name}}\t{{.StarCount}}\t{{.IsOfficial}}", *args).stdout
    rows = [line.split("\t") for line in out.splitlines() if line.strip()]
    return [(name, int(stars), official == "[OK]") for name, stars, official in rows]


@pytest.mark.parametrize("flags", ["", "--limit 2", "-f stars=3", "-f is-official=true", "-f is-official=false",
                                   "-f stars=1 -f is-official=false", "--no-trunc"])
def test_search_equals_cli(ip, sandbox, index, flags):
    df = ip.run_line_magic("docker", f"search {flags} {index}/acme")
    assert list(df[["name", "stars", "official"]].itertuples(index=False, name=None)) == \
        cli_search(sandbox, *flags.split(), f"{index}/acme")
    assert list(df.columns) == ["name", "description", "stars", "official"]
    assert str(df["stars"].dtype) == "int64" and str(df["official"].dtype) == "bool"


def test_search_descriptions_whole_display_cut_like_cli(ip, sandbox, index):
    df = ip.run_line_magic("docker", f"search {index}/acme")
    full = sandbox.cli("search", "--no-trunc", "--format", "{{.Description}}", f"{index}/acme").stdout.splitlines()
    cut = sandbox.cli("search", "--format", "{{.Description}}", f"{index}/acme").stdout.splitlines()
    assert list(df.description) == full
    assert list(df._display_copy().description) == cut
    assert list(ip.run_line_magic("docker", f"search --no-trunc {index}/acme")._display_copy().description) == full


def test_search_errors_are_one_line(ip, sandbox, index):
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("docker", f"search -f stars {index}/acme")
    assert info.value.line() == "bad format of filter 'stars' (expected name=value). Write -f stars=N or " \
                                "-f is-official=true."
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("docker", f"search -f colour=red {index}/acme")
    assert info.value.line() == "Invalid filter 'colour'"
    with pytest.raises(RegistryError) as info:
        ip.run_line_magic("docker", f"search {sandbox.registry}/acme")
    assert info.value.line() == (f"The registry {sandbox.registry} has no search API (its v1 search answered "
                                 f"404). To fix it, browse its repositories with '%docker search --registry "
                                 f"{sandbox.registry}'.")
    with pytest.raises(RegistryAuthError) as info:
        ip.run_line_magic("docker", f"search {index}/locked")
    assert info.value.line() == (f"The registry {index} refused the search for 'locked' (401). To fix it, "
                                 f"log in with '%docker login {index}'.")


def test_search_unreachable_index_is_one_line(ip):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RegistryError) as info:
        ip.run_line_magic("docker", f"search 127.0.0.1:{port}/acme")
    assert info.value.line() == (f"Cannot reach the registry 127.0.0.1:{port} to search for 'acme' (connection "
                                 "refused). To fix it, check the address and that the engine can reach it (no "
                                 "internet means no Docker Hub).")


# ---- browsing the real registry --------------------------------------------------------------

REPOS = {"browse/a": {"1": "dmtest/app:1.0", "2": "dmtest/app:2.0", "3": "dmtest/tiny:1.0", "latest": "dmtest/app:2.0"},
         "browse/b": {"1": "dmtest/tiny:1.0"}, "browse/c": {"1": "dmtest/app:1.0"}}


@pytest.fixture(scope="module")
def browse(sandbox):
    """browse/a (4 tags), browse/b, browse/c and browse/multi:1 (a manifest list), pushed with the real CLI."""
    reg = sandbox.registry
    sandbox.cli("login", "-u", sandbox.user, "--password-stdin", reg, input=sandbox.password)
    refs = []
    for repo, tags in REPOS.items():
        for tag, source in tags.items():
            refs.append(f"{reg}/{repo}:{tag}")
            sandbox.cli("tag", source, refs[-1])
            sandbox.cli("push", "-q", refs[-1])
    multi = f"{reg}/browse/multi:1"
    sandbox.cli("manifest", "create", "--insecure", multi, f"{reg}/browse/b:1", f"{reg}/browse/c:1")
    sandbox.cli("manifest", "annotate", "--arch", "arm64", "--variant", "v8", multi, f"{reg}/browse/c:1")
    pushed = sandbox.cli("manifest", "push", "--insecure", "--purge", multi).stdout.split()[-1]
    yield {"multi_digest": pushed}
    sandbox.cli("rmi", *refs, check=False)


def test_catalog_lists_repositories_with_prefix(ip, sandbox, browse):
    df = ip.run_line_magic("docker", f"search --registry {sandbox.registry} browse/")
    expected = [f"{sandbox.registry}/{r}" for r in ("browse/a", "browse/b", "browse/c", "browse/multi")]
    assert list(df.name) == expected
    assert list(ip.run_line_magic("docker", f"search --registry {sandbox.registry} --limit 2 browse/").name) == \
        expected[:2]
    # TERM may carry the host too; http:// or a trailing slash on --registry is forgiven.
    assert list(ip.run_line_magic("docker", f"search --registry http://{sandbox.registry}/ "
                                            f"{sandbox.registry}/browse/b").name) == expected[1:2]


def _counting_client(sandbox, page_size: int) -> tuple[RegistryClient, list[str]]:
    import requests

    session = requests.Session()
    urls: list[str] = []
    session.hooks["response"].append(lambda response, *args, **kwargs: urls.append(response.request.path_url))
    creds = login_for(sandbox.registry)
    return RegistryClient(sandbox.registry, creds, page_size=page_size, session=session), urls


def test_catalog_pages_through_the_real_registry(sandbox, browse):
    client, urls = _counting_client(sandbox, page_size=2)
    names = client.catalog("browse/")
    assert names == ["browse/a", "browse/b", "browse/c", "browse/multi"]
    pages = [u for u in urls if u.startswith("/v2/_catalog")]
    assert len(pages) >= 3 and "last=" in pages[-1]  # ≥ 5 repositories in pages of 2: the Link header was followed
    everything = RegistryClient(sandbox.registry, login_for(sandbox.registry)).catalog()
    assert client.catalog() == everything


def test_catalog_paging_through_the_magic(ip, sandbox, browse, monkeypatch):
    monkeypatch.setattr(search_command, "PAGE_SIZE", 1)
    df = ip.run_line_magic("docker", f"search --registry {sandbox.registry} browse/")
    assert len(df) == 4


def _manifest(sandbox, ref: str) -> dict:
    return json.loads(sandbox.cli("manifest", "inspect", "--insecure", ref).stdout)


def test_tags_frame_matches_registry_and_engine(ip, sandbox, browse):
    df = ip.run_line_magic("docker", f"tags {sandbox.registry}/browse/a")
    assert list(df.columns) == ["repository", "tag", "digest", "compressed_size", "platforms", "created"]
    assert list(df.tag) == ["1", "2", "3", "latest"]
    assert str(df["compressed_size"].dtype) == "Int64" and isinstance(df["created"].dtype, pd.DatetimeTZDtype)
    api = sandbox.api()
    for row in df.itertuples(index=False):
        ref = f"{sandbox.registry}/browse/a:{row.tag}"
        image = api.inspect_image(REPOS["browse/a"][row.tag])
        assert f"{sandbox.registry}/browse/a@{row.digest}" in image["RepoDigests"]
        manifest = _manifest(sandbox, ref)
        assert row.compressed_size == manifest["config"]["size"] + sum(layer["size"] for layer in manifest["layers"])
        assert row.platforms == f"{image['Os']}/{image['Architecture']}"
        assert row.created == pd.Timestamp(image["Created"])
        assert row.repository == f"{sandbox.registry}/browse/a"


def test_tags_of_a_manifest_list(ip, sandbox, browse):
    df = ip.run_line_magic("docker", f"image tags --no-trunc {sandbox.registry}/browse/multi")
    (row,) = df.itertuples(index=False)
    assert row.digest == browse["multi_digest"]
    assert row.platforms == "linux/amd64, linux/arm64/v8"
    amd64 = ip.run_line_magic("docker", f"tags {sandbox.registry}/browse/b:1").iloc[0]
    # the linux/amd64 image's
    assert row.compressed_size == amd64["compressed_size"] and row.created == amd64["created"]


def test_tags_limit_and_single_tag(ip, sandbox, browse):
    assert list(ip.run_line_magic("docker", f"tags --limit 2 {sandbox.registry}/browse/a").tag) == ["1", "2"]
    one = ip.run_line_magic("docker", f"tags {sandbox.registry}/browse/a:latest")
    assert list(one.tag) == ["latest"]
    assert one.digest[0] == ip.run_line_magic("docker", f"tags {sandbox.registry}/browse/a:2").digest[0]


def test_tags_display_is_human(ip, sandbox, browse):
    html = ip.run_line_magic("docker", f"tags {sandbox.registry}/browse/a")._repr_html_()
    assert "ago" in html and "kB" in html and "…" in html


def test_anonymous_access_fails_in_one_line(ip, sandbox, browse, tmp_path):
    reg = sandbox.registry
    with pytest.raises(RegistryAuthError) as info:
        ip.run_line_magic("docker", f"--config {tmp_path} tags {reg}/browse/a")
    assert info.value.line() == (f"The registry {reg} asks for credentials to list the tags of browse/a, and none "
                                 f"are stored for it. To fix it, log in with '%docker login {reg}' (or 'docker "
                                 f"login {reg}').")
    with pytest.raises(RegistryAuthError) as info:
        ip.run_line_magic("docker", f"--config {tmp_path} search --registry {reg}")
    assert info.value.line().startswith(f"The registry {reg} asks for credentials to list its repositories,")


def test_wrong_credentials_fail_in_one_line(ip, sandbox, browse, tmp_path):
    import base64

    reg = sandbox.registry
    auth = base64.b64encode(f"{sandbox.user}:wrong".encode()).decode()
    (tmp_path / "config.json").write_text(json.dumps({"auths": {reg: {"auth": auth}}}))
    with pytest.raises(RegistryAuthError) as info:
        ip.run_line_magic("docker", f"--config {tmp_path} tags {reg}/browse/a")
    assert info.value.line() == (f"The registry {reg} refused the stored credentials of '{sandbox.user}' to list "
                                 f"the tags of browse/a. To fix it, log in again with '%docker login {reg}' (or "
                                 f"'docker login {reg}').")


def test_missing_repository_and_tag_are_one_line(ip, sandbox, browse):
    reg = sandbox.registry
    with pytest.raises(ImageNotFoundError) as info:
        ip.run_line_magic("docker", f"tags {reg}/browse/nothing")
    assert info.value.line() == (f"No repository 'browse/nothing' in the registry {reg}. To fix it, list its "
                                 f"repositories with '%docker search --registry {reg}'.")
    with pytest.raises(ImageNotFoundError) as info:
        ip.run_line_magic("docker", f"tags {reg}/browse/a:9")
    assert info.value.line() == (f"No tag '9' in browse/a at the registry {reg}. To fix it, list its tags with "
                                 f"'%docker tags {reg}/browse/a'.")


def test_unreachable_registry_is_one_line(ip):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RegistryError) as info:
        ip.run_line_magic("docker", f"search --registry 127.0.0.1:{port}")
    assert info.value.line() == (f"Cannot reach the registry 127.0.0.1:{port} at http://127.0.0.1:{port} "
                                 "(connection refused). To fix it, check the address and that the registry runs.")
    with pytest.raises(RegistryError) as info:
        ip.run_line_magic("docker", f"tags 127.0.0.1:{port}/x/y")
    assert "connection refused" in info.value.line()


FORMATS = ["{{.Name}}\t{{.StarCount}}\t{{.IsOfficial}}", "table {{.Name}}\t{{.Description}}", "json",
           "{{.Description}}"]


@pytest.mark.parametrize("template", FORMATS)
def test_search_format_prints_what_the_cli_prints(ip, sandbox, index, template):
    for flags in ("", "--no-trunc "):
        out = ip.run_line_magic("docker", f"search {flags}--format '{template}' {index}/acme")
        assert out == sandbox.cli("search", *flags.split(), "--format", template, f"{index}/acme").stdout
