"""The real openai client (sync and async) against the loopback OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import gc
import json
import time

import openai
import pytest
from openai.resources.chat.completions import AsyncCompletions, Completions
from opentelemetry.trace import SpanKind, StatusCode

import pharos.sdk as sdk

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello to bob@example.com"}]


def client(server, **kw):
    return openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0, **kw)


def aclient(server, **kw):
    return openai.AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0, **kw)


def test_chat_completion_span_field_by_field(openai_server, telemetry):
    t = telemetry()
    reply = client(openai_server).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, temperature=0.2, max_tokens=50, top_p=0.9, seed=7, stop=["\n"])
    assert reply.choices[0].message.content == "Hello from the fake server"
    span = t.span("chat")
    port = int(openai_server.base_url.split(":")[2].split("/")[0])
    assert span.name == "chat gpt-4o-mini"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    a = dict(span.attributes)
    assert a == {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "vllm", "gen_ai.request.model": "gpt-4o-mini",
        "server.address": "127.0.0.1", "server.port": port, "gen_ai.request.temperature": 0.2,
        "gen_ai.request.top_p": 0.9, "gen_ai.request.seed": 7, "gen_ai.request.max_tokens": 50,
        "gen_ai.request.stop_sequences": ("\n",), "gen_ai.response.model": "gpt-4o-mini-0613",
        "gen_ai.response.id": "chatcmpl-123", "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": 11, "gen_ai.usage.output_tokens": 5,
        "gen_ai.usage.cache_read.input_tokens": 4, "gen_ai.usage.reasoning.output_tokens": 0,
        # dated snapshot priced as gpt-4o-mini: 7 fresh + 4 cached input tokens, 5 output tokens
        "pharos.cost.usd": pytest.approx((7 * 0.15 + 4 * 0.075 + 5 * 0.60) / 1e6),
    }
    assert span.resource.attributes["service.name"] == "test-app"


def test_metrics_use_spec_names_and_buckets(openai_server, telemetry):
    t = telemetry()
    client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    m = t.metrics()
    (duration,) = m["gen_ai.client.operation.duration"]
    assert duration.count == 1 and duration.sum > 0
    assert list(duration.explicit_bounds) == [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12,
                                              10.24, 20.48, 40.96, 81.92]
    assert duration.attributes["gen_ai.operation.name"] == "chat"
    assert duration.attributes["gen_ai.response.model"] == "gpt-4o-mini-0613"
    tokens = {p.attributes["gen_ai.token.type"]: p for p in m["gen_ai.client.token.usage"]}
    assert (tokens["input"].sum, tokens["output"].sum) == (11, 5)
    assert list(tokens["input"].explicit_bounds)[:3] == [1, 4, 16] and tokens["input"].explicit_bounds[-1] == 67108864
    assert "gen_ai.client.operation.time_to_first_chunk" not in m  # not a stream


def test_async_stream_with_usage_measures_ttft(openai_server, telemetry):
    t = telemetry()

    async def run():
        stream = await aclient(openai_server).chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True})
        return [c async for c in stream]

    chunks = asyncio.run(run())
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Hello from the fake server"
    span = t.span("chat")
    a = span.attributes
    assert a["gen_ai.request.stream"] is True
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (11, 5)
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert a["gen_ai.response.id"] == "chatcmpl-s1"
    assert a["pharos.response.output_chunks"] == 7
    duration = (span.end_time - span.start_time) / 1e9
    assert 0 < a["gen_ai.response.time_to_first_chunk"] <= duration
    assert 0 <= a["pharos.response.time_per_output_chunk"] <= duration
    (ttfc,) = t.metrics()["gen_ai.client.operation.time_to_first_chunk"]
    assert ttfc.count == 1 and ttfc.sum == pytest.approx(a["gen_ai.response.time_to_first_chunk"])
    assert "pharos.stream.abandoned" not in a


def test_stream_reaches_app_before_server_finishes(openai_server, telemetry):
    """The app gets the first chunk while the server still holds the rest: nothing is buffered."""
    t = telemetry()
    started = time.monotonic()
    stream = client(openai_server).chat.completions.create(model="hold", messages=MESSAGES, stream=True)
    iterator = iter(stream)
    first = next(iterator)
    app_first_chunk = time.monotonic() - started
    assert first.choices[0].delta.role == "assistant"
    assert not openai_server.last_chunk_sent.is_set()  # the server has not even sent the rest
    assert t.spans() == []  # span still open while the stream is
    openai_server.release.set()
    rest = list(iterator)
    assert openai_server.last_chunk_sent.is_set() and len(rest) == 6
    a = t.span("chat").attributes
    # the SDK saw the first chunk no later than the app did
    assert a["gen_ai.response.time_to_first_chunk"] <= app_first_chunk


def test_stream_closed_midway_is_ended_as_abandoned(openai_server, telemetry):
    t = telemetry()
    with client(openai_server).chat.completions.create(model="hold", messages=MESSAGES, stream=True) as stream:
        next(iter(stream))
    openai_server.release.set()
    a = t.span("chat").attributes
    assert a["pharos.stream.abandoned"] is True
    assert a["pharos.response.output_chunks"] == 1
    assert "error.type" not in a


def test_stream_closed_before_reading_is_ended_as_abandoned(openai_server, telemetry):
    t = telemetry()
    openai_server.release.set()
    stream = client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    assert t.spans() == []
    stream.close()
    a = t.span("chat").attributes
    assert a["pharos.stream.abandoned"] is True
    assert "pharos.response.output_chunks" not in a and "error.type" not in a


def test_stream_read_to_the_end_then_closed_is_not_abandoned(openai_server, telemetry):
    t = telemetry()
    with client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES,
                                                       stream=True) as stream:
        chunks = list(stream)
    a = t.span("chat").attributes
    assert len(chunks) == 7 and a["pharos.response.output_chunks"] == 7
    assert "pharos.stream.abandoned" not in a


def test_async_stream_closed_midway_is_ended_as_abandoned(openai_server, telemetry):
    t = telemetry()

    async def run():
        stream = await aclient(openai_server).chat.completions.create(model="hold", messages=MESSAGES, stream=True)
        first = await stream.__anext__()
        await stream.close()
        return first, t.span("chat").attributes  # ended by close, not when the loop shuts down

    first, a = asyncio.run(run())
    openai_server.release.set()
    assert first.choices[0].delta.role == "assistant"
    assert a["pharos.stream.abandoned"] is True
    assert a["pharos.response.output_chunks"] == 1
    assert 0 < a["gen_ai.response.time_to_first_chunk"]


def test_many_chunk_stream_counts_every_chunk(openai_server, telemetry):
    """Chunks are noted as they pass, whatever the stream's length (nothing kept per chunk)."""
    t = telemetry()
    n = sum(1 for _ in client(openai_server).chat.completions.create(
        model="long-3000", messages=MESSAGES, stream=True, stream_options={"include_usage": True}))
    a = t.span("chat").attributes
    assert n == 3003  # role chunk, 3000 words, finish chunk, and the usage chunk (no choices: not output)
    assert a["pharos.response.output_chunks"] == 3002
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (11, 5)


def test_odd_stream_item_never_reaches_the_app_as_an_error(openai_server, telemetry):
    t = telemetry()
    chunks = list(client(openai_server).chat.completions.create(model="odd-chunk", messages=MESSAGES, stream=True))
    assert len(chunks) == 8 and chunks[0].choices == 5  # the app gets every item as sent
    a = t.span("chat").attributes
    assert a["gen_ai.response.finish_reasons"] == ("stop",) and "error.type" not in a  # the rest is noted


def test_stream_read_to_the_end_holds_no_span(openai_server, telemetry):
    """openai's streams are reference cycles, freed only by the garbage collector: a stream that was read
    to the end must not keep its span (and the OTel span under it) alive until then."""
    from pharos.sdk._spans import LLMSpan

    t = telemetry()
    openai_server.release.set()
    gc.collect()
    gc.disable()
    try:
        stream = client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
        list(stream)
        assert t.span("chat").attributes["pharos.response.output_chunks"] == 7
        assert not [o for o in gc.get_objects() if type(o) is LLMSpan]
    finally:
        gc.enable()


def test_stream_iterated_in_two_loops_is_one_call(openai_server, telemetry):
    t = telemetry()
    openai_server.release.set()
    stream = client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    for first in stream:
        break
    assert t.spans() == []  # a loop left early is not the end of the stream
    rest = [c for c in stream]
    assert first.choices[0].delta.role == "assistant" and len(rest) == 6
    a = t.span("chat").attributes
    assert a["pharos.response.output_chunks"] == 7 and "pharos.stream.abandoned" not in a


def test_stream_dropped_midway_is_ended(openai_server, telemetry):
    t = telemetry()
    openai_server.release.set()
    stream = client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    for _ in stream:
        break
    del stream, _
    gc.collect()
    assert t.span("chat").attributes["pharos.stream.abandoned"] is True


@pytest.mark.parametrize("model, error", [("error-500", "InternalServerError"), ("error-429", "RateLimitError")])
def test_http_errors_set_error_type_and_status(openai_server, telemetry, model, error):
    t = telemetry()
    with pytest.raises(getattr(openai, error)):
        client(openai_server).chat.completions.create(model=model, messages=MESSAGES)
    span = t.span("chat")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == error
    assert "pharos.cost.usd" not in span.attributes
    assert [e.name for e in span.events] == ["exception"]
    m = t.metrics()
    (duration,) = m["gen_ai.client.operation.duration"]
    assert duration.attributes["error.type"] == error
    assert "gen_ai.client.token.usage" not in m


def test_timeout_sets_error_type(openai_server, telemetry):
    t = telemetry()
    with pytest.raises(openai.APITimeoutError):
        client(openai_server, timeout=0.2).chat.completions.create(model="slow", messages=MESSAGES)
    openai_server.release.set()
    span = t.span("chat")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "APITimeoutError"


def test_async_error(openai_server, telemetry):
    t = telemetry()

    async def run():
        await aclient(openai_server).embeddings.create(model="error-500", input="x")

    with pytest.raises(openai.InternalServerError):
        asyncio.run(run())
    assert t.span("embeddings").attributes["error.type"] == "InternalServerError"


def test_content_not_captured_by_default(openai_server, telemetry):
    t = telemetry()
    client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    keys = set(t.span("chat").attributes)
    assert not keys & {"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions"}


def test_content_capture_with_truncation_redaction_and_pii(openai_server, telemetry):
    t = telemetry(capture_content=True, content_max_length=12, mask_pii=True,
                  redact=lambda text: text.replace("hello", "[greeting]"))
    client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    a = t.span("chat").attributes
    assert json.loads(a["gen_ai.input.messages"]) == [
        {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
        # redacted, then PII masked, then cut at 12 characters
        {"role": "user", "parts": [{"type": "text", "content": "Say [greetin…"}]},
    ]
    assert json.loads(a["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Hello from t…"}], "finish_reason": "stop"}]


def test_content_capture_of_stream(openai_server, telemetry):
    t = telemetry(capture_content=True, mask_pii=True)
    list(client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    a = t.span("chat").attributes
    assert json.loads(a["gen_ai.input.messages"])[1]["parts"][0]["content"] == "Say hello to <EMAIL>"
    assert json.loads(a["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Hello from the fake server"}],
         "finish_reason": "stop"}]


def test_failing_redaction_hook_never_reaches_the_app(openai_server, telemetry):
    def broken(text):
        raise RuntimeError("bug in user hook")

    t = telemetry(capture_content=True, redact=broken)
    reply = client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert reply.id == "chatcmpl-123"
    a = t.span("chat").attributes
    assert "gen_ai.input.messages" not in a and a["gen_ai.usage.input_tokens"] == 11


def test_unknown_model_gets_no_cost(openai_server, telemetry):
    t = telemetry()
    client(openai_server).chat.completions.create(model="my-local-llama", messages=MESSAGES)
    a = t.span("chat").attributes
    assert a["gen_ai.usage.input_tokens"] == 11 and "pharos.cost.usd" not in a


def test_price_file_prices_a_local_model(openai_server, telemetry, tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"my-local-llama": {"input": 1.0, "output": 2.0}}))
    t = telemetry(price_file=str(prices))
    client(openai_server).chat.completions.create(model="my-local-llama", messages=MESSAGES)
    assert t.span("chat").attributes["pharos.cost.usd"] == pytest.approx((11 * 1.0 + 5 * 2.0) / 1e6)


def test_embeddings(openai_server, telemetry):
    t = telemetry()
    result = client(openai_server).embeddings.create(model="text-embedding-3-small", input=["a", "b"],
                                                     encoding_format="float")
    assert len(result.data) == 2
    span = t.span("embeddings")
    assert span.name == "embeddings text-embedding-3-small"
    a = span.attributes
    assert a["gen_ai.usage.input_tokens"] == 7 and "gen_ai.usage.output_tokens" not in a
    assert a["gen_ai.request.encoding_formats"] == ("float",)
    assert a["pharos.cost.usd"] == pytest.approx(7 * 0.02 / 1e6)


def test_legacy_completions_sync_and_stream(openai_server, telemetry):
    t = telemetry(capture_content=True)
    c = client(openai_server)
    c.completions.create(model="gpt-3.5-turbo-instruct", prompt="Once", max_tokens=5)
    text = "".join(ch.choices[0].text for ch in c.completions.create(model="m", prompt="Once", stream=True))
    assert text == "Hello from the fake server"
    plain, streamed = sorted(t.spans(), key=lambda s: s.start_time)
    assert plain.name == "text_completion gpt-3.5-turbo-instruct"
    assert plain.attributes["gen_ai.response.finish_reasons"] == ("length",)
    assert (plain.attributes["gen_ai.usage.input_tokens"], plain.attributes["gen_ai.usage.output_tokens"]) == (3, 5)
    assert json.loads(plain.attributes["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "Once"}]}]
    assert streamed.attributes["gen_ai.response.time_to_first_chunk"] > 0
    assert json.loads(streamed.attributes["gen_ai.output.messages"])[0]["parts"][0]["content"] == text


def test_responses_api_plain_and_streamed(openai_server, telemetry):
    t = telemetry(capture_content=True)
    c = client(openai_server)
    r = c.responses.create(model="gpt-4.1", input="Hi", instructions="Be brief.", max_output_tokens=20)
    assert r.output_text == "Hello from the fake server"
    events = list(c.responses.create(model="gpt-4.1", input="Hi", stream=True))
    assert events[-1].type == "response.completed"
    plain, streamed = sorted(t.spans(), key=lambda s: s.start_time)
    for span in (plain, streamed):
        a = span.attributes
        assert span.name == "chat gpt-4.1"
        assert a["gen_ai.response.id"] == "resp_123"
        assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (9, 5)
        assert a["gen_ai.usage.reasoning.output_tokens"] == 2
        assert a["gen_ai.response.finish_reasons"] == ("completed",)
        assert a["pharos.cost.usd"] == pytest.approx((9 * 2.0 + 5 * 8.0) / 1e6)
    assert plain.attributes["gen_ai.request.max_tokens"] == 20
    assert json.loads(plain.attributes["gen_ai.system_instructions"]) == [{"type": "text", "content": "Be brief."}]
    assert json.loads(plain.attributes["gen_ai.output.messages"])[0]["parts"][0]["content"] == r.output_text
    assert streamed.attributes["pharos.response.output_chunks"] == 5  # the text deltas
    assert 0 < streamed.attributes["gen_ai.response.time_to_first_chunk"]


def test_with_raw_response(openai_server, telemetry):
    t = telemetry()
    raw = client(openai_server).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES)
    assert raw.headers["content-type"] == "application/json"
    assert t.span("chat").attributes["gen_ai.usage.output_tokens"] == 5  # recorded without the app parsing
    assert raw.parse().choices[0].message.content == "Hello from the fake server"


def test_with_streaming_response_stream(openai_server, telemetry):
    t = telemetry()
    c = client(openai_server)
    with c.chat.completions.with_streaming_response.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True}) as raw:
        chunks = list(raw.parse())
    assert len(chunks) == 8
    a = t.span("chat").attributes
    assert a["gen_ai.usage.output_tokens"] == 5 and a["gen_ai.response.time_to_first_chunk"] > 0


def test_async_with_raw_response(openai_server, telemetry):
    t = telemetry()

    async def run():
        raw = await aclient(openai_server).chat.completions.with_raw_response.create(model="gpt-4o-mini",
                                                                                     messages=MESSAGES)
        return raw.parse()

    assert asyncio.run(run()).id == "chatcmpl-123"
    assert t.span("chat").attributes["gen_ai.usage.input_tokens"] == 11


def test_provider_from_client_and_override(openai_server, telemetry):
    t = telemetry()
    azure = openai.AzureOpenAI(azure_endpoint=openai_server.base_url.removesuffix("/v1"), api_key="k",
                               api_version="2024-06-01", max_retries=0)
    azure.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert t.span("chat").attributes["gen_ai.provider.name"] == "azure.ai.openai"
    t = telemetry(provider="openai")
    client(openai_server).chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert t.span("chat").attributes["gen_ai.provider.name"] == "openai"


def test_session_and_nesting(openai_server, telemetry):
    t = telemetry()

    @sdk.observe(operation="execute_tool", name="lookup")
    def tool():
        return client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES).id

    with sdk.session(conversation_id="conv-1", user_id="u-9"):
        tool()
    chat = t.span("chat")
    outer = t.span("execute_tool")
    assert outer.name == "execute_tool lookup" and outer.attributes["gen_ai.tool.name"] == "lookup"
    assert chat.parent.span_id == outer.context.span_id
    for span in (chat, outer):
        assert span.attributes["gen_ai.conversation.id"] == "conv-1" and span.attributes["user.id"] == "u-9"


def test_uninstrument_restores_exactly(openai_server, telemetry):
    sdk.shutdown()
    def methods():
        return (Completions.__dict__["create"], AsyncCompletions.__dict__["create"],
                openai.Stream.__dict__["close"], openai.AsyncStream.__dict__["close"],
                openai.Stream.__dict__["__iter__"], openai.AsyncStream.__dict__["__aiter__"])

    before = methods()
    t = telemetry()
    assert all(now is not then for now, then in zip(methods(), before))
    sdk.uninstrument()
    assert methods() == before
    client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert t.spans() == []


def test_instrument_off_by_setting(openai_server, telemetry):
    t = telemetry(instrument_openai=False)
    client(openai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert t.spans() == []
