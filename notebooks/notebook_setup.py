"""What the notebooks in this folder need when they are opened by hand: a registry to push to, a static busybox.

Not part of docker_magics (the package never imports it): the notebooks import it from their own folder, which is
the kernel's working directory in Jupyter and in ``scripts/run_notebook.py``. ``run_notebook.py`` and the tests set
``DM_REGISTRY``, ``DM_REGISTRY_USER`` and ``DM_REGISTRY_PASSWORD``; opened by hand without them, a notebook gets a
sandbox registry of its own kernel (``scripts/sandbox.py``), or one line saying what to set.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEEDS = ("DM_REGISTRY", "DM_REGISTRY_USER", "DM_REGISTRY_PASSWORD")


class SetUpNeeded(Exception):
    """Something the notebook needs is missing: shown as its one line, as docker_magics' own errors are."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


def use_registry() -> str:
    """The registry the notebook pushes to, with ``DM_REGISTRY_USER``/``DM_REGISTRY_PASSWORD`` set in ``os.environ``.

    ``DM_REGISTRY`` when it is set; otherwise, for an engine on this machine, a sandbox registry (Debian's
    ``docker-registry`` with an htpasswd user) that lives as long as the kernel, and a temporary ``DOCKER_CONFIG``
    so the notebook's login never lands in your own ``~/.docker``.

    Raises:
        SetUpNeeded: no registry is configured and none can be started here; the line says what to set.
    """
    if os.environ.get("DM_REGISTRY"):
        missing = [name for name in NEEDS if not os.environ.get(name)]
        if missing:
            raise SetUpNeeded(f"DM_REGISTRY is set but {' and '.join(missing)} not: set them too (the notebook logs "
                              "in with them), or unset DM_REGISTRY for a sandbox registry.")
        return os.environ["DM_REGISTRY"]
    host = os.environ.get("DOCKER_HOST", "")
    if host and not host.startswith("unix://"):
        raise SetUpNeeded(f"The engine {host} is not on this machine, so it cannot reach a sandbox registry here: "
                          "set DM_REGISTRY (HOST:PORT), DM_REGISTRY_USER and DM_REGISTRY_PASSWORD to a registry it "
                          "can push to.")
    missing = [tool for tool in ("docker-registry", "htpasswd") if shutil.which(tool) is None]
    if missing:
        raise SetUpNeeded(f"No registry configured, and {' and '.join(missing)} not installed for a sandbox one: set "
                          "DM_REGISTRY (HOST:PORT), DM_REGISTRY_USER and DM_REGISTRY_PASSWORD, or install Debian's "
                          "docker-registry and apache2-utils.")
    return _start_sandbox_registry()


def static_busybox() -> bytes:
    """A static busybox binary (``RUN`` steps need a shell in an image made from nothing), or one line to fix it."""
    path = os.environ.get("DM_BUSYBOX") or shutil.which("busybox") or "/bin/busybox"
    try:
        return Path(path).read_bytes()
    except OSError:
        raise SetUpNeeded(f"No busybox at {path}: install Debian's busybox-static, or set DM_BUSYBOX to a static "
                          "Linux busybox for the engine's architecture.") from None


def _start_sandbox_registry() -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    import sandbox  # scripts/sandbox.py: the registry the tests and the quickstart use

    sb = sandbox.Sandbox(registry=True, engine=False).start()
    atexit.register(sb.stop)  # the kernel's exit stops it and removes its folder
    _keep_engine(Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker"), sb.docker_config)
    os.environ.update(sb.env())
    os.environ["DOCKER_CONFIG"] = str(sb.docker_config)
    print(f"registry: a sandbox registry at {sb.registry.address} for this kernel (DM_REGISTRY was not set)")
    return sb.registry.address


def _keep_engine(old: Path, new: Path) -> None:
    """Carry the CLI's current context into the temporary config folder, so the engine stays the one you use."""
    try:
        current = json.loads((old / "config.json").read_text()).get("currentContext")
    except (OSError, ValueError):
        current = None
    if current:
        (new / "config.json").write_text(json.dumps({"currentContext": current}))
        if (old / "contexts").is_dir():
            (new / "contexts").symlink_to(old / "contexts")
