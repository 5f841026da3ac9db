"""Automatic tracing of the ``openai`` client: :func:`instrument_openai` / :func:`uninstrument_openai`.

The ``create`` (and ``parse``) methods of chat completions, completions, embeddings and responses,
sync and async, are replaced by wrappers that open an :class:`~pharos.sdk._spans.LLMSpan`, call the
original, and record what came back. Because the wrappers sit on the resource classes, every client
(``OpenAI``, ``AsyncOpenAI``, ``AzureOpenAI``, a vLLM base URL...) and ``with_raw_response`` /
``with_streaming_response`` go through them.

Streams are not buffered: the ``Stream`` object the app receives is the original one, with its
item iterator swapped for one that notes each chunk as it passes (time to first chunk, per-chunk
time, usage from the last chunk) and ends the span when the stream ends, fails, is closed or is
dropped half-read (``pharos.stream.abandoned``). Token usage of a stream is only known when the
app asks for it (``stream_options={"include_usage": True}``); the SDK does not change requests.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import weakref
from typing import Any, Callable

from pharos.sdk import _attributes as A
from pharos.sdk._providers import infer_provider, server_address
from pharos.sdk._spans import LLMSpan
from pharos.sdk._state import STATE, log_failure

__all__ = ["instrument_openai", "uninstrument_openai", "is_instrumented"]

# (module, class, method, operation)
_TARGETS: tuple[tuple[str, str, str, str], ...] = tuple(
    (module, prefix + cls, method, op)
    for module, cls, methods, op in (
        ("openai.resources.chat.completions", "Completions", ("create", "parse"), "chat"),
        ("openai.resources.completions", "Completions", ("create",), "text_completion"),
        ("openai.resources.embeddings", "Embeddings", ("create",), "embeddings"),
        ("openai.resources.responses", "Responses", ("create", "parse"), "chat"),
    )
    for prefix in ("", "Async")
    for method in methods
)

_originals: list[tuple[type, str, Any]] = []


def is_instrumented() -> bool:
    return bool(_originals)


def instrument_openai() -> bool:
    """Wrap the openai client's methods. False if ``openai`` is not installed. Safe to call twice."""
    if _originals:
        return True
    try:
        import openai  # noqa: F401
    except ImportError:
        return False
    for module_name, cls_name, method, op in _TARGETS:
        try:
            cls = getattr(importlib.import_module(module_name), cls_name)
            original = cls.__dict__[method]
        except (ImportError, AttributeError, KeyError):
            continue  # not in this openai version
        # async resources' methods are sync functions returning a coroutine (openai's decorators)
        is_async = cls_name.startswith("Async") or inspect.iscoroutinefunction(original)
        wrapper = _async_wrapper(original, op) if is_async else _sync_wrapper(original, op)
        setattr(cls, method, wrapper)
        _originals.append((cls, method, original))
    return True


def uninstrument_openai() -> None:
    """Put back exactly the methods that :func:`instrument_openai` replaced."""
    while _originals:
        cls, method, original = _originals.pop()
        setattr(cls, method, original)


# ----------------------------------------------------------------------------- wrappers
def _sync_wrapper(original: Callable[..., Any], op: str) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        s = _start(self, op, kwargs)
        if s is None:
            return original(self, *args, **kwargs)
        s.activate()
        try:
            result = original(self, *args, **kwargs)
        except BaseException as exc:
            s.set_error(exc)
            s.end()
            raise
        finally:
            s.deactivate()
        return _handle_result(s, op, result)

    wrapper.__pharos_original__ = original  # type: ignore[attr-defined]
    return wrapper


def _async_wrapper(original: Callable[..., Any], op: str) -> Callable[..., Any]:
    @functools.wraps(original)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        s = _start(self, op, kwargs)
        if s is None:
            return await original(self, *args, **kwargs)
        s.activate()
        try:
            result = await original(self, *args, **kwargs)
        except BaseException as exc:
            s.set_error(exc)
            s.end()
            raise
        finally:
            s.deactivate()
        return _handle_result(s, op, result)

    wrapper.__pharos_original__ = original  # type: ignore[attr-defined]
    return wrapper


# ------------------------------------------------------------------------------ request
def _given(value: Any) -> bool:
    return value is not None and type(value).__name__ not in ("Omit", "NotGiven")


_NUMERIC_PARAMS = (
    ("temperature", A.REQUEST_TEMPERATURE),
    ("top_p", A.REQUEST_TOP_P),
    ("frequency_penalty", A.REQUEST_FREQUENCY_PENALTY),
    ("presence_penalty", A.REQUEST_PRESENCE_PENALTY),
    ("seed", A.REQUEST_SEED),
)


_endpoints: dict[int, tuple[Any, str | None, int | None, str]] = {}


def _endpoint(client: Any) -> tuple[str | None, int | None, str]:
    """(server.address, server.port, inferred provider) of a client, cached per base URL object."""
    url = getattr(client, "_base_url", None) or getattr(client, "base_url", "")
    hit = _endpoints.get(id(url))
    if hit is not None and hit[0] is url:
        return hit[1], hit[2], hit[3]
    host, port = server_address(url)
    provider = "azure.ai.openai" if type(client).__name__.startswith("Azure") else infer_provider(url)
    if len(_endpoints) > 256:
        _endpoints.clear()
    _endpoints[id(url)] = (url, host, port, provider)
    return host, port, provider


def _start(resource: Any, op: str, kwargs: dict[str, Any]) -> LLMSpan | None:
    try:
        client = getattr(resource, "_client", None)
        host, port, provider = _endpoint(client)
        model = kwargs.get("model")
        model = model if isinstance(model, str) else None
        attrs: dict[str, Any] = {}
        for key, name in _NUMERIC_PARAMS:
            value = kwargs.get(key)
            if _given(value):
                attrs[name] = value
        max_tokens = next((kwargs[k] for k in ("max_completion_tokens", "max_tokens", "max_output_tokens")
                           if _given(kwargs.get(k))), None)
        if max_tokens is not None:
            attrs[A.REQUEST_MAX_TOKENS] = max_tokens
        stop = kwargs.get("stop")
        if _given(stop):
            attrs[A.REQUEST_STOP_SEQUENCES] = [stop] if isinstance(stop, str) else list(stop)
        n = kwargs.get("n")
        if _given(n) and n != 1:
            attrs[A.REQUEST_CHOICE_COUNT] = n
        streaming = kwargs.get("stream") is True
        if streaming:
            attrs[A.REQUEST_STREAM] = True
        fmt = kwargs.get("response_format")
        if _given(fmt):
            kind = fmt.get("type") if isinstance(fmt, dict) else "json"
            attrs[A.OUTPUT_TYPE] = "json" if kind in ("json_object", "json_schema", "json") else "text"
        encoding = kwargs.get("encoding_format")
        if _given(encoding):
            attrs[A.REQUEST_ENCODING_FORMATS] = [encoding]
        user = kwargs.get("user")
        if _given(user) and isinstance(user, str):
            attrs[A.USER_ID] = user
        conversation = kwargs.get("conversation")
        if _given(conversation):
            conv_id = conversation if isinstance(conversation, str) else getattr(conversation, "id", None) or (
                conversation.get("id") if isinstance(conversation, dict) else None)
            if conv_id:
                attrs[A.CONVERSATION_ID] = conv_id
        s = LLMSpan(op, model, STATE.provider_override or provider, server_address=host, server_port=port,
                    attributes=attrs, streaming=streaming)
        if STATE.content.capture:
            if "messages" in kwargs:
                s.set_input(kwargs["messages"])
            elif "prompt" in kwargs:
                s.set_input(kwargs["prompt"])
            elif "input" in kwargs and op != "embeddings":
                instructions = kwargs.get("instructions")
                s.set_input(kwargs["input"], instructions if _given(instructions) else None)
        return s
    except Exception as exc:
        log_failure("openai._start", exc)
        return None


# ----------------------------------------------------------------------------- response
def _handle_result(s: LLMSpan, op: str, result: Any) -> Any:
    """Record ``result`` (or arrange for it to be recorded as it streams); always returns it unchanged."""
    try:
        from openai import AsyncStream, Stream

        if isinstance(result, Stream):
            _wrap_sync_stream(result, s, _Accumulator(s, op))
        elif isinstance(result, AsyncStream):
            _wrap_async_stream(result, s, _Accumulator(s, op))
        elif hasattr(result, "http_response") and hasattr(result, "parse"):
            _wrap_raw_response(result, s, op)
        else:
            _record_response(s, op, result)
            s.end()
    except Exception as exc:
        log_failure("openai._handle_result", exc)
        s.end()
    return result


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _record_usage(s: LLMSpan, usage: Any) -> None:
    if usage is None:
        return
    inp = _get(usage, "prompt_tokens", _get(usage, "input_tokens"))
    out = _get(usage, "completion_tokens", _get(usage, "output_tokens"))
    in_details = _get(usage, "prompt_tokens_details") or _get(usage, "input_tokens_details")
    out_details = _get(usage, "completion_tokens_details") or _get(usage, "output_tokens_details")
    s.set_usage(inp, out, cached_input_tokens=_get(in_details, "cached_tokens"),
                reasoning_output_tokens=_get(out_details, "reasoning_tokens"))


def _record_response(s: LLMSpan, op: str, response: Any) -> None:
    if response is None:
        return
    _record_usage(s, _get(response, "usage"))
    if op == "embeddings":
        s.set_response(model=_get(response, "model"))
        return
    if _get(response, "object") == "response" or _get(response, "output") is not None:  # Responses API
        status = _get(response, "status")
        incomplete = _get(_get(response, "incomplete_details"), "reason")
        s.set_response(model=_get(response, "model"), id=_get(response, "id"),
                       finish_reasons=[incomplete or status] if (incomplete or status) else None)
        error = _get(response, "error")
        if status == "failed" or error is not None:
            s.set_error(str(_get(error, "code") or "response_failed"))
        if STATE.content.capture:
            text = getattr(response, "output_text", None)
            if text is not None:
                s.set_output([{"role": "assistant", "content": text, "finish_reason": status}])
        return
    choices = _get(response, "choices") or ()
    s.set_response(model=_get(response, "model"), id=_get(response, "id"),
                   finish_reasons=[_get(c, "finish_reason") for c in choices])
    if STATE.content.capture:
        if op == "text_completion":
            s.set_output([{"role": "assistant", "content": _get(c, "text"), "finish_reason": _get(c, "finish_reason")}
                          for c in choices])
        else:
            out = []
            for c in choices:
                msg = _get(c, "message")
                out.append({"role": _get(msg, "role") or "assistant", "content": _get(msg, "content"),
                            "tool_calls": _get(msg, "tool_calls"), "finish_reason": _get(c, "finish_reason")})
            s.set_output(out)


class _Accumulator:
    """Notes each streamed item: chunk timing, ids, finish reasons, usage, and text if captured."""

    __slots__ = ("s", "op", "texts", "finish", "tools")

    def __init__(self, s: LLMSpan, op: str) -> None:
        self.s = s
        self.op = op
        self.texts: dict[int, list[str]] = {}
        self.finish: dict[int, str] = {}
        self.tools: dict[tuple[int, int], dict[str, Any]] = {}

    def on_item(self, item: Any) -> None:
        try:
            s = self.s
            kind = getattr(item, "type", None)
            if kind is not None and isinstance(kind, str) and kind.startswith("response."):  # Responses API event
                if kind.endswith(".delta"):
                    s.chunk()
                elif kind in ("response.completed", "response.incomplete", "response.failed"):
                    _record_response(s, self.op, getattr(item, "response", None))
                return
            if kind == "error":
                s.set_error(str(getattr(item, "code", None) or "stream_error"))
                return
            choices = item.choices
            if item.usage is not None:
                _record_usage(s, item.usage)
            if not choices:
                return
            s.chunk()
            if s.response_id is None:
                s.set_response(model=item.model, id=item.id)
            capture = STATE.content.capture
            for c in choices:
                if c.finish_reason:
                    self.finish[c.index] = c.finish_reason
                if capture:
                    if self.op == "text_completion":
                        text = c.text
                        calls = None
                    else:
                        text = c.delta.content if c.delta is not None else None
                        calls = c.delta.tool_calls if c.delta is not None else None
                    if text:
                        self.texts.setdefault(c.index, []).append(text)
                    for call in calls or ():
                        slot = self.tools.setdefault((c.index, call.index or 0), {"id": None, "name": "", "arguments": ""})
                        if call.id:
                            slot["id"] = call.id
                        if call.function is not None:
                            slot["name"] += call.function.name or ""
                            slot["arguments"] += call.function.arguments or ""
        except Exception as exc:
            log_failure("openai.stream_item", exc)

    def finish_span(self, abandoned: bool = False) -> None:
        s = self.s
        if s.ended:
            return
        try:
            if self.finish:
                s.set_response(finish_reasons=[self.finish[i] for i in sorted(self.finish)])
            if STATE.content.capture and (self.texts or self.tools):
                out = []
                for i in sorted(set(self.texts) | {k[0] for k in self.tools} | set(self.finish)):
                    calls = [{"id": v["id"], "function": {"name": v["name"], "arguments": v["arguments"]}}
                             for (ci, _), v in sorted(self.tools.items()) if ci == i]
                    out.append({"role": "assistant", "content": "".join(self.texts.get(i, ())),
                                "tool_calls": calls or None, "finish_reason": self.finish.get(i)})
                s.set_output(out)
        except Exception as exc:
            log_failure("openai.finish_stream", exc)
        s.end(abandoned=abandoned)


def _wrap_sync_stream(stream: Any, s: LLMSpan, acc: _Accumulator) -> None:
    inner = stream._iterator

    def traced() -> Any:
        done = False
        try:
            for item in inner:
                acc.on_item(item)
                yield item
            done = True
        except GeneratorExit:
            raise
        except BaseException as exc:
            s.set_error(exc)
            done = True
            raise
        finally:
            acc.finish_span(abandoned=not done)

    stream._iterator = traced()
    original_close = stream.close

    def close() -> None:
        try:
            original_close()
        finally:
            acc.finish_span(abandoned=True)

    stream.close = close


def _wrap_async_stream(stream: Any, s: LLMSpan, acc: _Accumulator) -> None:
    inner = stream._iterator

    async def traced() -> Any:
        done = False
        try:
            async for item in inner:
                acc.on_item(item)
                yield item
            done = True
        except GeneratorExit:
            raise
        except BaseException as exc:
            s.set_error(exc)
            done = True
            raise
        finally:
            acc.finish_span(abandoned=not done)

    stream._iterator = traced()
    original_close = stream.close

    async def close() -> None:
        try:
            await original_close()
        finally:
            acc.finish_span(abandoned=True)

    stream.close = close


def _wrap_raw_response(raw: Any, s: LLMSpan, op: str) -> None:
    """``with_raw_response`` / ``with_streaming_response``: record when the app parses the body.

    A non-streamed body that is already read is parsed now (openai caches the result, so the app's
    own ``parse()`` returns the same object). A response never parsed ends its span when dropped.
    """
    from openai import AsyncStream, Stream

    def on_parsed(parsed: Any) -> Any:
        try:
            if isinstance(parsed, Stream):
                _wrap_sync_stream(parsed, s, _Accumulator(s, op))
            elif isinstance(parsed, AsyncStream):
                _wrap_async_stream(parsed, s, _Accumulator(s, op))
            elif not s.ended:
                _record_response(s, op, parsed)
                s.end()
        except Exception as exc:
            log_failure("openai.raw_parse", exc)
            s.end()
        return parsed

    original_parse = raw.parse
    if inspect.iscoroutinefunction(original_parse):
        async def parse(*args: Any, **kwargs: Any) -> Any:
            return on_parsed(await original_parse(*args, **kwargs))
    else:
        def parse(*args: Any, **kwargs: Any) -> Any:
            return on_parsed(original_parse(*args, **kwargs))
    raw.parse = parse
    weakref.finalize(raw, s.end, abandoned=True)
    if not s.streaming and not inspect.iscoroutinefunction(original_parse) and _is_read(raw):
        parse()


def _is_read(raw: Any) -> bool:
    try:
        raw.http_response.content  # raises ResponseNotRead if the body was not read yet
        return True
    except Exception:
        return False
