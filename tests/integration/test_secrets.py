"""The secret goes to the credential store and nowhere else: not the form's widget state, not a saved notebook.

test_registry.py's ``test_the_secret_never_leaks`` covers the password file, the masked prompt and ``-p``
across outputs, exceptions, log records and IPython's history; this adds the login form (every widget's
state, recursively, plus its outputs, logs and exceptions) and a notebook executed with nbclient and saved.
"""

from __future__ import annotations

import json
import logging
import secrets

import nbformat
import pytest
from helpers_registry import exception_texts, token_file
from nbclient import NotebookClient

from docker_magics.commands import forms


def widget_states(widget, seen=None) -> list[str]:
    """The JSON state of a widget and of every widget it holds, as the frontend and a saved notebook get it."""
    import ipywidgets

    seen = seen if seen is not None else set()
    if id(widget) in seen:
        return []
    seen.add(id(widget))
    state = widget.get_state()
    texts = [json.dumps(state, default=repr)]
    for name in widget.keys:
        value = getattr(widget, name, None)
        for child in value if isinstance(value, list | tuple) else [value]:
            if isinstance(child, ipywidgets.Widget):
                texts += widget_states(child, seen)
    return texts


def test_login_form_keeps_no_secret(ip, sandbox, config, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("docker", "urllib3", "requests", "docker_magics"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.DEBUG)
    from docker_magics.grammar import parse

    wrong = "wrong-" + secrets.token_hex(8)
    form = forms.login_form(parse(f"login {sandbox.registry}"), ip.magics_manager.registry["DockerMagics"].session,
                            sandbox.registry, sandbox.user)
    haystack: list[str] = []
    for secret, ok in ((wrong, False), (sandbox.password, True)):
        form.password.value = secret  # the user types, then clicks
        form.button.click()
        form.wait(60)
        assert ("Login Succeeded" in form.message) is ok, form.message
        haystack += [*widget_states(form), form.message, repr(form.out.outputs), repr(form.result)]
    haystack += [r.getMessage() + repr(r.args) for r in caplog.records]
    assert form.password.value == ""
    for text in haystack:
        assert sandbox.password not in text and wrong not in text, text
    stored = json.loads((config / "config.json").read_text())["auths"][sandbox.registry]
    assert "auth" in stored  # where the secret does go: config.json, as the CLI stores it


def test_saved_notebook_holds_no_secret(sandbox, config, tmp_path):
    secret_file = token_file(sandbox, tmp_path)
    cells = [
        "%load_ext docker_magics\n%config DockerMagics.progress = 'text'",
        f"r = %docker login -u {sandbox.user} --password-file {secret_file} {sandbox.registry}\nr",
        # The masked prompt: the kernel's getpass answers as a user typing in the frontend would.
        f"get_ipython().kernel.getpass = lambda prompt='', stream=None: open({secret_file!r}).read().strip()",
        f"%docker login -u {sandbox.user} --password-stdin {sandbox.registry}",
        f"%docker login -u {sandbox.user} {sandbox.registry}",
        f"%docker login -u {sandbox.user} --password-file {tmp_path} {sandbox.registry}",
        f"%docker logout {sandbox.registry}",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.cells[5].metadata["tags"] = ["raises-exception"]
    env = {**sandbox.env, "DOCKER_CONFIG": str(config)}
    import os

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    text = path.read_text()
    assert "Login Succeeded" in text and "Removing login credentials" in text
    assert sandbox.password not in text


@pytest.mark.parametrize("path", ["-p", "file"])
def test_exception_chain_of_a_refused_login_holds_no_secret(ip, sandbox, config, tmp_path, path):
    from docker_magics.errors import RegistryAuthError

    wrong = "wrong-" + secrets.token_hex(8)
    (tmp_path / "wrong").write_text(wrong)
    flag = f"-p {wrong}" if path == "-p" else f"--password-file {tmp_path / 'wrong'}"
    with pytest.raises(RegistryAuthError) as info:
        ip.run_line_magic("docker", f"login -u {sandbox.user} {flag} {sandbox.registry}")
    for text in [*exception_texts(info.value), repr(info.traceback[-1].locals.get("exc"))]:
        assert wrong not in text
