"""Quality & safety: evaluator scores over time, flagged calls by kind, and the latest flagged calls with a
link to their traces. Scores live in the ``scores`` ReplacingMergeTree, read with FINAL."""

from __future__ import annotations

from grafana_foundation_sdk.models import dashboard as dm

from pharos.dashboards.panels import Board
from pharos.dashboards.settings import DashboardSettings
from pharos.dashboards.sql import SCORES, score_filter

UID = "pharos-quality"
F = score_filter()
FLAGGED = "Label = 'flagged'"


def build(settings: DashboardSettings) -> dm.Dashboard:
    b = Board(settings, UID, "Pharos / Quality & safety",
              "Evaluator, user and human scores of LLM calls; flagged calls and their traces.",
              variables=("service", "evaluator"))
    b.stat("Scored calls", f"SELECT uniqExact(TraceId, SpanId) AS calls FROM {SCORES} FINAL WHERE {F}", unit="short")
    b.stat("Flagged calls", f"SELECT uniqExactIf((TraceId, SpanId), {FLAGGED}) AS flagged FROM {SCORES} FINAL "
                            f"WHERE {F}", unit="short")
    b.stat("Flag rate", f"SELECT countIf({FLAGGED}) / greatest(count(), 1) AS flag_rate FROM {SCORES} FINAL "
                        f"WHERE {F}", unit="percentunit",
           thresholds=(settings.alert_flag_rate / 2, settings.alert_flag_rate),
           description="Share of scores labelled 'flagged'.")
    b.stat("User feedback (mean)", f"SELECT avgIf(Value, Source = 'user') AS feedback FROM {SCORES} FINAL "
                                   f"WHERE {F}", unit="short", decimals=2)
    b.timeseries("Mean score by evaluator",
                 f"SELECT $__timeInterval(Timestamp) AS time, Name AS evaluator, avg(Value) AS score "
                 f"FROM {SCORES} FINAL WHERE {F} GROUP BY time, evaluator ORDER BY time", unit="short")
    b.timeseries("Flagged calls per hour by kind",
                 f"SELECT $__timeInterval(Timestamp) AS time, Name AS kind, count() * 3600 / $__interval_s AS "
                 f"flagged_per_hour FROM {SCORES} FINAL WHERE {F} AND {FLAGGED} GROUP BY time, kind ORDER BY time",
                 unit="short", stack=True, bars=True)
    b.table("Latest flagged calls",
            f"WITH flagged AS (SELECT Timestamp, ServiceName, Name, Value, Explanation, TraceId, SpanId "
            f"FROM {SCORES} FINAL WHERE {F} AND {FLAGGED} ORDER BY Timestamp DESC LIMIT 100) "
            f"SELECT f.Timestamp AS time, f.ServiceName AS service, f.Name AS flagged_by, f.Value AS score, "
            f"f.Explanation AS explanation, s.scores AS all_scores, f.TraceId AS TraceId, f.SpanId AS SpanId "
            f"FROM flagged AS f LEFT JOIN (SELECT TraceId, SpanId, arrayStringConcat(arraySort(groupArray("
            f"concat(Name, '=', toString(round(Value, 3))))), ', ') AS scores FROM {SCORES} FINAL "
            f"WHERE TraceId IN (SELECT TraceId FROM flagged) GROUP BY TraceId, SpanId) AS s "
            f"ON f.TraceId = s.TraceId AND f.SpanId = s.SpanId ORDER BY time DESC, flagged_by",
            trace_column="TraceId", height=12,
            description="The newest calls an evaluator flagged, every score of the same call, and the trace.")
    return b.build()
