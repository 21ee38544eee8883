"""Every notebook in notebooks/ runs top to bottom on the real engine and registry."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(sandbox, path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
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
