"""Pure logic of BuildKit builds: the trace decoded with protobuf, the steps folded, the plain lines, the one-line
failures, the builder's choice, the session flags, the build cache arithmetic and the prune plan."""

from __future__ import annotations

import base64
import io
import time
from types import SimpleNamespace

import pytest
from support.fakes import FakeAPI, fake_engine

from docker_magics.commands import buildcache
from docker_magics.commands import buildkit as cmd_buildkit
from docker_magics.engine.build import buildkit
from docker_magics.engine.build.buildkit_pb import status_response_class
from docker_magics.errors import BuildError, UsageError
from docker_magics.views.buildcache import plan_frame
from docker_magics.views.buildsteps import PlainSteps, Steps, _html, steps_frame

RUN = "sha256:" + "a" * 64
FROM = "sha256:" + "b" * 64


def trace(**fields) -> str:
    """A StatusResponse as the engine sends it (base64), built with the same protobuf classes."""
    message = status_response_class()(**fields)
    return base64.b64encode(message.SerializeToString()).decode()


def at(seconds: float) -> dict:
    return {"seconds": int(seconds), "nanos": int((seconds % 1) * 1e9)}


def test_a_trace_as_the_engine_sends_it_decodes():
    # Captured from the test engine (20.10): the FROM step of a build, started and completed.
    aux = ("CpEBCkdzaGEyNTY6MWQzYWU4YjkxYTEzMmY4YTdhMjY0NTcyZTdkMTRkZWQ2MzMzMTdhYWUwMjc3OTJiNDg5ZjBjNWNjODg2OWFlOBos"
           "W3N0YWdlLTAgMS8yXSBGUk9NIGRvY2tlci5pby9kbXRlc3QvdGlueToxLjAqCwjZ4LbYBhDkmOYUMgsI2eC22AYQ4I70FA==")
    (vertex,) = buildkit.decode_trace(aux).vertexes
    assert vertex.name == "[stage-0 1/2] FROM docker.io/dmtest/tiny:1.0"
    assert vertex.digest.startswith("sha256:1d3ae8b9") and not vertex.cached and vertex.error == ""
    assert vertex.completed - vertex.started == pytest.approx(0.000228, abs=1e-6)
    log = buildkit.decode_trace("Gl8KR3NoYTI1NjpkYjdjZDNjYTkxNjkyZmIzZDRjOTczZTEyMThhY2Q3NGFjY2FlZTlkY2VjY2ZiODBhOGI2"
                                "ZDA5NTA3YjA2NTJiEgwI2eC22AYQyIT/tgEYASIEb3V0Cg==").logs[0]
    assert (log.stream, log.data) == (1, b"out\n")


def test_a_message_that_does_not_decode_is_one_line():
    with pytest.raises(BuildError) as info:
        buildkit.decode_trace(base64.b64encode(b"\x0a\xff\xff\xff").decode())
    assert info.value.line().startswith("The engine sent a BuildKit progress message that does not decode")


def fold_build(display) -> None:
    """A two-step build: FROM cached, RUN prints two lines in two chunks and fails with exit code 3."""
    now = time.time()
    for aux in (
        trace(vertexes=[{"digest": FROM, "name": "[1/2] FROM docker.io/x:1", "cached": True,
                         "started": at(now), "completed": at(now)}]),
        trace(vertexes=[{"digest": RUN, "name": "[2/2] RUN make", "started": at(now)}],
              logs=[{"vertex": RUN, "stream": 1, "msg": b"compiling\nlin"}]),
        trace(logs=[{"vertex": RUN, "stream": 2, "msg": b"king failed\n"}]),
        trace(vertexes=[{"digest": RUN, "name": "[2/2] RUN make", "started": at(now), "completed": at(now + 1.25),
                         "error": "executor failed running [/bin/sh -c make]: exit code: 3"}]),
    ):
        display.trace(buildkit.decode_trace(aux))


def test_plain_lines_read_like_buildx_progress_plain():
    out = io.StringIO()
    display = PlainSteps("Building x", stream=out)
    fold_build(display)
    lines = out.getvalue().splitlines()
    assert lines[:4] == ["", "#1 [1/2] FROM docker.io/x:1", "#1 CACHED", ""]
    assert lines[4] == "#2 [2/2] RUN make"
    assert lines[5].startswith("#2 ") and lines[5].endswith(" compiling")
    assert lines[6].endswith(" linking failed")
    assert lines[7] == "#2 ERROR: executor failed running [/bin/sh -c make]: exit code: 3"
    assert display.cpu > 0


def test_completed_items_of_a_step_are_lines_once():
    out = io.StringIO()
    display = PlainSteps("x", stream=out)
    export = {"digest": RUN, "name": "exporting to image", "started": at(1)}
    item = {"ID": "exporting layers", "vertex": RUN, "name": "exporting layers", "completed": at(2)}
    display.trace(buildkit.decode_trace(trace(vertexes=[export], statuses=[item])))
    display.trace(buildkit.decode_trace(trace(statuses=[item])))
    assert out.getvalue().splitlines() == ["", "#1 exporting to image", "#1 exporting layers done"]


def test_widget_step_list_redraws_at_most_max_rate(monkeypatch):
    from docker_magics.views import buildsteps

    display = buildsteps.WidgetSteps("Building x")
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    display.start()
    for _ in range(50):
        fold_build(display)
    assert display.redraws <= 2  # 200 messages within well under a second: the first draw, maybe one more
    display.finish(True, "built abc")
    assert "built abc" in display.html.value and "[2/2] RUN make" in display.html.value
    assert display.redraws <= 3 and display.cpu > 0


def test_failing_step_is_one_line_with_exit_code_and_last_lines():
    display = PlainSteps("x", stream=io.StringIO())
    fold_build(display)
    error = cmd_buildkit.failure(display.steps, "executor failed running [/bin/sh -c make]: exit code: 3")
    assert error.line() == ("[2/2] RUN make failed with exit code 3; last output: compiling | linking failed. "
                            "Fix the Dockerfile line and run the cell again.")


def test_unreachable_syntax_frontend_is_one_line():
    steps = Steps()
    steps.fold(buildkit.decode_trace(trace(vertexes=[{
        "digest": RUN, "name": "resolve image config for docker.io/docker/dockerfile:1", "started": at(1),
        "completed": at(2), "error": 'failed to do request: Head "https://r/v2/": dial tcp: no such host'}])))
    error = cmd_buildkit.failure(steps, "failed to solve with frontend dockerfile.v0: failed to solve with frontend "
                                        "gateway.v0: failed to do request")
    assert error.line() == ("The Dockerfile's '# syntax=' line needs the frontend image docker.io/docker/dockerfile:1, "
                            "which the engine cannot pull (no such host). Remove the # syntax= line (the engine's "
                            "built-in Dockerfile frontend is used), or make the image available to the engine.")


def test_steps_frame_and_step_list_html():
    display = PlainSteps("x", stream=io.StringIO())
    fold_build(display)
    frame = steps_frame(display.steps.steps)
    assert list(frame.columns) == ["step", "name", "cached", "duration", "error"]
    assert frame.cached.tolist() == [True, False]
    assert frame.duration[1] == pytest.approx(1.25, abs=1e-3) and str(frame.duration.dtype) == "float64"
    html = _html("Building x", display.steps.steps, "")
    assert "CACHED" in html and "ERROR" in html and "<details open><summary>log (2 lines)" in html


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("false", False), ("1", True), ("true", True)])
def test_docker_buildkit_switch(monkeypatch, value, expected):
    monkeypatch.setenv("DOCKER_BUILDKIT", value)
    assert cmd_buildkit.use_buildkit(engine=fake_engine()) is expected


CONTAINERD = {"Driver": "overlayfs", "DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]]}


@pytest.mark.parametrize(("version", "info", "host", "route"), [
    ("26.1.5+dfsg1", CONTAINERD, "unix:///run/docker.sock", "loopback"),
    ("26.1.5+dfsg1", CONTAINERD, "tcp://127.0.0.1:2375", "loopback"),
    ("26.1.5+dfsg1", CONTAINERD, "ssh://me@box", "none"),
    ("27.5.0", CONTAINERD, "ssh://me@box", "body"),  # fixed by moby/moby#49194
    ("29.1.2", CONTAINERD, "unix:///run/docker.sock", "body"),
    ("26.1.5+dfsg1", {"Driver": "overlay2", "DriverStatus": []}, "ssh://me@box", "body"),
    ("20.10.24+dfsg1", {"Driver": "overlay2"}, "unix:///run/docker.sock", "body")])
def test_how_buildkit_gets_the_context(version, info, host, route):
    from docker_magics.engine.client import Engine
    from docker_magics.engine.endpoints import Endpoint

    engine = Engine(Endpoint(host, host), client=FakeAPI(answers={"/version": {"Version": version}, "/info": info}))
    assert engine.context_route() == route


def test_an_engine_that_cannot_take_the_context_gets_the_classic_builder(monkeypatch):
    from docker_magics.engine.client import Engine
    from docker_magics.engine.endpoints import Endpoint

    api = FakeAPI(answers={"/version": {"Version": "26.1.5"}, "/info": CONTAINERD},
                  ping={"Api-Version": "1.45", "Ostype": "linux", "Builder-Version": "2"})
    engine = Engine(Endpoint("ssh://me@box", "box"), client=api)
    monkeypatch.delenv("DOCKER_BUILDKIT", raising=False)
    assert cmd_buildkit.use_buildkit(engine) is False
    monkeypatch.setenv("DOCKER_BUILDKIT", "1")
    with pytest.raises(UsageError, match=r"moby/moby#47717.*upgrade the engine to 27.5 or newer"):
        cmd_buildkit.use_buildkit(engine)


def test_the_context_served_on_loopback(tmp_path):
    import urllib.error
    import urllib.request

    from docker_magics.engine.build.contextserver import engine_version, served

    assert engine_version("26.1.5+dfsg1") == (26, 1, 5) and engine_version("dev") == () and engine_version(None) == ()
    sent = []
    with served(io.BytesIO(b"tar bytes"), 9, sent.append) as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/context.tar")
        assert urllib.request.urlopen(url).read() == b"tar bytes"
        assert urllib.request.urlopen(url).read() == b"tar bytes"  # every request from the start
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url.rsplit("/", 2)[0] + "/other/context.tar")
    assert sum(sent) == 18


def test_docker_buildkit_must_be_a_boolean(monkeypatch):
    monkeypatch.setenv("DOCKER_BUILDKIT", "maybe")
    with pytest.raises(UsageError) as info:
        cmd_buildkit.use_buildkit(engine=None)
    assert info.value.line() == ("DOCKER_BUILDKIT environment variable expects boolean value: 'maybe'. "
                                 "Set it to 1 (BuildKit) or 0 (the classic builder), or unset it.")


@pytest.mark.parametrize(("headers", "has"), [
    ({"Api-Version": "1.41", "Ostype": "linux"}, True),  # 20.10 sends no Builder-Version by default
    ({"Api-Version": "1.43", "Ostype": "linux", "Builder-Version": "2"}, True),
    ({"Api-Version": "1.38", "Ostype": "linux"}, False),
    ({"Api-Version": "1.41", "Ostype": "windows", "Builder-Version": "1"}, False),
])
def test_engine_has_buildkit_from_ping(headers, has):
    from support.fakes import FakeAPI, fake_engine

    assert fake_engine(FakeAPI(ping=headers)).supports_buildkit() is has


@pytest.mark.parametrize("flag", ["secret", "ssh", "output"])
def test_session_flags_are_refused_in_one_line(flag):
    with pytest.raises(UsageError) as info:
        cmd_buildkit.check_flags(SimpleNamespace(options={flag: ["x"]}))
    assert info.value.line().startswith(f"--{flag} needs a BuildKit session, which builds from a notebook do not have")


def test_shm_size():
    assert cmd_buildkit.shm_size("64m") == 64 << 20 and cmd_buildkit.shm_size("1g") == 1 << 30
    assert cmd_buildkit.shm_size(None) is None
    with pytest.raises(UsageError):
        cmd_buildkit.shm_size("lots")


def test_build_params_leave_tags_to_us():
    from docker_magics.engine.build.classic import BuildOptions

    params = buildkit._params(BuildOptions(dockerfile="Dockerfile", buildargs={"V": "1"}, target="t",
                                           network="none", cache_from=("c:1",), extra_hosts=("db:10.0.0.5",)))
    assert params == {"version": "2", "dockerfile": "Dockerfile", "rm": "1", "q": "0", "target": "t",
                      "networkmode": "none", "buildargs": '{"V": "1"}', "cachefrom": '["c:1"]',
                      "extrahosts": "db:10.0.0.5"}
    assert "t" not in params  # the engine would tag a half-done build; we tag after success


def test_build_cache_row_counts_like_the_cli():
    payload = {"BuilderSize": 700, "BuildCache": [
        {"Size": 100, "InUse": True, "Shared": False}, {"Size": 200, "InUse": False, "Shared": True},
        {"Size": 400, "InUse": False, "Shared": False}]}
    assert buildkit.summarize_cache(payload) == (3, 1, 500, 600)


def record(id: str, kind: str = "regular", *, in_use: bool = False, last_used: str = "2020-01-01T00:00:00Z",
           shared: bool = False):
    return buildkit.CacheRecord(id, kind, "d", 10, in_use, shared, last_used, last_used, 1)


def test_prune_plan_keeps_in_use_internal_frontend_and_recent():
    now = time.strftime("%Y-%m-%dT%H:%M:%S.123456789Z", time.gmtime())
    records = [record("old"), record("busy", in_use=True), record("int", "internal"), record("fe", "frontend"),
               record("new", last_used=now), record("mount", "exec.cachemount"), record("base", shared=True)]
    # Shared records go too: Engine 26 removes them and counts their size in what it reclaims.
    plan = buildkit.plan_cache_prune
    assert [r.id for r in plan(records, all=False, filters={})] == ["old", "new", "mount", "base"]
    assert [r.id for r in plan(records, all=True, filters={"until": ["24h"]})] == ["old", "int", "fe", "mount", "base"]
    caption = plan_frame(buildkit.plan_cache_prune(records, all=False, filters={}), "e").attrs["caption"]
    assert caption == "Would remove 4 build cache records, freeing about 40B (10B of it shared with images, which " \
                      "keep it on disk)"
    with pytest.raises(UsageError):
        buildcache._filters(["until=soon"])
