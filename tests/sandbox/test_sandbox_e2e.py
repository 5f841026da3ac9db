"""The real path end to end on CPU: vLLM's CPU build serving the tiny model through `pharos sandbox serve`
(scraping its /metrics into a real `pharos serve`), `load` through the Pharos SDK, `eval` with lm-eval,
`compare` with a worse model revision. Tests run in file order and share the servers."""

from __future__ import annotations

import json
import subprocess

import pytest

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from sandbox_testing import read_run, run_cli  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

RUN_ID_ATTR = "pharos.sandbox.run_id"


def test_load_run_stored_and_linked_to_its_traces(load_env, results_dir, pharos_sandbox_server):
    proc = run_cli("load", "--mode", "open", "--arrival", "constant", "--rate", "4", "--requests", "24",
                   "--max-tokens", "16", "--prompts", "chat", env=load_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    run = read_run(results_dir, proc.stdout, "load-")
    assert run["Completed"] == 24 and run["Failed"] == 0
    assert 0.95 < run["AchievedRate"] / run["RequestRate"] < 1.05  # constant arrivals: the target rate is kept
    for m in ("Ttft", "Tpot", "Itl", "E2el"):
        assert 0 < run[f"Median{m}Ms"] <= run[f"P90{m}Ms"] <= run[f"P99{m}Ms"], m
    assert run["MedianTtftMs"] < run["MedianE2elMs"]
    assert run["OutputTokens"] == 24 * 16  # ignore_eos: every request generates max_tokens
    assert 0.5 < run["OutputThroughput"] / (run["RequestThroughput"] * 16) < 1.5
    sql = pharos_sandbox_server.sql_client()
    rid = run["RunId"]
    assert pharos_sandbox_server.wait_for_rows(
        f"SELECT count() FROM sandbox_load_runs WHERE RunId = '{rid}'", 1) == 1
    row = sql.query(f"SELECT Completed, Failed, RequestRate, AchievedRate, P99TtftMs, MedianE2elMs, Model "
                    f"FROM sandbox_load_runs WHERE RunId = '{rid}'").result_rows[0]
    assert row[:2] == (24, 0) and row[2] == 4.0
    assert row[3] == pytest.approx(run["AchievedRate"]) and row[4] == pytest.approx(run["P99TtftMs"])
    assert row[6] == "tiny"
    # every request is one SDK span in otel_traces, tagged with the run id, with GenAI attributes
    n = pharos_sandbox_server.wait_for_rows(
        f"SELECT count() FROM otel_traces WHERE SpanAttributes['{RUN_ID_ATTR}'] = '{rid}' "
        f"AND GenAIOperationName = 'text_completion'", 24)
    assert n == 24
    ttfc, out_tokens, model = sql.query(
        f"SELECT avg(GenAITimeToFirstChunk), sum(GenAIOutputTokens), any(GenAIRequestModel) FROM otel_traces "
        f"WHERE SpanAttributes['{RUN_ID_ATTR}'] = '{rid}'").result_rows[0]
    assert out_tokens == 24 * 16 and model == "tiny"
    # the SDK's time to first chunk and the load generator's TTFT measure the same thing
    assert 0.5 < ttfc * 1000 / run["MeanTtftMs"] < 2.0


def test_vllm_metrics_scraped_into_the_store(load_env, pharos_sandbox_server):
    sql = pharos_sandbox_server.sql_client()
    pharos_sandbox_server.wait_for_rows(
        "SELECT count() FROM otel_metrics_histogram WHERE MetricName = 'vllm:e2e_request_latency_seconds' "
        "AND Count >= 24", 1, timeout=30)
    count, svc = sql.query("SELECT max(Count), any(ServiceName) FROM otel_metrics_histogram "
                           "WHERE MetricName = 'vllm:e2e_request_latency_seconds'").result_rows[0]
    assert count >= 24 and svc == "vllm"
    gen = sql.command("SELECT max(Value) FROM otel_metrics_sum WHERE MetricName = 'vllm:generation_tokens_total'")
    assert float(gen) >= 24 * 16
    assert int(sql.command("SELECT count() FROM otel_metrics_gauge WHERE MetricName = 'vllm:num_requests_running'")) > 0


def test_sweep_draws_a_curve(load_env, results_dir, pharos_sandbox_server):
    proc = run_cli("load", "--mode", "closed", "--sweep", "1,4", "--requests", "12", "--max-tokens", "16",
                   env=load_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    sweep_line = [line for line in proc.stdout.splitlines() if line.startswith("sweep ")][0]
    sweep_id = sweep_line.split()[1].rstrip(":")
    png = results_dir / "reports" / f"{sweep_id}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    n = pharos_sandbox_server.wait_for_rows(f"SELECT count() FROM sandbox_load_runs WHERE SweepId = '{sweep_id}'", 2)
    assert n == 2
    rows = pharos_sandbox_server.sql_client().query(
        f"SELECT Concurrency, RequestThroughput, MedianE2elMs FROM sandbox_load_runs WHERE SweepId = '{sweep_id}' "
        f"ORDER BY Concurrency").result_rows
    (c1, thr1, e2e1), (c4, thr4, e2e4) = rows
    assert (c1, c4) == (1, 4)
    assert thr1 > 0 and thr4 > 0
    assert e2e4 > e2e1  # four in flight share the server: each request takes longer than alone
