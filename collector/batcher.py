"""Accepting data into the write-ahead log and draining it into the store in batches.

Handlers call :meth:`Batcher.accept` with a decoded request (or scores); once it returns, the data
is in the write-ahead log (:mod:`pharos.collector.wal`) under the configured fsync policy, and the
client is acknowledged. A writer thread drains the log: it takes the records after the last
committed position until they hold ``batch_max_spans`` items or the oldest is ``batch_max_age_ms``
old, and stores each signal's payloads in one insert whose ``insert_deduplication_token`` is derived from the batch's
log range. The range is recorded as the *intent* before the insert and committed after it, so a
crash between the two replays the same batch with the same token and the store keeps one copy.

Nothing acknowledged is dropped: a store that cannot be reached is retried with backoff, for as long
as it takes (the log keeps growing up to ``buffer_max_bytes``; beyond it :class:`Overloaded` becomes
HTTP 503 / gRPC UNAVAILABLE so exporters back off). A batch the store *refuses* is written request by
request and the refused request is quarantined, so one bad request never blocks the rest. On
shutdown the writer drains what it can within the shutdown timeout; the rest stays in the log and is
written after the next start.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pharos.collector.otlp import Decoded
from pharos.collector.wal import Record, WalFull, WriteAheadLog

__all__ = ["Batcher", "Overloaded", "BatcherStats", "Sink"]

log = logging.getLogger(__name__)

# A sink stores a batch of payloads of its kind (requests, or chunks of score rows) in one insert, with the
# given insert-deduplication token.
Sink = Callable[[list[bytes], str], None]


class Overloaded(Exception):
    """The log holds too much unwritten data (or cannot be written); the client should retry later."""

    retry_after_s = 1


@dataclass
class BatcherStats:
    accepted: dict[str, int] = field(default_factory=lambda: {"traces": 0, "metrics": 0, "scores": 0})
    written: dict[str, int] = field(default_factory=lambda: {"traces": 0, "metrics": 0, "scores": 0})
    write_failures: int = 0
    quarantined: int = 0
    replayed_batches: int = 0
    last_error: str = ""


class Batcher:
    def __init__(self, sinks: dict[str, Sink], wal: WriteAheadLog, max_items: int, max_age_ms: int,
                 quarantine: Callable[[str, bytes, Exception], None] | None = None,
                 shutdown_timeout_s: float = 30.0):
        self._sinks = sinks
        self.wal = wal
        self._quarantine = quarantine
        self._shutdown_timeout = shutdown_timeout_s
        self._max_items = max_items
        self._max_age = max_age_ms / 1000
        self._cond = wal.appended  # one condition (and lock) for appends and the writer
        self._appends: collections.deque[tuple[int, float, int]] = collections.deque()  # (end, time, items)
        self._unwritten_items = 0
        self._closing = False
        self._close_deadline: float | None = None
        self._flush_to = 0
        self._sync_waiters: list[tuple[int, asyncio.Future]] = []
        self._sync_task: asyncio.Task | None = None
        self.stats = BatcherStats()
        self._thread = threading.Thread(target=self._run, name="pharos-writer", daemon=True)
        self._thread.start()

    # ---- producer side ---------------------------------------------------------------------------
    def submit(self, kind: str, payload: bytes, items: int) -> int:
        """Append to the log; returns the LSN to wait for (see :meth:`accept`). Raises Overloaded."""
        if self._closing:
            raise Overloaded("the collector is shutting down")
        try:
            end = self.wal.append(kind, payload, items)
        except WalFull as exc:
            raise Overloaded(str(exc)) from None
        with self._cond:
            self._appends.append((end, time.monotonic(), items))
            self._unwritten_items += items
            self.stats.accepted[kind] += items
            if self._unwritten_items >= self._max_items:
                self._cond.notify_all()
        return end

    async def accept(self, decoded: Decoded) -> None:
        """Append a decoded OTLP request and return once it is as durable as the fsync policy says."""
        if decoded.accepted:
            await self.accept_payload(decoded.signal, decoded.payload, decoded.accepted)

    async def accept_payload(self, kind: str, payload: bytes, items: int) -> None:
        end = self.submit(kind, payload, items)
        if self.wal.policy == "always" and self.wal.readable_end < end:
            await self._durable(end)

    async def _durable(self, end: int) -> None:
        """Group commit on the event loop: requests wait on a future; one fsync (in a thread) at a time
        covers everything appended before it started, and wakes every request it covered."""
        fut = asyncio.get_running_loop().create_future()
        self._sync_waiters.append((end, fut))
        if self._sync_task is None or self._sync_task.done():
            self._sync_task = asyncio.get_running_loop().create_task(self._sync_loop())
        await fut

    async def _sync_loop(self) -> None:
        while self._sync_waiters:
            try:
                await asyncio.to_thread(self.wal.sync)
            except OSError as exc:  # not durable: the requests get a retryable refusal
                waiters, self._sync_waiters = self._sync_waiters, []
                for _, fut in waiters:
                    if not fut.done():
                        fut.set_exception(Overloaded(f"cannot fsync the write-ahead log: {exc}"))
                continue
            synced = self.wal.readable_end
            still = []
            for end, fut in self._sync_waiters:
                if end <= synced:
                    if not fut.done():
                        fut.set_result(None)
                else:
                    still.append((end, fut))
            self._sync_waiters = still

    def pending(self) -> int:
        """Items accepted by this process and not yet in the store."""
        with self._cond:
            return self._unwritten_items

    def backlog_bytes(self) -> int:
        return self.wal.backlog_bytes()

    def flush(self, timeout: float = 30.0) -> bool:
        """Block until everything accepted so far is in the store (for tests and `status`)."""
        deadline = time.monotonic() + timeout
        target = self.wal.end
        self.wal.sync()
        with self._cond:
            self._flush_to = max(self._flush_to, target)
            self._cond.notify_all()
            while self.wal.committed < target:
                if not self._cond.wait(timeout=max(0.0, deadline - time.monotonic())):
                    return False
        return True

    def close(self, timeout: float | None = None) -> None:
        """Stop accepting, write what the store takes within the shutdown timeout, stop the writer.
        Whatever is left stays in the log for the next start."""
        with self._cond:
            self._closing = True
            self._close_deadline = time.monotonic() + self._shutdown_timeout
            self._cond.notify_all()
        self._thread.join(timeout)
        self.wal.close()

    # ---- writer thread ---------------------------------------------------------------------------
    def _due(self, now: float) -> bool:
        if self.wal.end <= self.wal.committed:
            return False
        if self._closing or self._flush_to > self.wal.committed or self._unwritten_items >= self._max_items:
            return True
        if not self._appends:  # a backlog from an earlier run
            return True
        return now - self._appends[0][1] >= self._max_age

    def _run(self) -> None:
        try:
            if self.wal.intent is not None:
                start, end = self.wal.intent
                log.info("replaying the batch [%d, %d) that was being written when the last run stopped", start, end)
                records, _ = self.wal.read(start, stop=end)
                if not self._store(records, start, end):
                    return
                self._commit(end)
                self.stats.replayed_batches += 1
            while True:
                with self._cond:
                    while not self._due(time.monotonic()):
                        if self._closing:
                            return
                        self._cond.wait(timeout=self._max_age / 4)
                self.wal.sync()  # (with `always`, usually done already by the handlers waiting for it)
                start = self.wal.committed
                records, end = self.wal.read(start, max_items=self._max_items)
                if end <= start:
                    continue
                self.wal.declare_intent(start, end)
                if not self._store(records, start, end):
                    return  # shutting down with the store unreachable: the batch stays in the log
                self._commit(end)
        except Exception:  # never die silently: the log keeps everything, a restart replays it
            log.exception("the writer thread failed; accepted data stays in the write-ahead log")
            raise

    def _commit(self, end: int) -> None:
        self.wal.commit(end)
        with self._cond:
            while self._appends and self._appends[0][0] <= end:
                self._unwritten_items -= self._appends.popleft()[2]
            self._cond.notify_all()

    def _store(self, records: list[Record], start: int, end: int) -> bool:
        """Store the batch ``[start, end)``; False if shutting down before the store took it."""
        for kind in ("traces", "metrics", "scores"):
            mine = [r for r in records if r.kind == kind]
            if not mine:
                continue
            ok = self._write(kind, [r.payload for r in mine], f"pharos-wal-{self.wal.id}-{start}-{end}-{kind}")
            if ok is None:
                return False
            if not ok:
                # The store refused the batch itself (not a connection problem): find the request(s)
                # it refuses by writing them one by one, and quarantine those instead of blocking the rest.
                for r in mine:
                    if self._store_one(r) is None:
                        return False
            self.stats.written[kind] += sum(r.items for r in mine)
        return True

    def _store_one(self, r: Record) -> bool | None:
        token = f"pharos-wal-{self.wal.id}-{r.start}-{r.end}-{r.kind}"
        ok = self._write(r.kind, [r.payload], token, refused := [])
        if ok is False and r.kind != "scores":
            # upb lets through what ClickHouse's protobuf reader refuses (fields with the wrong wire
            # type, groups): the same request without unknown fields usually goes in.
            from pharos.collector.otlp import canonical

            try:
                fixed = canonical(r.kind, r.payload)
            except Exception:  # (a payload that no longer parses: nothing to repair)
                fixed = r.payload
            if fixed != r.payload:
                ok = self._write(r.kind, [fixed], token + "-canonical", refused)
        if ok is False:
            self.stats.quarantined += 1
            log.error("the store rejects a %s request (%s); kept in quarantine", r.kind, refused[-1])
            if self._quarantine:
                self._quarantine(r.kind, r.payload, refused[-1])
            return True
        return ok

    def _write(self, kind: str, parts: list[bytes], token: str, refused: list | None = None) -> bool | None:
        """Write ``parts`` as one insert. Connection failures are retried until they succeed (True);
        data the store refuses gives False (the error appended to ``refused``); None when the shutdown
        deadline passes with the store still unreachable."""
        from clickhouse_connect.driver.exceptions import OperationalError

        delay = 0.1
        while True:
            try:
                self._sinks[kind](parts, token)
                return True
            except (OperationalError, OSError) as exc:  # the store is unreachable: keep the data, retry
                self._record_failure(kind, exc, delay)
            except Exception as exc:  # the store refuses this data
                if refused is not None:
                    refused.append(exc)
                return False
            if self._close_deadline is not None and time.monotonic() > self._close_deadline:
                log.warning("store still unreachable at shutdown; %d bytes stay in the write-ahead log for the "
                            "next start", self.wal.backlog_bytes())
                return None
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _record_failure(self, kind: str, exc: Exception, delay: float) -> None:
        self.stats.write_failures += 1
        self.stats.last_error = f"{type(exc).__name__}: {str(exc)[:300]}"
        log.warning("writing %s to the store failed (%s); retrying in %.1fs", kind, self.stats.last_error, delay)
