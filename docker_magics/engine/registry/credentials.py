"""The Docker CLI's credential store, read and written exactly as ``docker login``/``logout`` do.

Credentials live in ``$DOCKER_CONFIG/config.json`` (default ``~/.docker``): under ``auths`` as a base64
``user:password`` in ``auth``, or, when ``credsStore``/``credHelpers`` name a helper, in the helper
``docker-credential-<name>`` spoken to over stdin/stdout (``store``/``get``/``erase``), with an empty
``auths`` entry left in config.json as the CLI leaves it. So a login made in a terminal is seen by the
notebook and the other way round. Other keys of config.json are kept as they are; the file is
replaced atomically, mode 0600.

Nothing here prints or logs, and a secret never enters a message: helpers get it on stdin only, and
:class:`Credentials` keeps it out of its repr.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import CredentialStoreError
from ..config import config_path, read_config, write_config
from ..references import HUB_HOSTS, HUB_KEY
from .redact import redact

_HELPER_PREFIX = "docker-credential-"
_TOKEN_USER = "<token>"  # what helpers hold as Username for an identity token



@dataclass(frozen=True)
class Credentials:
    """A login for one registry. The secret never shows in the repr."""

    server: str
    username: str
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)

    def auth_config(self) -> dict[str, str]:
        """The engine's AuthConfig (sent base64-encoded in ``X-Registry-Auth``)."""
        if self.identity_token:
            return {"identitytoken": self.identity_token, "serveraddress": self.server}
        return {"username": self.username, "password": self.password, "serveraddress": self.server}


def hostname(server: str) -> str:
    """``ConvertToHostname``: drop the scheme and any path (``https://h:5000/v2/`` -> ``h:5000``)."""
    text = server.strip()
    for scheme in ("http://", "https://"):
        if text.startswith(scheme):
            text = text[len(scheme):]
    return text.split("/", 1)[0]


def server_key(server: str | None) -> str:
    """The key a login is stored under: Docker Hub's ``https://index.docker.io/v1/``, else the hostname.

    ``docker.io``, ``index.docker.io`` and ``registry-1.docker.io`` all mean Docker Hub.
    """
    if not server or server == HUB_KEY:
        return HUB_KEY
    host = hostname(server)
    return HUB_KEY if host in HUB_HOSTS else host


def _helper_name(config: dict[str, Any], key: str) -> str | None:
    """The helper for a registry: ``credHelpers[key]``, else ``credsStore``, else the CLI's default."""
    helpers = config.get("credHelpers") or {}
    if isinstance(helpers, dict) and helpers.get(key):
        return str(helpers[key])
    if config.get("credsStore"):
        return str(config["credsStore"])
    return _default_store()


def _default_store() -> str | None:
    # The CLI's DetectDefaultStore on Linux: "pass" when pass is installed, else "secretservice",
    # and only when that helper is on PATH.
    if not sys.platform.startswith("linux"):
        return None
    name = "pass" if shutil.which("pass") else "secretservice"
    return name if shutil.which(_HELPER_PREFIX + name) else None


def _decode_entry(key: str, entry: dict[str, Any]) -> Credentials | None:
    username, password = entry.get("username") or "", entry.get("password") or ""
    if entry.get("auth"):
        try:
            decoded = base64.b64decode(entry["auth"]).decode("utf-8")
        except ValueError:
            raise CredentialStoreError(f"The stored login for {key} in config.json is not valid base64.",
                                       hint=f"To fix it, log in again with '%docker login {key}'.") from None
        username, _, password = decoded.partition(":")
    token = entry.get("identitytoken") or ""
    if not (username and (password or token)):
        return None
    return Credentials(key, username, password, token)


def _file_entry(config: dict[str, Any], key: str) -> tuple[str, dict[str, Any]] | None:
    """The ``auths`` entry for a key: the exact key, else one naming the same host (``https://h``)."""
    auths = config.get("auths") or {}
    if key in auths:
        return key, auths[key]
    for other, entry in auths.items():
        if server_key(other) == key:
            return other, entry
    return None


# ---- credential helpers ---------------------------------------------------------------------


def _run_helper(name: str, action: str, payload: str, secret: str = "") -> subprocess.CompletedProcess:
    exe = shutil.which(_HELPER_PREFIX + name)
    if exe is None:
        raise CredentialStoreError(
            f"The credential helper {_HELPER_PREFIX}{name} (named in config.json) is not on PATH.",
            hint=f"To fix it, install {_HELPER_PREFIX}{name}, or remove credsStore/credHelpers from config.json.")
    try:
        return subprocess.run([exe, action], input=payload, capture_output=True, text=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CredentialStoreError(f"The credential helper {_HELPER_PREFIX}{name} {action} failed: "
                                   f"{_scrub(str(exc), secret)}",
                                   hint="To fix it, check that the helper works in a terminal.") from None


def _scrub(text: str, secret: str) -> str:
    return " ".join(redact(text, [secret]).split())[:500]


def _helper_failed(name: str, action: str, result: subprocess.CompletedProcess, secret: str = "") -> None:
    why = _scrub(result.stdout.strip() or result.stderr.strip() or f"exit status {result.returncode}", secret)
    raise CredentialStoreError(f"The credential helper {_HELPER_PREFIX}{name} {action} failed: {why}",
                               hint="To fix it, check that the helper works in a terminal.")


def _helper_get(name: str, key: str) -> Credentials | None:
    result = _run_helper(name, "get", key)
    if result.returncode != 0:
        if "credentials not found" in (result.stdout + result.stderr).lower():
            return None
        _helper_failed(name, "get", result)
    try:
        data = json.loads(result.stdout)
    except ValueError:
        raise CredentialStoreError(f"The credential helper {_HELPER_PREFIX}{name} get answered something "
                                   "that is not JSON.",
                                   hint="To fix it, check that the helper works in a terminal.") from None
    if not isinstance(data, dict):
        data = {}
    username, secret = str(data.get("Username") or ""), str(data.get("Secret") or "")
    if not secret:
        return None
    if username == _TOKEN_USER:
        return Credentials(key, username, identity_token=secret)
    return Credentials(key, username, secret)


def _helper_store(name: str, creds: Credentials) -> None:
    token = bool(creds.identity_token)
    secret = creds.identity_token if token else creds.password
    payload = json.dumps({"ServerURL": creds.server, "Username": _TOKEN_USER if token else creds.username,
                          "Secret": secret})
    result = _run_helper(name, "store", payload, secret)
    if result.returncode != 0:
        _helper_failed(name, "store", result, secret)


def _helper_erase(name: str, key: str) -> bool:
    return _run_helper(name, "erase", key).returncode == 0


# ---- the public operations ------------------------------------------------------------------


def get(server: str | None, folder: str | Path | None = None) -> Credentials | None:
    """The stored login for a registry, or None.

    Args:
        server: a registry host (``127.0.0.1:5000``), URL, or None for Docker Hub.
        folder: the config folder (``--config``); default ``$DOCKER_CONFIG`` or ``~/.docker``.

    Raises:
        CredentialStoreError: config.json or the helper failed.
    """
    key = server_key(server)
    config = read_config(config_path(folder))
    helper = _helper_name(config, key)
    if helper:
        return _helper_get(helper, key)
    found = _file_entry(config, key)
    return _decode_entry(key, found[1]) if found else None


def login_for(server: str | None, folder: str | Path | None = None) -> Credentials | None:
    """The stored login for a registry when it can log in (a password or an identity token), else None.

    The one reader for every command that talks to a registry (``tags``, ``search``): :func:`get`, so a login kept
    by an auto-detected helper is seen here too.

    Raises:
        CredentialStoreError: config.json or the helper failed.
    """
    found = get(server, folder)
    return found if found is not None and (found.identity_token or (found.username and found.password)) else None


def auth_header(creds: Credentials | None) -> dict[str, str]:
    """The ``X-Registry-Auth`` header for a login; ``{}`` (anonymous) without one, as the CLI sends.

    The engine refuses a push with no header at all ("Bad parameters and missing X-Registry-Auth"),
    and an empty one makes the registry's own refusal reach the stream, as with the CLI.
    """
    config = creds.auth_config() if creds is not None else {}
    encoded = base64.urlsafe_b64encode(json.dumps(config).encode("utf-8")).decode("ascii")
    return {"X-Registry-Auth": encoded}


def store(creds: Credentials, folder: str | Path | None = None) -> str:
    """Store a login the way ``docker login`` does; returns where it went (a helper or the file).

    Raises:
        CredentialStoreError: config.json or the helper failed.
    """
    path = config_path(folder)
    config = read_config(path)
    key = server_key(creds.server)
    helper = _helper_name(config, key)
    auths = config.setdefault("auths", {})
    if helper:
        _helper_store(helper, creds)
        auths[key] = {}  # the CLI leaves an empty entry naming the server
        where = f"{_HELPER_PREFIX}{helper}"
    else:
        if creds.identity_token:
            entry = {"auth": _b64(f"{creds.username}:"), "identitytoken": creds.identity_token}
        else:
            entry = {"auth": _b64(f"{creds.username}:{creds.password}")}
        auths[key] = entry
        where = str(path)
    write_config(path, config)
    return where


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def logout_keys(server: str | None) -> list[str]:
    """The keys ``docker logout`` erases: the server, its hostname and its http(s):// forms."""
    key = server_key(server)
    if key == HUB_KEY:
        return [HUB_KEY]
    keys = [server.strip()] if server else []
    keys += [key, f"http://{key}", f"https://{key}"]
    return list(dict.fromkeys(keys))


def erase(server: str | None, folder: str | Path | None = None) -> bool:
    """Remove a login the way ``docker logout`` does; True when something was removed.

    Raises:
        CredentialStoreError: config.json could not be read or written.
    """
    path = config_path(folder)
    config = read_config(path)
    auths = config.get("auths") or {}
    removed = False
    for key in logout_keys(server):
        helper = _helper_name(config, key)
        if helper and shutil.which(_HELPER_PREFIX + helper):
            removed = _helper_erase(helper, key) or removed
        if key in auths:
            del auths[key]
            removed = True
    if removed and path.exists():
        write_config(path, config)
    return removed
