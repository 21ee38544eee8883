"""Execute notebooks against a real Docker engine and write the executed copies.

Usage: python scripts/run_notebook.py [--engine KIND] [--out DIR] [NOTEBOOK...]

The engine is DOCKER_HOST (or the default socket) when it answers; otherwise a sandbox engine and
registry are started for the run (scripts/sandbox.py) and stopped afterwards. ``--engine KIND``
(scripts/sandbox.py's ENGINE_KINDS: bookworm, classic26, containerd26, classic28, containerd28, podman)
always runs on a sandbox engine of that kind. A local engine also gets a sandbox registry when DM_REGISTRY
is not set, so the notebooks have somewhere to push. Executed notebooks land in notebooks/executed/ (or ``--out DIR``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

import sandbox  # beside this script: Python puts a script's own folder first on sys.path

ROOT = Path(__file__).resolve().parent.parent


def engine_answers(host: str | None) -> bool:
    """True when the engine at ``host`` (None: the default) answers a ping within 3 seconds."""
    import docker

    try:
        docker.APIClient(base_url=host, version="auto", timeout=3).ping()
    except Exception:
        return False
    return True


def execute(path: Path, out_dir: Path) -> Path:
    """Run one notebook top to bottom in a fresh kernel; raise on the first failing cell."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.monotonic()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / path.name
    nbformat.write(nb, out)
    cells = sum(1 for c in nb.cells if c.cell_type == "code")
    print(f"{_shown(path)}: {cells} code cells ran in {time.monotonic() - start:.1f} s -> {_shown(out)}")
    return out


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="run_notebook.py", description="Execute notebooks against a real engine.")
    parser.add_argument("--engine", choices=list(sandbox.ENGINE_KINDS),
                        help="run on a sandbox engine of this kind instead of DOCKER_HOST")
    parser.add_argument("--out", type=Path, default=ROOT / "notebooks" / "executed",
                        help="where the executed notebooks go (default: notebooks/executed)")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    notebooks = [Path(p).resolve() for p in args.notebooks] or [ROOT / "notebooks" / "quickstart.ipynb"]
    host = os.environ.get("DOCKER_HOST")
    with contextlib.ExitStack() as stack:
        if not args.engine and engine_answers(host):
            print(f"engine: {host or 'default socket'}")
            local = not host or host.startswith("unix://")
            if local and not os.environ.get("DM_REGISTRY"):
                sb = stack.enter_context(sandbox.Sandbox(registry=True, engine=False))
                os.environ.update({k: v for k, v in sb.env().items() if k.startswith("DM_")})
                # The tour logs in to the sandbox registry: keep that login out of the user's ~/.docker.
                os.environ["DOCKER_CONFIG"] = str(sb.docker_config)
                print(f"registry: sandbox at {sb.registry.address}")
        else:
            kind = args.engine or sandbox.DEFAULT_ENGINE
            why = "asked for" if args.engine else f"{host or 'default socket'} does not answer;"
            print(f"engine: {why} a sandbox {kind} engine ({sandbox.engine_kind(kind).description}) and registry")
            sb = stack.enter_context(sandbox.Sandbox(kind=kind))
            os.environ.update(sb.env())
            import docker

            # A new engine has no images: give the tour something to look at.
            sandbox.make_fixtures(docker.APIClient(base_url=sb.engine.host, version="auto"))
            print(f"engine: sandbox at {sb.engine.host}, registry at {sb.registry.address}")
        from nbclient.exceptions import CellExecutionError

        for notebook in notebooks:
            try:
                execute(notebook, args.out)
            except CellExecutionError as exc:
                print(f"{notebook.name}: a cell failed\n{exc}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
