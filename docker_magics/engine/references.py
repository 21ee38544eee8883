"""Image references as Docker parses them: ``[DOMAIN/]PATH[:TAG][@DIGEST]``, normalised like the CLI.

``debian``, ``library/debian``, ``docker.io/library/debian`` and ``index.docker.io/library/debian`` are the
same repository; :func:`parse` tells what is wrong with an invalid reference in one line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..errors import InvalidReferenceError, UsageError

# Docker Hub, defined once: its domain in references, the older spelling, the host its API answers on, the
# key logins are stored under (the CLI's), and how messages name it.
DEFAULT_DOMAIN = "docker.io"
LEGACY_DOMAIN = "index.docker.io"
HUB_API_HOST = "registry-1.docker.io"
HUB_KEY = "https://index.docker.io/v1/"
HUB_HOSTS = frozenset({DEFAULT_DOMAIN, LEGACY_DOMAIN, HUB_API_HOST})
HUB_LABEL = "Docker Hub"
OFFICIAL_PREFIX = "library/"
# What the engine lists for an image without a tag or without a digest.
NONE = "<none>"
NONE_TAG = f"{NONE}:{NONE}"
NONE_DIGEST = f"{NONE}@{NONE}"
MAX_NAME = 255

_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_DOMAIN = re.compile(
    r"(?:localhost|\[[0-9a-fA-F:]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)"
    r"(?::[0-9]+)?")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")


@dataclass(frozen=True)
class Reference:
    """A parsed, normalised image reference."""

    domain: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The full repository name, e.g. ``docker.io/library/debian``."""
        return f"{self.domain}/{self.path}"

    @property
    def familiar_name(self) -> str:
        """The repository as the CLI shows it: ``debian``, ``team/app``, ``127.0.0.1:5000/app``."""
        if self.domain != DEFAULT_DOMAIN:
            return self.name
        return self.path.removeprefix(OFFICIAL_PREFIX) if self.path.count("/") == 1 else self.path

    @property
    def is_docker_hub(self) -> bool:
        return self.domain == DEFAULT_DOMAIN

    def familiar(self) -> str:
        """The whole reference in familiar form (what ``docker images`` shows)."""
        return self.familiar_name + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")

    def with_default_tag(self) -> Reference:
        """``latest`` when neither a tag nor a digest is given, as ``docker pull`` does."""
        return self if self.tag or self.digest else Reference(self.domain, self.path, "latest")

    def __str__(self) -> str:
        return self.familiar()


def _invalid(text: str, why: str) -> InvalidReferenceError:
    return InvalidReferenceError(f"invalid reference format '{text}': {why}",
                                 hint="A reference is [REGISTRY[:PORT]/]NAME[:TAG][@DIGEST], NAME in lowercase.")


def split_domain(name: str) -> tuple[str, str]:
    """Split a repository name into (domain, path) the way ``ParseNormalizedNamed`` does."""
    first, slash, rest = name.partition("/")
    if not slash or (not any(c in first for c in ".:") and first != "localhost" and first.lower() == first):
        domain, path = DEFAULT_DOMAIN, name
    else:
        domain, path = first, rest
    if domain == LEGACY_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_PREFIX + path
    return domain, path


def new_image_name(text: str | None, verb: str) -> tuple[str | None, str | None]:
    """The REPOSITORY and TAG a verb that makes an image (``commit``, ``import``) gives it; (None, None) for none.

    Raises:
        InvalidReferenceError: ``text`` is not a reference.
        UsageError: it has a digest (a digest names an image that exists, not a new one).
    """
    if not text:
        return None, None
    ref = parse(text)
    if ref.digest:
        raise UsageError(f"cannot {verb} to '{text}': a reference with a digest names an existing image",
                         hint="To fix it, give REPOSITORY[:TAG].")
    return ref.familiar_name, ref.tag


def parse(text: str) -> Reference:
    """Parse and normalise a reference.

    Raises:
        InvalidReferenceError: one line naming what is wrong (uppercase, bad tag, bad digest, too long).
    """
    if not text:
        raise _invalid(text, "it is empty")
    remainder, at, digest = text.partition("@")
    if at:
        if not _DIGEST.fullmatch(digest):
            raise _invalid(text, f"'{digest}' is not a digest (expected ALGORITHM:HEX, e.g. sha256:<64 hex>)")
        algorithm, _, hexpart = digest.partition(":")
        if algorithm == "sha256" and len(hexpart) != 64:
            raise _invalid(text, f"a sha256 digest has 64 hex digits, not {len(hexpart)}")
    name, tag = remainder, None
    colon = remainder.rfind(":")
    if colon > remainder.rfind("/"):
        name, tag = remainder[:colon], remainder[colon + 1:]
        if not _TAG.fullmatch(tag):
            raise _invalid(text, f"'{tag}' is not a valid tag (letters, digits, _ . -, at most 128, "
                                 "not starting with . or -)")
    if len(name) > MAX_NAME:
        raise _invalid(text, f"the repository name is {len(name)} characters long (at most {MAX_NAME})")
    domain, path = split_domain(name)
    if domain != DEFAULT_DOMAIN and not _DOMAIN.fullmatch(domain):
        raise _invalid(text, f"'{domain}' is not a registry host")
    for component in path.split("/"):
        if component.lower() != component and _COMPONENT.fullmatch(component.lower()):
            raise _invalid(text, f"repository name ({path}) must be lowercase")
        if not _COMPONENT.fullmatch(component):
            raise _invalid(text, f"'{component}' is not a valid name component (lowercase letters, digits, "
                                 "separated by . _ __ or -)")
    return Reference(domain, path, tag, digest or None)


@functools.lru_cache(maxsize=16384)  # a listing repeats the same references call after call
def familiar_parts(text: str) -> tuple[str, str, str] | None:
    """(familiar repository, tag, digest) of a reference as ``docker images`` lists it, or None.

    None where Docker's own parser would fail (``<none>:<none>``, an uppercase path...): the CLI skips
    such references when it lists images, and so do the frames and the ``--format`` rows.
    """
    try:
        ref = parse(text)
    except InvalidReferenceError:
        return None
    return ref.familiar_name, ref.tag or "", ref.digest or ""


def server_label(key: str) -> str:
    """How messages name the registry of a stored login key: ``Docker Hub`` for its key, else the key (a host)."""
    return HUB_LABEL if key == HUB_KEY else key


def listing_rows(image: dict, *, digests: bool, tag_digests: bool,
                 digest_placeholder: str = NONE) -> list[tuple[str, str, str]]:
    """The (repository, tag, digest) rows ``docker image ls`` makes of one image (the CLI's
    imageFormatTaggedAndDigest), for the DataFrame and for ``--format`` alike.

    One row per repository:tag; a tagged repository's digests go on its tag rows (with ``tag_digests``), never
    on rows of their own; a repository known only by digest gets ``<none>`` as its tag.

    Args:
        image: one ``GET /images/json`` item.
        digests: ``--digests``: a digest-only repository gets a row per digest (else one row).
        tag_digests: show the digests on the tag rows (``--digests``, or a template naming ``.Digest``).
        digest_placeholder: the digest of a digest-only repository's single row without ``digests``.

    Returns:
        The rows; empty when no reference of the image parses.
    """
    tags: dict[str, list[str]] = {}
    for ref in image.get("RepoTags") or ():
        if (parts := familiar_parts(ref)) and parts[1]:
            tags.setdefault(parts[0], []).append(parts[1])
    by_digest: dict[str, list[str]] = {}
    for ref in image.get("RepoDigests") or ():
        if (parts := familiar_parts(ref)) and parts[2]:
            by_digest.setdefault(parts[0], []).append(parts[2])
    rows: list[tuple[str, str, str]] = []
    for repo, repo_tags in tags.items():
        shown = by_digest.pop(repo, []) if tag_digests else (by_digest.pop(repo, None) and [])
        for tag in repo_tags:
            rows.extend((repo, tag, d) for d in shown or [NONE])
    for repo, repo_digests in by_digest.items():
        rows.extend((repo, NONE, d) for d in (repo_digests if digests else [digest_placeholder]))
    return rows
