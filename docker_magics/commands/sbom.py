"""``%docker sbom IMAGE...`` (also ``image sbom``): the packages inside images; ``image diff --packages A B``.

The engine side (the layers read from the save archive, the per-layer cache, the ecosystems) is
:mod:`docker_magics.engine.packages`; the frames and documents are :mod:`docker_magics.views.sbom`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..command import Command
from ..engine.references import NONE_TAG
from ..errors import UsageError, did_you_mean, interrupts_as
from ..session import Session
from ..units import truncate_id

TYPES = ("deb", "apk", "rpm", "python", "npm", "go-module", "java-archive", "conda")
FORMATS = ("table", "cyclonedx", "spdx")


def _types(values: list[str]) -> frozenset[str] | None:
    names = [t.strip() for value in values for t in value.split(",") if t.strip()]
    for name in names:
        if name not in TYPES:
            hint = did_you_mean(name, TYPES)
            raise UsageError(f'invalid argument "{name}" for "--type" flag: one of {", ".join(TYPES)}',
                             hint=" ".join(x for x in (hint, "See '%docker sbom --help'.") if x))
    return frozenset(names) if names else None


def _every_image(engine: Any) -> list[str]:
    """Every local image once per ID: its first tag, or its short ID when it has none."""
    out: dict[str, str] = {}
    for summary in engine.images():
        tags = [t for t in summary.get("RepoTags") or () if t != NONE_TAG]
        out.setdefault(summary["Id"], tags[0] if tags else truncate_id(summary["Id"]))
    return list(out.values())


def read_images(cmd: Command, session: Session, references: list[str], types: frozenset[str] | None) -> list[Any]:
    """Every image's packages, read with the export's bytes shown as progress; Ctrl-C is one line."""
    from ..engine.packages.walk import image_packages
    from ..views import progress

    engine = session.engine(cmd)
    out = []
    with interrupts_as("Stopped while reading the images' packages; nothing was changed.",
                       hint="Run the command again: the layers already read are kept."):
        for reference in references:
            def opener(total: int, reference: str = reference) -> Any:
                return progress.progress_for(session.settings.progress, f"Reading the packages of {reference}",
                                             total_bytes=total)

            out.append(image_packages(engine, reference, types=types, progress=opener))
    return out


def sbom(cmd: Command, session: Session) -> Any:
    """One row per package per image; ``--format cyclonedx|spdx`` a document (written with ``-o FILE``)."""
    from ..views import sbom as views

    fmt = (cmd.format or "table").lower()
    if fmt not in FORMATS:
        raise UsageError(f'invalid argument "{cmd.format}" for "--format" flag: table, cyclonedx or spdx',
                         hint="See '%docker sbom --help'.")
    if cmd.output and fmt == "table":
        raise UsageError("-o FILE writes a document: give --format cyclonedx or --format spdx",
                         hint="See '%docker sbom --help'.")
    types = _types(cmd.type)
    engine = session.engine(cmd)
    if cmd.all:
        if cmd.images:
            raise UsageError("--all reads every local image: give no IMAGE with it", hint="See '%docker sbom --help'.")
        references = _every_image(engine)
    elif not cmd.images:
        raise UsageError('"sbom" requires at least 1 argument.', hint="See '%docker sbom --help'.")
    else:
        references = list(cmd.images)
    images = read_images(cmd, session, references, types)
    views.show_skipped(images)
    if fmt == "table":
        return views.sbom_frame(images, engine=engine.label)
    from ..engine.packages import documents

    document = documents.cyclonedx(images) if fmt == "cyclonedx" else documents.spdx(images)
    if not cmd.output:
        return document
    target = Path(cmd.output).expanduser()
    written = documents.write(document, target)
    return views.WrittenDocument(str(target), written, document.get("bomFormat") or document.get("spdxVersion", ""),
                                 engine.label)


def diff_packages(cmd: Command, session: Session) -> Any:
    """``image diff --packages A B``: the packages added, removed or changed from A to B."""
    from ..engine.packages.diff import compare
    from ..views.sbom import diff_frame

    a, b = read_images(cmd, session, [cmd.image_a, cmd.image_b], None)
    return diff_frame(compare(a.packages, b.packages), cmd.image_a, cmd.image_b,
                      engine=session.engine(cmd).label)
