"""A secret is masked in every form it can take in a line we show: a failing credential helper that echoes
its input (raw, JSON-escaped, re-spaced, base64) must not put the password on the screen."""

from __future__ import annotations

import base64
import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docker_magics.engine.registry import credentials
from docker_magics.engine.registry.credentials import Credentials
from docker_magics.engine.registry.redact import redact
from docker_magics.errors import CredentialStoreError

SECRET = 'p@ss "w0rd"\\ with\nlines é'


def _forms(secret: str, user: str = "bob") -> dict[str, str]:
    payload = json.dumps({"ServerURL": "reg.example:5000", "Username": user, "Secret": secret})
    return {
        "raw": secret,
        "json-escaped": json.dumps(secret),
        "re-spaced": " ".join(secret.split()),
        "squeezed": "".join(secret.split()),
        "payload pretty-printed": json.dumps(json.loads(payload), indent=4),
        "base64 of the payload": base64.b64encode(payload.encode()).decode(),
        "base64 wrapped at 76": base64.encodebytes(payload.encode()).decode(),
        "urlsafe base64 of user:secret": base64.urlsafe_b64encode(f"{user}:{secret}".encode()).decode(),
        "base64 of the secret": base64.b64encode(secret.encode()).decode().rstrip("="),
    }


def _leaks(shown: str, secret: str) -> list[str]:
    """Which recognisable forms of the secret are still in ``shown`` (whitespace ignored)."""
    flat = "".join(shown.split())
    found = []
    for name, form in _forms(secret).items():
        core = "".join(form.split())
        if name.startswith("base64") or name.startswith("urlsafe"):
            core = core[8:-8]  # the part that encodes the secret itself, not its neighbours
            if len(core) < 8:
                continue  # a few base64 letters are found anywhere by chance: they cannot identify the secret
        elif name.startswith("payload"):
            core = "".join(json.dumps(secret)[1:-1].split())
        if core and core in flat:
            found.append(name)
    return found


@pytest.mark.parametrize("form", sorted(_forms(SECRET)))
def test_every_form_is_masked(form):
    text = f"helper failed: {_forms(SECRET)[form]} (exit 1)"
    shown = " ".join(redact(text, [SECRET]).split())
    assert "***" in shown and _leaks(shown, SECRET) == [], shown


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=6, max_size=40).filter(lambda s: len(s.strip()) >= 6), st.sampled_from(sorted(_forms("x"))))
def test_any_secret_in_any_form_is_masked(secret, form):
    text = "before " + _forms(secret)[form] + " after"
    assert _leaks(" ".join(redact(text, [secret]).split()), secret) == []


def test_text_without_the_secret_is_unchanged():
    assert redact("nothing to hide here", [SECRET, "", None]) == "nothing to hide here"


ECHOES = {
    "raw": "cat >&2; exit 1",
    "pretty": "python3 -m json.tool >&2; exit 1",
    "base64": "base64 >&2; exit 1",
    "base64 -w 0": "base64 -w 0 >&2; exit 1",
}


@pytest.mark.parametrize("how", sorted(ECHOES))
def test_a_failing_helper_that_echoes_its_input_shows_no_secret(tmp_path, monkeypatch, how):
    helper = tmp_path / "bin" / "docker-credential-echo"
    helper.parent.mkdir()
    helper.write_text(f"#!/bin/sh\n{ECHOES[how]}\n")
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{helper.parent}:/usr/bin:/bin:{sys.prefix}/bin")
    (tmp_path / "config.json").write_text(json.dumps({"credsStore": "echo"}))
    with pytest.raises(CredentialStoreError) as info:
        credentials.store(Credentials("reg.example:5000", "bob", SECRET), tmp_path)
    line = info.value.line()
    assert line.startswith("The credential helper docker-credential-echo store failed: ") and "***" in line
    assert _leaks(line, SECRET) == [], line
    assert len(line) < 700
