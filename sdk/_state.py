"""The SDK's process-wide state: what ``pharos.init`` configured, or no-op defaults before it.

Before ``init`` (or after ``shutdown``) spans go to whatever global TracerProvider the application
set (a no-op one if none), content is not captured and no GPU is sampled, so every public API can
be called safely at any time.
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import metrics, trace

from pharos.sdk import _attributes as A
from pharos.sdk._content import ContentPolicy
from pharos.sdk._pricing import PriceTable

__all__ = ["State", "STATE", "Instruments", "SESSION", "log", "log_failure"]

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


class Instruments:
    """The three GenAI client metrics, with the conventions' bucket boundaries."""

    def __init__(self, meter: metrics.Meter) -> None:
        self.token_usage = _histogram(meter, A.METRIC_TOKEN_USAGE, "{token}",
                                      "Number of input and output tokens used", A.TOKEN_BUCKETS)
        self.duration = _histogram(meter, A.METRIC_OPERATION_DURATION, "s",
                                   "GenAI operation duration", A.DURATION_BUCKETS)
        self.time_to_first_chunk = _histogram(meter, A.METRIC_TIME_TO_FIRST_CHUNK, "s",
                                              "Time to receive the first chunk of a streamed response",
                                              A.DURATION_BUCKETS)


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
