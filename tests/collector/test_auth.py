"""Access control end to end: a real `pharos serve --auth on`, keys made with the real `pharos keys`
CLI while it runs (through its admin API), real OTel exporters (HTTP and gRPC) sending with headers,
raw gRPC calls, /v1/scores, the console, and the server log checked for secrets."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time

import grpc
import httpx
import pytest
from google.rpc import error_details_pb2, status_pb2
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from pharos_testing import PharosProcess, spans_request

SQL_PASSWORD = "sql-pass-never-logged-7f3a"
PROMPT = "my-secret-prompt-text-9b1e about the quarterly numbers"
TRACE_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


def _keys_cli(server: PharosProcess, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pharos", "keys", *args, "--data-dir", str(server.data_dir)],
                          capture_output=True, text=True, timeout=120)


def _create_key(server: PharosProcess, project: str) -> str:
    done = _keys_cli(server, "create", "--project", project)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = PharosProcess(tmp_path_factory.mktemp("auth") / "data",
                      args=["--auth", "on", "--batch-max-age-ms", "100", "--auth-refresh-seconds", "0.5",
                            "--rate-limit-per-second", "2", "--rate-limit-burst", "40", "--sql-user", "reader"],
                      env={"PHAROS_SQL_PASSWORD": SQL_PASSWORD}).start()
    s.keys = {p: _create_key(s, p) for p in ("alpha", "beta", "gamma")}
    yield s
    s.stop()


def _sql(server):
    return server.sql_client(username="reader", password=SQL_PASSWORD)


def _post(server, key: str | None, path: str = "/v1/traces", body: bytes | None = None, header="authorization"):
    headers = {"Content-Type": "application/x-protobuf"}
    if key is not None:
        headers[header] = f"Bearer {key}" if header == "authorization" else key
    return httpx.post(server.otlp_http + path, content=body or spans_request("svc", 1).SerializeToString(),
                      headers=headers, timeout=30)


def _grpc(server, key: str | None, payload: bytes | None = None):
    with grpc.insecure_channel(server.otlp_grpc) as channel:
        export = channel.unary_unary(TRACE_EXPORT, request_serializer=None, response_deserializer=None)
        metadata = [("authorization", f"Bearer {key}")] if key is not None else None
        return export(payload or spans_request("svc", 1).SerializeToString(), metadata=metadata, timeout=30)


def _grpc_code(server, key):
    try:
        _grpc(server, key)
    except grpc.RpcError as exc:
        return exc.code(), exc.details()
    return grpc.StatusCode.OK, ""


def _wait(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_missing_and_wrong_keys_are_refused_on_every_listener(server):
    alpha = server.keys["alpha"]
    for key in (None, "phk_not-a-key", alpha[:-2]):
        r = _post(server, key)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        status = status_pb2.Status.FromString(r.content)
        assert status.code == 16 and "API key" in status.message
        assert _grpc_code(server, key)[0] == grpc.StatusCode.UNAUTHENTICATED
        assert _post(server, key, "/v1/metrics").status_code == 401
        scores = httpx.post(server.otlp_http + "/v1/scores", json={"scores": []}, timeout=30,
                            headers={"authorization": f"Bearer {key}"} if key else {})
        assert scores.status_code == 401 and "API key" in scores.json()["message"]
        console = httpx.get(server.console_url + "/calls", timeout=30,
                            headers={"authorization": f"Bearer {key}"} if key else {})
        assert console.status_code == 401 and console.headers["www-authenticate"].startswith("Basic")
    assert "Authorization: Bearer <key>" in _post(server, None).content.decode(errors="replace")
    assert "unknown or has been revoked" in _grpc_code(server, "phk_nope")[1]
    # health stays open; the right key gets in, by either header
    for url in (server.otlp_http + "/healthz", server.otlp_http + "/readyz", server.console_url + "/healthz"):
        assert httpx.get(url, timeout=30).status_code == 200
    assert _post(server, alpha).status_code == 200
    assert _post(server, alpha, header="x-pharos-api-key").status_code == 200
    assert ExportTraceServiceResponse.FromString(_grpc(server, alpha)) is not None
    basic = base64.b64encode(f"me:{alpha}".encode()).decode()
    assert httpx.get(server.console_url + "/calls", headers={"authorization": f"Basic {basic}"},
                     timeout=30).status_code == 200


def test_a_revoked_key_stops_working_within_seconds(server):
    key = _create_key(server, "alpha")
    assert _post(server, key).status_code == 200 and _grpc_code(server, key)[0] == grpc.StatusCode.OK
    (record,) = [k for k in json.loads(_keys_cli(server, "list", "--json").stdout) if key.startswith(k["prefix"])]
    assert record["project"] == "alpha" and record["revoked_at"] is None
    assert _keys_cli(server, "revoke", record["id"]).returncode == 0
    assert _wait(lambda: _post(server, key).status_code == 401, timeout=5)
    assert _grpc_code(server, key)[0] == grpc.StatusCode.UNAUTHENTICATED
    assert key not in server.log()


def _otel_spans(endpoint_kind: str, server, key: str, model: str, claimed_project: str) -> str:
    """Send one GenAI span through a real OTel exporter; returns its trace id (hex)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    if endpoint_kind == "http":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=server.otlp_http + "/v1/traces",
                                    headers={"authorization": f"Bearer {key}"})
    else:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=server.otlp_grpc, insecure=True,
                                    headers={"authorization": f"Bearer {key}"})
    provider = TracerProvider(resource=Resource.create({"service.name": f"svc-{model}",
                                                        "pharos.project": claimed_project}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span(f"chat {model}") as span:
        span.set_attribute("gen_ai.operation.name", "chat")
        span.set_attribute("gen_ai.request.model", model)
        span.set_attribute("gen_ai.input.messages", json.dumps([{"role": "user", "parts": [
            {"type": "text", "content": PROMPT}]}]))
        trace_id = format(span.get_span_context().trace_id, "032x")
    provider.shutdown()
    return trace_id


def test_the_key_project_is_stamped_and_reads_are_scoped(server):
    alpha, beta = server.keys["alpha"], server.keys["beta"]
    # alpha's key claims to be beta: the stamp wins
    t_alpha_http = _otel_spans("http", server, alpha, "model-alpha-http", claimed_project="beta")
    _otel_spans("grpc", server, alpha, "model-alpha-grpc", claimed_project="beta")
    t_beta = _otel_spans("http", server, beta, "model-beta", claimed_project="alpha")
    sql = _sql(server)
    assert _wait(lambda: int(sql.command("SELECT count() FROM otel_traces WHERE SpanName LIKE 'chat model-%'")) >= 3)
    stored = dict(sql.query("SELECT GenAIRequestModel, ResourceAttributes['pharos.project'] FROM otel_traces "
                            "WHERE SpanName LIKE 'chat model-%'").result_rows)
    assert stored == {"model-alpha-http": "alpha", "model-alpha-grpc": "alpha", "model-beta": "beta"}

    # metric points too (a gauge whose resource claims beta, sent with alpha's key)
    metrics = ExportMetricsServiceRequest()
    rm = metrics.resource_metrics.add()
    kv = rm.resource.attributes.add()
    kv.key, kv.value.string_value = "pharos.project", "beta"
    metric = rm.scope_metrics.add().metrics.add()
    metric.name = "auth.check.gauge"
    point = metric.gauge.data_points.add()
    point.time_unix_nano, point.as_double = time.time_ns(), 1.5
    assert _post(server, alpha, "/v1/metrics", metrics.SerializeToString()).status_code == 200
    assert _wait(lambda: sql.query("SELECT ResourceAttributes['pharos.project'] FROM otel_metrics_gauge "
                                   "WHERE MetricName = 'auth.check.gauge'").result_rows == [("alpha",)])

    # scores: the key's project, whatever the attributes say
    for key, trace_id, score_id in ((alpha, t_alpha_http, "sa"), (alpha, t_beta, "sa-on-beta"), (beta, t_beta, "sb")):
        r = httpx.post(server.otlp_http + "/v1/scores", headers={"authorization": f"Bearer {key}"}, timeout=30,
                       json={"scores": [{"trace_id": trace_id, "name": "helpful", "value": 1, "score_id": score_id,
                                         "attributes": {"pharos.project": "beta"}}]})
        assert r.status_code == 200, r.text
    assert _wait(lambda: int(sql.command("SELECT count() FROM scores WHERE Name = 'helpful'")) == 3)
    assert dict(sql.query("SELECT ScoreId, Attributes['pharos.project'] FROM scores FINAL WHERE Name = 'helpful'")
                .result_rows) == {"sa": "alpha", "sa-on-beta": "alpha", "sb": "beta"}

    def console(key: str, path: str) -> httpx.Response:
        return httpx.get(server.console_url + path, headers={"authorization": f"Bearer {key}"}, timeout=60)

    calls = console(alpha, "/calls?range=1h").text
    assert "model-alpha-http" in calls and "model-alpha-grpc" in calls and "model-beta" not in calls
    calls = console(beta, "/calls?range=1h").text
    assert "model-beta" in calls and "model-alpha" not in calls
    assert console(alpha, f"/calls/{t_beta}").status_code == 404
    mine = console(alpha, f"/calls/{t_alpha_http}")
    assert mine.status_code == 200 and "model-alpha-http" in mine.text
    theirs = console(beta, f"/calls/{t_beta}").text
    assert "sb" in theirs and "sa-on-beta" not in theirs  # alpha's score on beta's trace is alpha's
    # a human score through the console is stamped with the key's project
    r = httpx.post(server.console_url + "/api/scores", headers={"authorization": f"Bearer {alpha}"}, timeout=30,
                   json={"scores": [{"trace_id": t_alpha_http, "name": "console-check", "value": 1,
                                     "score_id": "console-1"}]})
    assert r.status_code == 200, r.text
    assert sql.query("SELECT Attributes['pharos.project'] FROM scores WHERE ScoreId = 'console-1'").result_rows \
        == [("alpha",)]


def test_rate_limit_answers_429_and_resource_exhausted(server):
    gamma = server.keys["gamma"]
    body = spans_request("rate", 1).SerializeToString()
    with httpx.Client(timeout=30) as client:
        codes = [client.post(server.otlp_http + "/v1/traces", content=body,
                             headers={"authorization": f"Bearer {gamma}", "Content-Type": "application/x-protobuf"})
                 for _ in range(80)]
    refused = [r for r in codes if r.status_code == 429]
    assert refused and len([r for r in codes if r.status_code == 200]) >= 40  # the burst passes
    assert int(refused[0].headers["retry-after"]) >= 1
    assert status_pb2.Status.FromString(refused[0].content).code == 8
    with pytest.raises(grpc.RpcError) as err:
        _grpc(server, gamma)
    assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "rate limit" in err.value.details()
    details = dict(err.value.trailing_metadata() or ())
    status = status_pb2.Status.FromString(details["grpc-status-details-bin"])
    info = error_details_pb2.RetryInfo()
    assert status.details[0].Unpack(info) and info.retry_delay.ToNanoseconds() > 0
    assert _post(server, server.keys["alpha"]).status_code == 200  # other keys are unaffected


def test_no_key_password_or_prompt_in_the_log(server):
    """Content capture on in the SDK, a key in its headers, refused and accepted requests of every kind,
    SQL with the password: none of the secrets reaches the server log."""
    alpha = server.keys["alpha"]
    script = (
        "import pharos, sys\n"
        f"pharos.init(endpoint={server.otlp_http!r}, headers='authorization=Bearer {alpha}', capture_content=True,"
        " service_name='log-check', metrics=False)\n"
        "with pharos.llm_span('chat', model='log-model', provider='custom') as span:\n"
        f"    span.set_input([{{'role': 'user', 'content': {PROMPT!r}}}])\n"
        "    span.set_output([{'role': 'assistant', 'content': 'fine'}])\n"
        "pharos.shutdown()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sql = _sql(server)
    assert _wait(lambda: int(sql.command(
        "SELECT count() FROM otel_traces WHERE GenAIRequestModel = 'log-model' "
        f"AND position(SpanAttributes['gen_ai.input.messages'], '{PROMPT.split()[0]}') > 0")) == 1)
    # refusals that could tempt a logger: wrong keys, bad bodies with a key, bad SQL with the password
    _post(server, alpha + "x")
    _post(server, alpha, body=b"\x00garbage")
    httpx.get(server.sql_url, params={"query": f"SELECT '{PROMPT}' FROM nowhere", "user": "reader",
                                      "password": SQL_PASSWORD}, timeout=30)
    httpx.get(server.sql_url, params={"query": "SELECT 1", "user": "reader", "password": SQL_PASSWORD + "x"},
              timeout=30)
    log = server.log()
    assert "auth: on" in log and "SQL endpoint closed" not in log  # it has its own credentials here
    for secret in [*server.keys.values(), SQL_PASSWORD, PROMPT.split()[0]]:
        assert secret not in log, secret


def test_the_sdk_sends_its_api_key(server):
    """`PHAROS_API_KEY` is all an app needs: its feedback (and spans) reach the store under the key's project;
    the same app without the key is refused."""
    key = _create_key(server, "delta")
    script = ("import os, pharos\n"
              "pharos.init(service_name='sdk-key', metrics=False)\n"
              "pharos.feedback('sdk-key-check', 1.0, trace_id='ab' * 16, span_id='cd' * 8, score_id=os.environ['SID'])\n"
              "pharos.shutdown()\n")

    def run(sid: str, api_key: str | None) -> None:
        env = {**os.environ, "PHAROS_ENDPOINT": server.otlp_http, "SID": sid}
        env.pop("PHAROS_API_KEY", None)
        if api_key:
            env["PHAROS_API_KEY"] = api_key
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert api_key is None or api_key not in done.stderr

    run("with-key", key)
    run("without-key", None)
    sql = _sql(server)
    assert _wait(lambda: sql.command("SELECT count() FROM scores WHERE Name = 'sdk-key-check'") >= 1)
    rows = sql.query("SELECT ScoreId, Attributes['pharos.project'] FROM scores WHERE Name = 'sdk-key-check'").result_rows
    assert rows == [("with-key", "delta")]
