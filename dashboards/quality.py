"""Quality & safety: evaluator scores over time, flagged calls by kind, and the latest flagged calls with a
link to their traces. Scores live in the ``scores`` ReplacingMergeTree: read with FINAL where a rewritten score
would change the number, else without (FINAL merges every score of the range's days)."""

from __future__ import annotations

from grafana_foundation_sdk.models import dashboard as dm

from pharos.dashboards.panels import Board
from pharos.dashboards.settings import DashboardSettings
from pharos.dashboards.sql import SCORES, score_filter

UID = "pharos-quality"
F = score_filter()
FLAGGED = "Label = 'flagged'"
# The newest 100 scores labelled 'flagged' whose latest write still says so. Without FINAL (which would merge
# every score of the range's days): the newest 200 flagged rows are found first, then their keys' latest writes
# (argMax by CreatedAt, the ReplacingMergeTree's version) are read through the primary key.
_KEY = "Name, TraceId, SpanId, ScoreId"
FLAGGED_KEYS = f"SELECT {_KEY} FROM {SCORES} WHERE {F} AND {FLAGGED}"  # any write of theirs said 'flagged'
CANDIDATES = f"{FLAGGED_KEYS} ORDER BY Timestamp DESC LIMIT 200"
LATEST_FLAGGED = (
    f"SELECT {_KEY}, last.1 AS Timestamp, last.2 AS ServiceName, last.3 AS Value, last.4 AS Explanation "
    f"FROM (SELECT {_KEY}, argMax(tuple(Timestamp, ServiceName, Value, Explanation, Label), CreatedAt) AS last "
    f"FROM {SCORES} WHERE ({_KEY}) IN ({CANDIDATES}) GROUP BY {_KEY}) "
    f"WHERE last.5 = 'flagged' ORDER BY Timestamp DESC LIMIT 100")


def build(settings: DashboardSettings) -> dm.Dashboard:
    b = Board(settings, UID, "Pharos / Quality & safety",
              "Evaluator, user and human scores of LLM calls; flagged calls and their traces.",
              variables=("service", "evaluator"))
    # no FINAL: a rewritten score does not change which calls were scored (and FINAL merges a day of scores)
    b.stat("Scored calls", f"SELECT uniq(TraceId, SpanId) AS calls FROM {SCORES} WHERE {F}", unit="short")
    # the calls whose latest write of a score says 'flagged' (argMax by version over the few flagged keys, not FINAL)
    b.stat("Flagged calls", f"SELECT uniqExact(TraceId, SpanId) AS flagged FROM (SELECT {_KEY}, "
                            f"argMax(Label, CreatedAt) AS label FROM {SCORES} WHERE ({_KEY}) IN ({FLAGGED_KEYS}) "
                            f"GROUP BY {_KEY}) WHERE label = 'flagged'", unit="short")
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
            f"WITH flagged AS ({LATEST_FLAGGED}) "
            f"SELECT f.Timestamp AS time, f.ServiceName AS service, f.Name AS flagged_by, f.Value AS score, "
            f"f.Explanation AS explanation, s.scores AS all_scores, f.TraceId AS TraceId, f.SpanId AS SpanId "
            f"FROM flagged AS f LEFT JOIN (SELECT TraceId, SpanId, arrayStringConcat(arraySort(groupArray("
            f"concat(Name, '=', toString(round(Value, 3))))), ', ') AS scores FROM ("
            f"SELECT TraceId, SpanId, Name, argMax(Value, CreatedAt) AS Value FROM {SCORES} "
            f"WHERE TraceId IN (SELECT TraceId FROM ({CANDIDATES})) GROUP BY TraceId, SpanId, Name, ScoreId) "
            f"GROUP BY TraceId, SpanId) AS s "
            f"ON f.TraceId = s.TraceId AND f.SpanId = s.SpanId ORDER BY time DESC, flagged_by",
            trace_column="TraceId", height=12,
            description="The newest calls an evaluator flagged, every score of the same call, and the trace.")
    return b.build()
