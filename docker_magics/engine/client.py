"""The engine: one :class:`Engine` per endpoint, with its calls grouped by area.

Each area lives in its own module as a mixin of :class:`~.connection.Connection`: images and inspect
(:mod:`.images`), tag/remove/prune (:mod:`.lifecycle`), pull/push/login (:mod:`.transfer`),
save/load/import (:mod:`.archive`), build (:mod:`.build`, and BuildKit :mod:`.buildkit`), disk usage and layers
(:mod:`.usage`), search through the engine (:mod:`.search`), containers
(:mod:`.containers.calls`), and listings answered from the image index (:mod:`.index`).
"""

from __future__ import annotations

from .archive.saveload import ArchiveCalls
from .build.buildkit import BuildKitCalls
from .build.classic import BuildCalls
from .containers.calls import ContainerCalls
from .images import ImageCalls
from .index.store import IndexCalls
from .lifecycle import LifecycleCalls
from .search import SearchCalls
from .transfer import TransferCalls
from .usage import UsageCalls


class Engine(ImageCalls, LifecycleCalls, TransferCalls, ArchiveCalls, BuildCalls, BuildKitCalls, UsageCalls,
             SearchCalls, IndexCalls, ContainerCalls):
    """One Docker engine: every call the commands make, none of them printing.

    Args:
        endpoint: where the engine is (:class:`~.endpoints.Endpoint`).
        timeout: seconds to wait for an answer to one request.
        client: a docker-py ``APIClient`` to use instead of creating one (tests of pure logic).
    """

    def close(self) -> None:
        """Stop the streams this engine holds open (the image index's and the container index's watches)."""
        super().close()
        self.close_container_index()
