"""Engine failures as our one-line errors: docker-py's and requests' exceptions mapped to the error family.

The errors carry the engine's HTTP status and its own words (``status``, ``engine_text``), so callers
decide on those fields and never parse a message of ours back.
"""

from __future__ import annotations

from .. import errors
from ..errors import DockerMagicError
from .endpoints import Endpoint


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


def cut(action: str, subject: str | None = None) -> DockerMagicError:
    """The one line for a stream the engine closed half way (it stopped or restarted)."""
    what = f"{action} of {subject}" if subject else action
    return DockerMagicError(f"The engine stopped sending during {what}: the stream was cut half way",
                            hint="To fix it, check that the engine still runs (its log says why), then run "
                                 "the command again.")


def _podman_reference(subject: str, what: str, fields: dict) -> DockerMagicError:
    """Podman answers a reference it cannot parse with HTTP 500 ("normalizing name for compat API: invalid reference
    format", "... repository name must be lowercase"), where the Docker engine says 400 or 404: the same one line
    as a reference we refuse ourselves."""
    from .references import InvalidReferenceError, parse

    try:
        parse(subject)
    except InvalidReferenceError as exc:
        return exc
    return errors.InvalidReferenceError(f"invalid reference format '{subject}': {what}",
                                        hint="A reference is [REGISTRY[:PORT]/]NAME[:TAG][@DIGEST], NAME in lowercase.",
                                        **fields)


def translate(exc: Exception, endpoint: Endpoint, action: str, subject: str | None = None) -> DockerMagicError | None:
    """Map a docker-py or connection failure to our error; None for anything we do not recognise.

    Args:
        exc: what docker-py or requests raised.
        endpoint: the engine the call went to (named in the message).
        action: what we were doing, e.g. "inspect".
        subject: the image or reference concerned, if any.
    """
    import http.client

    import docker.errors
    import requests.exceptions
    import urllib3.exceptions

    if isinstance(exc, requests.exceptions.ChunkedEncodingError | urllib3.exceptions.ProtocolError
                  | http.client.IncompleteRead):
        return cut(action, subject)
    if isinstance(exc, requests.exceptions.ConnectionError | ConnectionError | FileNotFoundError):
        return _unreachable(endpoint, exc)
    if isinstance(exc, requests.exceptions.Timeout):
        return errors.EngineUnavailableError(
            f"The Docker engine at {endpoint.host} did not answer in time ({action}).",
            hint="Raise the timeout with %config DockerMagics.timeout, or check the engine.")
    if isinstance(exc, docker.errors.APIError):
        status, said = _status(exc), _explanation(exc)
        what = said[:1].upper() + said[1:]
        fields = {"status": status, "engine_text": said}
        if isinstance(exc, docker.errors.NotFound):
            return errors.ImageNotFoundError(what, hint="List local images with '%docker images'.", **fields)
        if status == 409:
            return errors.ConflictError(what, **fields)
        if status in (401, 403):
            return errors.RegistryAuthError(what, hint="Log in with '%docker login SERVER'.", **fields)
        if status == 400:
            return errors.UsageError(what, **fields)
        if status == 500 and subject and "normalizing name for compat API" in said:
            return _podman_reference(subject, what, fields)
        return DockerMagicError(f"The engine could not {action}: {what}", **fields)
    if isinstance(exc, docker.errors.DockerException):
        text = str(exc)
        if "paramiko" in text:
            return DockerMagicError(f"Reaching {endpoint.host} needs paramiko (docker-py's ssh transport imports it).",
                                    hint="To fix it, run: pip install 'docker_magics[ssh]' (or pip install paramiko).")
        if "Error while fetching server API version" in text or "Connection" in text:
            return _unreachable(endpoint, exc)
        return DockerMagicError(f"Docker: {text}")
    return None
