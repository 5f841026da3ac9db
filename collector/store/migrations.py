"""Versioned, idempotent schema migrations (``pharos migrate``; also run by ``pharos serve`` on start).

Applied versions are recorded in ``pharos_migrations``. Every statement is itself idempotent
(``IF NOT EXISTS``), so a migration interrupted half-way simply runs again. To change the schema,
append a migration; never edit one that has shipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from pharos.collector.store import schema
from pharos.collector.store.schema import SchemaOptions

__all__ = ["Migration", "MIGRATIONS", "migrate", "plan", "applied_versions"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: Callable[[SchemaOptions], list[str]]
    # A tuning migration only sets table settings: a ClickHouse server too old to know one keeps its default
    # (logged) rather than failing the migration.
    tuning: bool = False
    # Query settings the statements run with.
    settings: dict[str, int] = field(default_factory=dict)


MIGRATIONS: list[Migration] = [
    Migration(1, "OTel Collector ClickHouse exporter tables", schema.exporter_tables),
    Migration(2, "MATERIALIZED GenAI columns on otel_traces", schema.genai_columns),
    Migration(3, "Pharos scores table", schema.pharos_tables),
    Migration(4, "scores from feedback spans (materialized view)", schema.feedback_scores_view),
    Migration(5, "sandbox load/eval run tables + views from record spans", lambda o: __import__("pharos.sandbox.schema", fromlist=["_"]).sandbox_tables(o)),
    Migration(6, "online evaluator progress, retries, workers, health", lambda o: __import__("pharos.evaluators.schema", fromlist=["_"]).evaluator_tables(o)),
    Migration(7, "deduplicate replayed write-ahead-log inserts", schema.insert_deduplication),
    Migration(8, "API keys; project of scores from feedback spans",
              lambda o: __import__("pharos.collector.auth", fromlist=["_"]).access_tables(o)),
    Migration(9, "rollups of LLM calls (per minute, 10-minute digests) and the content search table (+ backfill)",
              lambda o: __import__("pharos.dashboards.rollup", fromlist=["_"]).migration_9(o)),
    Migration(10, "compact parts for batch-sized inserts", schema.compact_parts),
    # (MODIFY QUERY of a view needed this setting before ClickHouse 24.1; later versions accept it as obsolete)
    Migration(11, "per-minute rollup view: slowest calls by argMaxIf",
              lambda o: __import__("pharos.dashboards.rollup", fromlist=["_"]).migration_11(o),
              settings={"allow_experimental_alter_materialized_view_structure": 1}),
    Migration(12, "otel_traces merges more parts at once", schema.merge_fan_out, tuning=True),
]


def _ledger_ddl(opts: SchemaOptions) -> str:
    return f"""CREATE TABLE IF NOT EXISTS {opts.table('pharos_migrations')} {opts.on_cluster} (
    Version UInt32, Name String, AppliedAt DateTime64(3) DEFAULT now64(3)
) ENGINE = {opts.engine('ReplacingMergeTree')} ORDER BY Version"""


def plan(opts: SchemaOptions) -> list[str]:
    """Every statement a fresh store gets, in order (for review, and to test cluster DDL)."""
    return [_ledger_ddl(opts)] + [stmt for m in MIGRATIONS for stmt in m.statements(opts)] + _retention(opts)


def applied_versions(store) -> set[int]:
    rows = store.query(f"SELECT DISTINCT Version FROM {store.schema.table('pharos_migrations')}")
    return {int(r[0]) for r in rows}


def _retention(opts: SchemaOptions) -> list[str]:
    if not opts.retention_days:
        return []  # keep whatever TTL the tables have (the exporter may have set one)
    stmts = [f"ALTER TABLE {opts.table(t)} {opts.on_cluster} MODIFY {opts.ttl(col)}"
             for t, col in [(schema.TRACES, "Timestamp"), (schema.TRACES + "_trace_id_ts", "Start"),
                            ("scores", "Timestamp")]]
    stmts += [f"ALTER TABLE {opts.table(t)} {opts.on_cluster} MODIFY {opts.ttl('TimeUnix')}"
              for t in schema.METRIC_TABLES]
    return stmts


def migrate(store) -> list[Migration]:
    """Bring the store's schema up to date; returns the migrations applied now (empty when current)."""
    opts = store.schema
    store.command(_ledger_ddl(opts))
    done = applied_versions(store)
    applied = []
    for migration in MIGRATIONS:
        if migration.version in done:
            continue
        log.info("applying migration %d: %s", migration.version, migration.name)
        for stmt in migration.statements(opts):
            try:
                store.command(stmt, settings=migration.settings or None)
            except Exception as exc:
                if not (migration.tuning and "UNKNOWN_SETTING" in str(exc)):
                    raise
                log.warning("migration %d: this ClickHouse does not know a setting, keeping its default: %s",
                            migration.version, str(exc).splitlines()[0][:300])
        store.insert_rows(opts.local_name("pharos_migrations"), [[migration.version, migration.name]], ["Version", "Name"])
        applied.append(migration)
    for stmt in _retention(opts):
        store.command(stmt, settings={"materialize_ttl_after_modify": 0})
    return applied
