"""CycloneDX 1.6 and SPDX 2.3 JSON documents of images' packages.

CycloneDX is written by cyclonedx-python-lib (its own model and JSON serializer), purls parsed by
packageurl-python, and licenses checked by license-expression: an SPDX expression goes in as one, any other
text as a named license (CycloneDX) or a ``LicenseRef-`` with its text kept (SPDX). All imported on first use.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import tempfile
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from ...errors import DockerMagicError
from ...units import truncate_id
from .records import ImagePackages, Package

TOOL = "docker_magics"


@cache
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def spdx_expression(text: str) -> str | None:
    """``text`` as a valid SPDX expression (normalised), or None when it is not one."""
    if not text:
        return None
    try:
        info = _licensing().validate(text, strict=True)
    except Exception:  # license-expression raises its own errors for text it cannot even parse
        return None
    return info.normalized_expression if not info.errors and info.normalized_expression else None


def _ref(image: ImagePackages, package: Package) -> str:
    return f"{truncate_id(image.image_id)}:{package.type}:{package.name}@{package.version}:{package.path}"


def cyclonedx(images: list[ImagePackages]) -> dict:
    """A CycloneDX 1.6 JSON document: one component per package per image, each image a container component."""
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    bom = Bom()
    for image in images:
        container = Component(name=image.reference, type=ComponentType.CONTAINER, version=image.image_id,
                              bom_ref=image.image_id + ":" + image.reference)
        bom.components.add(container)
        for package in image.packages:
            expression = spdx_expression(package.license)
            licenses = [LicenseExpression(expression)] if expression else \
                [DisjunctiveLicense(name=package.license)] if package.license else []
            bom.components.add(Component(
                name=package.name, version=package.version, type=ComponentType.LIBRARY, bom_ref=_ref(image, package),
                purl=PackageURL.from_string(package.purl) if package.purl else None, licenses=licenses,
                properties=[Property(name="docker_magics:package:type", value=package.type),
                            Property(name="docker_magics:location:path", value=package.path),
                            Property(name="docker_magics:layer:diff_id", value=package.layer_diff_id),
                            Property(name="docker_magics:image", value=image.reference)]))
            bom.register_dependency(container, [c for c in bom.components if c.bom_ref.value == _ref(image, package)])
    return json.loads(JsonV1Dot6(bom).output_as_string())


def _spdx_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)


def spdx(images: list[ImagePackages]) -> dict:
    """An SPDX 2.3 JSON document: each image a package that CONTAINS its packages."""
    packages: list[dict] = []
    relationships: list[dict] = []
    extracted: dict[str, str] = {}
    for number, image in enumerate(images):
        image_id = f"SPDXRef-Image-{number}-{_spdx_id(image.reference)}"
        packages.append({"name": image.reference, "SPDXID": image_id, "versionInfo": image.image_id,
                         "downloadLocation": "NOASSERTION", "filesAnalyzed": False,
                         "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",
                         "primaryPackagePurpose": "CONTAINER"})
        relationships.append({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                              "relatedSpdxElement": image_id})
        for index, package in enumerate(image.packages):
            declared = spdx_expression(package.license)
            if declared is None and package.license:
                declared = "LicenseRef-" + _spdx_id(package.license)[:60]
                extracted[declared] = package.license
            spdx_id = f"SPDXRef-Package-{number}-{index}-{_spdx_id(package.type)}-{_spdx_id(package.name)}"
            entry: dict[str, Any] = {
                "name": package.name, "SPDXID": spdx_id, "versionInfo": package.version,
                "downloadLocation": "NOASSERTION", "filesAnalyzed": False, "licenseConcluded": "NOASSERTION",
                "licenseDeclared": declared or "NOASSERTION",
                "sourceInfo": f"read from {package.path} in layer {package.layer} ({package.layer_diff_id})"}
            if package.purl:
                entry["externalRefs"] = [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                          "referenceLocator": package.purl}]
            packages.append(entry)
            relationships.append({"spdxElementId": image_id, "relationshipType": "CONTAINS",
                                  "relatedSpdxElement": spdx_id})
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    name = ", ".join(image.reference for image in images) or "no images"
    out = {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": name,
           "documentNamespace": f"https://REPOSITORY.invalid/docker_magics/sbom/{uuid.uuid4()}",
           "creationInfo": {"created": now, "creators": [f"Tool: {TOOL}"]},
           "packages": packages, "relationships": relationships}
    if extracted:
        out["hasExtractedLicensingInfos"] = [{"licenseId": k, "extractedText": v, "name": v[:80]}
                                             for k, v in extracted.items()]
    return out


def write(doc: dict, target: Path) -> int:
    """Write ``doc`` as ``save -o`` writes: to a temporary file beside ``target``, then renamed over it.

    Args:
        doc: the document, as :func:`cyclonedx` or :func:`spdx` made it.
        target: the file to write.

    Returns:
        The bytes written.

    Raises:
        UsageError: ``target`` is a symbolic link, a FIFO, a socket or a device (an existing file keeps its mode).
        DockerMagicError: the file cannot be written (no such folder, no permission, disk full).
    """
    from ..archive.saveload import writable_target

    mode = writable_target(target)
    data = json.dumps(doc, indent=2, ensure_ascii=False).encode()
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as exc:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise DockerMagicError(f"Cannot write {target}: {exc.strerror or exc}",
                                   hint="To fix it, check the folder exists, is writable and has room.") from None
        raise
    return len(data)
