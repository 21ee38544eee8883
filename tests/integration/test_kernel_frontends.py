"""A kernel started the way VS Code starts one, driven over the Jupyter protocol as a frontend would.

VS Code's Jupyter extension launches ``python -m ipykernel_launcher -f CONNECTION_FILE`` itself, through
no jupyter_server, so none of the JPY_* variables is set. Here jupyter_client's KernelManager does the
same with an environment stripped of them (and of VSCODE_PID: the request alone must decide). Each
execution says what a frontend says: ``allow_stdin=True`` when a person types in a notebook (VS Code,
JupyterLab), ``allow_stdin=False`` as nbclient, papermill and nbconvert send it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from support.registry import remove, token_file, unique_image

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ROOT = Path(__file__).resolve().parents[2]


class Kernel:
    """A kernel and a client; ``run`` executes a cell and returns the cell's iopub messages."""

    def __init__(self, env: dict[str, str]) -> None:
        from jupyter_client import KernelManager

        # python -m ipykernel_launcher -f CONNECTION_FILE, "python" being this venv's (VS Code's chosen interpreter)
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=env)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        self.input_requests: list[dict] = []

    def run(self, code: str, *, allow_stdin: bool) -> tuple[list[dict], dict]:
        """Execute ``code``; the iopub messages of that execution and the execute_reply."""
        messages: list[dict] = []

        def stdin_hook(msg: dict) -> None:  # a frontend answers input(); the forms path must not ask
            self.input_requests.append(msg)
            self.client.input("")

        reply = self.client.execute_interactive(code, allow_stdin=allow_stdin, timeout=120,
                                                output_hook=messages.append, stdin_hook=stdin_hook)
        return messages, reply

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel(sandbox, tmp_path_factory):
    work = tmp_path_factory.mktemp("vscode-kernel")
    (work / "docker-config").mkdir()
    env = {key: value for key, value in sandbox.env.items()
           if not key.startswith("JPY_") and key not in {"VSCODE_PID", "DOCKER_CONFIG"}}
    env.update(DOCKER_CONFIG=str(work / "docker-config"), IPYTHONDIR=str(work / "ipython"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    started = Kernel(env)
    started.run("%load_ext docker_magics", allow_stdin=False)
    yield started
    started.stop()


def outputs(messages: list[dict], *types: str) -> list[dict]:
    return [m for m in messages if m["msg_type"] in types]


def widget_views(messages: list[dict]) -> list[dict]:
    return [m["content"]["data"][WIDGET_VIEW] for m in outputs(messages, "display_data", "execute_result")
            if WIDGET_VIEW in m["content"]["data"]]


def one_line_error(messages: list[dict]) -> str:
    (error,) = outputs(messages, "error")
    assert len(error["content"]["traceback"]) == 1, error["content"]["traceback"]
    return error["content"]["evalue"]


def test_a_person_typing_gets_the_forms(kernel, sandbox):
    for cell in ("%docker tag", "%docker tag dmtest/tiny:1.0", f"%docker login {sandbox.registry}", "%docker push"):
        messages, reply = kernel.run(cell, allow_stdin=True)
        assert reply["content"]["status"] == "ok", (cell, messages)
        assert len(widget_views(messages)) == 1, (cell, messages)
        assert not outputs(messages, "error", "stream"), (cell, messages)
    assert kernel.input_requests == []  # the forms never asked for input()


def test_a_headless_run_gets_one_line(kernel, sandbox):
    messages, _ = kernel.run("%docker tag", allow_stdin=False)
    assert one_line_error(messages).startswith("'%docker tag' needs a source image and a target reference")
    messages, _ = kernel.run(f"%docker login {sandbox.registry}", allow_stdin=False)
    assert one_line_error(messages).startswith("Login needs a username, and this kernel cannot prompt for it")
    assert not widget_views(messages)
    assert kernel.input_requests == []


def test_a_pull_is_one_updated_display(kernel, sandbox, tmp_path):
    ref = f"{sandbox.registry}/kernels/pull:{secrets.token_hex(3)}"
    unique_image(sandbox, tmp_path, ref, size=30_000_000)
    try:
        messages, reply = kernel.run(f"%docker login -u {sandbox.user} --password-file {token_file(sandbox, tmp_path)}"
                                     f" {sandbox.registry}\n%docker push -q {ref}", allow_stdin=False)
        assert reply["content"]["status"] == "ok", messages
        remove(sandbox, ref)
        messages, reply = kernel.run(f"pulled = %docker pull {ref}\npulled.digest", allow_stdin=False)
        assert reply["content"]["status"] == "ok", messages
        shown = outputs(messages, "display_data", "update_display_data")
        (first, *updates) = shown
        assert first["msg_type"] == "display_data" and updates  # one display, then only its updates
        display_id = first["content"]["transient"]["display_id"]
        assert {m["msg_type"] for m in updates} == {"update_display_data"}
        assert {m["content"]["transient"]["display_id"] for m in updates} == {display_id}
        assert first["content"]["data"]["text/plain"] == f"Pulling {ref}"
        assert updates[-1]["content"]["data"]["text/plain"].startswith(f"Pulling {ref}: done (")  # the summary
        assert not outputs(messages, "stream")  # not a line a second, nor a line per layer
        (result,) = outputs(messages, "execute_result")
        assert result["content"]["data"]["text/plain"].startswith("'sha256:")
        # A person in a frontend sees the widget bar instead.
        remove(sandbox, ref)
        messages, reply = kernel.run(f"%docker pull {ref}", allow_stdin=True)
        assert reply["content"]["status"] == "ok", messages
        assert len(widget_views(messages)) == 1 and not outputs(messages, "update_display_data", "stream")
    finally:
        remove(sandbox, ref)
