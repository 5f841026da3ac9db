"""In-process tests of the OTLP decoder (collector/otlp.py): resource stamping."""

from __future__ import annotations

import json

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
    doc = {"resourceMetrics": [{"resource": {"attributes": [{"key": "pharos.project", "value": {"stringValue": "x"}}]},
                                "scopeMetrics": [{"metrics": [{"name": "m", "gauge": {"dataPoints": [{"asInt": "1"}]}}]}]}]}
    decoded = decode_body("metrics", json.dumps(doc).encode(), JSON, "", LIMIT,
                          resource_attributes={"pharos.project": "p", "k": "v"})
    out = ExportMetricsServiceRequest.FromString(decoded.payload)
    assert decoded.accepted == 1
    assert _resource_attrs(out.resource_metrics[0].resource) == {"pharos.project": "p", "k": "v"}
    raw = ExportMetricsServiceRequest.FromString(decoded.payload).SerializeToString()
    again = decode_body("metrics", raw, PROTOBUF, "", LIMIT, resource_attributes={"pharos.project": "q"})
    assert _resource_attrs(ExportMetricsServiceRequest.FromString(again.payload).resource_metrics[0].resource) == {
        "pharos.project": "q", "k": "v"}
