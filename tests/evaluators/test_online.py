"""The online worker on a real (embedded chDB) store: exactly-once scores across re-runs and crashes,
two workers sharing the stream, and a real OpenAI-compatible judge server that fails and recovers."""

import json
import threading
import time

import pytest

from pharos.collector.store import migrate
from pharos.evaluators.online import Worker
from pharos.evaluators.settings import EvaluatorSettings
from pharos_testing import free_port

COLS = ["Timestamp", "TraceId", "SpanId", "ParentSpanId", "ServiceName", "SpanName", "SpanAttributes"]


def msgs(role, text):
    return json.dumps([{"role": role, "parts": [{"type": "text", "content": text}]}])


def add_calls(store, n, start=0, question="What is the capital of France? Reach me at jane.roe@example.com",
              answer="Paris is the capital of France.", with_context=False):
    now = time.time_ns()
    rows = []
    for i in range(start, start + n):
        tid, sid = f"{i + 1:032x}", f"{i + 1:016x}"
        rows.append([now + i, tid, sid, "", "shop", "chat m1",
                     {"gen_ai.operation.name": "chat", "gen_ai.request.model": "m1",
                      "gen_ai.input.messages": msgs("user", question),
                      "gen_ai.output.messages": msgs("assistant", answer)}])
        if with_context:
            rows.append([now + i - 10, tid, f"{i + 1:015x}f", "", "shop", "retrieval",
                         {"gen_ai.operation.name": "retrieval",
                          "gen_ai.retrieval.documents": json.dumps(["Paris is the capital and largest city of France."])}])
    store.insert_rows("otel_traces", rows, COLS)
    return [(r[1], r[2]) for r in rows if r[5] == "chat m1"]


def settings(**kw):
    base = dict(evaluators="pii,secrets,relevance,groundedness", eval_consumer="t", eval_poll_interval_s=0.1,
                eval_retry_backoff_s=0.2, eval_batch_size=50)
    base.update(kw)
    return EvaluatorSettings(**base)


def score_counts(store):
    return store.query("SELECT count(), uniqExact(Name, TraceId, SpanId), uniqExact(TraceId, SpanId) "
                       "FROM scores FINAL WHERE Source = 'evaluator'")[0]


def drain(worker, rounds=50):
    total = 0
    for _ in range(rounds):
        got = worker.poll_once()
        total += got
        if not got:
            break
    return total


def test_scores_once_across_reruns_and_a_crash(make_store):
    store = make_store()
    migrate(store)
    add_calls(store, 120, with_context=True)
    w = Worker(store, settings(eval_batch_size=50))
    assert w.poll_once() == 50
    # "crash" after the scores were written but before the done-ledger: a new worker re-does that batch
    store.command("TRUNCATE TABLE evaluator_done")
    store.command("TRUNCATE TABLE evaluator_progress")
    w2 = Worker(store, settings(eval_batch_size=50, eval_worker_id=w.worker_id))
    assert drain(w2) == 120
    assert drain(w2) == 0  # nothing new: nothing re-scored
    rows, uniq, spans = score_counts(store)
    # pii, secrets, relevance, groundedness on each of 120 calls, each exactly once
    assert (rows, uniq, spans) == (480, 480, 120)
    # late spans (inside the lateness window) are still picked up, once
    add_calls(store, 5, start=500)
    assert drain(w2) == 5
    assert score_counts(store)[0] == 480 + 5 * 3  # no retrieved context: no groundedness score


def test_no_raw_pii_or_secret_in_scores(make_store):
    store = make_store()
    migrate(store)
    key = "sk-proj-" + "Qx7" * 20
    add_calls(store, 3, question=f"my key is {key} and card 4111 1111 1111 1111, mail bob@example.org",
              answer="Call +1 415 555 0199 or write to ann@example.net")
    w = Worker(store, settings(evaluators="pii,secrets"))
    drain(w)
    rows = store.query("SELECT Name, Value, Label, Explanation, toString(Attributes) FROM scores FINAL")
    assert len(rows) == 6
    blob = json.dumps(rows)
    for raw in (key, "4111 1111 1111 1111", "bob@example.org", "415 555 0199", "ann@example.net"):
        assert raw not in blob
    pii = [r for r in rows if r[0] == "pii"][0]
    assert pii[1] == 4 and pii[2] == "pii"
    findings = json.loads(store.query("SELECT Attributes['pii.findings'] FROM scores FINAL WHERE Name='pii' LIMIT 1")[0][0])
    assert {f["type"] for f in findings} == {"CREDIT_CARD", "EMAIL", "PHONE_NUMBER"}
    assert all(set(f) == {"type", "where", "start", "end"} for f in findings)


def test_two_workers_share_the_stream_without_double_scoring(make_store):
    store = make_store()
    migrate(store)
    add_calls(store, 200)
    a = Worker(store, settings(evaluators="pii", eval_worker_id="a"))
    b = Worker(store, settings(evaluators="pii", eval_worker_id="b"))
    a.heartbeat(force=True)
    b.heartbeat(force=True)
    a.heartbeat(force=True)
    assert sorted(a.shards + b.shards) == list(range(16)) and not set(a.shards) & set(b.shards)
    got_a, got_b = drain(a), drain(b)
    assert got_a > 0 and got_b > 0 and got_a + got_b == 200
    rows = store.query("SELECT count() FROM scores WHERE Name = 'pii'")[0][0]  # without FINAL: no duplicates
    assert rows == 200


# ---------------------------------------------------------------- a real OpenAI-compatible judge server
@pytest.fixture
def judge_server():
    import uvicorn
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    state = {"mode": "ok", "calls": 0}
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(req: Request):
        body = await req.json()
        state["calls"] += 1
        if state["mode"] == "down":
            return JSONResponse({"error": "overloaded"}, status_code=503)
        prompt = body["messages"][-1]["content"]
        good = "Paris" in prompt
        content = ("```json\n" if state["mode"] == "fenced" else "") + json.dumps(
            {"explanation": "The answer addresses the question." if good else "Off topic.",
             "label": "helpful" if good else "unhelpful", "score": 0.9 if good else 0.1}) + \
            ("\n```" if state["mode"] == "fenced" else "")
        return {"id": "x", "object": "chat.completion", "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70}}

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/v1", state
    server.should_exit = True
    th.join(5)


def wait(cond, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


def test_failing_judge_does_not_hold_back_others_and_catches_up(make_store, judge_server):
    url, state = judge_server
    store = make_store()
    migrate(store)
    state["mode"] = "down"
    s = settings(evaluators="pii,judge_helpfulness", judge_base_url=url, judge_model="judge-1",
                 eval_retry_backoff_s=0.2, eval_max_retries=50)
    w = Worker(store, s).start()
    try:
        add_calls(store, 20)
        count = lambda name: store.query(  # noqa: E731
            f"SELECT count() FROM scores FINAL WHERE Name = '{name}'")[0][0]
        assert wait(lambda: count("pii") == 20), "local evaluators were held back by the failing judge"
        assert wait(lambda: w.engine.health["judge_helpfulness"].failed >= 3)
        assert count("judge_helpfulness") == 0
        w.flush_health()
        failed, err = store.query("SELECT Failed, LastError FROM evaluator_health FINAL "
                                  "WHERE Evaluator = 'judge_helpfulness'")[0]
        assert failed >= 3 and "503" in err
        state["mode"] = "fenced"  # recovers (and answers inside a code fence: lenient parsing)
        assert wait(lambda: count("judge_helpfulness") == 20, timeout=60), w.engine.health["judge_helpfulness"]
        v, label, attrs = store.query("SELECT Value, Label, Attributes FROM scores FINAL "
                                      "WHERE Name = 'judge_helpfulness' LIMIT 1")[0]
        assert v == pytest.approx(0.9) and label == "helpful"
        assert attrs["judge.model"] == "judge-1" and attrs["judge.input_tokens"] == "50"
        assert int(attrs["judge.latency_ms"]) >= 0
        assert count("pii") == 20
        pending = store.query("SELECT countIf(State = 'pending'), countIf(State = 'done') "
                              "FROM evaluator_retries FINAL WHERE Evaluator = 'judge_helpfulness'")[0]
        assert pending == (0, 20)
    finally:
        w.stop()


def test_judge_parse_retry_and_rubric(judge_server):
    from pharos.evaluators.base import Call
    from pharos.evaluators.builtin.judge import JudgeEvaluator, parse_verdict

    url, state = judge_server
    j = JudgeEvaluator(rubric="helpfulness", base_url=url, model="m", api_key="secret-key-123")
    s = j.evaluate(Call(input="Capital of France?", output="Paris."))
    assert s.label == "helpful" and s.value == pytest.approx(0.9)
    assert "secret-key-123" not in repr(j)
    assert parse_verdict("Sure! {'explanation': 'ok', 'label': 'Helpful', 'score': '80%',}", ["helpful", "unhelpful"]) \
        == (0.8, "helpful", "ok")
    with pytest.raises(ValueError):
        parse_verdict("no verdict here", ["a", "b"])


def test_late_span_found_by_the_periodic_full_scan(make_store):
    """Most polls scan only the recent past; a span that arrives minutes late (inside the lateness window) is
    scored by the next full scan from the watermark, exactly once."""
    store = make_store()
    migrate(store)
    add_calls(store, 3)
    w = Worker(store, settings(evaluators="pii"))
    assert drain(w) == 3  # the first poll is a full scan; the next ones are recent-only
    late = time.time_ns() - int((w.RECENT_S + 120) * 1e9)
    store.insert_rows("otel_traces", [[late, f"{900:032x}", f"{900:016x}", "", "shop", "chat m1",
                                       {"gen_ai.operation.name": "chat",
                                        "gen_ai.input.messages": msgs("user", "late question, mail x@example.com"),
                                        "gen_ai.output.messages": msgs("assistant", "late answer")}]], COLS)
    assert w.poll_once() == 0  # recent-only scan: not seen yet
    w._last_full_scan = float("-inf")  # the full-scan period has passed
    assert w.poll_once() == 1
    w._last_full_scan = float("-inf")
    assert w.poll_once() == 0
    assert score_counts(store)[0] == 4
