"""OTLP/gRPC receiver: ``TraceService/Export`` and ``MetricsService/Export``.

Handlers receive the raw request bytes (no deserializer), so the payload that is stored is the
bytes the client sent, exactly as on the HTTP path.
"""

from __future__ import annotations

import grpc

from pharos.collector.batcher import Batcher, Overloaded
from pharos.collector.http_api import export_response
from pharos.collector.access import _retry_info, grpc_principal, project_attributes
from pharos.collector.limits import DEFAULT_LIMITS, AttributeLimits
from pharos.collector.otlp import OtlpError, Signal, decode_message

__all__ = ["create_grpc_server"]

_SERVICES: dict[str, Signal] = {
    "opentelemetry.proto.collector.trace.v1.TraceService": "traces",
    "opentelemetry.proto.collector.metrics.v1.MetricsService": "metrics",
}


def _handler(batcher: Batcher, signal: Signal, max_bytes: int, limits: AttributeLimits):
    async def export(raw: bytes, context: grpc.aio.ServicerContext) -> bytes:
        if len(raw) > max_bytes:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"message exceeds the {max_bytes}-byte limit")
        try:
            decoded = decode_message(signal, raw, resource_attributes=project_attributes(grpc_principal()),
                                     limits=limits)
            await batcher.accept(decoded)
        except OtlpError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, exc.message)
        except Overloaded as exc:
            # UNAVAILABLE is retryable for OTLP exporters; they back off (RetryInfo says how long) and resend.
            message = f"store is behind, retry later: {exc}"
            await context.abort(grpc.StatusCode.UNAVAILABLE, message,
                                trailing_metadata=_retry_info(Overloaded.retry_after_s, 14, message))
        return export_response(decoded).SerializeToString()

    return grpc.unary_unary_rpc_method_handler(export, request_deserializer=None, response_serializer=None)


def create_grpc_server(batcher: Batcher, address: str, max_bytes: int, interceptors=(),
                       credentials: grpc.ServerCredentials | None = None,
                       limits: AttributeLimits = DEFAULT_LIMITS) -> grpc.aio.Server:
    """The OTLP/gRPC server; ``interceptors`` (access control) and ``credentials`` (TLS) are optional."""
    server = grpc.aio.server(interceptors=list(interceptors),
                             options=[("grpc.max_receive_message_length", max_bytes + 1024)])
    for service, signal in _SERVICES.items():
        server.add_generic_rpc_handlers(
            [grpc.method_handlers_generic_handler(service, {"Export": _handler(batcher, signal, max_bytes, limits)})])
    port = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen for OTLP/gRPC on {address}")
    return server
