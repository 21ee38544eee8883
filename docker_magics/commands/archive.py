"""``%docker save``, ``load`` and ``import`` (and their ``image X`` forms): carry images as files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..command import Command
from ..engine import references
from ..errors import UsageError
from ..session import Session
from ..views import progress
from ..views.display import Text
from ..views.results import SavedArchive
from .platforms import check_platform

_GZ_SUFFIXES = (".gz", ".tgz")


def save(cmd: Command, session: Session) -> Any:
    """Save one or more images into one tar (gzip for ``.gz``/``--gzip``); a summary with the file's sha256."""

    if not cmd.output:
        raise UsageError("'%docker save' needs -o FILE in a notebook: the archive is binary and cannot go to "
                         "the cell's output",
                         hint="To fix it, write %docker save -o images.tar IMAGE [IMAGE...] (images.tar.gz "
                              "or --gzip compresses).")
    if not cmd.images:
        raise UsageError("'%docker save' requires at least 1 argument",
                         hint="Write %docker save -o FILE IMAGE [IMAGE...].")
    engine = session.engine(cmd)

    check_platform(engine, "save", cmd.platform)
    target = Path(cmd.output).expanduser()
    total = engine.estimate_size(cmd.images)
    count = len(cmd.images)
    title = f"Saving {count} image{'s' if count != 1 else ''} to {target}"
    with progress.progress_for(session.settings.progress, title, total_bytes=total) as sink:
        size, digest = engine.save(list(cmd.images), target, expected=total,
                                   compress=cmd.gzip or target.name.endswith(_GZ_SUFFIXES), sink=sink,
                                   platform=cmd.platform)
        sink.state.total_bytes = sink.state.done_bytes  # the estimate gives way to the true count
    return SavedArchive(str(target), size, digest, list(cmd.images), engine.label)


def load(cmd: Command, session: Session) -> Any:
    """Load a tar or tar.gz written by ``save``; a DataFrame of the loaded references and IDs."""
    from ..views.archive import loaded_frame

    if not cmd.input:
        raise UsageError("'%docker load' needs -i FILE in a notebook (there is no standard input to read)",
                         hint="To fix it, write %docker load -i images.tar (a .tar.gz works too).")
    engine = session.engine(cmd)

    check_platform(engine, "load", cmd.platform)
    path = Path(cmd.input).expanduser()
    total = path.stat().st_size if path.is_file() else 0
    with progress.progress_for(session.settings.progress, f"Loading {path}", quiet=cmd.quiet,
                               total_bytes=total) as sink:
        loaded = engine.load(path, quiet=cmd.quiet, sink=sink, platform=cmd.platform)
    return loaded_frame(loaded, engine=engine.label)


def import_(cmd: Command, session: Session) -> Any:
    """Create an image from a root filesystem tarball (file, http(s) URL or ``-``); the new image's ID."""

    if not cmd.source:
        raise UsageError("'%docker import' requires at least 1 argument",
                         hint="Write %docker import FILE|URL|- [REPOSITORY[:TAG]].")
    repository, tag = references.new_image_name(cmd.reference, "import")
    engine = session.engine(cmd)
    source = cmd.source
    total = Path(source).stat().st_size if Path(source).is_file() else 0
    with progress.progress_for(session.settings.progress, f"Importing {source}", total_bytes=total) as sink:
        image_id = engine.import_image(source, repository=repository, tag=tag, changes=list(cmd.change),
                                  message=cmd.message, sink=sink)
    return Text(image_id)
