"""pharos.feedback: how the scored call is found, and the span transport (a span + gen_ai.evaluation.result
event in the scored trace). Delivery to the scores API is in test_feedback_http.py."""

from __future__ import annotations

import openai

import pharos.sdk as sdk


def _feedback_spans(t):
    return [s for s in t.spans() if s.name.startswith("feedback ")]


def test_feedback_for_the_current_span(telemetry):
    t = telemetry(feedback_transport=sdk.SpanFeedbackTransport())
    with sdk.llm_span("chat", model="m") as call:
        record = sdk.feedback("thumbs_up", True, comment="great answer")
    ctx = call.span.get_span_context()
    (fb,) = _feedback_spans(t)
    assert fb.name == "feedback thumbs_up"
    assert fb.context.trace_id == ctx.trace_id and fb.parent.span_id == ctx.span_id
    a = fb.attributes
    assert a["gen_ai.evaluation.name"] == "thumbs_up"
    assert a["gen_ai.evaluation.score.value"] == 1.0
    assert a["gen_ai.evaluation.explanation"] == "great answer"
    assert a["pharos.score.source"] == "user"
    assert a["pharos.score.id"] == record.score_id and len(record.score_id) == 32
    assert a["pharos.score.target.trace_id"] == f"{ctx.trace_id:032x}"
    assert a["pharos.score.target.span_id"] == f"{ctx.span_id:016x}"
    (event,) = fb.events
    assert event.name == "gen_ai.evaluation.result"
    assert event.attributes["gen_ai.evaluation.score.value"] == 1.0


def test_feedback_by_response_id_after_the_call(openai_server, telemetry):
    t = telemetry(feedback_transport=sdk.SpanFeedbackTransport())
    c = openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0)
    reply = c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    sdk.feedback("rating", 4, response_id=reply.id, source="human", score_id="client-chosen-id")
    chat = t.span("chat")
    (fb,) = _feedback_spans(t)
    assert fb.context.trace_id == chat.context.trace_id and fb.parent.span_id == chat.context.span_id
    assert fb.attributes["pharos.score.id"] == "client-chosen-id"
    assert fb.attributes["gen_ai.response.id"] == "chatcmpl-123"
    assert fb.attributes["pharos.score.source"] == "human"


def test_explicit_ids_and_label(telemetry):
    t = telemetry(feedback_transport=sdk.SpanFeedbackTransport())
    sdk.feedback("quality", "good", trace_id="0af7651916cd43dd8448eb211c80319c", span_id="b7ad6b7169203331")
    (fb,) = _feedback_spans(t)
    assert f"{fb.context.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"
    assert f"{fb.parent.span_id:016x}" == "b7ad6b7169203331"
    assert fb.attributes["gen_ai.evaluation.score.label"] == "good"
    assert "gen_ai.evaluation.score.value" not in fb.attributes


def test_bad_arguments_are_logged_not_raised(telemetry):
    t = telemetry(feedback_transport=sdk.SpanFeedbackTransport())
    assert sdk.feedback("x", 1, trace_id="not-hex") is None
    assert sdk.feedback("x", 1, source="robot") is None
    assert _feedback_spans(t) == []


def test_transport_is_a_seam(telemetry):
    sent = []

    class Collect:
        def send(self, item):
            sent.append(item)

    t = telemetry(feedback_transport=Collect())
    sdk.score("helpful", 0.0, trace_id=1, span_id=2)
    assert _feedback_spans(t) == []
    (item,) = sent
    assert (item.name, item.value, item.trace_id, item.span_id) == ("helpful", 0.0, f"{1:032x}", f"{2:016x}")
