"""Images the lifecycle and archive tests make for themselves on the sandbox engine."""

from __future__ import annotations

import io
import secrets
import tarfile

import sandbox as sandbox_module


def rootfs_tar(path, *, extra: int = 4096) -> str:
    """A busybox root filesystem plus a file of random bytes (so every image has its own layer)."""
    data = sandbox_module.busybox_tar()
    with tarfile.open(path, "w") as out, tarfile.open(fileobj=io.BytesIO(data)) as src:
        for member in src.getmembers():
            out.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("unique.bin")
        info.size = extra
        out.addfile(info, io.BytesIO(secrets.token_bytes(extra)))
    return str(path)


def make_image(sandbox, tmp_path, ref: str | None = None, *changes: str) -> str:
    """Import a unique image (tagged ``ref``, or dangling when None); its full ID."""
    tar = rootfs_tar(tmp_path / f"rootfs-{secrets.token_hex(4)}.tar")
    args = [a for c in changes for a in ("-c", c)]
    return sandbox.cli("import", *args, tar, *([ref] if ref else [])).stdout.strip()


def image_id(sandbox, ref: str) -> str | None:
    out = sandbox.cli("image", "inspect", "--format", "{{.Id}}", ref, check=False)
    return out.stdout.strip() if out.returncode == 0 else None
