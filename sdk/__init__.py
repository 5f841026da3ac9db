"""Pharos SDK: trace every LLM call of an application with one line of setup.

    import pharos
    pharos.init(service_name="shop-assistant")   # or PHAROS_* environment variables

After ``init`` every call of the ``openai`` client (OpenAI, Azure OpenAI, vLLM and any
OpenAI-compatible server) becomes an OpenTelemetry span following the GenAI semantic conventions,
with token usage, cost, time to first chunk and GPU use, exported over OTLP to the Pharos collector
(or any OTel backend). Other steps are traced with :func:`observe` and :func:`llm_span`; user
feedback is sent with :func:`feedback`. Before ``init`` every function here is a safe no-op.

Public API: :func:`init`, :func:`shutdown`, :func:`force_flush`, :func:`uninstrument`,
:func:`instrument_openai`, :func:`observe`, :func:`llm_span`, :func:`session`, :func:`feedback`
(alias :func:`score`), :class:`LLMSpan`, :class:`SdkSettings`, :func:`mask_pii`; feedback transports
:class:`ScoresApiTransport` (the default: ``POST /v1/scores``) and :class:`SpanFeedbackTransport`.
"""

from __future__ import annotations

from pharos.sdk._content import mask_pii
from pharos.sdk._feedback import Feedback, FeedbackTransport, SpanFeedbackTransport, feedback
from pharos.sdk._feedback_http import ScoresApiTransport
from pharos.sdk._openai import instrument_openai
from pharos.sdk._setup import force_flush, init, shutdown, uninstrument
from pharos.sdk._spans import LLMSpan, llm_span, observe, session
from pharos.sdk.settings import SdkSettings

score = feedback

__all__ = [
    "init", "shutdown", "force_flush", "uninstrument", "instrument_openai",
    "observe", "llm_span", "session", "LLMSpan",
    "feedback", "score", "Feedback", "FeedbackTransport", "SpanFeedbackTransport", "ScoresApiTransport",
    "SdkSettings", "mask_pii",
]
