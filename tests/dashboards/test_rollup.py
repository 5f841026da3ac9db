"""The rollups the dashboards read (migration 9): long ranges go to the 10-minute t-digests and give the same
numbers within the digest's accuracy; the migration backfills spans stored before it, once."""

from __future__ import annotations

import pytest

OV, MD = "pharos-overview", "pharos-models"
SEVEN_HOURS = 7 * 3600  # over rollup.SHORT_RANGE_S: the digest branch


def test_long_range_reads_the_digests(run, panels, seed, spans):
    # the 18 calls of the last hour and the 2-hour-old one
    calls = [c for c in spans.all if c.model and c.offset_s <= SEVEN_HOURS]
    assert len(calls) == 19
    [row] = run(panels[(OV, "Requests/s")], window_s=SEVEN_HOURS)
    assert row["rps"] * SEVEN_HOURS == pytest.approx(19)
    durations = sorted(c.duration_s for c in calls)
    [row] = run(panels[(OV, "p95 latency")], window_s=SEVEN_HOURS)
    # a t-digest of 19 values (Float32 centroids): between the neighbours of the exact rank
    assert durations[-3] <= row["p95"] <= durations[-1] * (1 + 1e-6)
    rows = run(panels[(OV, "Latency p50 / p95 / p99")], window_s=SEVEN_HOURS)
    assert rows and all(r["time"] % 600 == 0 for r in rows)  # 10-minute points
    [old] = [r for r in rows if r["time"] == seed.ts(2 * 3600) - seed.ts(2 * 3600) % 600]
    assert old["p50"] == pytest.approx(30.0)  # the lone 30 s call of two hours ago
    top = {r["model"]: r for r in run(panels[(MD, "Top models")], window_s=SEVEN_HOURS)}
    assert top["gpt-4o"]["calls"] == 14 and top["llama-3-8b"]["p95"] == pytest.approx(0.5)


def test_both_branches_filter_by_the_variables(run, panels, seed, q):
    exact = run(panels[(OV, "p95 latency")], model=["gpt-4o"])[0]["p95"]  # 1 hour: the exact states
    assert exact == pytest.approx(q([c.duration_s for c in seed.calls if c.model == "gpt-4o"], 0.95))
    rows = run(panels[(MD, "p95 latency by model")], window_s=SEVEN_HOURS, model=["llama-3-8b"])
    assert {r["model"] for r in rows} == {"llama-3-8b"} and all(r["p95"] == pytest.approx(0.5) for r in rows)


def test_migration_backfills_stored_spans_once(store, seed, spans):
    from pharos.collector.store import schema
    from pharos.dashboards.rollup import rollup_tables

    opts = schema.SchemaOptions(database="backfill")
    store.command("CREATE DATABASE IF NOT EXISTS backfill")
    for stmt in [*schema.exporter_tables(opts), *schema.genai_columns(opts)]:
        store.command(stmt)
    store.insert("backfill.otel_traces", spans.COLUMNS, spans.rows(spans.all))
    for _ in range(2):  # a migration interrupted after its backfill runs again: nothing is added twice
        for stmt in rollup_tables(opts):
            store.command(stmt)
    llm_calls = len(seed.calls) + 1  # the tool span is not an LLM call
    assert store.query("SELECT sum(Calls) AS n FROM backfill.llm_calls_1m")[0]["n"] == llm_calls
    assert store.query("SELECT sum(Calls) AS n FROM backfill.llm_calls_10m")[0]["n"] == llm_calls
    # and the view takes over for new spans
    store.insert("backfill.otel_traces", spans.COLUMNS, spans.rows(seed.calls[:1]))
    assert store.query("SELECT sum(Calls) AS n FROM backfill.llm_calls_1m")[0]["n"] == llm_calls + 1
