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

from opentelemetry.context import attach as _attach
from opentelemetry.context import detach as _detach
from opentelemetry.trace import set_span_in_context as _in_context

from pharos.sdk import _attributes as A
from pharos.sdk._providers import infer_provider, server_address
from pharos.sdk._responses import _record_response
from pharos.sdk._spans import LLMSpan
from pharos.sdk._state import STATE, log_failure
from pharos.sdk._streams import patch_stream_classes, wrap_stream

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
    _originals.extend(patch_stream_classes())
    return True


def uninstrument_openai() -> None:
    """Put back exactly the methods that :func:`instrument_openai` replaced (``Stream.close`` and ``__iter__`` too)."""
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
        token = _attach(_in_context(s.span))  # the span is current while openai runs (children nest)
        try:
            result = original(self, *args, **kwargs)
        except BaseException as exc:
            s.set_error(exc)
            s.end()
            raise
        finally:
            _detach(token)
        return _handle_result(s, op, result)

    wrapper.__pharos_original__ = original  # type: ignore[attr-defined]
    return wrapper


def _async_wrapper(original: Callable[..., Any], op: str) -> Callable[..., Any]:
    @functools.wraps(original)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        s = _start(self, op, kwargs)
        if s is None:
            return await original(self, *args, **kwargs)
        token = _attach(_in_context(s.span))  # the span is current while openai runs (children nest)
        try:
            result = await original(self, *args, **kwargs)
        except BaseException as exc:
            s.set_error(exc)
            s.end()
            raise
        finally:
            _detach(token)
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
            wrap_stream(result, s, op, False)
        elif kind == "async_stream":
            wrap_stream(result, s, op, True)
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


def _wrap_raw_response(raw: Any, s: LLMSpan, op: str) -> None:
    """``with_raw_response`` / ``with_streaming_response``: record when the app parses the body.

    A non-streamed body that is already read is parsed now (openai caches the result, so the app's
    own ``parse()`` returns the same object). A response never parsed ends its span when dropped.
    """
    from openai import AsyncStream, Stream

    def on_parsed(parsed: Any) -> Any:
        try:
            if isinstance(parsed, Stream):
                wrap_stream(parsed, s, op, False)
            elif isinstance(parsed, AsyncStream):
                wrap_stream(parsed, s, op, True)
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
