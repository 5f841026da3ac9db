"""Fuzzing the OTLP decoders and the SQL guard with hypothesis, in-process and through `pharos serve`.

Properties: a request is either decoded or refused with :class:`OtlpError` and a 4xx status (the SQL
endpoint: answered or refused with a 4xx), never anything else and never a hang (a per-example
deadline); valid random requests round-trip with the right accepted/rejected counts, the same through
protobuf, OTLP/JSON and gzip; whatever the decoder lets through, the real store accepts (the batcher's
one insert per batch); and a server fed mutated, truncated and random bodies answers only 200 or a clean
4xx, keeps serving, and stores exactly what it acknowledged.

The whole module stays within about a minute of CI time: examples are few and derandomized (the same
inputs every run, so CI is not flaky; the strategies are in tests/otlp_fuzzing.py). For a deeper run, raise PHAROS_FUZZ_EXAMPLES (a multiplier) and
set PHAROS_FUZZ_SEED to explore new inputs, e.g. ``PHAROS_FUZZ_EXAMPLES=20 PHAROS_FUZZ_SEED=1 pytest
tests/collector/test_fuzz.py``.
"""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pharos.collector.limits import AttributeLimits
from pharos.collector.otlp import JSON, PROTOBUF, OtlpError, decode_body, decode_message, encode_json
from pharos.collector.sql_api import (ALLOWED_TABLE_FUNCTIONS, FORBIDDEN_FUNCTIONS, refusal, split_statements,
                                      table_functions)
from otlp_fuzzing import (SIGNALS, decode_or_4xx, fuzz, metric_requests, mutated, set_attributes,  # (tests/)
                          trace_requests)
from pharos_testing import PharosProcess, spans_request

BODY_LIMIT = 1 << 20
# Small limits so that truncation paths run on small generated requests too.
LIMITS = AttributeLimits(max_value_bytes=200, max_attributes=8)


# ---- in-process decoder properties ------------------------------------------------------------------
@pytest.mark.parametrize("signal", ["traces", "metrics"])
def test_valid_requests_round_trip_through_protobuf_json_and_gzip(signal):
    requests, expected, message_type = SIGNALS[signal]

    @fuzz(25)
    @given(requests)
    def check(req):
        raw = req.SerializeToString()
        accepted, rejected = expected(req)
        decoded = decode_message(signal, raw)
        assert (decoded.accepted, decoded.rejected) == (accepted, rejected)
        if not rejected:
            assert decoded.payload is raw  # nothing to cut or drop: the original bytes are stored
        stored = message_type.FromString(decoded.payload)
        for body, content_type, encoding in ((encode_json(req), JSON, ""), (gzip.compress(raw), PROTOBUF, "gzip"),
                                             (zlib.compress(encode_json(req)), JSON, "deflate")):
            again = decode_body(signal, body, content_type, encoding, BODY_LIMIT)
            assert (again.accepted, again.rejected) == (accepted, rejected)
            assert message_type.FromString(again.payload) == stored

    check()


@pytest.mark.parametrize("signal", ["traces", "metrics"])
def test_mutated_requests_decode_or_fail_with_a_4xx(signal):
    requests, _, message_type = SIGNALS[signal]

    @fuzz(60)
    @given(st.data())
    def check(data):
        raw = data.draw(requests).SerializeToString()
        body = data.draw(mutated(raw))
        decoded = decode_or_4xx(lambda: decode_message(signal, body, limits=LIMITS))
        if decoded is not None:
            message_type.FromString(decoded.payload)
        decode_or_4xx(lambda: decode_body(signal, gzip.compress(body)[:data.draw(st.integers(0, 2 * len(body) + 30))],
                                           PROTOBUF, "gzip", BODY_LIMIT))

    check()


_JSON_KEYS = ["resourceSpans", "resourceMetrics", "resource", "scopeSpans", "scopeMetrics", "scope", "spans",
              "metrics", "attributes", "key", "value", "stringValue", "intValue", "doubleValue", "boolValue",
              "bytesValue", "arrayValue", "kvlistValue", "values", "traceId", "spanId", "parentSpanId", "name",
              "kind", "startTimeUnixNano", "endTimeUnixNano", "timeUnixNano", "events", "links", "status", "code",
              "gauge", "sum", "histogram", "dataPoints", "asInt", "asDouble", "bucketCounts", "explicitBounds"]
_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=20),
                         st.sampled_from(["5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "NaN", "-1",
                                          "18446744073709551616", "AAAA", "\ud800"]))
_json_doc = st.recursive(_json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_JSON_KEYS) | st.text(max_size=5), inner,
                                                 max_size=4)), max_leaves=20)


def _deep(depth: int, inner: str = "1") -> str:
    """``inner`` wrapped in ``depth`` levels of alternating arrays and objects."""
    return "".join("[" if i % 2 else '{"values":' for i in range(depth)) + inner + \
        "".join("]" if i % 2 else "}" for i in reversed(range(depth)))


@st.composite
def json_mutated(draw, doc) -> str:
    """The OTLP/JSON document ``doc`` with a few values replaced by odd scalars, other shapes or deep nesting."""
    import json

    slots = []

    def collect(node):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            slots.append((node, key))
            collect(child)

    collect(doc)
    for _ in range(draw(st.integers(1, 3)) if slots else 0):
        node, key = draw(st.sampled_from(slots))
        node[key] = draw(st.one_of(st.just("DEEP"), _json_scalar, st.just([]), st.just({})))
    return json.dumps(doc).replace('"DEEP"', _deep(draw(st.sampled_from([5000, 1500, 200, 60, 5]))))


@pytest.mark.parametrize("signal", ["traces", "metrics"])
def test_random_json_documents_decode_or_fail_with_a_4xx(signal):
    import json

    @fuzz(60)
    @given(st.dictionaries(st.sampled_from(_JSON_KEYS), _json_doc, max_size=3))
    def random_documents(doc):
        body = json.dumps(doc).encode()
        decode_or_4xx(lambda: decode_body(signal, body, JSON, "", BODY_LIMIT, limits=LIMITS))

    @fuzz(60)
    @given(st.data())
    def mutated_documents(data):
        body = data.draw(json_mutated(json.loads(encode_json(data.draw(SIGNALS[signal][0])))))
        decode_or_4xx(lambda: decode_body(signal, body.encode(), JSON, "", BODY_LIMIT, limits=LIMITS))

    random_documents()
    mutated_documents()
    with pytest.raises(OtlpError, match="nested too deeply"):  # found by this fuzz: json.loads' RecursionError
        decode_body(signal, _deep(100_000).encode(), JSON, "", BODY_LIMIT)


def test_random_bodies_and_headers_fail_with_a_4xx():
    @fuzz(150)
    @given(st.sampled_from(["traces", "metrics"]), st.binary(max_size=300),
           st.sampled_from([PROTOBUF, JSON, "application/json; charset=utf-8", "text/plain", "", ";;"]),
           st.sampled_from(["", "identity", "gzip", "deflate", "br", " GZIP "]))
    def check(signal, body, content_type, encoding):
        decode_or_4xx(lambda: decode_body(signal, body, content_type, encoding, 256, limits=LIMITS))

    check()


# ---- what the decoder lets through, the store accepts ------------------------------------------------
def test_whatever_the_decoder_accepts_the_store_stores(make_store):
    """Valid, odd (NaN, infinities, far-off times, wrong ids, giant values under small limits) and mutated
    requests: the accepted payloads of each signal go to the real store the way the batcher writes them
    (one insert of them all; if the store refuses it, request by request, a refused one again in
    canonical form), and every accepted item is there."""
    from clickhouse_connect.driver.exceptions import DatabaseError

    from pharos.collector.otlp import canonical
    from pharos.collector.store import migrate

    store = make_store()
    migrate(store)
    payloads = {"traces": [], "metrics": []}
    accepted = {"traces": 0, "metrics": 0}
    odd_floats = st.sampled_from([float("nan"), float("inf"), -float("inf"), -0.0, 5e-324, 1.7976931348623157e308])

    @fuzz(60)
    @given(st.data())
    def collect(data):
        signal = data.draw(st.sampled_from(["traces", "metrics"]))
        req = data.draw(trace_requests(least=1) if signal == "traces" else metric_requests(least=1))
        if signal == "traces" and not data.draw(st.booleans()):  # (hypothesis draws False most)
            # giant and odd values into the first span
            spans = [s for ss in req.resource_spans[0].scope_spans for s in ss.spans]
            for span in spans[:1]:
                set_attributes(span.attributes, [("nan", data.draw(odd_floats)), ("giant", "x" * 5000),
                                                  ("many", list(range(50)))])
        if signal == "traces":
            req.resource_spans.extend(spans_request("fuzz", 2).resource_spans)  # some valid spans in every one
        raw = req.SerializeToString()
        if data.draw(st.integers(0, 3)) == 3:  # mutated now and then (hypothesis draws 0 most)
            raw = data.draw(mutated(raw))
        decoded = decode_or_4xx(lambda: decode_message(signal, raw, limits=LIMITS))
        if decoded is not None and decoded.accepted:
            payloads[signal].append(decoded.payload)
            accepted[signal] += decoded.accepted

    collect()
    assert accepted["traces"] > 40 and accepted["metrics"] > 20, accepted
    for signal, insert in (("traces", store.insert_otlp_traces), ("metrics", store.insert_otlp_metrics)):
        try:
            insert(payloads[signal])
        except DatabaseError:
            for payload in payloads[signal]:
                try:
                    insert(payload)
                except DatabaseError:  # a known field with the wrong wire type (see otlp.canonical)
                    insert(canonical(signal, payload))
    assert store.count("otel_traces") == accepted["traces"]
    assert sum(store.count(f"otel_metrics_{kind}") for kind in ("gauge", "sum", "histogram")) == accepted["metrics"]


# ---- the SQL guard --------------------------------------------------------------------------------------
_sql_chars = st.text(alphabet=st.sampled_from(list("SELECT 1;'\"`\\-/*#\n\tabc()")), max_size=80)


def test_split_statements_and_ast_readers_never_fail_and_keep_quoted_semicolons():
    @fuzz(200)
    @given(_sql_chars)
    def total(sql):
        for statement in split_statements(sql):
            assert statement and statement == statement.strip()

    @fuzz(100)
    @given(st.lists(st.tuples(st.sampled_from(["SELECT", "SELECT x FROM t WHERE a =", "SHOW TABLES --"]),
                              st.text(alphabet="abc;-*/# ", max_size=10)), min_size=1, max_size=4))
    def quoted(parts):
        # each statement carries a quoted literal full of ';' and comment markers: still one statement each
        statements = [f"{head} '{literal}'" if not head.endswith("--") else f"{head} {literal}\n"
                      for head, literal in parts]
        expected = [s.strip() for s in statements if not s.startswith("SHOW TABLES --")] + \
                   ["SHOW TABLES" for s in statements if s.startswith("SHOW TABLES --")]
        assert sorted(split_statements(";".join(statements))) == sorted(expected)

    @fuzz(150)
    @given(st.lists(st.sampled_from(["SelectQuery", "TableExpression", "Function file", "Function numbers",
                                     "Function", " (children 1)", "Identifier x", "  ", "\n", "ExpressionList"]),
                    max_size=12).map("".join))
    def explain_parsers(ast):  # the guard's readers of EXPLAIN AST output never fail, whatever they are given
        assert isinstance(refusal(ast), (str, type(None)))
        assert isinstance(table_functions(ast), list)

    total()
    quoted()
    explain_parsers()


_FORBIDDEN = ["file", "url", "remote", "remoteSecure", "s3", "s3Cluster", "hdfs", "Python", "executable",
              "mysql", "postgresql", "jdbc", "odbc", "sqlite", "input", "cluster", "clusterAllReplicas",
              "azureBlobStorage", "gcs", "iceberg", "deltaLake", "hudi", "mongodb", "redis", "urlCluster",
              "fileCluster", "merge", "dictionary"]


@st.composite
def forbidden_queries(draw) -> str:
    """A single query that reads a forbidden table function somewhere: FROM, JOIN, subquery, CTE, IN,
    UNION, in any case and with comments and odd spacing."""
    name = draw(st.sampled_from(_FORBIDDEN))
    name = "".join(c.upper() if draw(st.booleans()) else c for c in name) if name.islower() else name
    space = draw(st.sampled_from([" ", "  ", "\n", "\t", " /* x */ ", " -- c\n"]))
    gap = space if draw(st.booleans()) else ""
    more = draw(st.sampled_from(["", ", 'TSV'", ", 'x', 'String'"]))
    call = f"{name}{gap}('/etc/passwd'{more})"
    shape = draw(st.sampled_from([
        "SELECT * FROM {t}", "SELECT count() FROM {t} AS a", "SELECT 1 FROM numbers(1) JOIN {t} ON 1",
        "SELECT * FROM (SELECT * FROM {t})", "WITH x AS (SELECT * FROM {t}) SELECT * FROM x",
        "SELECT 1 WHERE 1 IN (SELECT 1 FROM {t})", "SELECT 1 UNION ALL SELECT 1 FROM {t}",
        "(SELECT * FROM {t})", "EXPLAIN SELECT * FROM {t}", "DESCRIBE TABLE {t}",
        "SELECT (SELECT count() FROM {t})", "SELECT * FROM view(SELECT * FROM {t})"]))
    return shape.format(t=call).replace(" ", space)


@st.composite
def forbidden_function_queries(draw) -> str:
    """A query calling a (scalar) function that reads files or reaches hosts, anywhere in it."""
    name = draw(st.sampled_from(sorted(FORBIDDEN_FUNCTIONS)))
    name = "".join(c.upper() if draw(st.booleans()) else c for c in name)
    call = f"{name}('/etc/passwd', 1)"
    shape = draw(st.sampled_from([
        "SELECT {f}", "SELECT length({f}) AS n", "SELECT 1 WHERE {f} != ''", "SELECT * FROM numbers(1) ORDER BY {f}",
        "SELECT (SELECT {f})", "WITH {f} AS x SELECT x", "SELECT * FROM (SELECT {f} AS x)",
        "SELECT number FROM numbers(2) GROUP BY number HAVING max({f}) != ''", "SELECT [{f}][1]"]))
    return shape.format(f=call)


# ---- through a real server: OTLP/HTTP, OTLP/gRPC and SQL ------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = PharosProcess(tmp_path_factory.mktemp("fuzz") / "data",
                      args=["--batch-max-age-ms", "100", "--max-body-bytes", str(BODY_LIMIT),
                            "--sql-max-execution-seconds", "5"]).start()
    yield s
    s.stop()


def _sql(server, query: str) -> httpx.Response:
    return httpx.post(f"{server.sql_url}/", content=query.encode(), timeout=30)


def test_sql_guard_refuses_every_forbidden_table_function_and_function(server):
    @fuzz(50)
    @given(st.one_of(forbidden_queries(), forbidden_function_queries()))
    def check(query):
        response = _sql(server, query)
        assert response.status_code in (400, 403), (query, response.status_code, response.text)
        assert "root:" not in response.text

    check()
    assert _sql(server, "SELECT 1").text == "1\n"


def test_sql_endpoint_answers_random_text_with_200_or_a_4xx(server):
    allowed = sorted(ALLOWED_TABLE_FUNCTIONS)
    tokens = st.sampled_from(["SELECT", "FROM", "WHERE", "1", "'a;b'", ";", "(", ")", ",", "numbers(3)", "*",
                              "--", "/*", "*/", "FORMAT JSON", "SETTINGS", "readonly=0", "SET", "INSERT", "x",
                              "system.tables", "otel.otel_traces", "\\", "\"", "`", *allowed])

    @fuzz(40)
    @given(st.one_of(st.lists(tokens, max_size=10).map(" ".join), st.text(max_size=40)))
    def check(query):
        response = _sql(server, query)
        assert response.status_code in (200, 400, 403), (query, response.status_code, response.text)

    check()


def _post_otlp(server, signal: str, body: bytes, content_type: str, encoding: str) -> httpx.Response:
    headers = {"Content-Type": content_type, **({"Content-Encoding": encoding} if encoding else {})}
    return httpx.post(f"{server.otlp_http}/v1/{signal}", content=body, headers=headers, timeout=30)


def test_server_fed_bad_bodies_answers_4xx_keeps_serving_and_stores_what_it_acknowledged(server):
    canary = spans_request("canary", 3).SerializeToString()
    assert _post_otlp(server, "traces", canary, PROTOBUF, "").status_code == 200
    expected = {"traces": 3, "metrics": 0}

    @fuzz(80)
    @given(st.data())
    def send(data):
        signal = data.draw(st.sampled_from(["traces", "metrics"]))
        req = data.draw(SIGNALS[signal][0])
        content_type = data.draw(st.sampled_from([PROTOBUF, JSON, "text/plain"]))
        body = encode_json(req) if content_type == JSON else req.SerializeToString()
        shape = data.draw(st.sampled_from(["valid", "mutated", "random"]))
        if shape == "mutated":
            body = data.draw(mutated(body))
        elif shape == "random":
            body = data.draw(st.binary(max_size=200))
        encoding = data.draw(st.sampled_from(["", "gzip", "deflate"]))
        if encoding == "gzip":
            body = gzip.compress(body)
        elif encoding == "deflate":
            body = zlib.compress(body)
        local = decode_or_4xx(lambda: decode_body(signal, body, content_type, encoding, BODY_LIMIT))
        response = _post_otlp(server, signal, body, content_type, encoding)
        if local is None:
            assert 400 <= response.status_code < 500, response.text
        else:
            assert response.status_code == 200, response.text
            expected[signal] += local.accepted

    send()
    assert httpx.get(f"{server.otlp_http}/readyz", timeout=10).status_code == 200
    assert _post_otlp(server, "traces", spans_request("after", 2).SerializeToString(), PROTOBUF, "").status_code == 200
    expected["traces"] += 2
    assert server.wait_for_rows("SELECT count() FROM otel_traces", expected["traces"]) == expected["traces"]
    points = "SELECT (SELECT count() FROM otel_metrics_gauge) + (SELECT count() FROM otel_metrics_sum) + " \
             "(SELECT count() FROM otel_metrics_histogram)"
    assert server.wait_for_rows(points, expected["metrics"]) == expected["metrics"]
    assert server.wait_for_rows("SELECT count() FROM otel_traces WHERE ServiceName IN ('canary', 'after')", 5) == 5


def test_grpc_fed_bad_messages_answers_ok_or_invalid_argument(server):
    import grpc

    channel = grpc.insecure_channel(server.otlp_grpc)
    exports = {"traces": channel.unary_unary("/opentelemetry.proto.collector.trace.v1.TraceService/Export"),
               "metrics": channel.unary_unary("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export")}

    @fuzz(40)
    @given(st.data())
    def send(data):
        signal = data.draw(st.sampled_from(["traces", "metrics"]))
        body = data.draw(mutated(data.draw(SIGNALS[signal][0]).SerializeToString()))
        try:
            exports[signal](body, timeout=30)
        except grpc.RpcError as exc:
            assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT, (exc.code(), exc.details())

    send()
    channel.close()
