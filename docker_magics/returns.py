"""What each verb returns: the columns and types of its frame, or the fields of its result.

Each verb's row in :data:`docker_magics.grammar.VERBS` carries its :class:`Returns`, for two readers: every
verb's ``--help`` ends with it (:func:`returns_help`), and the README's "What comes back" section is generated
from them (``python scripts/readme_returns.py``; a test fails when the README drifts). Text columns are pandas'
string dtype (``str``); a frame's ``attrs`` hold its ``engine`` (and ``engines`` when several were asked) and,
where said, its totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Returns:
    """What a verb hands back: a sentence, and the columns (name, type, meaning) when it is a frame."""

    what: str
    columns: tuple[tuple[str, str, str], ...] = ()


IMAGE_COLUMNS = (("repository", "str", "the repository, as the CLI shows it (`<none>` for dangling)"),
          ("tag", "str", "the tag (`<none>` for an image known by digest only)"),
          ("digest", "str", "only with `--digests`: the repository digest"),
          ("image_id", "str", "12 characters, or the full `sha256:` ID with `--no-trunc`"),
          ("created", "datetime64[UTC]", "when the image was made"),
          ("size", "int64", "bytes, as the CLI counts them on this engine"),
          ("containers", "int64", "with `--usage`: containers using the image (-1: not computed, the CLI's N/A)"),
          ("container_names", "list", "with `--usage`: their names"),
          ("shared_size", "int64", "with `--usage`: bytes shared with other images (-1: N/A)"),
          ("unique_size", "int64", "with `--usage`: bytes only this image holds (-1: N/A)"),
          ("platforms", "str", "with `--platforms`: `os/arch` of each platform that is here (API 1.47+; before, "
                               "the one the engine uses)"))
EVENTS = (("action", "str", "`Untagged` or `Deleted`, in the engine's order"),
           ("reference", "str", "the reference or ID concerned"))

def returns_help(entry: Returns | None) -> list[str]:
    """The ``Returns:`` section of a verb's ``--help``."""
    if entry is None:
        return []
    lines = ["", "Returns:", f"  {entry.what}"]
    width = max((len(name) for name, _, _ in entry.columns), default=0)
    kinds = max((len(kind) for _, kind, _ in entry.columns), default=0)
    lines += [f"  {name:<{width}}  {kind:<{kinds}}  {meaning}" for name, kind, meaning in entry.columns]
    return [line.replace("`", "") for line in lines]


def readme_section(verbs: Iterable[Any]) -> str:
    """The README's "What comes back" section from the verbs' rows (:data:`~.grammar.VERBS`), a table per listing."""
    returned = {verb.name: verb.returns for verb in verbs if verb.returns is not None}
    out = []
    for verb, entry in returned.items():
        if not entry.columns:
            continue
        out += [f"**`{verb}`**: {entry.what}", "", "| column | type | meaning |", "| --- | --- | --- |"]
        out += [f"| `{name}` | {kind} | {meaning} |" for name, kind, meaning in entry.columns]
        out.append("")
    others = [f"- `{verb}`: {entry.what}" for verb, entry in returned.items() if not entry.columns]
    return "\n".join([*out, "Every other verb:", "", *others]) + "\n"
