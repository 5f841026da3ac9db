"""The read-only SQL endpoint: real ClickHouse clients read; nothing else gets through."""

from __future__ import annotations

import httpx
import pytest
from clickhouse_connect.driver.exceptions import DatabaseError

from pharos.collector.sql_api import split_statements
from pharos_testing import PharosProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = PharosProcess(tmp_path_factory.mktemp("sql") / "data",
                      args=["--sql-user", "grafana", "--sql-max-result-rows", "10000",
                            "--sql-max-execution-seconds", "1"],
                      env={"PHAROS_SQL_PASSWORD": "s3cret-pass"}).start()
    yield s
    s.stop()


def _get(server, query: str, **kwargs) -> httpx.Response:
    return httpx.get(f"{server.sql_url}/", params={"query": query}, timeout=30, **kwargs)


def test_credentials_are_required(server):
    assert _get(server, "SELECT 1").status_code == 401
    assert _get(server, "SELECT 1", auth=("grafana", "wrong")).status_code == 401
    ok = _get(server, "SELECT 1", auth=("grafana", "s3cret-pass"))
    assert ok.status_code == 200 and ok.text == "1\n"
    ok = httpx.get(f"{server.sql_url}/", params={"query": "SELECT 2"}, timeout=10,
                   headers={"X-ClickHouse-User": "grafana", "X-ClickHouse-Key": "s3cret-pass"})
    assert ok.text == "2\n"
    assert "s3cret-pass" not in server.log()


def test_clickhouse_connect_reads_the_store(server):
    client = server.sql_client(username="grafana", password="s3cret-pass")
    tables = {r[0] for r in client.query("SELECT name FROM system.tables WHERE database = 'otel'").result_rows}
    assert {"otel_traces", "otel_traces_trace_id_ts", "otel_metrics_gauge", "otel_metrics_sum",
            "otel_metrics_histogram", "scores"} <= tables
    df = client.query_df("SELECT number, toString(number) AS s FROM numbers(5)")
    assert list(df["number"]) == [0, 1, 2, 3, 4]
    fmt = _get(server, "SELECT 1 AS x FORMAT JSONEachRow", auth=("grafana", "s3cret-pass"))
    assert fmt.json() == {"x": 1}
    assert fmt.headers["X-ClickHouse-Format"] == "JSONEachRow"


def test_typed_query_parameters_arrive_as_values(server):
    client = server.sql_client(username="grafana", password="s3cret-pass")
    rows = client.query("SELECT arrayJoin({ids:Array(String)}) AS id, {n:UInt32} + 1, {s:String}",
                        parameters={"ids": ["a", "it's", "c"], "n": 41, "s": "x'y"}).result_rows
    assert rows == [("a", 42, "x'y"), ("it's", 42, "x'y"), ("c", 42, "x'y")]
    bad = httpx.get(f"{server.sql_url}/", auth=("grafana", "s3cret-pass"), timeout=30,
                    params={"query": "SELECT {ids:Array(String)}", "param_ids": "['a"})
    assert bad.status_code == 400 and "cannot be parsed as Array(String)" in bad.text


@pytest.mark.parametrize("statement, needle", [
    ("INSERT INTO otel.scores (Name) VALUES ('x')", "readonly"),
    ("DROP TABLE otel.otel_traces", "readonly"),
    ("CREATE TABLE t (a Int8) ENGINE = Memory", "readonly"),
    ("ALTER TABLE otel.otel_traces DELETE WHERE 1", "readonly"),
    ("SET max_result_rows = 0", "readonly"),
    ("SELECT 1 SETTINGS max_execution_time = 1000", "readonly"),
    ("SELECT 1 SETTINGS readonly = 0", "readonly"),
    ("SELECT 1; DROP TABLE otel.otel_traces", "one statement"),
    ("SELECT number FROM numbers(100000)", "limit for result"),
    ("SELECT count() FROM numbers_mt(1e12)", "timeout"),
    ("SELECT * FROM file('/etc/passwd', 'LineAsString')", "file() is not allowed"),
    ("SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')", "url() is not allowed"),
    ("SELECT * FROM executable('ls', 'TSV', 'x String')", "executable() is not allowed"),
    ("SELECT * FROM Python(store)", "Python() is not allowed"),
    ("SELECT * FROM remote('127.0.0.1', system.one)", "remote() is not allowed"),
    ("SELECT 1 WHERE 1 IN (SELECT * FROM s3('http://h/b/k', 'CSV'))", "s3() is not allowed"),
])
def test_writes_and_limit_lifts_are_refused(server, statement, needle):
    response = _get(server, statement, auth=("grafana", "s3cret-pass"))
    assert response.status_code in (400, 403)
    assert needle.lower() in response.text.lower(), response.text
    # and the store is intact
    assert _get(server, "EXISTS TABLE otel.otel_traces", auth=("grafana", "s3cret-pass")).text == "1\n"


def test_clickhouse_connect_surfaces_refusals(server):
    client = server.sql_client(username="grafana", password="s3cret-pass")
    with pytest.raises(DatabaseError, match="readonly"):
        client.command("TRUNCATE TABLE otel.scores")


def test_split_statements_respects_quotes_and_comments():
    assert split_statements("SELECT ';' -- a;b\n, 2;") == ["SELECT ';' \n, 2"]
    assert split_statements("SELECT 1; /* ; */ SELECT 2") == ["SELECT 1", "SELECT 2"]
    assert split_statements("SELECT `a;b` FROM t") == ["SELECT `a;b` FROM t"]
