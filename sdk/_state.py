"""The SDK's process-wide state: what ``pharos.init`` configured, or no-op defaults before it.

Before ``init`` (or after ``shutdown``) spans go to whatever global TracerProvider the application
set (a no-op one if none), content is not captured and no GPU is sampled, so every public API can
be called safely at any time.
"""

from __future__ import annotations

import collections
import contextvars
import logging
from dataclasses import dataclass, field
from typing import Any, Iterable

from opentelemetry import metrics, trace
from opentelemetry.metrics import CallbackOptions, Observation

from pharos.sdk import _attributes as A
from pharos.sdk._content import ContentPolicy
from pharos.sdk._pricing import PriceTable

__all__ = ["State", "STATE", "Instruments", "METRIC_KEY", "SESSION", "log", "log_failure"]

log = logging.getLogger("pharos.sdk")
_reported: set[str] = set()


def log_failure(where: str, exc: BaseException) -> None:
    """An instrumentation bug must never reach the app: log it (once per place at warning level)."""
    if where not in _reported:
        _reported.add(where)
        log.warning("pharos: instrumentation error in %s (ignored): %r", where, exc, exc_info=exc)
    else:
        log.debug("pharos: instrumentation error in %s (ignored): %r", where, exc)


def _histogram(meter: metrics.Meter, name: str, unit: str, description: str, buckets: tuple[float, ...]):
    try:
        return meter.create_histogram(name, unit=unit, description=description,
                                      explicit_bucket_boundaries_advisory=list(buckets))
    except TypeError:  # opentelemetry-api without bucket advice
        return meter.create_histogram(name, unit=unit, description=description)


# What a call's metric points are keyed by, in this order (see Instruments.record).
METRIC_KEY = (A.OPERATION_NAME, A.PROVIDER_NAME, A.REQUEST_MODEL, A.RESPONSE_MODEL, A.SERVER_ADDRESS,
              A.SERVER_PORT, A.ERROR_TYPE)


class Instruments:
    """The three GenAI client metrics, with the conventions' bucket boundaries.

    With ``deferred=True`` (what ``init`` uses) the call path only appends a tuple of plain values to
    a bounded queue; the queue is drained into the histograms when the metric reader collects (an observable
    gauge's callback runs first in every collection), so recording costs the app almost nothing.
    A point may land in the export interval after the call's; a full queue drops and counts.
    """

    def __init__(self, meter: metrics.Meter, deferred: bool = False, max_pending: int = 100_000) -> None:
        self.token_usage = _histogram(meter, A.METRIC_TOKEN_USAGE, "{token}",
                                      "Number of input and output tokens used", A.TOKEN_BUCKETS)
        self.duration = _histogram(meter, A.METRIC_OPERATION_DURATION, "s",
                                   "GenAI operation duration", A.DURATION_BUCKETS)
        self.time_to_first_chunk = _histogram(meter, A.METRIC_TIME_TO_FIRST_CHUNK, "s",
                                              "Time to receive the first chunk of a streamed response",
                                              A.DURATION_BUCKETS)
        self.deferred = deferred
        self.dropped = 0
        self._attr_cache: dict[tuple[Any, ...], tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {}
        self._max_pending = max_pending
        self._pending: collections.deque[tuple[Any, ...]] = collections.deque()
        if deferred:
            meter.create_observable_counter(
                "pharos.sdk.metric_records.dropped", [self._drain], unit="{record}",
                description="GenAI metric records dropped because the SDK's queue was full")

    def record(self, duration: float, ttfc: float | None, input_tokens: int | None,
               output_tokens: int | None, key: tuple[Any, ...]) -> None:
        """One call's measurements; ``key`` holds the values of :data:`METRIC_KEY` (falsy ones are left out)."""
        if not self.deferred:
            self._apply(duration, ttfc, input_tokens, output_tokens, key)
        elif len(self._pending) < self._max_pending:
            self._pending.append((duration, ttfc, input_tokens, output_tokens, key))
        else:
            self.dropped += 1

    def _attributes(self, key: tuple[Any, ...]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """Metric attributes for ``key`` (plain, input tokens, output tokens), built once per distinct key."""
        found = self._attr_cache.get(key)
        if found is None:
            attrs = {name: value for name, value in zip(METRIC_KEY, key) if value}
            found = (attrs, {**attrs, A.TOKEN_TYPE: "input"}, {**attrs, A.TOKEN_TYPE: "output"})
            if len(self._attr_cache) >= 4096:
                self._attr_cache.clear()
            self._attr_cache[key] = found
        return found

    def _apply(self, duration: float, ttfc: float | None, input_tokens: int | None,
               output_tokens: int | None, key: tuple[Any, ...]) -> None:
        attrs, input_attrs, output_attrs = self._attributes(key)
        self.duration.record(duration, attrs)
        if ttfc is not None:
            self.time_to_first_chunk.record(ttfc, attrs)
        if A.ERROR_TYPE not in attrs:
            if input_tokens is not None:
                self.token_usage.record(input_tokens, input_attrs)
            if output_tokens is not None:
                self.token_usage.record(output_tokens, output_attrs)

    def _drain(self, options: CallbackOptions) -> Iterable[Observation]:
        pending = self._pending
        while True:
            try:
                item = pending.popleft()
            except IndexError:
                break
            try:
                self._apply(*item)
            except Exception as exc:
                log_failure("metrics.drain", exc)
        return [Observation(self.dropped)]


@dataclass
class State:
    tracer: trace.Tracer = field(default_factory=lambda: trace.get_tracer("pharos.sdk"))
    instruments: Instruments = field(default_factory=lambda: Instruments(metrics.get_meter("pharos.sdk")))
    content: ContentPolicy = field(default_factory=ContentPolicy)
    prices: PriceTable = field(default_factory=PriceTable)
    provider_override: str = ""
    gpu: Any = None  # GpuSampler while one runs
    metrics_on: bool = True
    settings: Any = None  # SdkSettings after init
    # what init built, so shutdown can undo exactly that
    own_tracer_provider: Any = None
    own_meter_provider: Any = None
    added_processor: Any = None
    feedback_transport: Any = None
    initialized: bool = False


STATE = State()

# Attributes that every span started inside `with pharos.session(...)` carries.
SESSION: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("pharos_session", default=None)
