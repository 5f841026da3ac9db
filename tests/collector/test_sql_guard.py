"""Every form the read-only SQL endpoint must refuse (issue 7, SQL bullet), each with a clear message,
checked in-process on the real ClickHouse engine (chDB) through the endpoint's own app.

Covered elsewhere against a running `pharos serve` (test_sql_endpoint.py): credentials, clickhouse-connect
reads, and a first sample of these refusals."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pharos.collector.sql_api import create_sql_app, reader_settings
from pharos.collector.store import migrate

USER, PASSWORD = "grafana", "guard-pass-9"


@pytest.fixture
def sql(make_store):
    store = make_store()
    migrate(store)
    limits = reader_settings(2.0, 1000, 64 * 1024 * 1024)
    app = create_sql_app(lambda: store.new_client(settings=limits, database=store.database), USER, PASSWORD,
                         store.database)
    client = TestClient(app)

    def run(query: str, **params):
        return client.get("/", params={"query": query, "user": USER, "password": PASSWORD, **params})

    yield run
    client.close()


# Table functions that reach files, URLs, other hosts, processes or the server's Python objects.
REACHING = [
    "file('/etc/passwd', 'LineAsString')", "FILE('/etc/passwd', 'LineAsString')",
    "fileCluster('default', '/etc/passwd', 'LineAsString')",
    "url('http://127.0.0.1:1/', 'CSV', 'a Int8')", "urlCluster('default', 'http://h/x', 'CSV', 'a Int8')",
    "remote('127.0.0.1', system.one)", "remoteSecure('127.0.0.1', system.one)",
    "cluster('default', system.one)", "clusterAllReplicas('default', system.one)",
    "s3('http://h/b/k', 'CSV', 'a Int8')", "s3Cluster('default', 'http://h/b/k', 'CSV', 'a Int8')",
    "gcs('http://h/b/k', 'CSV', 'a Int8')", "azureBlobStorage('http://h', 'c', 'b')",
    "hdfs('hdfs://h:9000/x', 'TSV', 'a String')", "icebergS3('http://h/x')", "deltaLake('http://h/x')",
    "hudi('http://h/x')",
    "mysql('127.0.0.1:3306', 'db', 't', 'u', 'p')", "postgresql('127.0.0.1:5432', 'db', 't', 'u', 'p')",
    "mongodb('h:27017', 'db', 'c', 'u', 'p', 'a String')", "redis('h:6379', 'k', 'k String')",
    "sqlite('/tmp/x.db', 't')", "jdbc('x', 'y', 'z')", "odbc('x', 'y', 'z')",
    "executable('ls', 'TSV', 'x String')", "Python(store)", "input('a String')",
    "merge('system', '^one$')", "dictionary('d')",
]


@pytest.mark.parametrize("call", REACHING)
def test_table_functions_that_reach_out_are_refused(sql, call):
    name = call.split("(")[0]
    response = sql(f"SELECT * FROM {call}")
    assert response.status_code == 403, response.text
    assert f"Table function {name}() is not allowed on the read-only SQL endpoint" in response.text


@pytest.mark.parametrize("query", [
    "WITH x AS (SELECT * FROM file('/etc/passwd', 'LineAsString')) SELECT * FROM x",
    "SELECT * FROM system.one WHERE dummy IN (SELECT 0 FROM url('http://127.0.0.1:1/', 'CSV', 'a Int8'))",
    "SELECT dummy FROM system.one UNION ALL SELECT 1 FROM executable('ls', 'TSV', 'x String')",
    "SELECT * FROM view(SELECT * FROM file('/etc/passwd', 'LineAsString'))",
    "SELECT * FROM system.one AS o JOIN s3('http://h/b/k', 'CSV', 'a Int8') AS s ON 1",
    "SELECT (SELECT count() FROM remote('127.0.0.1', system.one))",
])
def test_nested_table_functions_are_found(sql, query):
    response = sql(query)
    assert response.status_code == 403 and "is not allowed on the read-only SQL endpoint" in response.text


@pytest.mark.parametrize("query", ["SELECT file('/etc/passwd')", "SELECT length(file('/etc/hostname'))",
                                   "SELECT arrayMap(p -> file(p), ['/etc/passwd'])",
                                   "SELECT hasColumnInTable('127.0.0.1', 'system', 'one', 'dummy')"])
def test_functions_that_read_files_or_hosts_are_refused(sql, query):
    response = sql(query)
    assert response.status_code == 403, response.text
    assert "is not allowed on the read-only SQL endpoint: it reads files or reaches other hosts" in response.text
    assert "root:" not in response.text


@pytest.mark.parametrize("query", [
    "INSERT INTO scores (Name) VALUES ('x')",
    "INSERT INTO FUNCTION file('/tmp/pharos-x.tsv', 'TSV', 'a Int8') VALUES (1)",
    "ALTER TABLE otel_traces DELETE WHERE 1",
    "DELETE FROM scores WHERE 1",
    "TRUNCATE TABLE scores",
    "OPTIMIZE TABLE scores FINAL",
    "DROP TABLE otel_traces",
    "CREATE TABLE t (a Int8) ENGINE = Memory",
    "CREATE TEMPORARY TABLE tt (a Int8) ENGINE = Memory",
    "CREATE VIEW v AS SELECT 1",
    "RENAME TABLE scores TO s2",
    "GRANT ALL ON *.* TO default",
    "SYSTEM FLUSH LOGS",
    "KILL QUERY WHERE 1",
    "USE system",
    "SET readonly = 0",
    "SET max_result_rows = 0",
    "SET max_memory_usage = 0",
    "SET max_execution_time = 0",
])
def test_writes_ddl_and_set_are_refused(sql, query):
    response = sql(query)
    assert response.status_code == 403, response.text
    assert "Only reads (SELECT, SHOW TABLES/COLUMNS/CREATE, DESCRIBE, EXISTS, EXPLAIN) run on" in response.text
    assert sql("EXISTS TABLE scores").text == "1\n"


@pytest.mark.parametrize("query", [
    "SELECT 1 SETTINGS readonly = 0",
    "SELECT 1 SETTINGS max_execution_time = 1000",
    "SELECT 1 SETTINGS max_memory_usage = 0",
    "SELECT 1 SETTINGS max_result_rows = 0, result_overflow_mode = 'break'",
    "SELECT 1 SETTINGS additional_table_filters = {'otel_traces': '1'}",
])
def test_settings_that_lift_limits_are_refused(sql, query):
    response = sql(query)
    assert response.status_code == 403, response.text
    assert "in readonly mode" in response.text


def test_settings_in_url_parameters_are_ignored(sql):
    response = sql("SELECT number FROM numbers(5000)", max_result_rows="0", readonly="0", max_execution_time="0")
    assert response.status_code == 400 and "Limit for result exceeded" in response.text


@pytest.mark.parametrize("query", ["SELECT 1; SELECT 2", "SELECT 1; DROP TABLE otel_traces",
                                   "SELECT 1 /* ; */; SELECT ';'"])
def test_multiple_statements_are_refused(sql, query):
    response = sql(query)
    assert response.status_code == 400
    assert "Exactly one statement per request is allowed" in response.text


def test_limits(sql):
    rows = sql("SELECT number FROM numbers(5000)")
    assert rows.status_code == 400 and "Limit for result exceeded" in rows.text
    memory = sql("SELECT groupArray(number) FROM numbers(50000000)")
    assert memory.status_code == 400 and "memory limit exceeded" in memory.text.lower()
    slow = sql("SELECT count() FROM numbers_mt(1e12)")
    assert slow.status_code == 400 and "timeout" in slow.text.lower()


def test_a_closed_endpoint_refuses_everything_with_the_reason(make_store):
    store = make_store()
    app = create_sql_app(lambda: store.new_client(database=store.database), None, None, store.database,
                         closed="The SQL endpoint is closed: set --sql-user.")
    with TestClient(app) as client:
        response = client.get("/", params={"query": "SELECT 1"})
        assert response.status_code == 401 and "The SQL endpoint is closed: set --sql-user." in response.text
        assert client.get("/ping").status_code == 200


def test_reads_still_work(sql):
    assert sql("SELECT 1;").text == "1\n"
    assert "scores" in sql("SHOW TABLES").text
    assert "Timestamp" in sql("DESCRIBE TABLE scores").text
    assert sql("EXPLAIN SELECT 1").status_code == 200
    assert sql("SELECT count() FROM numbers(10)").text == "10\n"
    assert sql("SELECT * FROM generateRandom('a Int8') LIMIT 1").status_code == 200
    assert sql("SELECT count() FROM otel_traces").text == "0\n"
    assert sql("SELECT name FROM system.tables WHERE name = 'scores' AND database = currentDatabase()").text \
        == "scores\n"
