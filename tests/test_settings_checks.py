"""Settings and engine addresses are checked when given: one line, the old value kept, never a traceback."""

from __future__ import annotations

import logging

import pytest

from docker_magics.errors import DockerMagicError, UsageError

BAD_HOSTS = {
    "tcp://127.0.0.1:99999": "the port is not a number from 1 to 65535",
    "tcp://127.0.0.1:abc": "the port is not a number from 1 to 65535",
    "::::": "the port is not a number from 1 to 65535",
    "tcp://": "tcp:// needs HOST:PORT",
    "fd://": "unknown scheme 'fd://'",
}
HINT = "To fix it, give unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://[USER@]HOST."


@pytest.fixture
def magics(ipshell):
    magics = ipshell.magics_manager.registry["DockerMagics"]
    yield magics
    for name in ("timeout", "display_rows", "completion_timeout", "host"):
        setattr(magics, name, magics.trait_defaults(name))


@pytest.mark.parametrize("host", sorted(BAD_HOSTS))
def test_a_bad_host_flag_is_one_line(ipshell, host):
    with pytest.raises(UsageError) as info:
        ipshell.run_line_magic("docker", f"-H '{host}' images")
    assert info.value.line() == f"Invalid engine address '{host}': {BAD_HOSTS[host]}. {HINT}"


@pytest.mark.parametrize("host", sorted(BAD_HOSTS))
def test_a_bad_host_setting_is_refused_in_one_line(ipshell, magics, caplog, host):
    ipshell.run_line_magic("config", f"DockerMagics.host = {host!r}")
    assert magics.host is None
    assert [r.getMessage() for r in caplog.records] == \
        [f"DockerMagics.host: Invalid engine address '{host}': {BAD_HOSTS[host]}. {HINT}"]


def test_a_bad_docker_host_variable_is_one_line(ipshell, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:99999")
    with pytest.raises(UsageError, match=r"Invalid engine address 'tcp://127\.0\.0\.1:99999'"):
        ipshell.run_line_magic("docker", "images")


@pytest.mark.parametrize("setting, value, said", [
    ("timeout", "-1", "DockerMagics.timeout must be a finite number of seconds, more than 0; got -1.0"),
    ("timeout", "0", "DockerMagics.timeout must be a finite number of seconds, more than 0; got 0.0"),
    ("timeout", "float('nan')", "DockerMagics.timeout must be a finite number of seconds, more than 0; got nan"),
    ("timeout", "float('inf')", "DockerMagics.timeout must be a finite number of seconds, more than 0; got inf"),
    ("completion_timeout", "-0.5",
     "DockerMagics.completion_timeout must be a finite number of seconds, 0 or more; got -0.5"),
    ("display_rows", "-1", "DockerMagics.display_rows must be a number of rows, 1 or more; got -1"),
    ("display_rows", "0", "DockerMagics.display_rows must be a number of rows, 1 or more; got 0"),
])
def test_bad_settings_are_refused_in_one_line(ipshell, magics, caplog, setting, value, said):
    before = getattr(magics, setting)
    caplog.set_level(logging.ERROR)
    ipshell.run_line_magic("config", f"DockerMagics.{setting} = {value}")
    assert getattr(magics, setting) == before  # rolled back, not kept
    assert len(caplog.records) == 1 and caplog.records[0].getMessage().startswith(said + ". To fix it, e.g. ")
    with pytest.raises(DockerMagicError):  # set from Python: the same one-line error
        setattr(magics, setting, eval(value))


def test_good_settings_still_apply(ipshell, magics):
    ipshell.run_line_magic("config", "DockerMagics.timeout = 5")
    ipshell.run_line_magic("config", "DockerMagics.display_rows = 1")
    ipshell.run_line_magic("config", "DockerMagics.host = 'tcp://127.0.0.1:2375'")
    assert (magics.timeout, magics.display_rows, magics.host) == (5.0, 1, "tcp://127.0.0.1:2375")
    assert magics.session.settings.timeout == 5.0
