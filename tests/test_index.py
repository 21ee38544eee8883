"""The image index: the engine's listing rules applied to kept rows, events turned into re-reads, and when
the index gives up and lists in full. Pure logic; a stand-in engine where the index talks to one."""

from __future__ import annotations

import contextlib

import pytest

from docker_magics.engine.index import store as index_module
from docker_magics.engine.index.store import ImageIndex, classic_row, plan
from docker_magics.engine.index.view import Bound, Conventions, Filters, Unanswerable, nanoseconds_of, select
from docker_magics.errors import ImageNotFoundError

CLASSIC_41 = Conventions.of("1.41", containerd=False)
CLASSIC_45 = Conventions.of("1.45", containerd=False)
CONTAINERD = Conventions.of("1.45", containerd=True)


def ident(n: int) -> str:
    return f"sha256:{n:064x}"


def row(n: int, tags=(), digests=(), *, parent: int | None = None, created: int = 1_700_000_000, labels=None,
        conventions: Conventions = CLASSIC_41) -> dict:
    tags, digests = list(tags), list(digests)
    if not tags and not digests and conventions.none_markers:
        tags, digests = ["<none>:<none>"], ["<none>@<none>"]
    out = {"Containers": -1, "Created": created, "Id": ident(n), "Labels": labels,
           "ParentId": ident(parent) if parent else "", "RepoDigests": digests or conventions.empty(),
           "RepoTags": tags or conventions.empty(), "SharedSize": -1, "Size": 100 + n}
    if conventions.virtual_size:
        out["VirtualSize"] = out["Size"]
    return out


def listed(rows, conventions=CLASSIC_41, **kwargs):
    filters = Filters.parse(kwargs.pop("filters", None))
    return {r["Id"][-2:].lstrip("0") or "0": (r["RepoTags"], r["RepoDigests"])
            for r in select(rows, filters=filters, conventions=conventions, **kwargs)}


# ---- times -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-30T18:11:15.197191442Z", 1_796_062_275_197_191_442),
    ("2026-11-30T18:11:15Z", 1_796_062_275_000_000_000),
    ("2026-11-30T19:11:15.5+01:00", 1_796_062_275_500_000_000),
    ("", None), (None, None), ("yesterday", None),
])
def test_nanoseconds_of_rfc3339(text, expected):
    assert nanoseconds_of(text) == expected


def test_conventions_follow_the_api_version():
    assert (CLASSIC_41.none_markers, CLASSIC_41.empty(), CLASSIC_41.virtual_size) == (True, None, True)
    assert (CLASSIC_45.none_markers, CLASSIC_45.empty(), CLASSIC_45.virtual_size) == (False, [], False)
    assert Conventions.of("1.43", containerd=False).virtual_size


# ---- the classic store's listing rules -------------------------------------------------------------------

CLASSIC_ROWS = [
    row(1, ["app:1", "other:2"], ["app@sha256:" + "a" * 64], labels={"team": "data", "tier": "gold"}),
    row(2, parent=None, created=1_700_000_100),  # untagged, parent of 3: hidden without -a
    row(3, ["child:1"], parent=2, labels={"team": "ml"}),
    row(4),  # dangling: untagged, no children
    row(5, [], ["repo@sha256:" + "b" * 64]),  # known only by digest
]


def test_classic_hides_untagged_parents_without_all():
    assert set(listed(CLASSIC_ROWS, all=False)) == {"1", "3", "4", "5"}
    assert listed(CLASSIC_ROWS, all=True)["2"] == (["<none>:<none>"], ["<none>@<none>"])


def test_classic_dangling_lists_untagged_images_without_children_even_with_all():
    assert set(listed(CLASSIC_ROWS, all=True, filters={"dangling": ["true"]})) == {"4", "5"}
    assert set(listed(CLASSIC_ROWS, all=True, filters={"dangling": ["false"]})) == {"1", "3", "5"}


def test_classic_reference_keeps_only_matching_references():
    assert listed(CLASSIC_ROWS, all=False, filters={"reference": ["app"]}) == {
        "1": (["app:1"], ["app@sha256:" + "a" * 64])}
    assert listed(CLASSIC_ROWS, all=False, filters={"reference": ["other:*"]}) == {"1": (["other:2"], None)}
    assert listed(CLASSIC_ROWS, all=False, filters={"reference": ["repo"]}) == {
        "5": (None, ["repo@sha256:" + "b" * 64])}
    assert listed(CLASSIC_ROWS, all=True, filters={"reference": ["*"]}).keys() == {"1", "3", "5"}


def test_reference_wildcards_stop_at_a_slash_as_path_match_does():
    rows = [row(1, ["team/app:1"]), row(2, ["app:1"])]
    assert set(listed(rows, all=False, filters={"reference": ["*:1"]})) == {"2"}
    assert set(listed(rows, all=False, filters={"reference": ["*/*:?"]})) == {"1"}


def test_classic_labels():
    assert set(listed(CLASSIC_ROWS, all=True, filters={"label": ["team"]})) == {"1", "3"}
    assert set(listed(CLASSIC_ROWS, all=True, filters={"label": ["team=data", "tier"]})) == {"1"}


def test_classic_empty_references_follow_the_api_version():
    rows = [row(1, ["app:1", "other:2"], conventions=CLASSIC_45)]
    assert listed(rows, CLASSIC_45, all=False, filters={"reference": ["app"]}) == {"1": (["app:1"], [])}


def test_before_and_since_compare_exact_creation_times_when_seconds_tie():
    rows = [row(1, ["a:1"], created=100), row(2, ["b:1"], created=100), row(3, ["c:1"], created=99)]
    exact = {ident(1): 100_000_000_100, ident(2): 100_000_000_200, ident(3): 99_000_000_000}
    asked = []

    def created_ns(r):
        asked.append(r["Id"])
        return exact[r["Id"]]

    bound = Bound(exact[ident(2)])
    assert set(listed(rows, all=False, before=bound, created_ns=created_ns)) == {"1", "3"}
    assert set(asked) == {ident(1), ident(2)}  # only the tie of the same second was asked
    assert set(listed(rows, all=False, since=Bound(exact[ident(1)]), created_ns=created_ns)) == {"2"}


@pytest.mark.parametrize("filters", [
    {"until": ["1h"]}, {"label!": ["a"]}, {"label": ["a!=b"]}, {"dangling": ["maybe"]},
    {"dangling": ["true", "false"]}, {"reference": ["app[0-9]"]}, {"before": ["a", "b"]},
])
def test_what_the_index_leaves_to_the_engine(filters):
    with pytest.raises(Unanswerable):
        Filters.parse(filters)


# ---- the containerd store's listing rules ----------------------------------------------------------------

CONTAINERD_ROWS = [
    row(1, ["127.0.0.1:5000/team/app:1", "app:1", "zed:1"], ["zed@" + ident(1)], conventions=CONTAINERD),
    row(2, conventions=CONTAINERD),  # dangling, a classic build's parent of 3
    row(3, ["child:1"], ["child@" + ident(3)], parent=2, conventions=CONTAINERD),
    row(4, conventions=CONTAINERD),  # dangling
]


def test_containerd_repo_digests_come_from_the_last_passing_record():
    assert listed(CONTAINERD_ROWS, CONTAINERD, all=False, filters={"reference": ["app"]}) == {
        "1": (["app:1"], ["app@" + ident(1)])}
    # docker.io/library/... sorts after 127.0.0.1:5000/...: the last record of the two is app:1
    assert listed(CONTAINERD_ROWS, CONTAINERD, all=False, filters={"reference": ["*/*/app:1", "app:1"]}) == {
        "1": (["127.0.0.1:5000/team/app:1", "app:1"], ["app@" + ident(1)])}


def test_containerd_dangling_images_match_their_record_name():
    assert set(listed(CONTAINERD_ROWS, CONTAINERD, all=False, filters={"reference": ["*"]})) == {"1", "3", "4"}
    assert set(listed(CONTAINERD_ROWS, CONTAINERD, all=True, filters={"reference": ["*"]})) == {"1", "2", "3", "4"}


def test_containerd_hides_dangling_parents_without_all_and_dangling_ignores_children():
    assert set(listed(CONTAINERD_ROWS, CONTAINERD, all=False)) == {"1", "3", "4"}
    assert set(listed(CONTAINERD_ROWS, CONTAINERD, all=True, filters={"dangling": ["true"]})) == {"2", "4"}


# ---- events ------------------------------------------------------------------------------------------


def event(kind, action, actor, n=0, **attributes):
    return {"Type": kind, "Action": action, "Actor": {"ID": actor, "Attributes": attributes}, "timeNano": n}


def test_plan_reads_again_the_images_events_name():
    changes = plan([
        event("image", "tag", ident(1), name="app:2"),
        event("image", "untag", ident(2), name=ident(2)),
        event("image", "delete", ident(3)),
        event("image", "load", ident(4)),
        event("image", "import", ident(5)),
        event("image", "pull", "127.0.0.1:5000/app:1", name="127.0.0.1:5000/app"),
        event("image", "push", "127.0.0.1:5000/app@sha256:" + "c" * 64),
        event("image", "pull", "127.0.0.1:5000/every", name="127.0.0.1:5000/every"),  # pull -a
        event("image", "save", ident(6)), event("image", "prune", ""),
        event("container", "commit", "c0ffee", imageID=ident(7)),
        event("container", "start", "c0ffee"), event("network", "connect", "n"), event("volume", "mount", "v"),
    ])
    assert changes.ids == {ident(n) for n in (1, 2, 3, 4, 5, 7)}
    assert changes.refs == {"app:2", "127.0.0.1:5000/app:1", "127.0.0.1:5000/app@sha256:" + "c" * 64}
    assert changes.repos == {"127.0.0.1:5000/every"}


def test_plan_reads_a_container_s_image_again_where_listings_count_containers():
    events = [event("container", "create", "c0ffee", image="app:1"),
              event("container", "destroy", "d00d", image="3f2a"), event("container", "start", "c0ffee", image="app:1")]
    assert plan(events) == index_module._Changes()  # before API 1.51 the rows say -1 whatever runs
    assert plan(events, containers=True).refs == {"app:1", "3f2a"}  # 1.51+: their counts changed
    assert plan([event("container", "create", "c0ffee")], containers=True) is None  # which image: unknown


@pytest.mark.parametrize("unknown", [
    event("daemon", "reload", "d"), event("image", "squash", ident(1)), event("builder", "prune", "b"),
    event("container", "commit", "c0ffee"),
])
def test_plan_gives_up_on_events_it_cannot_apply(unknown):
    assert plan([event("image", "tag", ident(1), name="a:1"), unknown]) is None


def test_classic_row_from_inspect():
    info = {"Id": ident(9), "RepoTags": ["app:1"], "RepoDigests": [], "Parent": ident(8), "Size": 42,
            "Created": "2023-11-14T22:13:20.999999999Z", "Config": {"Labels": {"a": "b"}}}
    assert classic_row(info, CLASSIC_41) == {
        "Containers": -1, "Created": 1_700_000_000, "Id": ident(9), "Labels": {"a": "b"}, "ParentId": ident(8),
        "RepoDigests": None, "RepoTags": ["app:1"], "SharedSize": -1, "Size": 42, "VirtualSize": 42}
    bare = {**info, "RepoTags": [], "Parent": "", "Config": None}
    assert classic_row(bare, CLASSIC_41)["RepoTags"] == ["<none>:<none>"]
    assert classic_row(bare, CLASSIC_45)["RepoTags"] == [] and "VirtualSize" not in classic_row(bare, CLASSIC_45)


# ---- the index against a stand-in engine -------------------------------------------------------------


class FakeWatch:
    alive_now = True

    def __init__(self, _engine):
        self.alive = True

    def start(self):
        self.alive = FakeWatch.alive_now

    def stop(self):
        self.alive = False


class FakeEngine:
    """A classic-store engine: images with references, an event buffer, a clock."""

    api_version = "1.41"

    def __init__(self):
        self.images_by_id: dict[str, dict] = {}
        self.buffer: list[dict] = []
        self.clock = 1_000
        self.extra_images = 0  # images the engine counts and no event announced
        self.full_listings = 0

    def api_at_least(self, version):
        return False

    def add(self, n, *tags, parent=None):
        self.images_by_id[ident(n)] = {"Id": ident(n), "RepoTags": list(tags), "RepoDigests": [], "Size": n,
                                       "Parent": ident(parent) if parent else "", "Created": "2023-11-14T22:13:20Z",
                                       "Config": {"Labels": None}}

    def log(self, kind, action, actor, **attributes):
        self.clock += 1
        self.buffer.append(event(kind, action, actor, self.clock * 1_000_000_000, **attributes))
        del self.buffer[:-256]  # the engine keeps its last 256 events

    def tag(self, n, ref):
        for info in self.images_by_id.values():
            if ref in info["RepoTags"]:
                info["RepoTags"].remove(ref)  # a tag that moves: no event for the image that loses it
        self.images_by_id[ident(n)]["RepoTags"].append(ref)
        self.log("image", "tag", ident(n), name=ref)

    # the engine's calls
    def info(self):
        self.clock += 1
        return {"SystemTime": f"1970-01-01T00:{self.clock // 60:02d}:{self.clock % 60:02d}Z",
                "Images": len(self.images_by_id) + self.extra_images, "DriverStatus": []}

    def images(self, all=False, filters=None):
        assert all and not filters
        self.full_listings += 1
        return [classic_row(info, CLASSIC_41) for info in self.images_by_id.values()]

    def inspect(self, name):
        for info in self.images_by_id.values():
            if name == info["Id"] or name in info["RepoTags"]:
                return {**info, "RepoTags": sorted(info["RepoTags"])}
        raise ImageNotFoundError(f"No such image: {name}")

    @contextlib.contextmanager
    def stream(self, method, path, params=None, **kwargs):
        since, until = (int(params[k].replace(".", "")) for k in ("since", "until"))
        found = []
        for ev in reversed(self.buffer):
            if ev["timeNano"] < since:
                break
            if ev["timeNano"] <= until:
                found.insert(0, ev)
        yield found

    def events(self, response):
        return iter(response)


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(index_module, "EngineWatch", FakeWatch)
    FakeWatch.alive_now = True
    engine = FakeEngine()
    engine.add(1, "app:1")
    engine.add(2, "base:1")
    engine.log("container", "start", "c0ffee")  # something in the buffer to anchor on
    return engine


def tags_of(index: ImageIndex) -> dict[str, list[str]]:
    rows, _ = index.current()
    return {r["Id"][-1]: r["RepoTags"] for r in rows}


def test_index_applies_events_and_the_silent_loser_of_a_moved_tag(fake):
    index = ImageIndex(fake)
    assert tags_of(index) == {"1": ["app:1"], "2": ["base:1"]}
    fake.tag(2, "app:1")  # moves app:1 from image 1 to image 2: one event, naming image 2
    fake.add(3, "new:1")
    fake.log("image", "import", ident(3))
    assert tags_of(index) == {"1": ["<none>:<none>"], "2": ["app:1", "base:1"], "3": ["new:1"]}
    assert (index.rebuilds, index.updates, fake.full_listings) == (1, 1, 1)
    del fake.images_by_id[ident(3)]
    fake.log("image", "delete", ident(3))
    assert "3" not in tags_of(index) and fake.full_listings == 1


def test_index_lists_in_full_after_a_restart(fake):
    index = ImageIndex(fake)
    index.current()
    index._watch.alive = False  # the stream ended: the engine stopped
    index.current()
    assert fake.full_listings == 2


def test_index_lists_in_full_when_the_engine_dropped_events(fake):
    index = ImageIndex(fake)
    index.current()
    for n in range(300):
        fake.log("container", "start", f"c{n}")
    fake.tag(1, "lost:1")
    index.current()
    assert fake.full_listings == 2  # the anchor event left the 256-event buffer: events may be missing
    assert tags_of(index)["1"] == ["app:1", "lost:1"]


def test_index_lists_in_full_when_an_image_came_without_an_event(fake):
    index = ImageIndex(fake)
    index.current()
    fake.add(4)  # a build without a tag: no event at all
    assert "4" in tags_of(index) and fake.full_listings == 2


def test_index_lists_in_full_after_an_event_it_cannot_apply(fake):
    index = ImageIndex(fake)
    index.current()
    fake.log("daemon", "reload", "d")
    index.current()
    assert fake.full_listings == 2


def test_an_engine_that_refuses_the_index_gets_listings_of_its_own(monkeypatch):
    from docker_magics.engine.client import Engine
    from docker_magics.engine.endpoints import resolve_endpoint
    from docker_magics.errors import DockerMagicError, EngineUnavailableError

    engine = Engine(resolve_endpoint(host="unix:///nowhere.sock"), client=object())
    monkeypatch.setattr(Engine, "images", lambda self, all=False, filters=None, manifests=False: [row(1, ["app:1"])])
    refusal = DockerMagicError("Error response from daemon: authorization denied by plugin", status=403)

    def refuse(self, **kwargs):
        raise refusal

    monkeypatch.setattr(ImageIndex, "select", refuse)
    first = engine.listing(index="always")
    assert not first.indexed and first.images[0]["RepoTags"] == ["app:1"]
    assert engine.image_index().refused
    monkeypatch.setattr(ImageIndex, "select", lambda self, **kwargs: pytest.fail("asked the index again"))
    assert not engine.listing(index="always").indexed

    down = Engine(resolve_endpoint(host="unix:///nowhere.sock"), client=object())
    monkeypatch.setattr(ImageIndex, "select", lambda self, **kwargs: (_ for _ in ()).throw(
        EngineUnavailableError("Cannot connect")))
    with pytest.raises(EngineUnavailableError):
        down.listing(index="always")  # the engine is not there: one error, not a second attempt


def test_the_default_uses_the_index_on_the_classic_store_once_it_holds_many_images(monkeypatch):
    from docker_magics.engine.client import Engine
    from docker_magics.engine.endpoints import resolve_endpoint
    from docker_magics.engine.index.store import CLASSIC_INDEX_FROM

    engine = Engine(resolve_endpoint(host="unix:///nowhere.sock"), client=object())
    monkeypatch.setattr(Engine, "containerd_store", lambda self: False)
    count = [10]
    monkeypatch.setattr(Engine, "images", lambda self, all=False, filters=None, manifests=False:
                        [row(n, [f"app:{n}"]) for n in range(count[0])])
    monkeypatch.setattr(ImageIndex, "select", lambda self, **kwargs: [row(1, ["app:1"])])
    assert not engine.listing().indexed and not engine.listing().indexed  # a few images: the engine lists
    count[0] = CLASSIC_INDEX_FROM
    assert not engine.listing(filters={"reference": ["app:1"]}).indexed  # a filtered listing says nothing of size
    assert not engine.listing().indexed  # this one counts them
    assert engine.listing().indexed and engine.listing(index="never").indexed is False


class MergedRecordsEngine(FakeEngine):
    """A containerd-store engine whose full listing takes ``ParentId`` from a tag's record without a parent.

    As measured on Engine 26.1: a classic build (image 5, its intermediate image 4) tagged many times lists with an
    empty ``ParentId``, while the engine's own default and ``dangling=true`` listings hide image 4 (they read the
    parent label of every record).
    """

    api_version = "1.45"

    def api_at_least(self, version):
        return True  # as Engine 27+, which logs BuildKit's images: no build cache to watch

    def info(self):
        store = [["driver-type", "io.containerd.snapshotter.v1"]]
        return {**super().info(), "Driver": "overlayfs", "DriverStatus": store}

    def images(self, all=False, filters=None):
        rows = [{**classic_row(info, CONTAINERD), "ParentId": ""} for info in self.images_by_id.values()]
        if filters == {"dangling": ["true"]} and not all:
            return [r for r in rows if not r["RepoTags"] and r["Id"] != ident(4)]  # the engine hides the parent
        assert all and not filters
        self.full_listings += 1
        return rows


def test_containerd_intermediate_image_stays_hidden_when_the_listing_lost_its_child_s_parent(monkeypatch):
    monkeypatch.setattr(index_module, "EngineWatch", FakeWatch)
    FakeWatch.alive_now = True
    engine = MergedRecordsEngine()
    engine.add(1, "base:1")
    engine.add(4, parent=1)  # the RUN step's intermediate image
    engine.add(5, "httpd:latest", *(f"other{i}:v" for i in range(18)), parent=4)
    engine.add(6)  # a dangling image without children: listed
    engine.log("container", "start", "c0ffee")
    index = ImageIndex(engine)
    assert {r["Id"] for r in index.select()} == {ident(1), ident(5), ident(6)}
    assert {r["Id"] for r in index.select(filters={"dangling": ["true"]})} == {ident(6)}
    assert {r["Id"] for r in index.select(all=True)} == {ident(1), ident(4), ident(5), ident(6)}
