"""Limits on what one span or metric point may carry, enforced by the OTLP decoder.

Oversized input is cut down and stored, never rejected whole:

- **Giant values.** A string or bytes attribute value longer than ``max_value_bytes`` is cut at a
  UTF-8 character boundary and ends with the marker ``…[truncated N bytes]`` (N = bytes cut). Keys
  are cut the same way at ``max_key_bytes``: the value limit, but never under 1 KiB (so a small
  value limit leaves ``service.name`` alone).
  A bytes value becomes the base64 of its kept prefix plus the marker, a string (the store keeps
  bytes as base64 anyway). An array or key/value-list value keeps its leading entries while their
  encoded size fits the limit and ends with a ``…[truncated N values]`` entry.
- **Too many attributes.** An attribute list (of a span, event, link, resource, scope or metric
  point) keeps its first ``max_attributes`` entries; the rest are dropped, counted in the item's
  ``dropped_attributes_count`` where OTLP has one, and recorded in the stored marker attribute
  ``pharos.dropped_attributes_count``. Array and key/value-list values keep at most
  ``max_attributes`` entries too.

The hot path stays cheap: a value or list can only exceed a limit inside a span (metric) whose
encoded size exceeds ``min(max_value_bytes, 2 * max_attributes)`` bytes (every entry takes at least
two), so the sizes of the spans are read with one shallow parse of the raw request in C, and only
the few spans above that size are walked in Python. A request with nothing to cut is left as it is
(and keeps its original bytes).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

__all__ = ["AttributeLimits", "DEFAULT_LIMITS", "DROPPED_KEY", "enforce_limits", "truncated"]

DROPPED_KEY = "pharos.dropped_attributes_count"
_MARKER = "…[truncated {} {}]"


@dataclass(frozen=True)
class AttributeLimits:
    max_value_bytes: int = 64 * 1024
    max_attributes: int = 1024

    @classmethod
    def of(cls, settings) -> "AttributeLimits":
        """The limits configured in ``settings`` (a ServerSettings)."""
        return cls(settings.max_attribute_value_bytes, settings.max_attributes_per_span)

    @property
    def max_key_bytes(self) -> int:
        return max(self.max_value_bytes, 1024)

    @property
    def span_threshold(self) -> int:
        """Encoded size below which a span (metric) cannot hold anything over a limit."""
        return min(self.max_value_bytes, 2 * self.max_attributes)


DEFAULT_LIMITS = AttributeLimits()


def truncated(data: bytes, limit: int) -> str:
    """``data`` (UTF-8) cut to at most ``limit`` bytes at a character boundary, plus the marker."""
    kept = data[:limit].decode("utf-8", "ignore")
    return kept + _MARKER.format(len(data) - len(kept.encode()), "bytes")


# ---- sizes of the spans and metrics, from a shallow parse of the raw request -------------------------
def _shallow_types():
    """Message classes reading an Export*ServiceRequest down to its spans/metrics, kept as bytes."""
    fd = descriptor_pb2.FileDescriptorProto(name="pharos_shallow_otlp.proto", package="pharos.shallow",
                                            syntax="proto3")
    repeated, message, raw = (descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED,
                              descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
                              descriptor_pb2.FieldDescriptorProto.TYPE_BYTES)
    for name, child in (("Request", "Resource"), ("Resource", "Scope")):
        fd.message_type.add(name=name).field.add(name="items", number=1 if name == "Request" else 2,
                                                 label=repeated, type=message, type_name=f".pharos.shallow.{child}")
    fd.message_type.add(name="Scope").field.add(name="items", number=2, label=repeated, type=raw)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("pharos.shallow.Request"))


_Shallow = _shallow_types()


def _oversized(raw: bytes, threshold: int):
    """Yield (resource index, scope index, item index) of each span/metric encoded in more than
    ``threshold`` bytes."""
    shallow = _Shallow.FromString(raw)  # cannot fail where the full parse of ``raw`` succeeded
    for r, resource in enumerate(shallow.items):
        for s, scope in enumerate(resource.items):
            if max(map(len, scope.items), default=0) > threshold:
                for i, item in enumerate(scope.items):
                    if len(item) > threshold:
                        yield r, s, i


# ---- cutting ---------------------------------------------------------------------------------------
def _limit_value(value, limits: AttributeLimits) -> int:
    """Cut one AnyValue in place; return how many cuts were made."""
    kind = value.WhichOneof("value")
    cap = limits.max_value_bytes
    if kind == "string_value":
        text = value.string_value
        if len(text) > cap // 4 and len(data := text.encode()) > cap:
            value.string_value = truncated(data, cap)
            return 1
    elif kind == "bytes_value":
        data = value.bytes_value
        if len(data) > cap:
            keep = cap * 3 // 4
            value.string_value = base64.b64encode(data[:keep]).decode() + _MARKER.format(len(data) - keep, "bytes")
            return 1
    elif kind in ("array_value", "kvlist_value"):
        entries = getattr(value, kind).values
        cuts = sum(_limit_value(e if kind == "array_value" else e.value, limits) for e in entries)
        if kind == "kvlist_value":
            cuts += sum(_limit_key(e, limits.max_key_bytes) for e in entries)
        if len(entries) <= limits.max_attributes and value.ByteSize() <= cap:
            return cuts
        keep, size, most = 0, 0, min(len(entries), limits.max_attributes)
        while keep < most:  # leading entries while they fit (the first always: it is cut already)
            size += entries[keep].ByteSize() + 2
            if size > cap and keep:
                break
            keep += 1
        if keep < len(entries):
            dropped = len(entries) - keep
            del entries[keep:]
            marker = _MARKER.format(dropped, "values")
            if kind == "array_value":
                entries.add().string_value = marker
            else:
                entry = entries.add()
                entry.key, entry.value.string_value = "…", marker
            cuts += 1
        return cuts
    return 0


def _limit_key(kv, cap: int) -> int:
    if len(kv.key) > cap // 4 and len(data := kv.key.encode()) > cap:
        kv.key = truncated(data, cap)
        return 1
    return 0


def _limit_attributes(owner, field: str, limits: AttributeLimits) -> int:
    """Cut the attribute list ``owner.<field>`` in place; return how many cuts were made."""
    attributes = getattr(owner, field)
    dropped = max(0, len(attributes) - limits.max_attributes)
    if dropped:
        del attributes[limits.max_attributes:]
    cuts = sum(_limit_key(kv, limits.max_key_bytes) + _limit_value(kv.value, limits) for kv in attributes)
    if dropped:
        if "dropped_attributes_count" in owner.DESCRIPTOR.fields_by_name:
            owner.dropped_attributes_count += dropped
        marker = attributes.add()
        marker.key, marker.value.int_value = DROPPED_KEY, dropped
        cuts += 1
    return cuts


def _limit_span(span, limits: AttributeLimits) -> int:
    cuts = _limit_attributes(span, "attributes", limits)
    for item in (*span.events, *span.links):
        cuts += _limit_attributes(item, "attributes", limits)
    return cuts


_POINT_KINDS = ("gauge", "sum", "histogram", "exponential_histogram", "summary")


def _limit_metric(metric, limits: AttributeLimits) -> int:
    kind = metric.WhichOneof("data")
    cuts = 0
    for point in getattr(metric, kind).data_points if kind in _POINT_KINDS else ():
        cuts += _limit_attributes(point, "attributes", limits)
        for exemplar in getattr(point, "exemplars", ()):
            cuts += _limit_attributes(exemplar, "filtered_attributes", limits)
    return cuts


def enforce_limits(signal: str, request, raw: bytes, limits: AttributeLimits = DEFAULT_LIMITS) -> int:
    """Apply ``limits`` to ``request`` (parsed from ``raw``) in place; return how many cuts were made
    (0: the request is unchanged)."""
    threshold = limits.span_threshold
    if len(raw) <= threshold:
        return 0
    resources = request.resource_spans if signal == "traces" else request.resource_metrics
    cuts = 0
    for rs in resources:  # resources and scopes are few: check them directly
        if rs.resource.ByteSize() > threshold:
            cuts += _limit_attributes(rs.resource, "attributes", limits)
        for scope_items in (rs.scope_spans if signal == "traces" else rs.scope_metrics):
            if scope_items.scope.ByteSize() > threshold:
                cuts += _limit_attributes(scope_items.scope, "attributes", limits)
    for r, s, i in _oversized(raw, threshold):
        if signal == "traces":
            cuts += _limit_span(resources[r].scope_spans[s].spans[i], limits)
        else:
            cuts += _limit_metric(resources[r].scope_metrics[s].metrics[i], limits)
    return cuts
