"""Search through the engine: ``GET /images/search`` asks an index's v1 search API for the engine.

The Registry HTTP API (browsing a registry's repositories and tags) is :mod:`.registry`'s.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .. import errors
from .connection import Connection
from .references import DEFAULT_DOMAIN, HUB_LABEL, LEGACY_DOMAIN
from .registry.credentials import Credentials, auth_header


def split_search_term(term: str) -> tuple[str, str]:
    """``127.0.0.1:5000/acme`` -> (``127.0.0.1:5000``, ``acme``); ``acme`` -> (``docker.io``, ``acme``).

    The engine's own rule (``splitReposSearchTerm``): the first part is an index only when it has a
    dot or a colon or is ``localhost``.
    """
    first, slash, rest = term.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return (DEFAULT_DOMAIN if first == LEGACY_DOMAIN else first), rest
    return DEFAULT_DOMAIN, term


def index_label(index: str) -> str:
    """How messages name an index."""
    return f"{HUB_LABEL} ({LEGACY_DOMAIN})" if index == DEFAULT_DOMAIN else f"the registry {index}"


_UNREACHABLE = (("connection refused", "connection refused"), ("no such host", "the name does not resolve"),
                ("i/o timeout", "timed out"), ("network is unreachable", "no network"),
                ("no route to host", "no route to host"), ("invalid registry endpoint", "no answer"))


def search_error(said: str, term: str) -> errors.DockerMagicError | None:
    """Our one line for what the engine said (``said``) when the index failed; None to keep the engine's error."""
    text = " ".join(said.split())
    index, remote = split_search_term(term)
    where = index_label(index)
    where_cap = where[:1].upper() + where[1:]
    status = re.search(r"Unexpected status code (\d+)", text)
    code = status.group(1) if status else None
    if code == "404":
        return errors.RegistryError(f"{where_cap} has no search API (its v1 search answered 404)",
                                    hint=f"To fix it, browse its repositories with "
                                         f"'%docker search --registry {index}'.")
    if code in {"401", "403"}:
        server = "" if index == DEFAULT_DOMAIN else f" {index}"
        return errors.RegistryAuthError(f"{where_cap} refused the search for '{remote}' ({code})",
                                        hint=f"To fix it, log in with '%docker login{server}'.")
    for needle, reason in _UNREACHABLE:
        if needle in text.lower():
            return errors.RegistryError(f"Cannot reach {where} to search for '{remote}' ({reason})",
                                        hint="To fix it, check the address and that the engine can reach it "
                                             "(no internet means no Docker Hub).")
    if code:
        return errors.RegistryError(f"{where_cap} failed the search for '{remote}' (status {code})",
                                    hint="To fix it, try again later.")
    return None


class SearchCalls(Connection):
    """Search through the engine (its /images/search asks the index's v1 search API)."""

    def search(self, term: str, *, limit: int | None = None,
                      filters: dict[str, list[str]] | None = None,
                      credentials: Credentials | None = None) -> list[dict]:
        """``GET /images/search`` on the engine, which asks the index's v1 search API.

        Args:
            term: the search term, ``[INDEX/]TERM``.
            limit: the most results (the engine's default is 25, its maximum 100).
            filters: ``stars``, ``is-official``, ``is-automated``, checked by the engine.
            credentials: sent as ``X-Registry-Auth`` for the index, as the CLI does.

        Returns:
            The engine's results: dicts with name, description, star_count, is_official, is_automated.

        Raises:
            RegistryError: the index is unreachable or has no search API; RegistryAuthError: it refused.
            UsageError: the engine rejected a filter or the limit.
        """
        params: dict[str, Any] = {"term": term}
        if limit:
            params["limit"] = limit
        if filters:
            params["filters"] = json.dumps(filters)
        headers = auth_header(credentials) if credentials is not None else {}
        try:
            return self.get_json("/images/search", params, action="search", subject=term, headers=headers)
        except errors.DockerMagicError as exc:
            mapped = search_error(exc.engine_text, term) if exc.engine_text else None
            if mapped is None:
                raise
            raise mapped from None
