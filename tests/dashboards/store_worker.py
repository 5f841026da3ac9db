"""A chDB store in its own process, driven over stdin/stdout with one JSON object per line.

chDB allows one data directory per process, so the dashboard tests keep theirs here and cannot collide with
any other test's store. Requests: {"op": "command"|"query"|"insert", "sql"?, "table"?, "columns"?, "rows"?}.
Answers: {"columns": [...], "rows": [[...]]} or {"error": "..."}. Datetimes come back as epoch seconds.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sys
import uuid


def _plain(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal,)):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and value != value:
        return None
    return value


def _serve_sql(path: str) -> int:
    """Start pharos serve's read-only SQL endpoint (the collector's app) over this store; return its port."""
    import socket
    import threading
    import time

    import clickhouse_connect
    import uvicorn

    from pharos.collector.sql_api import create_sql_app, reader_settings

    limits = reader_settings(30.0, 1_000_000, 4 * 1024**3)
    app = create_sql_app(lambda: clickhouse_connect.get_client(dsn=f"chdb://{path}", database="otel",
                                                               settings=limits), database="otel")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return sock.getsockname()[1]


def main(path: str) -> None:
    import clickhouse_connect

    client = clickhouse_connect.get_client(dsn=f"chdb://{path}")
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["op"] == "serve_sql":
                out = {"port": _serve_sql(path)}
            elif req["op"] == "command":
                client.command(req["sql"])
                out = {"ok": True}
            elif req["op"] == "insert":
                client.insert(req["table"], req["rows"], column_names=req["columns"])
                out = {"ok": True}
            else:
                result = client.query(req["sql"])
                out = {"columns": list(result.column_names), "rows": _plain(result.result_rows)}
        except Exception as exc:  # reported to the test, which fails with the message
            out = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
