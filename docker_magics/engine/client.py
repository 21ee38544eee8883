"""The engine layer: one Docker engine reached through docker-py's low-level ``APIClient``.

Nothing here prints or displays: methods return plain dicts, lists and event iterators, and every
failure leaves as a :class:`~docker_magics.errors.DockerMagicError` through :func:`translate`.
docker-py is imported on first use, so ``%load_ext`` stays fast.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import errors
from ..errors import DockerMagicError
from .endpoints import Endpoint

if TYPE_CHECKING:
    from docker import APIClient

@dataclass
class Engine:
    """One Docker engine.

    Args:
        endpoint: where the engine is.
        timeout: seconds to wait for an answer to one request.
        client: an ``APIClient`` to use instead of creating one (tests of pure logic).
    """

    endpoint: Endpoint
    timeout: float = 60.0
    client: APIClient | None = None
    _version_checked: bool = field(default=False, repr=False)

    @property
    def api(self) -> APIClient:
        """docker-py's low-level client, created once (creating one asks ``/version``)."""
        if self.client is None:
            import docker

            kwargs = self.endpoint.client_kwargs()
            with self.translated("connect"):
                if "tls" not in kwargs:
                    self.client = docker.APIClient(base_url=self.endpoint.host, version="auto",
                                                   timeout=self.timeout, **kwargs)
                    return self.client
                # requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's own CA (psf/requests#3829),
                # which would reject the engine's certificate: stop it reading the environment before the first
                # request, then ask the version as version="auto" would.
                client = docker.APIClient(base_url=self.endpoint.host, timeout=self.timeout,
                                          version=docker.constants.MINIMUM_DOCKER_API_VERSION, **kwargs)
                client.trust_env = False
                client._version = client._retrieve_server_version()
                self.client = client
        return self.client

    @contextlib.contextmanager
    def translated(self, action: str, subject: str | None = None) -> Iterator[None]:
        """Run a block, turning docker-py and connection failures into our one-line errors."""
        try:
            yield
        except DockerMagicError:
            raise
        except Exception as exc:
            translated = translate(exc, self.endpoint, action, subject)
            if translated is None:
                raise
            raise translated from None

    # ---- listings and inspection -------------------------------------------------------------

    def images(self, *, all: bool = False, filters: dict[str, list[str]] | None = None) -> list[dict]:
        """``GET /images/json``: one call, no per-image inspect (docker-py's ``images.list()`` does that)."""
        params: dict[str, Any] = {"all": 1 if all else 0}
        if filters:
            params["filters"] = json.dumps(filters)
        with self.translated("list images"):
            api = self.api
            return api._result(api._get(api._url("/images/json"), params=params), True)

    def inspect(self, reference: str) -> dict:
        """``GET /images/{name}/json``: the raw inspect object, as the CLI prints it."""
        with self.translated("inspect", reference):
            return self.api.inspect_image(reference)

    def history(self, reference: str) -> list[dict]:
        """``GET /images/{name}/history``: the layers, newest first."""
        with self.translated("history", reference):
            return self.api.history(reference)


def _status(exc: Exception) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _explanation(exc: Exception) -> str:
    text = getattr(exc, "explanation", None) or str(exc)
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return " ".join(str(text).split())


def _unreachable(endpoint: Endpoint, exc: BaseException) -> DockerMagicError:
    chain, cause = [], exc
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(isinstance(c, PermissionError) for c in chain) or "Permission denied" in str(exc):
        return errors.PermissionDeniedError(
            f"Permission denied on the Docker engine socket {endpoint.host}.",
            hint="To fix it, run as a user in the 'docker' group (or root), or point -H/DOCKER_HOST at a "
                 "socket you may open.")
    text = " ".join(str(c) for c in chain)
    if "HTTP request to an HTTPS server" in text or ("Connection aborted" in text and not endpoint.tls
                                                       and endpoint.host.startswith("tcp://")):
        return errors.EngineUnavailableError(
            f"The Docker engine at {endpoint.host} asks for TLS.",
            hint="To fix it, add --tlsverify --tlscacert CA --tlscert CERT --tlskey KEY, or set DOCKER_TLS_VERIFY=1 "
                 "and DOCKER_CERT_PATH to the folder of ca.pem, cert.pem and key.pem.")
    if "SSL" in text or "certificate" in text:
        reason = "certificate verify failed" if "CERTIFICATE_VERIFY_FAILED" in text else "TLS handshake failed"
        return errors.EngineUnavailableError(
            f"TLS with the Docker engine at {endpoint.host} failed ({reason}).",
            hint="To fix it, check --tlscacert/--tlscert/--tlskey (or DOCKER_CERT_PATH): the CA must be the one "
                 "that signed the engine's certificate.")
    return errors.EngineUnavailableError(
        f"Cannot connect to the Docker engine at {endpoint.host} (is the engine running?).",
        hint="To fix it, start the engine, or point DOCKER_HOST or '%docker -H unix:///path/docker.sock' "
             "at one that runs.")


def translate(exc: Exception, endpoint: Endpoint, action: str, subject: str | None = None) -> DockerMagicError | None:
    """Map a docker-py or connection failure to our error; None for anything we do not recognise.

    Args:
        exc: what docker-py or requests raised.
        endpoint: the engine the call went to (named in the message).
        action: what we were doing, e.g. "inspect".
        subject: the image or reference concerned, if any.
    """
    import docker.errors
    import requests.exceptions

    if isinstance(exc, requests.exceptions.ConnectionError | ConnectionError | FileNotFoundError):
        return _unreachable(endpoint, exc)
    if isinstance(exc, requests.exceptions.Timeout):
        return errors.EngineUnavailableError(
            f"The Docker engine at {endpoint.host} did not answer in time ({action}).",
            hint="Raise the timeout with %config DockerMagics.timeout, or check the engine.")
    if isinstance(exc, docker.errors.NotFound):
        what = _explanation(exc)
        return errors.ImageNotFoundError(what[:1].upper() + what[1:],
                                         hint="List local images with '%docker images'.")
    if isinstance(exc, docker.errors.APIError):
        status, what = _status(exc), _explanation(exc)
        what = what[:1].upper() + what[1:]
        if status == 409:
            return errors.ConflictError(what)
        if status in (401, 403):
            return errors.RegistryAuthError(what, hint="Log in with '%docker login SERVER'.")
        if status == 400:
            return errors.UsageError(what)
        return DockerMagicError(f"The engine could not {action}: {what}")
    if isinstance(exc, docker.errors.DockerException):
        text = str(exc)
        if "paramiko" in text:
            return DockerMagicError(f"Reaching {endpoint.host} needs paramiko (docker-py's ssh transport imports it).",
                                    hint="To fix it, run: pip install 'docker_magics[ssh]' (or pip install paramiko).")
        if "Error while fetching server API version" in text or "Connection" in text:
            return _unreachable(endpoint, exc)
        return DockerMagicError(f"Docker: {text}")
    return None
