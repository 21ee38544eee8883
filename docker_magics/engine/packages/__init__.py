"""What software is inside an image: its packages, read from the layers as they stream past.

One more reader on the stream :mod:`docker_magics.engine.archive.files` walks (``GET /images/{id}/get``, never
run): each layer tar is walked once by :mod:`.layers`, and every file an ecosystem knows (dpkg's status, apk's
database, Python's METADATA, ``package.json``, a Go executable's build info, conda's ``conda-meta``, a jar's
``pom.properties``) is handed to that ecosystem's module, bounded. What a layer holds is kept by its diff ID in
:mod:`.cache` (content-addressed, so never stale), and :mod:`.walk` stacks the layers as the image's filesystem
does: the layer of a package is the first layer that added it at that version, and a package a later layer
removed is not listed. :mod:`.documents` writes CycloneDX 1.6 and SPDX 2.3 from the same records.

Types and purls are syft's (``deb``, ``apk``, ``rpm``, ``python``, ``npm``, ``go-module``, ``java-archive``, ``conda``).
"""

from .records import ImagePackages, Package

__all__ = ["ImagePackages", "Package"]
