"""``%docker search`` (the engine's search endpoint, or a registry's catalog) and ``%docker tags``.

``search TERM`` asks the engine, which asks Docker Hub or the index named in TERM
(``127.0.0.1:5000/term``) through its v1 search API, as ``docker search`` does. Beyond the CLI,
``search --registry HOST [PREFIX]`` lists a registry's repositories (its v2 catalog) and
``tags REPOSITORY`` a repository's tags with digest, compressed size, platforms and creation time, without
pulling; both talk to the registry itself (:mod:`docker_magics.engine.registry`).
"""

from __future__ import annotations

import re
from typing import Any

from ..command import Command
from ..engine.references import parse
from ..engine.registry.credentials import login_for
from ..engine.search import index_label, split_search_term
from ..errors import UsageError, interrupts_as
from ..session import Session
from ..views.display import Text, message
from .filters import parse_filters

#: ``n`` asked of a registry per page of a catalog or tag list (tests lower it to exercise paging).
PAGE_SIZE = 100
#: Tags whose manifest and config ``tags`` reads when no ``--limit`` is given (one or two requests each); the
#: others are listed by name with their details unknown, and a note says so.
DETAILS_LIMIT = 100
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]+)?|\[[0-9A-Fa-f:]+\](:[0-9]+)?")


def parse_search_filters(values: list[str]) -> dict[str, list[str]]:
    """``-f stars=3 -f is-official=true`` as the engine's filters map (the engine checks names and values)."""
    return parse_filters(values, hint="Write -f stars=N or -f is-official=true.")


def search(cmd: Command, session: Session) -> Any:
    """Search an index (a DataFrame name, description, stars, official), or browse a registry with --registry."""
    if cmd.registry is not None:
        return _catalog(cmd, session)
    if not cmd.term:
        raise UsageError('"search" requires exactly 1 argument.',
                         hint="See '%docker search --help'. Usage: %docker search [OPTIONS] TERM")

    filters = parse_search_filters(cmd.filter)
    engine = session.engine(cmd)
    index, _ = split_search_term(cmd.term)
    credentials = login_for(index, cmd.config)
    with interrupts_as(f"Interrupted while searching {index_label(index)}; nothing was changed."):
        results = engine.search(cmd.term, limit=cmd.limit, filters=filters,
                                credentials=credentials)
    if cmd.format:
        return _format(cmd, results)
    from ..views.search import search_frame

    return search_frame(results, no_trunc=cmd.no_trunc, engine=engine.label)


def _format(cmd: Command, results: list[dict]) -> Any:
    from ..gotemplate import contexts, format_list

    rows = contexts.search_rows(results, no_trunc=cmd.no_trunc)
    return Text(format_list(cmd.format, rows, command="search"))


def _client(domain: str, cmd: Command, session: Session) -> Any:
    from ..engine.registry.api import RegistryClient

    return RegistryClient(domain, login_for(domain, cmd.config),
                          timeout=session.settings.timeout, page_size=PAGE_SIZE)


def _registry_host(text: str) -> str:
    host = re.sub(r"^[a-z]+://", "", text.strip()).rstrip("/")
    if not _HOST.fullmatch(host):
        raise UsageError(f"'{text}' is not a registry host (expected HOST[:PORT], e.g. 127.0.0.1:5000)",
                         hint="See '%docker search --help'.")
    return "docker.io" if host in {"index.docker.io", "registry-1.docker.io"} else host


def _catalog(cmd: Command, session: Session) -> Any:
    """``search --registry HOST [PREFIX]``: the registry's repositories whose name starts with PREFIX."""
    from ..views.search import catalog_frame

    host = _registry_host(cmd.registry)
    if cmd.filter:
        raise UsageError("--filter does not apply to --registry (a registry's catalog has no stars or "
                         "official marks)", hint="Filter the DataFrame instead, e.g. df[df.name.str.contains(...)].")
    prefix = (cmd.term or "").removeprefix(f"{host}/")
    client = _client(host, cmd, session)
    with interrupts_as(f"Interrupted while listing the repositories of {host}; nothing was changed."):
        names = client.catalog(prefix, limit=cmd.limit)
    _say(client.notes)
    full = [f"{host}/{name}" for name in names]
    if cmd.format:
        return _format(cmd, [{"name": name, "description": "", "star_count": 0, "is_official": False}
                             for name in full])
    return catalog_frame(full)


def tags(cmd: Command, session: Session) -> Any:
    """``tags REPOSITORY[:TAG]``: one row per tag: digest, compressed size, platforms, created; nothing is pulled."""

    if not cmd.repository:
        raise UsageError('"tags" requires exactly 1 argument.',
                         hint="See '%docker tags --help'. Usage: %docker tags [OPTIONS] REPOSITORY")
    ref = parse(cmd.repository)
    if ref.digest:
        raise UsageError(f"'{cmd.repository}' names a digest; 'tags' lists a repository's tags",
                         hint=f"Write the repository alone: '%docker tags {ref.familiar_name}'.")
    client = _client(ref.domain, cmd, session)
    with interrupts_as(f"Interrupted while listing the tags of {ref.familiar_name}; nothing was changed."):
        names = [ref.tag] if ref.tag else client.tags(ref.path, limit=cmd.limit)
        detailed = names if cmd.limit is not None else names[:DETAILS_LIMIT]
        rows = client.tag_infos(ref.path, detailed)
    rows += [{"tag": name, "digest": None} for name in names[len(detailed):]]
    if len(detailed) < len(names):
        client.notes.append(f"Details (digest, size, platforms, created) of the first {len(detailed)} of "
                            f"{len(names)} tags; '%docker tags --limit N {ref.familiar_name}' reads N of them")
    _say(client.notes)
    from ..views.search import tags_frame

    return tags_frame(ref.familiar_name, rows, no_trunc=cmd.no_trunc)


def _say(notes: list[str]) -> None:
    """What a listing left out, as warnings (the result itself stays a plain DataFrame)."""

    for note in notes:
        message(note + ".", warning=True)
