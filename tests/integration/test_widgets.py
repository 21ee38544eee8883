"""The tag, push and login forms on the real engine and registry, driven through their widgets.

``%config DockerMagics.forms = 'always'`` turns the forms on (as a person in a notebook frontend would
get them), the form is what the magic returns, and each test sets ``.value`` and calls ``Button.click()``;
the work runs in the form's thread, so a test waits for it with ``form.wait()``. Each test logs in
through its own DOCKER_CONFIG folder, so "not logged in" is a real state here. Images live under
``widgets/`` and are removed again.
"""

from __future__ import annotations

import base64
import json
import secrets

import pytest

from docker_magics.views.forms import LoginForm, PushForm, TagForm
from docker_magics.views.results import LoggedIn


@pytest.fixture
def notebook(ip):
    ip.run_line_magic("config", "DockerMagics.forms = 'always'")
    yield
    ip.run_line_magic("config", "DockerMagics.forms = 'auto'")


@pytest.fixture
def refs(sandbox):
    """References made by a test, removed after it."""
    made: list[str] = []
    yield made
    if made:
        sandbox.cli("rmi", *made, check=False)


def image_id(sandbox, ref: str) -> str:
    return sandbox.cli("image", "inspect", "--format", "{{.Id}}", ref).stdout.strip()


def disabled_changes(form) -> list[bool]:
    changes: list[bool] = []
    form.button.observe(lambda change: changes.append(change.new), "disabled")
    return changes


def test_tag_form_tags_the_chosen_image(ip, sandbox, notebook, refs):
    form = ip.run_line_magic("docker", "tag")
    assert isinstance(form, TagForm) and form.images.value is None and form.button.disabled
    tiny = image_id(sandbox, "dmtest/tiny:1.0")
    label = dict((v, lbl) for lbl, v in form.images.options)["dmtest/tiny:1.0"]
    assert label.startswith(f"dmtest/tiny:1.0 · {tiny[7:19]} · ") and label.endswith("B")
    form.filter.value = "tiny 1.0"
    assert form.images.value == "dmtest/tiny:1.0"  # the only match is chosen
    form.repository.value = "widgets/Tiny"
    assert "repository name (widgets/Tiny) must be lowercase" in form.check.value and form.button.disabled
    target = f"{sandbox.registry}/widgets/tiny"
    form.repository.value, form.tag.value = target, "f1"
    assert f"will be tagged {target}:f1" in form.check.value and not form.button.disabled
    refs.append(f"{target}:f1")
    changes = disabled_changes(form)
    form.button.click()
    form.wait()
    assert changes == [True, False]  # disabled while it ran, enabled again after
    assert form.message == f"Tagged dmtest/tiny:1.0 as {target}:f1."
    assert form.result == f"{target}:f1"
    assert image_id(sandbox, f"{target}:f1") == tiny
    assert form.images.options == (form.images.options[0],) and form.images.value == "dmtest/tiny:1.0"
    form.filter.value = "widgets/tiny"
    assert f"{target}:f1" in [v for _l, v in form.images.options]  # the list knows the new reference


def test_tag_form_with_a_source_chooses_it(ip, notebook):
    form = ip.run_line_magic("docker", "tag dmtest/app:1.0")
    assert isinstance(form, TagForm) and form.images.value == "dmtest/app:1.0"


def test_tag_form_shows_the_engine_refusal_in_one_line(ip, sandbox, notebook, refs):
    doomed = f"widgets/doomed:{secrets.token_hex(3)}"
    sandbox.cli("tag", "dmtest/tiny:1.0", doomed)
    form = ip.run_line_magic("docker", "tag")
    form.images.value = doomed
    sandbox.cli("rmi", doomed)  # gone before the click
    form.repository.value = "widgets/after"
    form.button.click()
    form.wait()
    assert form.message == f"No such image: {doomed}. List local images with '%docker images'."
    assert form.out.outputs[0]["name"] == "stderr" and not form.button.disabled


def test_push_form_login_then_push_with_progress_and_digest(ip, sandbox, notebook, config, refs):
    ref = f"{sandbox.registry}/widgets/push:{secrets.token_hex(3)}"
    sandbox.cli("tag", "dmtest/tiny:1.0", ref)
    refs.append(ref)
    form = ip.run_line_magic("docker", "push")
    assert isinstance(form, PushForm)
    assert form.reference.options[0].startswith(sandbox.registry)  # registry references first
    form.reference.value = ref
    form.button.click()
    form.wait()
    assert form.message.startswith(f"Push of {ref} failed") and "'%docker login " + sandbox.registry in form.message
    form.login_button.click()
    login = form.login_form
    assert isinstance(login, LoginForm) and login.server.value == sandbox.registry
    login.username.value, login.password.value = sandbox.user, sandbox.password
    login.button.click()
    assert login.password.value == ""  # cleared at submit, before the registry answers
    login.wait()
    assert login.message == (f"Login Succeeded: {sandbox.user} on {sandbox.registry} "
                             f"(stored in {config / 'config.json'}).")
    assert sandbox.password not in json.dumps(login.out.outputs)
    changes = disabled_changes(form)
    form.button.click()
    form.wait()
    digest = json.loads(sandbox.cli("image", "inspect", "--format", "{{json .RepoDigests}}", ref).stdout)[0]
    assert form.message == f"Pushed {ref}: digest {digest.partition('@')[2]}"
    assert form.result.digest == digest.partition("@")[2] and changes == [True, False]
    bar = form.out.outputs[0]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    progress_box = [w for w in form.out.outputs if w["output_type"] == "display_data"]
    assert len(progress_box) == 1 and bar  # the live progress sits in the form


def test_login_form_refusal_stores_nothing(ip, sandbox, notebook, config):
    form = ip.run_line_magic("docker", f"login {sandbox.registry} -u {sandbox.user}")
    assert isinstance(form, LoginForm)
    assert (form.server.value, form.username.value) == (sandbox.registry, sandbox.user)
    form.password.value = "wrong-" + secrets.token_hex(4)
    form.button.click()
    form.wait()
    assert form.message == (f"Login to {sandbox.registry} failed: the registry refused the username "
                            f"'{sandbox.user}' or its password; nothing was stored. To fix it, check the "
                            "username and the password or token, then log in again.")
    assert form.password.value == "" and not (config / "config.json").exists()


def test_login_form_success_is_stored_as_the_cli_does(ip, sandbox, notebook, config):
    form = ip.run_line_magic("docker", f"login {sandbox.registry}")
    form.username.value, form.password.value = sandbox.user, sandbox.password
    form.button.click()
    form.wait()
    assert isinstance(form.result, LoggedIn) and form.message.startswith("Login Succeeded: ")
    auth = json.loads((config / "config.json").read_text())["auths"][sandbox.registry]["auth"]
    assert base64.b64decode(auth).decode() == f"{sandbox.user}:{sandbox.password}"
    again = ip.run_line_magic("docker", f"login {sandbox.registry}")  # a stored login that works: no form
    assert isinstance(again, LoggedIn)


def test_default_login_form_is_docker_hub(ip, notebook, config):
    form = ip.run_line_magic("docker", "login")
    assert form.server.value == "https://index.docker.io/v1/" and form.password.value == ""
