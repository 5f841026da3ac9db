"""The embedded store's SQL endpoint (pharos serve's read-only ClickHouse HTTP interface) answers every
dashboard and alert query the same as the store itself, over the same client Grafana's plugin would use (HTTP)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pharos.dashboards import alerts, macros

pytest.importorskip("pharos.collector.sql_api", reason="the collector's SQL endpoint is not available")
pytest.importorskip("uvicorn", reason="needs the server extra (uvicorn)")


@pytest.fixture(scope="module")
def endpoint(store):
    import clickhouse_connect

    port = store.serve_sql()
    client = clickhouse_connect.get_client(host="127.0.0.1", port=port, username="default", password="")
    yield client
    client.close()


def _plain(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def test_every_query_answers_the_same(endpoint, store, seed, panels, settings):
    start = datetime.fromtimestamp(seed.now - 3600, tz=timezone.utc)
    end = datetime.fromtimestamp(seed.now, tz=timezone.utc)
    variables = {"service": ["chat-api"], "environment": None, "model": None, "evaluator": None,
                 "trace_id": "trace00"}
    queries = list(panels.values()) + [alerts.sql.in_db(s.query, "otel") for s in alerts.specs(settings)]
    compared = 0
    for sql in queries:
        expanded = macros.expand(sql, start=start, end=end, interval_s=600, variables=variables)
        direct = store.query(expanded)
        via_endpoint = endpoint.query(expanded)
        rows = [dict(zip(via_endpoint.column_names, map(_plain, row))) for row in via_endpoint.result_rows]
        # rows that tie on a query's ORDER BY (two models in one time bucket) may come in either order
        assert sorted(rows, key=repr) == sorted(direct, key=repr), expanded
        compared += 1
    assert compared == len(queries) >= 45
