"""What each layer said about packages, kept by the layer's diff ID for the kernel's life.

A diff ID is the sha256 of the layer's uncompressed tar, so what is kept under it can never be stale: a second
``sbom`` of an image, or ``--all`` over images sharing a base, reads only layers not seen yet, and an image all
of whose layers are known is not exported at all. Archive blobs whose digest is not the diff ID (compressed
layers of the containerd store) are remembered as aliases, so they are recognised before they are read the
next time. Bounded: the oldest layers go first past :data:`MAX_LAYERS`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from .layers import LayerPackages

MAX_LAYERS = 4096


class LayerCache:
    """diff ID -> :class:`LayerPackages`, and archive blob digest -> diff ID; thread-safe (``-H A -H B``)."""

    def __init__(self, max_layers: int = MAX_LAYERS) -> None:
        self._layers: OrderedDict[str, LayerPackages] = OrderedDict()
        self._aliases: dict[str, str] = {}
        self._lock = threading.Lock()
        self.max_layers = max_layers

    def get(self, diff_id: str) -> LayerPackages | None:
        """What the layer said, or None when it was never read."""
        with self._lock:
            found = self._layers.get(diff_id)
            if found is not None:
                self._layers.move_to_end(diff_id)
            return found

    def known(self, blob_digest: str) -> str | None:
        """The diff ID of an archive blob already read (the blob digest itself for an uncompressed layer)."""
        with self._lock:
            diff_id = self._aliases.get(blob_digest, blob_digest)
            return diff_id if diff_id in self._layers else None

    def put(self, diff_id: str, layer: LayerPackages, blob_digest: str = "") -> None:
        """Keep what a layer said (and under which blob digest the archive sent it)."""
        with self._lock:
            self._layers[diff_id] = layer
            self._layers.move_to_end(diff_id)
            if blob_digest and blob_digest != diff_id:
                self._aliases[blob_digest] = diff_id
            while len(self._layers) > self.max_layers:
                self._layers.popitem(last=False)

    def clear(self) -> None:
        """Forget every layer."""
        with self._lock:
            self._layers.clear()
            self._aliases.clear()

    def __len__(self) -> int:
        return len(self._layers)


#: The kernel's cache: every engine shares it (a diff ID names the same bytes on any engine).
LAYERS = LayerCache()
