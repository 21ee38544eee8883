"""engine/packages: the package readers, the layer stacking and the documents, on layer tars written here (no engine).

Hostile content: a 2 GB METADATA (a sparse stream, never in memory), a status file of a million stanzas, a
path with ``..``, an ELF that claims a huge build-info section, a gzip bomb layer: each is one line in
``skipped`` or an error, and memory stays bounded (tracemalloc's peak).
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import struct
import tarfile
import tracemalloc
import zipfile

import pytest

from docker_magics.engine.packages import apk, deb, diff, golang, npm, python, walk
from docker_magics.engine.packages.cache import LayerCache
from docker_magics.engine.packages.layers import LayerPackages, read_layer

STATUS = """Package: libc6
Status: install ok installed
Version: 2.36-9+deb12u4
Architecture: amd64
Source: glibc
Description: GNU C Library
 continuation line: Package: not-a-package

Package: oldpkg
Status: deinstall ok config-files
Version: 1.0

Package: purged
Status: purge ok not-installed
Version: 2.0

Package: zlib1g
Status: install ok installed
Version: 1:1.2.13.dfsg-1
Architecture: amd64
Source: zlib (1:1.2.13.dfsg-1)
"""


class Stream(io.RawIOBase):
    """A tar's bytes made on the fly: member headers and their data from generators, never all in memory."""

    def __init__(self, parts):
        self.parts, self.buffer = iter(parts), b""

    def readable(self):
        return True

    def readinto(self, target):
        while not self.buffer:
            try:
                self.buffer = next(self.parts)
            except StopIteration:
                return 0
        n = min(len(target), len(self.buffer))
        target[:n], self.buffer = self.buffer[:n], self.buffer[n:]
        return n


def member(name: str, data: bytes = b"", *, kind: bytes = tarfile.REGTYPE, link: str = "") -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.linkname = len(data), kind, link
    return info.tobuf(tarfile.GNU_FORMAT) + data + b"\0" * (-len(data) % 512)


def layer(*members: bytes) -> LayerPackages:
    return read_layer(io.BytesIO(b"".join(members) + b"\0" * 1024))


def test_dpkg_status_installed_only_and_sources():
    packages = deb.parse("/var/lib/dpkg/status", STATUS, limit=100)
    assert [(p.name, p.version, p.source, p.arch) for p in packages] == [
        ("libc6", "2.36-9+deb12u4", "glibc", "amd64"), ("zlib1g", "1:1.2.13.dfsg-1", "zlib", "amd64")]


def test_distroless_status_d_without_status_field_is_installed():
    found = layer(member("var/lib/dpkg/status.d/zlib1g", b"Package: zlib1g\nVersion: 1.2\n"),
                  member("var/lib/dpkg/status.d/zlib1g.md5sums", b"abc  /usr/lib/libz.so\n"))
    assert [p.key for p in found.files["/var/lib/dpkg/status.d/zlib1g"]] == [("deb", "zlib1g", "1.2")]
    assert list(found.files) == ["/var/lib/dpkg/status.d/zlib1g"]


def test_copyright_licenses_dep5_and_free_form():
    assert deb.licenses("Format: https://...\n\nFiles: *\nLicense: GPL-2+ or Artistic\n\nLicense: GPL-2+\n") == \
        "GPL-2+ AND Artistic"
    assert deb.licenses("see /usr/share/common-licenses/GPL-3.") == "GPL-3"


def test_apk_database():
    text = "P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\nP:busybox\nV:1.36\nL:GPL-2.0-only\n"
    assert [(p.name, p.version, p.license) for p in apk.parse(apk.DATABASE, text, limit=10)] == [
        ("musl", "1.2.4-r2", "MIT"), ("busybox", "1.36", "GPL-2.0-only")]


@pytest.mark.parametrize(("headers", "expected"), [
    ("License-Expression: MIT OR Apache-2.0\nLicense: something else\n", "MIT OR Apache-2.0"),
    ("License: BSD\n", "BSD"),
    ("Classifier: License :: OSI Approved :: MIT License\n", "MIT License"),
])
def test_python_metadata_license(headers, expected):
    text = f"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n{headers}\nLong description\nLicense: not a header\n"
    (package,) = python.parse("/x/demo-1.0.dist-info/METADATA", text)
    assert (package.name, package.version, package.license) == ("demo", "1.0", expected)


def test_python_paths():
    assert python.is_metadata("/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA")
    assert python.is_metadata("/usr/lib/python3/dist-packages/numpy-1.24.2.egg-info")
    assert python.is_metadata("/usr/lib/python3/dist-packages/numpy-1.24.2.egg-info/PKG-INFO")
    assert not python.is_metadata("/usr/share/doc/METADATA")


def test_npm_needs_name_and_version():
    assert npm.parse("/a/package.json", '{"name": "x"}') == []
    assert npm.parse("/a/package.json", "not json") == []
    (package,) = npm.parse("/a/package.json", '{"name": "@s/x", "version": "1.0.0", "license": {"type": "MIT"}}')
    assert (package.name, package.license) == ("@s/x", "MIT")


def _go_binary(modinfo: str, version: str = "go1.22.1", *, claim: int | None = None) -> bytes:
    def varint(n: int) -> bytes:
        out = b""
        while True:
            byte, n = n & 0x7F, n >> 7
            out += bytes([byte | (0x80 if n else 0)])
            if not n:
                return out
    body = ("0" * 16 + modinfo + "\n" + "1" * 16).encode()
    header = golang.MAGIC + bytes([8, 2]) + b"\0" * 16
    strings = varint(len(version)) + version.encode() + varint(claim if claim is not None else len(body)) + body
    head = golang.ELF + b"\0" * 60 + golang.GO_NOTE + b"\0" * 4000
    return head + b"\0" * (-len(head) % 16) + header + strings + b"\0" * 64


def test_go_build_info_modules_and_stdlib():
    modinfo = ("path\texample.com/app\nmod\texample.com/app\tv1.2.3\th1:x\n"
               "dep\tgolang.org/x/text\tv0.3.0\th1:y\ndep\tgithub.com/old/dep\tv1.0.0\n=>\tgithub.com/new/dep\tv1.1.0\t"
               "h1:z\nbuild\tGOARCH=amd64")
    found = layer(member("usr/bin/app", _go_binary(modinfo)))
    keys = [p.key for p in found.files["/usr/bin/app"]]
    assert keys == [("go-module", "golang.org/x/text", "v0.3.0"), ("go-module", "github.com/new/dep", "v1.1.0"),
                    ("go-module", "example.com/app", "v1.2.3"), ("go-module", "stdlib", "go1.22.1")]


def test_go_devel_main_module_version_from_ldflags():
    modinfo = ("path\texample.com/app/cmd/app\nmod\texample.com/app\t(devel)\t\n"
               "build\t-ldflags=\"-X main.version=2.0.1\"")
    found = layer(member("app", _go_binary(modinfo)))
    assert ("go-module", "example.com/app", "v2.0.1") in [p.key for p in found.files["/app"]]


def test_go_huge_build_info_claim_is_one_skipped_line():
    found = layer(member("app", _go_binary("mod\tx\tv1.0.0", claim=1 << 40)))
    assert "/app" not in found.files
    assert len(found.skipped) == 1 and "Go build info claims" in found.skipped[0]


def test_stacking_first_layer_wins_and_removals():
    status_1 = "Package: a\nVersion: 1\n\nPackage: b\nVersion: 1\n"
    status_2 = "Package: a\nVersion: 1\n\nPackage: b\nVersion: 2\n\nPackage: c\nVersion: 1\n"
    meta = b"Name: six\nVersion: 1.16.0\n"
    layers = [("sha256:l0", layer(member("var/lib/dpkg/status", status_1.encode()),
                                  member("etc/os-release", b"ID=debian\nVERSION_ID=12\n"),
                                  member("usr/lib/py/six-1.16.0.dist-info/METADATA", meta))),
              ("sha256:l1", layer(member("var/lib/dpkg/status", status_2.encode()),
                                  member("usr/lib/py/.wh.six-1.16.0.dist-info")))]
    packages, os_id, os_version, _ = walk.stack(layers)
    assert (os_id, os_version) == ("debian", "12")
    assert [(p.name, p.version, p.layer, p.layer_diff_id) for p in packages] == [
        ("a", "1", 0, "sha256:l0"), ("b", "2", 1, "sha256:l1"), ("c", "1", 1, "sha256:l1")]
    assert packages[0].purl == "pkg:deb/debian/a@1?distro=debian-12"


def test_opaque_directory_hides_lower_packages():
    meta = b"Name: six\nVersion: 1.16.0\n"
    layers = [("sha256:a", layer(member("site/six-1.16.0.dist-info/METADATA", meta))),
              ("sha256:b", layer(member("site/.wh..wh..opq")))]
    assert walk.stack(layers)[0] == []


def test_dotdot_paths_stay_inside_the_root():
    found = layer(member("../../var/lib/dpkg/status", b"Package: evil\nVersion: 1\n"))
    assert list(found.files) == ["/var/lib/dpkg/status"]  # normalised as the engine applies it: under /


def test_diff_packages():
    a = deb.parse("/s", "Package: x\nVersion: 1\n\nPackage: y\nVersion: 1\n\nPackage: z\nVersion: 1\n", limit=9)
    b = deb.parse("/s", "Package: x\nVersion: 2\n\nPackage: y\nVersion: 1\n\nPackage: w\nVersion: 1\n", limit=9)
    assert [(c.name, c.version_a, c.version_b, c.change) for c in diff.compare(a, b)] == [
        ("w", "", "1", "added"), ("x", "1", "2", "changed"), ("z", "1", "", "removed")]


# ---- hostile content: bounded, one line --------------------------------------------------------


def _bounded(parts) -> tuple[LayerPackages, int]:
    tracemalloc.start()
    try:
        found = read_layer(Stream(parts))
        return found, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_two_gigabyte_metadata_is_read_only_to_its_bound():
    size = 2 << 30
    info = tarfile.TarInfo("site/big-1.0.dist-info/METADATA")
    info.size = size

    def parts():
        yield info.tobuf(tarfile.GNU_FORMAT)
        yield b"Name: big\nVersion: 1.0\n\n"
        left = size - 24
        chunk = b"x" * (1 << 20)
        while left > 0:
            yield chunk[:left]
            left -= len(chunk)
        yield b"\0" * (-size % 512) + b"\0" * 1024

    found, peak = _bounded(parts())
    assert [p.key for p in found.files["/site/big-1.0.dist-info/METADATA"]] == [("python", "big", "1.0")]
    assert peak < 64 << 20


def test_million_stanza_status_is_one_skipped_line():
    text = "".join(f"Package: p{i}\nVersion: 1\n\n" for i in range(1_000_000)).encode()
    found, peak = _bounded([member("var/lib/dpkg/status", text), b"\0" * 1024])
    assert found.files["/var/lib/dpkg/status"] == ()
    assert len(found.skipped) == 1 and "over the 16 MiB read for a database" in found.skipped[0]
    assert peak < 64 << 20


def test_status_of_too_many_stanzas_under_the_size_bound_is_one_skipped_line(monkeypatch):
    from docker_magics.engine.packages import layers

    monkeypatch.setattr(layers, "STANZA_LIMIT", 1_000)  # the bound is 100,000: the same code path, 100x faster
    text = "".join(f"Package: p{i}\nVersion: 1\n\n" for i in range(1_500)).encode()
    found, peak = _bounded([member("var/lib/dpkg/status", text), b"\0" * 1024])
    assert found.files["/var/lib/dpkg/status"] == ()
    assert found.skipped == ["/var/lib/dpkg/status: more than 1000 stanzas"]
    assert peak < 64 << 20


def test_gzip_bomb_layer_streams_in_bounded_memory():
    info = tarfile.TarInfo("zeros")
    info.size = 128 << 20
    bomb = io.BytesIO()
    with gzip.GzipFile(fileobj=bomb, mode="wb", compresslevel=1) as out:
        out.write(info.tobuf(tarfile.GNU_FORMAT))
        chunk = b"\0" * (4 << 20)
        for _ in range(32):
            out.write(chunk)
        out.write(b"\0" * 1024)
    assert len(bomb.getvalue()) < 1 << 20  # 128 MiB from well under a MB
    archive = {"manifest.json": json.dumps([{"Config": "c.json", "Layers": ["l/layer.tar.gz"]}]).encode(),
               "c.json": json.dumps({"rootfs": {"diff_ids": ["sha256:bomb"]}}).encode(),
               "l/layer.tar.gz": bomb.getvalue()}
    outer = b"".join(member(name, data) for name, data in archive.items()) + b"\0" * 1024
    tracemalloc.start()
    try:
        scanned = walk.scan_archive(io.BytesIO(outer), LayerCache())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20
    (diff_id, found), = walk._layers_from(scanned, LayerCache())
    assert diff_id == "sha256:bomb" and found.files == {}


def test_cache_keeps_by_diff_id_and_aliases():
    cache = LayerCache(max_layers=2)
    cache.put("sha256:a", LayerPackages(), "sha256:blob-a")
    assert cache.known("sha256:blob-a") == "sha256:a" and cache.known("sha256:a") == "sha256:a"
    cache.put("sha256:b", LayerPackages())
    cache.put("sha256:c", LayerPackages())
    assert cache.get("sha256:a") is None and len(cache) == 2


# ---- rpm, java-archive, conda ------------------------------------------------------------------


def _rpm_header(fields: dict[int, str]) -> bytes:
    entries, data = b"", b""
    for tag, value in fields.items():
        entries += struct.pack(">iIiI", tag, 6, len(data), 1)
        data += value.encode() + b"\0"
    return struct.pack(">II", len(fields), len(data)) + entries + data


def _rpmdb(*headers: bytes) -> bytes:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)")
    connection.executemany("INSERT INTO Packages (blob) VALUES (?)", [(h,) for h in headers])
    connection.commit()
    data = connection.serialize()
    connection.close()
    return data


def test_rpm_sqlite_database():
    db = _rpmdb(_rpm_header({1000: "bash", 1001: "5.2.15", 1002: "3.fc38", 1022: "x86_64", 1014: "GPL-3.0-or-later",
                             1044: "bash-5.2.15-3.fc38.src.rpm"}),
                _rpm_header({1000: "broken"}))
    found = layer(member("var/lib/rpm/rpmdb.sqlite", db))
    (bash,) = found.files["/var/lib/rpm/rpmdb.sqlite"]
    assert (bash.type, bash.name, bash.version, bash.arch, bash.license) == (
        "rpm", "bash", "5.2.15-3.fc38", "x86_64", "GPL-3.0-or-later")


def test_rpm_not_a_database_is_one_skipped_line():
    found = layer(member("var/lib/rpm/rpmdb.sqlite", b"not sqlite" * 100))
    assert found.files["/var/lib/rpm/rpmdb.sqlite"] == ()
    assert len(found.skipped) == 1 and "not an rpm database" in found.skipped[0]


def test_java_archive_pom_properties():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as jar:
        jar.writestr("META-INF/maven/org.example/demo/pom.properties", "#x\ngroupId=org.example\nartifactId=demo\n"
                                                                        "version=1.4.2\n")
        jar.writestr("org/example/Demo.class", b"\xca\xfe\xba\xbe")
    found = layer(member("opt/app/lib/demo-1.4.2.jar", buffer.getvalue()), member("opt/app/lib/bad.jar", b"nope"))
    assert [p.key for p in found.files["/opt/app/lib/demo-1.4.2.jar"]] == [("java-archive", "org.example:demo",
                                                                            "1.4.2")]
    assert found.files["/opt/app/lib/bad.jar"] == ()


def test_conda_meta_record():
    record = json.dumps({"name": "numpy", "version": "1.26.4", "license": "BSD-3-Clause", "subdir": "linux-64",
                         "channel": "https://conda.anaconda.org/conda-forge/linux-64"}).encode()
    found = layer(member("opt/conda/conda-meta/numpy-1.26.4-py311_0.json", record),
                  member("opt/conda/conda-meta/history", b"==> 2024 <=="))
    (numpy,) = found.files["/opt/conda/conda-meta/numpy-1.26.4-py311_0.json"]
    assert (numpy.type, numpy.name, numpy.version, numpy.license) == ("conda", "numpy", "1.26.4", "BSD-3-Clause")
    packages, _, _, _ = walk.stack([("sha256:c", found)])
    assert packages[0].purl == "pkg:conda/numpy@1.26.4?subdir=linux-64"


def test_documents_cyclonedx_validates_and_spdx_license_refs():
    from cyclonedx.schema import OutputFormat, SchemaVersion
    from cyclonedx.validation import make_schemabased_validator

    from docker_magics.engine.packages import documents
    from docker_magics.engine.packages.records import ImagePackages

    packages, _, _, _ = walk.stack([("sha256:l0", layer(
        member("var/lib/dpkg/status", STATUS.encode()), member("etc/os-release", b"ID=debian\nVERSION_ID=12\n"),
        member("usr/share/doc/libc6/copyright", b"Files: *\nLicense: LGPL-2.1+\n"),
        member("site/six-1.16.0.dist-info/METADATA", b"Name: six\nVersion: 1.16.0\nLicense: MIT\n")))])
    image = ImagePackages("app:1", "sha256:" + "ab" * 32, packages, "debian", "12")
    bom = documents.cyclonedx([image])
    assert make_schemabased_validator(OutputFormat.JSON, SchemaVersion.V1_6).validate_str(json.dumps(bom)) is None
    six = next(c for c in bom["components"] if c["name"] == "six")
    assert six["licenses"] == [{"expression": "MIT"}] and six["purl"] == "pkg:pypi/six@1.16.0"
    spdx = documents.spdx([image])
    declared = {p["name"]: p["licenseDeclared"] for p in spdx["packages"]}
    assert declared["six"] == "MIT" and declared["libc6"] == "LGPL-2.1-or-later"  # normalised by license-expression
    assert spdx["spdxVersion"] == "SPDX-2.3" and len(spdx["relationships"]) == 1 + len(packages)


def test_os_release_symlink_loop_ends():
    found = layer(member("etc/os-release", kind=tarfile.SYMTYPE, link="../usr/lib/os-release"),
                  member("usr/lib/os-release", kind=tarfile.SYMTYPE, link="../../etc/os-release"))
    assert walk.stack([("sha256:loop", found)])[1:3] == ("", "")
