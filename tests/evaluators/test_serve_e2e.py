"""End to end: the SDK (content capture on) -> OTLP/HTTP -> a real `pharos serve` -> the evaluator worker inside
it -> `scores`, read over the SQL endpoint. The server is stopped mid-way and restarted: every score exactly once."""

import json
import signal
import subprocess
import sys
import time

from pharos_testing import PharosProcess

SEND = r"""
import json, sys, pharos
pharos.init(endpoint=sys.argv[1], capture_content=True, service_name="e2e-shop")
ids = []
start = int(sys.argv[2])
for i in range(start, start + int(sys.argv[3])):
    with pharos.llm_span("invoke_agent", agent_name="shop"):  # one trace: retrieval, then the LLM call
        with pharos.llm_span("retrieval") as r:
            r.set_documents(["Paris is the capital and largest city of France."])
        with pharos.llm_span("chat", model="tiny", provider="vllm") as s:
            s.set_input([{"role": "user", "content": f"Question {i}: what is the capital of France? Mail me at user{i}@example.com"}])
            s.set_output([{"role": "assistant", "content": "Paris is the capital of France."}])
            s.set_usage(12, 7)
            ctx = s.span.get_span_context()
            ids.append([format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")])
pharos.shutdown()
print(json.dumps(ids))
"""

ENV = {"PHAROS_EVALUATORS": "pii,secrets,relevance,groundedness", "PHAROS_EVAL_POLL_INTERVAL_S": "0.2"}


def send(server, start, n):
    out = subprocess.run([sys.executable, "-c", SEND, server.otlp_http, str(start), str(n)], capture_output=True,
                         text=True, timeout=60, check=True)
    return [tuple(x) for x in json.loads(out.stdout.strip().splitlines()[-1])]


def test_sdk_calls_get_scores_within_seconds_and_once_across_a_restart(tmp_path):
    server = PharosProcess(tmp_path / "data", env=ENV, args=["--batch-max-age-ms", "100"]).start()
    try:
        sent = send(server, 0, 10)
        t0 = time.monotonic()
        got = server.wait_for_rows("SELECT count() FROM scores FINAL WHERE Source = 'evaluator'", 40, timeout=60)
        took = time.monotonic() - t0
        assert got == 40, server.log()[-3000:]
        assert took < 30  # includes loading the embedding model on first use
        client = server.sql_client()
        keyed = {tuple(r) for r in client.query(
            "SELECT TraceId, SpanId FROM scores FINAL WHERE Name = 'pii'").result_rows}
        assert keyed == set(sent)  # each score keyed to the chat span that was scored
        rows = client.query("SELECT Name, Label, Value, ServiceName FROM scores FINAL "
                            "WHERE TraceId = {t:String} ORDER BY Name", parameters={"t": sent[0][0]}).result_rows
        assert [(r[0], r[1]) for r in rows] == [("groundedness", "grounded"), ("pii", "pii"),
                                                ("relevance", "relevant"), ("secrets", "clean")]
        assert all(r[3] == "e2e-shop" for r in rows)
        # freshness once warm: a new call is scored within a few seconds
        send(server, 10, 1)
        t0 = time.monotonic()
        assert server.wait_for_rows("SELECT count() FROM scores FINAL WHERE Source = 'evaluator'", 44, timeout=15) == 44
        assert time.monotonic() - t0 < 10
        # stop the server right after a batch arrives, restart it: nothing lost, nothing doubled
        sent += send(server, 11, 15)
        server.stop(signal.SIGKILL)
        server = PharosProcess(tmp_path / "data", env=ENV, args=["--batch-max-age-ms", "100"]).start()
        client = server.sql_client()
        # spans acknowledged before the kill may be lost by the collector; only stored calls can be scored
        stored = int(client.command("SELECT count() FROM otel_traces WHERE GenAIOperationName = 'chat'"))
        assert stored >= 11
        assert server.wait_for_rows("SELECT count() FROM scores FINAL WHERE Source = 'evaluator'",
                                    stored * 4, timeout=60) == stored * 4
        time.sleep(1.0)  # a few more polls: still exactly once
        total, uniq = client.query("SELECT count(), uniqExact(Name, TraceId, SpanId) FROM scores FINAL "
                                   "WHERE Source = 'evaluator'").result_rows[0]
        assert total == uniq == stored * 4
        health = client.query("SELECT Evaluator, sum(Scored), sum(Failed) FROM evaluator_health FINAL "
                              "GROUP BY Evaluator ORDER BY Evaluator").result_rows
        assert [h[0] for h in health] == ["groundedness", "pii", "relevance", "secrets"]
        assert all(h[2] == 0 for h in health)
    finally:
        server.stop()
