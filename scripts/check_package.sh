#!/usr/bin/env bash
# The package as a user gets it: build the wheel and the sdist (no warning allowed), collect the unpacked sdist's
# tests, install the wheel into a fresh venv (from PyPI, through pip's cache) and run one real `%docker images`
# through it against a sandbox engine (scripts/sandbox.py). Needs root, like the integration tests.
# PYTHON: the project's interpreter (default .venv/bin/python), with `build` and pytest installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${PYTHON:-.venv/bin/python}
[[ $python = /* ]] || python=$root/$python  # absolute: steps below run in other folders
work=$(mktemp -d /tmp/dm-pkg-XXXXXX)  # short: the sandbox engine's socket path must stay under 108 bytes
cleanup() {
  wait || true  # the background steps first: a sandbox still starting would outlive its stop
  "$python" "$root/scripts/sandbox.py" stop "$work/sb" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
start=$SECONDS

# 1. Build. PYTHONDONTWRITEBYTECODE (set on some machines) makes setuptools warn that it skips byte-compiling, a
# warning about the machine, not the package: unset for the build (the wheel carries no bytecode either way).
if ! env -u PYTHONDONTWRITEBYTECODE "$python" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  echo "check_package: the build failed" >&2
  exit 1
fi
if grep -inE "warning|deprecat" "$work/build.log" >&2; then
  echo "check_package: the build printed warnings (above)" >&2
  exit 1
fi
wheel=$(ls "$work"/dist/*.whl)
sdist=$(ls "$work"/dist/*.tar.gz)
"$python" -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).getinfo('docker_magics/py.typed')" "$wheel" 2>/dev/null ||
  { echo "check_package: py.typed missing from the wheel" >&2; exit 1; }

# 2. In the background, while the venv installs: the unpacked sdist's tests collect (its docker_magics first on
# sys.path: python -m puts the cwd there), and a sandbox engine starts.
mkdir "$work/sdist"
tar -xzf "$sdist" -C "$work/sdist"
(cd "$work"/sdist/docker_magics-* && exec env -u PYTHONPATH "$python" -m pytest --collect-only -q -p no:cacheprovider) \
  >"$work/collect.log" 2>&1 &
collect=$!
"$python" scripts/sandbox.py start "$work/sb" >"$work/sandbox.env" 2>&1 &
engine=$!

# 3. A fresh venv with the wheel and its dependencies only (pip's cache; --no-compile: byte-compiling numpy, pandas
# and jedi would take longer than everything else here together).
python3 -m venv "$work/venv"
if ! env -u PYTHONPATH "$work/venv/bin/pip" install -q --no-compile "$wheel" >"$work/pip.log" 2>&1; then
  cat "$work/pip.log" >&2
  echo "check_package: installing the wheel failed" >&2
  exit 1
fi

if ! wait "$collect"; then
  tail -30 "$work/collect.log" >&2
  echo "check_package: the sdist's tests do not collect" >&2
  exit 1
fi
collected=$(tail -1 "$work/collect.log")
wait "$engine" || { cat "$work/sandbox.env" >&2; exit 1; }
eval "$(cat "$work/sandbox.env")"

# 4. One real `%docker images` through the installed package, against the sandbox engine.
cd "$work"  # nothing of the checkout importable from here
env -u PYTHONPATH "$work/venv/bin/python" - <<'EOF'
import io
import pathlib
import tarfile

from IPython.core.interactiveshell import InteractiveShell

import docker_magics

assert "/venv/" in docker_magics.__file__, docker_magics.__file__  # the wheel, not the checkout
assert (pathlib.Path(docker_magics.__file__).parent / "py.typed").exists()
shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "docker_magics")
with tarfile.open("rootfs.tar", "w") as tar:
    data = b"hello from the wheel\n"
    info = tarfile.TarInfo("hello.txt")
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
shell.run_line_magic("docker", "import rootfs.tar pkgcheck/hello:1.0")
df = shell.run_line_magic("docker", "images")
assert list(df.repository) == ["pkgcheck/hello"] and list(df.tag) == ["1.0"], df
print(df.to_string())
EOF
echo "check_package: no build warning; sdist: $collected; wheel in a fresh venv ran %docker images ($((SECONDS - start)) s)"
