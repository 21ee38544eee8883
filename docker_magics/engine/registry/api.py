"""A registry's own HTTP API (Docker Registry v2 / OCI distribution), spoken directly with ``requests``.

The engine cannot list a registry's repositories or a repository's tags, so this module asks the
registry itself: ``/v2/_catalog`` and ``/v2/<name>/tags/list`` (paged with ``n``/``last`` and the
``Link`` header), manifests (Docker schema 2, manifest lists, OCI manifests and indexes) and config
blobs. Authentication follows the registry's ``WWW-Authenticate`` challenge: Basic with the stored
credentials, or the Bearer token flow (realm, service, scope), anonymous when nothing is stored.

Like the engine layer it never prints: it returns plain lists and dicts, and every failure leaves
as a one-line :class:`~docker_magics.errors.DockerMagicError`. ``requests`` (a docker-py
dependency) is imported on first use.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import ipaddress
import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from ... import errors
from ..references import DEFAULT_DOMAIN, HUB_API_HOST, HUB_HOSTS, HUB_LABEL
from . import bounded_http
from .credentials import Credentials
from .redact import redact

DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
INDEX_TYPES = frozenset({DOCKER_LIST, OCI_INDEX})
ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_V2))
USER_AGENT = "docker_magics"

# Bounds against registries that answer badly (by accident or on purpose): no request, page or body may
# hold the kernel for longer than the timeout, or fill its memory.
MAX_DOCUMENT = 4 * 1024 * 1024  # a manifest or config: distribution itself refuses manifests over 4 MiB
MAX_PAGE = 8 * 1024 * 1024  # one page of a tag list or catalog
MAX_TOKEN = 1024 * 1024  # a token service's answer
MAX_PAGES = 1000  # pages of one listing (a Link loop that changes its URL ends here)
SHOWN = 300  # characters of a registry's own words shown in a message
ERROR_SCAN = 4096  # characters of a cut error body searched for its code and message


# ---- addresses and credentials ---------------------------------------------------------------


def api_host(domain: str) -> str:
    """Where a registry's API answers: ``docker.io`` is served by ``registry-1.docker.io``."""
    return HUB_API_HOST if domain in HUB_HOSTS else domain


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and 127.0.0.0/8 (and ``::1``): the engine's insecure-by-default registries."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def base_url(host: str) -> str:
    """``http://`` for loopback registries (as the engine treats them: insecure), ``https://`` otherwise."""
    return f"{'http' if is_loopback(host) else 'https'}://{host}"


# ---- challenges and paging -------------------------------------------------------------------


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="…",service="…",scope="…"`` -> ``("bearer", {"realm": …, …})``."""
    scheme, _, rest = header.strip().partition(" ")
    params = {k.lower(): v for k, v in re.findall(r'(\w+)\s*=\s*"([^"]*)"', rest)}
    return scheme.lower(), params


def next_link(header: str | None) -> str | None:
    """The target of ``rel="next"`` in a ``Link`` header, if any."""
    for part in (header or "").split(","):
        match = re.match(r'\s*<([^>]*)>\s*;.*rel="?next"?', part)
        if match:
            return match.group(1)
    return None


def clip(text: str, limit: int = SHOWN) -> str:
    """A registry's words for a one-line message: whitespace collapsed, the first ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _error_text(response: Any) -> tuple[str, str]:
    """The first (code, message) of a registry's ``{"errors": [...]}`` body, or the HTTP reason (not clipped)."""
    with contextlib.suppress(ValueError, AttributeError, IndexError, KeyError, TypeError):
        first = response.json()["errors"][0]
        return str(first.get("code") or ""), str(first.get("message") or "")
    if getattr(response, "cut", False):  # a huge error body, cut at its start: its first words still tell
        found = dict(re.findall(r'"(code|message)"\s*:\s*"((?:[^"\\]|\\.)*)', response.text[:ERROR_SCAN]))
        if found.get("message"):
            return found.get("code", ""), found["message"]
    return "", str(response.reason or "")


def origin(url: str) -> tuple[str, str]:
    """(scheme, host:port) of a URL: what must match for credentials to go along."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL": a Link header may hold anything
        return "", url
    return parts.scheme.lower(), parts.netloc.lower()


def _short_reason(exc: BaseException) -> str:
    text = str(exc)
    for needle, reason in (("Connection refused", "connection refused"), ("Name or service not known",
                           "the name does not resolve"), ("Temporary failure in name resolution",
                           "the name does not resolve"), ("SSL", "the TLS handshake failed"),
                           ("No route to host", "no route to host")):
        if needle in text:
            return reason
    return type(exc).__name__


# ---- the client ------------------------------------------------------------------------------


@dataclass
class RegistryClient:
    """One registry, reached over HTTP(S) with the user's stored credentials.

    Args:
        domain: the registry as references name it (``docker.io``, ``127.0.0.1:5000``).
        credentials: the stored login (:func:`.credentials.login_for`; None: anonymous).
        timeout: seconds to wait for one answer.
        page_size: ``n`` asked of paged listings.
        workers: manifests fetched at once when listing tags.
        session: a ``requests.Session`` to use (tests); one is made otherwise.
    """

    domain: str
    credentials: Credentials | None = None
    timeout: float = 30.0
    page_size: int = 100
    workers: int = 8
    session: Any = None
    _tokens: dict[str, str] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)  # what a listing left out, for the command to say
    _configs: dict[str, dict] = field(default_factory=dict, repr=False)  # by digest: tags often share one
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.host = api_host(self.domain)
        self.base = base_url(self.host)
        if self.session is None:
            self.session = bounded_http.session(USER_AGENT)

    @property
    def label(self) -> str:
        """How messages name this registry: ``Docker Hub`` or ``the registry HOST``."""
        return HUB_LABEL if self.host == HUB_API_HOST else f"the registry {self.domain}"

    @property
    def label_cap(self) -> str:
        return self.label[:1].upper() + self.label[1:]

    @property
    def login_hint(self) -> str:
        name = "" if self.domain == DEFAULT_DOMAIN else f" {self.domain}"
        return f"To fix it, log in with '%docker login{name}' (or 'docker login{name}')."

    # -- HTTP with the registry's authentication --

    def request(self, path: str, *, scope: str, action: str, method: str = "GET", params: dict | None = None,
                headers: dict | None = None, limit: int = MAX_PAGE) -> bounded_http.Answer:
        """One request, answering the registry's 401 challenge once (Basic or Bearer); its body already read.

        The stored login (and the tokens it earns) goes only to this registry's own scheme, host and port: a
        ``Link`` or a redirect to another host is followed without it, and another host's challenge is not
        answered. Each exchange ends within ``timeout`` seconds and reads at most ``limit`` bytes.

        Raises:
            RegistryError: unreachable, timed out, an answer too large; RegistryAuthError: credentials missing
            or refused, or asked for by another host.
        """
        url = path if path.startswith("http") else urljoin(self.base, path)
        response = self._send(method, url, scope, action, params, headers, limit)
        if response.status_code == 401:
            if origin(response.url) != origin(self.base):
                raise self._foreign_challenge(response.url, action)
            self._authorize(response.headers.get("WWW-Authenticate", ""), scope, action)
            response = self._send(method, url, scope, action, params, headers, limit)
            if response.status_code == 401:
                raise self._refused(action)
        return response

    def _send(self, method: str, url: str, scope: str, action: str, params: dict | None,
              headers: dict | None, limit: int) -> bounded_http.Answer:
        sent = dict(headers or {})
        # A Bearer token is good for its scope; Basic credentials (kept under "*") for every scope. Neither
        # leaves this registry (requests itself drops the header when a redirect changes the host).
        authorization = self._tokens.get(scope) or self._tokens.get("*")
        if authorization and origin(url) == origin(self.base):
            sent["Authorization"] = authorization
        return self._fetch(method, url, action, limit, params=params, headers=sent)

    def _fetch(self, method: str, url: str, action: str, limit: int, **kwargs: Any) -> bounded_http.Answer:
        """:func:`.bounded_http.fetch` with its failures worded as one line naming the host that failed."""
        import requests

        try:
            return bounded_http.fetch(self.session, method, url, timeout=self.timeout, limit=limit, **kwargs)
        except bounded_http.DeadlineExceeded:
            raise errors.RegistryError(f"{self.label_cap} did not answer within {self.timeout:g} s ({action})",
                                       hint="To fix it, check the registry, or raise "
                                            "%config DockerMagics.timeout.") from None
        except bounded_http.TooLarge as exc:
            raise errors.RegistryError(f"{self.label_cap} sent more than {exc.limit // (1024 * 1024)} MiB "
                                       f"to {action}; docker_magics stopped reading there",
                                       hint="To fix it, check that the address is a Docker registry.") from None
        except requests.exceptions.RequestException as exc:
            raise self._unreachable(url, exc) from None

    def _unreachable(self, url: str, exc: BaseException) -> errors.RegistryError:
        failed = getattr(getattr(exc, "request", None), "url", None) or url
        hint = "To fix it, check the address and that the registry runs."
        if origin(failed)[1] != origin(self.base)[1]:  # a redirect or a Link led elsewhere: name that host
            return errors.RegistryError(f"Cannot reach {origin(failed)[1]}, where {self.label} sent docker_magics "
                                        f"({_short_reason(exc)})", hint=hint)
        return errors.RegistryError(f"Cannot reach {self.label} at {self.base} ({_short_reason(exc)})", hint=hint)

    def _foreign_challenge(self, url: str, action: str) -> errors.RegistryAuthError:
        return errors.RegistryAuthError(
            f"{origin(url)[1]}, where {self.label} sent docker_magics to {action}, asks for credentials; the "
            f"login stored for {self.domain} is sent to {self.domain} only",
            hint="To fix it, ask the registry's operator; docker_magics will not send your login elsewhere.")

    def _authorize(self, challenge: str, scope: str, action: str) -> None:
        scheme, params = parse_challenge(challenge)
        creds = self.credentials
        if scheme == "basic":
            if creds is None or not creds.password:
                raise self._refused(action)
            pair = f"{creds.username}:{creds.password}".encode()
            header = "Basic " + base64.b64encode(pair).decode()
        elif scheme == "bearer" and params.get("realm"):
            header = "Bearer " + self._token(params, scope, action)
        else:
            raise errors.RegistryAuthError(
                f"{self.label_cap} asks for an authentication scheme docker_magics does not speak "
                f"({clip(self.redacted(challenge), 120) or 'no WWW-Authenticate header'})",
                hint="To fix it, use the Docker CLI for it.")
        with self._lock:
            self._tokens["*" if scheme == "basic" else scope] = header

    def _token(self, challenge: dict[str, str], scope: str, action: str) -> str:
        """The Bearer token flow: ask the realm for a token for this scope (and the challenge's)."""
        creds = self.credentials
        scopes = list(dict.fromkeys(s for s in (challenge.get("scope"), scope) if s))
        query: dict[str, Any] = {"service": challenge.get("service", ""), "scope": scopes}
        realm = challenge["realm"]
        import requests

        # The realm is where this registry's own challenge sends the login (request() answers no other
        # host's challenge): the CLI does the same. A redirect away from the realm drops it (requests).
        try:
            # An OAuth2 refresh token, as the CLI stores for some registries.
            if creds is not None and creds.identity_token:
                response = bounded_http.fetch(self.session, "POST", realm, timeout=self.timeout, limit=MAX_TOKEN,
                                              data={"grant_type": "refresh_token",
                                                    "refresh_token": creds.identity_token,
                                                    "service": query["service"], "scope": " ".join(scopes),
                                                    "client_id": USER_AGENT})
            else:
                basic = (creds.username, creds.password) if creds is not None and creds.password else None
                if basic:
                    query["account"] = creds.username
                response = bounded_http.fetch(self.session, "GET", realm, params=query, auth=basic,
                                              timeout=self.timeout, limit=MAX_TOKEN)
        except (requests.exceptions.RequestException, bounded_http.DeadlineExceeded, bounded_http.TooLarge) as exc:
            raise errors.RegistryError(f"Cannot reach the token service {clip(realm, 120)} of {self.label} "
                                       f"({_short_reason(exc)})",
                                       hint="To fix it, check the network and the registry.") from None
        if response.status_code in (401, 403):
            raise self._refused(action)
        body = {}
        with contextlib.suppress(ValueError):
            body = response.json()
        token = (body.get("token") or body.get("access_token")) if isinstance(body, dict) else None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise errors.RegistryAuthError(f"The token service {clip(realm, 120)} of {self.label} gave no "
                                           f"token ({response.status_code} "
                                           f"{clip(self.redacted(response.reason), 60)})",
                                           hint=self.login_hint)
        return token

    def redacted(self, text: str) -> str:
        """A registry's words with the stored secret and the tokens it earned masked (a registry may echo them)."""

        creds = self.credentials
        secrets = [creds.password, creds.identity_token] if creds is not None else []
        earned = [value.partition(" ")[2] for value in self._tokens.values()]
        return redact(text, [*secrets, *earned])

    def _refused(self, action: str) -> errors.RegistryAuthError:
        creds = self.credentials
        if creds is None:
            return errors.RegistryAuthError(
                f"{self.label_cap} asks for credentials to {action}, and none are stored for it",
                hint=self.login_hint)
        who = f" of '{creds.username}'" if creds.username else ""
        return errors.RegistryAuthError(f"{self.label_cap} refused the stored credentials{who} "
                                        f"to {action}", hint=self.login_hint.replace("log in", "log in again"))

    def _check(self, response: Any, action: str, repository: str | None = None) -> Any:
        """Raise our one-line error for a failed answer; return the response otherwise."""
        if response.status_code < 400:
            return response
        code, message = (clip(self.redacted(text), limit) for text, limit in zip(_error_text(response), (60, SHOWN),
                                                                                 strict=True))
        if response.status_code == 404 and repository and code in {"NAME_UNKNOWN", ""}:
            raise errors.ImageNotFoundError(
                f"No repository '{repository}' in {self.label}",
                hint=f"To fix it, search with '%docker search {repository.split('/')[-1]}'." if self.host ==
                HUB_API_HOST else f"To fix it, list its repositories with '%docker search --registry {self.domain}'.")
        if response.status_code == 403:
            raise errors.RegistryAuthError(f"{self.label_cap} denied access to {action}: "
                                           f"{message or 'forbidden'}", hint=self.login_hint)
        detail = f"{code}: {message}" if code else message
        raise errors.RegistryError(f"{self.label_cap} could not {action} "
                                   f"({response.status_code} {detail})")

    def get_json(self, path: str, *, scope: str, action: str, repository: str | None = None,
                 params: dict | None = None, headers: dict | None = None,
                 limit: int = MAX_PAGE) -> tuple[Any, Any]:
        """GET a JSON document (at most ``limit`` bytes); returns (body, response)."""
        response = self.request(path, scope=scope, action=action, params=params, headers=headers, limit=limit)
        self._check(response, action, repository)
        try:
            return response.json(), response
        except ValueError:
            raise self._not_json(action) from None

    def _not_json(self, action: str, what: str = "something that is not JSON") -> errors.RegistryError:
        return errors.RegistryError(f"{self.label_cap} answered {action} with {what}",
                                    hint="To fix it, check that the address is a Docker registry.")

    def paged(self, path: str, key: str, *, scope: str, action: str, repository: str | None = None,
              limit: int | None = None) -> Iterator[str]:
        """Every item of a paged listing, following ``Link: <…>; rel="next"``.

        With ``limit``, no page is asked for once ``limit`` items have come (the last page is given whole).
        Only text items count (a registry's ``null`` or numbers are left out), each once; a ``Link`` back to a
        page already read ends the listing, and so does :data:`MAX_PAGES` (noted in :attr:`notes`).
        """
        url: str | None = path
        params: dict | None = {"n": self.page_size}
        count, pages, seen_urls, seen = 0, 0, set(), set()
        while url and (limit is None or count < limit):
            if pages >= MAX_PAGES:
                self.notes.append(f"{self.label_cap} kept naming a next page: stopped after {MAX_PAGES} pages "
                                  f"({count} items)")
                return
            seen_urls.add(urljoin(self.base, url))
            body, response = self.get_json(url, scope=scope, action=action, repository=repository, params=params)
            pages += 1
            items = body.get(key) if isinstance(body, dict) else None
            fresh = []
            for item in items if isinstance(items, list) else ():
                if isinstance(item, str) and item not in seen:
                    seen.add(item)
                    fresh.append(item)
            yield from fresh
            count += len(fresh)
            url, params = next_link(response.headers.get("Link")), None
            try:
                following = urljoin(response.url, url) if url else None
            except ValueError:  # not a URL at all
                self.notes.append(f"{self.label_cap} named a next page that is not a URL ({clip(url, 80)}): "
                                  f"stopped after {pages} pages")
                return
            if following and (following in seen_urls or not fresh):
                return  # a loop, or a page that brought nothing new: the listing is complete

    # -- listings --

    def catalog(self, prefix: str = "", limit: int | None = None) -> list[str]:
        """The registry's repositories (``/v2/_catalog``, paged) whose name starts with ``prefix``.

        Raises:
            RegistryError: the registry has no catalog (Docker Hub has none), or any failure above.
        """
        if self.host == HUB_API_HOST:
            raise self._no_catalog()
        names: list[str] = []
        try:
            for name in self.paged("/v2/_catalog", "repositories", scope="registry:catalog:*",
                                   action="list its repositories"):
                if name.startswith(prefix):
                    names.append(name)
                    if limit is not None and len(names) >= limit:
                        break
        except errors.RegistryError as exc:
            if "(404 " in exc.message or "UNSUPPORTED" in exc.message:
                raise self._no_catalog() from None
            raise
        return names

    def _no_catalog(self) -> errors.RegistryError:
        return errors.RegistryError(f"{self.label_cap} does not list its repositories (no v2 catalog)",
                                    hint="To fix it, list one repository's tags with '%docker tags REPOSITORY', "
                                         "or search with '%docker search TERM'.")

    def tags(self, path: str, limit: int | None = None) -> list[str]:
        """A repository's tags (``/v2/<name>/tags/list``, paged), sorted, the first ``limit`` of them.

        The API says tags come in lexical order, but some registries (distribution 2.8) answer in any
        order and in one page: sorting what came before cutting gives the same answer on both.
        """
        found = self.paged(f"/v2/{path}/tags/list", "tags", scope=f"repository:{path}:pull",
                           action=f"list the tags of {path}", repository=path, limit=limit)
        return sorted(found)[:limit]

    def manifest(self, path: str, reference: str) -> tuple[str, str, dict]:
        """GET a manifest by tag or digest: (digest, media type, document)."""
        action = f"read the manifest of {path}:{reference}" if ":" not in reference else \
            f"read the manifest {reference} of {path}"
        response = self.request(f"/v2/{path}/manifests/{reference}", scope=f"repository:{path}:pull",
                                action=action, headers={"Accept": ACCEPT}, limit=MAX_DOCUMENT)
        if response.status_code == 404 and _error_text(response)[0] == "MANIFEST_UNKNOWN":
            raise errors.ImageNotFoundError(
                f"No tag '{reference}' in {path} at {self.label}",
                hint=f"To fix it, list its tags with '%docker tags {self._familiar(path)}'.")
        self._check(response, action, path)
        raw = response.body
        try:
            document = json.loads(raw)
        except ValueError:
            raise self._not_json(action) from None
        if not isinstance(document, dict):
            raise self._not_json(action, f"JSON that is not a manifest (a {type(document).__name__})")
        digest = response.headers.get("Docker-Content-Digest") or "sha256:" + hashlib.sha256(raw).hexdigest()
        media_type = _text(document.get("mediaType")) or response.headers.get("Content-Type", "").split(";")[0]
        return clip(digest, 100), media_type, document

    def blob_json(self, path: str, digest: str) -> dict:
        """A small JSON blob (an image config), fetched once per digest."""
        if digest in self._configs:
            return self._configs[digest]
        body, _ = self.get_json(f"/v2/{path}/blobs/{digest}", scope=f"repository:{path}:pull",
                                action=f"read the config {digest[:19]} of {path}", repository=path,
                                limit=MAX_DOCUMENT)
        self._configs[digest] = body if isinstance(body, dict) else {}
        return self._configs[digest]

    def _familiar(self, path: str) -> str:
        if self.domain != DEFAULT_DOMAIN:
            return f"{self.domain}/{path}"
        return path.removeprefix("library/")

    def tag_info(self, path: str, tag: str) -> dict[str, Any]:
        """One tag: digest, media type, size (layers + config), platforms (os/arch), created.

        For a manifest list or OCI index, ``platforms`` lists every platform (attestations left out)
        and ``size``/``created`` are those of one platform's image: linux/amd64 when present, else the first.
        A field the registry gives in a shape that makes no sense (a size that is not a number, a platform
        that is not an object, a creation time that is not a date) is left unknown (None) rather than failing.
        """
        digest, media_type, document = self.manifest(path, tag)
        row: dict[str, Any] = {"tag": tag, "digest": digest, "media_type": media_type,
                               "size": None, "platforms": [], "created": None}
        if media_type in INDEX_TYPES or "manifests" in document:
            entries = [m for m in _dicts(document.get("manifests"))
                       if _platform(m.get("platform")) != "unknown/unknown"]
            row["platforms"] = [_platform(m.get("platform")) for m in entries]
            chosen = next((m for m in entries if _platform(m.get("platform")) == "linux/amd64"),
                          entries[0] if entries else None)
            if chosen is None or not _is_digest(chosen.get("digest")):
                return row
            _, _, document = self.manifest(path, chosen["digest"])
        if document.get("schemaVersion") == 1:
            return {**row, **_schema1(document)}
        config = document.get("config") if isinstance(document.get("config"), dict) else {}
        sizes = [_size(config.get("size"))] + [_size(layer.get("size")) for layer in _dicts(document.get("layers"))]
        row["size"] = None if None in sizes else sum(sizes)
        if _is_digest(config.get("digest")):
            blob = self.blob_json(path, config["digest"])
            row["created"] = created_time(blob.get("created"))
            if not row["platforms"]:
                row["platforms"] = [_platform(blob)]
        return row

    def tag_infos(self, path: str, tags: list[str]) -> list[dict[str, Any]]:
        """:meth:`tag_info` for many tags, ``workers`` at a time, in the order given."""
        if len(tags) <= 1 or self.workers <= 1:
            return [self.tag_info(path, tag) for tag in tags]
        pool = ThreadPoolExecutor(max_workers=self.workers)
        try:
            futures = [pool.submit(self.tag_info, path, tag) for tag in tags]
            return [future.result() for future in futures]
        finally:
            # On an error or Ctrl-C, drop what has not started; requests under way end within the timeout.
            pool.shutdown(wait=False, cancel_futures=True)


def _platform(spec: Any) -> str:
    """``{"os": "linux", "architecture": "arm64", "variant": "v8"}`` -> ``linux/arm64/v8`` (``unknown`` parts else)."""
    spec = spec if isinstance(spec, dict) else {}
    parts = [clip(_text(spec.get("os")) or "unknown", 40), clip(_text(spec.get("architecture")) or "unknown", 40)]
    if _text(spec.get("variant")):
        parts.append(clip(spec["variant"], 40))
    return "/".join(parts)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dicts(value: Any) -> list[dict]:
    """The objects of a JSON list (a registry may send anything in its place)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _size(value: Any) -> int | None:
    """A size in bytes, or None when the registry's value is not a non-negative whole number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or value < 0:
        return None
    return int(value) if float(value).is_integer() and value < 2**63 else None


_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,256}")


def _is_digest(value: Any) -> bool:
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def created_time(value: Any) -> str | None:
    """An image's creation time as RFC 3339 text, or None: missing, not a date, or Go's zero time.

    ko and crane write ``0001-01-01T00:00:00Z`` (or nothing) for reproducible images; pandas' timestamps
    start in 1677, and a year before 1678 or after 2261 means "unknown" here too.
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    match = _RFC3339.fullmatch(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])

    try:
        datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return value.strip() if 1678 <= year <= 2261 else None


def _schema1(document: dict) -> dict[str, Any]:
    """What a legacy schema 1 manifest tells: its platform and creation time (its sizes are unknown)."""
    created = None
    with contextlib.suppress(ValueError, IndexError, KeyError, TypeError, AttributeError):
        created = created_time(json.loads(document["history"][0]["v1Compatibility"]).get("created"))
    architecture = clip(_text(document.get("architecture")) or "unknown", 40)
    return {"platforms": [f"linux/{architecture}"], "created": created, "media_type": DOCKER_V1_SIGNED}


# ---- the engine's search endpoint (v1 search of Docker Hub or another index) ----------------
