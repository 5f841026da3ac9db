"""Options of the store (ClickHouse, embedded or server) and of ``pharos serve``'s listeners."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field

from pharos._config import PharosSettings

__all__ = ["DatabaseOption", "StoreSettings", "ServerSettings"]


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("pharos", appauthor=False))


class DatabaseOption(PharosSettings):
    """The ClickHouse database, shared by every group that reads or writes the store."""

    database: str = Field(default="otel", description="ClickHouse database holding every Pharos table.")


class StoreSettings(DatabaseOption):
    """Store: where traces, metrics and scores live."""

    data_dir: Path = Field(default_factory=_default_data_dir,
                           description="Directory of the embedded ClickHouse (chDB) store.")
    clickhouse_url: str | None = Field(
        default=None,
        description="Use a ClickHouse server instead of the embedded store, e.g. "
                    "http://user:password@host:8123 (https:// for TLS). Unset = embedded chDB in --data-dir.")
    cluster: str | None = Field(default=None,
                                description="ClickHouse cluster name: DDL runs ON CLUSTER with Replicated "
                                            "and Distributed engines (server mode only).")
    retention_days: int = Field(default=0, ge=0,
                                description="Drop spans and metric points older than this many days (0 = keep).")


class ServerSettings(PharosSettings):
    """Server: the listeners and batching of `pharos serve`."""

    host: str = Field(default="127.0.0.1", description="Interface the listeners bind to (0.0.0.0 for all).")
    otlp_http_port: int = Field(default=4318, description="OTLP/HTTP port (/v1/traces, /v1/metrics).")
    otlp_grpc_port: int = Field(default=4317, description="OTLP/gRPC port (TraceService, MetricsService).")
    sql_port: int = Field(default=8123, description="Read-only ClickHouse-compatible SQL (HTTP) port.")
    console_port: int = Field(default=8080, description="Port of the Pharos console (web pages); 0 = off.")
    max_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0,
                                description="Largest accepted OTLP request body, after decompression (bytes).")
    max_attribute_value_bytes: int = Field(
        default=64 * 1024, gt=0, description="Longer attribute values (and keys) are cut to this many bytes and "
                                             "end with '…[truncated N bytes]'; the span is stored, not refused.")
    max_attributes_per_span: int = Field(
        default=1024, gt=0, description="Attributes kept per span, event, link, resource or metric point (and "
                                        "entries per array or map value); the rest are dropped and counted in "
                                        "the attribute pharos.dropped_attributes_count.")
    batch_max_spans: int = Field(default=20_000, gt=0,
                                 description="Flush a batch to the store when it holds this many spans/points.")
    batch_max_age_ms: int = Field(default=500, gt=0,
                                  description="Flush a batch to the store at the latest this long after its "
                                              "first item arrived (ms).")
    buffer_max_bytes: int = Field(default=64 * 1024 * 1024, gt=0,
                                  description="Accepted data waiting for the store is capped at this many bytes; "
                                              "beyond it clients get HTTP 503 / gRPC UNAVAILABLE and retry.")
    sql_user: str | None = Field(default=None, description="User required by the SQL endpoint (unset = open).")
    sql_password: str | None = Field(default=None, description="Password required by the SQL endpoint.")
    sql_max_execution_seconds: float = Field(default=30.0, gt=0,
                                             description="Time limit of one SQL endpoint query (seconds).")
    sql_max_result_rows: int = Field(default=1_000_000, gt=0,
                                     description="Most rows one SQL endpoint query may return.")
    sql_max_memory_bytes: int = Field(default=4 * 1024**3, gt=0,
                                      description="Memory limit of one SQL endpoint query (bytes).")
