"""Schema and migrations on a real embedded ClickHouse (chDB)."""

from __future__ import annotations

import pytest

from pharos.collector.store import MIGRATIONS, SchemaOptions, StoreError, migrate
from pharos.collector.store.migrations import plan
from pharos.collector.store.schema import GENAI_COLUMNS, exporter_tables


def _tables(store) -> dict[str, str]:
    rows = store.query("SELECT name, create_table_query FROM system.tables WHERE database = {db:String}",
                       {"db": store.database})
    return dict(rows)


def _columns(store, table: str) -> list[tuple]:
    return store.query("SELECT name, type, default_kind, compression_codec FROM system.columns "
                       "WHERE database = {db:String} AND table = {t:String} ORDER BY position",
                       {"db": store.database, "t": table})


def test_fresh_store_gets_every_table_and_migrating_twice_changes_nothing(make_store):
    store = make_store()
    assert [m.version for m in migrate(store)] == [m.version for m in MIGRATIONS]
    before = _tables(store)
    assert {"otel_traces", "otel_traces_trace_id_ts", "otel_traces_trace_id_ts_mv", "otel_metrics_gauge",
            "otel_metrics_sum", "otel_metrics_histogram", "scores", "pharos_migrations"} <= set(before)
    assert migrate(store) == []
    assert _tables(store) == before
    assert int(store.command(f"SELECT count() FROM {store.database}.pharos_migrations")) == len(MIGRATIONS)


def test_tables_made_by_the_exporter_are_adopted_as_they_are(make_store):
    store = make_store()
    # What the exporter creates with `ttl: 72h` in its config, with a row it already wrote.
    for stmt in exporter_tables(SchemaOptions(store.database, retention_days=3)):
        store.command(stmt)
    store.command(f"INSERT INTO {store.database}.otel_traces (Timestamp, TraceId, SpanId, ServiceName, SpanName, "
                  f"SpanAttributes) VALUES (now64(9), 'abc', 'def', 'legacy', 'chat m', "
                  f"map('gen_ai.request.model', 'm', 'gen_ai.usage.input_tokens', '7'))")
    exporter_columns = _columns(store, "otel_traces")

    migrate(store)
    after = _columns(store, "otel_traces")
    assert after[:len(exporter_columns)] == exporter_columns  # nothing of the exporter's changed
    assert [c[0] for c in after[len(exporter_columns):]] == [name for name, _, _ in GENAI_COLUMNS]
    assert all(c[2] == "MATERIALIZED" for c in after[len(exporter_columns):])
    assert "toIntervalDay(3)" in _tables(store)["otel_traces"]  # the exporter's TTL is kept
    # the old row is still there, and the new columns compute over it
    assert store.query(f"SELECT ServiceName, GenAIRequestModel, GenAIInputTokens FROM {store.database}.otel_traces"
                       ) == [("legacy", "m", 7)]


def test_retention_ttl_is_applied(make_store):
    store = make_store(retention_days=14)
    migrate(store)
    ddl = _tables(store)
    for table in ("otel_traces", "otel_metrics_sum", "scores"):
        assert "TTL" in ddl[table] and "toIntervalDay(14)" in ddl[table], table


def test_cluster_ddl_is_on_cluster_replicated_and_distributed(make_store):
    """No ClickHouse cluster runs here: check the generated DDL and let ClickHouse parse every statement."""
    statements = plan(SchemaOptions("otel", cluster="prod", retention_days=30))
    assert all("ON CLUSTER `prod`" in s for s in statements)
    creates = [s for s in statements if s.startswith("CREATE TABLE")]
    local = [s for s in creates if "_local`" in s.split("(")[0] and "Distributed(" not in s]
    distributed = [s for s in creates if "ENGINE = Distributed(" in s]
    import re

    dist_names = {re.search(r"`otel`\.`(\w+)` ON CLUSTER", s).group(1) for s in distributed}
    local_names = {re.search(r"`otel`\.`(\w+)_local` ON CLUSTER", s).group(1) for s in local}
    assert {"otel_traces", "otel_traces_trace_id_ts", "otel_metrics_gauge", "otel_metrics_sum",
            "otel_metrics_histogram", "scores"} <= dist_names
    assert dist_names <= local_names and "pharos_migrations" in local_names  # the ledger is replicated only
    for s in local:
        assert "ENGINE = Replicated" in s and "'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'" in s
    for s in distributed:
        assert "AS `otel`.`" in s and "_local`" in s
    mv = next(s for s in statements if "MATERIALIZED VIEW" in s)
    assert "TO `otel`.`otel_traces_trace_id_ts_local`" in mv and "FROM `otel`.`otel_traces_local`" in mv
    store = make_store()
    for stmt in statements:  # every statement is valid ClickHouse SQL
        store.command(f"EXPLAIN AST {stmt}")


def test_cluster_needs_a_server(chdb_dir):
    from pharos.collector.settings import StoreSettings
    from pharos.collector.store import Store

    with pytest.raises(StoreError, match="needs a ClickHouse server"):
        Store(StoreSettings(data_dir=chdb_dir, cluster="prod"))


def test_an_upgraded_store_gets_the_same_rollup_view_as_a_fresh_one(make_store):
    """Migration 11 changes the per-minute rollup's view in place (ALTER ... MODIFY QUERY)."""
    from pharos.dashboards.rollup import ROLLUP, _select

    store = make_store()
    migrate(store)
    fresh = _tables(store)[ROLLUP + "_mv"]
    view, traces = store.schema.table(ROLLUP + "_mv"), store.schema.table("otel_traces")
    # a store migrated before version 11 has another query (there: max of tuples; here a stand-in)
    store.command(f"ALTER TABLE {view} MODIFY QUERY {_select(traces).replace('argMaxIf(', 'argMinIf(')}")
    store.command(f"ALTER TABLE {store.schema.table('pharos_migrations')} DELETE WHERE Version = 11",
                  settings={"mutations_sync": 2})
    assert "argMinIf(" in _tables(store)[ROLLUP + "_mv"]

    assert [m.version for m in migrate(store)] == [11]
    assert _tables(store)[ROLLUP + "_mv"] == fresh


def test_tuning_migrations_set_merge_fan_out_and_skip_settings_a_server_does_not_know(make_store, monkeypatch,
                                                                                      caplog):
    from pharos.collector.store import migrations

    store = make_store()
    migrate(store)
    assert "merge_selector_base = 8" in _tables(store)["otel_traces"]

    unknown = migrations.Migration(99, "a setting from a newer ClickHouse", tuning=True, statements=lambda o: [
        f"ALTER TABLE {o.table('otel_traces')} MODIFY SETTING no_such_setting_in_this_clickhouse = 1"])
    broken = migrations.Migration(100, "a broken statement", statements=lambda o: ["ALTER TABLE nowhere.t DROP x"])
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, unknown])
    assert [m.version for m in migrate(store)] == [99]  # applied (recorded), the unknown setting skipped
    assert "no_such_setting_in_this_clickhouse" in caplog.text
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    with pytest.raises(Exception):  # only unknown settings of tuning migrations are forgiven
        migrate(store)
