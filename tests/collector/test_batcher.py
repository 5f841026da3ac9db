"""The batcher: acknowledged data is written once, by size and by age; overload is refused, not buffered
without bound; a store refusing one request does not block the rest; shutdown with the store down keeps
the data. The sinks here stand in for the store at its boundary (the end-to-end tests use the real one)."""

from __future__ import annotations

import threading
import time

import pytest

from pharos.collector.batcher import Batcher, Overloaded
from pharos.collector.otlp import Decoded


def _item(n: int = 1, size: int = 100, signal: str = "traces") -> Decoded:
    return Decoded(signal, b"x" * size, accepted=n)


def test_flushes_by_size_before_age():
    written = []
    b = Batcher({"traces": written.append, "metrics": written.append}, max_items=10, max_age_ms=60_000)
    for _ in range(10):
        b.submit(_item())
    deadline = time.monotonic() + 10
    while not written and time.monotonic() < deadline:
        time.sleep(0.01)
    assert written == [b"x" * 1000]  # ten requests, one insert, long before the 60 s age limit
    b.close()


def test_flushes_by_age():
    written = []
    b = Batcher({"traces": written.append, "metrics": written.append}, max_items=1_000_000, max_age_ms=50)
    b.submit(_item())
    assert b.flush(timeout=10)
    assert written == [b"x" * 100]
    b.close()


def test_overload_is_refused_then_everything_is_written():
    release = threading.Event()
    written = []

    def slow_sink(payload: bytes) -> None:
        release.wait()
        written.append(payload)

    b = Batcher({"traces": slow_sink, "metrics": slow_sink}, max_items=1, max_age_ms=1, max_pending_bytes=1000)
    accepted = 0
    with pytest.raises(Overloaded):
        for _ in range(100):
            b.submit(_item(size=100))
            accepted += 1
    assert 5 <= accepted <= 20  # bounded by bytes waiting, not by the number of requests
    release.set()
    b.close()
    assert sum(len(p) for p in written) == accepted * 100  # every acknowledged byte written, once
    assert b.stats.written["traces"] == accepted


def test_a_refused_request_is_quarantined_and_the_rest_written():
    written, quarantined = [], []

    def picky_sink(payload: bytes) -> None:
        if b"poison" in payload:
            raise ValueError("Cannot parse input")
        written.append(payload)

    b = Batcher({"traces": picky_sink, "metrics": picky_sink}, max_items=1000, max_age_ms=60_000,
                quarantine=lambda s, p, e: quarantined.append(p))
    for body in (b"good1", b"poison", b"good2"):
        b.submit(Decoded("traces", body, accepted=1))
    b.close()
    assert written == [b"good1", b"good2"] and quarantined == [b"poison"]
    assert b.stats.quarantined == 1


def test_store_down_at_shutdown_spills_instead_of_losing():
    spilled = []

    def down(payload: bytes) -> None:
        raise ConnectionRefusedError("store is down")

    b = Batcher({"traces": down, "metrics": down}, max_items=1000, max_age_ms=10,
                spill=lambda s, p: spilled.append((s, p)), shutdown_timeout_s=0.5)
    b.submit(_item(size=10))
    b.submit(_item(size=20, signal="metrics"))
    time.sleep(0.2)
    b.close(timeout=30)
    assert sorted(spilled) == [("metrics", b"x" * 20), ("traces", b"x" * 10)]
    assert b.stats.write_failures >= 1 and "store is down" in b.stats.last_error
