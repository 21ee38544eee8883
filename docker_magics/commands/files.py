"""``%docker files IMAGE`` (every entry of every layer, or ``--wasted`` space) and ``image diff --files A B``.

The engine side (the save archive streamed through tarfile, dive's efficiency) is
:mod:`docker_magics.engine.imagefs`; the frames are :mod:`docker_magics.views.imagefs`.
"""

from __future__ import annotations

from typing import Any

from ..command import Command
from ..errors import DockerMagicError, UsageError
from ..session import Session
from ..units import human_size
from ..views import charts


def _threshold(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise UsageError(f'invalid argument "{text}" for "--lowest-efficiency" flag: a number from 0 to 1',
                         hint="See '%docker files --help'.")
    return value


def files(cmd: Command, session: Session) -> Any:
    """Every entry of every layer of one image; ``--wasted`` dive's inefficient paths and figures."""
    from ..engine.archive import files as imagefs
    from ..views.files import files_frame, wasted_frame

    if not cmd.image:
        raise UsageError('"files" requires exactly 1 argument.', hint="See '%docker files --help'.")
    threshold = _threshold(cmd.lowest_efficiency)
    if cmd.plot:
        charts.require()
    engine = session.engine(cmd)
    image = imagefs.image_files(engine, cmd.image)
    if cmd.wasted or cmd.plot or threshold is not None:
        found = imagefs.efficiency(image.layers)
        if threshold is not None and found.score < threshold:
            raise DockerMagicError(
                f"Image efficiency of {cmd.image} is {found.score:.4f}, below the lowest allowed {threshold:g} "
                f"(potential wasted space {human_size(found.wasted_bytes)})",
                hint=f"See what is wasted with '%docker files --wasted {cmd.image}'.")
    if not cmd.wasted:
        return files_frame(image, no_trunc=cmd.no_trunc, layer=cmd.layer, path=cmd.path, changes=cmd.changes,
                           engine=engine.label)
    result = wasted_frame(image, found, engine=engine.label)
    if cmd.plot:
        charts.show(charts.wasted_space(result))
    return result


def diff_files(cmd: Command, session: Session) -> Any:
    """``image diff --files A B``: the paths whose final state differs (content compared by sha256)."""
    from ..engine.archive import files as imagefs
    from ..views.files import diff_files_frame

    engine = session.engine(cmd)
    a = imagefs.image_files(engine, cmd.image_a, hash_files=True)
    b = imagefs.image_files(engine, cmd.image_b, hash_files=True)
    changes = imagefs.compare(imagefs.final_filesystem(a), imagefs.final_filesystem(b))
    return diff_files_frame(changes, cmd.image_a, cmd.image_b, engine=engine.label)
