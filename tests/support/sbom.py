"""Fixture images with real packages for the sbom tests and benchmark, made offline and cached under .cache/sbom.

- a Debian bookworm root file system from Debian's own packages (``mmdebstrap --variant=minbase``, about 25 s,
  made once and kept as ``.cache/sbom/debian-bookworm-minbase.tar`` so CI makes it once per run, not per engine);
- wheels from PyPI (``pip download``, kept in ``.cache/sbom/wheels``) unpacked as installed dist-info folders;
- an npm package's ``package.json``, the Docker CLI as a Go executable, and a distroless-style ``status.d`` and
  an Alpine-style apk database written here.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "sbom"
DEBIAN_TAR = CACHE / "debian-bookworm-minbase.tar"
WHEELS = ("six==1.16.0", "idna==3.7")
GO_BINARY = Path("/usr/bin/docker")  # Debian's docker.io CLI, installed by scripts/setup.sh

APP_DOCKERFILE = """FROM {base}
COPY site /usr/lib/python3/dist-packages/
COPY node /usr/lib/node_modules/
COPY docker /usr/local/bin/docker
RUN ["dpkg", "--purge", "python3-numpy"]
"""

STATUS_D = """Package: zlib1g
Version: 1:1.2.13.dfsg-1
Architecture: amd64
Source: zlib
Installed-Size: 168
Description: compression library - runtime
"""
APK_DB = """C:Q1abc=
P:musl
V:1.2.4-r2
A:x86_64
L:MIT
o:musl

C:Q1def=
P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox

"""
PACKAGE_JSON = b'{"name": "left-pad", "version": "1.3.0", "license": "WTFPL", "main": "index.js"}\n'


def _mirror() -> str:
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    for line in sources.read_text().splitlines() if sources.exists() else ():
        if line.startswith("URIs:"):
            return line.split()[1]
    return "http://deb.debian.org/debian"


def debian_tar() -> Path:
    """The Debian root file system tarball (made with mmdebstrap on first use)."""
    if not DEBIAN_TAR.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = DEBIAN_TAR.with_suffix(".partial.tar")
        subprocess.run(["mmdebstrap", "--quiet", "--variant=minbase", "--include=python3,python3-numpy,ca-certificates",
                        "bookworm", str(partial), _mirror()], check=True)
        partial.rename(DEBIAN_TAR)
    return DEBIAN_TAR


def wheels() -> list[Path]:
    """The wheels of :data:`WHEELS` (downloaded once)."""
    folder = CACHE / "wheels"
    found = sorted(folder.glob("*.whl")) if folder.exists() else []
    if len(found) < len(WHEELS):
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder), *WHEELS],
                       check=True)
        found = sorted(folder.glob("*.whl"))
    return found


def app_context() -> dict[str, bytes | tuple[bytes, int]]:
    """The build context of the app layer: dist-info folders, an npm package and a Go executable."""
    files: dict[str, bytes | tuple[bytes, int]] = {}
    for wheel in wheels():
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if not name.endswith("/"):
                    files[f"site/{name}"] = archive.read(name)
    files["node/left-pad/package.json"] = PACKAGE_JSON
    files["node/left-pad/index.js"] = b"module.exports = function leftPad() {};\n"
    files["docker"] = (GO_BINARY.read_bytes(), 0o755)
    return files


def small_context() -> dict[str, bytes | tuple[bytes, int]]:
    """A distroless-style dpkg ``status.d`` and an Alpine-style apk database, with an os-release."""
    return {"status.d/zlib1g": STATUS_D.encode(), "installed": APK_DB.encode(),
            "os-release": b'ID=alpine\nVERSION_ID=3.19.1\n'}


SMALL_DOCKERFILE = """FROM scratch
COPY status.d /var/lib/dpkg/status.d/
COPY installed /lib/apk/db/installed
COPY os-release /etc/os-release
"""


def import_tar(api, path: Path, reference: str) -> str:
    """``docker import`` of a tarball, streamed from the file."""
    repository, _, tag = reference.partition(":")
    with open(path, "rb") as data:
        result = api.import_image_from_data(data, repository=repository, tag=tag or "latest")
    return str(result)


def tar_of(files: dict[str, bytes]) -> bytes:
    """A plain tar of ``files`` (for hostile layers in tests)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
