"""The credential store as the Docker CLI keeps it: config.json ``auths`` and credential helpers."""

from __future__ import annotations

import base64
import json
import stat

import pytest
from support.credentials import held, install_helper, path_with

from docker_magics.commands.transfer import read_password_file
from docker_magics.engine.references import HUB_KEY
from docker_magics.engine.registry import credentials
from docker_magics.engine.registry.credentials import Credentials
from docker_magics.errors import CredentialStoreError, UsageError


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    folder = tmp_path / "docker-config"
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    monkeypatch.setattr(credentials, "_default_store", lambda: None)  # no machine helper may interfere
    return folder


@pytest.mark.parametrize("server", [None, "", "docker.io", "index.docker.io", "registry-1.docker.io", HUB_KEY,
                                    "https://index.docker.io/v1/"])
def test_docker_hub_has_one_key(server):
    assert credentials.server_key(server) == HUB_KEY


@pytest.mark.parametrize(("server", "key"), [("127.0.0.1:5000", "127.0.0.1:5000"),
                                             ("http://127.0.0.1:5000/", "127.0.0.1:5000"),
                                             ("https://registry.example.com/v2/", "registry.example.com"),
                                             ("localhost:5000", "localhost:5000")])
def test_other_registries_are_keyed_by_hostname(server, key):
    assert credentials.server_key(server) == key


def test_store_writes_what_docker_login_writes_and_keeps_other_keys(cfg):
    cfg.mkdir()
    (cfg / "config.json").write_text(json.dumps({"psFormat": "table {{.ID}}", "auths": {"other:1": {"auth": "eDp5"}},
                                                 "currentContext": "default"}))
    where = credentials.store(Credentials("127.0.0.1:5000", "dmuser", "s3cr:et"))
    path = cfg / "config.json"
    assert where == str(path)
    data = json.loads(path.read_text())
    assert data["auths"]["127.0.0.1:5000"] == {"auth": base64.b64encode(b"dmuser:s3cr:et").decode()}
    assert data["psFormat"] == "table {{.ID}}" and data["currentContext"] == "default"
    assert data["auths"]["other:1"] == {"auth": "eDp5"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("{\n\t\"")  # tab-indented, as the CLI writes it
    assert sorted(p.name for p in cfg.iterdir()) == ["config.json"]  # no temporary file left behind


def test_get_reads_back_and_finds_legacy_keys(cfg):
    credentials.store(Credentials("127.0.0.1:5000", "dmuser", "pw:with:colons"))
    got = credentials.get("http://127.0.0.1:5000")
    assert (got.username, got.password) == ("dmuser", "pw:with:colons")
    cfg.joinpath("config.json").write_text(json.dumps(
        {"auths": {"https://reg.example.com": {"auth": base64.b64encode(b"u:p").decode()}}}))
    assert credentials.get("reg.example.com").password == "p"
    assert credentials.get("elsewhere:1") is None
    assert credentials.get(None) is None


def test_identity_token_is_stored_like_the_cli(cfg):
    credentials.store(Credentials(HUB_KEY, "me", identity_token="tok-123"))
    entry = json.loads((cfg / "config.json").read_text())["auths"][HUB_KEY]
    assert entry == {"auth": base64.b64encode(b"me:").decode(), "identitytoken": "tok-123"}
    got = credentials.get("docker.io")
    assert got.identity_token == "tok-123"
    assert got.auth_config() == {"identitytoken": "tok-123", "serveraddress": HUB_KEY}


def test_erase_removes_every_form_the_cli_removes(cfg):
    cfg.mkdir()
    auth = {"auth": base64.b64encode(b"u:p").decode()}
    (cfg / "config.json").write_text(json.dumps({"auths": {"h:5000": auth, "https://h:5000": auth, "k:1": auth},
                                                 "credsStore": ""}))
    assert credentials.erase("h:5000") is True
    assert json.loads((cfg / "config.json").read_text())["auths"] == {"k:1": auth}
    assert credentials.erase("h:5000") is False
    assert credentials.logout_keys(None) == [HUB_KEY]


def test_a_missing_config_is_empty_and_a_broken_one_is_one_line(cfg):
    assert credentials.get("h:1") is None
    assert credentials.erase("h:1") is False
    assert not (cfg / "config.json").exists()
    cfg.mkdir()
    (cfg / "config.json").write_text("{not json")
    with pytest.raises(CredentialStoreError) as info:
        credentials.get("h:1")
    assert info.value.line() == (f"{cfg / 'config.json'} is not valid JSON (Expecting property name enclosed in "
                                 "double quotes, line 1). To fix it, repair the file or move it away.")


def test_credentials_repr_hides_the_secret():
    creds = Credentials("h:1", "me", "hunter2-secret", "tok-secret")
    assert "secret" not in repr(creds)


def test_helper_protocol_store_get_erase(cfg, tmp_path, monkeypatch):
    store = install_helper(tmp_path / "bin")
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    cfg.mkdir()
    (cfg / "config.json").write_text(json.dumps({"credsStore": "dmtest"}))
    where = credentials.store(Credentials("127.0.0.1:5000", "dmuser", "pw-1"))
    assert where == "docker-credential-dmtest"
    assert held(store) == {"127.0.0.1:5000": {"Username": "dmuser", "Secret": "pw-1"}}
    # The CLI leaves an empty entry in config.json; the secret stays in the helper only.
    text = (cfg / "config.json").read_text()
    assert json.loads(text)["auths"] == {"127.0.0.1:5000": {}} and "pw-1" not in text
    got = credentials.get("127.0.0.1:5000")
    assert (got.username, got.password) == ("dmuser", "pw-1")
    assert credentials.erase("127.0.0.1:5000") is True
    assert held(store) == {}
    assert json.loads((cfg / "config.json").read_text())["auths"] == {}
    assert credentials.get("127.0.0.1:5000") is None


def test_cred_helpers_win_per_registry(cfg, tmp_path, monkeypatch):
    store = install_helper(tmp_path / "bin", "perreg")
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    cfg.mkdir()
    (cfg / "config.json").write_text(json.dumps({"credHelpers": {"reg.example.com": "perreg"}}))
    credentials.store(Credentials("reg.example.com", "a", "pa"))
    credentials.store(Credentials("other:1", "b", "pb"))
    assert list(held(store)) == ["reg.example.com"]
    assert "auth" in json.loads((cfg / "config.json").read_text())["auths"]["other:1"]


def test_a_missing_helper_is_one_line(cfg):
    cfg.mkdir()
    (cfg / "config.json").write_text(json.dumps({"credsStore": "nosuchhelper"}))
    with pytest.raises(CredentialStoreError) as info:
        credentials.get("h:1")
    assert info.value.line() == ("The credential helper docker-credential-nosuchhelper (named in config.json) is "
                                 "not on PATH. To fix it, install docker-credential-nosuchhelper, or remove "
                                 "credsStore/credHelpers from config.json.")


@pytest.mark.parametrize(("content", "secret"), [("tok\n", "tok"), ("tok\r\n", "tok"), ("tok", "tok"),
                                                 ("tok\n\n", "tok\n"), (" tok ", " tok ")])
def test_password_file_drops_one_trailing_newline(tmp_path, content, secret):
    path = tmp_path / "token"
    path.write_bytes(content.encode())
    assert read_password_file(str(path)) == secret


def test_password_file_missing_is_one_line(tmp_path):
    with pytest.raises(UsageError) as info:
        read_password_file(str(tmp_path / "nope"))
    assert info.value.line() == (f"Cannot read the password file {tmp_path / 'nope'}: No such file or directory. "
                                 "To fix it, check the path (relative paths start in the notebook's folder).")


@pytest.mark.parametrize("content", ["", "\n", "\r\n"])
def test_password_file_empty_is_one_line(tmp_path, monkeypatch, content):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tok").write_text(content)
    with pytest.raises(UsageError) as info:
        read_password_file("tok")
    assert info.value.line() == ("The password file tok is empty. "
                                 "To fix it, write the password or access token into it (one line).")
