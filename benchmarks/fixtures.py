"""The images the benchmarks measure, made on the benchmark engine under ``dmbench/`` and removed after.

Bulk listings use ``import`` (one tiny distinct layer per image) plus tags, never builds: untagged
parent images left by classic builds slow every ``/images/json`` call (ENGINE.md), which would
measure the engine's parent walk instead of the listing. Builds (history, save/load, pull/push)
happen after the listing cases for the same reason.
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import sandbox

PREFIX = "dmbench"
BASE = f"{PREFIX}/base:1"
TAGS_PER_IMAGE = 10  # rows = distinct images x tags: many tags AND many distinct images


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _imported_id(answer: str) -> str:
    return json.loads(answer.strip().splitlines()[-1])["status"]


def grow_listing(api: Any, rows: int, have: int) -> int:
    """Add distinct images and tags until the engine lists ``rows`` rows of ``dmbench/app-*``.

    Images are ``dmbench/app-NNNN`` with tags ``t00``..``t09`` (10 rows per distinct image).

    Returns:
        The number of distinct images now present (pass it back as ``have``).
    """
    want = -(-rows // TAGS_PER_IMAGE)

    def make(index: int) -> None:
        repo = f"{PREFIX}/app-{index:04d}"
        image_id = _imported_id(api.import_image_from_data(_tar({"id.txt": f"image {index}\n".encode()}),
                                                           repository=repo, tag="t00"))
        for tag in range(1, TAGS_PER_IMAGE):
            api.tag(image_id, repo, f"t{tag:02d}")

    # The engine serialises little of this: a few requests in flight roughly halve the set-up time.
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(make, range(have, want)))
    return max(have, want)


def grow_distinct(api: Any, images: int) -> int:
    """Make ``dmbench/ix-NNNN:1`` images until there are ``images`` of them: one tag each, all different.

    The index case measures the containerd store, whose listing costs about 3 ms per distinct image; the
    listing fixture's 10 tags per image would make 3,000 rows of only 300 images.

    Returns:
        How many were made now.
    """
    have = {t.split(":")[0] for image in api.images() for t in image.get("RepoTags") or ()
            if t.startswith(f"{PREFIX}/ix-")}
    todo = [i for i in range(images) if f"{PREFIX}/ix-{i:04d}" not in have]

    def make(index: int) -> None:
        api.import_image_from_data(_tar({"id.txt": f"index image {index}\n".encode()}),
                                   repository=f"{PREFIX}/ix-{index:04d}", tag="1")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(make, todo))
    return len(todo)


def base_image(api: Any) -> str:
    """A tiny busybox image (Debian's static busybox, as in the test fixtures) to build on."""
    repo, tag = BASE.split(":")
    return _imported_id(api.import_image_from_data(sandbox.busybox_tar(), repository=repo, tag=tag))


def build(api: Any, dockerfile: str, tag: str, files: dict[str, bytes] | None = None) -> str:
    """Build with the classic builder from an in-memory context; the image ID."""
    return sandbox._build(api, dockerfile, files, tag=tag)


def layered_image(api: Any, layers: int) -> str:
    """``FROM scratch`` plus ``layers`` COPY steps: an image with that many layers (for history)."""
    files = {f"f{i:03d}": f"layer {i}\n".encode() for i in range(layers)}
    steps = "".join(f"COPY f{i:03d} /f{i:03d}\n" for i in range(layers))
    tag = f"{PREFIX}/layers{layers}:1"
    build(api, "FROM scratch\n" + steps, tag, files)
    return tag


def big_image(api: Any, megabytes: int) -> str:
    """One layer of ``megabytes`` MiB of random bytes on the tiny base (for save and load)."""
    tag = f"{PREFIX}/big{megabytes}:1"
    build(api, f'FROM {BASE}\nRUN ["/bin/busybox","dd","if=/dev/urandom","of=/big","bs=1M",'
               f'"count={megabytes}"]\n', tag)
    return tag


def multilayer_image(api: Any, megabytes: int, layers: int = 10) -> str:
    """``layers`` layers of random bytes, ``megabytes`` MiB in all (for pull and push)."""
    each = max(1, megabytes // layers)
    steps = "".join(f'RUN ["/bin/busybox","dd","if=/dev/urandom","of=/l{i:02d}","bs=1M","count={each}"]\n'
                    for i in range(layers))
    tag = f"{PREFIX}/multi{megabytes}:1"
    build(api, f"FROM {BASE}\n{steps}", tag)
    return tag


def remove_all(api: Any) -> int:
    """Remove every image with a ``dmbench/`` reference from the engine; how many were removed."""
    ids = {image["Id"] for image in api.images() for t in image.get("RepoTags") or ()
           if t.startswith(f"{PREFIX}/") or f"/{PREFIX}/" in t}

    def remove(image_id: str) -> None:
        # By ID with force: every tag at once (removing tags of one image concurrently races in the engine).
        try:
            api.remove_image(image_id, force=True)
        except Exception as exc:
            print(f"  cleanup: {image_id[:19]}: {exc}", file=sys.stderr)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(remove, ids))
    return len(ids)


def rows(api: Any) -> int:
    """The rows ``docker images`` shows: one per tag, one for an untagged image."""
    return sum(max(1, len([t for t in image.get("RepoTags") or () if t != "<none>:<none>"]))
               for image in api.images())
