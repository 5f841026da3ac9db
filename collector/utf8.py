"""Invalid UTF-8 in OTLP protobuf strings: replaced, not rejected.

Protobuf's parser refuses a message whose ``string`` fields hold invalid UTF-8 (some SDKs pass raw
bytes through). Rather than refuse every span of the request for one bad byte, the decoder re-reads
such a request with a copy of the OTLP schema in which every ``string`` field is ``bytes``, replaces
each invalid sequence with U+FFFD (``bytes.decode("utf-8", "replace")``) and serializes it again.
This only runs after the normal parse failed, so valid requests pay nothing for it.
"""

from __future__ import annotations

import functools

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor

__all__ = ["repair_utf8"]


@functools.cache
def _lenient(full_name: str, file_descriptor):
    """The class of ``full_name`` in a private pool where every string field of the schema is bytes."""
    pool, done = descriptor_pool.DescriptorPool(), set()

    def add(fd) -> None:
        if fd.name in done:
            return
        for dependency in fd.dependencies:
            add(dependency)
        proto = descriptor_pb2.FileDescriptorProto()
        fd.CopyToProto(proto)
        stack = list(proto.message_type)
        while stack:
            message = stack.pop()
            stack.extend(message.nested_type)
            for field in message.field:
                if field.type == FieldDescriptor.TYPE_STRING:
                    field.type = FieldDescriptor.TYPE_BYTES
        pool.Add(proto)
        done.add(fd.name)

    add(file_descriptor)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(full_name))


@functools.cache
def _string_fields(descriptor) -> frozenset[str]:
    """Full names of the string fields reachable from ``descriptor`` (before the copy made them bytes)."""
    names, seen, stack = set(), set(), [descriptor]
    while stack:
        message = stack.pop()
        if message.full_name in seen:
            continue
        seen.add(message.full_name)
        for field in message.fields:
            if field.type == FieldDescriptor.TYPE_STRING:
                names.add(field.full_name)
            elif field.message_type is not None:
                stack.append(field.message_type)
    return frozenset(names)


def _is_repeated(field) -> bool:
    if hasattr(field, "is_repeated"):  # protobuf >= 6 (``label`` is gone in 7)
        return field.is_repeated
    return field.label == FieldDescriptor.LABEL_REPEATED


def _repair(message, strings: frozenset[str]) -> int:
    fixed = 0
    for field, value in message.ListFields():
        if field.message_type is not None:
            for child in (value if _is_repeated(field) else (value,)):
                fixed += _repair(child, strings)
        elif field.full_name in strings:
            if _is_repeated(field):
                good = [v.decode("utf-8", "replace").encode() for v in value]
                if good != list(value):
                    value[:] = good
                    fixed += 1
            else:
                good = value.decode("utf-8", "replace").encode()
                if good != value:
                    setattr(message, field.name, good)
                    fixed += 1
    return fixed


def repair_utf8(message_class, raw: bytes) -> bytes:
    """``raw`` (a serialized ``message_class``) with invalid UTF-8 in its strings replaced by U+FFFD.
    Raises ``google.protobuf.message.DecodeError`` if ``raw`` is malformed in any other way."""
    descriptor = message_class.DESCRIPTOR
    lenient = _lenient(descriptor.full_name, descriptor.file).FromString(raw)
    _repair(lenient, _string_fields(descriptor))
    return lenient.SerializeToString()
