"""The records the package readers hand back: plain dataclasses, no engine and no pandas."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Package:
    """One package as one file of one layer describes it.

    ``layer`` and ``layer_diff_id`` are filled in when the image's layers are stacked (:mod:`.walk`).
    """

    type: str  # syft's type names: deb, apk, python, npm, go-module, java-archive, conda
    name: str
    version: str
    path: str  # the absolute path of the file it was read from
    purl: str = ""
    license: str = ""
    arch: str = ""
    source: str = ""  # dpkg's Source, apk's origin, rpm's source package, a Go module's main module
    layer: int = -1
    layer_diff_id: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """What tells two packages apart: type, name, version."""
        return self.type, self.name, self.version

    def placed(self, layer: int, diff_id: str, license: str | None = None, purl: str | None = None) -> Package:
        """This package, in the layer that added it (and with the license found elsewhere, if given)."""
        return replace(self, layer=layer, layer_diff_id=diff_id,
                       license=self.license if license is None else license, purl=self.purl if purl is None else purl)


@dataclass(frozen=True)
class ImagePackages:
    """Every package of one image, base layer first; what its os-release says; what could not be read."""

    reference: str
    image_id: str
    packages: list[Package]
    os_id: str = ""
    os_version: str = ""
    skipped: list[str] = field(default_factory=list)  # one line per file left out (too big, unreadable)
    exported: bool = True  # False when every layer was already known: the image was not read again
