"""The online worker: scores new LLM spans within seconds, inside ``pharos serve`` (:func:`start_in_server`)
or as ``pharos evaluate --follow`` against a ClickHouse server.

Design
- **Watermark.** Per consumer and shard, ``evaluator_progress.LowerBound``: every span older than it is
  processed. A poll scans ``otel_traces`` from the lowest bound of this worker's shards, skipping spans the
  ``evaluator_done`` ledger lists, oldest first, ``eval_batch_size`` at a time. When caught up the bound moves
  to ``now - eval_lateness_s``: a span exported up to that late is still scored exactly once.
- **Sharing.** Workers of one consumer heartbeat into ``evaluator_workers``; the live ones, sorted by id,
  take shards ``cityHash64(SpanId) % eval_shards`` round-robin. While membership changes two workers may
  briefly score the same span: the score ids are the same, so the store keeps one.
- **Idempotency.** A score's id is a hash of evaluator name, version, trace and span. Order of writes per
  batch: scores and queued work first, then the done-ledger, then the watermark. A crash anywhere re-does
  at most that batch, writing identical score rows (``scores`` is a ReplacingMergeTree; read with FINAL).
- **Isolation.** Remote evaluators (the LLM judge) never run in the poll loop: their work is queued in
  ``evaluator_retries`` and drained by a lane thread per evaluator with a circuit breaker and exponential
  backoff. Local evaluators that raise are queued the same way. Failures are counted in
  ``evaluator_health`` and logged; a recovered evaluator catches up from its queue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pharos.evaluators.base import Evaluator
from pharos.evaluators.engine import SCORE_COLUMNS, Engine, Failure, Result
from pharos.evaluators.settings import EvaluatorSettings
from pharos.evaluators.spans import LLM_OPERATIONS, SPAN_COLUMNS, attach_context, calls_from_rows, fetch_calls

__all__ = ["Worker", "start_in_server"]

log = logging.getLogger("pharos.evaluators.online")

_RETRY_COLUMNS = ["Consumer", "Evaluator", "EvaluatorVersion", "Timestamp", "TraceId", "SpanId", "Attempts",
                  "State", "NextAt", "LastError"]


class Worker:
    def __init__(self, store, settings: EvaluatorSettings | None = None,
                 evaluators: list[Evaluator] | None = None, client=None) -> None:
        from pharos.evaluators.registry import build

        self.store = store
        self.settings = settings or EvaluatorSettings()
        self.engine = Engine(evaluators if evaluators is not None else build(self.settings),
                             backoff_s=self.settings.eval_retry_backoff_s)
        self.client = client or store.new_client(database=store.database)
        self.consumer = self.settings.eval_consumer
        self.worker_id = self.settings.eval_worker_id or f"{socket.gethostname()}-{os.getpid()}"
        self.t = store.schema.table
        self.traces = self.t("otel_traces")
        self.shards: list[int] = []
        self._started_at = time.time()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._db_lock = threading.Lock()
        self._last_heartbeat = 0.0
        self._last_full_scan = float("-inf")
        self.exporter = None
        if self.settings.eval_export_otlp_endpoint:
            from pharos.evaluators.export import ScoreExporter

            self.exporter = ScoreExporter(self.settings.eval_export_otlp_endpoint)
        self.polls = 0
        from pharos.evaluators.embeddings import set_threads

        set_threads(self.settings.eval_threads, self.settings.eval_lean_model)

    # ------------------------------------------------------------------ store helpers
    def _query(self, sql: str, parameters: dict[str, Any] | None = None) -> list[tuple]:
        with self._db_lock:
            return self.client.query(sql, parameters=parameters).result_rows

    def _insert(self, table: str, rows: list[list[Any]], columns: list[str]) -> None:
        if rows:
            with self._db_lock:
                self.client.insert(self.store.schema.local_name(table), rows, column_names=columns,
                                   database=self.store.database)

    def _now_ns(self) -> int:
        return time.time_ns()

    # ------------------------------------------------------------------ membership
    def heartbeat(self, force: bool = False) -> list[int]:
        now = time.time()
        if not force and now - self._last_heartbeat < min(2.0, self.settings.eval_worker_ttl_s / 3):
            return self.shards
        self._last_heartbeat = now
        n = self.settings.eval_shards
        live = [r[0] for r in self._query(
            f"SELECT WorkerId FROM {self.t('evaluator_workers')} FINAL WHERE Consumer = {{c:String}} "
            f"AND HeartbeatAt >= now64(6) - toIntervalMillisecond({{ttl:UInt64}}) AND WorkerId != {{me:String}}",
            {"c": self.consumer, "ttl": int(self.settings.eval_worker_ttl_s * 1000), "me": self.worker_id})]
        members = sorted(set(live) | {self.worker_id})
        idx = members.index(self.worker_id)
        shards = [s for s in range(n) if s % len(members) == idx]
        if shards != self.shards:
            log.info("worker %s owns %d of %d shards (%d live workers)", self.worker_id, len(shards), n, len(members))
        self.shards = shards
        self._insert("evaluator_workers", [[self.consumer, self.worker_id, socket.gethostname(),
                                             _dt(self._started_at), _dt(now), shards]],
                     ["Consumer", "WorkerId", "Host", "StartedAt", "HeartbeatAt", "Shards"])
        self.flush_health()
        return shards

    def flush_health(self) -> None:
        rows = []
        for ev in self.engine.evaluators:
            h = self.engine.health[ev.name]
            rows.append([self.consumer, self.worker_id, ev.name, ev.version, h.scored, h.failed, h.retried,
                         h.gave_up, int(h.breaker_until > time.time()), h.last_error,
                         _dt(h.last_error_at) if h.last_error_at else None,
                         h.mean_latency_ms])
        self._insert("evaluator_health", rows, ["Consumer", "WorkerId", "Evaluator", "EvaluatorVersion", "Scored",
                                                "Failed", "Retried", "GaveUp", "BreakerOpen", "LastError",
                                                "LastErrorAt", "MeanLatencyMs"])

    # ------------------------------------------------------------------ the poll loop
    def lower_bound(self, shards: list[int]) -> int:
        rows = self._query(
            f"SELECT Shard, toUnixTimestamp64Nano(LowerBound) FROM {self.t('evaluator_progress')} FINAL "
            f"WHERE Consumer = {{c:String}} AND Shard IN {{s:Array(UInt16)}}", {"c": self.consumer, "s": shards})
        got = {int(s): int(b) for s, b in rows}
        if len(got) < len(shards):  # a new consumer starts at the lateness window
            return self._now_ns() - int(self.settings.eval_lateness_s * 1e9)
        return min(got.values())

    # A poll scans from the watermark, which trails ``now`` by the lateness window (10 minutes by default): at
    # 200 calls/s that is 120k spans read per poll. So most polls scan only the recent past (``RECENT_S``, longer
    # than an LLM call lasts before its span is exported), and a full scan from the watermark runs every
    # ``FULL_SCAN_S`` for spans that arrive later. The done-ledger keeps either scan exactly-once.
    RECENT_S = 60.0
    FULL_SCAN_S = 10.0

    def poll_once(self) -> int:
        """Score one batch of new spans; returns how many spans it processed."""
        shards = self.heartbeat()
        if not shards:
            return 0
        self.polls += 1
        bound = self.lower_bound(shards)
        n, limit = self.settings.eval_shards, self.settings.eval_batch_size
        started = time.monotonic()
        full = started - self._last_full_scan >= self.FULL_SCAN_S
        lo = bound if full else max(bound, self._now_ns() - int(self.RECENT_S * 1e9))
        rows = self._query(
            f"""SELECT {SPAN_COLUMNS} FROM {self.traces}
            WHERE Timestamp >= fromUnixTimestamp64Nano({{lo:Int64}})
              AND GenAIOperationName IN {{ops:Array(String)}}
              AND cityHash64(SpanId) % {{n:UInt32}} IN {{shards:Array(UInt32)}}
              AND (TraceId, SpanId) NOT IN (
                  SELECT TraceId, SpanId FROM {self.t('evaluator_done')}
                  WHERE Consumer = {{c:String}} AND Timestamp >= fromUnixTimestamp64Nano({{lo:Int64}}))
            ORDER BY Timestamp, SpanId LIMIT 1 BY TraceId, SpanId LIMIT {{limit:UInt32}}""",
            {"lo": lo, "ops": list(LLM_OPERATIONS), "n": n, "shards": shards, "c": self.consumer,
             "limit": limit})
        if full and len(rows) < limit:
            self._last_full_scan = started
        calls = calls_from_rows(rows)
        if calls:
            attach_context(self.client_locked(), self.traces, calls, min(c.timestamp_ns for c in calls))
            result = self.engine.run(calls, remote=False)
            queued = self._queue_rows(result.failures, attempts=1, error=True)
            for ev in self.engine.evaluators:
                if ev.remote:
                    queued += self._queue_rows([Failure(ev, c, "") for c in calls if ev.applies(c)], 0, False)
            self._write_scores(result)
            self._insert("evaluator_retries", queued, _RETRY_COLUMNS)
            self._insert("evaluator_done", [[self.consumer, c.timestamp_ns, c.trace_id, c.span_id] for c in calls],
                         ["Consumer", "Timestamp", "TraceId", "SpanId"])
        # advance the watermark (only a full scan knows that nothing older is left)
        horizon = self._now_ns() - int(self.settings.eval_lateness_s * 1e9)
        if not full:
            new_bound = bound
        else:
            new_bound = max(bound, horizon if len(calls) < limit else min(horizon, calls[-1].timestamp_ns))
        if new_bound != bound or calls:
            self._insert("evaluator_progress", [[self.consumer, s, new_bound, self.worker_id] for s in shards],
                         ["Consumer", "Shard", "LowerBound", "WorkerId"])
        return len(calls)

    def client_locked(self):
        outer = self

        class _C:
            def query(self, sql, parameters=None):
                with outer._db_lock:
                    return outer.client.query(sql, parameters=parameters)

        return _C()

    def _write_scores(self, result: Result) -> None:
        self._insert("scores", result.rows, SCORE_COLUMNS)
        if self.exporter is not None and result.scores:
            try:
                self.exporter.export(result.scores)
            except Exception as exc:  # export is best effort
                log.warning("score export failed: %s", exc)

    def _queue_rows(self, failures: list[Failure], attempts: int, error: bool) -> list[list[Any]]:
        out = []
        now = time.time()
        for f in failures:
            delay = self.settings.eval_retry_backoff_s * (2 ** max(0, attempts - 1)) if error else 0.0
            out.append([self.consumer, f.evaluator.name, f.evaluator.version, f.call.timestamp_ns, f.call.trace_id,
                        f.call.span_id, attempts, "pending", _dt(now + min(300.0, delay)), f.error[:500]])
        return out

    # ------------------------------------------------------------------ the retry / remote lane
    def drain_queue(self, ev: Evaluator, limit: int = 64, pool: ThreadPoolExecutor | None = None) -> int:
        """Run due queued work of ``ev`` (remote work and retries of failures); returns calls attempted."""
        if not self.shards or self.engine.breaker_open(ev):
            return 0
        rows = self._query(
            f"""SELECT toUnixTimestamp64Nano(Timestamp), TraceId, SpanId, Attempts
            FROM {self.t('evaluator_retries')} FINAL
            WHERE Consumer = {{c:String}} AND Evaluator = {{e:String}} AND State = 'pending'
              AND NextAt <= now64(6) AND cityHash64(SpanId) % {{n:UInt32}} IN {{shards:Array(UInt32)}}
            ORDER BY NextAt LIMIT {{limit:UInt32}}""",
            {"c": self.consumer, "e": ev.name, "n": self.settings.eval_shards, "shards": self.shards,
             "limit": limit})
        if not rows:
            return 0
        attempts = {(r[1], r[2]): int(r[3]) for r in rows}
        calls = fetch_calls(self.client_locked(), self.traces, [(int(r[0]), r[1], r[2]) for r in rows])
        result = Result()
        if ev.remote and pool is not None and len(calls) > 1:
            parts = [Result() for _ in calls]
            list(pool.map(lambda i: self.engine.run_one(ev, [calls[i]], parts[i]), range(len(calls))))
            for p in parts:
                result.rows += p.rows
                result.scores += p.scores
                result.failures += p.failures
        else:
            self.engine.run_one(ev, calls, result)
        self._write_scores(result)
        failed = {(f.call.trace_id, f.call.span_id): f for f in result.failures}
        now = time.time()
        updates = []
        for c in calls:
            key = (c.trace_id, c.span_id)
            n = attempts.get(key, 0) + 1
            if key in failed:
                self.engine.health[ev.name].retried += 1
                gave_up = n > self.settings.eval_max_retries
                if gave_up:
                    self.engine.health[ev.name].gave_up += 1
                delay = min(300.0, self.settings.eval_retry_backoff_s * 2 ** min(8, n - 1))
                updates.append([self.consumer, ev.name, ev.version, c.timestamp_ns, c.trace_id, c.span_id, n,
                                "gave_up" if gave_up else "pending", _dt(now + delay), failed[key].error[:500]])
            else:
                updates.append([self.consumer, ev.name, ev.version, c.timestamp_ns, c.trace_id, c.span_id, n,
                                "done", _dt(now), ""])
        found = {(c.trace_id, c.span_id) for c in calls}
        for ts, trace_id, span_id, n in rows:  # the span is gone (TTL): nothing to score
            if (trace_id, span_id) not in found:
                updates.append([self.consumer, ev.name, ev.version, int(ts), trace_id, span_id, int(n),
                                "gave_up", _dt(now), "span not found"])
        self._insert("evaluator_retries", updates, _RETRY_COLUMNS)
        return len(calls)

    # ------------------------------------------------------------------ threads
    def _poll_loop(self) -> None:
        while not self._stop.is_set():
            try:
                got = self.poll_once()
            except Exception:
                log.exception("evaluator poll failed")
                got = 0
            if got < self.settings.eval_batch_size:
                self._stop.wait(self.settings.eval_poll_interval_s)

    # A local evaluator's queue holds only its rare failures: its lane looks every LOCAL_LANE_IDLE_S when idle
    # (a query per evaluator per poll interval cost CPU, memory and lock time that the poll loop needs).
    LOCAL_LANE_IDLE_S = 5.0

    def _lane_loop(self, ev: Evaluator) -> None:
        pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix=f"eval-{ev.name}") if ev.remote else None
        idle = self.settings.eval_poll_interval_s if ev.remote else max(self.settings.eval_poll_interval_s,
                                                                         self.LOCAL_LANE_IDLE_S)
        try:
            while not self._stop.is_set():
                try:
                    got = self.drain_queue(ev, pool=pool)
                except Exception:
                    log.exception("evaluator lane %s failed", ev.name)
                    got = 0
                if not got:
                    self._stop.wait(idle)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def start(self) -> "Worker":
        self.heartbeat(force=True)
        self._threads = [threading.Thread(target=self._poll_loop, name="pharos-eval-poll", daemon=True)]
        self._threads += [threading.Thread(target=self._lane_loop, args=(ev,), name=f"pharos-eval-{ev.name}",
                                           daemon=True) for ev in self.engine.evaluators]
        for th in self._threads:
            th.start()
        log.info("evaluator worker %s (consumer %s) running: %s", self.worker_id, self.consumer,
                 ", ".join(f"{e.name} v{e.version}" for e in self.engine.evaluators))
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for th in self._threads:
            th.join(timeout)
        try:
            self.flush_health()
        except Exception as exc:
            log.debug("final health flush failed: %s", exc)
        if self.exporter is not None:
            self.exporter.shutdown()

    def join(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(1.0)


def start_in_server(store) -> Worker | None:
    """Called by ``pharos serve``: the worker in background threads (None when evaluators are disabled)."""
    settings = EvaluatorSettings()
    if not settings.eval_enabled or not settings.evaluators.strip():
        return None
    worker = Worker(store, settings)
    # warm the local model in the background thread, never in the serve start path
    return worker.start()


def _dt(seconds: float):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(seconds, tz=timezone.utc)
