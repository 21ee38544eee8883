"""An image's packages: its layers read from the save archive (or known already), stacked as its filesystem.

The layer of a package is the first layer that added it at that version (trivy's model), found by stacking:
a layer's files replace the same paths below, its whiteouts remove them (a whole folder for a directory), and a
package that a later layer's database no longer lists, or whose metadata a later layer removed, is not listed.
"""

from __future__ import annotations

import contextlib
import gzip
import tarfile
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import IO, TYPE_CHECKING, Any

from ...errors import DockerMagicError, ImageNotFoundError
from ..archive import files as archive_files
from ..archive import tarstream
from .cache import LAYERS, LayerCache
from .layers import OS_RELEASE, LayerPackages, read_layer
from .purls import purl
from .records import ImagePackages, Package

if TYPE_CHECKING:
    from ..images import ImageCalls as Engine
    from ..progress import Progress


ESTIMATE_FROM = 16 << 20


class _Counted:
    """The export's bytes, counted into a :class:`Progress` as they are read."""

    def __init__(self, raw: Any, progress: Progress | None) -> None:
        self.raw, self.progress = raw, progress

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.progress is not None and data:
            self.progress.advance(len(data))
        return data

    def readinto(self, target: Any) -> int:
        got = self.raw.readinto(target)
        if self.progress is not None and got:
            self.progress.advance(got)
        return got


def _read_blob(head: bytes, data: tarstream.Bounded, kind: str) -> LayerPackages:
    stream: Any = archive_files._Prefixed(head, data)
    if kind == "gzip":
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
    elif kind == "zstd":
        stream = archive_files._zstd_reader(stream)
    try:
        return read_layer(stream)
    except (tarfile.ReadError, OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DockerMagicError(f"A layer of the image is not a readable tar: {exc}") from None


def scan_archive(stream: IO[bytes] | Any, cache: LayerCache) -> archive_files._Archive:
    """Read a save archive front to back: its JSON documents, and each layer not known yet (known ones: their ID).

    Raises:
        tarfile.ReadError: the stream is not a tar or ends early.
    """
    return archive_files.scan_archive(stream, layer=_read_blob, known=cache.known)


def _layers_from(archive: archive_files._Archive, cache: LayerCache) -> list[tuple[str, LayerPackages]]:
    config, paths = archive_files._layout(archive)
    diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
    if len(diff_ids) != len(paths):
        raise DockerMagicError(f"The image config lists {len(diff_ids)} layers and its manifest {len(paths)}.",
                               hint="The image looks damaged; pull or build it again.")
    out = []
    for diff_id, path in zip(diff_ids, paths, strict=True):
        found: Any = archive_files._layer_records(archive, path)
        if isinstance(found, str):
            found = cache.get(found) or LayerPackages()
        else:
            blob = "sha256:" + path.rsplit("/", 1)[1] if path.startswith("blobs/sha256/") else ""
            cache.put(diff_id, found, blob)
        out.append((diff_id, found))
    return out


def _drop(state: dict[str, Any], path: str, *, keep_self: bool = False) -> None:
    prefix = path.rstrip("/") + "/"
    for key in [k for k in state if k.startswith(prefix) or (k == path and not keep_self)]:
        del state[key]


def _os_release(texts: dict[str, str]) -> tuple[str, str]:
    for path in OS_RELEASE:
        text = texts.get(path, "")
        for _ in range(4):
            if not text.startswith("->"):
                break
            text = texts.get(text[2:], "")
        fields = {}
        for line in text.splitlines():
            key, eq, value = line.partition("=")
            if eq:
                fields[key.strip()] = value.strip().strip('"').strip("'")
        if fields.get("ID"):
            return fields["ID"], fields.get("VERSION_ID", "")
    return "", ""


def stack(layers: list[tuple[str, LayerPackages]]) -> tuple[list[Package], str, str, list[str]]:
    """The packages the stacked layers leave, each in the first layer that added it; the OS; what was skipped."""
    files: dict[str, tuple[int, tuple[Package, ...]]] = {}
    licenses: dict[str, str] = {}
    texts: dict[str, str] = {}
    first: dict[tuple[str, str, str, str], int] = {}
    skipped: list[str] = []
    for index, (_, layer) in enumerate(layers):
        for state in (files, licenses, texts):
            for path in layer.removed:
                _drop(state, path)
            for path in layer.opaque:
                _drop(state, path, keep_self=True)
            state.update((p, (index, v)) if state is files else (p, v)
                         for p, v in (layer.files if state is files else layer.licenses if state is licenses
                                      else layer.os_release).items())
        skipped += layer.skipped
        present = {(*p.key, p.path) for _, packages in files.values() for p in packages}
        for key in present:
            first.setdefault(key, index)
        for key in [k for k in first if k not in present]:
            del first[key]
    os_id, os_version = _os_release(texts)
    out = []
    for _, packages in files.values():
        for package in packages:
            index = first[(*package.key, package.path)]
            license_ = licenses.get(f"/usr/share/doc/{package.name}/copyright") if package.type == "deb" else None
            out.append(package.placed(index, layers[index][0], license_, purl(package, os_id, os_version)))
    out.sort(key=lambda p: (p.type, p.name.lower(), p.version, p.path))
    return out, os_id, os_version, skipped


def _filtered(packages: Iterable[Package], types: frozenset[str] | None) -> list[Package]:
    return [p for p in packages if types is None or p.type in types]


def image_packages(engine: Engine, reference: str, *, types: frozenset[str] | None = None,
                   cache: LayerCache = LAYERS,
                   progress: Callable[[int], AbstractContextManager[Progress]] | None = None) -> ImagePackages:
    """Every package of one local image, read from ``GET /images/{id}/get`` unless all its layers are known.

    Args:
        engine: the engine holding the image.
        reference: a name, ``name:tag``, ID or digest reference.
        types: only these package types (syft's names); None for all.
        cache: where what each layer said is kept, by diff ID.
        progress: opens the display told the bytes of the export as they are read, given the bytes expected
            (called only when the image is exported: never for an image whose layers are all known).

    Returns:
        The image's packages, base layer first, and its os-release ID and VERSION_ID.

    Raises:
        ImageNotFoundError: no such local image.
        DockerMagicError: the engine refused, stopped sending, or sent an archive that cannot be read.
    """
    try:
        details = engine.inspect(reference)
    except ImageNotFoundError:
        raise ImageNotFoundError(f"No such image: {reference}",
                                 hint="List local images with '%docker images', or pull it first.") from None
    image_id = details["Id"]
    diff_ids = (details.get("RootFS") or {}).get("Layers") or []
    known = [cache.get(d) for d in diff_ids]
    if diff_ids and all(layer is not None for layer in known):
        layers = list(zip(diff_ids, known, strict=True))
        exported = False
    else:
        # The image's size is close to the export's bytes for a big image; a small one's export is mostly tar
        # headers, so its size would be a false total: then only the bytes read are shown.
        size = int(details.get("Size") or 0)
        opened = progress(size if size >= ESTIMATE_FROM else 0) if progress else contextlib.nullcontext(None)
        with opened as sink:
            layers = _export(engine, reference, image_id, cache, sink)
        exported = True
    packages, os_id, os_version, skipped = stack(layers)  # type: ignore[arg-type]
    return ImagePackages(reference, image_id, _filtered(packages, types), os_id, os_version, skipped, exported)


def _export(engine: Engine, reference: str, image_id: str, cache: LayerCache,
            progress: Progress | None) -> list[tuple[str, LayerPackages]]:
    from ..connection import broken_stream

    try:
        with (engine.stream("GET", "/images/{0}/get", action="read the packages of", subject=image_id) as response,
              broken_stream("the read of the packages", reference),
              engine.translated("read the packages of", reference)):
            archive = scan_archive(_Counted(response.raw, progress), cache)
    except tarfile.TarError as exc:
        raise DockerMagicError(f"The engine's archive of {reference} cannot be read: {exc}") from None
    return _layers_from(archive, cache)
