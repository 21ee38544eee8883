"""docker_magics: Docker's image commands as IPython magics, with notebook-native results.

``%load_ext docker_magics`` registers ``%docker`` / ``%%docker``; ``%unload_ext docker_magics``
removes them. Heavy imports (docker-py, pandas, ipywidgets) wait until a command needs them.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "load_ipython_extension", "unload_ipython_extension"]

_loaded: dict[int, Any] = {}


def load_ipython_extension(ipython: Any) -> None:
    """Register the ``%docker`` magics on ``ipython`` (called by ``%load_ext``)."""
    from .completion import ReferenceCache, matcher
    from .magics import DockerMagics

    magics = DockerMagics(ipython)
    ipython.register_magics(magics)
    _loaded[id(ipython)] = magics
    cache = ReferenceCache(lambda: _local_images(magics.session), timeout=magics.completion_timeout,
                           saved=lambda: _saved_references(magics.session))
    magics.completion_cache = cache
    magics.completion_matcher = matcher(cache.get)
    ipython.Completer.custom_matchers.append(magics.completion_matcher)
    if magics.preload:
        _preload(cache.warm)
    import atexit

    atexit.register(magics.session.forget)  # the kernel is shutting down: close the engines' event streams


def _local_images(session: Any) -> list[dict]:
    """The default engine's images for Tab completion (from its index, like a listing)."""
    from .commands.images import local_images

    return local_images(session, session.default_engine()).images


def _saved_references(session: Any) -> list[str] | None:
    """The default engine's references from its last index snapshot, for the first Tab of a new kernel.

    Read without docker-py or the engine (the endpoint as the session resolves it); none when the index is off.
    """
    if not session.settings.index:
        return None
    from .engine.endpoints import resolve_endpoint
    from .engine.index.snapshot import SnapshotStore

    endpoint = resolve_endpoint(host=session.settings.host, context=session.settings.context)
    return SnapshotStore().tab_references(endpoint.host)


def _preload(first: Any = None) -> None:
    """Import pandas and docker-py in the background, so the first command does not wait for them.

    ``%load_ext`` itself stays fast; a command run before the imports finish simply waits for them. ``first``
    runs before the imports: Tab completion's saved references, so an early Tab finds them in memory.
    """
    import threading

    def work() -> None:
        import contextlib

        with contextlib.suppress(Exception):
            if first is not None:
                first()
        with contextlib.suppress(Exception):
            from . import grammar  # noqa: F401  (the verb table and its handler modules)
            from .engine.connection import load_docker_py
            from .views import frames  # noqa: F401  (imports pandas)

            load_docker_py()

    threading.Thread(target=work, name="docker_magics-preload", daemon=True).start()


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the ``%docker`` magics again (called by ``%unload_ext``)."""
    magics = _loaded.pop(id(ipython), None)
    if magics is not None and magics.completion_matcher in ipython.Completer.custom_matchers:
        ipython.Completer.custom_matchers.remove(magics.completion_matcher)
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("docker", None)
    if magics is not None:
        ipython.magics_manager.registry.pop(type(magics).__name__, None)
        # IPython registered it as a configurable too: a stale one would still answer %config after a reload.
        configurables = getattr(ipython, "configurables", [])
        if magics in configurables:
            configurables.remove(magics)
        import atexit

        atexit.unregister(magics.session.forget)
        magics.session.forget()  # stops every engine's event stream
