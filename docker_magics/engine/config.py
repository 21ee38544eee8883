"""The Docker CLI's config folder and its ``config.json``: the one reader and writer of that file.

The CLI keeps logins (``auths``, ``credsStore``, ``credHelpers``) and the current context (``currentContext``) in
one file, so the credential store (:mod:`.registry.credentials`) and the contexts (:mod:`.endpoints`) both read and
write it here. A file that does not parse is refused in one line and never replaced: it holds the user's logins.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import CredentialStoreError


def config_dir(explicit: str | None = None) -> Path:
    """The Docker CLI's config folder: ``--config``, else ``$DOCKER_CONFIG``, else ``~/.docker``."""
    return Path(explicit or os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def config_path(folder: str | Path | None = None) -> Path:
    """``config.json`` in ``--config``, ``$DOCKER_CONFIG`` or ``~/.docker``."""
    return config_dir(str(folder) if folder else None) / "config.json"


def read_config(path: Path) -> dict[str, Any]:
    """The whole config.json (``{}`` when it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CredentialStoreError(f"Cannot read {path}: {exc.strerror}.",
                                   hint="To fix it, check the file's permissions.") from None
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CredentialStoreError(f"{path} is not valid JSON ({exc.msg}, line {exc.lineno}).",
                                   hint="To fix it, repair the file or move it away.") from None
    if not isinstance(data, dict):
        raise CredentialStoreError(f"{path} does not hold a JSON object.",
                                   hint="To fix it, repair the file or move it away.")
    return data


def write_config(path: Path, data: dict[str, Any]) -> None:
    """Replace config.json atomically (a temporary file in the same folder, then rename), mode 0600."""
    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            # The CLI writes tab-indented JSON; keep the file diff-friendly for people who read both.
            json.dump(data, handle, indent="\t")
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
