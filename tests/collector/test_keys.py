"""API keys (stored hashed, revocable), the verifying cache, the rate limiter, project-scoped readers
and the `pharos keys` CLI. In-process on the session's chDB store, except the CLI (a subprocess with its
own store directory)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time

import pytest

from pharos.collector.auth import (PROJECT_ATTRIBUTE, Authenticator, KeyStore, UnknownKey, auth_enabled, bearer_key,
                                   hash_key, scoped_reader_settings, validate_project)
from pharos.collector.ratelimit import RateLimiter, TokenBucket
from pharos.collector.sql_api import reader_settings
from pharos.collector.store import migrate
from pharos_testing import spans_request


@pytest.fixture
def keys(make_store):
    store = make_store()
    migrate(store)
    return KeyStore(store)


def _wait(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_keys_are_stored_hashed_and_shown_by_prefix(keys):
    key, secret = keys.create("shop", "alice")
    assert secret.startswith("phk_") and len(secret) >= 40
    assert key.prefix == secret[:12] and key.project == "shop" and key.name == "alice" and key.active
    stored = keys.store.query("SELECT * FROM pharos_api_keys")
    assert secret not in repr(stored)
    assert [r for r in stored if hash_key(secret) in r]
    assert [k.key_id for k in keys.list()] == [key.key_id]


def test_revoke_by_id_or_prefix(keys):
    a, _ = keys.create("shop")
    b, _ = keys.create("shop")
    assert not keys.revoke(a.key_id).active
    assert not keys.revoke(b.prefix + "…").active  # as `pharos keys list` prints it
    assert keys.revoke(a.key_id).revoked_at == keys.get(a.key_id).revoked_at  # twice: unchanged
    assert keys.active() == {}
    with pytest.raises(UnknownKey, match="no key with id or prefix"):
        keys.revoke("phk_nothing-like-it")


@pytest.mark.parametrize("project", ["", "a b", "x" * 65, "-lead", "a'b", "é"])
def test_project_names_are_validated(keys, project):
    with pytest.raises(ValueError, match="invalid project name"):
        keys.create(project)


def test_authenticator_sees_new_and_revoked_keys_within_the_refresh(keys):
    key, secret = keys.create("shop")
    auth = Authenticator(keys.active, refresh_s=0.2).start()
    try:
        principal = auth.verify(secret)
        assert principal.project == "shop" and principal.key_id == key.key_id
        assert secret not in str(principal) and key.prefix in str(principal)
        assert auth.verify("phk_wrong") is None and auth.verify(None) is None and auth.verify("") is None
        _, later = keys.create("lab")
        assert _wait(lambda: auth.verify(later) is not None)
        keys.revoke(key.key_id)
        assert _wait(lambda: auth.verify(secret) is None)
    finally:
        auth.stop()


def test_authenticator_keeps_known_keys_when_the_store_fails():
    calls = {"n": 0}

    def load():
        calls["n"] += 1
        if calls["n"] > 1:
            raise ConnectionError("store down")
        return {hash_key("phk_k"): "principal"}

    auth = Authenticator(load, refresh_s=0.05).start()
    try:
        assert _wait(lambda: calls["n"] >= 3)
        assert auth.verify("phk_k") == "principal"
    finally:
        auth.stop()


def test_bearer_key_sources():
    assert bearer_key({"authorization": "Bearer phk_a"}) == "phk_a"
    assert bearer_key({"authorization": "bearer  phk_a "}) == "phk_a"
    assert bearer_key({"x-pharos-api-key": "phk_b", "authorization": "Bearer phk_a"}) == "phk_b"
    assert bearer_key({"authorization": "Basic " + base64.b64encode(b"me:phk_c").decode()}) == "phk_c"
    assert bearer_key({"authorization": "Basic !!!"}) is None
    assert bearer_key({"authorization": "Bearer "}) is None and bearer_key({}) is None


def test_auth_modes():
    assert auth_enabled("auto", "0.0.0.0") and auth_enabled("auto", "10.1.2.3") and auth_enabled("auto", "::")
    assert not auth_enabled("auto", "127.0.0.1") and not auth_enabled("auto", "localhost")
    assert not auth_enabled("auto", "::1") and not auth_enabled("auto", "[::1]")
    assert auth_enabled("on", "127.0.0.1") and not auth_enabled("off", "0.0.0.0")


def test_token_bucket_and_rate_limiter():
    bucket = TokenBucket(rate=10, burst=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == pytest.approx(0.1)
    assert bucket.take(0.1) == 0.0  # one token back after 1/rate s
    now = [0.0]
    limiter = RateLimiter(rate=2, burst=2, clock=lambda: now[0])
    assert limiter.check("a") == 0 and limiter.check("a") == 0 and limiter.check("a") > 0
    assert limiter.check("b") == 0  # per key
    now[0] += 0.5
    assert limiter.check("a") == 0
    assert RateLimiter.retry_after(0.01) == 1 and RateLimiter.retry_after(2.2) == 3
    assert RateLimiter(0, 1).check("x") == 0  # 0 = unlimited


def _request_of(project: str | None, service: str, n: int):
    req = spans_request(service, n)
    if project:
        kv = req.resource_spans[0].resource.attributes.add()
        kv.key, kv.value.string_value = PROJECT_ATTRIBUTE, project
    return req


def test_scoped_readers_see_one_project(make_store):
    store = make_store()
    migrate(store)
    store.insert_otlp_traces(_request_of("a", "svc-a", 3).SerializeToString())
    store.insert_otlp_traces(_request_of("b", "svc-b", 2).SerializeToString())
    store.insert_otlp_traces(_request_of(None, "svc-none", 1).SerializeToString())
    score_cols = ["TraceId", "SpanId", "ScoreId", "Name", "Value", "Attributes"]
    a_trace, b_trace = (store.query(f"SELECT any(TraceId) FROM otel_traces WHERE ServiceName = '{svc}'")[0][0]
                        for svc in ("svc-a", "svc-b"))
    store.insert_rows("scores", [["a" * 32, "", "s1", "q", 1.0, {PROJECT_ATTRIBUTE: "a"}],
                                 ["b" * 32, "", "s2", "q", 0.0, {PROJECT_ATTRIBUTE: "b"}],
                                 [a_trace, "", "eval-a", "q", 1.0, {}],  # evaluator scores: no project,
                                 [b_trace, "", "eval-b", "q", 1.0, {}]], score_cols)  # they follow the trace
    limits = reader_settings(10, 1000, 1 << 30)
    reader = store.new_client(settings=scoped_reader_settings(limits, store.database, "a"), database=store.database)
    assert reader.query("SELECT DISTINCT ServiceName FROM otel_traces").result_rows == [("svc-a",)]
    assert reader.command("SELECT count() FROM otel_traces") == 3
    assert sorted(reader.query("SELECT ScoreId FROM scores").result_rows) == [("eval-a",), ("s1",)]
    assert reader.command("SELECT count() FROM otel_traces_trace_id_ts") == 3  # only a's traces
    assert reader.command("SELECT count() FROM pharos_api_keys") == 0
    with pytest.raises(Exception, match="readonly"):  # the filter cannot be lifted
        reader.query("SELECT count() FROM otel_traces SETTINGS additional_table_filters = {'x': '1'}")
    everyone = store.new_client(settings=limits, database=store.database)
    assert everyone.command("SELECT count() FROM otel_traces") == 6
    with pytest.raises(ValueError):
        scoped_reader_settings(limits, store.database, "a') OR 1 OR ('")


def test_feedback_span_scores_take_the_stamped_project(make_store):
    store = make_store()
    migrate(store)
    req = _request_of("a", "svc", 1)
    span = req.resource_spans[0].scope_spans[0].spans[0]
    for key, value in [("pharos.score.id", "fb-1"), ("gen_ai.evaluation.name", "thumbs"),
                       ("gen_ai.evaluation.score.value", "1"), (PROJECT_ATTRIBUTE, "b"), ("note", "kept")]:
        kv = span.attributes.add()
        kv.key, kv.value.string_value = key, value
    store.insert_otlp_traces(req.SerializeToString())
    assert store.query("SELECT Attributes FROM scores WHERE ScoreId = 'fb-1'") == [
        ({PROJECT_ATTRIBUTE: "a", "note": "kept"},)]


def test_validate_project():
    assert validate_project("shop-1.eu_west") == "shop-1.eu_west"


def test_keys_cli(tmp_path):
    data = str(tmp_path / "data")

    def pharos(*args):
        return subprocess.run([sys.executable, "-m", "pharos", "keys", *args, "--data-dir", data],
                              capture_output=True, text=True, timeout=120)

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "admin.json").write_text(json.dumps({"url": "http://127.0.0.1:9", "token": "stale"}))
    created = pharos("create", "--project", "shop", "--name", "ci")  # a stale admin.json: the store is used
    assert created.returncode == 0, created.stderr
    secret = created.stdout.splitlines()[0]
    assert secret.startswith("phk_") and "Store it now" in created.stderr
    listed = pharos("list")
    assert "shop" in listed.stdout and secret[:12] in listed.stdout and secret not in listed.stdout
    assert "active" in listed.stdout
    (record,) = json.loads(pharos("list", "--json").stdout)
    revoked = pharos("revoke", record["prefix"])
    assert revoked.returncode == 0 and f"revoked key {record['id']}" in revoked.stdout
    assert "revoked" in pharos("list").stdout
    missing = pharos("revoke", "no-such-key")
    assert missing.returncode == 1 and "no key with id or prefix" in missing.stderr
    bad = pharos("create", "--project", "no spaces")
    assert bad.returncode != 0 and "invalid project name" in bad.stderr
