"""What is inside an image: every entry of every layer, read by streaming the image's save archive.

``GET /images/{name}/get`` (what ``docker save`` writes) is read once, front to back, by the forward-only
tar walker of :mod:`docker_magics.engine.tarstream` (tarfile's header decoding without its stream-mode
copies): each layer tar is walked while it passes, its entries kept as small :class:`Entry` records,
its bytes never kept and nothing written to disk, so memory stays bounded whatever the image size, and
the image is never run.

The archive's layout differs by engine. The classic store writes ``<id>/layer.tar`` files (a layer that
appears twice is a symlink to the first copy) then the config ``<hex>.json`` and ``manifest.json``;
the containerd store and newer engines write the OCI layout (``index.json``, ``blobs/sha256/<hex>``,
layers possibly gzip- or zstd-compressed), with or without ``manifest.json``. ``manifest.json`` may
come *after* the layers, so every layer is read as it comes, keyed by its path in the archive, and put
in order at the end from the manifest and the image config (``rootfs.diff_ids``, ``history``).

Whiteouts follow the image spec: ``.wh.NAME`` removes ``NAME`` from the layers below, ``.wh..wh..opq``
hides everything a directory held below (an opaque directory). :func:`efficiency` computes dive's
(wagoodman/dive) image efficiency and potential wasted bytes from the same records, with its
definitions, so the numbers can be compared with ``dive --ci`` on the same image.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import posixpath
import stat
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from ...errors import DockerMagicError, ImageNotFoundError
from ..connection import broken_stream
from . import tarstream

if TYPE_CHECKING:
    from ..images import ImageCalls as Engine

JSON_LIMIT = 4 << 20  # a blob this small that looks like JSON is a manifest, index or config, never a layer
WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"

ADDED, MODIFIED, REMOVED, UNCHANGED = "added", "modified", "removed", "unchanged"


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of one layer.

    ``change`` is ``added`` (no layer below has the path), ``modified`` (a layer below has it),
    ``removed`` (a whiteout; for an opaque directory, the directory whose lower contents are hidden) or
    ``unchanged`` (a directory listed again with the same type, mode and owner: a layer tar repeats the
    parent directories of what it changes).
    """

    path: str  # absolute, without a trailing slash ("/" for the root)
    type: str  # file, dir, symlink, hardlink, other
    size: int  # bytes in the layer tar (0 for links, directories and removals)
    mode: int  # st_mode: type bits and permissions
    change: str
    linkname: str = ""  # a link's target
    digest: str = ""  # "sha256:<hex>" of a regular file's bytes, when asked for
    uid: int = 0
    gid: int = 0
    leaf: bool = True  # no other entry of the same layer lies below it (what dive's tree walk visits)
    removed_bytes: int = 0  # for a removal: bytes the removed directory held below (0 for a file)


@dataclass(frozen=True)
class LayerFiles:
    """One layer, bottom first: its diff ID, the step that made it and its entries."""

    index: int
    diff_id: str
    created_by: str
    entries: list[Entry]


@dataclass(frozen=True)
class ImageFiles:
    """Every layer of one image, bottom first."""

    reference: str
    layers: list[LayerFiles]
    final: dict[str, Entry] = field(default_factory=dict, repr=False)  # the filesystem all layers make


@dataclass(frozen=True)
class PathUse:
    """One path as dive's efficiency sees it: the layers holding it and the bytes seen there."""

    path: str
    layers: list[int]
    cumulative_size: int
    min_size: int


@dataclass(frozen=True)
class Efficiency:
    """dive's figures: ``score`` (1.0 when nothing is wasted), ``wasted_bytes`` and the paths seen more than once."""

    score: float
    wasted_bytes: int
    user_size: int  # bytes of every layer but the first (what dive calls the user's layers)
    inefficient: list[PathUse] = field(default_factory=list)


@dataclass(frozen=True)
class FileChange:
    """One path whose final state differs between two images (sizes are None where the path is absent)."""

    path: str
    change: str  # added, removed, changed
    type_a: str | None
    type_b: str | None
    size_a: int | None
    size_b: int | None


# ---- one layer tar -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Raw:
    """An entry as its layer tar has it, before the layers below are known."""

    path: str
    kind: str  # entry, whiteout, opaque
    type: str = "other"
    size: int = 0
    mode: int = 0
    linkname: str = ""
    digest: str = ""
    uid: int = 0
    gid: int = 0


def _abs(name: str) -> str:
    path = posixpath.normpath("/" + name.lstrip("/"))
    return "/" if path in ("/", "/.") else path.rstrip("/")


def _type_of(member: tarfile.TarInfo) -> tuple[str, int]:
    if member.isreg():
        return "file", stat.S_IFREG
    if member.isdir():
        return "dir", stat.S_IFDIR
    if member.issym():
        return "symlink", stat.S_IFLNK
    if member.islnk():
        return "hardlink", stat.S_IFREG
    kinds = {tarfile.CHRTYPE: stat.S_IFCHR, tarfile.BLKTYPE: stat.S_IFBLK, tarfile.FIFOTYPE: stat.S_IFIFO}
    return "other", kinds.get(member.type, 0)


def _raw_entry(member: tarfile.TarInfo, data: tarstream.Bounded, hash_files: bool) -> _Raw | None:
    path = _abs(member.name)
    base = posixpath.basename(path)
    if base == OPAQUE:
        return _Raw(posixpath.dirname(path), "opaque", "dir")
    if base.startswith(WHITEOUT + WHITEOUT):
        return None  # other whiteout metadata (aufs' .wh..wh.plnk): not a file of the image
    if base.startswith(WHITEOUT):
        return _Raw(posixpath.join(posixpath.dirname(path), base[len(WHITEOUT):]), "whiteout")
    kind, type_bits = _type_of(member)
    digest = ""
    if hash_files and member.isreg():
        digest = _sha256(data)
    linkname = _abs(member.linkname) if member.islnk() else member.linkname
    return _Raw(path, "entry", kind, member.size if member.isreg() else 0, type_bits | (member.mode & 0o7777),
                linkname, digest, member.uid, member.gid)


def _sha256(data: tarstream.Bounded) -> str:
    digest = hashlib.sha256()
    data.skip_rest(digest.update)  # straight from the reused buffer into the hash
    return "sha256:" + digest.hexdigest()


def read_layer(stream: IO[bytes] | Any, *, compression: str = "", hash_files: bool = False) -> list[_Raw]:
    """Walk one layer tar as it streams; the entries it holds, in tar order.

    Args:
        stream: the layer's bytes (anything with ``read(n)``, better with ``readinto``); read once, front to back.
        compression: ``""`` (plain tar), ``"gzip"`` or ``"zstd"``.
        hash_files: also compute the sha256 of every regular file's bytes.

    Raises:
        DockerMagicError: the layer is not a tar, or is zstd-compressed and no zstd decoder is installed.
    """
    if compression == "zstd":
        stream = _zstd_reader(stream)
    elif compression == "gzip":
        stream = gzip.GzipFile(fileobj=stream, mode="rb")  # reads forward only: fine on a stream
    out: list[_Raw] = []
    try:
        for member, data in tarstream.members(stream):
            raw = _raw_entry(member, data, hash_files)
            if raw is not None:
                out.append(raw)
    except (tarfile.ReadError, OSError, EOFError) as exc:
        raise DockerMagicError(f"A layer of the image is not a readable tar: {exc}") from None
    return out


def _zstd_reader(stream: IO[bytes]) -> IO[bytes]:
    try:
        import zstandard
    except ImportError:
        raise DockerMagicError("The image has zstd-compressed layers and no zstd decoder is installed.",
                               hint="To fix it, run: pip install zstandard") from None
    return zstandard.ZstdDecompressor().stream_reader(stream)


# ---- the save archive ----------------------------------------------------------------------------


class _Prefixed:
    """A reader that gives back bytes already read (the sniffed head) before the rest of the stream."""

    def __init__(self, head: bytes, rest: tarstream.Bounded) -> None:
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size < 0 or size >= len(self.head):
                data, self.head = self.head, b""
                more = self.rest.read(-1 if size < 0 else size - len(data))
                return data + more
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.rest.read(size)

    def readinto(self, target: Any) -> int:
        if self.head:
            data = self.read(min(len(target), len(self.head)))
            target[: len(data)] = data
            return len(data)
        return self.rest.readinto(target)


def _sniff(head: bytes) -> str:
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if len(head) >= 512 and not head.strip(b"\0"):
        return "tar"  # an empty tar: end-of-archive blocks only
    if head.lstrip()[:1] in (b"{", b"["):
        return "json"
    return ""


@dataclass
class _Archive:
    """What streamed past: JSON documents and layers, by their path in the archive."""

    documents: dict[str, Any] = field(default_factory=dict)
    layers: dict[str, list[_Raw]] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)


def scan_archive(stream: IO[bytes] | Any, *, hash_files: bool = False,
                 layer: Callable[[bytes, Any, str], Any] | None = None,
                 known: Callable[[str], Any] | None = None) -> _Archive:
    """Read a save archive front to back, walking each layer tar as it passes (no seek, nothing kept but records).

    Args:
        stream: the archive (``GET /images/get``'s body).
        hash_files: give each file record its content's SHA-256.
        layer: reads one layer blob instead of the file walk (its first 512 bytes, the rest of it, and its kind:
            ``tar``, ``gzip`` or ``zstd``); what it returns is kept as the layer.
        known: for an OCI blob (``blobs/sha256/...``) larger than a JSON document, what was read of it before
            (by its digest), or None; a blob it knows is skipped unread and its answer kept as the layer.

    Raises:
        tarfile.ReadError: the stream is not a tar or ends early.
    """
    archive = _Archive()
    for member, data in tarstream.members(stream):
        name = posixpath.normpath(member.name)
        if member.issym() or member.islnk():
            # The classic store writes a layer held twice once, and a link to it the second time.
            target = member.linkname if member.islnk() else posixpath.join(posixpath.dirname(name), member.linkname)
            archive.links[name] = posixpath.normpath(target)
        elif member.isreg():
            if known is not None and name.startswith("blobs/sha256/") and member.size > JSON_LIMIT:
                before = known("sha256:" + name.rsplit("/", 1)[1])
                if before is not None:
                    archive.layers[name] = before
                    continue
            head = data.read(512)
            kind = _sniff(head)
            if kind == "json" and member.size <= JSON_LIMIT:
                with contextlib.suppress(ValueError):  # not JSON after all: not a document we need
                    archive.documents[name] = json.loads(head + data.read())
            elif kind in ("tar", "gzip", "zstd") and layer is not None:
                archive.layers[name] = layer(head, data, kind)
            elif kind in ("tar", "gzip", "zstd"):
                archive.layers[name] = read_layer(_Prefixed(head, data), compression="" if kind == "tar" else kind,
                                                  hash_files=hash_files)
    return archive


def _blob(digest: str) -> str:
    algorithm, _, hex_ = digest.partition(":")
    return f"blobs/{algorithm}/{hex_}"


def _oci_manifest(archive: _Archive) -> dict:
    """The image manifest an OCI layout's ``index.json`` leads to (the first image one, through nested indexes)."""
    document = archive.documents.get("index.json") or {}
    for _ in range(4):
        manifests = [m for m in document.get("manifests") or ()
                     if (m.get("annotations") or {}).get("vnd.docker.reference.type") != "attestation-manifest"]
        if not manifests:
            break
        document = archive.documents.get(_blob(manifests[0]["digest"])) or {}
        if "layers" in document:
            return document
    raise DockerMagicError("The image archive has neither manifest.json nor a usable OCI index.json.",
                           hint="This engine's save format is not one docker_magics reads; please report it.")


def _layout(archive: _Archive) -> tuple[dict, list[str]]:
    """The image config and the archive paths of its layers, bottom first."""
    manifest = archive.documents.get("manifest.json")
    if isinstance(manifest, list) and manifest:
        entry = manifest[0]
        return archive.documents.get(posixpath.normpath(entry["Config"])) or {}, \
            [posixpath.normpath(p) for p in entry.get("Layers") or ()]
    oci = _oci_manifest(archive)
    return archive.documents.get(_blob(oci["config"]["digest"])) or {}, [_blob(x["digest"]) for x in oci["layers"]]


def _layer_records(archive: _Archive, path: str) -> list[_Raw]:
    for _ in range(8):
        if path in archive.layers:
            return archive.layers[path]
        if path not in archive.links:
            break
        path = archive.links[path]
    raise DockerMagicError(f"The image archive lists the layer {path} but does not hold it.",
                           hint="To fix it, check the image with '%docker image inspect' and run the command again.")


def assemble(archive: _Archive, reference: str = "") -> ImageFiles:
    """Put the layers that streamed past in order, and classify each entry against the layers below it.

    Raises:
        DockerMagicError: the archive lacks its manifest, config or one of the layers it lists.
    """
    config, paths = _layout(archive)
    diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
    steps = [h.get("created_by", "") for h in config.get("history") or () if not h.get("empty_layer")]
    if len(diff_ids) != len(paths):
        raise DockerMagicError(f"The image config lists {len(diff_ids)} layers and its manifest {len(paths)}.",
                               hint="The image looks damaged; pull or build it again.")
    tree = _Tree()
    layers = []
    for index, path in enumerate(paths):
        created_by = steps[index] if len(steps) == len(paths) else ""
        layers.append(LayerFiles(index, diff_ids[index], created_by, tree.apply(_layer_records(archive, path))))
    return ImageFiles(reference, layers, tree.entries)


# ---- the stacked filesystem ----------------------------------------------------------------------


class _Tree:
    """The filesystem the layers applied so far make: path -> entry, with each directory's children."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.children: dict[str, set[str]] = {}

    def _link(self, path: str) -> None:
        while path != "/":
            parent = posixpath.dirname(path)
            siblings = self.children.setdefault(parent, set())
            if path in siblings:
                return
            siblings.add(path)
            path = parent

    def _below(self, path: str) -> Iterable[str]:
        stack = list(self.children.get(path, ()))
        while stack:
            child = stack.pop()
            yield child
            stack.extend(self.children.get(child, ()))

    def held(self, path: str) -> int:
        """Bytes of the entries below ``path`` (what removing the directory takes away)."""
        return sum(self.entries[p].size for p in self._below(path) if p in self.entries)

    def remove(self, path: str, *, keep_self: bool = False) -> None:
        for below in list(self._below(path)):
            self.entries.pop(below, None)
            self.children.pop(below, None)
        self.children.pop(path, None)
        if not keep_self:
            self.entries.pop(path, None)
            parent = self.children.get(posixpath.dirname(path))
            if parent is not None:
                parent.discard(path)

    def apply(self, raws: list[_Raw]) -> list[Entry]:
        """Classify one layer's entries against this tree, then apply the layer to it."""
        parents = {posixpath.dirname(r.path) for r in raws if r.kind == "entry" and r.path != "/"}
        out: list[Entry] = []
        # Removals first: they hide what the layers below hold, never what this layer adds.
        for raw in raws:
            if raw.kind == "entry":
                continue
            below = self.entries.get(raw.path)
            is_dir = raw.kind == "opaque" or (below is not None and below.type == "dir")
            held = self.held(raw.path) if is_dir else 0
            out.append(Entry(raw.path, "dir" if is_dir else (below.type if below else "other"), 0,
                             below.mode if below else (stat.S_IFDIR if is_dir else 0), REMOVED,
                             removed_bytes=held))
            self.remove(raw.path, keep_self=raw.kind == "opaque")
        for raw in raws:
            if raw.kind != "entry":
                continue
            below = self.entries.get(raw.path)
            if below is None:
                change = ADDED
            elif raw.type == "dir" == below.type and (raw.mode, raw.uid, raw.gid) == (below.mode, below.uid, below.gid):
                change = UNCHANGED
            else:
                change = MODIFIED
            if below is not None and below.type == "dir" and raw.type != "dir":
                self.remove(raw.path)  # a file replacing a directory replaces all it held
            entry = Entry(raw.path, raw.type, raw.size, raw.mode, change, raw.linkname, raw.digest, raw.uid, raw.gid,
                          raw.path not in parents)
            out.append(entry)
            self.entries[raw.path] = entry
            self._link(raw.path)
        return out


def final_filesystem(image: ImageFiles) -> dict[str, Entry]:
    """The image's filesystem once every layer is applied: path -> the entry that last wrote it (no root)."""
    return {path: entry for path, entry in image.final.items() if path != "/"}


# ---- dive's efficiency ---------------------------------------------------------------------------


def efficiency(layers: list[LayerFiles]) -> Efficiency:
    """dive's image efficiency and potential wasted bytes (wagoodman/dive ``filetree/efficiency.go``).

    Every leaf entry of every layer (an entry with nothing of the same layer below it, and every removal)
    is a sighting of its path. A sighting weighs the entry's size; a removed file weighs 0 and a removed
    directory what it held in the layers below. Then, over all paths:
    ``score = sum(smallest weight seen) / sum(all weights)`` (1.0 when there are no bytes), and the
    potential wasted bytes are the summed weights of the paths seen more than once.

    Args:
        layers: the image's layers, bottom first (from :func:`assemble`).

    Returns:
        The score, the wasted bytes, the bytes of the layers above the first, and the paths seen more
        than once, largest cumulative weight first.
    """
    seen: dict[str, list[int]] = {}  # path -> [cumulative, minimum, layer, layer, ...]
    for layer in layers:
        for entry in layer.entries:
            if entry.path == "/" or not (entry.leaf or entry.change == REMOVED):
                continue
            weight = entry.removed_bytes if entry.change == REMOVED else entry.size
            record = seen.get(entry.path)
            if record is None:
                seen[entry.path] = [weight, weight, layer.index]
            else:
                record[0] += weight
                record[1] = min(record[1], weight)
                record.append(layer.index)
    total = sum(r[0] for r in seen.values())
    minimum = sum(r[1] for r in seen.values())
    repeated = [PathUse(path, r[2:], r[0], r[1]) for path, r in seen.items() if len(r) > 3]
    repeated.sort(key=lambda use: (-use.cumulative_size, use.path))
    user = sum(e.size for layer in layers[1:] for e in layer.entries if e.change != REMOVED)
    return Efficiency(minimum / total if total else 1.0, sum(u.cumulative_size for u in repeated), user, repeated)


# ---- two images ----------------------------------------------------------------------------------


def _same(a: Entry, b: Entry) -> bool:
    if a.type != b.type or stat.S_IMODE(a.mode) != stat.S_IMODE(b.mode) or a.linkname != b.linkname:
        return False
    if a.type == "file":
        return a.size == b.size and a.digest == b.digest
    return True


def compare(a: dict[str, Entry], b: dict[str, Entry]) -> list[FileChange]:
    """Paths added, removed or changed from final filesystem ``a`` to ``b``, sorted by path.

    A path is ``changed`` when its type, permission bits or link target differ, or, for a regular file,
    its content (size and sha256: the filesystems must come from ``hash_files=True`` reads).
    """
    out = []
    for path in sorted(a.keys() | b.keys()):
        x, y = a.get(path), b.get(path)
        if x is None:
            out.append(FileChange(path, "added", None, y.type, None, y.size))
        elif y is None:
            out.append(FileChange(path, "removed", x.type, None, x.size, None))
        elif not _same(x, y):
            out.append(FileChange(path, "changed", x.type, y.type, x.size, y.size))
    return out


# ---- the engine --------------------------------------------------------------------------------


def image_files(engine: Engine, reference: str, *, hash_files: bool = False) -> ImageFiles:
    """Every entry of every layer of one local image, read by streaming ``GET /images/{id}/get``.

    Args:
        engine: the engine holding the image.
        reference: a name, ``name:tag``, ID or digest reference.
        hash_files: also compute the sha256 of every regular file (for comparing contents).

    Returns:
        The image's layers, bottom first, each with its entries.

    Raises:
        ImageNotFoundError: no such local image.
        DockerMagicError: the engine refused, stopped sending, or sent an archive that cannot be read.
    """

    try:
        image_id = engine.inspect(reference)["Id"]
    except ImageNotFoundError:
        raise ImageNotFoundError(f"No such image: {reference}",
                                 hint="List local images with '%docker images', or pull it first.") from None
    try:
        with (engine.stream("GET", "/images/{0}/get", action="read the layers of", subject=image_id) as response,
              broken_stream("the read of the layers", reference), engine.translated("read the layers of", reference)):
            archive = scan_archive(response.raw, hash_files=hash_files)
    except tarfile.TarError as exc:
        raise DockerMagicError(f"The engine's archive of {reference} cannot be read: {exc}") from None
    return assemble(archive, reference)
