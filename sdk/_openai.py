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
import time
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


def _set(name: str) -> Callable[[dict[str, Any], Any], None]:
    def put(attrs: dict[str, Any], value: Any) -> None:
        attrs[name] = value
    return put


def _max_tokens(attrs: dict[str, Any], value: Any) -> None:
    attrs.setdefault(A.REQUEST_MAX_TOKENS, value)


def _stop(attrs: dict[str, Any], value: Any) -> None:
    attrs[A.REQUEST_STOP_SEQUENCES] = [value] if isinstance(value, str) else list(value)


def _choice_count(attrs: dict[str, Any], value: Any) -> None:
    if value != 1:
        attrs[A.REQUEST_CHOICE_COUNT] = value


def _stream(attrs: dict[str, Any], value: Any) -> None:
    if value is True:
        attrs[A.REQUEST_STREAM] = True


def _output_type(attrs: dict[str, Any], value: Any) -> None:
    kind = value.get("type") if isinstance(value, dict) else "json"
    attrs[A.OUTPUT_TYPE] = "json" if kind in ("json_object", "json_schema", "json") else "text"


def _user(attrs: dict[str, Any], value: Any) -> None:
    if isinstance(value, str):
        attrs[A.USER_ID] = value


def _conversation(attrs: dict[str, Any], value: Any) -> None:
    conv_id = value if isinstance(value, str) else getattr(value, "id", None) or (
        value.get("id") if isinstance(value, dict) else None)
    if conv_id:
        attrs[A.CONVERSATION_ID] = conv_id


# request keyword -> how it becomes attributes. The call path walks the keywords the app passed
# (usually a handful), not this table.
_REQUEST_PARAMS: dict[str, Callable[[dict[str, Any], Any], None]] = {
    "temperature": _set(A.REQUEST_TEMPERATURE),
    "top_p": _set(A.REQUEST_TOP_P),
    "frequency_penalty": _set(A.REQUEST_FREQUENCY_PENALTY),
    "presence_penalty": _set(A.REQUEST_PRESENCE_PENALTY),
    "seed": _set(A.REQUEST_SEED),
    "max_completion_tokens": lambda attrs, value: attrs.__setitem__(A.REQUEST_MAX_TOKENS, value),
    "max_tokens": _max_tokens,
    "max_output_tokens": _max_tokens,
    "stop": _stop,
    "n": _choice_count,
    "stream": _stream,
    "response_format": _output_type,
    "encoding_format": lambda attrs, value: attrs.__setitem__(A.REQUEST_ENCODING_FORMATS, [value]),
    "user": _user,
    "conversation": _conversation,
}


def _request_attributes(kwargs: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key, value in kwargs.items():
        put = _REQUEST_PARAMS.get(key)
        if put is not None and _given(value):
            put(attrs, value)
    return attrs


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
        host, port, provider = _endpoint(getattr(resource, "_client", None))
        model = kwargs.get("model")
        s = LLMSpan(op, model if isinstance(model, str) else None, STATE.provider_override or provider,
                    server_address=host, server_port=port, attributes=_request_attributes(kwargs),
                    streaming=kwargs.get("stream") is True)
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
        kind = _RESULT_KINDS.get(type(result)) or _result_kind(result)
        if kind == "object":
            _record_response(s, op, result)
            s.end()
        elif kind == "stream":
            _wrap_sync_stream(result, s, _Accumulator(s, op))
        elif kind == "async_stream":
            _wrap_async_stream(result, s, _Accumulator(s, op))
        else:
            _wrap_raw_response(result, s, op)
    except Exception as exc:
        log_failure("openai._handle_result", exc)
        s.end()
    return result


# result class -> "object" | "stream" | "async_stream" | "raw", decided once per class
_RESULT_KINDS: dict[type, str] = {}


def _result_kind(result: Any) -> str:
    from openai import AsyncStream, Stream

    cls = type(result)
    if issubclass(cls, Stream):
        kind = "stream"
    elif issubclass(cls, AsyncStream):
        kind = "async_stream"
    elif hasattr(result, "http_response") and hasattr(result, "parse"):  # with_raw_response / with_streaming_response
        kind = "raw"
    else:
        kind = "object"
    if len(_RESULT_KINDS) < 1024:
        _RESULT_KINDS[cls] = kind
    return kind


_MISSING = object()
_IS_MODEL: dict[type, bool] = {}


def _is_model(cls: type) -> bool:
    import pydantic

    found = _IS_MODEL[cls] = issubclass(cls, pydantic.BaseModel)
    return found


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """``obj.name`` or ``obj[name]``. For openai's pydantic models it reads the instance's fields directly:
    ``getattr`` of a field a model does not have goes through pydantic's ``__getattr__`` and an exception,
    which costs more than the rest of this lookup."""
    if obj is None:
        return default
    cls = type(obj)
    if cls is dict:
        return obj.get(name, default)
    model = _IS_MODEL.get(cls)
    if model is None:
        model = _is_model(cls)
    if model:
        value = obj.__dict__.get(name, _MISSING)
        if value is _MISSING:
            extra = obj.__pydantic_extra__
            return extra.get(name, default) if extra else default
        return value
    return getattr(obj, name, default)


class _Attrs:
    """``getattr`` with a default, behind a ``get`` like a dict's (objects that are neither dict nor model)."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self.obj, name, default)


_NO_FIELDS: dict[str, Any] = {}


def _fields(obj: Any) -> Any:
    """Something with ``.get(name)`` over ``obj``'s fields: a dict as it is, an openai (pydantic) model's
    field values (its ``__dict__``, plus extra fields the server sent), else attribute access."""
    if obj is None:
        return _NO_FIELDS
    cls = type(obj)
    if cls is dict:
        return obj
    model = _IS_MODEL.get(cls)
    if model is None:
        model = _is_model(cls)
    if model:
        extra = obj.__pydantic_extra__
        return {**extra, **obj.__dict__} if extra else obj.__dict__
    return _Attrs(obj)


def _record_usage(s: LLMSpan, usage: Any) -> None:
    if usage is None:
        return
    u = _fields(usage)
    inp = u.get("prompt_tokens")
    if inp is None:
        inp = u.get("input_tokens")
    out = u.get("completion_tokens")
    if out is None:
        out = u.get("output_tokens")
    in_details = u.get("prompt_tokens_details") or u.get("input_tokens_details")
    out_details = u.get("completion_tokens_details") or u.get("output_tokens_details")
    s.set_usage(inp, out, cached_input_tokens=None if in_details is None else _get(in_details, "cached_tokens"),
                reasoning_output_tokens=None if out_details is None else _get(out_details, "reasoning_tokens"))


def _record_response(s: LLMSpan, op: str, response: Any) -> None:
    if response is None:
        return
    r = _fields(response)
    _record_usage(s, r.get("usage"))
    if op == "embeddings":
        s.set_response(model=r.get("model"))
        return
    if r.get("object") == "response" or r.get("output") is not None:  # Responses API
        status = r.get("status")
        incomplete = _get(r.get("incomplete_details"), "reason")
        s.set_response(model=r.get("model"), id=r.get("id"),
                       finish_reasons=[incomplete or status] if (incomplete or status) else None)
        error = r.get("error")
        if status == "failed" or error is not None:
            s.set_error(str(_get(error, "code") or "response_failed"))
        if STATE.content.capture:
            text = getattr(response, "output_text", None)
            if text is not None:
                s.set_output([{"role": "assistant", "content": text, "finish_reason": status}])
        return
    choices = r.get("choices") or ()
    s.set_response(model=r.get("model"), id=r.get("id"), finish_reasons=[_get(c, "finish_reason") for c in choices])
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


_CHOICE_CHUNKS: tuple[type, ...] = ()


def _choice_chunk_types() -> tuple[type, ...]:
    """openai's streamed chat and text-completion item classes (items with ``choices``), looked up once."""
    global _CHOICE_CHUNKS
    if not _CHOICE_CHUNKS:
        from openai.types import Completion
        from openai.types.chat import ChatCompletionChunk

        _CHOICE_CHUNKS = (ChatCompletionChunk, Completion)
    return _CHOICE_CHUNKS


class _Accumulator:
    """Notes each streamed item: chunk timing, ids, finish reasons, usage, and text if captured."""

    __slots__ = ("s", "op", "texts", "finish", "tools", "capture", "choice_types", "first", "last", "count",
                 "usage", "head")

    def __init__(self, s: LLMSpan, op: str) -> None:
        self.s = s
        self.op = op
        self.texts: dict[int, list[str]] = {}
        self.finish: dict[int, str] = {}
        self.tools: dict[tuple[int, int], dict[str, Any]] = {}
        self.capture = STATE.content.capture
        self.choice_types = _choice_chunk_types()
        # chat/completion chunks: noted here as they pass, turned into attributes once, when the stream ends
        self.first: float | None = None  # monotonic time of the first chunk with choices
        self.last: float | None = None
        self.count = 0
        self.usage: Any = None  # the usage of the (last) chunk that carried one
        self.head: Any = None  # the first chunk with choices (response model and id)

    def on_item(self, item: Any) -> None:
        try:
            if type(item) in self.choice_types:  # chat and completion chunks: by far the most items
                if item.usage is not None:
                    self.usage = item.usage
                choices = item.choices
                if choices:
                    now = time.monotonic()
                    if self.first is None:
                        self.first = now
                        self.head = item
                    self.last = now
                    self.count += 1
                    for c in choices:
                        if c.finish_reason:
                            self.finish[c.index] = c.finish_reason
                        if self.capture:
                            self._capture(c)
                return
            kind = _get(item, "type")
            if isinstance(kind, str) and kind.startswith("response."):  # Responses API event
                if kind.endswith(".delta"):
                    self.s.chunk()
                elif kind in ("response.completed", "response.incomplete", "response.failed"):
                    _record_response(self.s, self.op, _get(item, "response"))
            elif kind == "error":
                self.s.set_error(str(_get(item, "code") or "stream_error"))
        except Exception as exc:
            log_failure("openai.stream_item", exc)

    def _capture(self, c: Any) -> None:
        """Keep the text and tool calls of one streamed choice (content capture on)."""
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

    def finish_span(self, abandoned: bool = False) -> None:
        s = self.s
        if s.ended:
            return
        try:
            finish = [self.finish[i] for i in sorted(self.finish)] if self.finish else None
            head = None
            if self.count:
                s.chunks_seen(self.first, self.last, self.count)
                if s.response_id is None:
                    head = self.head
            if head is not None or finish:
                s.set_response(model=None if head is None else head.model, id=None if head is None else head.id,
                               finish_reasons=finish)
            if self.usage is not None:
                _record_usage(s, self.usage)
            if self.capture and (self.texts or self.tools):
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


class _CloseHook:
    """Stands in for ``stream.close``: closes the stream, then ends the span (``pharos.stream.abandoned``
    if it was not read to the end). It holds the stream weakly: a bound ``stream.close`` kept here, on
    the stream, would make every stream a reference cycle that only the garbage collector frees."""

    __slots__ = ("stream", "acc", "replaced")

    def __init__(self, stream: Any, acc: _Accumulator) -> None:
        self.stream = weakref.ref(stream)
        self.acc = acc
        self.replaced = stream.__dict__.get("close")  # someone else's close on this very object, if any

    def _close(self) -> Any:
        if self.replaced is not None:
            return self.replaced()
        stream = self.stream()
        return None if stream is None else type(stream).close(stream)

    def __call__(self) -> None:
        try:
            self._close()
        finally:
            self.acc.finish_span(abandoned=True)


class _AsyncCloseHook(_CloseHook):
    __slots__ = ()

    async def __call__(self) -> None:  # type: ignore[override]
        try:
            await self._close()
        finally:
            self.acc.finish_span(abandoned=True)


def _wrap_sync_stream(stream: Any, s: LLMSpan, acc: _Accumulator) -> None:
    inner = stream._iterator

    def traced() -> Any:
        done = False
        on_item = acc.on_item
        try:
            for item in inner:
                on_item(item)
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
    stream.close = _CloseHook(stream, acc)


def _wrap_async_stream(stream: Any, s: LLMSpan, acc: _Accumulator) -> None:
    inner = stream._iterator

    async def traced() -> Any:
        done = False
        on_item = acc.on_item
        try:
            async for item in inner:
                on_item(item)
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
    stream.close = _AsyncCloseHook(stream, acc)


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
