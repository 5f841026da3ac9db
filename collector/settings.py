"""Options of the store (ClickHouse, embedded or server) and of ``pharos serve``'s listeners."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field

from pharos._config import PharosSettings

__all__ = ["DatabaseOption", "StoreSettings", "AccessSettings", "ServerSettings"]


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
    clickhouse_ca_file: Path | None = Field(
        default=None, description="CA certificate (PEM) that signs the ClickHouse server's TLS certificate "
                                  "(https:// URLs; unset = the system CAs).")
    clickhouse_verify: bool = Field(default=True,
                                    description="Verify the ClickHouse server's TLS certificate (https:// URLs).")
    cluster: str | None = Field(default=None,
                                description="ClickHouse cluster name: DDL runs ON CLUSTER with Replicated "
                                            "and Distributed engines (server mode only).")
    retention_days: int = Field(default=0, ge=0,
                                description="Drop spans and metric points older than this many days (0 = keep).")


class AccessSettings(PharosSettings):
    """Access: API keys, rate limits and TLS of `pharos serve`'s listeners."""

    auth: Literal["auto", "on", "off"] = Field(
        default="auto", description="Require an API key (`pharos keys create`) on OTLP/HTTP, OTLP/gRPC, "
                                    "/v1/scores and the console: on, off, or auto = on unless --host is loopback.")
    auth_refresh_seconds: float = Field(default=2.0, gt=0, le=60,
                                        description="How often the server re-reads API keys (a revoked key "
                                                    "stops working within this many seconds).")
    rate_limit_per_second: float = Field(default=200.0, ge=0,
                                         description="Requests per second one API key may make (token bucket; "
                                                     "0 = unlimited). Beyond it: HTTP 429 / gRPC RESOURCE_EXHAUSTED.")
    rate_limit_burst: int = Field(default=400, gt=0,
                                  description="Requests one API key may make at once above its steady rate.")
    tls_cert_file: Path | None = Field(default=None,
                                       description="PEM certificate (chain) of the listeners; with "
                                                   "--tls-key-file every listener speaks TLS (https, gRPC TLS).")
    tls_key_file: Path | None = Field(default=None, description="PEM private key of --tls-cert-file.")


class ServerSettings(AccessSettings):
    """Server: the listeners and batching of `pharos serve`."""

    host: str = Field(default="127.0.0.1", description="Interface the listeners bind to (0.0.0.0 for all).")
    otlp_http_port: int = Field(default=4318, description="OTLP/HTTP port (/v1/traces, /v1/metrics).")
    otlp_grpc_port: int = Field(default=4317, description="OTLP/gRPC port (TraceService, MetricsService).")
    sql_port: int = Field(default=8123, description="Read-only ClickHouse-compatible SQL (HTTP) port.")
    console_port: int = Field(default=8080, description="Port of the Pharos console (web pages); 0 = off.")
    max_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0,
                                description="Largest accepted OTLP request body, after decompression (bytes).")
    max_attribute_value_bytes: int = Field(
        default=64 * 1024, gt=0, description="Longer attribute values are cut to this many bytes (keys: to this or "
                                             "1 KiB, whichever is larger) and end with '…[truncated N bytes]'; the "
                                             "span is stored, not refused.")
    max_attributes_per_span: int = Field(
        default=1024, gt=0, description="Attributes kept per span, event, link, resource or metric point (and "
                                        "entries per array or map value); the rest are dropped and counted in "
                                        "the attribute pharos.dropped_attributes_count.")
    batch_max_spans: int = Field(default=60_000, gt=0,
                                 description="Flush a batch to the store when it holds this many spans/points "
                                             "(each insert has a fixed cost; its memory does not grow with it).")
    batch_max_age_ms: int = Field(default=1000, gt=0,
                                  description="Flush a batch to the store at the latest this long after its "
                                              "first item arrived (ms).")
    buffer_max_bytes: int = Field(default=1024**3, gt=0,
                                  description="Accepted data waiting in the write-ahead log for the store is capped "
                                              "at this many bytes; beyond it clients get HTTP 503 / gRPC UNAVAILABLE "
                                              "and retry.")
    wal_fsync: Literal["always", "interval", "off"] = Field(
        default="always", description="When the write-ahead log (DATA_DIR/wal) is fsynced: always = before each "
                                      "acknowledgement (concurrent requests share one fsync), interval = every "
                                      "--wal-fsync-interval-ms (a power cut can lose that window), off = by the OS.")
    wal_fsync_interval_ms: int = Field(default=100, gt=0,
                                       description="fsync period of the write-ahead log with --wal-fsync interval.")
    wal_segment_bytes: int = Field(default=64 * 1024 * 1024, gt=0,
                                   description="Size at which the write-ahead log starts a new segment file.")
    sql_user: str | None = Field(default=None, description="User required by the SQL endpoint (unset = open).")
    sql_password: str | None = Field(default=None, description="Password required by the SQL endpoint.")
    sql_max_execution_seconds: float = Field(default=30.0, gt=0,
                                             description="Time limit of one SQL endpoint query (seconds).")
    sql_max_result_rows: int = Field(default=1_000_000, gt=0,
                                     description="Most rows one SQL endpoint query may return.")
    sql_max_memory_bytes: int = Field(default=4 * 1024**3, gt=0,
                                      description="Memory limit of one SQL endpoint query (bytes).")
