"""Bad requests get a clear 4xx and disturb nobody else's data; odd but decodable input (giant values,
100k attributes, invalid UTF-8, far-off timestamps, deep nesting) has a defined outcome, checked in the
real store."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest
from google.rpc import status_pb2
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from pharos_testing import PharosProcess, spans_request

LIMIT = 4 * 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = PharosProcess(tmp_path_factory.mktemp("bad") / "data",
                      args=["--batch-max-age-ms", "100", "--max-body-bytes", str(LIMIT)]).start()
    yield s
    s.stop()


def _post(server, body: bytes, content_type="application/x-protobuf", **headers) -> httpx.Response:
    return httpx.post(f"{server.otlp_http}/v1/traces", content=body,
                      headers={"Content-Type": content_type, **headers}, timeout=10)


def _status_message(response: httpx.Response) -> str:
    if response.headers["content-type"].startswith("application/json"):
        return response.json()["message"]
    status = status_pb2.Status()
    status.ParseFromString(response.content)
    return status.message


def _count(server, service: str) -> int:
    return int(server.sql_client().command(f"SELECT count() FROM otel_traces WHERE ServiceName = '{service}'"))


def test_bad_requests_get_clear_errors_and_good_data_is_kept(server):
    good = _post(server, spans_request("good-client", 5).SerializeToString())
    assert good.status_code == 200

    cases = [
        (_post(server, b"\x0a\xff\xff\xff\xff\x0f garbage"), 400, "not a valid OTLP traces protobuf"),
        (_post(server, b"{not json", "application/json"), 400, "not valid JSON"),
        (_post(server, b"[1, 2]", "application/json"), 400, "must be a JSON object"),
        (_post(server, json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz"}]}]}]}).encode(),
               "application/json"), 400, "not a hex string"),
        (_post(server, b"hello", "text/plain"), 415, "unsupported Content-Type"),
        (_post(server, b"\x00" * (LIMIT + 1)), 413, f"exceeds the {LIMIT}-byte limit"),
        (_post(server, gzip.compress(b"\x00" * (LIMIT * 4)), **{"Content-Encoding": "gzip"}), 413,
         "once decompressed"),
        (_post(server, b"not gzip at all", **{"Content-Encoding": "gzip"}), 400, "not valid gzip"),
        (_post(server, b"", **{"Content-Encoding": "br"}), 415, "unsupported Content-Encoding"),
    ]
    for response, status, message in cases:
        assert response.status_code == status, response.text
        assert message in _status_message(response)

    assert server.wait_for_rows("SELECT count() FROM otel_traces WHERE ServiceName = 'good-client'", 5) == 5
    assert int(server.sql_client().command("SELECT count() FROM otel_traces")) == 5  # nothing from the bad ones


def test_invalid_ids_are_rejected_as_partial_success(server):
    req = spans_request("partial", 3)
    bad = spans_request("partial", 2, trace_id=b"\x01" * 5).resource_spans[0].scope_spans[0].spans
    req.resource_spans[0].scope_spans[0].spans.extend(bad)
    response = _post(server, req.SerializeToString())
    assert response.status_code == 200
    reply = ExportTraceServiceResponse()
    reply.ParseFromString(response.content)
    assert reply.partial_success.rejected_spans == 2
    assert "invalid id" in reply.partial_success.error_message
    assert server.wait_for_rows("SELECT count() FROM otel_traces WHERE ServiceName = 'partial'", 3) == 3


def test_otlp_json_with_gzip(server):
    doc = {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-client"}}]},
        "scopeSpans": [{"scope": {"name": "curl"}, "spans": [{
            "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",
            "name": "chat m", "kind": 3, "startTimeUnixNano": "1760000000123456789",
            "endTimeUnixNano": "1760000001123456789",
            "attributes": [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "42"}},
                           {"key": "gen_ai.request.model", "value": {"stringValue": "m"}}],
            "status": {"code": 2, "message": "boom"}}]}]}]}
    response = _post(server, gzip.compress(json.dumps(doc).encode()), "application/json",
                     **{"Content-Encoding": "gzip"})
    assert response.status_code == 200 and response.json() == {}
    assert server.wait_for_rows("SELECT count() FROM otel_traces WHERE ServiceName = 'json-client'", 1) == 1
    row = server.sql_client().query(
        "SELECT TraceId, SpanId, SpanKind, toUnixTimestamp64Nano(Timestamp), Duration, StatusCode, StatusMessage, "
        "GenAIInputTokens, GenAIRequestModel FROM otel_traces WHERE ServiceName = 'json-client'").result_rows[0]
    assert row == ("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "Client", 1760000000123456789,
                   1_000_000_000, "Error", "boom", 42, "m")


def test_grpc_rejects_garbage_with_invalid_argument(server):
    import grpc

    channel = grpc.insecure_channel(server.otlp_grpc)
    export = channel.unary_unary("/opentelemetry.proto.collector.trace.v1.TraceService/Export")
    with pytest.raises(grpc.RpcError) as info:
        export(b"\x0a\xff\xff\xff\xff\x0f garbage", timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid OTLP traces protobuf" in info.value.details()
    reply = export(spans_request("grpc-raw", 2).SerializeToString(), timeout=10)
    assert reply == b""  # an empty ExportTraceServiceResponse: everything accepted
    assert server.wait_for_rows("SELECT count() FROM otel_traces WHERE ServiceName = 'grpc-raw'", 2) == 2


# ---- defined outcomes, end to end ------------------------------------------------------------------------
def _attr(owner, key: str, value) -> None:
    kv = owner.attributes.add()
    kv.key = key
    if isinstance(value, bytes):
        kv.value.bytes_value = value
    elif isinstance(value, list):
        for item in value:
            kv.value.array_value.values.add().string_value = item
    else:
        kv.value.string_value = value


def _accepted(response: httpx.Response) -> ExportTraceServiceResponse:
    assert response.status_code == 200, response.text
    reply = ExportTraceServiceResponse()
    reply.ParseFromString(response.content)
    return reply


def _row(server, sql: str, service: str, expected_rows: int = 1):
    assert server.wait_for_rows(f"SELECT count() FROM otel_traces WHERE ServiceName = '{service}'",
                                expected_rows) == expected_rows
    return server.sql_client().query(sql.format(service=f"'{service}'")).result_rows


def test_giant_values_are_truncated_with_a_marker_and_the_span_is_stored(server):
    import base64

    from pharos.collector.limits import DEFAULT_LIMITS, truncated

    cap = DEFAULT_LIMITS.max_value_bytes
    req = spans_request("giant", 2)
    _attr(req.resource_spans[0].resource, "big.resource", "r" * 100_000)
    span = req.resource_spans[0].scope_spans[0].spans[0]
    _attr(span, "big.string", "é" * 50_000)  # 100,000 bytes of 2-byte characters
    _attr(span, "big.bytes", bytes(range(256)) * 400)
    _attr(span, "big.array", ["a" * 1000] * 100)
    _attr(span, "small", "kept as is")
    _attr(span.events.add(), "big", "e" * 70_000)
    link = span.links.add()
    link.trace_id, link.span_id = b"\x01" * 16, b"\x02" * 8
    _attr(link, "big", "l" * 70_000)
    assert _accepted(_post(server, req.SerializeToString())).partial_success.rejected_spans == 0

    rows = _row(server, "SELECT SpanName, ResourceAttributes['big.resource'], SpanAttributes, "
                        "Events.Attributes[1]['big'], Links.Attributes[1]['big'] "
                        "FROM otel_traces WHERE ServiceName = {service} ORDER BY SpanName", "giant", 2)
    (name, resource, attrs, event, link_value), (_, other_resource, other_attrs, _, _) = rows
    assert name == "span-0" and other_attrs == {}
    assert resource == other_resource == truncated(b"r" * 100_000, cap)
    assert attrs["big.string"] == "é" * (cap // 2) + "…[truncated 34464 bytes]"
    data = bytes(range(256)) * 400
    kept = cap * 3 // 4  # bytes become the base64 of a prefix that fits the limit
    assert attrs["big.bytes"] == base64.b64encode(data[:kept]).decode() + f"…[truncated {len(data) - kept} bytes]"
    array = json.loads(attrs["big.array"])
    assert 50 < len(array) < 70 and array[:-1] == ["a" * 1000] * (len(array) - 1)
    assert array[-1] == f"…[truncated {101 - len(array)} values]"
    assert attrs["small"] == "kept as is"
    assert event == "e" * cap + "…[truncated 4464 bytes]"
    assert link_value == "l" * cap + "…[truncated 4464 bytes]"


def test_a_span_with_100k_attributes_keeps_the_first_ones_and_counts_the_rest(server):
    from pharos.collector.limits import DEFAULT_LIMITS, DROPPED_KEY

    req = spans_request("many-attrs", 1)
    span = req.resource_spans[0].scope_spans[0].spans[0]
    for i in range(100_000):
        _attr(span, f"k{i}", "v")
    assert _accepted(_post(server, gzip.compress(req.SerializeToString()), **{"Content-Encoding": "gzip"}))
    (attrs,), = _row(server, "SELECT SpanAttributes FROM otel_traces WHERE ServiceName = {service}", "many-attrs")
    kept = DEFAULT_LIMITS.max_attributes
    assert len(attrs) == kept + 1
    assert attrs[DROPPED_KEY] == str(100_000 - kept)
    assert attrs["k0"] == "v" and f"k{kept - 1}" in attrs and f"k{kept}" not in attrs


def test_invalid_utf8_is_replaced_and_the_spans_are_stored(server):
    req = spans_request("bad-utf8", 2)
    span = req.resource_spans[0].scope_spans[0].spans[0]
    span.name = "NAME"
    _attr(span, "ATTR", "VALUE")
    raw = (req.SerializeToString().replace(b"NAME", b"N\xffM\xc3")
           .replace(b"ATTR", b"A\xed\xa0\x80").replace(b"VALUE", b"V\x80\x80UE"))
    assert _accepted(_post(server, raw)).partial_success.rejected_spans == 0
    rows = _row(server, "SELECT SpanName, SpanAttributes FROM otel_traces WHERE ServiceName = {service} "
                        "ORDER BY SpanName", "bad-utf8", 2)
    assert rows == [("N\ufffdM\ufffd", {"A\ufffd\ufffd\ufffd": "V\ufffd\ufffdUE"}), ("span-1", {})]


def test_timestamps_far_in_the_past_or_future_are_stored_clamped(server):
    end_of_datetime64 = 2**63 - 1  # 2262-04-11T23:47:16.854775807Z, the last instant DateTime64(9) holds
    year_2300 = 10_413_792_000 * 10**9
    cases = {"zero": (0, 0), "epoch-plus": (0, 1000), "last": (end_of_datetime64, end_of_datetime64),
             "year-2300": (year_2300, year_2300 + 5), "max-uint64": (2**64 - 1, 2**64 - 1),
             "end-before-start": (1_760_000_000_000_000_000, 1_700_000_000_000_000_000)}
    req = spans_request("times", len(cases))
    for span, (name, (start, end)) in zip(req.resource_spans[0].scope_spans[0].spans, cases.items()):
        span.name, span.start_time_unix_nano, span.end_time_unix_nano = name, start, end
        span.events.add(name="e", time_unix_nano=end)
    _accepted(_post(server, req.SerializeToString()))
    rows = _row(server, "SELECT SpanName, toUnixTimestamp64Nano(Timestamp), Duration, "
                        "toUnixTimestamp64Nano(Events.Timestamp[1]) FROM otel_traces "
                        "WHERE ServiceName = {service}", "times", len(cases))
    assert {r[0]: r[1:] for r in rows} == {
        "zero": (0, 0, 0), "epoch-plus": (0, 1000, 1000),
        "last": (end_of_datetime64, 0, end_of_datetime64),
        "year-2300": (end_of_datetime64, 5, end_of_datetime64),
        "max-uint64": (end_of_datetime64, 0, end_of_datetime64),
        "end-before-start": (1_760_000_000_000_000_000, 0, 1_700_000_000_000_000_000),
    }


def _nested(service: str, depth: int, kind: str):
    req = spans_request(service, 1)
    kv = req.resource_spans[0].scope_spans[0].spans[0].attributes.add()
    kv.key, value = "deep", kv.value
    for i in range(depth):
        if kind == "array":
            value = value.array_value.values.add()
        else:
            entry = value.kvlist_value.values.add()
            entry.key, value = f"k{i}", entry.value
    value.string_value = "leaf"
    return req.SerializeToString()


def test_deeply_nested_values_are_stored_two_levels_deep_or_refused_past_the_parser_limit(server):
    assert _accepted(_post(server, _nested("nested-array", 40, "array")))
    assert _accepted(_post(server, _nested("nested-kvlist", 25, "kvlist")))
    assert _row(server, "SELECT SpanAttributes['deep'] FROM otel_traces WHERE ServiceName = {service}",
                "nested-array") == [("[null]",)]  # the store renders two levels; deeper values are null
    assert _row(server, "SELECT SpanAttributes['deep'] FROM otel_traces WHERE ServiceName = {service}",
                "nested-kvlist") == [('{"k0":null}',)]
    for kind in ("array", "kvlist"):
        response = _post(server, _nested("too-deep", 120, kind))
        assert response.status_code == 400
        assert "nested too deeply" in _status_message(response)


def test_wrong_id_lengths_in_otlp_json_are_rejected_per_span(server):
    from pharos.collector.otlp import encode_json

    req = spans_request("json-ids", 3)
    spans = req.resource_spans[0].scope_spans[0].spans
    spans[1].trace_id = b"\x01" * 8
    spans[2].parent_span_id = b"\x02" * 3
    response = _post(server, encode_json(req), "application/json")
    assert response.status_code == 200
    assert response.json()["partialSuccess"]["rejectedSpans"] == "2"
    assert "invalid id" in response.json()["partialSuccess"]["errorMessage"]
    assert _row(server, "SELECT SpanName FROM otel_traces WHERE ServiceName = {service}", "json-ids") == [("span-0",)]


def test_giant_metric_point_attributes_are_truncated(server):
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

    from pharos.collector.limits import DEFAULT_LIMITS, truncated

    req = ExportMetricsServiceRequest()
    rm = req.resource_metrics.add()
    _attr(rm.resource, "service.name", "giant-metrics")
    metric = rm.scope_metrics.add().metrics.add(name="m")
    point = metric.gauge.data_points.add(as_int=7, time_unix_nano=1_760_000_000_000_000_000)
    _attr(point, "big", "p" * 100_000)
    response = httpx.post(f"{server.otlp_http}/v1/metrics", content=req.SerializeToString(),
                          headers={"Content-Type": "application/x-protobuf"}, timeout=10)
    assert response.status_code == 200
    sql = "SELECT Value, Attributes['big'] FROM otel_metrics_gauge WHERE ServiceName = 'giant-metrics'"
    client = server.sql_client()
    assert server.wait_for_rows(f"SELECT count() FROM ({sql})", 1) == 1
    assert client.query(sql).result_rows == [(7.0, truncated(b"p" * 100_000, DEFAULT_LIMITS.max_value_bytes))]


def test_configured_limits_apply_to_http_and_grpc(tmp_path):
    import grpc

    from pharos.collector.limits import DROPPED_KEY

    # (service names stay under the 10-byte limit: resource attributes are cut too)
    server = PharosProcess(tmp_path / "data", args=["--batch-max-age-ms", "100", "--max-attribute-value-bytes",
                                                    "10", "--max-attributes-per-span", "2"]).start()
    export = grpc.insecure_channel(server.otlp_grpc).unary_unary(
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export")
    try:
        for service, send in (("lim-http", lambda raw: _post(server, raw).status_code == 200),
                              ("lim-grpc", lambda raw: export(raw, timeout=10) == b"")):
            req = spans_request(service, 1)
            span = req.resource_spans[0].scope_spans[0].spans[0]
            for key, value in (("a", "0123456789abcdef"), ("b", "x"), ("c", "y")):
                _attr(span, key, value)
            assert send(req.SerializeToString())
            (attrs,), = _row(server, "SELECT SpanAttributes FROM otel_traces WHERE ServiceName = {service}", service)
            assert attrs == {"a": "0123456789…[truncated 6 bytes]", "b": "x", DROPPED_KEY: "1"}
    finally:
        server.stop()



def test_fields_with_the_wrong_wire_type_are_stored_not_quarantined(server):
    """upb accepts known fields sent with the wrong wire type (as unknown fields); ClickHouse refuses them,
    so the writer retries such a request in canonical form (otlp.canonical) instead of quarantining it."""
    from google.protobuf.internal.encoder import _VarintBytes as varint

    def field(number: int, payload: bytes) -> bytes:
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    req = spans_request("wire-type", 2)
    rs = req.resource_spans[0]
    first, second = (s.SerializeToString() for s in rs.scope_spans[0].spans)
    first += varint(7 << 3 | 0) + varint(123)  # start_time_unix_nano (fixed64) sent as a varint
    raw = field(1, field(1, rs.resource.SerializeToString()) + field(2, field(2, first) + field(2, second)))
    assert _accepted(_post(server, raw)).partial_success.rejected_spans == 0
    assert _row(server, "SELECT SpanName FROM otel_traces WHERE ServiceName = {service} ORDER BY SpanName",
                "wire-type", 2) == [("span-0",), ("span-1",)]
    assert not (server.data_dir / "quarantine").exists() or not any((server.data_dir / "quarantine").iterdir())
