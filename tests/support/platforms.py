"""A two-platform image made by the tests themselves: an OCI layout (no download, no emulation: nothing runs).

The archive holds an OCI image index with one manifest for linux/amd64 and one for linux/arm64, each with its
config and one layer, as ``docker save`` of Engine 25+ writes it: ``index.json``, ``oci-layout``,
``blobs/sha256/…``, and a ``manifest.json`` naming the linux/amd64 image for engines that read only that (the
classic store loads the one platform; the containerd store loads the index).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field

PLATFORMS = ("amd64", "arm64")
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@dataclass
class Layout:
    """The blobs of a two-platform image and the digests the tests check."""

    blobs: dict[str, bytes] = field(default_factory=dict)  # digest -> content
    index: str = ""  # the index's digest: the image ID on the containerd store
    manifests: dict[str, str] = field(default_factory=dict)  # arch -> manifest digest
    configs: dict[str, str] = field(default_factory=dict)  # arch -> config digest: the image ID on the classic store
    layers: dict[str, str] = field(default_factory=dict)  # arch -> layer digest

    def add(self, data: bytes, media_type: str) -> dict:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return {"mediaType": media_type, "digest": digest, "size": len(data)}


def _layer(name: str, content: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mtime = len(content), 1_700_000_000
        tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def two_platform_layout(label: str) -> Layout:
    """linux/amd64 and linux/arm64 images (one file each, ``/ARCH.txt``) under one OCI index."""
    layout = Layout()
    entries = []
    for arch in PLATFORMS:
        layer = _layer(f"{arch}.txt", f"{label} {arch}\n".encode() * 100)
        layer_desc = layout.add(layer, "application/vnd.oci.image.layer.v1.tar")
        config = {"architecture": arch, "os": "linux", "created": "2024-01-01T00:00:00Z",
                  "config": {"Cmd": ["/bin/true"], "Labels": {"test.platforms": label}},
                  "rootfs": {"type": "layers", "diff_ids": [layer_desc["digest"]]},
                  "history": [{"created": "2024-01-01T00:00:00Z", "created_by": f"COPY {arch}.txt /"}]}
        config_desc = layout.add(json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_desc, "layers": [layer_desc]}
        manifest_desc = layout.add(json.dumps(manifest).encode(), OCI_MANIFEST)
        entries.append({**manifest_desc, "platform": {"architecture": arch, "os": "linux"}})
        layout.manifests[arch], layout.configs[arch] = manifest_desc["digest"], config_desc["digest"]
        layout.layers[arch] = layer_desc["digest"]
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    layout.index = layout.add(json.dumps(index).encode(), OCI_INDEX)["digest"]
    return layout


def write_archive(path, ref: str, layout: Layout) -> str:
    """The layout as a ``docker load`` archive tagged ``ref`` (``repo:tag``, Docker Hub style); its path."""
    repo, _, tag = ref.rpartition(":")
    index = next(d for d, data in layout.blobs.items() if d == layout.index)
    top = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [{
        "mediaType": OCI_INDEX, "digest": index, "size": len(layout.blobs[index]),
        "annotations": {"io.containerd.image.name": f"docker.io/{repo if '/' in repo else 'library/' + repo}:{tag}",
                        "org.opencontainers.image.ref.name": tag}}]}
    amd64 = [{"Config": f"blobs/sha256/{layout.configs['amd64'][7:]}", "RepoTags": [ref],
              "Layers": [f"blobs/sha256/{layout.layers['amd64'][7:]}"]}]
    files = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}', "index.json": json.dumps(top).encode(),
             "manifest.json": json.dumps(amd64).encode(),
             **{f"blobs/sha256/{d[7:]}": data for d, data in layout.blobs.items()}}
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return str(path)


def push_layout(registry: str, auth: tuple[str, str], repo: str, tag: str, layout: Layout) -> None:
    """Upload the layout to a registry through its HTTP API (blobs, both manifests, the index tagged ``tag``)."""
    import requests

    base = f"http://{registry}/v2/{repo}"
    manifests = set(layout.manifests.values()) | {layout.index}
    for digest, data in layout.blobs.items():
        if digest in manifests:
            continue
        start = requests.post(f"{base}/blobs/uploads/", auth=auth, timeout=30)
        start.raise_for_status()
        location = start.headers["Location"]
        location = location if location.startswith("http") else f"http://{registry}{location}"
        put = requests.put(location, params={"digest": digest}, data=data, auth=auth, timeout=30,
                           headers={"Content-Type": "application/octet-stream"})
        put.raise_for_status()
    for digest in layout.manifests.values():
        requests.put(f"{base}/manifests/{digest}", data=layout.blobs[digest], auth=auth, timeout=30,
                     headers={"Content-Type": OCI_MANIFEST}).raise_for_status()
    requests.put(f"{base}/manifests/{tag}", data=layout.blobs[layout.index], auth=auth, timeout=30,
                 headers={"Content-Type": OCI_INDEX}).raise_for_status()
