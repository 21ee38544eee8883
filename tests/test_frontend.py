"""Who is looking (views/frontend.py) and text progress that redraws in place (views/progress.py)."""

from __future__ import annotations

import io

import ipykernel.zmqshell as zmqshell
import pytest

from docker_magics.views import frontend, progress


class FakeKernel:
    """What the detection reads of an ipykernel Kernel: the parent of the shell channel."""

    def __init__(self, allow_stdin: bool | None) -> None:
        content = {} if allow_stdin is None else {"allow_stdin": allow_stdin}
        self.parent = {"header": {"msg_type": "execute_request"}, "content": {"code": "", **content}}

    def get_parent(self, channel: str = "shell") -> dict:
        return self.parent


class ColabShell(zmqshell.ZMQInteractiveShell):
    """A subclass with another name, as Colab's (google.colab._shell.Shell) is."""


def kernel_shell(allow_stdin: bool | None, cls: type = zmqshell.ZMQInteractiveShell):
    shell = cls.__new__(cls)  # no kernel machinery: only the class and the kernel attribute matter
    shell.kernel = FakeKernel(allow_stdin)
    return shell


class TerminalShell:
    """Terminal IPython: no kernel."""


@pytest.mark.parametrize(("shell", "env", "kind", "name"), [
    (kernel_shell(True), {}, "notebook", "Jupyter kernel"),  # VS Code sets no JPY_SESSION_NAME
    (kernel_shell(True), {"VSCODE_PID": "1"}, "notebook", "VS Code"),
    (kernel_shell(True, ColabShell), {"COLAB_RELEASE_TAG": "release-colab"}, "notebook", "Colab"),
    (kernel_shell(True), {"JPY_SESSION_NAME": "/a.ipynb"}, "notebook", "Jupyter"),
    # nbclient, papermill, nbconvert: the request says no stdin, whatever the environment inherited
    (kernel_shell(False), {}, "headless", "Jupyter kernel"),
    (kernel_shell(False), {"JPY_SESSION_NAME": "/a.ipynb", "VSCODE_PID": "1"}, "headless", "VS Code"),
    (kernel_shell(False), {"KAGGLE_KERNEL_RUN_TYPE": "Batch"}, "headless", "Jupyter kernel"),
    # the request cannot be read: the hints decide
    (kernel_shell(None), {"DATABRICKS_RUNTIME_VERSION": "15.4"}, "notebook", "Databricks"),
    (kernel_shell(None), {"KAGGLE_KERNEL_RUN_TYPE": "Interactive"}, "notebook", "Kaggle"),
    (kernel_shell(None), {}, "headless", "Jupyter kernel"),
    # a terminal: VS Code's integrated terminal sets VSCODE_PID, a Lab terminal JPY_SESSION_NAME
    (TerminalShell(), {"VSCODE_PID": "1", "JPY_SESSION_NAME": "x"}, "terminal", "TerminalShell"),
])
def test_who_is_looking(shell, env, kind, name):
    assert frontend.detect(shell, env) == frontend.Frontend(kind, name)


def test_a_hosted_shell_of_its_own_class_with_a_kernel_counts():
    shell = TerminalShell()
    shell.kernel = FakeKernel(None)
    assert frontend.detect(shell, {"DATABRICKS_RUNTIME_VERSION": "15.4"}).looking
    assert frontend.detect(shell, {"VSCODE_PID": "1"}).kind == "terminal"


def test_ipykernel_stored_allow_stdin_when_the_parent_has_none():
    class OldKernel:
        _allow_stdin = True

    shell = kernel_shell(None)
    shell.kernel = OldKernel()
    assert frontend.allow_stdin(shell) is True


def test_forms_setting_overrides(monkeypatch):
    monkeypatch.setattr(frontend, "detect", lambda shell=None: frontend.Frontend("headless", "x"))
    assert not frontend.shows_forms("auto")
    assert frontend.shows_forms("always")
    monkeypatch.setattr(frontend, "detect", lambda shell=None: frontend.Frontend("notebook", "x"))
    assert frontend.shows_forms("auto")
    assert not frontend.shows_forms("never")


def test_no_ipython_shell_is_plain():
    assert frontend.detect(None, {}).kind in {"plain", "terminal"}  # pytest may have IPython loaded


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


PULL = [{"status": "Pulling from t/a", "id": "1"}] + [
    {"status": "Downloading", "id": f"layer{n % 3}", "progressDetail": {"current": n * 1000, "total": 300_000}}
    for n in range(300)
] + [{"status": "Pull complete", "id": f"layer{n}"} for n in range(3)] + [{"status": "Digest: sha256:" + "1" * 64}]


def feed(bar, monkeypatch, seconds: float = 30.0) -> None:
    clock = Clock()
    monkeypatch.setattr(progress.time, "monotonic", clock)
    bar.start()
    for event in PULL:
        bar.event(event)
        clock.now += seconds / len(PULL)
    bar.finish(ok=True)


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_progress_rewrites_one_line(monkeypatch):
    out = TTY()
    bar = progress.TextProgress("Pulling h/t/a:1", stream=out)
    assert bar.mode == "tty"
    feed(bar, monkeypatch)
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")  # thirty seconds, one line
    assert bar.redraws > 20  # it did redraw while the pull ran
    assert "\x1b[" not in text
    assert text.rsplit("\r", 1)[1].rstrip() == "Pulling h/t/a:1: done (900kB/900kB)"


class Handle:
    def __init__(self) -> None:
        self.updates: list[str] = []

    def update(self, data: dict, raw: bool = False) -> None:
        assert raw
        self.updates.append(data["text/plain"])


def test_kernel_progress_is_one_updated_display(monkeypatch):
    shown: list = []
    handle = Handle()

    def display(data, raw=False, display_id=None):
        shown.append(data["text/plain"])
        assert raw and display_id is True
        return handle

    monkeypatch.setattr("IPython.display.display", display)
    out = io.StringIO()
    bar = progress.TextProgress("Pulling h/t/a:1", stream=out, mode="display")
    feed(bar, monkeypatch)
    assert shown == ["Pulling h/t/a:1"] and out.getvalue() == ""  # one display, nothing printed
    assert len(handle.updates) > 20
    assert any("  layer1: Downloading" in text and "%" in text.splitlines()[0] for text in handle.updates)
    assert handle.updates[-1] == "Pulling h/t/a:1: done (900kB/900kB)"  # the summary stays


def test_lines_without_a_terminal_have_no_percentage_lines(monkeypatch):
    out = io.StringIO()
    bar = progress.TextProgress("Pulling h/t/a:1", stream=out)
    assert bar.mode == "lines"
    feed(bar, monkeypatch, seconds=300.0)
    lines = out.getvalue().splitlines()
    assert not any("%" in line for line in lines)  # five minutes: state changes only, no line a second
    assert lines[0] == "Pulling h/t/a:1" and lines[-1] == "Pulling h/t/a:1: done (900kB/900kB)"
    assert len(lines) == 1 + 1 + 3 + 3 + 1 + 1


def test_a_pull_bar_never_falls_back_when_extraction_starts():
    state = progress.State("Pulling x")
    seen = []
    events = [{"status": "Pulling fs layer", "id": "a"}, {"status": "Pulling fs layer", "id": "b"}]
    # The engine downloads layers side by side (the sizes are known once each download starts).
    events += [{"status": "Downloading", "id": layer, "progressDetail": {"current": n, "total": 100}}
               for n in (10, 50, 100) for layer in "ab"]
    events += [{"status": "Download complete", "id": "a"}, {"status": "Download complete", "id": "b"}]
    events += [{"status": "Extracting", "id": layer, "progressDetail": {"current": n, "total": 100}}
               for layer in "ab" for n in (5, 60, 100)]
    events += [{"status": "Pull complete", "id": "a"}, {"status": "Pull complete", "id": "b"}]
    for event in events:
        progress.fold(state, event)
        seen.append(state.fraction() or 0.0)  # None while no size is known
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert state.fraction() == 1.0 and progress._bytes_text(state) == " (200B/200B)"


def test_a_push_bar_counts_bytes_once():
    state = progress.State("Pushing x")
    progress.fold(state, {"status": "Pushing", "id": "a", "progressDetail": {"current": 50, "total": 100}})
    assert state.fraction() == 0.5
