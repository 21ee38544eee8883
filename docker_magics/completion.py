"""Tab completion for ``%docker`` lines: verbs, flags, flag values and local image references.

Verbs and flags come from the grammar table. Image references come from a short-lived cache filled
in a background thread, so a keystroke waits at most ``timeout`` seconds on a slow engine: when the
engine is slow, the first Tab answers with what is cached (maybe nothing) and the next one has it all.
In a new kernel, the cache starts from the references the engine's last index snapshot held
(:mod:`.engine.index.snapshot`), read without docker-py: the first Tab offers them at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import grammar

# Values worth offering for flags whose values are a small known set.
FLAG_VALUES: dict[str, tuple[str, ...]] = {
    "--filter": ("dangling=true", "dangling=false", "label=", "before=", "since=", "reference=", "until=",
                 "stars=", "is-official=true", "is-official=false"),
    "-f": ("dangling=true", "dangling=false", "label=", "before=", "since=", "reference="),
    "--format": ("table", "json", "'{{json .}}'", "'table {{.Repository}}\\t{{.Tag}}\\t{{.Size}}'"),
    "--platform": ("linux/amd64", "linux/arm64", "linux/arm/v7"),
    "--type": ("image",),
}


class ReferenceCache:
    """Local image references (repository:tag and short IDs), refreshed at most every ``ttl`` seconds."""

    def __init__(self, fetch: Callable[[], list[dict]], *, ttl: float = 10.0, timeout: float = 0.1,
                 saved: Callable[[], list[str] | None] | None = None) -> None:
        self.fetch = fetch
        self.ttl = ttl
        self.timeout = timeout
        self.saved = saved  # the references a new kernel starts from (the engine's snapshot), asked once
        self.references: list[str] = []
        self.stamp = 0.0
        self.provisional = False  # the references are the saved ones: no listing has answered yet
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def get(self) -> list[str]:
        """The cached references, refreshing when stale; never blocks longer than ``timeout``."""
        if time.monotonic() - self.stamp > self.ttl:
            self.warm()
            with self._lock:
                if self._worker is None or not self._worker.is_alive():
                    self._worker = threading.Thread(target=self._refresh, daemon=True, name="docker-complete")
                    self._worker.start()
                worker = self._worker
            if not self.provisional:  # with the saved references at hand, a Tab does not wait for the engine
                worker.join(self.timeout)
        return self.references

    def warm(self) -> None:
        """Fill an empty cache from the saved references, once (``%load_ext``'s preload thread calls it first)."""
        with self._lock:
            saved, self.saved = self.saved, None
        if saved is None or self.references:
            return
        try:
            found = saved()
        except Exception:  # completion must never raise: a bad file only means nothing to start from
            return
        if found and not self.references:
            self.references, self.provisional = found, True

    def _refresh(self) -> None:
        from .engine.references import NONE_TAG
        from .units import truncate_id

        try:
            images = self.fetch()
        except Exception:  # completion must never raise; keep the old list
            return
        tags = {tag for image in images for tag in image.get("RepoTags") or () if tag != NONE_TAG}
        ids = {truncate_id(image["Id"]) for image in images}
        self.references = sorted(tags) + sorted(ids)
        self.stamp, self.provisional = time.monotonic(), False


def candidates(words: list[str], current: str, references: Callable[[], list[str]]) -> list[str]:
    """Everything that may stand where ``current`` is typed, after the words ``words``.

    Args:
        words: the complete words before the cursor (after ``%docker``).
        current: the word being typed (maybe empty).
        references: returns local image references (called only where a verb takes an image).
    """
    from . import grammar  # at the first Tab, not at %load_ext: it imports every handler module

    index = _skip_globals(words)
    if index is None:
        return _matching(FLAG_VALUES.get(words[-1], ()), current) if words else []
    rest = words[index:]
    flag_names = [n for f in grammar.GLOBAL_FLAGS for n in f.names]
    if not rest:
        if current.startswith("-"):
            return _matching(flag_names, current)
        return _matching(sorted({*grammar.TOP_LEVEL, *grammar.MANAGEMENT}), current)
    if rest[0] in grammar.MANAGEMENT and rest[0] not in grammar.FORMS:
        if len(rest) == 1:
            return _matching(grammar.MANAGEMENT[rest[0]], current)
        verb, args = grammar.FORMS.get(f"{rest[0]} {rest[1]}"), rest[2:]
    else:
        verb, args = grammar.FORMS.get(rest[0]), rest[1:]
    if verb is None:
        return []
    return _verb_candidates(verb, args, current, references)


def _verb_candidates(verb: grammar.Verb, args: list[str], current: str,
                     references: Callable[[], list[str]]) -> list[str]:
    takes_value = {n for f in verb.flags if not f.boolean for n in f.names}
    if args and args[-1] in takes_value:
        return _matching(FLAG_VALUES.get(args[-1], ()), current)
    if current.startswith("-"):
        return _matching([n for f in verb.flags for n in reversed(f.names)] + ["--help"], current)
    if verb.image_args or verb.name == "images":
        return _matching(references(), current)
    return []


def _skip_globals(words: list[str]) -> int | None:
    """Index of the first word after the global options; None while a global option awaits its value."""
    from . import grammar  # at the first Tab, not at %load_ext: it imports every handler module

    takes_value = {n for f in grammar.GLOBAL_FLAGS if not f.boolean for n in f.names}
    index = 0
    while index < len(words) and words[index].startswith("-"):
        word = words[index]
        if word in takes_value:
            if index + 1 == len(words):
                return None
            index += 2
        else:
            index += 1
    return index


def _matching(options: Any, current: str) -> list[str]:
    return [o for o in options if o.startswith(current)]


def complete(text_until_cursor: str, token: str, references: Callable[[], list[str]]) -> list[str]:
    """Completions for the ``token`` IPython is completing at the end of ``text_until_cursor``.

    IPython splits its token at ``:`` and other delimiters, so the completions are cut to start where
    its token starts (``dmtest/app:1`` completes from ``1``).
    """
    tail = text_until_cursor.partition("docker")[2]
    typed = tail.split(" ") if tail else []
    words = [w for w in typed[:-1] if w]
    current = typed[-1] if typed else ""
    found = candidates(words, current, references)
    cut = len(current) - len(token)
    return [c[cut:] for c in found] if cut >= 0 else found


def matcher(references: Callable[[], list[str]]) -> Callable[[Any], dict]:
    """An IPython completion matcher (the v2 API) for lines that start with ``%docker``/``%%docker``.

    On such a line it answers alone (``suppress``), so Python names do not crowd out image references.
    """
    from IPython.core.completer import SimpleCompletion, context_matcher

    @context_matcher()
    def docker_matcher(context: Any) -> dict:
        line = context.text_until_cursor.lstrip()
        if not line.startswith(("%docker ", "%%docker ")):
            return {"completions": [], "suppress": False}
        found = complete(line, context.token, references)
        return {"completions": [SimpleCompletion(text=c, type="docker") for c in found], "suppress": True}

    return docker_matcher
