"""BuildKit's ``moby.buildkit.v1.StatusResponse`` as Google ``protobuf`` message classes (the subset a trace needs).

The fields, names and numbers are those of moby/buildkit ``api/services/control/control.proto`` (messages
``StatusResponse``, ``Vertex``, ``VertexStatus``, ``VertexLog``, ``VertexWarning``). The descriptor is declared
here instead of checking in ``protoc`` output: generated ``_pb2`` modules pin the protobuf runtime they run on
(gencode version checks), a descriptor built at run time works on every protobuf 4+. Fields the trace carries
and that are left out here (``Vertex.progressGroup``, ``VertexWarning.info``/``ranges``) are kept by protobuf as
unknown fields and skipped, as the wire format allows. ``protobuf`` is imported on first use only.
"""

from __future__ import annotations

import functools
from typing import Any

_PACKAGE = "moby.buildkit.v1"
# (message, ((field, number, type, repeated), ...)); type: a scalar name or a message name of this package.
_MESSAGES: tuple[tuple[str, tuple[tuple[str, int, str, bool], ...]], ...] = (
    ("StatusResponse", (("vertexes", 1, "Vertex", True), ("statuses", 2, "VertexStatus", True),
                        ("logs", 3, "VertexLog", True), ("warnings", 4, "VertexWarning", True))),
    ("Vertex", (("digest", 1, "string", False), ("inputs", 2, "string", True), ("name", 3, "string", False),
                ("cached", 4, "bool", False), ("started", 5, ".google.protobuf.Timestamp", False),
                ("completed", 6, ".google.protobuf.Timestamp", False), ("error", 7, "string", False))),
    ("VertexStatus", (("ID", 1, "string", False), ("vertex", 2, "string", False), ("name", 3, "string", False),
                      ("current", 4, "int64", False), ("total", 5, "int64", False),
                      ("timestamp", 6, ".google.protobuf.Timestamp", False),
                      ("started", 7, ".google.protobuf.Timestamp", False),
                      ("completed", 8, ".google.protobuf.Timestamp", False))),
    ("VertexLog", (("vertex", 1, "string", False), ("timestamp", 2, ".google.protobuf.Timestamp", False),
                   ("stream", 3, "int64", False), ("msg", 4, "bytes", False))),
    ("VertexWarning", (("vertex", 1, "string", False), ("level", 2, "int64", False), ("short", 3, "bytes", False),
                       ("detail", 4, "bytes", True), ("url", 5, "string", False))),
)


@functools.cache
def status_response_class() -> Any:
    """The ``StatusResponse`` message class (built once).

    Returns:
        A protobuf message class; ``StatusResponse.FromString(data)`` decodes one trace message.

    Raises:
        ImportError: ``protobuf`` is not installed.
    """
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
    file = descriptor_pb2.FileDescriptorProto(name="docker_magics/buildkit_status.proto", package=_PACKAGE,
                                              syntax="proto3", dependency=["google/protobuf/timestamp.proto"])
    types = descriptor_pb2.FieldDescriptorProto
    for name, fields in _MESSAGES:
        message = file.message_type.add(name=name)
        for field_name, number, kind, repeated in fields:
            field = message.field.add(name=field_name, number=number,
                                      label=types.LABEL_REPEATED if repeated else types.LABEL_OPTIONAL)
            scalar = getattr(types, f"TYPE_{kind.upper()}", None) if not kind[0].isupper() and "." not in kind else None
            if scalar is not None:
                field.type = scalar
            else:
                field.type = types.TYPE_MESSAGE
                field.type_name = kind if kind.startswith(".") else f".{_PACKAGE}.{kind}"
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.StatusResponse"))
