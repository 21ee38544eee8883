#!/usr/bin/env bash
# The main job: executes notebooks/quickstart.ipynb against a real engine and writes the executed
# notebook to notebooks/executed/quickstart.ipynb. Uses DOCKER_HOST when it answers; otherwise starts
# a sandbox engine and registry (Debian's docker.io and docker-registry) for the run and stops it after.
#   bash scripts/quickstart.sh --engine containerd28   # on a sandbox engine of that kind (scripts/sandbox.py's
#                                                      # ENGINE_KINDS), whatever DOCKER_HOST says
# Other arguments go to scripts/run_notebook.py (--out DIR, notebooks to run instead of the quickstart).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python scripts/run_notebook.py "$@"
