"""Helpers the registry, secrets, concurrency, browser and frontend tests share: images, logins, texts."""

from __future__ import annotations

import io
import secrets
import tarfile

from docker_magics.errors import DockerMagicError
from docker_magics.views.results import LoggedIn


def unique_image(sandbox, tmp_path, ref: str, size: int = 200_000) -> str:
    """Import an image with a layer of random bytes (so a pull really downloads); its ID."""
    tar = tmp_path / f"layer-{secrets.token_hex(4)}.tar"
    with tarfile.open(tar, "w") as out:
        info = tarfile.TarInfo("random.bin")
        info.size = size
        out.addfile(info, io.BytesIO(secrets.token_bytes(size)))
    return sandbox.cli("import", str(tar), ref).stdout.strip()


def remove(sandbox, *refs: str) -> None:
    """Remove images, whether they exist or not."""
    sandbox.cli("rmi", *refs, check=False)


def token_file(sandbox, tmp_path) -> str:
    """A token file holding the registry password, as `echo TOKEN > .access_token` leaves it."""
    path = tmp_path / ".access_token"
    path.write_text(sandbox.password + "\n")  # as `echo TOKEN > .access_token` leaves it
    path.chmod(0o600)
    return str(path)


def login(ip, sandbox, tmp_path) -> LoggedIn:
    """Log in to the sandbox registry with a token file."""
    return ip.run_line_magic("docker", f"login -u {sandbox.user} --password-file {token_file(sandbox, tmp_path)} "
                                       f"{sandbox.registry}")


def exception_texts(exc: BaseException | None) -> list[str]:
    """Every text an exception and its chain show: str, repr, args and the one-line rendering."""
    texts = []
    while exc is not None:
        texts += [str(exc), repr(exc), *map(repr, exc.args)]
        if isinstance(exc, DockerMagicError):
            texts += exc._render_traceback_()
        exc = exc.__cause__ or exc.__context__
    return texts
