"""Grafana-managed alert rules for on-call, built with the foundation SDK.

Each rule is a ClickHouse query (A, table format: one row per service / evaluator / device, so every row is its
own alert instance) and a threshold expression (C) on it. Thresholds come from :class:`DashboardSettings`.
Alert queries run in Grafana's backend, where template variables and ``$__conditionalAll`` do not exist: they
use only the plugin's time macros, over the rule's relative time range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pharos.dashboards import sql
from pharos.dashboards.settings import DashboardSettings

__all__ = ["AlertSpec", "specs", "rules", "rule_group", "provisioning"]

GROUP = "pharos-oncall"
Op = Literal["gt", "lt"]


@dataclass(frozen=True)
class AlertSpec:
    uid: str
    title: str
    query: str  # ClickHouse SQL with {db}; the alerting column is the last one
    op: Op
    threshold: float
    window_s: int  # relative time range of the query
    pending: str  # how long the condition must hold
    summary: str
    runbook: str
    severity: str = "page"
    no_data: Literal["OK", "NoData", "Alerting"] = "OK"


def specs(s: DashboardSettings) -> list[AlertSpec]:
    t = sql.TRACES
    calls = f"FROM {t} WHERE $__timeFilter(Timestamp) AND {sql.LLM_CALL}"
    recent = "Timestamp >= $__toTime - INTERVAL 1 HOUR"
    return [
        AlertSpec(
            "pharos-latency-p95", "LLM p95 latency high",
            f"SELECT ServiceName AS service, quantile(0.95)({sql.SECONDS}) AS p95_seconds {calls} GROUP BY service",
            "gt", s.alert_latency_p95_seconds, 300, "5m",
            f"p95 latency of {{{{ $labels.service }}}} above {s.alert_latency_p95_seconds:g}s over 5 minutes.",
            "Open Pharos / Models to see which model is slow and Overview's slowest calls for traces. Check the "
            "provider's status page, GPU saturation (Pharos / GPU) and queueing in the model server; shed load "
            "or fail over to another model."),
        AlertSpec(
            "pharos-error-rate", "LLM error rate high",
            f"SELECT service, error_rate FROM (SELECT ServiceName AS service, countIf({sql.IS_ERROR}) / count() "
            f"AS error_rate, count() AS calls {calls} GROUP BY service) WHERE calls >= 10",
            "gt", s.alert_error_rate, 300, "5m",
            f"More than {s.alert_error_rate:.0%} of {{{{ $labels.service }}}}'s LLM calls failed over 5 minutes.",
            "Overview's 'Error rate by error.type' tells rate limits (429), timeouts and provider errors apart; "
            "the failed calls are listed first in 'Slowest and failed calls'. Rate limits: lower concurrency or "
            "raise quota; provider outage: fail over."),
        AlertSpec(
            "pharos-ttft-p95", "LLM time to first token high",
            f"SELECT ServiceName AS service, quantile(0.95)(GenAITimeToFirstChunk) AS ttft_p95_seconds {calls} "
            f"AND GenAITimeToFirstChunk IS NOT NULL GROUP BY service",
            "gt", s.alert_ttft_p95_seconds, 300, "5m",
            f"p95 time to first token of {{{{ $labels.service }}}} above {s.alert_ttft_p95_seconds:g}s over 5 minutes.",
            "Long prompts, a full request queue or prefill contention. Compare with input tokens/s on Overview and "
            "GPU utilization; for vLLM check num_requests_waiting and KV-cache usage."),
        AlertSpec(
            "pharos-flag-rate", "Safety flag rate high",
            f"SELECT Name AS evaluator, countIf(Label = 'flagged') / count() AS flag_rate FROM {sql.SCORES} FINAL "
            f"WHERE $__timeFilter(Timestamp) GROUP BY evaluator HAVING count() >= 10",
            "gt", s.alert_flag_rate, 900, "10m",
            f"Evaluator {{{{ $labels.evaluator }}}} flagged more than {s.alert_flag_rate:.0%} of calls over 15 minutes.",
            "Open Pharos / Quality & safety, 'Latest flagged calls', and read the explanations and traces. A burst "
            "from one user or conversation suggests abuse (block it); a broad rise after a deploy suggests a prompt "
            "or model change (roll back)."),
        AlertSpec(
            "pharos-quality-drop", "Quality score dropped",
            f"SELECT evaluator, (baseline - recent) / abs(baseline) AS relative_drop FROM (SELECT Name AS evaluator, "
            f"avgIf(Value, {recent}) AS recent, avgIf(Value, NOT ({recent})) AS baseline, countIf({recent}) AS n, "
            f"countIf(NOT ({recent})) AS n_baseline, countIf(Label = 'flagged') AS flags FROM {sql.SCORES} FINAL "
            f"WHERE $__timeFilter(Timestamp) AND Source = 'evaluator' GROUP BY evaluator) "
            f"WHERE n >= 10 AND n_baseline >= 10 AND flags = 0 AND baseline != 0",
            "gt", s.alert_quality_drop, 25 * 3600, "15m",
            f"Mean {{{{ $labels.evaluator }}}} score of the last hour is more than {s.alert_quality_drop:.0%} below "
            f"its trailing 24-hour baseline.",
            "Watches evaluators whose higher scores are better (those that never flag; safety evaluators are "
            "covered by the flag-rate rule), with at least 10 scores in the hour and in the baseline. Look for a "
            "deploy, prompt or model change in the last hour (Pharos / Models: served model per requested model) "
            "and at the low-scoring calls' traces; re-run the sandbox eval suite against the previous revision.",
            severity="ticket"),
        AlertSpec(
            "pharos-gpu-memory", "GPU memory near full",
            f"SELECT device, argMaxIf(Value, TimeUnix, MetricName = 'hw.gpu.memory.usage') / "
            f"nullIf(argMaxIf(Value, TimeUnix, MetricName = 'hw.gpu.memory.limit'), 0) AS memory_used "
            f"FROM {sql.gpu_points(['hw.gpu.memory.usage', 'hw.gpu.memory.limit'], filtered=False)} "
            f"GROUP BY device HAVING memory_used IS NOT NULL",
            "gt", s.alert_gpu_memory_ratio, 300, "5m",
            f"GPU {{{{ $labels.device }}}} uses more than {s.alert_gpu_memory_ratio:.0%} of its memory.",
            "Out-of-memory errors and preemptions follow. Check Pharos / GPU for which process grew; for vLLM "
            "lower --gpu-memory-utilization or --max-num-seqs, or move a model to another device."),
        AlertSpec(
            "pharos-no-data", "No spans arriving",
            f"SELECT count() AS spans FROM {t} WHERE $__timeFilter(Timestamp)",
            "lt", 1, s.alert_no_data_minutes * 60, "0s",
            f"No span at all reached the store in {s.alert_no_data_minutes} minutes.",
            "Check that pharos serve / the OTel Collector is up (docker compose ps, /readyz), that ClickHouse "
            "accepts inserts, and that applications still export (OTEL_EXPORTER_OTLP_ENDPOINT).", no_data="Alerting"),
    ]


def _rule(spec: AlertSpec, s: DashboardSettings) -> Any:
    from grafana_foundation_sdk.builders import alerting, expr
    from grafana_foundation_sdk.models import alerting as am
    from grafana_foundation_sdk.models import dashboard as dm

    from pharos.dashboards.query import TABLE, ClickHouseQueryBuilder

    query = ClickHouseQueryBuilder(sql.in_db(spec.query, s.database), TABLE).ref_id("A").datasource(s.datasource_uid)
    threshold = (expr.TypeThreshold().ref_id("C").expression("A")
                 .datasource(dm.DataSourceRef(type_val="__expr__", uid="__expr__"))
                 .conditions([expr.ExprTypeThresholdConditions().evaluator(
                     expr.ExprTypeThresholdConditionsEvaluator().type(spec.op).params([spec.threshold]))]))
    annotations = {"summary": spec.summary, "runbook": spec.runbook}
    if s.runbook_url:
        annotations["runbook_url"] = f"{s.runbook_url}#{spec.uid}"
    return (alerting.Rule(spec.title).uid(spec.uid).condition("C")
            .queries([alerting.Query("A").datasource_uid(s.datasource_uid).model(query)
                      .relative_time_range(am.RelativeTimeRange(from_val=spec.window_s, to=0)),
                      alerting.Query("C").datasource_uid("__expr__").model(threshold)
                      .relative_time_range(am.RelativeTimeRange(from_val=0, to=0))])
            .for_val(spec.pending).no_data_state(spec.no_data).exec_err_state("Error")
            .folder_uid(s.grafana_folder_uid).rule_group(GROUP).org_id(1).is_paused(False)
            .annotations(annotations).labels({"severity": spec.severity, "team": "pharos"})
            .build())


def rules(s: DashboardSettings) -> list[dict[str, Any]]:
    """The rules as Grafana's provisioning API takes them (POST /api/v1/provisioning/alert-rules)."""
    import json

    from grafana_foundation_sdk.cog.encoder import JSONEncoder

    return [json.loads(json.dumps(_rule(spec, s), cls=JSONEncoder)) for spec in specs(s)]


def rule_group(s: DashboardSettings) -> dict[str, Any]:
    """The rule group as PUT /api/v1/provisioning/folder/{uid}/rule-groups/{group} takes it."""
    return {"title": GROUP, "folderUid": s.grafana_folder_uid, "interval": _seconds(s.alert_interval),
            "rules": rules(s)}


def _seconds(duration: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    return int(duration[:-1]) * units[duration[-1]] if duration[-1] in units else int(duration)


_FILE_KEYS = ["uid", "title", "condition", "data", "noDataState", "execErrState", "for", "annotations", "labels",
              "isPaused"]


def provisioning(s: DashboardSettings) -> dict[str, Any]:
    """The rules as a Grafana alerting provisioning file (``provisioning/alerting/*.yaml``)."""
    return {"apiVersion": 1, "groups": [{
        "orgId": 1, "name": GROUP, "folder": s.grafana_folder, "interval": s.alert_interval,
        "rules": [{k: rule[k] for k in _FILE_KEYS if k in rule} for rule in rules(s)],
    }]}
