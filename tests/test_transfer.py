"""Pure logic of pull/push/login: event folding, in-stream errors, interrupts, progress throttling.

The engine is a small fake ``APIClient`` here (the real engine is in tests/integration/test_transfer.py).
"""

from __future__ import annotations

import base64
import json

import pytest
from support.fakes import FakeAPI, fake_engine

from docker_magics.commands import transfer as commands
from docker_magics.engine import transfer as registry
from docker_magics.errors import Interrupted, RegistryAuthError, RegistryError, Stalled
from docker_magics.grammar import parse
from docker_magics.session import Session
from docker_magics.views import progress
from docker_magics.views.results import Pulled, PushedTag


def session_with(api: FakeAPI, tmp_path, monkeypatch) -> Session:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "cfg"))
    monkeypatch.setattr("docker_magics.engine.registry.credentials._default_store", lambda: None)
    session = Session()
    session.settings.progress = "none"
    engine = fake_engine(api)
    session.engine = lambda cmd: engine  # type: ignore[method-assign]
    session.default_engine = lambda: engine  # type: ignore[method-assign]
    return session


PULL = [{"status": "Pulling from team/app", "id": "1.0"},
        {"status": "Pulling fs layer", "progressDetail": {}, "id": "aaa"},
        {"status": "Downloading", "progressDetail": {"current": 10, "total": 20}, "id": "aaa"},
        {"status": "Pull complete", "progressDetail": {}, "id": "aaa"},
        {"status": "Digest: sha256:" + "1" * 64},
        {"status": "Status: Downloaded newer image for 127.0.0.1:5000/team/app:1.0"}]


def test_pull_returns_reference_status_and_digest(tmp_path, monkeypatch):
    api = FakeAPI(events=PULL)
    result = commands.pull(parse("pull 127.0.0.1:5000/team/app:1.0"), session_with(api, tmp_path, monkeypatch))
    assert result == Pulled("127.0.0.1:5000/team/app:1.0", "Downloaded newer image", "sha256:" + "1" * 64,
                                     engine="fake")
    url, params, headers = api.requests[0]
    assert (url, params) == ("/images/create", {"fromImage": "127.0.0.1:5000/team/app", "tag": "1.0"})
    assert base64.urlsafe_b64decode(headers["X-Registry-Auth"]) == b"{}"  # anonymous, as the CLI sends
    assert api.responses[0].closed


@pytest.mark.parametrize(("name", "from_image", "tag"), [
    ("debian", "docker.io/library/debian", "latest"),
    ("library/debian:12", "docker.io/library/debian", "12"),
    ("docker.io/library/debian", "docker.io/library/debian", "latest"),
    ("index.docker.io/library/debian", "docker.io/library/debian", "latest"),
    ("127.0.0.1:5000/t/a@sha256:" + "2" * 64, "127.0.0.1:5000/t/a", "sha256:" + "2" * 64)])
def test_pull_names_are_normalised_like_the_cli(tmp_path, monkeypatch, name, from_image, tag):
    api = FakeAPI(events=[{"status": "Status: Image is up to date for x"}])
    result = commands.pull(parse(f"pull {name}"), session_with(api, tmp_path, monkeypatch))
    assert api.requests[0][1] == {"fromImage": from_image, "tag": tag}
    assert result.status == "Image is up to date"


def test_pull_all_tags_collects_a_digest_per_tag(tmp_path, monkeypatch):
    api = FakeAPI(events=[{"status": "Pulling from t/a", "id": "2.0"}, {"status": "Digest: sha256:" + "2" * 64},
                   {"status": "Pulling from t/a", "id": "1.0"}, {"status": "Digest: sha256:" + "1" * 64},
                   {"status": "Status: Downloaded newer image for h:1/t/a"}])
    result = commands.pull(parse("pull -a --platform linux/amd64 h:1/t/a"), session_with(api, tmp_path, monkeypatch))
    assert api.requests[0][1] == {"fromImage": "h:1/t/a", "platform": "linux/amd64"}
    assert result.digests == (("2.0", "sha256:" + "2" * 64), ("1.0", "sha256:" + "1" * 64))
    assert result.reference == "h:1/t/a"


def test_a_rejected_push_is_one_line_and_closes_the_stream(tmp_path, monkeypatch):
    api = FakeAPI(events=[{"status": "The push refers to repository [h:1/t/a]"},
                   {"errorDetail": {"message": "no basic auth credentials"}, "error": "no basic auth credentials"}])
    with pytest.raises(RegistryAuthError) as info:
        commands.push(parse("push h:1/t/a:1.0"), session_with(api, tmp_path, monkeypatch))
    assert info.value.line() == ("Push of h:1/t/a:1.0 failed: no basic auth credentials. To fix it, log in with "
                                 "'%docker login h:1', and check that this account may use the repository.")
    assert api.responses[0].closed


def test_push_returns_digests_and_sends_the_stored_login(tmp_path, monkeypatch):
    api = FakeAPI(events=[{"status": "Pushed", "id": "aaa", "progressDetail": {}},
                   {"aux": {"Tag": "latest", "Digest": "sha256:" + "3" * 64, "Size": 527}}])
    session = session_with(api, tmp_path, monkeypatch)
    from docker_magics.engine.registry import credentials

    credentials.store(credentials.Credentials("h:1", "me", "pw"))
    result = commands.push(parse("push h:1/t/a"), session)
    assert result.tags == (PushedTag("latest", "sha256:" + "3" * 64, 527),)
    assert result.digest == "sha256:" + "3" * 64
    url, params, headers = api.requests[0]
    assert (url, params) == ("/images/h:1/t/a/push", {"tag": "latest"})
    assert json.loads(base64.urlsafe_b64decode(headers["X-Registry-Auth"])) == {
        "username": "me", "password": "pw", "serveraddress": "h:1"}


def test_push_digest_from_the_final_status_line_as_the_containerd_store_sends_it(tmp_path, monkeypatch):
    # Engine 26, containerd store: no aux, only "TAG: digest: … size: N" (one per tag with -a).
    api = FakeAPI(events=[{"status": "Pushed", "id": "aaa", "progressDetail": {}},
                          {"status": "1.0: digest: sha256:" + "4" * 64 + " size: 753"},
                          {"status": "latest: digest: sha256:" + "5" * 64 + " size: 528"}])
    result = commands.push(parse("push -a h:1/t/a"), session_with(api, tmp_path, monkeypatch))
    assert result.tags == (PushedTag("1.0", "sha256:" + "4" * 64, 753), PushedTag("latest", "sha256:" + "5" * 64, 528))


def test_push_prefers_aux_over_the_status_line():
    events = [{"status": "1: digest: sha256:" + "4" * 64 + " size: 9"},
              {"aux": {"Tag": "1", "Digest": "sha256:" + "6" * 64, "Size": 10}},
              {"status": "layer: digest: sha256:" + "7" * 64 + " size: 1", "id": "abc"}]  # a layer's line: not a tag
    assert commands.pushed_tags(events) == [PushedTag("1", "sha256:" + "6" * 64, 10)]


@pytest.mark.parametrize("said", [
    "unexpected EOF",
    'failed to do request: Put "http://127.0.0.1:1/v2/x/blobs/uploads/": read tcp 127.0.0.1:2->127.0.0.1:1: '
    "read: connection reset by peer",
    'failed to do request: Head "https://127.0.0.1:1/v2/x/blobs/sha256:1": net/http: TLS handshake timeout',
    'failed to copy: failed to do request: Put "http://127.0.0.1:1/v2/x/blobs/uploads/u": readfrom tcp '
    "127.0.0.1:2->127.0.0.1:1: write tcp 127.0.0.1:2->127.0.0.1:1: use of closed network connection"])
def test_a_registry_that_went_away_is_a_registry_line(tmp_path, monkeypatch, said):
    api = FakeAPI(events=[{"status": "Preparing", "id": "aaa"}, {"errorDetail": {"message": said}, "error": said}])
    with pytest.raises(RegistryError) as info:
        commands.push(parse("push h:1/t/a:1"), session_with(api, tmp_path, monkeypatch))
    assert info.value.line().endswith(
        "To fix it, check that the registry h:1 is running and reachable from the engine.")


def test_repeated_waiting_events_are_no_progress(monkeypatch):
    # The containerd store repeats {"status": "Waiting"} ten times a second while the registry says nothing.
    clock = iter(range(0, 100))
    monkeypatch.setattr(registry.time, "monotonic", lambda: next(clock))
    waiting = [{"status": "Waiting", "progressDetail": {}, "id": "aaa"}] * 10
    seen = []
    with pytest.raises(Stalled):
        for event in registry._events(iter(waiting), 3):
            seen.append(event)
    assert len(seen) == 4  # the first is news; the fifth comes more than 3 "seconds" after it
    moving = [{"status": "Pushing", "progressDetail": {"current": n}, "id": "aaa"} for n in range(10)]
    assert list(registry._events(iter(moving), 3)) == moving


def test_a_push_without_a_digest_is_not_silent(tmp_path, monkeypatch):
    api = FakeAPI(events=[{"status": "The push refers to repository [h:1/t/a]"}])
    with pytest.raises(RegistryError, match="ended without the registry confirming a digest"):
        commands.push(parse("push h:1/t/a:1"), session_with(api, tmp_path, monkeypatch))


def test_ctrl_c_stops_cleanly(tmp_path, monkeypatch):
    api = FakeAPI(events=[PULL[0], PULL[1], KeyboardInterrupt(), PULL[4]])
    with pytest.raises(Interrupted) as info:
        commands.pull(parse("pull h:1/t/a:1.0"), session_with(api, tmp_path, monkeypatch))
    assert info.value.line() == "Pull of h:1/t/a:1.0 interrupted: the transfer was stopped. Run it again to finish it."
    assert api.responses[0].closed  # the HTTP response is closed: the engine cancels the pull


def test_wrong_password_stores_nothing(tmp_path, monkeypatch):
    api = FakeAPI(auth=(500, {
        "message": "login attempt to http://h:1/v2/ failed with status: 401 Unauthorized"}))
    session = session_with(api, tmp_path, monkeypatch)
    with pytest.raises(RegistryAuthError) as info:
        commands.login_with(session, "h:1", "me", "bad-secret")
    assert info.value.line() == ("Login to h:1 failed: the registry refused the username 'me' or its password; "
                                 "nothing was stored. To fix it, check the username and the password or token, "
                                 "then log in again.")
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert not (tmp_path / "cfg" / "config.json").exists()


def test_login_with_an_identity_token_stores_the_token(tmp_path, monkeypatch):
    api = FakeAPI(auth=(200, {"Status": "Login Succeeded", "IdentityToken": "idt"}))
    result = commands.login_with(session_with(api, tmp_path, monkeypatch), None, "me", "pw")
    assert result.server == "https://index.docker.io/v1/"
    saved = json.loads((tmp_path / "cfg" / "config.json").read_text())["auths"]["https://index.docker.io/v1/"]
    assert saved == {"auth": base64.b64encode(b"me:").decode(), "identitytoken": "idt"}


@pytest.mark.parametrize("line", ["login -p a --password-stdin h:1", "login -p a --password-file f h:1",
                                  "login --password-stdin --password-file f h:1"])
def test_password_sources_are_exclusive(tmp_path, monkeypatch, line):
    with pytest.raises(Exception, match="mutually exclusive"):
        commands.login(parse(line), session_with(FakeAPI(), tmp_path, monkeypatch))


def test_headless_prompt_is_one_line(tmp_path, monkeypatch):
    from IPython.core.error import StdinNotImplementedError

    def no_stdin(prompt: str = "") -> str:
        raise StdinNotImplementedError("raw_input was called, but this frontend does not support input requests.")

    monkeypatch.setattr("getpass.getpass", no_stdin)
    with pytest.raises(Exception) as info:
        commands.login(parse("login -u me h:1"), session_with(FakeAPI(), tmp_path, monkeypatch))
    assert info.value.line() == ("Login needs a password, and this kernel cannot prompt for it (no input: a "
                                 "headless run?). To fix it, pass -u NAME --password-file PATH.")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("kind", [progress.Progress, progress.WidgetProgress])
def test_progress_redraws_at_most_ten_times_a_simulated_second(monkeypatch, kind):
    clock = FakeClock()
    monkeypatch.setattr(progress.time, "monotonic", clock)
    if kind is progress.WidgetProgress:
        monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    bar = kind("Pushing h:1/t/a:1")
    bar.start()
    for index in range(400):  # 400 events spread over one simulated second (2.5 ms apart)
        bar.event({"status": "Pushing", "id": f"layer{index % 10}",
                   "progressDetail": {"current": index * 100, "total": 40_000}})
        clock.now += 0.0025
    assert bar.redraws <= 11
    assert bar.redraws >= 5  # it does redraw while the stream runs


def test_text_progress_stays_quiet_in_a_tight_loop(monkeypatch):
    import io

    clock = FakeClock()
    monkeypatch.setattr(progress.time, "monotonic", clock)
    out = io.StringIO()
    bar = progress.TextProgress("Pulling x", stream=out)
    for index in range(400):
        bar.event({"status": "Downloading", "id": "aaa", "progressDetail": {"current": index, "total": 400}})
        clock.now += 0.0025
    assert bar.redraws <= 2
    assert "\x1b[" not in out.getvalue()  # no escape codes in headless output
    assert len(out.getvalue().splitlines()) <= 3


def test_auth_header_for_a_login():
    creds = registry.auth_header(None)
    assert creds == {"X-Registry-Auth": base64.urlsafe_b64encode(b"{}").decode()}
