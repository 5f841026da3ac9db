"""Bad requests get a clear 4xx and disturb nobody else's data."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest
from google.rpc import status_pb2
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from pharos_testing import PharosProcess, spans_request

LIMIT = 64 * 1024


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
        (_post(server, b"\x00" * (LIMIT + 1)), 413, "exceeds the 65536-byte limit"),
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
