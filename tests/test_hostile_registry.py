"""Registries that answer badly, by accident or on purpose: one line, bounded, and the login stays home.

Each test serves its own registry stand-in on loopback (tests/loopback.py: its own lifetime and request
cap) and runs ``%docker tags`` or ``%docker search --registry`` through the magic with a DOCKER_CONFIG of
its own holding a login for the stand-in.
"""

from __future__ import annotations

import base64
import json
import socket
import time
import tracemalloc

import pandas as pd
import pytest
from support.loopback import Loopback, Reply, drip
from support.registry_standin import OCI_INDEX, StandIn, config_blob, digest_of, image_manifest

from docker_magics.commands import search as search_commands
from docker_magics.engine.registry import api as registry
from docker_magics.errors import DockerMagicError, RegistryAuthError, RegistryError

USER, SECRET = "alice", "Sekr3t pass\"word"


@pytest.fixture
def login(tmp_path, monkeypatch):
    """Store ``alice``'s login for the given hosts in a DOCKER_CONFIG of the test's own."""
    folder = tmp_path / "docker-config"
    folder.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))

    def store(*hosts: str) -> None:
        auth = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
        (folder / "config.json").write_text(json.dumps({"auths": {h: {"auth": auth} for h in hosts}}))

    return store


@pytest.fixture
def shell(ipshell):
    yield ipshell
    ipshell.run_line_magic("config", "DockerMagics.timeout = 60.0")


def run(shell, line: str):
    """The magic's result, or its one-line error (asserted to be one line)."""
    try:
        return shell.run_line_magic("docker", line)
    except DockerMagicError as exc:
        assert "\n" not in exc.line() and len(exc.line()) < 1000, exc.line()
        return exc


def standin(**fields) -> StandIn:
    return StandIn(user=USER, password=SECRET, **fields)


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# ---- credentials go only to their own host ----------------------------------------------------


def test_a_link_to_another_host_is_followed_without_the_login(shell, login):
    config = config_blob(created="2024-01-02T03:04:05Z")
    elsewhere = StandIn(tags={"name": "team/app", "tags": ["b"]})  # asks for nothing: a login would be a gift
    with Loopback(elsewhere, host="127.0.0.2", max_requests=20) as other:
        home = standin(link=f'<{other.url}/v2/team/app/tags/list?last=a>; rel="next"').with_image("a", config)
        home.with_image("b", config)
        with Loopback(home, max_requests=50) as server:
            login(server.host)
            df = run(shell, f"tags {server.host}/team/app")
    assert list(df.tag) == ["a", "b"]
    assert elsewhere.seen_authorization == [None]
    assert any(a and a.startswith("Basic ") for a in home.seen_authorization)


def test_another_hosts_challenge_is_not_answered(shell, login):
    token_service = StandIn()
    with Loopback(token_service, host="127.0.0.3", max_requests=5) as realm:
        elsewhere = StandIn(tags=Reply(401, {"errors": [{"code": "UNAUTHORIZED"}]},
                                       {"WWW-Authenticate": f'Bearer realm="{realm.url}/token",service="x"'}))
        with Loopback(elsewhere, host="127.0.0.2", max_requests=5) as other:
            home = standin(link=f'<{other.url}/v2/team/app/tags/list?last=a>; rel="next"')
            with Loopback(home, max_requests=20) as server:
                login(server.host)
                failed = run(shell, f"tags --limit 5 {server.host}/team/app")
    assert isinstance(failed, RegistryAuthError)
    assert failed.line() == (f"{other.host}, where the registry {server.host} sent docker_magics to list the tags "
                             f"of team/app, asks for credentials; the login stored for {server.host} is sent to "
                             f"{server.host} only. To fix it, ask the registry's operator; docker_magics will not "
                             "send your login elsewhere.")
    assert elsewhere.seen_authorization == [None] and token_service.seen_authorization == []


def test_the_token_realm_of_the_registrys_own_challenge_gets_the_login(shell, login):
    def token(request):
        return Reply(200, {"token": "tok-" + request.query["scope"][0]})

    with Loopback(token, host="127.0.0.3", max_requests=5) as realm:
        config = config_blob(created="2024-01-02T03:04:05Z")
        home = StandIn().with_image("a", config)

        def bearer(request):  # the registry asks for a token from a realm on another host, as Docker Hub does
            if request.headers.get("Authorization") != "Bearer tok-repository:team/app:pull":
                return Reply(401, {}, {"WWW-Authenticate": f'Bearer realm="{realm.url}/token",service="s"'})
            return home(request)

        with Loopback(bearer, max_requests=20) as server:
            login(server.host)
            df = run(shell, f"tags {server.host}/team/app")
    assert list(df.tag) == ["a"]
    basic = "Basic " + base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
    assert [r.headers.get("Authorization") for r in realm.requests] == [basic]  # as the CLI sends it
    assert not any(a == basic for a in home.seen_authorization)  # the registry itself gets the token only


def test_a_redirect_to_a_refused_host_names_that_host(shell, login):
    refused = f"127.0.0.4:{free_port('127.0.0.4')}"
    home = standin(manifests={"a": Reply(307, b"", {"Location": f"http://{refused}/v2/team/app/manifests/a"})})
    with Loopback(home, max_requests=20) as server:
        login(server.host)
        failed = run(shell, f"tags {server.host}/team/app")
    assert isinstance(failed, RegistryError)
    assert failed.line() == (f"Cannot reach {refused}, where the registry {server.host} sent docker_magics "
                             "(connection refused). To fix it, check the address and that the registry runs.")


# ---- shapes no registry should send ------------------------------------------------------------

CONFIG = config_blob(created="2024-01-02T03:04:05Z")
WEIRD = {
    "config without created": dict(config=config_blob()),
    "zero time": dict(config=config_blob(created="0001-01-01T00:00:00Z")),
    "created not a date": dict(config=config_blob(created="yesterday")),
    "created a number": dict(config=config_blob(created=1700000000)),
    "created February 30": dict(config=config_blob(created="2024-02-30T00:00:00Z")),
    "size not a number": dict(manifest=image_manifest(CONFIG, config={"size": "big", "digest": digest_of(CONFIG)})),
    "layers not a list": dict(manifest=image_manifest(CONFIG, layers="none")),
    "config a string": dict(manifest=image_manifest(CONFIG, config="cfg")),
    "index whose platform is a string": dict(manifest=json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [{"digest": "sha256:" + "a" * 64,
                                                                    "platform": "linux/amd64"}]}).encode()),
    "index of strings": dict(manifest=json.dumps({"mediaType": OCI_INDEX, "manifests": ["x", None]}).encode()),
    "schema 1 with a broken history": dict(manifest=json.dumps({"schemaVersion": 1, "history": "x"}).encode()),
}


@pytest.mark.parametrize("case", sorted(WEIRD))
def test_odd_but_readable_answers_leave_fields_unknown(shell, login, case):
    spec = WEIRD[case]
    config = spec.get("config", CONFIG)
    home = standin().with_image("a", config, spec.get("manifest"))
    with Loopback(home, max_requests=20) as server:
        login(server.host)
        df = run(shell, f"tags {server.host}/team/app")
    assert isinstance(df, pd.DataFrame), df
    assert list(df.tag) == ["a"]
    if case in {"config without created", "zero time", "created not a date", "created a number",
                "created February 30"}:
        assert pd.isna(df.created[0]) and df["compressed_size"][0] == len(config) + 1000
    if case == "size not a number":
        assert pd.isna(df["compressed_size"][0]) and df.created[0] == pd.Timestamp("2024-01-02T03:04:05Z")
    repr(df), df._repr_html_()  # displaying it works too


@pytest.mark.parametrize("manifest, said", [
    (b"<html>not json</html>", "with something that is not JSON"),
    (b"[1, 2, 3]", "with JSON that is not a manifest (a list)"),
    (b'"text"', "with JSON that is not a manifest (a str)"),
])
def test_a_manifest_that_is_not_one_is_one_line(shell, login, manifest, said):
    home = standin(manifests={"a": manifest})
    with Loopback(home, max_requests=20) as server:
        login(server.host)
        failed = run(shell, f"tags {server.host}/team/app")
    assert failed.line() == (f"The registry {server.host} answered read the manifest of team/app:a {said}. "
                             "To fix it, check that the address is a Docker registry.")


def test_a_tag_list_of_nulls_and_numbers_keeps_the_names(shell, login):
    home = standin(tags={"tags": [None, 1, "a", {"x": 1}, "a"]}).with_image("a", CONFIG)
    with Loopback(home, max_requests=20) as server:
        login(server.host)
        df = run(shell, f"tags {server.host}/team/app")
        home.tags = {"tags": "abc"}
        empty = run(shell, f"tags {server.host}/team/app")
        home.tags = [1, 2]
        listed = run(shell, f"tags {server.host}/team/app")
    assert list(df.tag) == ["a"] and len(empty) == 0 and len(listed) == 0


def test_a_catalog_holding_null_lists_the_names(shell, login):
    home = standin(catalog={"repositories": [None, "team/app", 7, ["x"], "team/web"]})
    with Loopback(home, max_requests=20) as server:
        login(server.host)
        df = run(shell, f"search --registry {server.host}")
        home.catalog = {"repositories": None}
        empty = run(shell, f"search --registry {server.host}")
    assert list(df.name) == [f"{server.host}/team/app", f"{server.host}/team/web"] and len(empty) == 0


# ---- bounded ----------------------------------------------------------------------------------


def test_a_link_loop_ends(shell, login, capsys):
    home = standin(link='</v2/team/app/tags/list?n=100>; rel="next"').with_image("a", CONFIG)
    with Loopback(home, max_requests=30) as server:
        login(server.host)
        df = run(shell, f"tags {server.host}/team/app")
    assert list(df.tag) == ["a"] and len(server.requests) <= 6  # /tags twice (loop seen), manifest, config


def test_a_link_chain_that_never_ends_stops_at_the_page_cap(shell, login, monkeypatch, capsys):
    monkeypatch.setattr(registry, "MAX_PAGES", 25)
    monkeypatch.setattr(search_commands, "DETAILS_LIMIT", 0)
    count = iter(range(10**6))

    def endless(request):
        n = next(count)
        return Reply(200, {"tags": [f"t{n:06d}"]}, {"Link": f'</v2/team/app/tags/list?last=t{n:06d}>; rel="next"'})

    home = standin(tags=endless)
    with Loopback(home, max_requests=200) as server:
        login(server.host)
        df = run(shell, f"tags {server.host}/team/app")
        pages = len(server.requests)
    assert isinstance(df, pd.DataFrame) and pages <= 27
    assert f"The registry {server.host} kept naming a next page: stopped after 25 pages" in capsys.readouterr().err


def test_tags_without_limit_reads_the_details_of_the_first_tags_only(shell, login, monkeypatch, capsys):
    monkeypatch.setattr(search_commands, "DETAILS_LIMIT", 10)
    names = [f"v{i:04d}" for i in range(250)]
    home = standin(tags={"tags": names})
    for name in names:
        home.with_image(name, CONFIG)
    with Loopback(home, max_requests=100) as server:
        login(server.host)
        df = run(shell, f"tags {server.host}/team/app")
        manifests = [r for r in server.requests if "/manifests/" in r.path and r.headers.get("Authorization")]
    assert list(df.tag) == names and df.digest.notna().sum() == 10 and len(manifests) == 10
    assert ("Details (digest, size, platforms, created) of the first 10 of 250 tags; '%docker tags --limit N "
            f"{server.host}/team/app' reads N of them.") in capsys.readouterr().err


def test_a_huge_manifest_is_cut_at_the_limit(shell, login):
    def endless(out):  # chunked, no length, never ends on its own (the route gives up after 64 MiB)
        out.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        block = b"[" + b"1," * 32767
        for _ in range(1024):
            out.write(b"%x\r\n%s\r\n" % (len(block), block))

    home = standin(manifests={"a": endless, "b": Reply(200, b"x", {"Content-Length": str(800 << 20)})})
    with Loopback(home, max_requests=20) as server:
        login(server.host)
        tracemalloc.start()
        start = time.monotonic()
        failed = run(shell, f"tags {server.host}/team/app")
        took = time.monotonic() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        home.tags = {"tags": ["b"]}
        declared = run(shell, f"tags {server.host}/team/app")
    said = (f"The registry {server.host} sent more than 4 MiB to read the manifest of team/app:{{}}; docker_magics "
            "stopped reading there. To fix it, check that the address is a Docker registry.")
    assert failed.line() == said.format("a") and declared.line() == said.format("b")
    assert took < 10 and peak < 32 << 20, (took, peak)


def test_a_long_error_body_becomes_its_first_300_characters(shell, login):
    long_message = "no " * 700_000  # 2.1 MB
    home = standin(manifests={"a": Reply(500, {"errors": [{"code": "BROKEN" * 50, "message": long_message}]}),
                              "b": Reply(502, b"<html>" + b"x" * 2_000_000)})
    with Loopback(home, max_requests=20) as server:
        login(server.host)
        failed = run(shell, f"tags {server.host}/team/app")
        home.tags = {"tags": ["b"]}
        html = run(shell, f"tags {server.host}/team/app")
    assert failed.line().startswith(f"The registry {server.host} could not read the manifest of team/app:a (500 ")
    assert len(failed.line()) < 500 and ("no " * 99 + "no…") in failed.line()
    assert html.line() == f"The registry {server.host} could not read the manifest of team/app:b (502 Bad Gateway)"


@pytest.mark.parametrize("where", ["body", "headers"])
def test_timeout_is_a_deadline_for_the_whole_request(shell, login, where):
    if where == "body":
        answer = drip(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", b"{" * 1000, every=0.2, limit=10)
    else:
        answer = drip(b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"a" * 1000, every=0.2, limit=10)
    home = standin(manifests={"a": answer})
    with Loopback(home, max_requests=20) as server:
        login(server.host)
        shell.run_line_magic("config", "DockerMagics.timeout = 1.5")
        start = time.monotonic()
        failed = run(shell, f"tags {server.host}/team/app")
        took = time.monotonic() - start
    assert failed.line() == (f"The registry {server.host} did not answer within 1.5 s (read the manifest of "
                             "team/app:a). To fix it, check the registry, or raise %config DockerMagics.timeout.")
    assert 1.4 < took < 3.0


def test_a_registry_that_echoes_the_login_shows_no_secret(shell, login):
    basic = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
    echoes = [SECRET, json.dumps(SECRET), " ".join(SECRET), f"Authorization: Basic {basic}", SECRET.upper()]
    home = standin(manifests={"a": Reply(400, {"errors": [{"code": "DENIED", "message": " | ".join(echoes)}]})})
    with Loopback(home, max_requests=20) as server:
        login(server.host)
        failed = run(shell, f"tags {server.host}/team/app")
    line = failed.line()
    assert "***" in line and SECRET not in line and basic not in line and json.dumps(SECRET)[1:-1] not in line
    assert "Sekr3t" not in line.replace(SECRET.upper(), "")  # only the upper-cased copy (not the secret) remains
