"""Panels return the numbers the seed implies (counts, rates, quantiles, costs), computed here from the seed
itself, not from SQL."""

from __future__ import annotations

from collections import defaultdict

import pytest

OV, MD, GPU, QS, SB, TR = ("pharos-overview", "pharos-models", "pharos-gpu", "pharos-quality", "pharos-sandbox",
                          "pharos-trace")
INTERVAL = 600


def in_range(seed, service=None, env=None, models=None):
    return [c for c in seed.calls if (service is None or c.service in service) and (env is None or c.env in env)
            and (models is None or c.model in models)]


def bucket(seed, offset_s):
    ts = seed.ts(offset_s)
    return ts - ts % INTERVAL


def by_bucket(seed, calls):
    out = defaultdict(list)
    for c in calls:
        out[bucket(seed, c.offset_s)].append(c)
    return out


def tpot(c):
    if c.output_tokens > 1 and c.ttft_s is not None:
        return (c.duration_s - c.ttft_s) / (c.output_tokens - 1)
    return c.duration_s / c.output_tokens


# -- Overview -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("variables,service,env,models", [
    ({}, None, None, None),
    ({"service": ["chat-api"], "environment": ["prod"]}, ["chat-api"], ["prod"], None),
    ({"model": ["gpt-4o"]}, None, None, ["gpt-4o"]),
    ({"environment": ["staging"], "model": ["gpt-4o", "llama-3-8b"]}, None, ["staging"], None),
])
def test_overview_stats(run, panels, seed, q, variables, service, env, models):
    calls = in_range(seed, service, env, models)
    [row] = run(panels[(OV, "Requests/s")], **variables)
    assert row["rps"] == pytest.approx(len(calls) / 3600)
    [row] = run(panels[(OV, "Error rate")], **variables)
    assert row["error_rate"] == pytest.approx(sum(c.error is not None for c in calls) / len(calls))
    [row] = run(panels[(OV, "p95 latency")], **variables)
    assert row["p95"] == pytest.approx(q([c.duration_s for c in calls], 0.95))
    [row] = run(panels[(OV, "p95 time to first token")], **variables)
    ttfts = [c.ttft_s for c in calls if c.ttft_s is not None]
    assert row["ttft_p95"] == (pytest.approx(q(ttfts, 0.95)) if ttfts else None)
    [row] = run(panels[(OV, "Tokens (in + out)")], **variables)
    assert row["tokens"] == sum(c.input_tokens + c.output_tokens for c in calls)
    [row] = run(panels[(OV, "Cost")], **variables)
    assert row["cost"] == pytest.approx(sum(c.cost or 0 for c in calls))


def test_overview_all_numbers(run, panels, seed):
    # The seed by hand: 18 calls in the hour, 3 failed, $0.16; the 2-hour-old call and the tool span never count.
    assert run(panels[(OV, "Requests/s")])[0]["rps"] * 3600 == pytest.approx(18)
    assert run(panels[(OV, "Error rate")])[0]["error_rate"] == pytest.approx(3 / 18)
    assert run(panels[(OV, "Cost")])[0]["cost"] == pytest.approx(0.16)


def test_requests_by_service(run, panels, seed):
    rows = run(panels[(OV, "Requests/s by service")])
    expected = defaultdict(int)
    for c in seed.calls:
        expected[(bucket(seed, c.offset_s), c.service)] += 1
    assert {(r["time"], r["service"]): r["rps"] * INTERVAL for r in rows} == pytest.approx(dict(expected))


def test_error_rate_by_type(run, panels, seed):
    rows = run(panels[(OV, "Error rate by error.type")])
    expected = {}
    for b, calls in by_bucket(seed, seed.calls).items():
        for c in calls:
            if c.error is not None:
                kind = c.error or "_OTHER"
                expected[(b, kind)] = expected.get((b, kind), 0) + 1 / len(calls)
    assert {(r["time"], r["error_type"]): r["error_rate"] for r in rows} == pytest.approx(expected)
    assert {k for _, k in expected} == {"429", "timeout", "_OTHER"}


def test_latency_quantiles(run, panels, seed, q):
    rows = {r["time"]: r for r in run(panels[(OV, "Latency p50 / p95 / p99")])}
    for b, calls in by_bucket(seed, seed.calls).items():
        d = [c.duration_s for c in calls]
        assert (rows[b]["p50"], rows[b]["p95"], rows[b]["p99"]) == pytest.approx((q(d, .5), q(d, .95), q(d, .99)))
    assert len(rows) == len(by_bucket(seed, seed.calls))


def test_ttft_and_tpot(run, panels, seed, q):
    ttft = {r["time"]: r for r in run(panels[(OV, "Time to first token p50 / p95")])}
    streaming = by_bucket(seed, [c for c in seed.calls if c.ttft_s is not None])
    assert set(ttft) == set(streaming)
    for b, calls in streaming.items():
        assert ttft[b]["p95"] == pytest.approx(q([c.ttft_s for c in calls], 0.95))
    rows = {r["time"]: r for r in run(panels[(OV, "Time per output token p50 / p95")])}
    for b, calls in by_bucket(seed, seed.calls).items():
        values = [tpot(c) for c in calls]
        assert (rows[b]["p50"], rows[b]["p95"]) == pytest.approx((q(values, 0.5), q(values, 0.95)))


def test_tokens_and_cost_per_hour(run, panels, seed):
    rows = run(panels[(OV, "Tokens/s in and out")])
    assert sum(r["input"] for r in rows) * INTERVAL == pytest.approx(sum(c.input_tokens for c in seed.calls))
    assert sum(r["output"] for r in rows) * INTERVAL == pytest.approx(sum(c.output_tokens for c in seed.calls))
    rows = run(panels[(OV, "Cost per hour by model")])
    expected = defaultdict(float)
    for c in seed.calls:
        if c.cost is not None:
            expected[(bucket(seed, c.offset_s), c.model)] += c.cost * 3600 / INTERVAL
    assert {(r["time"], r["model"]): r["usd_per_hour"] for r in rows} == pytest.approx(dict(expected))


def test_slowest_and_failed_calls(run, panels, seed):
    rows = run(panels[(OV, "Slowest and failed calls")])
    assert len(rows) == 18
    assert [(r["TraceId"], r["status"]) for r in rows[:3]] == [("trace07", "Error"), ("trace03", "Error"),
                                                               ("llama0", "Error")]
    assert [r["duration"] for r in rows[3:6]] == [10.0, 9.0, 7.0]


# -- Models ---------------------------------------------------------------------------------------------------
def test_top_models(run, panels, seed):
    rows = {r["model"]: r for r in run(panels[(MD, "Top models")])}
    assert list(rows) == ["gpt-4o", "llama-3-8b"]
    gpt, llama = rows["gpt-4o"], rows["llama-3-8b"]
    assert (gpt["calls"], llama["calls"]) == (13, 5)
    assert gpt["share"] == pytest.approx(13 / 18)
    assert (gpt["error_rate"], llama["error_rate"]) == pytest.approx((2 / 13, 1 / 5))
    assert gpt["cost"] == pytest.approx(0.16) and llama["cost"] is None
    assert (gpt["provider"], llama["provider"]) == ("openai", "vllm")
    assert gpt["output_tokens"] == 10 * 50 + 3 * 200


def test_per_model_series(run, panels, seed):
    rows = run(panels[(MD, "Requests/s by model")])
    assert sum(r["rps"] for r in rows if r["model"] == "llama-3-8b") * INTERVAL == pytest.approx(5)
    rows = run(panels[(MD, "Error rate by model")], model=["llama-3-8b"])
    assert {r["model"] for r in rows} == {"llama-3-8b"}
    llama = by_bucket(seed, [c for c in seed.calls if c.model == "llama-3-8b"])
    assert {r["time"]: r["error_rate"] for r in rows} == pytest.approx(
        {b: sum(c.error is not None for c in cs) / len(cs) for b, cs in llama.items()})


def test_finish_reasons(run, panels):
    rows = {r["reason"]: r["calls"] for r in run(panels[(MD, "Finish reasons")])}
    assert rows == {"stop": 14, "length": 1, "(none)": 3}


def test_served_models(run, panels):
    rows = {(r["requested"], r["served"]): r["calls"] for r in run(panels[(MD, "Served model per requested model")])}
    assert rows == {("gpt-4o", "gpt-4o-2024"): 13, ("llama-3-8b", "llama-3-8b-2024"): 5}


# -- GPU ------------------------------------------------------------------------------------------------------
def test_gpu_series(run, panels, seed, gpu):
    samples, offsets = gpu
    rows = run(panels[(GPU, "GPU utilization")])
    expected = {}
    for device, metrics in samples.items():
        for offset, value in zip(offsets, metrics["hw.gpu.utilization"][1:]):
            expected[(bucket(seed, offset), device)] = value
    assert {(r["time"], r["device"]): r["value"] for r in rows} == pytest.approx(expected)
    rows = run(panels[(GPU, "GPU memory used")])
    last = {r["device"]: r["used"] for r in rows if r["time"] == bucket(seed, offsets[1])}
    assert last == pytest.approx({"gpu0": 79 / 80, "gpu1": 0.5})
    rows = run(panels[(GPU, "Power")])
    assert max(r["value"] for r in rows) == 500.0


def test_gpu_energy_and_devices(run, panels):
    [row] = run(panels[(GPU, "Energy used")])
    assert row["kwh"] == pytest.approx(1.5)
    rows = {r["device"]: r for r in run(panels[(GPU, "Devices now")])}
    assert (rows["gpu0"]["utilization"], rows["gpu0"]["memory_used"], rows["gpu0"]["power_w"],
            rows["gpu0"]["temperature_c"]) == pytest.approx((0.9, 79 / 80, 500.0, 80.0))
    assert rows["gpu1"]["memory_used"] == pytest.approx(0.5)


def test_gpu_request_load(run, panels, seed):
    rows = run(panels[(GPU, "Requests/s")], service=["batch-job"])
    assert sum(r["rps"] for r in rows) * INTERVAL == pytest.approx(3)


# -- Quality & safety -----------------------------------------------------------------------------------------
def test_quality_stats(run, panels):
    assert run(panels[(QS, "Scored calls")])[0]["calls"] == 10
    assert run(panels[(QS, "Flagged calls")])[0]["flagged"] == 2
    # 10 toxicity + 10 relevance (the older rewrite replaced, FINAL) + 1 thumbs in the hour; 2 flagged.
    assert run(panels[(QS, "Flag rate")])[0]["flag_rate"] == pytest.approx(2 / 21)
    assert run(panels[(QS, "User feedback (mean)")])[0]["feedback"] == pytest.approx(1.0)
    assert run(panels[(QS, "Flag rate")], evaluator=["relevance"])[0]["flag_rate"] == 0


def test_scores_over_time(run, panels, seed):
    rows = run(panels[(QS, "Mean score by evaluator")])
    relevance = [r["score"] for r in rows if r["evaluator"] == "relevance"]
    assert relevance and all(v == pytest.approx(0.5) for v in relevance)  # the 0.0 rewrite is not seen
    rows = run(panels[(QS, "Flagged calls per hour by kind")])
    gpt = [c for c in seed.calls if c.model == "gpt-4o" and c.service == "chat-api"]
    expected = defaultdict(float)
    for c in (gpt[2], gpt[5]):
        expected[(bucket(seed, c.offset_s), "toxicity")] += 3600 / INTERVAL
    assert {(r["time"], r["kind"]): r["flagged_per_hour"] for r in rows} == pytest.approx(dict(expected))


def test_latest_flagged_calls(run, panels):
    rows = run(panels[(QS, "Latest flagged calls")])
    assert [(r["TraceId"], r["flagged_by"], r["score"]) for r in rows] == [("trace05", "toxicity", 0.9),
                                                                          ("trace02", "toxicity", 0.9)]
    assert rows[0]["all_scores"] == "relevance=0.5, toxicity=0.9"
    assert rows[0]["explanation"] == "insult"


# -- Sandbox and trace ----------------------------------------------------------------------------------------
def test_sandbox(run, panels):
    assert [r["RunId"] for r in run(panels[(SB, "Load runs")])] == ["load2", "load1"]
    [row] = run(panels[(SB, "Eval regressions")])
    assert (row["RunId"], row["delta"]) == ("eval2", pytest.approx(-0.2))
    rows = run(panels[(SB, "p99 time to first token per run")])
    assert [r["ttft_p99"] for r in rows] == pytest.approx([0.12, 0.15])


def test_trace_view(run, panels, seed):
    rows = run(panels[(TR, "Trace ${trace_id}")], trace_id="trace00")
    assert [(r["spanID"], r["parentSpanID"], r["operationName"]) for r in rows] == [
        ("span00", "", "chat gpt-4o"), ("tool00", "span00", "execute_tool")]
    assert rows[0]["duration"] == pytest.approx(1000.0)
    assert rows[0]["startTime"] == pytest.approx(seed.ts(55 * 60) * 1000)
    tags = {t["key"]: t["value"] for t in rows[0]["tags"]}
    assert tags["gen_ai.request.model"] == "gpt-4o" and rows[0]["statusCode"] == 0
    assert {t["key"] for t in rows[0]["serviceTags"]} == {"service.name", "deployment.environment.name"}
    assert len(run(panels[(TR, "Spans")], trace_id="trace00")) == 2
