"""The test shell's settings: ``%config DockerMagics.NAME = VALUE`` for a block, then back to what they were."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def configured(shell: Any, **settings: Any) -> Iterator[Any]:
    """Set DockerMagics settings through ``%config`` (as a user does) for the block; restore them after it.

    Yields:
        The magics instance, whose ``session`` the settings reached.
    """
    magics = shell.magics_manager.registry["DockerMagics"]
    before = {name: getattr(magics, name) for name in settings}
    try:
        for name, value in settings.items():
            shell.run_line_magic("config", f"DockerMagics.{name} = {value!r}")
        yield magics
    finally:
        for name, value in before.items():
            shell.run_line_magic("config", f"DockerMagics.{name} = {value!r}")
