"""Feedback delivered to the collector's scores API: :class:`ScoresApiTransport`.

``pharos.feedback(...)`` hands each score to this transport (what ``pharos.init`` installs), which
POSTs it to ``<endpoint>/v1/scores`` from a background thread:

* the app never waits and never sees an error: ``send`` puts the score on a bounded queue
  (:data:`MAX_QUEUE` scores) and returns; when the queue is full the score is dropped and counted
  (:attr:`ScoresApiTransport.dropped`, a warning once);
* scores queued together go in one request (up to :data:`MAX_BATCH`);
* ``429``, ``5xx`` and connection errors are retried with exponential backoff (honouring
  ``Retry-After``), up to :data:`MAX_ATTEMPTS` tries. Every score carries the ``score_id`` the
  client made, so a retry of a request that did land is stored once (``scores`` keeps one row per
  name, span and id);
* a ``400`` rejects the whole request (the API validates it whole), so a batch that fails is split
  and each score sent alone: one bad score does not take the others with it; other ``4xx`` (a
  missing or wrong API key) are logged, without the key, and dropped;
* :meth:`flush` / :meth:`shutdown` (called by ``pharos.force_flush`` / ``pharos.shutdown`` and at
  exit) wait, within a timeout, for what is queued.

Requests carry the same headers as the OTLP exporter (``headers`` setting, e.g.
``Authorization=Bearer <key>``). A score for a call whose trace is unknown (only a ``response_id``
that this process did not trace) cannot be addressed to a span through the API; it goes through
the trace pipeline instead (:class:`~pharos.sdk._feedback.SpanFeedbackTransport`), where the
collector stores it with the response id.
"""

from __future__ import annotations

import json
import math
import queue
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from pharos.sdk._feedback import Feedback, SpanFeedbackTransport
from pharos.sdk._state import log, log_failure

__all__ = ["ScoresApiTransport", "score_payload", "MAX_QUEUE", "MAX_BATCH", "MAX_ATTEMPTS"]

MAX_QUEUE = 1000
MAX_BATCH = 100
MAX_ATTEMPTS = 6
_BACKOFF_S, _BACKOFF_MAX_S = 0.5, 30.0
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_LIMITS = {"name": 200, "label": 200, "explanation": 10_000}  # as the API validates them


def score_payload(item: Feedback, service_name: str = "") -> dict[str, Any]:
    """The ``/v1/scores`` JSON of one score. Raises ValueError for what the API would reject."""
    if not item.trace_id:
        raise ValueError("a score for the scores API needs the trace id of the scored call")
    if item.value is None and not item.label:
        raise ValueError("a score needs a value or a label")
    if item.value is not None and not math.isfinite(item.value):
        raise ValueError("a score value must be a finite number")
    body: dict[str, Any] = {"trace_id": item.trace_id, "span_id": item.span_id or "", "name": item.name,
                            "source": item.source, "score_id": item.score_id, "timestamp_ns": item.timestamp_ns}
    if item.value is not None:
        body["value"] = item.value
    if item.label:
        body["label"] = item.label
    if item.comment:
        body["explanation"] = item.comment
    for key, limit in _LIMITS.items():
        if len(body.get(key, "")) > limit:
            raise ValueError(f"score {key} is longer than {limit} characters")
    if not body["name"]:
        raise ValueError("a score needs a name")
    if service_name:
        body["service_name"] = service_name[:200]
    attributes = {str(k): v if isinstance(v, str) else json.dumps(v, default=str) for k, v in item.attributes.items()}
    if item.response_id:
        attributes.setdefault("gen_ai.response.id", item.response_id)
    if attributes:
        body["attributes"] = attributes
    return body


class _Rejected(Exception):
    """The API refused the request for good (4xx other than 408/429)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status


class _Retry(Exception):
    def __init__(self, reason: str, after_s: float | None = None) -> None:
        super().__init__(reason)
        self.after_s = after_s


class ScoresApiTransport:
    """Sends :class:`Feedback` to ``POST <endpoint>/v1/scores`` in the background (see the module doc).

    ``fallback`` takes scores the API cannot address (no trace id).
    """

    def __init__(self, endpoint: str, headers: dict[str, str] | None = None, *, service_name: str = "",
                 timeout_s: float = 10.0, max_queue: int = MAX_QUEUE, max_attempts: int = MAX_ATTEMPTS,
                 fallback: Any = None) -> None:
        self.url = endpoint.rstrip("/") + "/v1/scores"
        self.headers = {**(headers or {}), "Content-Type": "application/json"}
        self.service_name = service_name
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.fallback = fallback if fallback is not None else SpanFeedbackTransport()
        self.dropped = 0  # scores dropped: queue full, rejected by the API, or out of retries
        self.delivered = 0
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=max_queue)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._warned: set[str] = set()

    # ------------------------------------------------------------------ app side
    def send(self, item: Feedback) -> None:
        """Queue one score; never blocks, never raises."""
        try:
            if not item.trace_id:
                self.fallback.send(item)
                return
            payload = score_payload(item, self.service_name)
            if self._stop.is_set():
                raise RuntimeError("the scores transport is shut down")
            self._queue.put_nowait(payload)
            self._ensure_worker()
        except queue.Full:
            self._drop(1, "queue_full", f"feedback queue full ({self._queue.maxsize} scores): score dropped")
        except Exception as exc:
            self._drop(1, "invalid", f"feedback not sent: {exc}")

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until every queued score was delivered or given up. True if that happened in time."""
        deadline = time.monotonic() + timeout_s
        while self._queue.unfinished_tasks:
            if time.monotonic() >= deadline or self._thread is None or not self._thread.is_alive():
                return not self._queue.unfinished_tasks
            time.sleep(0.01)
        return True

    def shutdown(self, timeout_s: float = 10.0) -> bool:
        """Flush within ``timeout_s``, then stop the thread (scores still queued are dropped and counted)."""
        flushed = self.flush(timeout_s)
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=max(0.1, min(timeout_s, self.timeout_s)))
        left = self._queue.qsize()
        if left:
            self._drop(left, "shutdown", f"{left} feedback score(s) not delivered before shutdown")
        return flushed

    # ---------------------------------------------------------------- worker side
    def _ensure_worker(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="pharos-feedback", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._deliver(batch)
            except Exception as exc:  # a bug here must not kill the thread
                log_failure("feedback.deliver", exc)
                self._drop(len(batch), "error", "")
            finally:
                for _ in batch:
                    self._queue.task_done()

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        try:
            self._post_with_retries(batch)
            self.delivered += len(batch)
        except _Rejected as exc:
            if exc.status == 400 and len(batch) > 1:  # validated whole: find the bad one(s)
                for one in batch:
                    self._deliver([one])
                return
            self._drop(len(batch), f"rejected_{exc.status}", f"feedback rejected by {self.url}: {exc}")
        except _Retry as exc:
            self._drop(len(batch), "unreachable",
                       f"feedback not delivered to {self.url} after {self.max_attempts} tries: {exc}")

    def _post_with_retries(self, batch: list[dict[str, Any]]) -> None:
        body = json.dumps({"scores": batch}).encode()
        delay = _BACKOFF_S
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._post(body)
            except _Retry as exc:
                if attempt == self.max_attempts:
                    raise
                wait = min(_BACKOFF_MAX_S, exc.after_s if exc.after_s is not None else delay)
                delay = min(_BACKOFF_MAX_S, delay * 2)
                if self._stop.wait(wait):  # shutting down: one last try, no more waiting
                    return self._post(body)

    def _post(self, body: bytes) -> None:
        request = urllib.request.Request(self.url, data=body, headers=self.headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace")
            if exc.code in _RETRY_STATUSES:
                raise _Retry(f"HTTP {exc.code}", _retry_after(exc.headers.get("Retry-After"))) from None
            raise _Rejected(exc.code, detail) from None
        except (urllib.error.URLError, OSError) as exc:  # refused, reset, timed out, DNS
            raise _Retry(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None

    def _drop(self, count: int, why: str, message: str) -> None:
        with self._lock:  # app threads and the worker both count
            self.dropped += count
        if message:
            (log.warning if why not in self._warned else log.debug)("pharos: %s", message)
            self._warned.add(why)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None

