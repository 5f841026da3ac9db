"""POST /v1/scores against a running `pharos serve`."""

from __future__ import annotations

import httpx


def test_scores_are_stored_once_and_bad_ones_refused_whole(pharos_server):
    url = f"{pharos_server.otlp_http}/v1/scores"
    score = {"trace_id": "ab" * 16, "span_id": "cd" * 8, "name": "helpfulness", "value": 0.5, "label": "ok",
             "explanation": "reviewed", "source": "human", "score_id": "review-1", "attributes": {"reviewer": "ana"}}
    for _ in range(2):  # a retry with the same score_id keeps one row
        r = httpx.post(url, json={"scores": [score]}, timeout=10)
        assert r.status_code == 200 and r.json()["accepted"] == 1
    client = pharos_server.sql_client()
    # acknowledged = in the write-ahead log; queryable once the writer's next batch is in (batch age)
    assert pharos_server.wait_for_rows("SELECT count() FROM scores WHERE ScoreId = 'review-1'", 1) >= 1
    rows = client.query("SELECT TraceId, SpanId, Name, Value, Label, Explanation, Source, Attributes FROM scores FINAL "
                        "WHERE ScoreId = 'review-1'").result_rows
    assert rows == [("ab" * 16, "cd" * 8, "helpfulness", 0.5, "ok", "reviewed", "human", {"reviewer": "ana"})]

    bad = [{**score, "score_id": "x1", "trace_id": "nothex"}, {**score, "score_id": "x2", "source": "robot"},
           {**score, "score_id": "x3", "value": None, "label": ""}]
    r = httpx.post(url, json={"scores": [dict(score, score_id="fine-1"), *bad]}, timeout=10)
    assert r.status_code == 400  # refused whole: not even fine-1 is accepted
    details = " ".join(r.json()["details"])
    assert "trace_id must be 32 hex" in details and "source must be" in details and "value or a label" in details
    assert int(client.command("SELECT count() FROM scores WHERE ScoreId IN ('fine-1', 'x1', 'x2', 'x3')")) == 0
    assert httpx.post(url, content=b"{nope", headers={"Content-Type": "application/json"}).status_code == 400
