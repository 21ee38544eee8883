"""The image index on the real engine: what the CLI changes in another process shows in the very next listing.

Every listing here is compared with ``docker images --format json`` run at the same moment, and the index's
own rows with ``/images/json?all=1``. The restart test runs on an engine of its own (as test_faults.py does),
so the session's engine is never stopped.
"""

from __future__ import annotations

import secrets
import threading

import pytest
from support.listing import cli_rows, frame_rows
from support.shell import configured

import docker_magics
from docker_magics.engine.endpoints import resolve_endpoint


@pytest.fixture(autouse=True)
def index_everywhere(ip):
    """The index on every engine: by default it answers only on the containerd store (the classic store lists
    faster than the index is brought up to date), but what it answers must be exact on both."""
    ip.run_line_magic("config", "DockerMagics.index = 'always'")
    yield
    ip.run_line_magic("config", "DockerMagics.index = True")


def session(ip):
    return docker_magics._loaded[id(ip)].session


def engine_of(ip, host: str | None = None):
    s = session(ip)
    return s.engine_at(resolve_endpoint(host=host)) if host else s.default_engine()




def raw_rows_equal(engine) -> None:
    """The index's rows are exactly the engine's, field for field (sorted by ID)."""
    indexed = engine.listing(all=True, index="always")
    assert indexed.indexed
    by_id = sorted(indexed.images, key=lambda r: r["Id"])
    assert by_id == sorted(engine.images(all=True), key=lambda r: r["Id"])


@pytest.fixture
def listing(ip, sandbox):
    """``%docker images`` compared with the CLI's listing at the same moment; how the index answered."""
    index = engine_of(ip).image_index()

    def check(*flags: str) -> tuple[int, int]:
        before = (index.rebuilds, index.updates)
        df = ip.run_line_magic("docker", " ".join(("images", *flags)))
        assert frame_rows(df) == cli_rows(sandbox.cli, *flags)
        assert df.dm_index and repr(df).endswith(sandbox.engine_line(f"{sandbox.host} (index)"))
        return index.rebuilds - before[0], index.updates - before[1]

    ip.run_line_magic("docker", "images")  # the index exists before each test's first change
    yield check
    sandbox.remove_images("ix/*")
    sandbox.remove_images(f"{sandbox.registry}/ix/*")


def from_events(sandbox) -> tuple[tuple[int, int], ...]:
    """What a listing after a change may cost: answered from events, ``(0, 1)``.

    On Engine 28.5's containerd store also one full listing, ``(1, 0)``: the engine adds and drops
    ``moby-dangling@`` records silently (a load that takes a tag back leaves one for the image that lost it, though
    that image keeps its other tags; a later tag of it removes it). ``/info`` counts them and no listing shows them,
    so the image count no longer adds up and the index lists in full, once, to be exact.
    """
    return ((0, 1), (1, 0)) if sandbox.kind == "containerd28" else ((0, 1),)


@pytest.mark.engine_differs("Engine 28.5's containerd store adds and drops hidden moby-dangling records silently: "
                            "a listing may be a full one")
def test_tag_and_untag_from_another_process_show_in_the_next_listing(ip, sandbox, listing):
    sandbox.cli("tag", "dmtest/app:1.0", "ix/app:1")
    assert listing() in from_events(sandbox)  # answered from events, no full listing
    assert listing("ix/app") in from_events(sandbox)
    sandbox.cli("tag", "dmtest/app:2.0", "ix/app:1")  # the tag moves: app:1.0's image loses it silently
    assert listing("--digests") in from_events(sandbox)
    sandbox.cli("rmi", "ix/app:1")
    assert listing() in from_events(sandbox)
    raw_rows_equal(engine_of(ip))


@pytest.mark.engine_differs("Engine 28.5's containerd store adds a hidden moby-dangling record on a load that takes a "
                            "tag back: a listing may be a full one")
def test_removed_and_loaded_images_show_in_the_next_listing(ip, sandbox, listing, tmp_path):
    sandbox.cli("tag", "dmtest/tiny:1.0", "ix/tiny:1")
    archive = tmp_path / "tiny.tar"
    sandbox.cli("save", "-o", str(archive), "ix/tiny:1")
    sandbox.cli("import", str(archive), "ix/imported:1")  # a new image, only an import event
    assert listing("-a") in from_events(sandbox)
    sandbox.cli("rmi", "ix/imported:1")
    assert listing() in from_events(sandbox)
    sandbox.cli("rmi", "ix/tiny:1")
    sandbox.cli("tag", "dmtest/app:1.0", "ix/tiny:1")  # load will take this tag back, with no tag event
    assert listing() in from_events(sandbox)
    sandbox.cli("load", "-i", str(archive))
    assert listing("-f", "reference=ix/*") in from_events(sandbox)
    raw_rows_equal(engine_of(ip))


def test_pulled_image_shows_in_the_next_listing(ip, sandbox, listing):
    ref = f"{sandbox.registry}/ix/pulled:1"
    sandbox.cli("login", "-u", sandbox.user, "--password-stdin", sandbox.registry, input=sandbox.password)
    sandbox.cli("tag", "dmtest/app:2.0", ref)
    sandbox.cli("push", ref)  # the push gives the image a digest
    assert listing("--digests") == (0, 1)
    sandbox.cli("rmi", ref)
    assert listing("--digests") == (0, 1)
    sandbox.cli("pull", ref)
    assert listing("--digests") == (0, 1)
    raw_rows_equal(engine_of(ip))


@pytest.mark.engine_differs("Engine 28 logs an untagged build's image (image create): the index applies it; before, "
                            "no event came and the image count did not add up")
def test_a_build_without_a_tag_is_seen_although_the_engine_sends_no_image_event(ip, sandbox, listing, tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM dmtest/tiny:1.0\nLABEL ix.build={secrets.token_hex(4)}\n")
    built = sandbox.cli("build", "-q", str(tmp_path)).stdout.strip()  # the CLI's default builder
    logged = sandbox.kind in ("classic28", "containerd28")
    assert listing("-f", "dangling=true") == ((0, 1) if logged else (1, 0))  # else one full listing
    sandbox.cli("rmi", built)
    assert listing() == (0, 1)


def test_no_index_and_the_setting_list_from_the_engine(ip, sandbox):
    df = ip.run_line_magic("docker", "images --no-index")
    assert not df.dm_index and repr(df).endswith(sandbox.engine_line())
    assert frame_rows(df) == cli_rows(sandbox.cli)
    with configured(ip, index=False):
        assert not ip.run_line_magic("docker", "images").dm_index
    assert ip.run_line_magic("docker", "images").dm_index


@pytest.mark.engine_differs("the default (index = True) answers from the index on the containerd store, and on "
                             "the classic store only from 1,000 images (the sandbox has fewer)")
def test_the_default_uses_the_index_where_the_engine_lists_slowly(ip, sandbox):
    ip.run_line_magic("config", "DockerMagics.index = True")
    df = ip.run_line_magic("docker", "images")
    assert df.dm_index == sandbox.containerd_store
    assert frame_rows(df) == cli_rows(sandbox.cli)


def test_filters_the_index_cannot_reproduce_go_to_the_engine(ip, sandbox):
    df = ip.run_line_magic("docker", "images -f reference=dmtest/ap[p]")
    assert not df.dm_index and set(df.repository) == {"dmtest/app"}


def test_unload_ext_stops_every_stream(ip, sandbox):
    ip.run_line_magic("docker", "images")
    assert any(t.name == "docker_magics-watch" and t.is_alive() for t in threading.enumerate())
    ip.run_line_magic("unload_ext", "docker_magics")
    try:
        assert not any(t.name == "docker_magics-watch" and t.is_alive() for t in threading.enumerate())
    finally:
        ip.run_line_magic("load_ext", "docker_magics")


# ---- an engine of the test's own, stopped and started between two listings --------------------------------



def test_engine_stopped_and_started_between_two_listings(ip, sandbox, own_engine, tmp_path):
    import subprocess

    def run(*args: str):
        return subprocess.run(["docker", *args], env={**sandbox.env, "DOCKER_HOST": own_engine.host},
                              capture_output=True, text=True, check=True)

    archive = tmp_path / "tiny.tar"
    sandbox.cli("save", "-o", str(archive), "dmtest/tiny:1.0")
    run("load", "-i", str(archive))
    first = ip.run_line_magic("docker", f"-H {own_engine.host} images")
    assert first.dm_index and frame_rows(first) == cli_rows(run)
    run("tag", "dmtest/tiny:1.0", "ix/before-stop:1")  # an event the restarted engine will have forgotten
    own_engine.stop()
    own_engine.start()
    index = engine_of(ip, own_engine.host).image_index()
    rebuilds = index.rebuilds
    second = ip.run_line_magic("docker", f"-H {own_engine.host} images")
    assert frame_rows(second) == cli_rows(run) and "ix/before-stop" in set(second.repository)
    assert index.rebuilds == rebuilds + 1  # the watch stream ended with the engine: a full listing
    run("tag", "dmtest/tiny:1.0", "ix/after-start:1")
    third = ip.run_line_magic("docker", f"-H {own_engine.host} images")
    assert frame_rows(third) == cli_rows(run) and index.rebuilds == rebuilds + 1
    session(ip).forget()  # closes the stream to this engine before the fixture stops it
