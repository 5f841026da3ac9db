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


def test_load_agrees_with_vllm_bench_serve(load_env, good_server, models, results_dir, vllm_venv):
    """Same server, same settings (Poisson 4 req/s, 24 requests, ~16 prompt tokens, 16 output tokens, ignore_eos,
    streaming completions, seed 0). Compared: median end-to-end latency within a factor 1.6, mean within 2.2 (see below).
    Not compared on this machine: TTFT, TPOT and ITL. On 2 cores shared by vLLM (API server + engine), `pharos
    serve`, the scraper and the client, the server's own times are ~10 ms to first token and ~2 ms per token,
    and both clients see tokens in bursts: in two runs here `vllm bench serve` itself gave median TPOT 1.9 ms
    and then 0.004 ms, and our median TTFT was 1.1x to 4.3x bench's (the openai client's per-request CPU cost
    before the first SSE event is parsed). End-to-end latency, which bursts and client start-up do not shift
    much, agreed within 1.35x. On a GPU model the per-token figures are large against client costs and the
    same comparison can use TTFT/TPOT. (ITL medians also differ by design: the openai client hands over SSE
    events several per network read, so its median
    gap is near zero while aiohttp's is one decode step.)"""
    import os

    def run_both(attempt: int):
        bench_dir = results_dir / f"bench{attempt}"
        cmd = [str(vllm_venv / "bin" / "vllm"), "bench", "serve", "--backend", "openai",
               "--base-url", good_server.base_url[: -len("/v1")], "--endpoint", "/v1/completions", "--model", "tiny",
               "--tokenizer", str(models["good"]), "--dataset-name", "random", "--random-input-len", "16",
               "--random-output-len", "16", "--ignore-eos", "--request-rate", "4", "--num-prompts", "24", "--seed",
               "0", "--save-result", "--result-dir", str(bench_dir), "--result-filename", "bench.json",
               "--percentile-metrics", "ttft,tpot,itl,e2el", "--metric-percentiles", "50,99"]
        bench = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                               env={**os.environ, "HF_HUB_OFFLINE": "1"})
        assert bench.returncode == 0, bench.stdout[-2000:] + bench.stderr[-2000:]
        ref = json.loads((bench_dir / "bench.json").read_text())
        assert ref["completed"] == 24
        proc = run_cli("load", "--rate", "4", "--requests", "24", "--max-tokens", "16", "--prompts", "random:12",
                       env=load_env)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return read_run(results_dir, proc.stdout, "load-"), ref

    def disagreements(ours, ref) -> dict:
        pairs = {"median E2E": (ours["MedianE2elMs"], ref["median_e2el_ms"]),
                 "mean E2E": (ours["MeanE2elMs"], ref["mean_e2el_ms"])}
        # the median is robust to one slow request on a shared 2-core machine; the mean is not (one CI run saw a
        # single outlier lift our mean to 1.86x bench's while the medians agreed within 1.11x), so it gets 2.2x
        limits = {"median E2E": 1.6, "mean E2E": 2.2}
        return {name: (a, b) for name, (a, b) in pairs.items() if not 1 / limits[name] < a / b < limits[name]}

    # A pair of runs measured while other work shares the 2 cores can disagree by chance (a test run here, with two
    # other suites running, saw medians 112 vs 56 ms while the means agreed): one more pair is run before failing.
    # A real bias in either client shows in both pairs.
    ours, ref = run_both(0)
    if disagreements(ours, ref):
        ours, ref = run_both(1)
    assert not disagreements(ours, ref), disagreements(ours, ref)
    assert ours["MedianTtftMs"] < ours["MedianE2elMs"] and ref["median_ttft_ms"] < ref["median_e2el_ms"]
    # both clients' arrival processes reach the target rate (Poisson, 24 arrivals: +-40% is ~2 sigma)
    assert 0.6 < ours["AchievedRate"] / 4 < 1.4
    assert 0.6 < ref["request_throughput"] / 4 < 1.4


def test_eval_scores_above_zero_and_is_stored(load_env, results_dir, pharos_sandbox_server):
    proc = run_cli("eval", "qa", env=load_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    run = read_run(results_dir, proc.stdout, "eval-")
    metrics = {(m["Task"], m["Metric"]): m for m in run["metrics"]}
    em = metrics[("pharos_qa", "exact_match")]
    assert em["Value"] > 0.5 and em["N"] == 24 and em["Stderr"] >= 0
    assert metrics[("pharos_qa", "non_empty")]["Value"] > 0.5
    rid = run["RunId"]
    n = pharos_sandbox_server.wait_for_rows(f"SELECT count() FROM sandbox_eval_runs WHERE RunId = '{rid}'", 3)
    assert n == 3
    value, stderr, model, revision, verdict = pharos_sandbox_server.sql_client().query(
        f"SELECT Value, Stderr, Model, Revision, Verdict FROM sandbox_eval_runs WHERE RunId = '{rid}' "
        f"AND Task = 'pharos_qa' AND Metric = 'exact_match'").result_rows[0]
    assert value == pytest.approx(em["Value"]) and stderr == pytest.approx(em["Stderr"])
    assert model == "tiny" and revision.startswith("seed0-steps300-") and verdict == "pass"
    samples = pharos_sandbox_server.wait_for_rows(
        f"SELECT count() FROM sandbox_eval_samples WHERE RunId = '{rid}' AND Metric = 'exact_match'", 24)
    assert samples == 24
    (results_dir / "good_eval_id").write_text(rid)


def test_identical_rerun_passes_the_gate(load_env, results_dir):
    good = (results_dir / "good_eval_id").read_text()
    proc = run_cli("eval", "qa", "--baseline", good, env=load_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "PASS" in proc.stdout and "regression" not in proc.stdout


def test_worse_revision_is_flagged(models, pharos_sandbox_server, results_dir):
    from conftest import _serve, _stop  # type: ignore[import-not-found]

    good = (results_dir / "good_eval_id").read_text()
    bad = _serve(models["bad"], "tiny", pharos_sandbox_server.otlp_http, results_dir)
    try:
        proc = run_cli("eval", "qa", "--baseline", good,
                       env=bad.env(PHAROS_COLLECTOR_ENDPOINT=pharos_sandbox_server.otlp_http))
    finally:
        _stop(bad)
    assert proc.returncode == 1, proc.stdout + proc.stderr[-3000:]
    assert "regression  pharos_qa/exact_match" in proc.stdout
    run = read_run(results_dir, proc.stdout, "eval-")
    rid = run["RunId"]
    n = pharos_sandbox_server.wait_for_rows(
        f"SELECT count() FROM sandbox_eval_runs WHERE RunId = '{rid}' AND Verdict = 'regression' "
        f"AND BaselineRunId = '{good}' AND Metric = 'exact_match' AND BaselineValue > Value", 1)
    assert n == 1
    # `compare` on the stored runs gives the same verdict and an HTML report with inline plots
    report = results_dir / "reports" / "bad-vs-good.html"
    cmp = run_cli("compare", rid, "--baseline", good, "--report", str(report),
                  env={"PHAROS_RESULTS_DIR": str(results_dir)})
    assert cmp.returncode == 1 and "REGRESSION" in cmp.stdout
    page = report.read_text()
    assert "data:image/png;base64," in page and "regression" in page and "<table>" in page
    assert "http://" not in page and "https://" not in page  # self-contained: no CDN


def test_load_compare_passes_itself_and_flags_a_faster_baseline(results_dir):
    runs = sorted((results_dir / "runs").glob("load-*.json"))
    run = json.loads(runs[0].read_text())
    same = run_cli("compare", str(runs[0]), "--baseline", str(runs[0]), env={"PHAROS_RESULTS_DIR": str(results_dir)})
    assert same.returncode == 0, same.stdout
    faster = dict(run, RunId="baseline-fast", _stderr=run.get("_stderr"))
    for key in list(faster):
        if key.endswith("Ms"):
            faster[key] = run[key] / 3  # a baseline three times faster: this run regressed
    faster["RequestThroughput"] = run["RequestThroughput"] * 3
    faster["OutputThroughput"] = run["OutputThroughput"] * 3
    path = results_dir / "baseline-fast.json"
    path.write_text(json.dumps(faster))
    worse = run_cli("compare", str(runs[0]), "--baseline", str(path), env={"PHAROS_RESULTS_DIR": str(results_dir)})
    assert worse.returncode == 1, worse.stdout
    # the median and the throughput are flagged; a P99 of a short run may carry a noise bound wide enough to pass
    # (one slow request on a shared 2-core machine), which is what the bound is for
    assert "regression  MedianE2elMs" in worse.stdout and "regression  RequestThroughput" in worse.stdout
