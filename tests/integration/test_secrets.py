"""The secret goes to the credential store and nowhere else: not the form's widget state, not a saved notebook.

test_transfer.py's ``test_the_secret_never_leaks`` covers the password file, the masked prompt and ``-p``
across outputs, exceptions, log records and IPython's history; this adds the login form (every widget's
state, recursively, plus its outputs, logs and exceptions) and a notebook executed with nbclient and saved.
"""

from __future__ import annotations

import json
import logging
import secrets

import nbformat
import pytest
from nbclient import NotebookClient
from support.registry import exception_texts, token_file

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


# ---- the login form in a real kernel, driven as a frontend drives it --------------------------


def _iopub_until(kc, done, timeout: float = 60.0) -> list[dict]:
    """IOPub messages until ``done(messages)`` or the timeout."""
    import contextlib
    import queue
    import time

    messages: list[dict] = []
    deadline = time.monotonic() + timeout
    while not done(messages) and time.monotonic() < deadline:
        with contextlib.suppress(queue.Empty):
            messages.append(kc.get_iopub_msg(timeout=0.5))
    return messages


def _run(kc, code: str) -> list[dict]:
    """Execute ``code``; its IOPub messages until the kernel is idle again."""
    msg_id = kc.execute(code)
    return _iopub_until(kc, lambda ms: any(m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                                           and m["parent_header"].get("msg_id") == msg_id for m in ms))


def _comm_msg(kc, comm_id: str, data: dict) -> None:
    kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data}))


def _opened(messages: list[dict], test) -> str:
    return next(m["content"]["comm_id"] for m in messages if m["msg_type"] == "comm_open"
                and test(m["content"]["data"].get("state", {})))


def test_the_password_never_travels_as_widget_state_in_a_real_kernel(sandbox, config, tmp_path):
    """ipywidgets 8 echoes a synced Password value on IOPub (``echo_update``); the login form's field is never
    synced: the frontend sends the secret once, as a custom message, on Log in, and nothing carries it back."""
    from jupyter_client.manager import start_new_kernel

    canary = "canary-" + secrets.token_hex(6)
    env = {**sandbox.env, "DOCKER_CONFIG": str(config), "JPY_SESSION_NAME": str(tmp_path / "x.ipynb")}
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        opened = _run(kc, "import ipywidgets\np = ipywidgets.Password()\np")
        password_id = _opened(opened, lambda s: s.get("_model_name") == "PasswordModel")
        _comm_msg(kc, password_id, {"method": "update", "state": {"value": canary}, "buffer_paths": []})
        echoed = _iopub_until(kc, lambda ms: any(canary in json.dumps(m, default=str) for m in ms), 20)
        assert any(canary in json.dumps(m, default=str) for m in echoed)  # the window the issue describes

        messages = _run(kc, f"%load_ext docker_magics\n%docker login -u {sandbox.user} {sandbox.registry}")
        field = _opened(messages, lambda s: "_esm" in s and s.get("description") == "Password")
        button = _opened(messages, lambda s: s.get("description") == "Log in")
        _comm_msg(kc, field, {"method": "custom", "content": {"event": "submit", "value": sandbox.password}})
        _comm_msg(kc, button, {"method": "custom", "content": {"event": "click"}})
        messages += _iopub_until(kc, lambda ms: any("Login Succeeded" in json.dumps(m, default=str) for m in ms))
        texts = [json.dumps(m, default=str) for m in messages]
        assert any("Login Succeeded" in t for t in texts)
        assert not any(sandbox.password in t for t in texts)
        assert any('"event": "clear"' in t for t in texts)  # the page is told to empty the field
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    stored = json.loads((config / "config.json").read_text())["auths"][sandbox.registry]
    assert "auth" in stored
