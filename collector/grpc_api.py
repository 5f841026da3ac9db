"""OTLP/gRPC receiver: ``TraceService/Export`` and ``MetricsService/Export``.

Handlers receive the raw request bytes (no deserializer), so the payload that is stored is the
bytes the client sent, exactly as on the HTTP path.
"""

from __future__ import annotations

import grpc

from pharos.collector.batcher import Batcher, Overloaded
from pharos.collector.http_api import export_response
from pharos.collector.otlp import OtlpError, Signal, decode_message

__all__ = ["create_grpc_server"]

_SERVICES: dict[str, Signal] = {
    "opentelemetry.proto.collector.trace.v1.TraceService": "traces",
    "opentelemetry.proto.collector.metrics.v1.MetricsService": "metrics",
}


def _handler(batcher: Batcher, signal: Signal, max_bytes: int):
    async def export(raw: bytes, context: grpc.aio.ServicerContext) -> bytes:
        if len(raw) > max_bytes:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"message exceeds the {max_bytes}-byte limit")
        try:
            decoded = decode_message(signal, raw)
            await batcher.accept(decoded)
        except OtlpError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, exc.message)
        except Overloaded as exc:
            # UNAVAILABLE is retryable for OTLP exporters; they back off and resend.
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"store is behind, retry later: {exc}")
        return export_response(decoded).SerializeToString()

    return grpc.unary_unary_rpc_method_handler(export, request_deserializer=None, response_serializer=None)


def create_grpc_server(batcher: Batcher, address: str, max_bytes: int) -> grpc.aio.Server:
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", max_bytes + 1024)])
    for service, signal in _SERVICES.items():
        server.add_generic_rpc_handlers(
            [grpc.method_handlers_generic_handler(service, {"Export": _handler(batcher, signal, max_bytes)})])
    if server.add_insecure_port(address) == 0:
        raise OSError(f"cannot listen for OTLP/gRPC on {address}")
    return server
