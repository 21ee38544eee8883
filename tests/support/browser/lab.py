"""A JupyterLab 4 or Notebook 7 server on loopback with no token, isolated from the user's settings, and a page on it.

The recipe and its pitfalls are /work/shared/BROWSER.md: a port chosen by binding to port 0 with
``port_retries=0``, every Jupyter folder under the test's temp dir, the news toast turned off by a
settings file, readiness by ``/api/status``, and the kernel's readiness read from the status bar (the
execution indicator says "idle" before any kernel exists). Notebook 7 is the same application shell with
another layout (no status bar, no tabs): its kernel's readiness is read from ``window.jupyterapp``.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KERNEL_IDLE = re.compile(r"^Python 3 \(ipykernel\) \| Idle$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_settings(folder: Path, *, save_widget_state: bool) -> None:
    """No news toast; widget state saved in the notebook (the setting a password could leak through)."""
    files = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": save_widget_state},
    }
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


# The server module and its application class (for expose_app_in_browser: window.jupyterapp in the page).
APPS = {"jupyterlab": "LabApp", "notebook": "JupyterNotebookApp"}


class LabServer:
    """``python -m jupyterlab`` (or ``notebook``: Notebook 7) for one test module; its kernels inherit ``env``."""

    def __init__(self, root: Path, work: Path, env: dict[str, str], *, save_widget_state: bool = True,
                 app: str = "jupyterlab") -> None:
        self.app = app
        self.root, self.work, self.port = root, work, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = work / f"{app}.log"
        settings = work / "lab-settings"
        write_settings(settings, save_widget_state=save_widget_state)
        self.env = {**env, "JUPYTER_CONFIG_DIR": str(work / "config"), "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
                    "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(work / "workspaces"),
                    "IPYTHONDIR": str(work / "ipython"), "PYTHONUNBUFFERED": "1"}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> LabServer:
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", self.app, "--no-browser", "--allow-root", "--ip=127.0.0.1",
                 f"--port={self.port}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
                 "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={self.root}",
                 f"--{APPS[self.app]}.expose_app_in_browser=True"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.app} exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.app} did not answer in {timeout:.0f} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # the server shuts its kernels down itself
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def write_notebook(path: Path, sources: list[str]) -> Path:
    """A notebook with a kernelspec (no "Select Kernel" dialog) and one code cell per source."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


def launch(playwright: Any, user_data_dir: Path) -> Any:
    """Debian's headless Chromium with a fresh profile (a persistent context on that folder)."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 1400})


# Notebook 7: the notebook panel's kernel, connected and idle (the page's own execution indicator says
# "idle" before a kernel exists, as Lab's does).
NOTEBOOK_KERNEL_IDLE = """() => {
    const kernel = window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel;
    return !!kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
}"""


def open_and_run_all(page: Any, server: LabServer, name: str, sentinel: str) -> None:
    """Open a notebook, wait for a connected idle kernel, Run All, wait for the sentinel output."""
    from playwright.sync_api import expect

    if server.app == "notebook":
        page.goto(f"{server.url}/notebooks/{name}")
        page.wait_for_function(NOTEBOOK_KERNEL_IDLE, timeout=60_000)
    else:
        page.goto(f"{server.url}/lab/tree/{name}?reset")
        kernel = page.locator(".jp-StatusBar-TextItem[title^='Change kernel']")
        expect(kernel).to_have_text(KERNEL_IDLE, timeout=60_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    expect(page.locator(".jp-OutputArea-output", has_text=sentinel)).to_be_visible(timeout=60_000)


def save(page: Any, path: Path, expected: str, timeout: float = 30.0) -> str:
    """Ctrl+S in the notebook; wait until it is clean and the file holds ``expected``; the file's text."""
    page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()  # focus the notebook, not a field
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty",
                           timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text()
        if expected in text or time.monotonic() > deadline:
            return text
        time.sleep(0.1)


def keep_evidence(page: Any, folder: Path, console: list[str], name: str = "failure") -> list[Path]:
    """Screenshot, HTML and console log of a failed run, for the test report."""
    paths = [folder / f"{name}.png", folder / f"{name}.html", folder / f"{name}-console.log"]
    try:
        page.screenshot(path=str(paths[0]), full_page=True)
        paths[1].write_text(page.content())
    except Exception as exc:  # the page may be gone; keep what there is
        paths[1].write_text(f"no page: {exc}")
    paths[2].write_text("\n".join(console))
    return paths
