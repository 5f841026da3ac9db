"""pharos.feedback delivered to POST /v1/scores: end to end into a real `pharos serve`, and the transport's
retry, idempotency, bounded queue and never-raise behaviour against a real loopback HTTP server."""

from __future__ import annotations

import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import openai
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import pharos
import pharos.sdk as sdk
from pharos.sdk import ScoresApiTransport
from pharos.sdk._feedback import Feedback
from pharos_testing import free_port

TRACE, SPAN = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"


class ScoresServer:
    """A loopback ``/v1/scores`` that records what it gets. ``plan`` is a list of statuses to answer
    in turn (then 200); scores named ``bad`` make the whole request a 400; ``hold`` blocks answers."""

    def __init__(self, plan: list[int] | None = None) -> None:
        self.plan = list(plan or [])
        self.requests: list[dict[str, Any]] = []
        self.stored: list[dict[str, Any]] = []
        self.hold = threading.Event()
        self.hold.set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                server.hold.wait(10)
                status = server.plan.pop(0) if server.plan else 200
                if status == 200 and any(s["name"] == "bad" for s in body["scores"]):
                    status = 400
                if status == 200:
                    server.stored.extend(body["scores"])
                payload = json.dumps({"accepted": len(body["scores"])} if status == 200 else {"error": "no"}).encode()
                self.send_response(status)
                if status in (429, 503):
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.hold.set()
        self.httpd.shutdown()


@pytest.fixture
def scores_server():
    made: list[ScoresServer] = []

    def make(plan: list[int] | None = None) -> ScoresServer:
        made.append(ScoresServer(plan))
        return made[-1]

    yield make
    for server in made:
        server.close()


def wait_until(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def score(name: str = "thumbs", **kw: Any) -> Feedback:
    return Feedback(name=name, value=kw.pop("value", 1.0), trace_id=TRACE, span_id=SPAN, **kw)


# ------------------------------------------------------------------------------- end to end
def test_feedback_is_stored_in_scores_of_pharos_serve(openai_server, pharos_server):
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    pharos.init(endpoint=pharos_server.otlp_http, tracer_provider=provider, gpu_sampling_interval_s=0,
                metrics=False, service_name="feedback-e2e")
    try:
        client = openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0)
        reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        thumbs = sdk.feedback("thumbs_up", True, response_id=reply.id, comment="great answer")
        label = sdk.feedback("quality", "good", trace_id=TRACE, span_id=SPAN, source="human")
        first = sdk.feedback("rating", 4, trace_id=TRACE, span_id=SPAN, score_id="client-made-id")
        again = sdk.feedback("rating", 4, trace_id=TRACE, span_id=SPAN, score_id="client-made-id")  # a retry
        assert first.score_id == again.score_id == "client-made-id"
        transport = sdk._state.STATE.feedback_transport
        assert isinstance(transport, ScoresApiTransport)
    finally:
        pharos.shutdown()  # flushes the feedback queue
        provider.shutdown()
    assert transport.delivered == 4 and transport.dropped == 0

    (chat,) = memory.get_finished_spans()
    where = "FROM scores FINAL WHERE ServiceName = 'feedback-e2e'"
    assert pharos_server.wait_for_rows(f"SELECT count() {where}", 3) == 3  # the retried score is stored once
    rows = {r["Name"]: r for r in pharos_server.sql_client().query(
        f"SELECT Name, TraceId, SpanId, ScoreId, Source, Value, Label, Explanation, Attributes {where}").named_results()}
    t = rows["thumbs_up"]
    assert (t["TraceId"], t["SpanId"]) == (f"{chat.context.trace_id:032x}", f"{chat.context.span_id:016x}")
    assert (t["ScoreId"], t["Source"], t["Value"], t["Explanation"]) == (thumbs.score_id, "user", 1.0, "great answer")
    assert t["Attributes"]["gen_ai.response.id"] == reply.id
    q = rows["quality"]
    assert (q["TraceId"], q["SpanId"], q["Label"], q["Source"], q["ScoreId"]) == (TRACE, SPAN, "good", "human",
                                                                                  label.score_id)
    assert math.isnan(q["Value"])
    assert (rows["rating"]["Value"], rows["rating"]["ScoreId"]) == (4.0, "client-made-id")


# ------------------------------------------------------------------------------- transport
def test_busy_collector_is_retried_with_the_same_score_id_and_the_export_headers(scores_server, telemetry):
    server = scores_server(plan=[503, 429])
    telemetry(endpoint=server.url, headers="Authorization=Bearer secret-key")
    record = sdk.feedback("thumbs", True, trace_id=TRACE, span_id=SPAN)
    assert sdk.force_flush()
    assert len(server.requests) == 3  # 503, 429, then stored
    assert {r["body"]["scores"][0]["score_id"] for r in server.requests} == {record.score_id}
    assert all(r["path"] == "/v1/scores" and r["headers"]["Authorization"] == "Bearer secret-key"
               for r in server.requests)
    (stored,) = server.stored
    assert stored == {"trace_id": TRACE, "span_id": SPAN, "name": "thumbs", "source": "user", "value": 1.0,
                      "score_id": record.score_id, "timestamp_ns": record.timestamp_ns, "service_name": "test-app"}


def test_one_rejected_score_does_not_take_the_others_with_it(scores_server):
    server = scores_server()
    server.hold.clear()  # let several scores queue up into one request
    transport = ScoresApiTransport(server.url)
    for name in ("good1", "bad", "good2"):
        transport.send(score(name))
    server.hold.set()
    assert transport.flush()
    assert sorted(s["name"] for s in server.stored) == ["good1", "good2"]
    assert (transport.delivered, transport.dropped) == (2, 1)
    transport.shutdown()


def test_unreachable_collector_never_raises_and_gives_up_counted(caplog):
    transport = ScoresApiTransport(f"http://127.0.0.1:{free_port()}", max_attempts=2)
    transport.send(score())
    assert transport.flush()
    assert (transport.delivered, transport.dropped) == (0, 1)
    assert "after 2 tries" in caplog.text
    transport.shutdown()


def test_the_queue_is_bounded_and_drops_are_counted(scores_server):
    server = scores_server()
    server.hold.clear()  # the collector hangs: nothing leaves the queue while we send
    transport = ScoresApiTransport(server.url, max_queue=3)
    transport.send(score("s0"))
    wait_until(lambda: len(server.requests) == 1)  # the worker is stuck in its first request
    for i in range(1, 10):
        transport.send(score(f"s{i}"))  # never blocks
    assert transport.dropped == 6  # 3 fit in the queue
    server.hold.set()
    assert transport.flush()
    assert [s["name"] for s in server.stored] == ["s0", "s1", "s2", "s3"]
    transport.shutdown()


def test_invalid_scores_are_refused_before_the_queue(scores_server):
    server = scores_server()
    transport = ScoresApiTransport(server.url)
    transport.send(score(value=float("nan")))
    transport.send(Feedback(name="x", value=None, trace_id=TRACE))  # neither value nor label
    transport.send(score("n" * 201))
    assert transport.dropped == 3 and transport.flush() and server.requests == []
    transport.shutdown()


def test_a_score_without_a_known_trace_goes_through_the_trace_pipeline(scores_server, telemetry):
    server = scores_server()
    t = telemetry(endpoint=server.url)
    sdk.feedback("thumbs", False, response_id="resp-from-another-process")
    assert sdk.force_flush() and server.requests == []
    (span,) = [s for s in t.spans() if s.name == "feedback thumbs"]
    assert span.attributes["pharos.score.response_id"] == "resp-from-another-process"
    assert span.attributes["gen_ai.evaluation.score.value"] == 0.0


def test_shutdown_stops_the_worker_and_later_scores_are_dropped(scores_server):
    server = scores_server()
    transport = ScoresApiTransport(server.url)
    transport.send(score())
    assert transport.shutdown()
    assert transport.delivered == 1 and not transport._thread.is_alive()
    transport.send(score())
    assert transport.dropped == 1 and len(server.requests) == 1
