"""Batching accepted OTLP payloads into the store.

Handlers call :meth:`Batcher.submit` with a decoded request; once it returns the data is
*accepted* and the client is acknowledged. A writer thread flushes each signal's batch when it
holds ``batch_max_spans`` items or its oldest item is ``batch_max_age_ms`` old: the raw protobuf
payloads are concatenated (which merges them into one valid request) and stored in one insert.

Nothing acknowledged is dropped: a failed insert is retried with backoff until it succeeds or the
process stops; :meth:`close` (SIGTERM) flushes everything before returning. When the store falls
behind, ``submit`` raises :class:`Overloaded` (mapped to HTTP 503 / gRPC UNAVAILABLE) instead of
growing without bound. The in-memory queue is the seam where a disk buffer (write-ahead log) goes:
:class:`Buffer` is what the batcher needs from it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pharos.collector.otlp import Decoded, Signal

__all__ = ["Batcher", "Overloaded", "Buffer", "MemoryBuffer", "BatcherStats"]

log = logging.getLogger(__name__)


class Overloaded(Exception):
    """The batcher holds too much unwritten data; the client should retry later."""

    retry_after_s = 1


@dataclass
class _Batch:
    parts: list[bytes] = field(default_factory=list)
    items: int = 0
    nbytes: int = 0
    first_at: float = 0.0


class Buffer(Protocol):
    """Where accepted payloads wait for the store (memory now; a write-ahead log can replace it)."""

    def append(self, signal: Signal, payload: bytes, items: int) -> None: ...
    def take(self, signal: Signal) -> _Batch: ...
    def pending_items(self) -> int: ...
    def pending_bytes(self) -> int: ...


class MemoryBuffer:
    def __init__(self) -> None:
        self._batches: dict[str, _Batch] = {"traces": _Batch(), "metrics": _Batch()}

    def append(self, signal: Signal, payload: bytes, items: int) -> None:
        batch = self._batches[signal]
        if not batch.parts:
            batch.first_at = time.monotonic()
        batch.parts.append(payload)
        batch.items += items
        batch.nbytes += len(payload)

    def take(self, signal: Signal) -> _Batch:
        batch, self._batches[signal] = self._batches[signal], _Batch()
        return batch

    def peek(self, signal: Signal) -> _Batch:
        return self._batches[signal]

    def pending_items(self) -> int:
        return sum(b.items for b in self._batches.values())

    def pending_bytes(self) -> int:
        return sum(b.nbytes for b in self._batches.values())


@dataclass
class BatcherStats:
    accepted: dict[str, int] = field(default_factory=lambda: {"traces": 0, "metrics": 0})
    written: dict[str, int] = field(default_factory=lambda: {"traces": 0, "metrics": 0})
    write_failures: int = 0
    quarantined: int = 0
    spilled: int = 0
    last_error: str = ""


class Batcher:
    def __init__(self, sinks: dict[Signal, Callable[[bytes], None]], max_items: int, max_age_ms: int,
                 max_pending_bytes: int = 64 * 1024 * 1024,
                 quarantine: Callable[[Signal, bytes, Exception], None] | None = None,
                 spill: Callable[[Signal, bytes], None] | None = None, shutdown_timeout_s: float = 30.0):
        self._sinks = sinks
        self._quarantine = quarantine
        self._spill = spill
        self._shutdown_timeout = shutdown_timeout_s
        self._close_deadline: float | None = None
        self._max_items = max_items
        self._max_age = max_age_ms / 1000
        self._max_pending_bytes = max_pending_bytes
        self._buffer = MemoryBuffer()
        self._inflight = 0  # items taken from the buffer and being written
        self._inflight_bytes = 0
        self._cond = threading.Condition()
        self._closing = False
        self.stats = BatcherStats()
        self._thread = threading.Thread(target=self._run, name="pharos-writer", daemon=True)
        self._thread.start()

    # ---- producer side ---------------------------------------------------------------------------
    def submit(self, decoded: Decoded) -> None:
        if decoded.accepted == 0:
            return
        with self._cond:
            if self._closing:
                raise Overloaded("the collector is shutting down")
            waiting = self._buffer.pending_bytes() + self._inflight_bytes
            if waiting + len(decoded.payload) > self._max_pending_bytes and waiting:
                raise Overloaded(f"{waiting} bytes of accepted data wait for the store")
            self._buffer.append(decoded.signal, decoded.payload, decoded.accepted)
            self.stats.accepted[decoded.signal] += decoded.accepted
            if self._buffer.peek(decoded.signal).items >= self._max_items:
                self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return self._buffer.pending_items() + self._inflight

    def flush(self, timeout: float = 30.0) -> bool:
        """Block until everything accepted so far is in the store (for tests and `status`)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._flush_now = True
            self._cond.notify()
            while self._buffer.pending_items() + self._inflight:
                if not self._cond.wait(timeout=max(0.0, deadline - time.monotonic())):
                    return False
        return True

    def close(self, timeout: float | None = None) -> None:
        """Stop accepting, write everything accepted, stop the writer."""
        with self._cond:
            self._closing = True
            self._close_deadline = time.monotonic() + self._shutdown_timeout
            self._cond.notify()
        self._thread.join(timeout)

    # ---- writer thread ---------------------------------------------------------------------------
    _flush_now = False

    def _due(self, signal: Signal, now: float) -> bool:
        batch = self._buffer.peek(signal)
        return bool(batch.parts) and (self._closing or self._flush_now or batch.items >= self._max_items
                                       or now - batch.first_at >= self._max_age)

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    now = time.monotonic()
                    due = [s for s in ("traces", "metrics") if self._due(s, now)]
                    if due or (self._closing and not self._buffer.pending_items()):
                        break
                    self._cond.wait(timeout=self._max_age / 4)
                if not due:
                    return  # closing and drained
                batches = [(s, self._buffer.take(s)) for s in due]
                self._inflight += sum(b.items for _, b in batches)
                self._inflight_bytes += sum(b.nbytes for _, b in batches)
                self._flush_now = False
            for signal, batch in batches:
                self._write(signal, batch)
                with self._cond:
                    self._inflight -= batch.items
                    self._inflight_bytes -= batch.nbytes
                    self._cond.notify_all()

    def _write(self, signal: Signal, batch: _Batch) -> None:
        if self._write_parts(signal, batch.parts):
            self.stats.written[signal] += batch.items
            return
        # The store refused the batch itself (not a connection problem): find the request(s) it
        # refuses by writing them one by one, and quarantine those instead of blocking the rest.
        for part in batch.parts:
            if not self._write_parts(signal, [part]):
                self._write_parts(signal, [part], quarantine=True)
        self.stats.written[signal] += batch.items

    def _write_parts(self, signal: Signal, parts: list[bytes], quarantine: bool = False) -> bool:
        """Write ``parts`` as one insert. Connection failures are retried until they succeed; if the
        store rejects the data itself, return False (or, with ``quarantine``, set it aside)."""
        from clickhouse_connect.driver.exceptions import OperationalError

        payload = b"".join(parts)
        delay = 0.1
        while True:
            try:
                self._sinks[signal](payload)
                return True
            except (OperationalError, OSError) as exc:  # the store is unreachable: keep the data, retry
                self._record_failure(signal, exc, delay)
            except Exception as exc:  # the store refuses this data
                if not quarantine:
                    return False
                self.stats.quarantined += 1
                log.error("the store rejects a %s request (%s); kept in quarantine", signal, exc)
                if self._quarantine:
                    self._quarantine(signal, payload, exc)
                return True
            if self._close_deadline is not None and time.monotonic() > self._close_deadline and self._spill:
                # Shutting down with the store still unreachable: keep the data on disk for next start.
                self._spill(signal, payload)
                self.stats.spilled += 1
                return True
            time.sleep(delay)
            delay = min(delay * 2, 10.0)

    def _record_failure(self, signal: Signal, exc: Exception, delay: float) -> None:
        self.stats.write_failures += 1
        self.stats.last_error = f"{type(exc).__name__}: {str(exc)[:300]}"
        log.warning("writing %s to the store failed (%s); retrying in %.1fs", signal, self.stats.last_error, delay)
