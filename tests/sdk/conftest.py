"""Shared fixtures for the SDK tests.

* ``openai_server``: a real HTTP server on 127.0.0.1 speaking the OpenAI wire format (chat
  completions, completions, embeddings, responses; SSE streams with a usage chunk). It stands in
  for vLLM. Special model names steer it: ``error-500``, ``error-429``, ``slow`` (answers only when
  the test releases it), ``hold`` (a stream that stops after its first chunk until released).
* ``telemetry``: ``pharos.init`` wired to in-memory span and metric readers of the real OTel SDK.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import pharos.sdk as sdk

WORDS = ["Hello", " from", " the", " fake", " server"]
USAGE = {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16,
         "prompt_tokens_details": {"cached_tokens": 4}, "completion_tokens_details": {"reasoning_tokens": 0}}


class ServerState:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()  # lets "hold"/"slow" requests go on
        self.last_chunk_sent = threading.Event()  # set just before a held stream writes its last chunk
        self.base_url = ""

    def reset(self) -> None:
        self.requests.clear()
        self.release = threading.Event()
        self.last_chunk_sent = threading.Event()


def _chat_completion(model: str) -> dict[str, Any]:
    return {"id": "chatcmpl-123", "object": "chat.completion", "created": 1700000000, "model": model + "-0613"
            if model == "gpt-4o-mini" else model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "".join(WORDS)}}],
            "usage": USAGE}


def _response_obj(model: str) -> dict[str, Any]:
    return {"id": "resp_123", "object": "response", "created_at": 1700000000, "model": model, "status": "completed",
            "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                        "content": [{"type": "output_text", "text": "".join(WORDS), "annotations": []}]}],
            "parallel_tool_calls": True, "tool_choice": "auto", "tools": [],
            "usage": {"input_tokens": 9, "output_tokens": 5, "total_tokens": 14,
                      "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 2}}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: ServerState

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _sse_start(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _sse(self, data: Any, event: str | None = None) -> None:
        text = (f"event: {event}\n" if event else "") + "data: " + (data if isinstance(data, str) else json.dumps(data)) + "\n\n"
        raw = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(raw), raw))
        self.wfile.flush()

    def _sse_end(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        self.state.requests.append({"path": self.path, "body": body})
        model = body.get("model", "")
        if model == "error-500":
            return self._json(500, {"error": {"message": "boom", "type": "server_error", "code": None}})
        if model == "error-429":
            return self._json(429, {"error": {"message": "slow down", "type": "rate_limit", "code": "rate_limit"}})
        if model == "slow":
            self.state.release.wait(10)
        path = "/" + self.path.split("?")[0].rstrip("/").rsplit("/", 2)[-2] + "/" + self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1] \
            if self.path.split("?")[0].endswith("/chat/completions") else "/" + self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if path == "/chat/completions":
            return self._chat_stream(body) if body.get("stream") else self._json(200, _chat_completion(model))
        if path == "/completions":
            if body.get("stream"):
                return self._completion_stream(body)
            return self._json(200, {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": model,
                                    "choices": [{"index": 0, "text": "".join(WORDS), "finish_reason": "length",
                                                 "logprobs": None}],
                                    "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}})
        if path == "/embeddings":
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            return self._json(200, {"object": "list", "model": model,
                                    "data": [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]}
                                             for i in range(len(inputs))],
                                    "usage": {"prompt_tokens": 7, "total_tokens": 7}})
        if path == "/responses":
            return self._responses_stream(body) if body.get("stream") else self._json(200, _response_obj(model))
        self._json(404, {"error": {"message": "no route"}})

    def _chat_stream(self, body: dict[str, Any]) -> None:
        model = body["model"]
        self._sse_start()
        base = {"id": "chatcmpl-s1", "object": "chat.completion.chunk", "created": 1, "model": model}
        if model == "odd-chunk":  # a chunk whose `choices` is not a list
            self._sse({**base, "choices": 5})
        self._sse({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
        words = ["w"] * int(model[5:]) if model.startswith("long-") else WORDS  # long-N: N words
        for i, word in enumerate(words):
            if model == "hold" and i == 1:
                self.state.release.wait(10)
            self._sse({**base, "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]})
        self.state.last_chunk_sent.set()
        self._sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            self._sse({**base, "choices": [], "usage": USAGE})
        self._sse("[DONE]")
        self._sse_end()

    def _completion_stream(self, body: dict[str, Any]) -> None:
        self._sse_start()
        for word in WORDS:
            self._sse({"id": "cmpl-s", "object": "text_completion", "created": 1, "model": body["model"],
                       "choices": [{"index": 0, "text": word, "finish_reason": None, "logprobs": None}]})
        self._sse({"id": "cmpl-s", "object": "text_completion", "created": 1, "model": body["model"],
                   "choices": [{"index": 0, "text": "", "finish_reason": "stop", "logprobs": None}]})
        self._sse("[DONE]")
        self._sse_end()

    def _responses_stream(self, body: dict[str, Any]) -> None:
        model = body["model"]
        full = _response_obj(model)
        self._sse_start()
        seq = 0
        self._sse({"type": "response.created", "sequence_number": seq,
                   "response": {**full, "status": "in_progress", "output": [], "usage": None}}, "response.created")
        for word in WORDS:
            seq += 1
            self._sse({"type": "response.output_text.delta", "sequence_number": seq, "item_id": "msg_1",
                       "output_index": 0, "content_index": 0, "delta": word, "logprobs": []},
                      "response.output_text.delta")
        self._sse({"type": "response.completed", "sequence_number": seq + 1, "response": full}, "response.completed")
        self._sse_end()


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up mid-stream (abandon and timeout tests) are expected


@pytest.fixture(scope="session")
def _server():
    state = ServerState()
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield state
    state.release.set()
    server.shutdown()


@pytest.fixture
def openai_server(_server: ServerState):
    _server.reset()
    yield _server
    _server.release.set()  # never leave a handler thread waiting


class Telemetry:
    def __init__(self, **options: Any) -> None:
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        self.exporter = InMemorySpanExporter()
        self.reader = InMemoryMetricReader()
        defaults = dict(span_processor=SimpleSpanProcessor(self.exporter), metric_reader=self.reader,
                        set_global=False, gpu_sampling_interval_s=0, service_name="test-app")
        defaults.update(options)
        self.settings = sdk.init(**defaults)

    def spans(self) -> list[Any]:
        return list(self.exporter.get_finished_spans())

    def span(self, operation: str | None = None) -> Any:
        found = [s for s in self.spans() if operation is None or s.attributes.get("gen_ai.operation.name") == operation]
        assert len(found) == 1, [s.name for s in self.spans()]
        return found[0]

    def metrics(self) -> dict[str, list[Any]]:
        data = self.reader.get_metrics_data()
        out: dict[str, list[Any]] = {}
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    out.setdefault(metric.name, []).extend(metric.data.data_points)
        return out


@pytest.fixture
def telemetry():
    """Factory: ``t = telemetry(capture_content=True)`` calls pharos.init with in-memory readers."""
    made: list[Telemetry] = []

    def make(**options: Any) -> Telemetry:
        made.append(Telemetry(**options))
        return made[-1]

    yield make
    sdk.shutdown()
