"""Fast parts of the sandbox without vLLM: Prometheus -> OTLP, verdict rule, record spans -> run tables."""

from __future__ import annotations

import math
import time

import pytest

PROM = """# HELP vllm:e2e_request_latency_seconds Histogram of e2e request latency in seconds.
# TYPE vllm:e2e_request_latency_seconds histogram
vllm:e2e_request_latency_seconds_bucket{engine="0",le="0.3",model_name="tiny"} 3.0
vllm:e2e_request_latency_seconds_bucket{engine="0",le="0.5",model_name="tiny"} 5.0
vllm:e2e_request_latency_seconds_bucket{engine="0",le="+Inf",model_name="tiny"} 6.0
vllm:e2e_request_latency_seconds_count{engine="0",model_name="tiny"} 6.0
vllm:e2e_request_latency_seconds_sum{engine="0",model_name="tiny"} 2.5
# HELP vllm:generation_tokens_total Number of generation tokens processed.
# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{engine="0",model_name="tiny"} 96.0
vllm:generation_tokens_created{engine="0",model_name="tiny"} 1.7e9
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="tiny"} 2.0
"""


def test_prometheus_to_otlp():
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

    from pharos.sandbox.serve import parse_prometheus, to_otlp

    body = to_otlp(parse_prometheus(PROM), start_ns=1, now_ns=2, resource={"service.name": "vllm"})
    req = ExportMetricsServiceRequest.FromString(body)
    metrics = {m.name: m for m in req.resource_metrics[0].scope_metrics[0].metrics}
    h = metrics["vllm:e2e_request_latency_seconds"].histogram.data_points[0]
    assert list(h.explicit_bounds) == [0.3, 0.5] and list(h.bucket_counts) == [3, 2, 1]
    assert h.count == 6 and h.sum == 2.5 and sum(h.bucket_counts) == h.count
    assert {a.key: a.value.string_value for a in h.attributes} == {"engine": "0", "model_name": "tiny"}
    s = metrics["vllm:generation_tokens_total"].sum
    assert s.is_monotonic and [p.as_double for p in s.data_points] == [96.0]  # _created is not a value
    assert metrics["vllm:num_requests_running"].gauge.data_points[0].as_double == 2.0


@pytest.mark.parametrize("value,base,se,se_b,hib,expected", [
    (0.50, 0.80, 0.05, 0.05, True, "regression"),   # 0.30 worse > 1.96 * 0.0707
    (0.75, 0.80, 0.05, 0.05, True, "pass"),         # within the combined error
    (0.80, 0.80, 0.0, 0.0, True, "pass"),           # identical deterministic rerun
    (0.00, 1.00, 0.0, 0.0, True, "regression"),
    (120.0, 100.0, 1.0, 1.0, False, "regression"),  # latency: higher is worse
    (80.0, 100.0, 1.0, 1.0, False, "improvement"),
])
def test_verdict_uses_the_stderr(value, base, se, se_b, hib, expected):
    from pharos.sandbox.compare import verdict

    assert verdict(value, base, se, se_b, higher_is_better=hib)[0] == expected


def test_relative_tolerance_absorbs_drift():
    from pharos.sandbox.compare import verdict

    assert verdict(105.0, 100.0, 0.1, 0.1, higher_is_better=False, rel_tol=0.10)[0] == "pass"
    assert verdict(115.0, 100.0, 0.1, 0.1, higher_is_better=False, rel_tol=0.10)[0] == "regression"


def test_record_spans_become_rows(pharos_server):
    """Run records sent as OTLP spans through a real pharos serve land in the sandbox tables (migration 5)."""
    from pharos.sandbox.records import send_records

    now = time.time()
    load = {"RunId": "load-unit", "Timestamp": now, "Model": "m", "Revision": "r1", "RequestRate": 2.5,
            "Concurrency": 0, "Completed": 10, "Failed": 1, "P99TtftMs": 12.5, "MeanTtftMs": float("nan")}
    evals = [{"RunId": "eval-unit", "Timestamp": now, "Model": "m", "Task": "t", "Metric": "exact_match",
              "Value": 0.5, "Stderr": 0.1, "N": 20, "BaselineValue": None, "Verdict": "pass"}]
    assert send_records("load_run", [load], endpoint=pharos_server.otlp_http) == 1
    assert send_records("eval_metric", evals, endpoint=pharos_server.otlp_http) == 1
    assert pharos_server.wait_for_rows("SELECT count() FROM sandbox_load_runs WHERE RunId = 'load-unit'", 1) == 1
    assert pharos_server.wait_for_rows("SELECT count() FROM sandbox_eval_runs WHERE RunId = 'eval-unit'", 1) == 1
    sql = pharos_server.sql_client()
    row = sql.query("SELECT RequestRate, Completed, Failed, P99TtftMs, MeanTtftMs, Revision, "
                    "toUnixTimestamp64Milli(Timestamp) FROM sandbox_load_runs WHERE RunId = 'load-unit'").result_rows[0]
    assert row[:4] == (2.5, 10, 1, 12.5) and math.isnan(row[4]) and row[5] == "r1"
    assert abs(row[6] / 1000 - now) < 1
    value, stderr, base, verdict = sql.query(
        "SELECT Value, Stderr, BaselineValue, Verdict FROM sandbox_eval_runs WHERE RunId = 'eval-unit'").result_rows[0]
    assert (value, stderr, base, verdict) == (0.5, 0.1, None, "pass")
    # record spans are not LLM calls: dashboards' LLM_CALL predicate leaves them out
    assert int(sql.command("SELECT count() FROM otel_traces WHERE SpanName LIKE 'pharos.sandbox.%' "
                           "AND GenAIOperationName != ''")) == 0


def test_direct_store_insert(make_store):
    from pharos.collector.store import migrate
    from pharos.sandbox.records import send_records

    store = make_store()
    migrate(store)
    send_records("eval_metric", [{"RunId": "e1", "Timestamp": time.time(), "Model": "m", "Task": "t",
                                  "Metric": "acc", "Value": 1.0, "Stderr": 0.0}], store=store)
    assert store.query(f"SELECT Metric, Value FROM {store.database}.sandbox_eval_runs") == [("acc", 1.0)]
