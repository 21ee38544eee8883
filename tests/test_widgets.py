"""The forms' pure parts: choices, filtering, the target check, and what a bug in a callback shows.

The forms against the real engine and registry are in tests/integration/test_widgets.py; a real browser
drives them in tests/integration/test_browser.py.
"""

from __future__ import annotations

import logging

import pytest

from docker_magics.errors import RegistryAuthError
from docker_magics.views import forms as widgets

IMAGES = [
    {"Id": "sha256:" + "a" * 64, "Size": 1_500_000, "RepoTags": ["team/app:1.0", "127.0.0.1:5000/team/app:1.0"]},
    {"Id": "sha256:" + "b" * 64, "Size": 2_000, "RepoTags": ["<none>:<none>"]},
    {"Id": "sha256:" + "c" * 64, "Size": 0, "RepoTags": None},
    {"Id": "sha256:" + "d" * 64, "Size": 10, "RepoTags": ["busybox:latest", "ghcr.io/x/busybox:1"]},
]


def test_image_choices_name_id_and_size():
    assert widgets.image_choices(IMAGES) == [
        ("127.0.0.1:5000/team/app:1.0 · aaaaaaaaaaaa · 1.5MB", "127.0.0.1:5000/team/app:1.0"),
        ("busybox:latest · dddddddddddd · 10B", "busybox:latest"),
        ("ghcr.io/x/busybox:1 · dddddddddddd · 10B", "ghcr.io/x/busybox:1"),
        ("team/app:1.0 · aaaaaaaaaaaa · 1.5MB", "team/app:1.0"),
        ("<none>:<none> · bbbbbbbbbbbb · 2kB", "bbbbbbbbbbbb"),
        ("<none>:<none> · cccccccccccc · 0B", "cccccccccccc"),
    ]


def test_push_choices_registry_hosts_first():
    assert widgets.push_choices(IMAGES) == ["127.0.0.1:5000/team/app:1.0", "ghcr.io/x/busybox:1",
                                            "busybox:latest", "team/app:1.0"]


def test_filter_needs_every_word():
    choices = widgets.image_choices(IMAGES)
    assert [v for _l, v in widgets.filtered(choices, "APP 5000")] == ["127.0.0.1:5000/team/app:1.0"]
    assert [v for _l, v in widgets.filtered(choices, "dddd")] == ["busybox:latest", "ghcr.io/x/busybox:1"]
    assert widgets.filtered(choices, "  ") == choices


@pytest.mark.parametrize(("repository", "tag", "expected"), [
    ("", "", (None, "")),
    ("127.0.0.1:5000/team/app", "", ("127.0.0.1:5000/team/app:latest",
                                     "will be tagged 127.0.0.1:5000/team/app:latest")),
    ("127.0.0.1:5000/team/app", "v2", ("127.0.0.1:5000/team/app:v2", "will be tagged 127.0.0.1:5000/team/app:v2")),
    ("docker.io/library/app", "1", ("app:1", "will be tagged app:1")),
    ("team/app:3", "", ("team/app:3", "will be tagged team/app:3")),
    ("team/App", "1", (None, "invalid reference format 'team/App': repository name (team/App) must be lowercase")),
    ("team/app", "-x", (None, "'-x' is not a valid tag (letters, digits, _ . -, at most 128, "
                              "not starting with . or -)")),
    ("team/app", "a/b", (None, "'a/b' is not a valid tag (letters, digits, _ . -, at most 128, "
                               "not starting with . or -)")),
    ("team/app:3", "4", (None, "'team/app:3' already has a tag (:3): clear the Tag field or remove it.")),
    ("team/app@sha256:" + "e" * 64, "", (None, f"'team/app@sha256:{'e' * 64}' carries a digest: a tag names a "
                                               "repository and a tag, not a digest.")),
])
def test_check_target(repository, tag, expected):
    assert widgets.check_target(repository, tag) == expected


def test_registry_of():
    assert widgets.registry_of("127.0.0.1:5000/a:1") == "127.0.0.1:5000"
    assert widgets.registry_of("team/app:1") == "https://index.docker.io/v1/"


def test_a_bug_in_a_callback_is_one_line_and_a_debug_traceback(caplog):
    def broken(server: str, username: str, password: str):
        raise ValueError("boom")

    form = widgets.LoginForm(broken, server="h:1", username="me")
    form.password.value = "s3cret"
    with caplog.at_level(logging.DEBUG, logger="docker_magics.views.forms"):
        form.button.click()
        form.wait()
    assert form.message == ("Internal error in docker_magics (ValueError). To report it, rerun with "
                            "logging.getLogger('docker_magics').setLevel('DEBUG') and include the traceback.")
    assert form.out.outputs[0]["name"] == "stderr"
    assert "Traceback" not in form.message and "s3cret" not in form.message
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
    assert caplog.records[0].exc_info[0] is ValueError
    assert not form.button.disabled


def test_login_form_asks_for_what_is_missing_without_calling():
    calls = []
    form = widgets.LoginForm(lambda *a: calls.append(a), server="h:1")
    form.password.value = "x"
    form.button.click()
    assert form.message == "Type a username and a password (or an access token), then click Log in."
    assert form.password.value == "" and calls == []


def test_push_form_offers_a_login_after_an_auth_failure():
    def refused(reference: str, bar):
        raise RegistryAuthError("Push of h:1/a:1 failed: unauthorized", hint="To fix it, log in.")

    logins = []
    form = widgets.PushForm(lambda: IMAGES, refused, lambda *a: logins.append(a))
    form.reference.value = "127.0.0.1:5000/team/app:1.0"
    form.button.click()
    form.wait()
    assert form.message == "Push of h:1/a:1 failed: unauthorized. To fix it, log in."
    assert form.login_button.description == "Log in to 127.0.0.1:5000"
    form.login_button.click()
    assert form.login_form.server.value == "127.0.0.1:5000"
    assert form.out.outputs[-1]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] == \
        form.login_form.model_id


def test_push_form_without_names():
    form = widgets.PushForm(lambda: IMAGES[1:3], lambda *a: None, lambda *a: None)
    assert form.button.disabled
    assert form.message == "No local image has a name to push: tag one first (%docker tag)."
