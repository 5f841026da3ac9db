"""Run records: saved as JSON under the results folder and written to the store.

To the store, by default through the running ``pharos serve`` (OTLP record spans that the migration-5
views turn into rows, see :mod:`pharos.sandbox.schema`); with ``store=`` (a ``Store`` the caller opened,
when no server owns the data directory) as direct inserts.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from pathlib import Path
from typing import Any

from pharos.sandbox import schema as S

__all__ = ["new_run_id", "save_json", "load_json", "send_records", "RecordSink"]


def new_run_id(prefix: str) -> str:
    return f"{prefix}-{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"


def save_json(path: Path, obj: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, default=str))
    return path


def load_json(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


class RecordSink:
    """Writes records of a kind (``load_run``, ``eval_metric``, ``eval_sample``) to the store."""

    def __init__(self, endpoint: str | None = None, store=None, service_name: str = "pharos-sandbox"):
        self.endpoint, self.store, self.service_name = endpoint, store, service_name

    def send(self, kind: str, records: list[dict[str, Any]]) -> int:
        if not records:
            return 0
        if self.store is not None:
            table = S.TABLES[kind][0]
            names = S.row_values(kind, records[0])[0]
            self.store.insert_rows(table, [S.row_values(kind, r)[1] for r in records], names)
            return len(records)
        if not self.endpoint:
            return 0
        return _send_spans(self.endpoint, self.service_name, kind, records)


def _send_spans(endpoint: str, service_name: str, kind: str, records: list[dict[str, Any]]) -> int:
    """One span per record, exported synchronously (its own provider: the application's is untouched)."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    _check_reachable(endpoint)
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces", timeout=30)
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(exporter, max_queue_size=max(2048, len(records) + 1),
                                                   max_export_batch_size=512))
    tracer = provider.get_tracer("pharos.sandbox")
    try:
        for rec in records:
            ts = rec.get("Timestamp")
            start_ns = int(ts.timestamp() * 1e9) if isinstance(ts, dt.datetime) else int(float(ts or time.time()) * 1e9)
            span = tracer.start_span(f"pharos.sandbox.{kind}", start_time=start_ns,
                                     attributes=S.record_attributes(kind, rec))
            span.end(end_time=max(start_ns, time.time_ns()))
    finally:
        provider.shutdown()
    return len(records)


def _check_reachable(endpoint: str) -> None:
    """Fail fast (instead of export retries) when nothing listens at the collector endpoint."""
    import socket
    from urllib.parse import urlparse

    u = urlparse(endpoint)
    port = u.port or (443 if u.scheme == "https" else 80)
    try:
        socket.create_connection((u.hostname or "127.0.0.1", port), timeout=5).close()
    except OSError as exc:
        raise ConnectionError(f"no collector at {endpoint} ({exc}): start `pharos serve`, set "
                              f"--collector-endpoint, or use --direct-store; the run is kept as JSON") from exc


def send_records(kind: str, records: list[dict[str, Any]], *, endpoint: str | None = None, store=None) -> int:
    return RecordSink(endpoint, store).send(kind, records)
