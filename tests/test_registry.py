"""registry_api: addresses, challenges, paging, the stored credentials, and the Bearer token flow.

The token flow runs against a small registry with a token service served here on loopback (the
sandbox's docker-registry speaks only Basic): real HTTP, no mock of requests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from docker_magics.engine import search
from docker_magics.engine.registry import api as ra
from docker_magics.engine.registry import credentials
from docker_magics.engine.registry.credentials import Credentials
from docker_magics.errors import ImageNotFoundError, RegistryAuthError, RegistryError


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1:5000", True), ("127.1.2.3", True), ("localhost:5000", True), ("localhost", True),
    ("[::1]:5000", True), ("::1", True), ("registry.example.com", False), ("10.0.0.1:5000", False),
    ("registry-1.docker.io", False)])
def test_loopback_registries_use_plain_http(host, loopback):
    assert ra.is_loopback(host) is loopback
    assert ra.base_url(host) == ("http://" if loopback else "https://") + host


def test_docker_hub_api_host():
    assert ra.api_host("docker.io") == "registry-1.docker.io"
    assert ra.api_host("index.docker.io") == "registry-1.docker.io"
    assert ra.api_host("127.0.0.1:5000") == "127.0.0.1:5000"


def test_parse_challenge():
    assert ra.parse_challenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
                              'scope="repository:library/nginx:pull"') == (
        "bearer", {"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                   "scope": "repository:library/nginx:pull"})
    assert ra.parse_challenge('Basic realm="test"') == ("basic", {"realm": "test"})
    assert ra.parse_challenge("") == ("", {})


def test_next_link():
    assert ra.next_link('</v2/_catalog?last=b&n=2>; rel="next"') == "/v2/_catalog?last=b&n=2"
    assert ra.next_link('<https://x/v2/a/tags/list?n=1&last=c>; rel=next') == "https://x/v2/a/tags/list?n=1&last=c"
    assert ra.next_link('</x>; rel="prev"') is None
    assert ra.next_link(None) is None


@pytest.mark.parametrize(("term", "split"), [
    ("acme", ("docker.io", "acme")), ("acme/web", ("docker.io", "acme/web")),
    ("127.0.0.1:5000/acme", ("127.0.0.1:5000", "acme")), ("localhost/acme", ("localhost", "acme")),
    ("registry.example.com/a/b", ("registry.example.com", "a/b")), ("index.docker.io/acme", ("docker.io", "acme"))])
def test_split_search_term_like_the_engine(term, split):
    assert search.split_search_term(term) == split


def test_search_error_lines():
    line = search.search_error("Unexpected status code 404", "127.0.0.1:5000/acme").line()
    assert line == ("The registry 127.0.0.1:5000 has no search API (its v1 search answered 404). To fix it, browse "
                    "its repositories with '%docker search --registry 127.0.0.1:5000'.")
    hub = search.search_error('Get "https://index.docker.io/v1/search?q=nginx&n=25": dial tcp: lookup '
                              'index.docker.io on 10.0.0.53:53: no such host', "nginx")
    assert hub.line() == ("Cannot reach Docker Hub (index.docker.io) to search for 'nginx' (the name does not "
                          "resolve). To fix it, check the address and that the engine can reach it (no internet "
                          "means no Docker Hub).")
    assert search.search_error("Unexpected status code 401", "acme").line() == (
        "Docker Hub (index.docker.io) refused the search for 'acme' (401). To fix it, log in with '%docker login'.")
    assert search.search_error("Invalid filter 'x'", "acme") is None


# ---- stored credentials ----------------------------------------------------------------------


def _config(folder, data: dict) -> None:
    (folder / "config.json").write_text(json.dumps(data))


def _auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def _pair(creds: Credentials | None) -> tuple[str, str] | None:
    return (creds.username, creds.password) if creds is not None else None


def test_credentials_from_auths(tmp_path):
    _config(tmp_path, {"auths": {"127.0.0.1:5000": {"auth": _auth("me", "pw")},
                                 "https://index.docker.io/v1/": {"auth": _auth("hubber", "hubpw")}}})
    assert _pair(credentials.login_for("127.0.0.1:5000", tmp_path)) == ("me", "pw")
    assert _pair(credentials.login_for("docker.io", tmp_path)) == ("hubber", "hubpw")
    assert credentials.login_for("127.0.0.1:6000", tmp_path) is None
    assert credentials.login_for("127.0.0.1:5000", tmp_path / "nowhere") is None


def test_credentials_from_a_helper(tmp_path, monkeypatch):
    helper = tmp_path / "bin" / "docker-credential-dmfake"
    helper.parent.mkdir()
    helper.write_text('#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = "reg.example:5000" ] && '
                      'echo \'{"ServerURL":"reg.example:5000","Username":"helped","Secret":"s3cret"}\' && exit 0\n'
                      'echo "credentials not found in native keychain"; exit 1\n')
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{helper.parent}:/usr/bin:/bin")
    _config(tmp_path, {"auths": {}, "credsStore": "dmfake"})
    assert _pair(credentials.login_for("reg.example:5000", tmp_path)) == ("helped", "s3cret")
    assert credentials.login_for("other.example", tmp_path) is None
    _config(tmp_path, {"credHelpers": {"reg.example:5000": "dmfake"}})
    assert _pair(credentials.login_for("reg.example:5000", tmp_path)) == ("helped", "s3cret")
    # The CLI's default helper (pass, secretservice) when config.json names none: one reader sees it too.
    monkeypatch.setattr(credentials, "_default_store", lambda: "dmfake")
    _config(tmp_path, {"auths": {}})
    assert _pair(credentials.login_for("reg.example:5000", tmp_path)) == ("helped", "s3cret")


# ---- a registry with a token service, on loopback --------------------------------------------

CONFIG = json.dumps({"created": "2024-05-06T07:08:09.123456789Z", "os": "linux", "architecture": "amd64"}).encode()
CONFIG_DIGEST = "sha256:" + hashlib.sha256(CONFIG).hexdigest()
IMAGE = json.dumps({"schemaVersion": 2, "mediaType": ra.OCI_MANIFEST,
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(CONFIG),
                               "digest": CONFIG_DIGEST},
                    "layers": [{"size": 1000, "digest": "sha256:" + "1" * 64},
                               {"size": 234, "digest": "sha256:" + "2" * 64}]}).encode()
IMAGE_DIGEST = "sha256:" + hashlib.sha256(IMAGE).hexdigest()
INDEX = json.dumps({"schemaVersion": 2, "mediaType": ra.OCI_INDEX, "manifests": [
    {"digest": "sha256:" + "a" * 64, "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
    {"digest": IMAGE_DIGEST, "platform": {"os": "linux", "architecture": "amd64"}},
    {"digest": "sha256:" + "b" * 64, "platform": {"os": "unknown", "architecture": "unknown"}}]}).encode()
TAGS = ["a", "b", "c", "d", "e"]
USER, PASSWORD, REFRESH = "bob", "hunter2", "refresh-me"


class _TokenRegistry(BaseHTTPRequestHandler):
    tokens: ClassVar[list[dict]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v if k == "scope" else v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/token":
            return self._token(query, self.headers.get("Authorization"))
        name = re.match(r"/v2/(.+?)/(tags|manifests|blobs)/", url.path)
        scope = f"repository:{name.group(1)}:pull" if name else "registry:catalog:*"
        granted = (self.headers.get("Authorization") or "").removeprefix("Bearer tok ").split(" ")
        if scope not in granted:
            realm = f"http://127.0.0.1:{self.server.server_address[1]}/token"
            return self._send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {
                "WWW-Authenticate": f'Bearer realm="{realm}",service="fake",scope="{scope}"'})
        if url.path in ("/v2/team/app/tags/list", "/v2/_catalog"):
            items = TAGS if "tags" in url.path else [f"team/{t}" for t in TAGS]
            rest = [t for t in items if t > query.get("last", "")]
            page, n = rest[:int(query.get("n", 100))], int(query.get("n", 100))
            link = {"Link": f'<{url.path}?n={n}&last={page[-1]}>; rel="next"'} if len(rest) > n else {}
            key = "tags" if "tags" in url.path else "repositories"
            return self._send(200, json.dumps({key: page}).encode(), link)
        if url.path == "/v2/team/app/manifests/multi":
            return self._send(200, INDEX, {"Content-Type": ra.OCI_INDEX})
        if url.path.startswith("/v2/team/app/manifests/"):  # every other tag, and the amd64 digest
            return self._send(200, IMAGE, {"Content-Type": ra.OCI_MANIFEST, "Docker-Content-Digest": IMAGE_DIGEST})
        if url.path == f"/v2/team/app/blobs/{CONFIG_DIGEST}":
            return self._send(200, CONFIG)
        return self._send(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]}')

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        query = {"service": form["service"][0], "scope": form["scope"][0].split(" "), "grant": form["grant_type"][0]}
        self._token(query, None, form.get("refresh_token", [""])[0] == REFRESH)

    def _token(self, query: dict, authorization: str | None, refreshed: bool = False) -> None:
        self.tokens.append({**query, "authorization": authorization})
        if not refreshed and authorization != "Basic " + _auth(USER, PASSWORD):
            return self._send(401, b'{"details":"incorrect username or password"}')
        self._send(200, json.dumps({"token": "tok " + " ".join(query["scope"])}).encode())

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def token_registry():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenRegistry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


_LOGGED_IN = object()


def _client(host: str, creds: Credentials | object | None = _LOGGED_IN, **kwargs) -> ra.RegistryClient:
    return ra.RegistryClient(host, Credentials(host, USER, PASSWORD) if creds is _LOGGED_IN else creds, **kwargs)


def test_bearer_flow_and_paging(token_registry):
    _TokenRegistry.tokens.clear()
    client = _client(token_registry, page_size=2)
    assert client.tags("team/app") == TAGS
    assert client.tags("team/app", limit=3) == ["a", "b", "c"]
    assert client.catalog("team/") == [f"team/{t}" for t in TAGS]
    # One token per scope, asked with the challenge's service and scope, the account and Basic credentials.
    assert [t["scope"] for t in _TokenRegistry.tokens] == [["repository:team/app:pull"], ["registry:catalog:*"]]
    assert _TokenRegistry.tokens[0]["service"] == "fake" and _TokenRegistry.tokens[0]["account"] == USER


def test_tag_info_of_an_index_and_of_an_image(token_registry):
    client = _client(token_registry)
    multi = client.tag_info("team/app", "multi")
    assert multi == {"tag": "multi", "digest": "sha256:" + hashlib.sha256(INDEX).hexdigest(),
                     "media_type": ra.OCI_INDEX, "size": len(CONFIG) + 1234,
                     "platforms": ["linux/arm64/v8", "linux/amd64"], "created": "2024-05-06T07:08:09.123456789Z"}
    rows = client.tag_infos("team/app", ["a", "b", "c"])
    assert [r["tag"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["digest"] == IMAGE_DIGEST and rows[0]["platforms"] == ["linux/amd64"]


def test_identity_token_uses_the_oauth_refresh_grant(token_registry):
    _TokenRegistry.tokens.clear()
    assert _client(token_registry, Credentials(token_registry, "", identity_token=REFRESH)).tags("team/app") == TAGS
    assert _TokenRegistry.tokens[-1]["grant"] == "refresh_token"


def test_auth_failures_are_one_line(token_registry):
    with pytest.raises(RegistryAuthError) as info:
        _client(token_registry, None).tags("team/app")
    assert info.value.line() == (f"The registry {token_registry} asks for credentials to list the tags of team/app, "
                                 f"and none are stored for it. To fix it, log in with '%docker login "
                                 f"{token_registry}' (or 'docker login {token_registry}').")
    with pytest.raises(RegistryAuthError) as info:
        _client(token_registry, Credentials(token_registry, USER, "wrong")).catalog()
    assert info.value.line() == (f"The registry {token_registry} refused the stored credentials of 'bob' to list "
                                 f"its repositories. To fix it, log in again with '%docker login "
                                 f"{token_registry}' (or 'docker login {token_registry}').")


def test_unknown_repository_is_one_line(token_registry):
    with pytest.raises(ImageNotFoundError, match=r"^No repository 'team/none' in the registry "):
        _client(token_registry).blob_json("team/none", CONFIG_DIGEST)


def test_docker_hub_has_no_catalog():
    with pytest.raises(RegistryError) as info:
        ra.RegistryClient("docker.io").catalog()
    assert info.value.line() == ("Docker Hub does not list its repositories (no v2 catalog). To fix it, list one "
                                 "repository's tags with '%docker tags REPOSITORY', or search with "
                                 "'%docker search TERM'.")
