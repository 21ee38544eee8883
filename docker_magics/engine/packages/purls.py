"""Package URLs (purl-spec) in syft's forms, written with packageurl-python (imported on first use)."""

from __future__ import annotations

from .records import Package


def purl(package: Package, os_id: str = "", os_version: str = "") -> str:
    """The package's purl: ``pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12``, ``pkg:pypi/numpy@1.26.4``."""
    from packageurl import PackageURL

    qualifiers: dict[str, str] = {}
    namespace, name, version = None, package.name, package.version
    if package.type in ("deb", "apk", "rpm"):
        namespace = os_id or {"deb": "debian", "apk": "alpine", "rpm": "redhat"}[package.type]
        qualifiers = {"arch": package.arch, "upstream": package.source if package.source != package.name else "",
                      "distro": f"{os_id}-{os_version}" if os_id and os_version else ""}
        kind = package.type
    elif package.type == "python":
        kind = "pypi"
    elif package.type == "npm":
        kind = "npm"
        if name.startswith("@") and "/" in name:
            namespace, name = name.split("/", 1)
    elif package.type == "go-module":
        kind = "golang"
        if name == "stdlib":
            version = version.removeprefix("go")
        elif "/" in name:
            namespace, name = name.rsplit("/", 1)
    elif package.type == "java-archive":
        kind = "maven"
        if ":" in name:
            namespace, name = name.split(":", 1)
    elif package.type == "conda":
        kind = "conda"
        qualifiers = {"subdir": package.arch}
    else:
        kind = package.type
    return PackageURL(kind, namespace, name, version or None, {k: v for k, v in qualifiers.items() if v}).to_string()
