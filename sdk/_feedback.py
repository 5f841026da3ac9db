"""User and human feedback on a traced call: :func:`feedback`.

A score is built as a :class:`Feedback` record, with a client-made ``score_id`` (so that a retry
is stored once), and handed to a *transport*. After ``pharos.init`` that is
:class:`~pharos.sdk._feedback_http.ScoresApiTransport`: a background thread POSTs it to the
collector's ``/v1/scores`` API, retrying when the collector is busy or unreachable.

:class:`SpanFeedbackTransport` sends a score through the trace pipeline instead: a short span in
the *scored* trace (parent = the scored span) named ``feedback {name}``, carrying the GenAI
evaluation attributes (``gen_ai.evaluation.name``, ``gen_ai.evaluation.score.value``/``.label``,
``gen_ai.evaluation.explanation``) plus ``pharos.score.id``, ``pharos.score.source`` and the target
ids, and one ``gen_ai.evaluation.result`` event with the same attributes; the collector turns such
spans into ``scores`` rows. It is used for scores the API cannot address (no trace id known), before
``init``, and by choice: ``pharos.init(feedback_transport=SpanFeedbackTransport())``. Any object
with ``send(Feedback)`` can be the transport.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock
from typing import Any, Protocol

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

from pharos.sdk import _attributes as A
from pharos.sdk._state import STATE, log_failure

__all__ = ["Feedback", "FeedbackTransport", "SpanFeedbackTransport", "feedback", "remember_response"]

_SOURCES = ("user", "human", "evaluator")


@dataclass
class Feedback:
    """One score for one call. Ids are lowercase hex (32 for traces, 16 for spans)."""

    name: str
    value: float | None
    label: str | None = None
    comment: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    response_id: str | None = None
    source: str = "user"
    score_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    timestamp_ns: int = field(default_factory=time.time_ns)
    attributes: dict[str, Any] = field(default_factory=dict)


class FeedbackTransport(Protocol):
    def send(self, item: Feedback) -> None: ...


class SpanFeedbackTransport:
    """Deliver feedback as a span (with a ``gen_ai.evaluation.result`` event) in the scored trace."""

    def send(self, item: Feedback) -> None:
        attrs: dict[str, Any] = {A.EVALUATION_NAME: item.name, A.PHAROS_SCORE_ID: item.score_id,
                                 A.PHAROS_SCORE_SOURCE: item.source}
        if item.value is not None:
            attrs[A.EVALUATION_SCORE_VALUE] = item.value
        if item.label is not None:
            attrs[A.EVALUATION_SCORE_LABEL] = item.label
        if item.comment is not None:
            attrs[A.EVALUATION_EXPLANATION] = item.comment
        if item.trace_id:
            attrs[A.PHAROS_SCORE_TARGET_TRACE_ID] = item.trace_id
        if item.span_id:
            attrs[A.PHAROS_SCORE_TARGET_SPAN_ID] = item.span_id
        if item.response_id:
            attrs[A.RESPONSE_ID] = item.response_id
            attrs[A.PHAROS_SCORE_RESPONSE_ID] = item.response_id
        for key, value in item.attributes.items():
            attrs.setdefault(key, value)
        ctx = None
        if item.trace_id:
            parent = SpanContext(int(item.trace_id, 16), int(item.span_id or "0" * 16, 16) or 1,
                                 is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
            ctx = trace.set_span_in_context(NonRecordingSpan(parent))
        span = STATE.tracer.start_span(f"feedback {item.name}", context=ctx, kind=SpanKind.INTERNAL,
                                       attributes=attrs, start_time=item.timestamp_ns)
        span.add_event(A.EVALUATION_EVENT, attributes={k: v for k, v in attrs.items()}, timestamp=item.timestamp_ns)
        span.end()


# response id -> SpanContext of the span that produced it (recent calls only), so that
# feedback(response_id=...) finds its trace without the app keeping ids around.
_RESPONSES: "OrderedDict[str, SpanContext]" = OrderedDict()
_RESPONSES_MAX = 10_000
_lock = Lock()


def remember_response(response_id: str, span_context: SpanContext) -> None:
    if not span_context.is_valid:
        return
    with _lock:
        _RESPONSES[response_id] = span_context
        if len(_RESPONSES) > _RESPONSES_MAX:
            _RESPONSES.popitem(last=False)


def feedback(name: str, value: float | bool | str | None = None, *, trace_id: str | int | None = None,
             span_id: str | int | None = None, response_id: str | None = None, comment: str | None = None,
             label: str | None = None, source: str = "user", score_id: str | None = None,
             attributes: dict[str, Any] | None = None) -> Feedback | None:
    """Record a score (thumbs up, rating, correction...) for a traced call.

    The call is found from, in order: ``trace_id``/``span_id``; the span that returned ``response_id``
    (if this process traced it recently; otherwise the id travels along for the collector to match);
    the current span. ``value`` may be a number or bool (stored as 1.0/0.0); a string goes to ``label``.
    Pass your own ``score_id`` to make retries idempotent. Returns the record sent, or None if it
    could not be built (bad arguments are logged, never raised).
    """
    try:
        if source not in _SOURCES:
            raise ValueError(f"source must be one of {_SOURCES}, not {source!r}")
        if isinstance(value, str):
            label, value = (label or value), None
        elif isinstance(value, bool):
            value = 1.0 if value else 0.0
        elif value is not None:
            value = float(value)
        tid = _hex(trace_id, 32)
        sid = _hex(span_id, 16)
        if tid is None and response_id:
            with _lock:
                known = _RESPONSES.get(response_id)
            if known is not None:
                tid, sid = f"{known.trace_id:032x}", f"{known.span_id:016x}"
        if tid is None:
            current = trace.get_current_span().get_span_context()
            if current.is_valid:
                tid, sid = f"{current.trace_id:032x}", f"{current.span_id:016x}"
        item = Feedback(name=name, value=value, label=label, comment=comment, trace_id=tid, span_id=sid,
                        response_id=response_id, source=source, attributes=dict(attributes or {}))
        if score_id:
            item.score_id = score_id
        (STATE.feedback_transport or SpanFeedbackTransport()).send(item)
        return item
    except Exception as exc:
        log_failure("feedback", exc)
        return None


def _hex(value: str | int | None, width: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return f"{value:0{width}x}"
    text = value.lower().removeprefix("0x")
    int(text, 16)  # validates
    if len(text) != width:
        raise ValueError(f"expected {width} hex digits, got {value!r}")
    return text
