"""Every notebook in notebooks/ runs top to bottom on the real engine and registry.

Twice: as ``scripts/run_notebook.py`` runs them (the session's registry in ``DM_REGISTRY``/``DM_REGISTRY_USER``/
``DM_REGISTRY_PASSWORD``), and as a notebook opened by hand runs, with only ``DOCKER_HOST`` and a ``DOCKER_CONFIG``
of its own: then a notebook finds or starts what it needs (notebooks/notebook_setup.py).
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def run(path: Path, **kernel) -> nbformat.NotebookNode:
    """Execute the notebook in a fresh kernel (``kernel``: keyword arguments for starting it, e.g. ``env``)."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute(**kernel)
    errors = [o for c in nb.cells if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", [])
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    # Progress run headless is one display updated in place: what stays is its summary line.
    for cell in nb.cells:
        shown = [o.data["text/plain"] for o in cell.get("outputs", []) if o.output_type == "display_data"
                 and o.data.get("text/plain", "").startswith(("Pulling ", "Pushing ", "Saving ", "Loading "))]
        assert len(shown) <= 1 and all(text.count("\n") == 0 and ": " in text for text in shown), shown
        streams = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")
        assert "%" not in streams.replace("%docker", ""), streams  # no percentage line a second
    # A cell tagged raises-exception shows our one line, never a traceback.
    for cell in nb.cells:
        if "raises-exception" in cell.metadata.get("tags", []):
            (error,) = [o for o in cell.outputs if o.output_type == "error"]
            assert len(error.traceback) == 1, error.traceback
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(sandbox, path):
    run(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_opened_by_hand(sandbox, path, tmp_path):
    config = tmp_path / "docker-config"
    config.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("DM_")}
    env |= {"DOCKER_HOST": sandbox.host, "DOCKER_CONFIG": str(config)}
    nb = run(path, env=env)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    ports = re.findall(r"a sandbox registry at 127\.0\.0\.1:(\d+)", text)
    assert len(ports) == ("use_registry()" in path.read_text())
    for port in ports:
        # The kernel's registry went with the kernel.
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", int(port)), timeout=2):
            pass
    assert not (config / "config.json").exists()  # the login went to the notebook's own folder


def test_quickstart_headless_says_in_one_line_where_a_form_would_open(sandbox, tmp_path):
    """nbclient executes with allow_stdin=False: the tag form's cell is the one-line answer, no widget."""
    path = next(p for p in NOTEBOOKS if p.name == "quickstart.ipynb")
    nb = nbformat.read(path, as_version=4)
    setup = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%load_ext")]
    form = [c for c in nb.cells if c.source == "%docker tag quickstart/app:1.0"]
    assert len(form) == 1 and len(setup) == 1
    nb.cells = setup + form  # the answer comes before any image is looked up: no set-up cell needed
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = form[0].outputs
    assert [o.output_type for o in outputs] == ["error"]
    assert outputs[0].evalue.startswith("'%docker tag' needs a source image and a target reference")
