"""The console app in-process over a store of its own (no browser): empty states, escaping, score
validation, the auth seam."""

from __future__ import annotations

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from pharos.collector.sql_api import reader_settings
from pharos.collector.store.migrations import migrate
from pharos.dashboards.console import create_console_app
from pharos.dashboards.console.auth import authorize
from pharos.dashboards.console.detail import span_tree
from pharos.dashboards.console.messages import chat, preview_text


@pytest.fixture
def console(make_store):
    store = make_store()
    migrate(store)
    app = create_console_app(store, lambda: store.new_client(settings=reader_settings(10, 100_000, 2**30),
                                                             database=store.database))
    return store, app, TestClient(app)


def test_empty_store_tells_how_to_send_the_first_trace(console):
    _, _, client = console
    for path in ("/", "/calls"):
        r = client.get(path)
        assert r.status_code == 200
        assert "No LLM calls stored yet" in r.text and "pharos.init(" in r.text
        assert "OTEL_EXPORTER_OTLP_ENDPOINT" in r.text
        assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "Nothing flagged" in client.get("/evaluations").text
    assert "No sandbox runs yet" in client.get("/runs").text
    assert client.get("/calls/" + "0" * 32).status_code == 404
    assert client.get("/calls/not-a-trace").status_code == 404
    assert client.get("/runs/nope").status_code == 404


def test_scores_endpoint_validates_like_the_scores_api(console):
    store, _, client = console
    tid, sid = "ab" * 16, "cd" * 8
    bad = client.post("/api/scores", json={"scores": [{"trace_id": "xyz", "name": "n", "value": 1}]})
    assert bad.status_code == 400
    assert client.post("/api/scores", json={"scores": [{"trace_id": tid, "name": "n"}]}).status_code == 400
    ok = client.post("/api/scores", json={"scores": [{"trace_id": tid, "span_id": sid, "name": "n", "label": "good"}]})
    assert ok.status_code == 200 and ok.json()["accepted"] == 1
    form = client.post(f"/calls/{tid}/scores", content=f"span_id={sid}&name=review&value=1&label=&explanation=x",
                       headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"].startswith(f"/calls/{tid}?span={sid}")
    rows = store.query("SELECT Name, Source, Value, Label FROM scores FINAL WHERE TraceId = {t:String} ORDER BY Name",
                       {"t": tid})
    assert rows == [("n", "human", rows[0][2], "good"), ("review", "human", 1.0, "")]


def test_auth_is_a_seam(console):
    _, app, client = console

    def deny():
        raise HTTPException(401, "no")

    app.dependency_overrides[authorize] = deny
    try:
        assert client.get("/").status_code == 401
        assert client.post("/api/scores", json={"scores": []}).status_code == 401
    finally:
        app.dependency_overrides.clear()
    assert client.get("/").status_code == 200


def test_messages_and_tree_helpers():
    turns = chat({"gen_ai.system_instructions": '[{"type": "text", "content": "be brief"}]',
                  "gen_ai.input.messages": '[{"role": "user", "parts": [{"type": "text", "content": "<b>hi</b>"}]}]',
                  "gen_ai.output.messages": '[{"role": "assistant", "parts": [{"type": "tool_call", "name": "f", '
                                            '"arguments": {"a": 1}}], "finish_reason": "tool_call"}]'})
    assert [t["role"] for t in turns] == ["system", "user", "assistant"]
    assert turns[1]["parts"][0]["text"] == "<b>hi</b>" and turns[2]["parts"][0]["text"] == 'f({"a": 1})'
    assert chat({"gen_ai.input.messages": "not json"})[0]["parts"][0]["text"] == "not json"
    assert preview_text('[{"role": "user", "parts": [{"type": "text", "content": "a  b"}]}]') == "a b"
    spans = [{"span_id": "c", "parent": "b", "ts": 3, "duration_ns": 1}, {"span_id": "a", "parent": "", "ts": 1,
             "duration_ns": 10}, {"span_id": "b", "parent": "a", "ts": 2, "duration_ns": 5},
             {"span_id": "x", "parent": "x", "ts": 2, "duration_ns": 1}]
    assert [(s["span_id"], s["depth"]) for s in span_tree(spans)[:3]] == [("a", 0), ("b", 1), ("c", 2)]
    assert len(span_tree(spans)) == 4


def test_text_search_reads_the_content_table_newest_first(console):
    """Calls with captured content land in llm_call_content (migration 9); the search finds them case-insensitively,
    newest first, with the other filters, and the call rows come from otel_traces."""
    store, _, client = console
    # 60 calls with content over the last hour (every other one failed), and one without content
    store.command(
        "INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ServiceName, SpanName, SpanAttributes, StatusCode) "
        "SELECT now64(9) - toIntervalSecond(number * 60), lower(hex(cityHash64(number, 't'))) || '0000000000000000', "
        "lower(hex(cityHash64(number, 's'))), 'svc', 'chat m', map('gen_ai.operation.name', 'chat', "
        "'gen_ai.request.model', 'm', 'gen_ai.input.messages', concat('[{\"role\":\"user\",\"parts\":"
        "[{\"type\":\"text\",', '\"content\":\"Where is Parcel #', toString(number), '?\"}]}]')), "
        "if(number % 2 = 1, 'Error', 'Ok') "
        "FROM numbers(60)")
    store.command("INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ServiceName, SpanName, SpanAttributes) "
                  "VALUES (now64(9), 'ff', 'ee', 'svc', 'chat m', map('gen_ai.operation.name', 'chat'))")
    assert store.count("llm_call_content") == 60
    page = client.get("/calls?range=24h&q=PARCEL+%23").text
    assert "more than 50 calls" in page and "Where is Parcel #0?" in page  # the newest first, a full page
    assert "Where is Parcel #59?" not in page
    one = client.get("/calls?range=24h&q=parcel+%2342%3F").text
    assert 'data-total="1"' in one and "Where is Parcel #42?" in one
    errors = client.get("/calls?range=24h&q=parcel+%234&status=error").text
    assert 'data-total="5"' in errors  # #4 and #40-#49 match; the odd ones failed
