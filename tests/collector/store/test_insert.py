"""OTLP batches into the exporter's tables on a real embedded ClickHouse: each span keeps its own resource and
scope, and a batch is written the cheap way (one Compact part, skip indexes left to the merge)."""

from __future__ import annotations

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from pharos.collector.store import migrate


def _requests(layout: dict[str, dict[str, int]]) -> list[bytes]:
    """One serialized request per service: {service: {scope name: number of spans}}."""
    parts = []
    for service, scopes in layout.items():
        req = ExportTraceServiceRequest()
        rs = req.resource_spans.add()
        for key, value in (("service.name", service), ("host.name", f"host-of-{service}")):
            kv = rs.resource.attributes.add()
            kv.key, kv.value.string_value = key, value
        for scope, n in scopes.items():
            ss = rs.scope_spans.add()
            ss.scope.name, ss.scope.version = scope, f"{scope}-v1"
            for i in range(n):
                s = ss.spans.add()
                s.trace_id, s.span_id = bytes(16), f"{service[:3]}{scope[:3]}{i:02d}".encode()[:8].ljust(8, b"_")
                s.name = f"{service}/{scope}/{i}"
                s.start_time_unix_nano = 1_760_000_000_000_000_000 + i
                s.end_time_unix_nano = s.start_time_unix_nano + 5
        parts.append(req.SerializeToString())
    return parts


def test_every_span_keeps_its_own_resource_and_scope_across_a_batch(make_store):
    store = make_store()
    migrate(store)
    layout = {"api": {"openai": 3, "empty": 0, "tools": 2}, "nothing": {}, "worker": {"vllm": 4},
              "api2": {"openai": 1}}
    store.insert_otlp_traces(_requests(layout))  # a batch of requests in one insert, as the batcher writes it
    rows = store.query(f"SELECT SpanName, ServiceName, ResourceAttributes['host.name'], ScopeName, ScopeVersion "
                       f"FROM {store.database}.otel_traces ORDER BY SpanName")
    expected = sorted((f"{svc}/{scope}/{i}", svc, f"host-of-{svc}", scope, f"{scope}-v1")
                      for svc, scopes in layout.items() for scope, n in scopes.items() for i in range(n))
    assert rows == expected


def test_a_batch_is_one_compact_part_whose_skip_indexes_come_with_the_merge(make_store):
    store = make_store()
    migrate(store)
    db = store.database
    for service in ("a", "b"):
        store.insert_otlp_traces(_requests({service: {"s": 50}}))

    def parts():
        return store.query("SELECT part_type, secondary_indices_uncompressed_bytes > 0 FROM system.parts "
                           "WHERE database = {db:String} AND table = 'otel_traces' AND active", {"db": db})

    def parts_read_for_an_absent_trace():
        plan = [r[0].strip() for r in store.query(
            f"EXPLAIN indexes = 1 SELECT count() FROM {db}.otel_traces WHERE TraceId = 'ff'")]
        return plan[plan.index("Name: idx_trace_id") + 2]

    assert parts() == [("Compact", False), ("Compact", False)]
    assert parts_read_for_an_absent_trace() == "Parts: 2/2"  # no bloom filter yet: both parts are read
    store.command(f"OPTIMIZE TABLE {db}.otel_traces FINAL")
    assert parts() == [("Compact", True)]
    assert parts_read_for_an_absent_trace() == "Parts: 0/1"  # the merge built it: the part is skipped


def test_a_request_of_many_resources_and_scopes_inserts_in_linear_memory(make_store):
    # 200 resources x 2 scopes x 50 spans in ONE request: an expression that copied every resource for
    # every span (a lambda capturing the whole list) needed gigabytes here.
    store = make_store()
    migrate(store)
    layout = {f"svc{r:03d}": {"a": 50, "b": 50} for r in range(200)}
    request = ExportTraceServiceRequest()
    for part in _requests(layout):
        request.MergeFromString(part)
    store.client.set_client_setting("max_memory_usage", str(200 * 2**20))
    try:
        store.insert_otlp_traces(request.SerializeToString())
    finally:
        store.client.set_client_setting("max_memory_usage", "0")
    assert store.query(f"SELECT count(), uniqExact(ServiceName), countIf(SpanName NOT LIKE ServiceName || '/%') "
                       f"FROM {store.database}.otel_traces") == [(20_000, 200, 0)]


def test_a_large_batch_is_parsed_in_blocks_so_its_memory_does_not_grow_with_it(make_store):
    # 60 requests of 512 LLM-like spans (16 attributes each) in one insert under a 120 MiB query memory limit;
    # parsed as one block, the nested rows of this batch alone need about twice that.
    store = make_store()
    migrate(store)
    request = ExportTraceServiceRequest()
    spans = request.resource_spans.add().scope_spans.add().spans
    for i in range(512):
        s = spans.add()
        s.trace_id, s.span_id, s.name = i.to_bytes(16, "big"), i.to_bytes(8, "big"), "chat m"
        s.start_time_unix_nano, s.end_time_unix_nano = 1_760_000_000_000_000_000, 1_760_000_000_500_000_000
        for k in range(16):
            a = s.attributes.add()
            a.key, a.value.string_value = f"gen_ai.attribute.{k}", f"value {k} of span {i}"
    batch = [request.SerializeToString()] * 60
    store.client.set_client_setting("max_memory_usage", str(120 * 2**20))
    try:
        store.insert_otlp_traces(batch)
    finally:
        store.client.set_client_setting("max_memory_usage", "0")
    assert store.count("otel_traces") == 60 * 512


def test_a_batch_of_more_requests_than_one_write_call_takes_is_stored_whole(make_store):
    """The embedded store writes a batch's requests to its spool file in chunks of IOV_MAX (1024 here)."""
    store = make_store()
    migrate(store)
    requests = _requests({f"svc{i:04d}": {"s": 1} for i in range(2500)})  # 2500 requests, 5000 buffers
    store.insert_otlp_traces(requests)
    assert store.query(f"SELECT count(), uniqExact(ServiceName) FROM {store.database}.otel_traces") == [(2500, 2500)]


def test_a_batch_that_cannot_be_written_to_the_spool_leaves_no_file_behind(make_store, monkeypatch):
    import errno
    import os

    import pytest

    store = make_store()
    migrate(store)

    def disk_full(fd, buffers):
        raise OSError(errno.ENOSPC, "No space left on device")

    store.insert_otlp_traces(_requests({"warm": {"s": 1}}))  # (the spool folder exists from here on)
    before = set(store._spool.iterdir())
    monkeypatch.setattr(os, "writev", disk_full)
    with pytest.raises(OSError, match="No space left"):
        store.insert_otlp_traces(_requests({"api": {"s": 3}}))
    assert set(store._spool.iterdir()) == before
    monkeypatch.undo()
    store.insert_otlp_traces(_requests({"api": {"s": 3}}))  # the next batch goes through
    assert store.count("otel_traces") == 4
