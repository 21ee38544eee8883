"""Any answer a registry may give ends in a listing or one line: bounded in time and memory, and no secret shown.

Hypothesis draws manifests, indexes, image configs, tag lists, catalogs, ``Link`` headers, challenges and
error bodies (some echoing the stored password in its raw, JSON-escaped or base64 forms); a registry
stand-in on loopback (tests/loopback.py: its own lifetime and request cap) serves them behind Basic
authentication, and ``%docker tags`` and ``%docker search --registry`` run against it through the magic.
tests/test_fuzz_grammar.py does the same for the command line.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import resource
import socket
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.loopback import Loopback, Reply
from support.registry_standin import OCI_INDEX, StandIn, config_blob, digest_of, image_manifest

from docker_magics.errors import DockerMagicError

USER, SECRET = "fuzzer", "Fuzz-S3cret \"quoted\" pw"
BASIC = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
ECHOES = [SECRET, json.dumps(SECRET), f"Basic {BASIC}", base64.b64encode(SECRET.encode()).decode()]
LEAKS = [SECRET, json.dumps(SECRET)[1:-1], BASIC, base64.b64encode(SECRET.encode()).decode()[:-4]]


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


NOWHERE = _closed_port()  # a host that refuses connections (for Links, realms and redirects)

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
                     st.text(max_size=12))
_json = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                     max_leaves=10)
_created = st.one_of(st.none(), st.just("0001-01-01T00:00:00Z"), st.just("2024-02-30T00:00:00Z"),
                     st.datetimes().map(lambda d: d.isoformat() + "Z"), st.text(max_size=30), _json)
_size = st.one_of(st.integers(-5, 2**70), st.floats(allow_nan=True), st.text(max_size=6), st.none(), st.booleans())
_platform = st.one_of(_json, st.fixed_dictionaries(
    {}, optional={"os": st.one_of(st.just("linux"), _scalars), "architecture": st.one_of(st.just("amd64"), _scalars),
                  "variant": _scalars}))
_config = st.one_of(st.builds(lambda c, p: config_blob(created=c, **(p if isinstance(p, dict) else {})),
                              _created, _platform),
                    _json.map(lambda v: json.dumps(v).encode()), st.binary(max_size=64))


def _image(config: bytes, sizes: list, size: object, extra: dict) -> bytes:
    document = json.loads(image_manifest(config))
    document["config"]["size"] = size
    document["layers"] = [{"size": s, "digest": "sha256:" + "1" * 64} for s in sizes]
    document.update(extra)
    return json.dumps(document).encode()


_manifest = st.one_of(
    st.builds(_image, _config, st.lists(_size, max_size=3), _size,
              st.dictionaries(st.sampled_from(["mediaType", "schemaVersion", "layers", "config", "manifests"]), _json,
                              max_size=2)),
    st.builds(lambda entries: json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode(),
              st.lists(st.one_of(_json, st.fixed_dictionaries({"digest": st.one_of(st.just("IMAGE"), _scalars),
                                                               "platform": _platform})), max_size=3)),
    _json.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=100),
)
_link = st.one_of(st.none(), st.just('</v2/team/app/tags/list?n=3>; rel="next"'),
                  st.just(f'<http://{NOWHERE}/v2/team/app/tags/list>; rel="next"'),
                  st.just('<http://[::1/x>; rel="next"'), st.text(max_size=30))
_listing = st.one_of(st.fixed_dictionaries({"tags": st.lists(st.one_of(st.sampled_from(["a", "b"]), _json),
                                                             max_size=6)}),
                     st.fixed_dictionaries({"repositories": st.lists(st.one_of(st.just("team/app"), _json),
                                                                     max_size=6)}),
                     _json)
_message = st.one_of(st.text(max_size=50), st.sampled_from(ECHOES), st.integers(0, 400_000).map(lambda n: "x" * n),
                     _json)
_error = st.builds(
    lambda status, code, message, challenge, raw: Reply(
        status, raw if raw is not None else {"errors": [{"code": code, "message": message}]},
        {"WWW-Authenticate": challenge} if challenge else {}),
    st.sampled_from([301, 302, 307, 400, 401, 403, 404, 405, 429, 500, 502, 503]),
    st.one_of(st.sampled_from(["NAME_UNKNOWN", "MANIFEST_UNKNOWN", "DENIED", "UNSUPPORTED"]), _scalars),
    _message,
    st.one_of(st.none(), st.just('Basic realm="x"'), st.just(f'Bearer realm="http://{NOWHERE}/token",service="s"'),
              st.just('Bearer service="no realm"'), st.text(max_size=30)),
    st.one_of(st.none(), st.binary(max_size=200), st.sampled_from(ECHOES).map(str.encode)),
)
_route = st.sampled_from(["tags", "catalog", "manifest", "child", "blob"])
_scenario = st.fixed_dictionaries({
    "tags": _listing, "link": _link, "catalog": _listing, "manifest": _manifest, "config": _config,
    "broken": st.one_of(st.none(), st.tuples(_route, _error)),
})


def _standin(scenario: dict) -> StandIn:
    config = scenario["config"]
    manifest = scenario["manifest"].replace(b'"IMAGE"', json.dumps(digest_of(image_manifest(config))).encode())
    stand = StandIn(user=USER, password=SECRET, tags=scenario["tags"], catalog=scenario["catalog"],
                    link=scenario["link"])
    child = image_manifest(config)
    stand.manifests = {"a": manifest, "b": manifest, digest_of(child): child}
    stand.blobs = {digest_of(config): config}
    if scenario["broken"]:
        where, reply = scenario["broken"]
        if reply.status in (301, 302, 307):
            reply.headers["Location"] = f"http://{NOWHERE}/v2/elsewhere"
        if where in ("tags", "catalog"):
            setattr(stand, where, reply)
        elif where == "blob":
            stand.blobs = {digest_of(config): reply}
        else:
            stand.manifests["a" if where == "manifest" else digest_of(child)] = reply
    return stand


@pytest.fixture(scope="module")
def registry(tmp_path_factory, ipshell):
    """The stand-in for the whole module (the route is swapped per example) and a DOCKER_CONFIG logged in to it."""
    current: dict[str, StandIn] = {}
    with Loopback(lambda request: current["stand"](request), max_requests=20_000, lifetime=600) as server, \
            pytest.MonkeyPatch.context() as patch:
        folder = tmp_path_factory.mktemp("docker-config")
        (folder / "config.json").write_text(json.dumps({"auths": {server.host: {"auth": BASIC}}}))
        patch.setenv("DOCKER_CONFIG", str(folder))
        ipshell.run_line_magic("config", "DockerMagics.timeout = 2.0")
        # Warm up (pandas, requests and the frames load on first use) so an example's memory is its own.
        current["stand"] = StandIn(user=USER, password=SECRET)
        ipshell.run_line_magic("docker", f"search --registry {server.host}")._repr_html_()
        try:
            yield server, current
        finally:
            ipshell.run_line_magic("config", "DockerMagics.timeout = 60.0")


def _shown(result: object) -> list[str]:
    if isinstance(result, DockerMagicError):
        return [result.line(), *result._render_traceback_()]
    return [repr(result), result._repr_html_() or ""]


@settings(max_examples=90, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario=_scenario, line=st.sampled_from(["tags --limit 3 {host}/team/app", "tags {host}/team/app:a",
                                                 "search --registry {host}", "tags {host}/team/app"]))
def test_any_registry_answer_is_a_listing_or_one_line(ipshell, registry, scenario, line):
    server, current = registry
    current["stand"] = _standin(scenario)
    stderr = io.StringIO()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB: the process's peak so far (tracemalloc
    start = time.monotonic()  # would double the run time)
    try:
        with contextlib.redirect_stderr(stderr):
            result = ipshell.run_line_magic("docker", line.format(host=server.host))
    except DockerMagicError as exc:
        result = exc
    finally:
        took = time.monotonic() - start
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss
    shown = [*_shown(result), stderr.getvalue()]
    if isinstance(result, DockerMagicError):
        assert "\n" not in result.line() and len(result.line()) < 1000, result.line()
    else:
        assert hasattr(result, "columns"), result
    assert took < 15, took  # a 2 s deadline per request; a few requests at most
    assert grown < 128 * 1024, grown  # KiB: no answer may make the kernel's peak memory jump
    for text in shown:
        for leak in LEAKS:
            assert leak not in text, (leak, text[:300])
