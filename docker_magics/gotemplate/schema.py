"""Typed ``image inspect`` values: the Go types docker CLI 28.2.2 decodes ``GET /images/{name}/json`` into.

The CLI's first template pass runs on ``image.InspectResponse``, not on the JSON, which is why
``{{.Config.OnBuild}}`` prints ``[]`` (a nil ``[]string``), ``{{.Config.ExposedPorts}}`` prints
``map[80/tcp:{}]``, ``{{.Metadata.LastTagTime}}`` is a ``time.Time`` and ``{{json .Config}}`` leaves out
``Hostname`` (``Config`` is a ``*v1.DockerOCIImageConfig``). The second pass runs on the raw JSON,
numbers kept as ``json.Number``. Both views are built here; field lists follow the vendored types
of docker/cli v28.2.2 (``api/types/image``, ``container.Config``, moby/docker-image-spec, OCI).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .gojson import go_float
from .gotime import T_DURATION, T_TIME, ZERO_TIME, Duration, parse_rfc3339
from .values import (
    T_BOOL,
    T_BYTES,
    T_EMPTY_STRUCT,
    T_FLOAT64,
    T_INT,
    T_INT64,
    T_STR_MAP,
    T_STR_SLICE,
    T_STRING,
    GoInt,
    GoMap,
    GoPtr,
    GoSlice,
    GoStruct,
    GoType,
    JsonNumber,
    StructField,
    map_type,
    named_str,
    ptr_type,
    slice_type,
    struct_type,
    zero,
)

S, B, I64 = T_STRING, T_BOOL, T_INT64
DIGEST = named_str("digest.Digest").gotype  # type: ignore[attr-defined]
MANIFEST_KIND = named_str("image.ManifestKind").gotype  # type: ignore[attr-defined]
STRSLICE = slice_type(S, "strslice.StrSlice")
EMPTY_SET = map_type(T_EMPTY_STRUCT, "map[string]struct {}")
PORT_SET = map_type(T_EMPTY_STRUCT, "nat.PortSet")


def _f(name: str, t: GoType, json: str | None = None, omit: bool = False) -> StructField:
    return StructField(name, t, json or name, omit)


def _embed(t: GoType) -> StructField:
    return StructField(t.name.split(".")[-1], t, "", False, True)


HEALTHCHECK = struct_type("v1.HealthcheckConfig", [
    _f("Test", T_STR_SLICE, omit=True), _f("Interval", T_DURATION, omit=True),
    _f("Timeout", T_DURATION, omit=True), _f("StartPeriod", T_DURATION, omit=True),
    _f("StartInterval", T_DURATION, omit=True), _f("Retries", T_INT, omit=True)])

IMAGE_CONFIG = struct_type("v1.ImageConfig", [
    _f("User", S, omit=True), _f("ExposedPorts", EMPTY_SET, omit=True), _f("Env", T_STR_SLICE, omit=True),
    _f("Entrypoint", T_STR_SLICE, omit=True), _f("Cmd", T_STR_SLICE, omit=True),
    _f("Volumes", EMPTY_SET, omit=True), _f("WorkingDir", S, omit=True), _f("Labels", T_STR_MAP, omit=True),
    _f("StopSignal", S, omit=True), _f("ArgsEscaped", B, omit=True)])

CONFIG_EXT = struct_type("v1.DockerOCIImageConfigExt", [
    _f("Healthcheck", ptr_type(HEALTHCHECK), omit=True), _f("OnBuild", T_STR_SLICE, omit=True),
    _f("Shell", T_STR_SLICE, omit=True)])

OCI_CONFIG = struct_type("v1.DockerOCIImageConfig", [_embed(IMAGE_CONFIG), _embed(CONFIG_EXT)])

CONTAINER_CONFIG = struct_type("container.Config", [
    _f("Hostname", S), _f("Domainname", S), _f("User", S), _f("AttachStdin", B), _f("AttachStdout", B),
    _f("AttachStderr", B), _f("ExposedPorts", PORT_SET, omit=True), _f("Tty", B), _f("OpenStdin", B),
    _f("StdinOnce", B), _f("Env", T_STR_SLICE), _f("Cmd", STRSLICE),
    _f("Healthcheck", ptr_type(HEALTHCHECK), omit=True), _f("ArgsEscaped", B, omit=True), _f("Image", S),
    _f("Volumes", EMPTY_SET), _f("WorkingDir", S), _f("Entrypoint", STRSLICE),
    _f("NetworkDisabled", B, omit=True), _f("MacAddress", S, omit=True), _f("OnBuild", T_STR_SLICE),
    _f("Labels", T_STR_MAP), _f("StopSignal", S, omit=True), _f("StopTimeout", ptr_type(T_INT), omit=True),
    _f("Shell", STRSLICE, omit=True)])

PLATFORM = struct_type("v1.Platform", [
    _f("Architecture", S, "architecture"), _f("OS", S, "os"), _f("OSVersion", S, "os.version", True),
    _f("OSFeatures", T_STR_SLICE, "os.features", True), _f("Variant", S, "variant", True)])

DESCRIPTOR = struct_type("v1.Descriptor", [
    _f("MediaType", S, "mediaType"), _f("Digest", DIGEST, "digest"), _f("Size", I64, "size"),
    _f("URLs", T_STR_SLICE, "urls", True), _f("Annotations", T_STR_MAP, "annotations", True),
    _f("Data", T_BYTES, "data", True), _f("Platform", ptr_type(PLATFORM), "platform", True),
    _f("ArtifactType", S, "artifactType", True)])

MANIFEST_SIZE = struct_type('struct { Content int64 "json:\\"Content\\""; Total int64 "json:\\"Total\\"" }',
                            [_f("Content", I64), _f("Total", I64)])
UNPACKED_SIZE = struct_type("struct { Unpacked int64 \"json:\\\"Unpacked\\\"\" }", [_f("Unpacked", I64)])
IMAGE_PROPERTIES = struct_type("image.ImageProperties", [
    _f("Platform", PLATFORM), _f("Size", UNPACKED_SIZE), _f("Containers", T_STR_SLICE)])
ATTESTATION_PROPERTIES = struct_type("image.AttestationProperties", [_f("For", DIGEST)])
MANIFEST_SUMMARY = struct_type("image.ManifestSummary", [
    _f("ID", S), _f("Descriptor", DESCRIPTOR), _f("Available", B), _f("Size", MANIFEST_SIZE),
    _f("Kind", MANIFEST_KIND), _f("ImageData", ptr_type(IMAGE_PROPERTIES), omit=True),
    _f("AttestationData", ptr_type(ATTESTATION_PROPERTIES), omit=True)])

DRIVER_DATA = struct_type("storage.DriverData", [_f("Data", T_STR_MAP), _f("Name", S)])
ROOT_FS = struct_type("image.RootFS", [_f("Type", S, omit=True), _f("Layers", T_STR_SLICE, omit=True)])
METADATA = struct_type("image.Metadata", [_f("LastTagTime", T_TIME, omit=True)])

INSPECT_RESPONSE = struct_type("image.InspectResponse", [
    _f("ID", S, "Id"), _f("RepoTags", T_STR_SLICE), _f("RepoDigests", T_STR_SLICE), _f("Parent", S),
    _f("Comment", S), _f("Created", S, omit=True), _f("Container", S, omit=True),
    _f("ContainerConfig", ptr_type(CONTAINER_CONFIG), omit=True), _f("DockerVersion", S), _f("Author", S),
    _f("Config", ptr_type(OCI_CONFIG)), _f("Architecture", S), _f("Variant", S, omit=True), _f("Os", S),
    _f("OsVersion", S, omit=True), _f("Size", I64), _f("VirtualSize", I64, omit=True),
    _f("GraphDriver", DRIVER_DATA), _f("RootFS", ROOT_FS), _f("Metadata", METADATA),
    _f("Descriptor", ptr_type(DESCRIPTOR), omit=True),
    _f("Manifests", slice_type(MANIFEST_SUMMARY), omit=True)])


# -- JSON into typed values (what encoding/json.Unmarshal does) ---------------------------------
_JSON_PATHS: dict[int, tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]] = {}


def _json_paths(t: GoType) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """JSON key -> field path (embedded structs' fields promoted), exact and case-folded."""
    cached = _JSON_PATHS.get(id(t))
    if cached is None:
        paths: dict[str, tuple[int, ...]] = {}
        for i, f in enumerate(t.fields):
            if f.embedded and f.type.kind == "struct":
                for key, sub in _json_paths(f.type)[0].items():
                    paths.setdefault(key, (i, *sub))
        for i, f in enumerate(t.fields):
            if not f.embedded and f.json != "-":
                paths[f.json] = (i,)
        cached = (paths, {k.lower(): v for k, v in paths.items()})
        _JSON_PATHS[id(t)] = cached
    return cached


def _decode_struct(t: GoType, obj: dict[str, Any]) -> GoStruct:
    value = zero(t)
    exact, folded = _json_paths(t)
    for key, j in obj.items():
        path = exact.get(key) or folded.get(str(key).lower())
        if path is None:
            continue  # unknown fields are dropped, as encoding/json does
        target, ftype = value, t
        for i in path[:-1]:
            ftype = ftype.fields[i].type
            target = target.vals[i]
        ftype = ftype.fields[path[-1]].type
        target.vals[path[-1]] = decode(ftype, j)
    return value


def _decode_scalar(t: GoType, j: Any) -> Any:
    if t.kind == "string":
        if not isinstance(j, str):
            return zero(t)
        return j if t is S else t.py(j)  # type: ignore[misc]
    if t.kind == "bool":
        return j if isinstance(j, bool) else False
    if t.kind in ("int", "float"):
        if isinstance(j, bool) or not isinstance(j, (int, float)):
            return zero(t)
        if t is T_FLOAT64:
            return float(j)
        n = int(j)
        return GoInt(n) if t is T_INT else (Duration(n) if t is T_DURATION else n)
    return j


def decode(t: GoType, j: Any) -> Any:
    """A Go value of type t from decoded JSON (missing or mistyped parts stay zero values)."""
    k = t.kind
    if t is T_TIME:
        parsed = parse_rfc3339(j) if isinstance(j, str) else None
        return parsed or ZERO_TIME
    if k == "struct":
        return _decode_struct(t, j) if isinstance(j, dict) else zero(t)
    if k == "ptr":
        return GoPtr(t) if j is None else GoPtr(t, decode(t.elem, j))  # type: ignore[arg-type]
    if k == "slice":
        if t is T_BYTES:
            try:
                return GoSlice(t, base64.b64decode(j)) if isinstance(j, str) else zero(t)
            except (binascii.Error, ValueError):
                return zero(t)
        if t is STRSLICE and isinstance(j, str):  # strslice accepts a single string
            return GoSlice(t, [j])
        if not isinstance(j, list):
            return zero(t)
        return GoSlice(t, [decode(t.elem, e) for e in j])  # type: ignore[arg-type]
    if k == "map":
        if not isinstance(j, dict):
            return zero(t)
        return GoMap(t, {str(key): decode(t.elem, v) for key, v in j.items()})  # type: ignore[arg-type]
    return _decode_scalar(t, j)


def typed_inspect(obj: dict[str, Any]) -> GoStruct:
    """The ``image.InspectResponse`` the CLI's first template pass sees."""
    return _decode_struct(INSPECT_RESPONSE, obj if isinstance(obj, dict) else {})


def raw_inspect(j: Any) -> Any:
    """The JSON as the fallback pass sees it: ``map[string]interface {}``, numbers as json.Number."""
    if isinstance(j, dict):
        return {str(k): raw_inspect(v) for k, v in j.items()}
    if isinstance(j, (list, tuple)):
        return [raw_inspect(v) for v in j]
    if isinstance(j, bool) or j is None or isinstance(j, str):
        return j
    if isinstance(j, int):
        return JsonNumber(str(j))
    if isinstance(j, float):
        return JsonNumber(go_float(j))
    return str(j)
