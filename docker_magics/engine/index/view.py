"""What ``GET /images/json`` answers, computed from the image index's rows the way the engine computes it.

The index keeps the rows of ``/images/json?all=1``. A listing without ``-a`` and the filters ``reference``,
``label``, ``dangling``, ``before`` and ``since`` are worked out here from those rows, following the engine's
own code for each image store:

- the classic store (moby ``daemon/images``): a listing without ``-a`` hides untagged images that have
  children; ``reference`` keeps only the references that match (and drops images left with none);
  ``dangling=true`` keeps untagged images without children, even with ``-a``.
- the containerd store (moby ``daemon/containerd/image_list.go``): filters apply to each image *record* (one
  per name); ``RepoTags`` lists the records that pass and ``RepoDigests`` is derived from the last of them;
  a listing without ``-a`` hides dangling images named as a classic build's parent.

Pure functions: no engine calls. Anything this module cannot reproduce exactly (another filter, a bad
value, a glob with ``[`` or ``\\``) raises :class:`Unanswerable`, and the listing goes to the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..filters import match_label
from ..identity import version_at_least
from ..references import NONE_DIGEST, NONE_TAG, InvalidReferenceError, parse

#: The filters the index answers; any other key goes to the engine (which also reports bad keys).
SUPPORTED = frozenset({"reference", "label", "dangling", "before", "since"})
NONE_MARKERS = frozenset({NONE_TAG, NONE_DIGEST})
DANGLING_PREFIX = "moby-dangling@"  # the containerd store's record name for an image without a tag


class Unanswerable(Exception):
    """The index cannot answer this listing exactly; ask the engine."""


@dataclass(frozen=True)
class Conventions:
    """How the engine writes a row, which depends on the API version and the image store."""

    containerd: bool  # the containerd image store (else the classic one)
    none_markers: bool  # API < 1.43: an image with no reference lists <none>:<none> and <none>@<none>
    empty_is_null: bool  # API < 1.43: an empty RepoTags/RepoDigests is null, not []
    virtual_size: bool  # API < 1.44: rows carry VirtualSize (= Size)
    # API 1.51+ (Engine 28.5): rows count the containers of each image (before: -1), on both stores (measured).
    counts_containers: bool = False

    @classmethod
    def of(cls, api_version: str, containerd: bool) -> Conventions:
        """The conventions of an engine speaking ``api_version`` (e.g. ``1.41``)."""
        before_143 = not version_at_least(api_version, "1.43")
        return cls(containerd, before_143, before_143, not version_at_least(api_version, "1.44"),
                   version_at_least(api_version, "1.51"))

    def empty(self) -> list[str] | None:
        """An empty RepoTags or RepoDigests as the engine writes it."""
        return None if self.empty_is_null else []


# ---- Go's path.Match and the reference package's FamiliarMatch ---------------------------------------


def go_glob(pattern: str) -> re.Pattern[str]:
    """Go's ``path.Match`` pattern as a regex: ``*`` and ``?`` never match ``/``.

    Raises:
        Unanswerable: a character class or an escape (left to the engine, which also reports bad ones).
    """
    if "[" in pattern or "\\" in pattern:
        raise Unanswerable(f"pattern {pattern!r}")
    return re.compile("".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in pattern),
                      re.DOTALL)


def familiar_name(ref: str) -> str:
    """The repository part of a familiar reference: ``app`` of ``app:1`` or ``app@sha256:...``."""
    name = ref.partition("@")[0]
    colon = name.rfind(":")
    return name[:colon] if colon > name.rfind("/") else name


def familiar_match(patterns: list[re.Pattern[str]], ref: str) -> bool:
    """``reference.FamiliarMatch`` for any of ``patterns``: the whole reference, else its repository."""
    name = familiar_name(ref)
    return any(p.fullmatch(ref) or p.fullmatch(name) for p in patterns)


def normalized(ref: str) -> str:
    """The full name the containerd store files a record under (``docker.io/library/app:1``)."""
    try:
        parsed = parse(ref)
    except InvalidReferenceError:
        return ref
    return parsed.name + (f":{parsed.tag}" if parsed.tag else "") + (f"@{parsed.digest}" if parsed.digest else "")


# ---- reading rows ---------------------------------------------------------------------------------------


def references(values: list[str] | None) -> list[str]:
    """A row's RepoTags or RepoDigests without the ``<none>`` markers."""
    return [v for v in values or () if v not in NONE_MARKERS]


def untagged(row: dict) -> bool:
    """No reference at all (a ``<none>`` row)."""
    return not references(row.get("RepoTags")) and not references(row.get("RepoDigests"))


def seconds_of(text: str | None) -> int | None:
    """Unix seconds of an RFC 3339 time as the engine writes it, or None when there is none."""
    nanos = nanoseconds_of(text)
    return None if nanos is None else nanos // 1_000_000_000


def nanoseconds_of(text: str | None) -> int | None:
    """Nanoseconds since the epoch of an RFC 3339 (nano) time, e.g. ``2024-05-01T10:00:00.123456789Z``."""
    if not text:
        return None
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)", text.strip())
    if not match:
        return None
    whole, fraction, zone = match.groups()
    moment = datetime.fromisoformat(whole + ("+00:00" if zone == "Z" else zone))
    seconds = int((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
    return seconds * 1_000_000_000 + int((fraction or "").ljust(9, "0"))


# ---- the listing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The filters of one listing, checked: what the index can answer."""

    references: tuple[re.Pattern[str], ...] | None = None
    labels: tuple[str, ...] = ()  # KEY or KEY=VALUE, each to match (filters.match_label)
    dangling: bool | None = None
    before: str | None = None  # the reference or ID the user gave
    since: str | None = None

    @classmethod
    def parse(cls, filters: dict[str, list[str]] | None) -> Filters:
        """Check ``filters`` (``-f key=value`` as a map of lists).

        Raises:
            Unanswerable: a key or value the engine may treat otherwise (it answers those itself).
        """
        filters = {k: v for k, v in (filters or {}).items() if v}
        unknown = set(filters) - SUPPORTED
        if unknown:
            raise Unanswerable(f"filter {sorted(unknown)}")
        patterns = tuple(go_glob(p) for p in filters["reference"]) if "reference" in filters else None
        labels = []
        for value in filters.get("label", ()):
            key = value.partition("=")[0]
            if not key or key.endswith("!") or "!" in key:
                raise Unanswerable(f"label {value!r}")
            labels.append(value)
        dangling = None
        if "dangling" in filters:
            values = set(filters["dangling"])
            if len(values) != 1 or not values <= {"true", "false"}:
                raise Unanswerable("dangling")
            dangling = values == {"true"}
        for key in ("before", "since"):
            if len(set(filters.get(key, ()))) > 1:
                raise Unanswerable(key)  # several values: the engines disagree (20.10 keeps one at random)
        return cls(patterns, tuple(labels), dangling, (filters.get("before") or [None])[0],
                   (filters.get("since") or [None])[0])


@dataclass(frozen=True)
class Bound:
    """A ``before``/``since`` filter resolved: the image it names and that image's creation time."""

    created_ns: int | None


def select(rows: Iterable[dict], *, all: bool, filters: Filters, conventions: Conventions,
           created_ns: Callable[[dict], int | None] | None = None,
           before: Bound | None = None, since: Bound | None = None, hidden: Iterable[str] = ()) -> list[dict]:
    """The rows ``/images/json?all=ALL&filters=...`` answers, from the index's ``all=1`` rows.

    Args:
        rows: every image, as ``/images/json?all=1`` listed it.
        all: ``-a``.
        filters: the checked filters.
        conventions: how this engine writes rows.
        created_ns: an image's exact creation time in nanoseconds (only asked when seconds tie with a bound).
        before: the resolved ``before`` filter, if any.
        since: the resolved ``since`` filter, if any.
        hidden: untagged images known to have children although no row's ``ParentId`` names them (the containerd
            store lists one record's parent of an image with several tags).

    Returns:
        The rows, references trimmed where the engine trims them (in a copy); rows with nothing to change are the
        given dicts themselves, so callers must not change them.
    """
    rows = list(rows)
    pick = _containerd_row if conventions.containerd else _classic_row
    parents = {row.get("ParentId") for row in rows if row.get("ParentId")} | set(hidden)
    out = []
    for row in rows:
        if not _in_time(row, before, since, created_ns) or not _labelled(row, filters.labels):
            continue
        chosen = pick(row, all=all, filters=filters, parents=parents, conventions=conventions)
        if chosen is not None:
            out.append(chosen)
    return out


def _in_time(row: dict, before: Bound | None, since: Bound | None,
             created_ns: Callable[[dict], int | None] | None) -> bool:
    for bound, keep in ((before, lambda a, b: a < b), (since, lambda a, b: a > b)):
        if bound is None:
            continue
        if bound.created_ns is None:
            return True  # the engine skips a bound without a creation time
        seconds = row.get("Created") or 0
        bound_seconds = bound.created_ns // 1_000_000_000
        if seconds and seconds != bound_seconds:
            if not keep(seconds, bound_seconds):
                return False
            continue
        exact = created_ns(row) if created_ns else None  # the same second (or unknown): compare exactly
        if exact is None or not keep(exact, bound.created_ns):
            return False
    return True


def _labelled(row: dict, wanted: tuple[str, ...]) -> bool:
    return not wanted or all(match_label(spec, row.get("Labels") or {}) for spec in wanted)


def _classic_row(row: dict, *, all: bool, filters: Filters, parents: set[str],
                 conventions: Conventions) -> dict | None:
    """moby daemon/images Images(): trim references, then decide on untagged images."""
    tags, digests = references(row.get("RepoTags")), references(row.get("RepoDigests"))
    if (tags or digests) and filters.references is None and filters.dangling is None:
        return row  # the common case: a named image, nothing to trim
    if filters.references is not None:
        tags = [t for t in tags if familiar_match(list(filters.references), t)]
        digests = [d for d in digests if familiar_match(list(filters.references), d)]
    has_children = row["Id"] in parents
    if filters.dangling is True and has_children:
        return None  # dangling=true lists only images without children (the store's heads), even with -a
    if not tags and not digests:
        if not (all or not has_children) or filters.dangling is False or filters.references is not None:
            return None
        if conventions.none_markers:
            return {**row, "RepoTags": [NONE_TAG], "RepoDigests": [NONE_DIGEST]}
        return {**row, "RepoTags": conventions.empty(), "RepoDigests": conventions.empty()}
    if filters.dangling is True and tags:
        return None
    return {**row, "RepoTags": tags or conventions.empty(), "RepoDigests": digests or conventions.empty()}


def _containerd_row(row: dict, *, all: bool, filters: Filters, parents: set[str],
                    conventions: Conventions) -> dict | None:
    """moby daemon/containerd Images(): filters apply to each record (name) of the image."""
    tags = references(row.get("RepoTags"))
    dangling = not tags
    if dangling and not all and row["Id"] in parents:
        return None  # an intermediate image of a classic build
    if filters.dangling is not None and filters.dangling != dangling:
        return None
    if filters.references is None:
        return row
    patterns = list(filters.references)
    if dangling:
        name = DANGLING_PREFIX + row["Id"]
        return row if familiar_match(patterns, name) else None
    passing = [t for t in tags if familiar_match(patterns, t)]
    if not passing:
        return None
    if passing == tags:
        return row
    # RepoDigests comes from the last record that passed, in the store's (name) order.
    last = max(passing, key=normalized)
    digests = [f"{familiar_name(last)}@{row['Id']}"]
    return {**row, "RepoTags": passing, "RepoDigests": digests}


def record_count(rows: Iterable[dict], conventions: Conventions) -> int:
    """How many images (classic) or image records (containerd) the rows stand for: what /info's Images counts."""
    if not conventions.containerd:
        return sum(1 for _ in rows)
    return sum(len(references(row.get("RepoTags"))) or 1 for row in rows)
