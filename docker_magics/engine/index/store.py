"""An index of an engine's local images, kept exact by the engine's own events.

The Docker CLI lists images from nothing every time; a kernel lives for hours. The first listing reads
``/images/json?all=1`` in full; every later one first brings the index to the present and then answers
from it (:mod:`.indexview` applies ``-a`` and the filters as the engine would):

1. ``GET /info``: the engine's clock (``SystemTime``) and how many images (or, on the containerd store,
   image records) it holds.
2. ``GET /events?since=LAST&until=NOW`` (every type): what happened since the last listing. Only changes
   to images matter, and only the images they name are read again: ``inspect`` tells each one's references;
   the classic store's row is built from it, the containerd store's rows come from one ``/images/json``
   filtered by those references (its sizes and ``RepoDigests`` differ from inspect's).
3. Checks that nothing was missed, else the listing is a full one again: the stream held open by
   :class:`~.watch.EngineWatch` has not ended (the engine did not restart; it forgets its events when it
   does); the newest event seen last time is still in the engine's buffer (it keeps only the last 256, so
   a busy engine may have dropped some); every event is one this module knows how to apply; the number of
   images matches (a build without a tag, or the containerd store's ``image prune``, send no event); and on
   engines before API 1.46 with the containerd store, BuildKit's build cache has not changed (BuildKit tags
   images there without any event).

What the engines send, measured (Engine 20.10 classic store; 26.1 classic and containerd stores):

==================  ==============================================  ==============================================
operation           classic store (20.10, 26.1)                     containerd store (26.1)
==================  ==============================================  ==============================================
tag                 ``tag`` (ID, name = the new reference); the     the same
                    image that had the reference: nothing
untag, rmi          ``untag`` (name = the ID), ``delete``           ``untag`` (name = the reference), ``delete``
import              ``tag`` (if named), ``import``                  ``import`` only (the name comes silently)
load                ``load`` (references moved silently)            ``load``, twice
save                ``save``                                        ``save``, twice
pull, push          ``pull`` / ``push`` (ID = the reference)        the same
commit              container ``commit`` (attribute ``imageID``),   the same
                    ``tag`` if named
classic build       container events, ``tag`` if ``-t``; no event   the same
                    for untagged results and intermediate images
BuildKit build      ``tag`` if ``-t``; nothing without a tag        nothing at all, with or without ``-t``
image prune         ``delete`` each, ``prune``                      nothing at all
==================  ==============================================  ==============================================

Engine 27 added ``create`` (BuildKit's images) and, on the containerd store, ``tag`` for BuildKit's names.

A new kernel starts from the engine's snapshot (:mod:`.snapshot`) when there is one, and brings it up to date
with the same three steps; the same checks apply, and a snapshot with no event to anchor on is never trusted (an
engine restarted since it was taken forgets every event from before, so only a missing anchor can show the
restart). The index saves its snapshot after a listing that changed it, at most every :data:`SAVE_INTERVAL`
seconds, in a background thread, and once more when the engine is closed (the kernel ends).

Nothing here prints. The index is one per :class:`~.client.Engine`; :meth:`IndexCalls.close` stops its stream.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ...errors import DockerMagicError, ImageNotFoundError, Interrupted
from ...units import truncate_id
from ..connection import Connection
from ..identity import image_store
from ..images import ImageCalls
from ..references import NONE_DIGEST, NONE_TAG, InvalidReferenceError, parse
from . import view as indexview
from .snapshot import EngineIdentity, Snapshot, SnapshotStore
from .view import Bound, Conventions, Filters, Unanswerable, nanoseconds_of, references, seconds_of
from .watch import EngineWatch, events_time

#: The engine keeps its last 256 events; without an anchor event this many in one window may hide a gap.
GAP_GUARD = 224
#: More changed images than this in one window: a full listing is cheaper than reading each one.
MAX_CHANGED = 200
#: Ties of ``before``/``since`` (images created in the same second) worth inspecting one by one.
MAX_TIES = 50
#: On the classic store the index answers by default from this many images: it lists at about 0.1 ms per image
#: (measured: 3,000 images in 315 ms raw, 63 ms from the index), while bringing the index up to date costs a few ms.
CLASSIC_INDEX_FROM = 1_000
#: Event types that never change an image listing.
_QUIET_TYPES = frozenset({"network", "volume", "plugin", "node", "service", "secret", "config"})
#: Image actions that change no listing.
_QUIET_IMAGE_ACTIONS = frozenset({"save", "prune"})  # prune's deletions come as their own events
_ID_IMAGE_ACTIONS = frozenset({"tag", "untag", "delete", "import", "load", "create"})
_REF_IMAGE_ACTIONS = frozenset({"pull", "push"})
#: Seconds between two writes of an engine's snapshot (a change within them is saved when they have passed).
SAVE_INTERVAL = 3.0


class _Stale(Exception):
    """The index cannot be brought up to date from events: list in full (the argument says why)."""


@dataclass(frozen=True)
class Listing:
    """The rows of one listing, and whether the index answered them (else the engine did, in full)."""

    images: list[dict]
    indexed: bool


@dataclass
class _Probe:
    now_ns: int
    records: int
    containerd: bool
    identity: EngineIdentity | None = None


@dataclass
class _Cursor:
    until_ns: int  # the engine's time up to which events were applied
    anchor: tuple | None  # the newest event seen (its key), still in the engine's buffer next time
    anchor_ns: int
    seen: frozenset[tuple]  # events at the anchor's time already applied
    offset: int  # images (or records) the engine counts but does not list, e.g. of another platform
    cache: Any


def cursor_to_plain(cursor: _Cursor) -> dict[str, Any]:
    """A cursor as JSON values, for the snapshot."""
    return {"until_ns": cursor.until_ns, "anchor": list(cursor.anchor) if cursor.anchor else None,
            "anchor_ns": cursor.anchor_ns, "seen": [list(key) for key in cursor.seen],
            "offset": cursor.offset, "cache": None if cursor.cache is None else [list(r) for r in cursor.cache]}


def cursor_from_plain(plain: dict[str, Any]) -> _Cursor:
    """The cursor a snapshot saved.

    Raises:
        ValueError: a field is missing or of the wrong type.
    """
    try:
        anchor, cache = plain["anchor"], plain["cache"]
        return _Cursor(int(plain["until_ns"]), tuple(anchor) if anchor is not None else None, int(plain["anchor_ns"]),
                       frozenset(tuple(key) for key in plain["seen"]), int(plain["offset"]),
                       None if cache is None else tuple(tuple(r) for r in cache))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"cursor: {exc}") from None


@dataclass
class _Changes:
    ids: set[str] = field(default_factory=set)
    refs: set[str] = field(default_factory=set)
    repos: set[str] = field(default_factory=set)


def _key(event: dict) -> tuple:
    actor = event.get("Actor") or {}
    return event.get("timeNano"), event.get("Type"), event.get("Action"), actor.get("ID")


def plan(events: Iterable[dict], containers: bool = False) -> _Changes | None:
    """What to read again after ``events``; None when one of them cannot be applied (list in full).

    ``containers``: the rows count each image's containers (API 1.51+), so a container's ``create`` and
    ``destroy`` change its image's row (the ``image`` attribute names it as the container was created with it).
    """
    changes = _Changes()
    for event in events:
        kind, action = event.get("Type"), event.get("Action") or ""
        actor = event.get("Actor") or {}
        ident, attributes = actor.get("ID") or "", actor.get("Attributes") or {}
        if kind in _QUIET_TYPES:
            continue
        if kind == "container":
            if action == "commit":  # a commit without a tag sends no image event
                if not attributes.get("imageID"):
                    return None
                changes.ids.add(attributes["imageID"])
            elif containers and action in ("create", "destroy"):
                if not attributes.get("image"):
                    return None
                changes.refs.add(attributes["image"])  # a name or an ID, read again with inspect
            continue
        if kind != "image":
            return None  # daemon (a reload), or a type this module does not know
        if action in _QUIET_IMAGE_ACTIONS:
            continue
        if action in _ID_IMAGE_ACTIONS and ident:
            changes.ids.add(ident)
            name = attributes.get("name", "")
            if action == "tag" and name and name != ident:
                changes.refs.add(name)  # the reference moved here: the image that had it lost it
        elif action in _REF_IMAGE_ACTIONS and ident:
            try:
                ref = parse(ident)
            except InvalidReferenceError:
                return None
            (changes.refs if ref.tag or ref.digest else changes.repos).add(ident)  # pull -a names a repository
        else:
            return None
    return changes


class ImageIndex:
    """The rows of ``/images/json?all=1`` of one engine, brought up to date before each use.

    Args:
        engine: the engine whose images are indexed.
        snapshots: where the index is saved between kernels (None: it is not).
    """

    def __init__(self, engine: ImageCalls, snapshots: SnapshotStore | None = None) -> None:
        self.engine = engine
        self.snapshots = snapshots
        self.resumes = 0  # listings answered from a snapshot brought up to date (for tests and benchmarks)
        self.full_reason: str | None = None  # why the last full listing was made (for tests and benchmarks)
        self.saves = 0  # snapshots written
        self.conventions: Conventions | None = None
        self.refused: str | None = None  # why the engine refused a call the index needs: no index for it
        self.rebuilds = 0  # full listings made (for tests and benchmarks)
        self.updates = 0  # listings answered after applying events
        self._lock = threading.Lock()
        self._rows: dict[str, dict] = {}
        self._owner: dict[str, str] = {}  # reference -> the image ID holding it
        self._created: dict[str, int] = {}  # image ID -> exact creation time (ns); never changes for an ID
        # Untagged images the engine's own default listing hides as intermediate (containerd store): see _learn_hidden.
        self._hidden: frozenset[str] = frozenset()
        self._cursor: _Cursor | None = None
        self._watch: EngineWatch | None = None
        self._identity: EngineIdentity | None = None
        self._dirty = False  # the rows or the anchor changed since the snapshot was saved
        self._saved_at = float("-inf")  # the first save starts at once
        self._saver: threading.Timer | None = None
        self._saved_records: int | None = None
        self._refused_saved = False  # the saved file was refused: the next save replaces it, newer or not

    # ---- answering ----------------------------------------------------------------------------------

    def select(self, *, all: bool = False, filters: dict[str, list[str]] | None = None) -> list[dict]:
        """The rows ``/images/json`` would answer now, from the index brought up to date.

        Raises:
            Unanswerable: a filter the index does not reproduce (the caller asks the engine).
            DockerMagicError: the engine could not be reached.
        """
        checked = Filters.parse(filters)
        rows, conventions = self.current()
        hidden = self._hidden
        before, since = self._bound(checked.before), self._bound(checked.since)
        ties = [0]

        def created_ns(row: dict) -> int | None:
            image_id = row["Id"]
            if image_id not in self._created:
                ties[0] += 1
                if ties[0] > MAX_TIES:
                    raise Unanswerable("too many images created in the same second")
                self._created[image_id] = self._exact_created(image_id)
            return self._created[image_id]

        return indexview.select(rows, all=all, filters=checked, conventions=conventions, created_ns=created_ns,
                                before=before, since=since, hidden=hidden)

    def current(self) -> tuple[list[dict], Conventions]:
        """Every image's row, up to date: from events when possible, else from a full listing."""
        with self._lock:
            try:
                if self._cursor is None:
                    self._resume()
                else:
                    self._catch_up()
                self.updates += 1
            except _Stale as stale:
                self.full_reason = str(stale.args[0]) if stale.args else "no index yet"
                self._rebuild(self._probed)
            finally:
                self._probed = None
            self._schedule_save()
            assert self.conventions is not None
            return list(self._rows.values()), self.conventions

    def close(self) -> None:
        """Save what changed, stop the stream that watches the engine; the next use starts from the snapshot."""
        with self._lock:
            saver, self._saver = self._saver, None
            if saver is not None:
                saver.cancel()
            pending = self._snapshot() if self._dirty else None
            self._stop_watch()
            self._cursor = None
        if saver is not None and saver is not threading.current_thread():
            saver.join(10)  # a save under way finishes first: the newer state is written after it
        if pending is not None:
            self._write(*pending)

    def _bound(self, value: str | None) -> Bound | None:
        if value is None:
            return None
        try:
            info = self.engine.inspect(value)
        except ImageNotFoundError:
            raise Unanswerable(f"no image {value}") from None  # the engine says it in its own words
        self._created.setdefault(info["Id"], nanoseconds_of(info.get("Created")))
        return Bound(nanoseconds_of(info.get("Created")))

    def _exact_created(self, image_id: str) -> int | None:
        try:
            return nanoseconds_of(self.engine.inspect(image_id).get("Created"))
        except ImageNotFoundError:
            return None

    # ---- keeping up ---------------------------------------------------------------------------------

    def _probe(self) -> _Probe:
        """``/info``: the engine's clock, how many images it counts, and which engine it is."""
        info = self.engine.info()
        now = nanoseconds_of(info.get("SystemTime"))
        if now is None:
            raise Unanswerable("the engine does not tell its time")
        return _Probe(now, int(info.get("Images") or 0), image_store(info)[0] == "containerd",
                      EngineIdentity.of(info))

    def _watch_cache(self) -> bool:
        # Engine 27 (API 1.46) logs BuildKit's images; 26 with the containerd store tags them silently.
        conventions = self.conventions
        return bool(conventions and conventions.containerd and not self.engine.api_at_least("1.46"))

    def _cache_print(self) -> Any:
        """BuildKit's build cache, as a fingerprint: every build, even a fully cached one, changes it."""
        payload = self.engine.get_json("/system/df", {"type": "build-cache"}, action="read the build cache")
        return tuple(sorted((r.get("ID"), r.get("UsageCount"), r.get("LastUsedAt"))
                            for r in payload.get("BuildCache") or ()))

    def _events(self, since_ns: int, until_ns: int) -> list[dict]:
        params = {"since": events_time(since_ns), "until": events_time(until_ns)}
        with self.engine.stream("GET", "/events", params=params, action="read the engine's events") as response:
            return list(self.engine.events(response))

    def _rebuild(self, probe: _Probe | None = None) -> None:
        """A full listing: the index starts again (and so does the stream that watches the engine, unless it is
        alive and ``probe`` was asked after it started)."""
        self._cursor = None
        if probe is None or self._watch is None or not self._watch.alive:
            self._stop_watch()
            watch = EngineWatch(self.engine)
            watch.start()  # before the listing: a restart after this point ends the stream
            self._watch = watch
            probe = self._probe()
        self._identity = probe.identity
        self.conventions = Conventions.of(self.engine.api_version, probe.containerd)
        cache = self._cache_print() if self._watch_cache() else None  # after /info, as in _catch_up
        rows = self.engine.images(all=True)
        buffered = self._events(0, probe.now_ns)  # the engine's buffer up to now: its newest event is the anchor
        self._rows = {row["Id"]: row for row in rows}
        self._owner = {ref: row["Id"] for row in rows for ref in _refs(row)}
        self._cursor = self._advance(probe, buffered, None, cache,
                                     probe.records - indexview.record_count(rows, self.conventions))
        self._dirty = True
        self._learn_hidden()
        self.rebuilds += 1

    def _resume(self) -> None:
        """Start from the engine's snapshot and bring it up to date; :class:`_Stale` when it cannot be trusted."""
        if self.snapshots is None:
            raise _Stale("no index yet")
        self._stop_watch()
        self._watch = EngineWatch(self.engine)
        self._watch.start()  # before /info, as in _rebuild: a restart from now on ends the stream
        probe = self._probed = self._probe()
        if probe.identity is None:
            raise _Stale("the engine gives no ID: no snapshot")
        saved = self.snapshots.load(probe.identity)
        if saved is None:
            # A file that is there but unreadable is replaced by the next save; with no file at all, a snapshot
            # another kernel saves meanwhile is newer than this kernel's first view and must be kept.
            self._refused_saved = self.snapshots.header(probe.identity) is not None
            raise _Stale(f"snapshot: {self.snapshots.last_miss}")
        self._refused_saved = True  # until it is proven exact below
        conventions = Conventions.of(self.engine.api_version, probe.containerd)
        if saved.containerd != probe.containerd or Conventions.of(saved.api_version, saved.containerd) != conventions:
            raise _Stale("snapshot: another image store or API version")
        try:
            cursor = cursor_from_plain(saved.cursor)
        except ValueError as exc:
            raise _Stale(f"snapshot: {exc}") from None
        if cursor.anchor is None:
            raise _Stale("snapshot: no event to anchor on (an engine restart since would not show)")
        if cursor.until_ns > probe.now_ns:
            raise _Stale("snapshot: newer than the engine's clock")
        self.conventions, self._identity = conventions, probe.identity
        self._rows = {row["Id"]: row for row in saved.rows}
        self._owner = {ref: row["Id"] for row in saved.rows for ref in _refs(row)}
        self._created = dict(saved.created)
        self._cursor = cursor
        self._catch_up(probe)
        self._refused_saved = False
        self.resumes += 1

    def _catch_up(self, probe: _Probe | None = None) -> None:
        cursor, conventions = self._cursor, self.conventions
        assert cursor is not None and conventions is not None
        if self._watch is None or not self._watch.alive:
            raise _Stale("the engine stopped or reloaded")  # since the index was built: it forgot its events
        probe = self._probed = probe or self._probe()
        if probe.containerd != conventions.containerd or probe.identity != self._identity:
            raise _Stale("another engine, or another image store")
        with ThreadPoolExecutor(1) as pool:
            # After /info: a build that ended before the engine's "now" has changed the cache by then.
            cache = pool.submit(self._cache_print) if self._watch_cache() else None
            events = self._events(cursor.anchor_ns if cursor.anchor else cursor.until_ns, probe.now_ns)
            cache = cache.result() if cache is not None else cursor.cache
        if cursor.anchor is not None:
            if cursor.anchor not in {_key(e) for e in events}:
                # The engine's buffer moved past the last event seen (more than it keeps), or it restarted.
                raise _Stale("the last event seen left the engine's buffer")
        elif len(events) >= GAP_GUARD:
            raise _Stale("too many events to be sure none was dropped")
        if cache != cursor.cache:
            raise _Stale("BuildKit ran")  # it may have tagged images without an event
        changes = plan((e for e in events if _key(e) not in cursor.seen), conventions.counts_containers)
        if changes is None:
            raise _Stale("an event the index cannot apply")
        self._apply(changes)
        if indexview.record_count(self._rows.values(), conventions) + cursor.offset != probe.records:
            raise _Stale("the image count does not add up")  # an image came or went without an event
        if changes.ids or changes.refs or changes.repos:
            self._learn_hidden()
        self._cursor = self._advance(probe, events, cursor, cache, cursor.offset)
        if self._cursor.anchor != cursor.anchor:
            self._dirty = True  # the saved anchor will leave the engine's buffer sooner

    @staticmethod
    def _advance(probe: _Probe, events: list[dict], cursor: _Cursor | None, cache: Any, offset: int) -> _Cursor:
        if events:
            newest = events[-1]  # the buffer's order: everything after it in the buffer is newer
            anchor_ns = int(newest.get("timeNano") or 0)
            seen = frozenset(_key(e) for e in events if int(e.get("timeNano") or 0) >= anchor_ns)
            return _Cursor(probe.now_ns, _key(newest), anchor_ns, seen, offset, cache)
        if cursor is not None and cursor.anchor is not None:
            return _Cursor(probe.now_ns, cursor.anchor, cursor.anchor_ns, cursor.seen, offset, cache)
        return _Cursor(probe.now_ns, None, 0, frozenset(), offset, cache)

    # ---- reading changed images again ---------------------------------------------------------------

    def _apply(self, changes: _Changes) -> None:
        infos: dict[str, dict | None] = {}
        wanted = set(changes.ids)
        for ref in changes.refs:
            info = self._inspect(ref)
            if info is not None:
                infos[info["Id"]] = info
                wanted.add(info["Id"])
            if ref in self._owner:
                wanted.add(self._owner[ref])
        for repo in changes.repos:
            rows = self.engine.images(all=True, filters={"reference": [repo]})
            wanted.update(row["Id"] for row in rows)
            wanted.update(owner for ref, owner in self._owner.items() if indexview.familiar_name(ref) == repo)
        while pending := wanted - infos.keys():
            if len(infos) + len(pending) > MAX_CHANGED:
                raise _Stale("too many changed images")
            for image_id in pending:
                info = infos[image_id] = self._inspect(image_id)
                # A reference it holds now may have been another image's: that one changed too, silently.
                wanted.update(self._owner[ref] for ref in _refs(info) if ref in self._owner)
                if info is not None and info["Id"] != image_id:
                    raise _Stale("an ID resolved to another image")  # never expected
        if infos:
            self._dirty = True
        self._store(infos)

    def _inspect(self, name: str) -> dict | None:
        try:
            info = self.engine.inspect(name)
        except ImageNotFoundError:
            return None
        except DockerMagicError as exc:
            if exc.status in (400, 404):  # a reference that no longer parses or resolves
                return None
            raise
        self._created[info["Id"]] = nanoseconds_of(info.get("Created"))
        return info

    def _store(self, infos: dict[str, dict | None]) -> None:
        conventions = self.conventions
        assert conventions is not None
        present = {image_id: info for image_id, info in infos.items() if info is not None}
        if conventions.containerd or conventions.counts_containers:  # inspect has no container count
            rows = self._containerd_rows(present)
        else:
            rows = {image_id: classic_row(info, conventions) for image_id, info in present.items()}
        for image_id in infos:
            old = self._rows.pop(image_id, None)
            for ref in _refs(old):
                if self._owner.get(ref) == image_id:
                    del self._owner[ref]
        for image_id, row in rows.items():
            self._rows[image_id] = row
            for ref in _refs(row):
                self._owner[ref] = image_id

    def _containerd_rows(self, present: dict[str, dict]) -> dict[str, dict]:
        """The rows of these images from filtered listings: the containerd store's sizes differ from inspect, and
        from API 1.51 the container counts are only in listings (on the classic store too)."""
        named = {image_id: info for image_id, info in present.items() if _refs(info)}
        rows: dict[str, dict] = {}
        patterns = sorted({ref for info in named.values() for ref in _refs(info)})
        if patterns:
            listed = self.engine.images(all=True, filters={"reference": patterns})
            rows.update({row["Id"]: row for row in listed if row["Id"] in named})
        if len(rows) < len(present):
            dangling = self.engine.images(all=True, filters={"dangling": ["true"]})
            rows.update({row["Id"]: row for row in dangling if row["Id"] in present and row["Id"] not in rows})
        return rows

    def _learn_hidden(self) -> None:
        """Which untagged images the engine's default listing hides as a classic build's intermediate images.

        On the containerd store an image's ``ParentId`` in ``/images/json?all=1`` comes from one of its records
        (one per tag): after ``docker tag``, a record without the parent label may be the one listed, so the
        parent looks childless, while the engine hides it by the labels of all records (measured on Engine 26.1:
        a classic build tagged 18 more times). So the index does not decide from ``ParentId`` alone: the engine's
        own ``dangling=true`` listing (without ``all``: small, untagged images only) says which untagged images it
        shows; the others it hides. Asked only when the index holds untagged images, after each change.
        """
        conventions = self.conventions
        podman = conventions is not None and not conventions.containerd and self._podman()
        if conventions is None or not (conventions.containerd or podman):
            self._hidden = frozenset()  # the classic store's ParentId is the image's own: exact
            return
        # Podman hides intermediate images by its own layer tree and lists them with no ParentId (measured, 4.3).
        untagged = {image_id for image_id, row in self._rows.items() if not references(row.get("RepoTags"))
                    and not (podman and references(row.get("RepoDigests")))}
        if not untagged:
            self._hidden = frozenset()
            return
        shown = {row["Id"] for row in self.engine.images(filters={"dangling": ["true"]})}
        self._hidden = frozenset(untagged - shown)

    def _podman(self) -> bool:
        is_podman = getattr(self.engine, "is_podman", None)  # stand-in engines of the unit tests have none
        return bool(is_podman and is_podman())

    def _stop_watch(self) -> None:
        if self._watch is not None:
            self._watch.stop()
            self._watch = None

    # ---- the snapshot -------------------------------------------------------------------------------

    _probed: _Probe | None = None  # the probe of the failed attempt, reused by the full listing

    def saved_records(self, info: dict[str, Any] | None) -> int:
        """How many images the engine's snapshot holds (0: none), from its first line, asked once."""
        if self._saved_records is None:
            identity = EngineIdentity.of(info) if info and self.snapshots else None
            header = self.snapshots.header(identity) if identity and self.snapshots else None
            self._saved_records = header[1] if header else 0
        return self._saved_records

    def _schedule_save(self) -> None:
        """Save the snapshot now (in the background) or once :data:`SAVE_INTERVAL` has passed since the last."""
        if not self._dirty or self.snapshots is None or self._identity is None or self._saver is not None:
            return
        delay = max(0.0, self._saved_at + SAVE_INTERVAL - time.monotonic())
        self._saver = threading.Timer(delay, self._save_later)
        self._saver.daemon = True
        self._saver.name = "docker_magics-snapshot"
        self._saver.start()

    def _save_later(self) -> None:
        with self._lock:
            if self._saver is not threading.current_thread():
                return  # cancelled by close(), which saves itself
            pending = self._snapshot() if self._dirty else None
        if pending is not None:
            self._write(*pending)
        with self._lock:
            if self._saver is threading.current_thread():
                self._saver = None
                self._schedule_save()  # a listing changed the index while this one was written

    def _snapshot(self) -> tuple[Snapshot, list[str]] | None:
        """The state to save (taken under the lock; serialised outside it: rows are never changed in place)."""
        cursor, conventions, identity = self._cursor, self.conventions, self._identity
        if cursor is None or conventions is None or identity is None or self.snapshots is None:
            return None
        self._dirty, self._saved_at = False, time.monotonic()
        rows = list(self._rows.values())
        tags = {tag for row in rows for tag in references(row.get("RepoTags"))}
        tab = sorted(tags) + sorted({truncate_id(row["Id"]) for row in rows})
        records = indexview.record_count(rows, conventions) + cursor.offset
        return Snapshot(identity, self.engine.api_version, conventions.containerd, rows, dict(self._created),
                        cursor_to_plain(cursor), records), tab

    def _write(self, snapshot: Snapshot, tab: list[str]) -> None:
        assert self.snapshots is not None
        endpoint = getattr(self.engine, "endpoint", None)
        if self.snapshots.save(snapshot, host=getattr(endpoint, "host", None), references=tab,
                               replace=self._refused_saved):
            self.saves += 1
            self._refused_saved = False


def _refs(row: dict | None) -> list[str]:
    if not row:
        return []
    return references(row.get("RepoTags")) + references(row.get("RepoDigests"))


def classic_row(info: dict, conventions: Conventions) -> dict:
    """The classic store's ``/images/json`` row of an image, from its inspect object.

    The classic store computes both from the same image record: size from the same layer, references in
    the same (sorted) order, labels from the same config; only the ``<none>`` and empty-list conventions
    of the API version are added here.
    """
    tags, digests = list(info.get("RepoTags") or ()), list(info.get("RepoDigests") or ())
    if not tags and not digests and conventions.none_markers:
        tags, digests = [NONE_TAG], [NONE_DIGEST]
    config = info.get("Config")
    row = {
        "Containers": -1,
        "Created": seconds_of(info.get("Created")) or 0,
        "Id": info["Id"],
        "Labels": config.get("Labels") if config else None,
        "ParentId": info.get("Parent") or "",
        "RepoDigests": digests or conventions.empty(),
        "RepoTags": tags or conventions.empty(),
        "SharedSize": -1,
        "Size": info.get("Size", 0),
    }
    if conventions.virtual_size:
        row["VirtualSize"] = info.get("VirtualSize", row["Size"])
    return row


class IndexCalls(Connection):
    """Listings answered from the engine's image index (:class:`ImageIndex`)."""

    def image_index(self) -> ImageIndex:
        """This engine's index (created on first use, empty until the first listing, which starts from the
        engine's snapshot when there is one)."""
        index = self.__dict__.get("_image_index")
        if index is None:
            index = self.__dict__["_image_index"] = ImageIndex(self, SnapshotStore())  # type: ignore[arg-type]
        return index

    def listing(self, *, all: bool = False, filters: dict[str, list[str]] | None = None,
                index: str = "auto", manifests: bool = False) -> Listing:
        """``docker images``' rows: from the index when it can answer exactly, else from the engine.

        Args:
            all: include intermediate images (``-a``).
            filters: the engine's filters, e.g. ``{"reference": ["app:*"]}``.
            index: ``auto`` answers from the index where it is faster: on the containerd image store (it lists
                at about 3 ms per image), and on the classic store once its last listing held
                :data:`CLASSIC_INDEX_FROM` images (below that it lists faster than the index's ``/info`` and
                ``/events`` calls bring it up to date); ``always`` on any engine; ``never`` lists from the
                engine, as the CLI does.
            manifests: ask for each image's ``Manifests`` (API 1.47+); the index keeps no manifests, so the
                engine lists.

        Returns:
            The rows (as ``/images/json`` answers them) and whether the index answered.

        Raises:
            DockerMagicError: the engine refused (e.g. a bad filter) or could not be reached.
        """
        kept = self.image_index()
        if not manifests and not kept.refused and (index == "always" or (index == "auto" and self._index_pays())):
            try:
                return Listing(kept.select(all=all, filters=filters), True)
            except Unanswerable:
                pass
            except DockerMagicError as exc:
                if exc.status is None or isinstance(exc, Interrupted):
                    raise  # the engine is not there, or Ctrl-C: a listing of its own would not do better
                if 400 <= exc.status < 500:  # e.g. an authorization plugin that forbids /events: list directly
                    kept.refused = exc.line()
                kept.close()  # an engine error: this listing is the engine's own, the next one starts again
        rows = self.images(all=all, filters=filters, manifests=manifests)  # type: ignore[attr-defined]
        if not filters:
            self.__dict__["_listed_images"] = len(rows)
        return Listing(rows, False)

    def _index_pays(self) -> bool:
        if self.containerd_store() or self.__dict__.get("_listed_images", 0) >= CLASSIC_INDEX_FROM:
            return True
        # A new kernel: the snapshot says how many images the engine held (containerd_store() asked /info).
        return self.image_index().saved_records(self._info) >= CLASSIC_INDEX_FROM

    def close(self) -> None:
        """Stop the streams this engine holds open (the index's watch)."""
        index = self.__dict__.get("_image_index")
        if index is not None:
            index.close()

