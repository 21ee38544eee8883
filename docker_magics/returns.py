"""What each verb returns: the columns and types of its frame, or the fields of its result.

One table for two readers: every verb's ``--help`` ends with its entry (:func:`returns_help`), and the
README's "What comes back" section is generated from it (``python scripts/readme_returns.py``; a test fails
when the README drifts). Text columns are pandas' string dtype (``str``); a frame's ``attrs`` hold its
``engine`` (and ``engines`` when several were asked) and, where said, its totals.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Returns:
    """What a verb hands back: a sentence, and the columns (name, type, meaning) when it is a frame."""

    what: str
    columns: tuple[tuple[str, str, str], ...] = ()


_IMAGE = (("repository", "str", "the repository, as the CLI shows it (`<none>` for dangling)"),
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
_EVENTS = (("action", "str", "`Untagged` or `Deleted`, in the engine's order"),
           ("reference", "str", "the reference or ID concerned"))

RETURNS: dict[str, Returns] = {
    "images": Returns("A DataFrame, one row per tag (a list of IDs with `-q`, text with `--format`).", _IMAGE),
    "pull": Returns("A result with `reference`, `status` and `digest` (`digests` per tag with `-a`)."),
    "push": Returns("A result with `repository`, `digest`, `digests` (tag -> digest) and `tags`."),
    "inspect": Returns("The CLI's JSON: a list of objects (text with `--format`)."),
    "history": Returns("A DataFrame, one row per step, newest first (a list of IDs with `-q`, text with `--format`).",
                       (("image_id", "str", "the step's image, `<missing>` where the CLI says so"),
                        ("created", "datetime64[UTC]", "when the step ran"),
                        ("created_by", "str", "the instruction"),
                        ("size", "int64", "bytes the step added"),
                        ("comment", "str", "the step's comment"))),
    "tag": Returns("Nothing, like the CLI (no arguments in a notebook: the tag form)."),
    "save": Returns("A result with `path`, `bytes`, `sha256` and `images`."),
    "load": Returns("A DataFrame, one row per loaded image.",
                    (("reference", "str", "the loaded tag, `<none>` for an image loaded by ID"),
                     ("image_id", "str", "the full image ID"))),
    "rmi": Returns("A DataFrame, one row per Untagged/Deleted event.",
                   (*_EVENTS, ("image", "str", "the argument the event came from"))),
    "prune": Returns("A DataFrame of what went (with `--dry-run` or before confirming: of what would go, with "
                     "`image_id, references, created, size, unique_size, untag_only`); `attrs` has the bytes "
                     "reclaimed and the images containers keep.", _EVENTS),
    "import": Returns("The new image's ID (a `str`)."),
    "search": Returns("A DataFrame, one row per result (text with `--format`); with `--registry`, the registry's "
                      "repositories (`repository` column).",
                      (("name", "str", "the repository"), ("description", "str", "its description"),
                       ("stars", "int64", "its stars"), ("official", "bool", "whether it is an official image"))),
    "tags": Returns("A DataFrame, one row per tag, read from the registry without pulling.",
                    (("repository", "str", "the repository"), ("tag", "str", "the tag"),
                     ("digest", "str", "the manifest's digest"),
                     ("compressed_size", "Int64", "bytes a pull downloads (config and compressed layers)"),
                     ("platforms", "str", "`os/arch` of each image in an index"),
                     ("created", "datetime64[UTC]", "the image config's creation time"))),
    "build": Returns("The built image: a `str` of its ID with `tags`, `builder` and `steps` (a DataFrame: step, "
                     "name, cached, duration, error)."),
    "builder prune": Returns("A DataFrame of the build cache records removed (or that would be, with `--dry-run`); "
                             "`attrs` has the bytes reclaimed."),
    "layers": Returns("A DataFrame, one row per layer per image, base first.",
                      (("image", "str", "the image asked for"), ("layer", "str", "the layer's diff ID"),
                       ("size", "int64", "bytes the layer adds"), ("created_by", "str", "the step that made it"),
                       ("shared", "bool", "whether another given image holds it"),
                       ("shared_with", "list", "those images"))),
    "diff": Returns("A DataFrame of the two images' layers with a `side` column (`both`, `A only`, `B only`); "
                    "with `--files`, one row per path that differs: `path, change, size_a, size_b, size_delta`; "
                    "with `--packages`, one row per package that differs: `type, name, version_a, version_b, "
                    "change` (added, removed, changed)."),
    "files": Returns("A DataFrame, one row per entry per layer; with `--wasted`, one row per wasted path (`path, "
                     "layers, count, cumulative_size`) and dive's `efficiency` and `wasted_bytes` in `attrs`.",
                     (("layer", "int64", "0 is the bottom layer"), ("layer_id", "str", "the layer's diff ID"),
                      ("created_by", "str", "the step that made the layer"), ("path", "str", "the absolute path"),
                      ("type", "str", "file, dir, symlink, hardlink or other"), ("size", "int64", "bytes"),
                      ("mode", "str", "as `ls -l` shows it"),
                      ("change", "str", "added, modified, removed or unchanged"))),
    "sbom": Returns("A DataFrame, one row per package per image; `attrs` has each image's os-release (`os`) and "
                    "the packages per type (`counts`); with `--format cyclonedx` or `spdx`, the document (a dict), "
                    "written to a file with `-o`.",
                    (("image", "str", "the image asked for (with `--all`: its first tag, else its short ID)"),
                     ("image_id", "str", "the full image ID"),
                     ("type", "str", "syft's type: deb, apk, rpm, python, npm, go-module, java-archive, conda"),
                     ("name", "str", "the package's name"), ("version", "str", "its version"),
                     ("purl", "str", "its package URL"),
                     ("license", "str", "an SPDX expression where the metadata gives one, else the text found"),
                     ("layer", "int64", "the first layer that added it at that version (0 is the bottom layer)"),
                     ("layer_diff_id", "str", "that layer's diff ID"),
                     ("path", "str", "the file it was read from"),
                     ("arch", "str", "its architecture, where the ecosystem says"),
                     ("source", "str", "its source package, apk origin, or a Go module's main module"))),
    "df": Returns("A DataFrame of `docker system df`'s rows (`type, total, active, size, reclaimable`); with `-v`, "
                  "one row per image (`repository, tag, image_id, created, size, shared_size, unique_size, "
                  "containers`)."),
    "context ls": Returns("A DataFrame: `name, description, docker_endpoint, current`."),
    "context use": Returns("A line saying which context is now current."),
    "login": Returns("A result with `server`, `username`, `status` and `stored_in` (never the secret)."),
    "logout": Returns("A line saying what was removed."),
}


def returns_help(verb: str) -> list[str]:
    """The ``Returns:`` section of a verb's ``--help``."""
    entry = RETURNS.get(verb)
    if entry is None:
        return []
    lines = ["", "Returns:", f"  {entry.what}"]
    width = max((len(name) for name, _, _ in entry.columns), default=0)
    kinds = max((len(kind) for _, kind, _ in entry.columns), default=0)
    lines += [f"  {name:<{width}}  {kind:<{kinds}}  {meaning}" for name, kind, meaning in entry.columns]
    return [line.replace("`", "") for line in lines]


def readme_section() -> str:
    """The README's "What comes back" section, one schema table per listing."""
    out = []
    for verb, entry in RETURNS.items():
        if not entry.columns:
            continue
        out += [f"**`{verb}`**: {entry.what}", "", "| column | type | meaning |", "| --- | --- | --- |"]
        out += [f"| `{name}` | {kind} | {meaning} |" for name, kind, meaning in entry.columns]
        out.append("")
    others = [f"- `{verb}`: {entry.what}" for verb, entry in RETURNS.items() if not entry.columns]
    return "\n".join([*out, "Every other verb:", "", *others]) + "\n"
