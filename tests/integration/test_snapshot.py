"""The image index remembered across kernels, on the real engine: every kernel is a fresh Python process.

A first kernel lists (the index is built and saved); then the CLI changes images while no kernel runs; then a
new kernel's first listing must equal ``docker images`` at that moment, answered from the snapshot brought up
to date by the engine's events when that can be proven exact, else from a full listing (and the kernel says
why). Each test has a cache folder of its own (``DOCKER_MAGICS_CACHE``). The kernels set ``DockerMagics.index =
'always'``: by default the classic store lists without the index below 1,000 images, but a snapshot must be
exact on both stores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from docker_magics.engine.index.snapshot import EngineIdentity, SnapshotStore
from docker_magics.units import human_size

# A kernel: IPython started, the extension loaded, the listings asked for, what the index did; the engines are
# closed at exit as a kernel's are (atexit), which saves the snapshot.
KERNEL = r"""
import json, sys
from IPython.core.interactiveshell import InteractiveShell
import docker_magics
plan = json.loads(sys.argv[1])
ip = InteractiveShell.instance()
ip.run_line_magic("load_ext", "docker_magics")
ip.run_line_magic("config", f"DockerMagics.index = {plan['index']!r}")
session = docker_magics._loaded[id(ip)].session
if plan.get("tab"):  # the first Tab, right after %load_ext, before any command
    from IPython.core.completer import provisionalcompleter
    with provisionalcompleter():
        found = [c.text for c in ip.Completer.completions(plan["tab"], len(plan["tab"]))]
    print(json.dumps({"tab": found, "provisional": docker_magics._loaded[id(ip)].completion_cache.provisional}))
    sys.exit(0)
when = "%Y-%m-%d %H:%M:%S +0000 UTC"
out = []
for step in range(plan.get("repeat", 1)):
    for line in plan.get("before", []):
        ip.run_line_magic("docker", line.format(step=step))
    df = ip.run_line_magic("docker", "images")
    index = session.default_engine().image_index()
    out.append({"rows": [[r.repository, r.tag, r.image_id, r.created.tz_convert("UTC").strftime(when), r.size]
                         for r in df.itertuples(index=False)],
                "indexed": bool(getattr(df, "dm_index", False)), "resumes": index.resumes,
                "rebuilds": index.rebuilds, "reason": index.full_reason})
    if plan.get("close_each"):
        session.forget()  # as a kernel restart does: the snapshot is saved, the next listing starts from it
print(json.dumps(out))
"""


def kernel(sandbox, cache: Path, *, host: str | None = None, index: str | bool = "always", **plan) -> list[dict]:
    """Run one fresh kernel against the sandbox (or ``host``); what each of its listings saw."""
    env = {**sandbox.env, "DOCKER_MAGICS_CACHE": str(cache)}
    if host:
        env["DOCKER_HOST"] = host
    done = subprocess.run([sys.executable, "-c", KERNEL, json.dumps({"index": index, **plan})], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer if isinstance(answer, list) else [answer]


def start(sandbox, cache: Path, **plan) -> subprocess.Popen:
    env = {**sandbox.env, "DOCKER_MAGICS_CACHE": str(cache)}
    return subprocess.Popen([sys.executable, "-c", KERNEL, json.dumps({"index": "always", **plan})], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def rows(seen: dict) -> Counter:
    return Counter((repo, tag, image_id, created, human_size(size)) for repo, tag, image_id, created, size in
                   seen["rows"])


def cli_rows(run) -> Counter:
    out = run("images", "--format", "json").stdout
    listed = [json.loads(line) for line in out.splitlines() if line.strip()]
    return Counter((r["Repository"], r["Tag"], r["ID"], r["CreatedAt"], r["Size"]) for r in listed)


def snapshot_file(sandbox, cache: Path, api=None) -> Path:
    info = (api or sandbox.api()).info()
    return SnapshotStore(cache).path(EngineIdentity.of(info))


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


@pytest.fixture
def cleanup(sandbox):
    yield
    sandbox.remove_images("ks/*")
    sandbox.remove_images(f"{sandbox.registry}/ks/*")


def test_a_new_kernel_sees_what_the_cli_changed_while_no_kernel_ran(sandbox, cache, cleanup, tmp_path):
    pushed = f"{sandbox.registry}/ks/pulled:1"
    sandbox.cli("login", "-u", sandbox.user, "--password-stdin", sandbox.registry, input=sandbox.password)
    sandbox.cli("tag", "dmtest/app:2.0", pushed)
    sandbox.cli("push", pushed)
    sandbox.cli("tag", "dmtest/tiny:1.0", "ks/saved:1")
    archive = tmp_path / "saved.tar"
    sandbox.cli("save", "-o", str(archive), "ks/saved:1")
    sandbox.cli("tag", "dmtest/app:1.0", "ks/gone:1")
    (first,) = kernel(sandbox, cache)
    assert (first["rebuilds"], first["reason"]) == (1, "snapshot: no snapshot")
    assert rows(first) == cli_rows(sandbox.cli)
    path = snapshot_file(sandbox, cache)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    # No kernel runs: the CLI tags, removes, pulls and loads.
    sandbox.cli("tag", "dmtest/app:1.0", "ks/tagged:1")
    sandbox.cli("rmi", "ks/gone:1")
    sandbox.cli("rmi", pushed)
    sandbox.cli("pull", pushed)
    sandbox.cli("rmi", "ks/saved:1")
    sandbox.cli("load", "-i", str(archive))
    (second,) = kernel(sandbox, cache)
    assert rows(second) == cli_rows(sandbox.cli)
    assert (second["resumes"], second["rebuilds"], second["indexed"]) == (1, 0, True), second["reason"]
    names = {(repo, tag) for repo, tag, *_ in second["rows"]}
    assert {("ks/tagged", "1"), ("ks/saved", "1"), (f"{sandbox.registry}/ks/pulled", "1")} <= names
    assert ("ks/gone", "1") not in names


def test_after_more_events_than_the_engine_keeps_a_new_kernel_lists_in_full(sandbox, cache, cleanup):
    api = sandbox.api()
    kernel(sandbox, cache)
    for n in range(150):  # 300 events: tag and untag
        api.tag("dmtest/tiny:1.0", "ks/many", tag=f"t{n}")
    for n in range(149):
        api.remove_image(f"ks/many:t{n}")
    (seen,) = kernel(sandbox, cache)
    assert (seen["resumes"], seen["rebuilds"]) == (0, 1)
    assert seen["reason"] == "the last event seen left the engine's buffer"
    assert rows(seen) == cli_rows(sandbox.cli) and ("ks/many", "t149") in {(r[0], r[1]) for r in seen["rows"]}
    (again,) = kernel(sandbox, cache)  # the full listing was saved: the next kernel starts from it
    assert (again["resumes"], again["rebuilds"]) == (1, 0) and rows(again) == cli_rows(sandbox.cli)


def corrupt(path: Path) -> None:
    data = path.read_bytes()
    header, _, body = data.partition(b"\n")
    path.write_bytes(header + b"\n" + body[:10] + bytes(b ^ 0x5A for b in body[10:40]) + body[40:])


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def foreign(path: Path) -> None:
    header, _, body = path.read_bytes().partition(b"\n")
    parts = header.split(b" ")
    parts[2] = b"0.0.1"  # the package version that wrote it
    path.write_bytes(b" ".join(parts) + b"\n" + body)


def unreadable(path: Path) -> None:
    path.chmod(0)
    os.chown(path, 65534, 65534)  # nobody's: root reads any file, but a snapshot is read only from its owner


@pytest.mark.parametrize(("spoil", "reason"), [
    (corrupt, "does not parse"), (truncate, "does not parse"), (foreign, "written by another version"),
    (unreadable, "not a regular file of this user"),
])
def test_a_spoiled_snapshot_is_ignored_and_rewritten(sandbox, cache, spoil, reason):
    kernel(sandbox, cache)
    path = snapshot_file(sandbox, cache)
    spoil(path)
    (seen,) = kernel(sandbox, cache)
    assert seen["rebuilds"] == 1 and reason in seen["reason"] and rows(seen) == cli_rows(sandbox.cli)
    assert path.stat().st_uid == os.geteuid() and oct(path.stat().st_mode & 0o777) == "0o600"
    (again,) = kernel(sandbox, cache)
    assert (again["resumes"], again["rebuilds"]) == (1, 0)


def test_two_kernels_writing_at_once(sandbox, cache, cleanup):
    kernel(sandbox, cache)
    both = [start(sandbox, cache, repeat=6, close_each=True, before=[f"tag dmtest/tiny:1.0 ks/{name}:{{step}}"])
            for name in ("a", "b")]
    answers = []
    for process in both:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-2000:]
        answers.append(json.loads(out.strip().splitlines()[-1]))
    for seen in (s for answer in answers for s in answer):
        assert seen["indexed"]
    (after,) = kernel(sandbox, cache)
    assert (after["resumes"], after["rebuilds"]) == (1, 0), after["reason"]
    assert rows(after) == cli_rows(sandbox.cli)
    assert {f"ks/{n}" for n in "ab"} <= {r[0] for r in after["rows"]}
    assert not [p for p in snapshot_file(sandbox, cache).parent.iterdir() if p.name.endswith(".tmp")]


def test_the_first_tab_of_a_new_kernel_offers_the_local_images(sandbox, cache):
    kernel(sandbox, cache)
    (seen,) = kernel(sandbox, cache, tab="%docker inspect dmtest/ap")
    assert {"dmtest/app:1.0", "dmtest/app:2.0", "dmtest/app:latest"} <= set(seen["tab"]) and seen["provisional"]


def test_the_setting_off_writes_no_snapshot(sandbox, cache):
    (seen,) = kernel(sandbox, cache, index=False)
    assert not seen["indexed"] and rows(seen) == cli_rows(sandbox.cli)
    assert not (cache / "index").exists()


# ---- an engine of the test's own, restarted while no kernel runs --------------------------------------



def test_after_an_engine_restart_a_new_kernel_lists_in_full(sandbox, own_engine, cache, tmp_path):
    def run(*args: str):
        return subprocess.run(["docker", *args], env={**sandbox.env, "DOCKER_HOST": own_engine.host},
                              capture_output=True, text=True, check=True)

    archive = tmp_path / "tiny.tar"
    sandbox.cli("save", "-o", str(archive), "dmtest/tiny:1.0")
    run("load", "-i", str(archive))
    (first,) = kernel(sandbox, cache, host=own_engine.host)
    assert rows(first) == cli_rows(run)
    run("tag", "dmtest/tiny:1.0", "ks/before-stop:1")  # an event the restarted engine will have forgotten
    own_engine.stop()
    own_engine.start()
    run("tag", "dmtest/tiny:1.0", "ks/after-start:1")
    (second,) = kernel(sandbox, cache, host=own_engine.host)
    assert (second["resumes"], second["rebuilds"]) == (0, 1)
    assert second["reason"] == "the last event seen left the engine's buffer"
    assert rows(second) == cli_rows(run) and {"ks/before-stop", "ks/after-start"} <= {r[0] for r in second["rows"]}
