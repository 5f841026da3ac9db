"""In-process tests of the OTLP decoder (collector/otlp.py): resource stamping, attribute limits, canonical
payloads."""

from __future__ import annotations

import json

import pytest
from google.protobuf.internal.encoder import _VarintBytes as _varint
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from pharos.collector.otlp import JSON, PROTOBUF, decode_body, decode_message, encode_json
from pharos_testing import spans_request

LIMIT = 1 << 20


def _resource_attrs(resource) -> dict[str, str]:
    return {kv.key: kv.value.string_value for kv in resource.attributes}


def test_without_resource_attributes_the_original_bytes_are_kept():
    raw = spans_request("svc", 3).SerializeToString()
    assert decode_message("traces", raw).payload is raw


def test_resource_attributes_are_set_and_override_on_every_resource():
    req = spans_request("svc", 2)
    req.resource_spans.extend(spans_request("other", 1).resource_spans)
    claimed = req.resource_spans[0].resource.attributes.add()
    claimed.key, claimed.value.string_value = "pharos.project", "someone-else"
    req.resource_spans.add().scope_spans.add()  # a resource-less ResourceSpans gets stamped too
    stamp = {"pharos.project": "team-a"}
    for decoded in (decode_message("traces", req.SerializeToString(), resource_attributes=stamp),
                    decode_body("traces", encode_json(req), JSON, "", LIMIT,
                                resource_attributes=stamp)):
        out = ExportTraceServiceRequest.FromString(decoded.payload)
        assert decoded.accepted == 3
        assert [_resource_attrs(rs.resource) for rs in out.resource_spans] == [
            {"service.name": "svc", "pharos.project": "team-a"},
            {"service.name": "other", "pharos.project": "team-a"},
            {"pharos.project": "team-a"},
        ]
        assert [kv.key for kv in out.resource_spans[0].resource.attributes].count("pharos.project") == 1


def test_resource_attributes_on_metrics():
    gauge = {"name": "m", "gauge": {"dataPoints": [{"asInt": "1"}]}}
    doc = {"resourceMetrics": [{"resource": {"attributes": [{"key": "pharos.project", "value": {"stringValue": "x"}}]},
                                "scopeMetrics": [{"metrics": [gauge]}]}]}
    decoded = decode_body("metrics", json.dumps(doc).encode(), JSON, "", LIMIT,
                          resource_attributes={"pharos.project": "p", "k": "v"})
    out = ExportMetricsServiceRequest.FromString(decoded.payload)
    assert decoded.accepted == 1
    assert _resource_attrs(out.resource_metrics[0].resource) == {"pharos.project": "p", "k": "v"}
    raw = ExportMetricsServiceRequest.FromString(decoded.payload).SerializeToString()
    again = decode_body("metrics", raw, PROTOBUF, "", LIMIT, resource_attributes={"pharos.project": "q"})
    assert _resource_attrs(ExportMetricsServiceRequest.FromString(again.payload).resource_metrics[0].resource) == {
        "pharos.project": "q", "k": "v"}


# ---- limits (pharos.collector.limits) with small values, checked in the real store ---------------------
def _small_limits():
    from pharos.collector.limits import AttributeLimits

    return AttributeLimits(max_value_bytes=16, max_attributes=3)


def test_requests_within_the_limits_keep_their_bytes():
    raw = spans_request("svc", 50).SerializeToString()
    assert decode_message("traces", raw, limits=_small_limits()).payload is raw


def test_small_limits_cut_values_keys_lists_and_nested_values(make_store):
    from pharos.collector.limits import DROPPED_KEY
    from pharos.collector.store import migrate

    req = spans_request("limits", 2)
    scope = req.resource_spans[0].scope_spans[0]
    kv = scope.scope.attributes.add()
    kv.key, kv.value.string_value = "scope.attr", "s" * 40
    span = scope.spans[0]
    for key, text in (("euro", "€" * 10), ("k" * 1030, "v"), ("a", "1"), ("b", "2")):
        kv = span.attributes.add()
        kv.key, kv.value.string_value = key, text
    nested = span.events.add(name="e", time_unix_nano=1).attributes.add()
    nested.key = "map"
    for i in range(5):
        entry = nested.value.kvlist_value.values.add()
        entry.key, entry.value.string_value = f"k{i}", "x" * (30 if i == 0 else 1)
    array = span.events[0].attributes.add()
    array.key = "array"
    for i in range(5):
        array.value.array_value.values.add().string_value = str(i)
    decoded = decode_message("traces", req.SerializeToString(), limits=_small_limits())
    assert decoded.accepted == 2
    out = ExportTraceServiceRequest.FromString(decoded.payload).resource_spans[0].scope_spans[0]
    assert out.spans[0].dropped_attributes_count == 1
    assert out.scope.attributes[0].value.string_value == "s" * 16 + "…[truncated 24 bytes]"
    assert out.spans[1] == req.resource_spans[0].scope_spans[0].spans[1]  # under the threshold: untouched

    store = make_store()
    migrate(store)
    store.insert_otlp_traces(decoded.payload)
    rows = dict(store.query("SELECT SpanName, SpanAttributes FROM otel_traces"))
    assert rows["span-0"] == {
        "euro": "€" * 5 + "…[truncated 15 bytes]",  # 16 bytes hold five 3-byte characters
        "k" * 1024 + "…[truncated 6 bytes]": "v",  # keys are cut at 1 KiB at least
        "a": "1",
        DROPPED_KEY: "1",
    }
    assert rows["span-1"] == {}
    (event_map, event_array), = store.query("SELECT Events.Attributes[1]['map'], Events.Attributes[1]['array'] "
                                            "FROM otel_traces WHERE SpanName = 'span-0'")
    # a list keeps its leading entries while they fit in max_value_bytes (the first always), at most max_attributes
    assert json.loads(event_map) == {"k0": "x" * 16 + "…[truncated 14 bytes]", "…": "…[truncated 4 values]"}
    assert json.loads(event_array) == ["0", "1", "2", "…[truncated 2 values]"]


def test_metric_points_are_limited_too():
    doc = {"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name": "m", "sum": {"dataPoints": [
        {"asDouble": 1.5, "attributes": [{"key": f"k{i}", "value": {"bytesValue": "AAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}
                                         for i in range(5)]}]}}]}]}]}
    decoded = decode_body("metrics", json.dumps(doc).encode(), JSON, "", LIMIT, limits=_small_limits())
    point = ExportMetricsServiceRequest.FromString(decoded.payload).resource_metrics[0].scope_metrics[0] \
        .metrics[0].sum.data_points[0]
    assert [kv.key for kv in point.attributes] == ["k0", "k1", "k2", "pharos.dropped_attributes_count"]
    assert point.attributes[0].value.string_value == "AAAAAAAAAAAAAAAA…[truncated 9 bytes]"


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def test_fields_with_the_wrong_wire_type_are_stored_once_made_canonical(make_store):
    """upb accepts (as unknown fields) what ClickHouse's protobuf reader refuses: known fields with the wrong
    wire type and groups. canonical() drops them; the writer retries a refused request with it."""
    from clickhouse_connect.driver.exceptions import DatabaseError

    from pharos.collector.otlp import canonical
    from pharos.collector.store import migrate

    span = spans_request("wire-types", 1).resource_spans[0].scope_spans[0].spans[0].SerializeToString()
    odd = (_varint(7 << 3 | 0) + _varint(123)  # start_time_unix_nano (fixed64) as a varint
           + _varint(100 << 3 | 3) + _varint(101 << 3 | 0) + _varint(1) + _varint(100 << 3 | 4))  # a group
    service = _field(1, _field(1, _field(1, b"service.name") + _field(2, _field(1, b"wire-types"))))
    raw = _field(1, service + _field(2, _field(2, span + odd)))
    decoded = decode_message("traces", raw)
    assert decoded.accepted == 1 and decoded.payload is raw

    store = make_store()
    migrate(store)
    with pytest.raises(DatabaseError, match="corrupted or don't match"):
        store.insert_otlp_traces(decoded.payload)
    store.insert_otlp_traces(canonical("traces", decoded.payload))
    assert store.query("SELECT ServiceName, SpanName FROM otel_traces") == [("wire-types", "span-0")]
