"""Hand-made spans: llm_span, observe (sync/async, tools, retrieval), errors."""

from __future__ import annotations

import asyncio
import json

import pytest
from opentelemetry.trace import SpanKind, StatusCode

import pharos.sdk as sdk


def test_llm_span_records_what_the_user_sets(telemetry):
    t = telemetry(capture_content=True)
    with sdk.llm_span("chat", model="gpt-4o", provider="openai", conversation_id="c7") as s:
        s.set_input([{"role": "user", "content": "hi"}])
        for _ in range(3):
            s.chunk()
        s.set_usage(100, 10, cached_input_tokens=40)
        s.set_response(model="gpt-4o-2024-08-06", id="r1", finish_reasons=["stop"])
        s.set_output("hello")
    (span,) = t.spans()
    a = span.attributes
    assert span.name == "chat gpt-4o" and span.kind is SpanKind.CLIENT
    assert a["gen_ai.provider.name"] == "openai" and a["gen_ai.conversation.id"] == "c7"
    assert a["gen_ai.response.model"] == "gpt-4o-2024-08-06"
    assert a["pharos.cost.usd"] == pytest.approx((60 * 2.5 + 40 * 1.25 + 10 * 10) / 1e6)
    assert a["pharos.response.output_chunks"] == 3
    assert json.loads(a["gen_ai.output.messages"]) == [{"role": "assistant", "parts": [{"type": "text", "content": "hello"}]}]


def test_llm_span_error_is_recorded_and_reraised(telemetry):
    t = telemetry()
    with pytest.raises(KeyError):
        with sdk.llm_span("chat", model="m"):
            raise KeyError("x")
    (span,) = t.spans()
    assert span.status.status_code is StatusCode.ERROR and span.attributes["error.type"] == "KeyError"


def test_observe_tool_retrieval_and_agent(telemetry):
    t = telemetry(capture_content=True, content_max_length=40)

    @sdk.observe(operation="retrieval", name="kb")
    def retrieve(query):
        return ["Paris is the capital of France.", "x" * 100]

    @sdk.observe(operation="execute_tool")
    async def weather(city):
        return {"city": city, "temp": 21}

    @sdk.observe(operation="invoke_agent", name="planner")
    def agent():
        docs = retrieve("capital?")
        return asyncio.run(weather("Paris")), docs

    @sdk.observe
    def plain():
        return 1

    agent()
    plain()
    spans = {s.name: s for s in t.spans()}
    assert set(spans) == {"invoke_agent planner", "retrieval kb", "execute_tool weather",
                          "test_observe_tool_retrieval_and_agent.<locals>.plain"}
    root = spans["invoke_agent planner"]
    assert root.attributes["gen_ai.agent.name"] == "planner" and root.kind is SpanKind.INTERNAL
    for child in ("retrieval kb", "execute_tool weather"):
        assert spans[child].parent.span_id == root.context.span_id
    assert json.loads(spans["retrieval kb"].attributes["gen_ai.retrieval.documents"]) == [
        "Paris is the capital of France.", "x" * 40 + "…"]
    tool = spans["execute_tool weather"].attributes
    assert tool["gen_ai.tool.name"] == "weather"
    assert json.loads(tool["gen_ai.tool.call.result"]) == {"city": "Paris", "temp": 21}


def test_observe_without_capture_records_no_arguments(telemetry):
    t = telemetry()

    @sdk.observe(operation="execute_tool")
    def tool(secret):
        return secret

    assert tool("s3cret") == "s3cret"
    assert "gen_ai.tool.call.arguments" not in t.spans()[0].attributes


def test_observe_async_error(telemetry):
    t = telemetry()

    @sdk.observe(operation="execute_tool")
    async def fails():
        raise ValueError("no")

    with pytest.raises(ValueError):
        asyncio.run(fails())
    assert t.spans()[0].attributes["error.type"] == "ValueError"
