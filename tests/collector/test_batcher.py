"""The batcher drains the write-ahead log: acknowledged data is written once, by size and by age;
overload is refused, not buffered without bound; a store refusing one request does not block the rest;
a store that is down at shutdown leaves the data in the log, and the next start writes it. The sinks
here stand in for the store at its boundary (the end-to-end tests use the real one)."""

from __future__ import annotations

import threading
import time

import pytest

from pharos.collector.batcher import Batcher, Overloaded
from pharos.collector.wal import WriteAheadLog


def _recorder(written: list, tokens: list | None = None):
    def sink(payloads: list[bytes], token: str) -> None:
        written.append(b"".join(payloads))  # (compared as one byte string per insert)
        if tokens is not None:
            tokens.append(token)
    return sink


def _batcher(tmp_path, sink, max_items=1000, max_age_ms=60_000, max_bytes=1 << 30, **kw) -> Batcher:
    wal = WriteAheadLog(tmp_path / "wal", max_bytes=max_bytes)
    return Batcher({"traces": sink, "metrics": sink, "scores": sink}, wal, max_items, max_age_ms, **kw)


def test_flushes_by_size_before_age(tmp_path):
    written = []
    b = _batcher(tmp_path, _recorder(written), max_items=10)
    for _ in range(10):
        b.submit("traces", b"x" * 100, 1)
    deadline = time.monotonic() + 10
    while not written and time.monotonic() < deadline:
        time.sleep(0.01)
    assert written == [b"x" * 1000]  # ten requests, one insert, long before the 60 s age limit
    b.close()


def test_flushes_by_age(tmp_path):
    written = []
    b = _batcher(tmp_path, _recorder(written), max_age_ms=50)
    b.submit("traces", b"x" * 100, 1)
    deadline = time.monotonic() + 10
    while not written and time.monotonic() < deadline:
        time.sleep(0.01)
    assert written == [b"x" * 100]
    b.close()


def test_each_signal_is_one_insert_with_a_token_naming_the_batch(tmp_path):
    written, tokens = [], []
    b = _batcher(tmp_path, _recorder(written, tokens))
    b.submit("traces", b"t1", 1)
    b.submit("metrics", b"m1", 1)
    b.submit("traces", b"t2", 1)
    assert b.flush(timeout=10)
    b.close()
    assert sorted(written) == [b"m1", b"t1t2"]
    assert len(set(tokens)) == 2 and all(t.startswith(f"pharos-wal-{b.wal.id}-0-") for t in tokens)


def test_overload_is_refused_then_everything_is_written(tmp_path):
    release = threading.Event()
    written = []

    def slow_sink(payloads: list[bytes], token: str) -> None:
        release.wait()
        written.append(b"".join(payloads))

    b = _batcher(tmp_path, slow_sink, max_items=1, max_age_ms=1, max_bytes=2000)
    accepted = 0
    with pytest.raises(Overloaded):
        for _ in range(100):
            b.submit("traces", b"x" * 100, 1)
            accepted += 1
    assert 5 <= accepted <= 20  # bounded by bytes waiting, not by the number of requests
    release.set()
    b.close()
    assert sum(len(p) for p in written) == accepted * 100  # every acknowledged byte written, once
    assert b.stats.written["traces"] == accepted


def test_a_refused_request_is_quarantined_and_the_rest_written(tmp_path):
    written, quarantined = [], []

    def picky_sink(payloads: list[bytes], token: str) -> None:
        if b"poison" in payloads:
            raise ValueError("Cannot parse input")
        written.append(b"".join(payloads))

    b = _batcher(tmp_path, picky_sink, quarantine=lambda s, p, e: quarantined.append(p))
    for body in (b"good1", b"poison", b"good2"):
        b.submit("traces", body, 1)
    b.close()
    assert written == [b"good1", b"good2"] and quarantined == [b"poison"]
    assert b.stats.quarantined == 1


def test_store_down_at_shutdown_keeps_the_data_for_the_next_start(tmp_path):
    def down(payloads: list[bytes], token: str) -> None:
        raise ConnectionRefusedError("store is down")

    b = _batcher(tmp_path, down, max_age_ms=10, shutdown_timeout_s=0.5)
    b.submit("traces", b"x" * 10, 1)
    b.submit("metrics", b"y" * 20, 1)
    time.sleep(0.2)
    b.close(timeout=30)
    assert b.stats.write_failures >= 1 and "store is down" in b.stats.last_error

    written, tokens = [], []
    again = _batcher(tmp_path, _recorder(written, tokens), max_age_ms=10)
    assert again.flush(timeout=10)
    again.close()
    assert sorted(written) == [b"x" * 10, b"y" * 20]
    assert again.stats.replayed_batches == 1  # the batch the first run had declared, same range
    assert all(t.startswith(f"pharos-wal-{b.wal.id}-0-") for t in tokens)  # same log, same range, same token
