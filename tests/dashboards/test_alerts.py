"""Every alert rule's SQL on the seeded store, evaluated against its threshold the way Grafana's threshold
expression does (one alert instance per row), and the shape of the provisioned rules."""

from __future__ import annotations

import pytest

from pharos.dashboards import alerts


def firing(run, spec, **kw):
    rows = run(alerts.sql.in_db(spec.query, "otel"), **kw)
    value_col = list(rows[0])[-1] if rows else None
    out = {}
    for row in rows:
        label = next((v for k, v in row.items() if k != value_col), "")
        value = row[value_col]
        out[label] = (value > spec.threshold) if spec.op == "gt" else (value < spec.threshold)
    return out, rows


def spec_by_uid(settings, uid):
    return {s.uid: s for s in alerts.specs(settings)}[uid]


def test_rule_set(settings):
    uids = [s.uid for s in alerts.specs(settings)]
    assert uids == ["pharos-latency-p95", "pharos-error-rate", "pharos-ttft-p95", "pharos-flag-rate",
                    "pharos-quality-drop", "pharos-gpu-memory", "pharos-no-data"]
    for rule in alerts.rules(settings):
        assert rule["annotations"]["summary"] and rule["annotations"]["runbook"]
        assert rule["condition"] == "C" and [d["refId"] for d in rule["data"]] == ["A", "C"]
        assert "$__conditionalAll" not in rule["data"][0]["model"]["rawSql"]
        assert "${" not in rule["data"][0]["model"]["rawSql"]  # no template variables in alerting


def test_thresholds_follow_settings(settings):
    tight = settings.model_copy(update={"alert_latency_p95_seconds": 3.5})
    [rule] = [r for r in alerts.rules(tight) if r["uid"] == "pharos-latency-p95"]
    assert rule["data"][1]["model"]["conditions"][0]["evaluator"] == {"params": [3.5], "type": "gt"}


def test_latency_error_ttft(run, settings, seed, q):
    tight = settings.model_copy(update={"alert_latency_p95_seconds": 5.0, "alert_ttft_p95_seconds": 0.5})
    fired, rows = firing(run, spec_by_uid(tight, "pharos-latency-p95"), window_s=3600)
    chat = [c.duration_s for c in seed.calls if c.service == "chat-api"]
    assert {r["service"]: r["p95_seconds"] for r in rows} == pytest.approx({"chat-api": q(chat, 0.95),
                                                                          "batch-job": 2.0})
    assert fired == {"chat-api": True, "batch-job": False}
    fired, rows = firing(run, spec_by_uid(settings, "pharos-error-rate"), window_s=3600)
    assert rows == [{"service": "chat-api", "error_rate": pytest.approx(3 / 15)}]  # batch-job: < 10 calls
    assert fired == {"chat-api": True}
    fired, rows = firing(run, spec_by_uid(tight, "pharos-ttft-p95"), window_s=3600)
    assert fired == {"chat-api": True}
    assert rows[0]["ttft_p95_seconds"] == pytest.approx(q([0.1 * (i + 1) for i in range(10)], 0.95))
    # Over the rule's own 5-minute window nothing happened, so nothing fires.
    spec = spec_by_uid(tight, "pharos-latency-p95")
    assert firing(run, spec, window_s=spec.window_s)[0] == {}


def test_flag_rate(run, settings):
    fired, rows = firing(run, spec_by_uid(settings, "pharos-flag-rate"), window_s=3600)
    assert {r["evaluator"]: r["flag_rate"] for r in rows} == pytest.approx({"toxicity": 0.2, "relevance": 0.0})
    assert fired == {"toxicity": True, "relevance": False}


def test_quality_drop(run, settings):
    spec = spec_by_uid(settings, "pharos-quality-drop")
    fired, rows = firing(run, spec, window_s=spec.window_s)
    # relevance: 0.5 in the last hour against a 0.8 baseline; toxicity flags, so it is left to the flag rule.
    assert rows == [{"evaluator": "relevance", "relative_drop": pytest.approx(0.375)}]
    assert fired == {"relevance": True}


def test_gpu_memory(run, settings):
    spec = spec_by_uid(settings, "pharos-gpu-memory")
    fired, rows = firing(run, spec, window_s=spec.window_s)
    assert {r["device"]: r["memory_used"] for r in rows} == pytest.approx({"gpu0": 79 / 80, "gpu1": 0.5})
    assert fired == {"gpu0": True, "gpu1": False}


def test_no_data(run, settings):
    spec = spec_by_uid(settings, "pharos-no-data")
    assert spec.no_data == "Alerting"
    fired, rows = firing(run, spec, window_s=spec.window_s)
    assert rows[0]["spans"] >= 1 and fired == {"": False}
    fired, rows = firing(run, spec, window_s=spec.window_s, end_offset_s=-3600)  # an hour with nothing sent
    assert rows == [{"spans": 0}] and fired == {"": True}
