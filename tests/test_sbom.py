"""``%docker sbom``'s command (commands/sbom.py): Ctrl-C is one line, and so is an unknown --type or --format.

The readers, the stacking and the documents are tests/test_packages.py's; on the real engine, against syft,
tests/integration/test_sbom.py.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from docker_magics.commands import sbom as command
from docker_magics.engine.packages import walk
from docker_magics.errors import Interrupted, UsageError
from docker_magics.grammar import parse


def test_ctrl_c_is_one_line(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(walk, "image_packages", interrupted)
    session = SimpleNamespace(engine=lambda cmd: object(), settings=SimpleNamespace(progress="none"))
    with pytest.raises(Interrupted) as caught:
        command.read_images(SimpleNamespace(), session, ["app:1"], None)
    assert str(caught.value) == ("Stopped while reading the images' packages; nothing was changed. "
                                 "Run the command again: the layers already read are kept.")


@pytest.mark.parametrize(("line", "said"), [
    ("sbom --type deb,pyhton app:1", 'invalid argument "pyhton" for "--type" flag: one of deb, apk, rpm, python, '
                                     "npm, go-module, java-archive, conda. Did you mean 'python'? "
                                     "See '%docker sbom --help'."),
    ("sbom --format xml app:1", 'invalid argument "xml" for "--format" flag: table, cyclonedx or spdx. '
                                "See '%docker sbom --help'."),
    ("sbom -o x.json app:1", "-o FILE writes a document: give --format cyclonedx or --format spdx. "
                             "See '%docker sbom --help'."),
])
def test_bad_usage_is_one_line(line, said):
    engine = SimpleNamespace(label="unix:///none")
    session = SimpleNamespace(engine=lambda cmd: engine)
    with pytest.raises(UsageError) as caught:
        command.sbom(parse(line), session)
    assert str(caught.value) == said
