"""docker_magics.gotemplate against the recorded vectors: docker CLI 28.2.2 output, byte for byte.

tests/data/format-vectors.json is a copy of the study's vectors file (shared/format-vectors.json).
Each vector is one case: the output must match exactly, or, for a recorded failure, the call must
raise TemplateError whose message contains the recorded error text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docker_magics.errors import TemplateError
from docker_magics.gotemplate import render

VECTORS = json.loads((Path(__file__).parent / "data" / "format-vectors.json").read_text(encoding="utf-8"))


def _fails(vector: dict) -> bool:
    return bool(vector.get("error")) or bool(vector.get("exit_code"))


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector(vector: dict) -> None:
    args = (vector["template"], vector["data"])
    kwargs = {"command": vector["command"], "flags": vector.get("flags")}
    if not _fails(vector):
        assert render(*args, **kwargs) == vector["expected"]
        return
    with pytest.raises(TemplateError) as info:
        render(*args, **kwargs)
    wanted = vector.get("error_contains") or vector.get("stderr_contains") or ""
    assert wanted in info.value.message
    if vector["command"] == "image inspect":
        # The CLI prints the objects that worked (here none: a lone newline), or nothing on exit 64.
        assert info.value.partial_output == vector["expected"]
        assert info.value.exit_code == vector["exit_code"]


def test_every_command_is_covered() -> None:
    assert {v["command"] for v in VECTORS} == {"engine", "image inspect", "image ls", "history", "search"}
    assert len(VECTORS) == 107
