"""Where engines are: ``-H`` hosts, the Docker CLI's contexts, DOCKER_HOST and TLS settings.

The precedence is the CLI's: ``-H``, then ``--context``, then ``DOCKER_HOST``, then ``DOCKER_CONTEXT``,
then ``currentContext`` in config.json, then the default socket. Contexts are read from (and
``context use`` writes to) the CLI's own files, so a terminal and a notebook agree.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DockerMagicError
from .config import config_dir, read_config, write_config

DEFAULT_HOST = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class TLS:
    """TLS material for a tcp:// engine (all paths; None = not used)."""

    verify: bool = False
    ca: str | None = None
    cert: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """Where an engine is and how to reach it."""

    host: str
    name: str  # what results say they came from: a context name or the host
    tls: TLS | None = None

    def client_kwargs(self) -> dict[str, Any]:
        """Extra keyword arguments for docker-py's ``APIClient`` (TLS, ssh)."""
        kwargs: dict[str, Any] = {}
        if self.host.startswith("ssh://"):
            kwargs["use_ssh_client"] = True  # the system's ssh, its config and agent, as the CLI does
        if self.tls:
            from docker.tls import TLSConfig

            cert = (self.tls.cert, self.tls.key) if self.tls.cert and self.tls.key else None
            kwargs["tls"] = TLSConfig(client_cert=cert, ca_cert=self.tls.ca if self.tls.verify else None,
                                      verify=self.tls.verify)
        return kwargs


def _tls_from(flags: dict[str, Any] | None, cfg: Path) -> TLS | None:
    """TLS from ``--tls*`` flags, else from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, as the CLI reads them."""
    flags = flags or {}
    verify = bool(flags.get("tlsverify")) or bool(os.environ.get("DOCKER_TLS_VERIFY"))
    if not (verify or flags.get("tls") or any(flags.get(k) for k in ("tlscacert", "tlscert", "tlskey"))):
        return None
    certs = Path(os.environ.get("DOCKER_CERT_PATH") or cfg)
    return TLS(verify=verify,
               ca=flags.get("tlscacert") or str(certs / "ca.pem"),
               cert=flags.get("tlscert") or str(certs / "cert.pem"),
               key=flags.get("tlskey") or str(certs / "key.pem"))


def _context_dirs(cfg: Path, name: str) -> tuple[Path, Path]:
    import hashlib  # loads OpenSSL: only when a context is named

    digest = hashlib.sha256(name.encode()).hexdigest()
    return cfg / "contexts" / "meta" / digest, cfg / "contexts" / "tls" / digest / "docker"


def context_endpoint(name: str, cfg: Path | None = None) -> Endpoint:
    """The engine a Docker CLI context points at."""
    cfg = cfg or config_dir()
    if name == "default":
        host = os.environ.get("DOCKER_HOST") or DEFAULT_HOST
        return Endpoint(host, "default", _tls_from(None, cfg) if host.startswith("tcp://") else None)
    meta_dir, tls_dir = _context_dirs(cfg, name)
    try:
        docker = json.loads((meta_dir / "meta.json").read_text())["Endpoints"]["docker"]
    except (OSError, ValueError, KeyError):
        raise DockerMagicError(f"context '{name}' not found in {cfg / 'contexts'}.",
                               hint="List contexts with '%docker context ls'.") from None
    tls = None
    if (tls_dir / "ca.pem").exists() or (tls_dir / "cert.pem").exists():
        tls = TLS(verify=not docker.get("SkipTLSVerify", False), ca=str(tls_dir / "ca.pem"),
                  cert=str(tls_dir / "cert.pem"), key=str(tls_dir / "key.pem"))
    return Endpoint(docker["Host"], name, tls)


def current_context(cfg: Path | None = None) -> str:
    """The context the CLI would use now: DOCKER_CONTEXT, else config.json's currentContext, else default."""
    if os.environ.get("DOCKER_CONTEXT"):
        return os.environ["DOCKER_CONTEXT"]
    with contextlib.suppress(OSError, ValueError):
        return json.loads(((cfg or config_dir()) / "config.json").read_text()).get("currentContext") or "default"
    return "default"


_HOST_HINT = "To fix it, give unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://[USER@]HOST."


def check_host(host: str) -> str:
    """Refuse an engine address that docker-py cannot use, with one line (docker-py raises ValueError).

    The rules are docker-py's ``parse_host``: no scheme means ``tcp``; ``http``/``https`` are ``tcp``;
    ``tcp`` needs a host and a port; no query, fragment or password.

    Args:
        host: what ``-H``, ``%config DockerMagics.host``, DOCKER_HOST or a context gives.

    Returns:
        ``host`` unchanged.

    Raises:
        UsageError: the address cannot be used, naming why.
    """
    import string
    from urllib.parse import urlparse

    from ..errors import UsageError

    def refused(why: str) -> UsageError:
        return UsageError(f"Invalid engine address '{host}': {why}", hint=_HOST_HINT)

    text = host.strip()
    if not text or text == "unix://":
        return host
    parsed = urlparse(text)
    scheme = parsed.scheme
    if not scheme or any(ch not in string.ascii_letters + "+" for ch in scheme):
        parsed, scheme = urlparse(f"//{text}", "tcp"), "tcp"
    scheme = {"http": "tcp", "https": "tcp", "http+unix": "unix"}.get(scheme, scheme)
    if scheme not in ("tcp", "unix", "npipe", "ssh"):
        raise refused(f"unknown scheme '{parsed.scheme}://'")
    try:
        port = parsed.port
    except ValueError:  # "Port out of range 0-65535", "Port could not be cast to integer value as 'abc'"
        raise refused("the port is not a number from 1 to 65535") from None
    if parsed.params or parsed.query or parsed.fragment or parsed.password:
        raise refused("an engine address has no query, fragment or password")
    if scheme == "tcp" and not parsed.netloc:
        raise refused("tcp:// needs HOST:PORT")
    if scheme == "tcp" and not port:
        raise refused("the port is missing (tcp://HOST:PORT)")
    if scheme == "ssh" and parsed.path:
        raise refused("ssh:// takes no path")
    return host


def resolve_endpoint(host: str | None = None, context: str | None = None, cfg: str | None = None,
                     tls: dict[str, Any] | None = None) -> Endpoint:
    """Decide which engine a command talks to, in the CLI's order of precedence."""
    folder = config_dir(cfg)
    if host:
        check_host(host)
        return Endpoint(host, host, _tls_from(tls, folder) if host.startswith("tcp://") else None)
    if context:
        return context_endpoint(context, folder)
    if os.environ.get("DOCKER_HOST"):
        env_host = check_host(os.environ["DOCKER_HOST"])
        return Endpoint(env_host, env_host, _tls_from(tls, folder) if env_host.startswith("tcp://") else None)
    return context_endpoint(current_context(folder), folder)


def list_contexts(cfg: Path | None = None) -> list[dict[str, Any]]:
    """Every context the CLI knows, ``default`` first: name, description, endpoint, current."""
    cfg = cfg or config_dir()
    current = current_context(cfg)
    rows = [{"name": "default", "description": "Current DOCKER_HOST based configuration",
             "docker_endpoint": os.environ.get("DOCKER_HOST") or DEFAULT_HOST}]
    for meta in sorted((cfg / "contexts" / "meta").glob("*/meta.json")):
        with contextlib.suppress(OSError, ValueError, KeyError):
            data = json.loads(meta.read_text())
            rows.append({"name": data["Name"], "description": (data.get("Metadata") or {}).get("Description", ""),
                         "docker_endpoint": data["Endpoints"]["docker"]["Host"]})
    rows[1:] = sorted(rows[1:], key=lambda r: r["name"])
    for row in rows:
        row["current"] = row["name"] == current
    return rows


def use_context(name: str, cfg: Path | None = None) -> None:
    """Make ``name`` the current context in config.json, as ``docker context use`` does.

    Raises:
        CredentialStoreError: config.json exists but cannot be read or parsed: it is left as it is (rewriting it
            would lose the logins it holds).
    """

    cfg = cfg or config_dir()
    if name != "default":
        context_endpoint(name, cfg)  # raises when it does not exist
    path = cfg / "config.json"
    config = read_config(path)
    if name == "default":
        config.pop("currentContext", None)
    else:
        config["currentContext"] = name
    write_config(path, config)
