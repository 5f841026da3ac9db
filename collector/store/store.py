"""The store: one ClickHouse, embedded (chDB in a data directory) or a server, behind clickhouse-connect.

``Store(settings)`` opens it; every part of Pharos reads and writes through it. chDB allows one OS
process per data directory, so in embedded mode the process running ``pharos serve`` owns the store
and other processes query it through the SQL endpoint.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import uuid
from pathlib import Path
from typing import Any, Sequence

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from pharos.collector.settings import StoreSettings
from pharos.collector.store import otlp_sql
from pharos.collector.store.schema import METRIC_TABLES, SCORE_COLUMNS, TRACES, SchemaOptions, quote

__all__ = ["Store", "StoreError"]

log = logging.getLogger(__name__)

# Largest block of OTLP requests the insert's parser hands on at once (see Store._insert_protobuf).
INPUT_BLOCK_BYTES = 8 * 1024 * 1024


class StoreError(RuntimeError):
    """The store refused or failed an operation."""


class Store:
    def __init__(self, settings: StoreSettings | None = None):
        self.settings = settings or StoreSettings()
        self.embedded = self.settings.clickhouse_url is None
        self.schema = SchemaOptions(self.settings.database, self.settings.cluster, self.settings.retention_days)
        if self.embedded and self.settings.cluster:
            raise StoreError("--cluster needs a ClickHouse server (--clickhouse-url); the embedded store is one node")
        self._spool = Path(self.settings.data_dir) / "spool" if self.embedded else None
        self._schema_file = self._write_schema_file() if self.embedded else None
        self._lock = threading.Lock()
        self.client = self.new_client()
        self.client.command(f"CREATE DATABASE IF NOT EXISTS {quote(self.database)} {self.schema.on_cluster}")
        self.client.database = self.database

    # ---- connections ---------------------------------------------------------------------------
    @property
    def database(self) -> str:
        return self.settings.database

    @property
    def location(self) -> str:
        """Where the data lives, without credentials (safe to log)."""
        if self.embedded:
            return f"embedded chDB at {Path(self.settings.data_dir).resolve()}"
        from urllib.parse import urlsplit

        url = urlsplit(self.settings.clickhouse_url or "")
        return f"ClickHouse server {url.scheme}://{url.hostname}:{url.port or ''}"

    def new_client(self, settings: dict[str, Any] | None = None, database: str | None = None) -> Client:
        """A new connection (its own session: settings such as ``readonly`` stay on it)."""
        if self.embedded:
            path = Path(self.settings.data_dir)
            path.mkdir(parents=True, exist_ok=True)
            return clickhouse_connect.get_client(dsn=f"chdb://{path.resolve()}", database=database,
                                                 settings=settings or {})
        from pharos.collector.tls import clickhouse_tls

        return clickhouse_connect.get_client(dsn=self.settings.clickhouse_url, database=database,
                                             settings=settings or {}, autogenerate_session_id=False,
                                             **clickhouse_tls(self.settings))

    def close(self) -> None:
        self.client.close()

    # ---- reads and commands ----------------------------------------------------------------------
    def command(self, sql: str, **kwargs: Any) -> Any:
        return self.client.command(sql, **kwargs)

    def query(self, sql: str, parameters: dict[str, Any] | None = None) -> list[tuple]:
        return self.client.query(sql, parameters=parameters).result_rows

    def count(self, table: str) -> int:
        return int(self.client.command(f"SELECT count() FROM {quote(self.database)}.{quote(table)}"))

    def _write_schema_file(self) -> Path:
        # chDB reads the OTLP schema from a file in the data directory (given inline, ClickHouse
        # would cache it under the process' working directory).
        path = Path(self.settings.data_dir) / "format_schemas" / "otlp.proto"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != otlp_sql.PROTO_SCHEMA:
            path.write_text(otlp_sql.PROTO_SCHEMA)
        return path.resolve()

    def _protobuf_settings(self, message: str) -> dict[str, Any]:
        settings: dict[str, Any] = {"input_format_protobuf_oneof_presence": 1, **self._optional_insert_settings}
        if self._schema_file is not None:
            settings["format_schema"] = f"{self._schema_file}:{message}"
        else:  # a server: send the schema with the query
            settings.update(format_schema_source="string", format_schema=otlp_sql.PROTO_SCHEMA,
                            format_schema_message_name=message)
        return settings

    @functools.cached_property
    def _optional_insert_settings(self) -> dict[str, Any]:
        """Insert settings that newer ClickHouse versions know (chDB does), sent only where the store knows them:
        - ``input_format_max_block_size_bytes``: the parser hands the insert blocks of at most INPUT_BLOCK_BYTES of
          requests, so the nested rows of a large batch are never all in memory at once;
        - ``materialize_skip_indexes_on_insert = 0``: skip indexes (the exporter's bloom filters) are built when
          parts merge, which rebuilds them anyway, rather than for each inserted part too. Until its first merge a
          part is read without them."""
        wanted = {"input_format_max_block_size_bytes": INPUT_BLOCK_BYTES, "materialize_skip_indexes_on_insert": 0}
        known = {row[0] for row in self.query("SELECT name FROM system.settings WHERE name IN {names:Array(String)}",
                                              {"names": list(wanted)})}
        return {name: value for name, value in wanted.items() if name in known}

    # ---- writes ------------------------------------------------------------------------------------
    def insert_rows(self, table: str, rows: list[list[Any]], columns: list[str]) -> None:
        self.client.insert(table, rows, column_names=columns, database=self.database)

    def insert_otlp_traces(self, requests: bytes | Sequence[bytes], dedup_token: str | None = None) -> None:
        """Store serialized ``ExportTraceServiceRequest``s (one, or a batch) in one insert. Inserts repeated
        with the same ``dedup_token`` are stored once (see :mod:`pharos.collector.wal`)."""
        target = f"{quote(self.database)}.{quote(TRACES)}"
        self._insert_protobuf([lambda src: otlp_sql.traces_insert_select(target, src)],
                              otlp_sql.TRACES_STRUCTURE, otlp_sql.TRACE_MESSAGE, requests, dedup_token)

    def insert_otlp_metrics(self, requests: bytes | Sequence[bytes], dedup_token: str | None = None) -> None:
        """Store serialized ``ExportMetricsServiceRequest``s (one, or a batch)."""
        tables = {name.removeprefix("otel_metrics_"): f"{quote(self.database)}.{quote(name)}" for name in METRIC_TABLES}
        builders = [lambda src, i=i: otlp_sql.metrics_insert_selects(tables, src)[i] for i in range(3)]
        self._insert_protobuf(builders, otlp_sql.METRICS_STRUCTURE, otlp_sql.METRICS_MESSAGE, requests, dedup_token)

    def insert_score_rows(self, chunks: bytes | Sequence[bytes], dedup_token: str | None = None) -> None:
        """Store score rows sent as JSON lines (each line a list in ``SCORE_COLUMNS`` order), in one chunk or
        several."""
        import json

        chunks = [chunks] if isinstance(chunks, bytes) else chunks
        rows = [json.loads(line) for chunk in chunks for line in chunk.splitlines() if line.strip()]
        self.client.insert(self.schema.local_name("scores"), rows, column_names=SCORE_COLUMNS,
                           database=self.database, settings=_dedup_settings(dedup_token))

    def _insert_protobuf(self, builders, structure: str, message: str, requests: bytes | Sequence[bytes],
                         dedup_token: str | None = None) -> None:
        # Each request is one row of ClickHouse's length-delimited Protobuf format, parsed in blocks (see
        # _optional_insert_settings); the insert squashes the flat output back into one part.
        requests = [requests] if isinstance(requests, bytes) else requests
        parts = [part for r in requests for part in (_varint(len(r)), r)]
        base = self._protobuf_settings(message)
        # one token per statement: the metric kinds are separate inserts
        settings = [{**base, **_dedup_settings(dedup_token and f"{dedup_token}-{i}")} for i in range(len(builders))]
        if not self.embedded:
            source = f"input($${structure}$$)"
            payload = b"".join(parts)
            for build, s in zip(builders, settings):
                self.client.command(build(source) + "\nFORMAT Protobuf", data=payload, settings=s)
            return
        # chDB has no request body: the batch goes through a spool file that ClickHouse reads with file().
        assert self._spool is not None
        self._spool.mkdir(parents=True, exist_ok=True)
        path = self._spool / f"{uuid.uuid4().hex}.pb"
        try:
            _write_parts(path, parts)
            source = f"file('{path}', 'Protobuf', $${structure}$$)"
            with self._lock:
                for build, s in zip(builders, settings):
                    self.client.command(build(source), settings=s)
        finally:
            path.unlink(missing_ok=True)  # (also after a failed write: no spool file is left behind)


def _write_parts(path: Path, parts: list[bytes]) -> None:
    """Write ``parts`` one after the other into a new file, without joining them first (a batch is tens of MB:
    joining it cost more than writing it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for i in range(0, len(parts), _IOV_MAX):
            chunk = parts[i:i + _IOV_MAX]
            written = os.writev(fd, chunk)
            if written < sum(map(len, chunk)):  # a short write (rare on a regular file): write the rest plainly
                rest = memoryview(b"".join(chunk))[written:]
                while rest:
                    rest = rest[os.write(fd, rest):]
    finally:
        os.close(fd)


_IOV_MAX = os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 1024


def _varint(n: int) -> bytes:
    """``n`` as a protobuf varint (the length prefix of a length-delimited message)."""
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _dedup_settings(token: str | None) -> dict[str, Any]:
    if not token:
        return {}
    return {"insert_deduplicate": 1, "insert_deduplication_token": token,
            "deduplicate_blocks_in_dependent_materialized_views": 1}
