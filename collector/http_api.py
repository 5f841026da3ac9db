"""OTLP/HTTP receiver (``/v1/traces``, ``/v1/metrics``), the scores API (``/v1/scores``, see
:mod:`pharos.collector.scores_api`) and ``/healthz``, ``/readyz``.

Responses follow the OTLP/HTTP spec: 200 with an Export*ServiceResponse (with ``partial_success``
when items were rejected) encoded like the request; 400/413/415 with a ``google.rpc.Status`` body
for requests that cannot be accepted; 503 with ``Retry-After`` when the write-ahead log is full (the store is behind or down).
A 200 means the data is in the write-ahead log (fsynced, with the default policy).
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from google.protobuf import json_format
from google.rpc import status_pb2
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from pharos.collector.batcher import Batcher, Overloaded
from pharos.collector.access import project_attributes, request_principal
from pharos.collector.limits import DEFAULT_LIMITS, AttributeLimits
from pharos.collector.otlp import JSON, PROTOBUF, Decoded, OtlpError, Signal, decode_body

__all__ = ["create_otlp_app", "export_response"]


def export_response(decoded: Decoded):
    """The Export*ServiceResponse for a decoded request (partial_success set only when needed)."""
    if decoded.signal == "traces":
        response = ExportTraceServiceResponse()
        if decoded.rejected:
            response.partial_success.rejected_spans = decoded.rejected
    else:
        response = ExportMetricsServiceResponse()
        if decoded.rejected:
            response.partial_success.rejected_data_points = decoded.rejected
    if decoded.rejected:
        response.partial_success.error_message = decoded.error_message
    return response


def _encode(message, as_json: bool) -> Response:
    if as_json:
        return Response(json_format.MessageToJson(message, indent=None), media_type=JSON)
    return Response(message.SerializeToString(), media_type=PROTOBUF)


def _error(status: int, message: str, as_json: bool, headers: dict[str, str] | None = None) -> Response:
    grpc_code = {400: 3, 413: 3, 415: 3, 503: 14}.get(status, 2)  # INVALID_ARGUMENT / UNAVAILABLE
    response = _encode(status_pb2.Status(code=grpc_code, message=message), as_json)
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def create_otlp_app(batcher: Batcher, max_body_bytes: int, ready=lambda: True, scores: bool = True,
                    limits: AttributeLimits = DEFAULT_LIMITS) -> FastAPI:
    app = FastAPI(title="Pharos OTLP/HTTP receiver", docs_url=None, redoc_url=None, openapi_url=None)
    if scores:
        from pharos.collector.scores_api import create_scores_router

        app.include_router(create_scores_router(batcher))

    async def receive(signal: Signal, request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        as_json = content_type.split(";")[0].strip().lower() == JSON
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_body_bytes:
            return _error(413, f"request body of {declared} bytes exceeds the {max_body_bytes}-byte limit", as_json)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body_bytes:
                return _error(413, f"request body exceeds the {max_body_bytes}-byte limit", as_json)
        try:
            decoded = decode_body(signal, bytes(body), content_type,
                                  request.headers.get("content-encoding", ""), max_body_bytes,
                                  resource_attributes=project_attributes(request_principal(request)), limits=limits)
            await batcher.accept(decoded)
        except OtlpError as exc:
            return _error(exc.status, exc.message, as_json)
        except Overloaded as exc:
            return _error(503, f"store is behind, retry later: {exc}", as_json,
                          {"Retry-After": str(Overloaded.retry_after_s)})
        return _encode(export_response(decoded), as_json)

    @app.post("/v1/traces")
    async def traces(request: Request) -> Response:
        return await receive("traces", request)

    @app.post("/v1/metrics")
    async def metrics(request: Request) -> Response:
        return await receive("metrics", request)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(response: Response) -> dict:
        ok = ready()
        response.status_code = 200 if ok else 503
        return {"status": "ready" if ok else "starting", "pending": batcher.pending(),
                "backlog_bytes": batcher.backlog_bytes(), "write_failures": batcher.stats.write_failures,
                "wal_corrupt_records": batcher.wal.corrupt_records}

    return app
