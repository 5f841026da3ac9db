"""GenAI spans by hand: :func:`llm_span`, :func:`observe`, :func:`session`, and the :class:`LLMSpan`
handle that the automatic openai instrumentation uses too.

An :class:`LLMSpan` wraps one OpenTelemetry span. You tell it what you know (model, tokens, messages,
chunks as they stream) and :meth:`LLMSpan.end` turns that into GenAI attributes, the cost, the GPU
use seen during the call and the ``gen_ai.client.*`` metrics. Every method swallows its own errors.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import time
from typing import Any, Callable, Iterator, Sequence, TypeVar, overload

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from pharos.sdk import _attributes as A
from pharos.sdk._feedback import remember_response
from pharos.sdk._state import SESSION, STATE, log_failure

__all__ = ["LLMSpan", "llm_span", "observe", "session"]

F = TypeVar("F", bound=Callable[..., Any])

_CLIENT_OPERATIONS = frozenset({"chat", "text_completion", "embeddings", "generate_content"})
# the names every call's end sets, as plain globals (one lookup each on the call path)
_RESPONSE_MODEL, _RESPONSE_ID, _FINISH_REASONS = A.RESPONSE_MODEL, A.RESPONSE_ID, A.RESPONSE_FINISH_REASONS
_INPUT_TOKENS, _OUTPUT_TOKENS, _COST = A.USAGE_INPUT_TOKENS, A.USAGE_OUTPUT_TOKENS, A.PHAROS_COST_USD
_TTFC, _CHUNKS, _TIME_PER_CHUNK = A.RESPONSE_TIME_TO_FIRST_CHUNK, A.PHAROS_OUTPUT_CHUNKS, A.PHAROS_TIME_PER_OUTPUT_CHUNK
_GPU_UTILIZATION, _GPU_MEMORY = A.PHAROS_GPU_UTILIZATION, A.PHAROS_GPU_MEMORY_USED


# (operation, model, provider, address, port, kind, name) -> (base attributes, span name, span kind):
# what a span's start needs from its call site, worked out once per distinct call site.
_BASES: dict[tuple[Any, ...], tuple[dict[str, Any], str, SpanKind]] = {}


def _base(key: tuple[Any, ...]) -> tuple[dict[str, Any], str, SpanKind]:
    operation, model, provider, server_address, server_port, kind, name = key
    attrs: dict[str, Any] = {A.OPERATION_NAME: operation}
    if provider:
        attrs[A.PROVIDER_NAME] = provider
    if model:
        attrs[A.REQUEST_MODEL] = model
    if server_address:
        attrs[A.SERVER_ADDRESS] = server_address
    if server_port:
        attrs[A.SERVER_PORT] = server_port
    if kind is None:
        kind = SpanKind.CLIENT if operation in _CLIENT_OPERATIONS else SpanKind.INTERNAL
    found = (attrs, name or (f"{operation} {model}" if model else operation), kind)
    if len(_BASES) >= 1024:  # bounded, whatever names an app invents
        _BASES.clear()
    try:
        _BASES[key] = found
    except TypeError:
        pass
    return found


class LLMSpan:
    """One GenAI operation being measured. Create it with :func:`llm_span` (or let the SDK do it)."""

    # What is not known yet. Class-level defaults: an instance stores only what it is told, which keeps
    # the call path short (an instrumented call creates one of these).
    response_model: str | None = None
    response_id: str | None = None
    finish_reasons: list[str] | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_input_tokens: int | None = None
    reasoning_output_tokens: int | None = None
    error_type: str | None = None
    chunks: int = 0
    _first_chunk: float | None = None
    _last_chunk: float | None = None
    _ended: bool = False
    _token: Any = None

    def __init__(self, operation: str, model: str | None = None, provider: str | None = None, *,
                 server_address: str | None = None, server_port: int | None = None,
                 attributes: dict[str, Any] | None = None, kind: SpanKind | None = None,
                 name: str | None = None, streaming: bool = False) -> None:
        self.operation = operation
        self.provider = provider
        self.request_model = model
        self.server_address = server_address
        self.server_port = server_port
        self.streaming = streaming
        key = (operation, model, provider, server_address, server_port, kind, name)
        try:
            base = _BASES[key]
        except (KeyError, TypeError):  # new call site, or an unhashable model name
            base = _base(key)
        attrs = base[0].copy()
        sess = SESSION.get()
        if sess:
            attrs.update(sess)
        if attributes:
            for k, v in attributes.items():
                if v is not None:
                    attrs[k] = v
        self.span = STATE.tracer.start_span(base[1], kind=base[2], attributes=attrs)
        self._start = time.monotonic()

    # ----------------------------------------------------------------- context
    def activate(self) -> None:
        """Make this span the current one (children nest under it) until :meth:`deactivate`."""
        self._token = otel_context.attach(trace.set_span_in_context(self.span))

    def deactivate(self) -> None:
        if self._token is not None:
            try:
                otel_context.detach(self._token)
            except Exception as exc:  # detached in another context (async generators)
                log_failure("deactivate", exc)
            self._token = None

    # ------------------------------------------------------------------ setters
    def set_attribute(self, key: str, value: Any) -> None:
        if value is not None:
            self.span.set_attribute(key, value)

    def set_usage(self, input_tokens: int | None = None, output_tokens: int | None = None, *,
                  cached_input_tokens: int | None = None, reasoning_output_tokens: int | None = None) -> None:
        """Token counts of the call (input includes cached input, as OpenAI reports it)."""
        if input_tokens is not None:
            self.input_tokens = int(input_tokens)
        if output_tokens is not None:
            self.output_tokens = int(output_tokens)
        if cached_input_tokens is not None:
            self.cached_input_tokens = int(cached_input_tokens)
        if reasoning_output_tokens is not None:
            self.reasoning_output_tokens = int(reasoning_output_tokens)

    def set_response(self, *, model: str | None = None, id: str | None = None,
                     finish_reasons: Sequence[str] | None = None) -> None:
        if model:
            self.response_model = model
        if id:
            self.response_id = id
        if finish_reasons is not None:
            self.finish_reasons = [str(r) for r in finish_reasons if r]

    def set_input(self, messages: Any, system_instructions: Any = None) -> None:
        """Prompt messages (OpenAI-style dicts or a string); recorded only when content capture is on."""
        policy = STATE.content
        if not policy.capture:
            return
        try:
            if messages is not None:
                self.span.set_attribute(A.INPUT_MESSAGES, policy.messages_json(messages, "user"))
            if system_instructions is not None:
                self.span.set_attribute(A.SYSTEM_INSTRUCTIONS, policy.parts_json(system_instructions))
        except Exception as exc:
            log_failure("set_input", exc)

    def set_output(self, messages: Any) -> None:
        """Completion messages; recorded only when content capture is on."""
        policy = STATE.content
        if not policy.capture or messages is None:
            return
        try:
            self.span.set_attribute(A.OUTPUT_MESSAGES, policy.messages_json(messages, "assistant"))
        except Exception as exc:
            log_failure("set_output", exc)

    def set_documents(self, documents: Sequence[Any]) -> None:
        """Retrieved context (for ``retrieval`` spans); recorded only when content capture is on."""
        policy = STATE.content
        if policy.capture and documents is not None:
            try:
                self.span.set_attribute(A.RETRIEVAL_DOCUMENTS,
                                        json.dumps([policy.text(d) for d in documents], ensure_ascii=False))
            except Exception as exc:
                log_failure("set_documents", exc)

    def chunk(self) -> None:
        """Call once per streamed chunk, as it arrives: gives time to first chunk and per chunk."""
        now = time.monotonic()
        if self._first_chunk is None:
            self._first_chunk = now
        self._last_chunk = now
        self.chunks += 1

    def chunks_seen(self, first: float, last: float, count: int) -> None:
        """``count`` chunks arrived, the first at ``first``, the last at ``last`` (``time.monotonic()``): the
        same as calling :meth:`chunk` as each arrived, told once at the end."""
        if self._first_chunk is None or first < self._first_chunk:
            self._first_chunk = first
        if self._last_chunk is None or last > self._last_chunk:
            self._last_chunk = last
        self.chunks += count

    def set_error(self, exc: BaseException | str) -> None:
        """Mark the call failed: ``error.type`` is the exception's class name (or the given string)."""
        try:
            if isinstance(exc, BaseException):
                self.error_type = type(exc).__name__
                self.span.record_exception(exc)
                self.span.set_status(Status(StatusCode.ERROR, str(exc)[:500]))
            else:
                self.error_type = str(exc)
                self.span.set_status(Status(StatusCode.ERROR))
        except Exception as err:
            log_failure("set_error", err)

    # --------------------------------------------------------------------- end
    @property
    def ended(self) -> bool:
        return self._ended

    def end(self, *, abandoned: bool = False) -> None:
        """Finish the span: write the collected attributes, the cost, GPU use and the metrics. Idempotent.

        This runs on the app's call path once per call: it reads each field once and sets every
        attribute in a single ``set_attributes``."""
        if self._ended:
            return
        self._ended = True
        end = time.monotonic()
        span = self.span
        try:
            state = STATE
            model, response_id, inp, out = self.response_model, self.response_id, self.input_tokens, self.output_tokens
            cached, error_type, first = self.cached_input_tokens, self.error_type, self._first_chunk
            attrs: dict[str, Any] = {}
            if model:
                attrs[_RESPONSE_MODEL] = model
            if response_id:
                attrs[_RESPONSE_ID] = response_id
            if self.finish_reasons:
                attrs[_FINISH_REASONS] = self.finish_reasons
            if inp is not None:
                attrs[_INPUT_TOKENS] = inp
            if out is not None:
                attrs[_OUTPUT_TOKENS] = out
            if cached is not None:
                attrs[A.USAGE_CACHE_READ_INPUT_TOKENS] = cached
            if self.reasoning_output_tokens is not None:
                attrs[A.USAGE_REASONING_OUTPUT_TOKENS] = self.reasoning_output_tokens
            ttfc = None
            if first is not None:
                ttfc = first - self._start
                chunks = self.chunks
                attrs[_TTFC] = ttfc
                attrs[_CHUNKS] = chunks
                if chunks > 1:
                    attrs[_TIME_PER_CHUNK] = (self._last_chunk - first) / (chunks - 1)
            if abandoned:
                attrs[A.PHAROS_STREAM_ABANDONED] = True
            if error_type:
                attrs[A.ERROR_TYPE] = error_type
            if inp is not None or out is not None:
                cost = state.prices.cost(model or self.request_model, inp, out, cached)
                if cost is not None:
                    attrs[_COST] = cost
            gpu = state.gpu
            if gpu is not None:
                seen = gpu.window(self._start, end)
                if seen is not None:
                    attrs[_GPU_UTILIZATION], attrs[_GPU_MEMORY] = seen
            if attrs:
                span.set_attributes(attrs)
            if state.metrics_on and self.operation in _CLIENT_OPERATIONS:
                state.instruments.record(end - self._start, ttfc, inp, out,
                                         (self.operation, self.provider, self.request_model, model,
                                          self.server_address, self.server_port, error_type))
            if response_id:
                remember_response(response_id, span.get_span_context())
        except Exception as exc:
            log_failure("LLMSpan.end", exc)
        finally:
            if self._token is not None:
                self.deactivate()
            span.end()


_EXTRA_NAMES = {"tool_name": A.TOOL_NAME, "tool_call_id": A.TOOL_CALL_ID, "agent_name": A.AGENT_NAME,
                "data_source_id": A.DATA_SOURCE_ID, "conversation_id": A.CONVERSATION_ID, "user_id": A.USER_ID}


@contextlib.contextmanager
def llm_span(operation: str = "chat", model: str | None = None, provider: str | None = None, *,
             name: str | None = None, attributes: dict[str, Any] | None = None,
             **extra: Any) -> Iterator[LLMSpan]:
    """Measure any GenAI step yourself::

        with pharos.llm_span("chat", model="llama-3-8b", provider="vllm") as s:
            s.set_input(messages)
            reply = my_client.generate(messages)
            s.set_usage(reply.prompt_tokens, reply.completion_tokens)
            s.set_output([{"role": "assistant", "content": reply.text}])

    ``operation`` is a GenAI operation name: ``chat``, ``text_completion``, ``embeddings``,
    ``execute_tool``, ``retrieval``, ``invoke_agent``, ``create_agent``. Keyword ``extra`` become
    attributes: ``tool_name``, ``tool_call_id``, ``agent_name``, ``data_source_id``, ``conversation_id``
    map to their GenAI names (``gen_ai.tool.name``, ...), any other ``key`` to ``gen_ai.<key>``. An exception
    inside the block marks the span as an error and is re-raised.
    """
    attrs = dict(attributes or {})
    for key, value in extra.items():
        attrs[_EXTRA_NAMES.get(key, "gen_ai." + key)] = value
    if name is None and operation == "execute_tool" and extra.get("tool_name"):
        name = f"execute_tool {extra['tool_name']}"
    if name is None and operation in ("invoke_agent", "create_agent") and extra.get("agent_name"):
        name = f"{operation} {extra['agent_name']}"
    s = LLMSpan(operation, model, provider or (STATE.provider_override or None), attributes=attrs, name=name)
    s.activate()
    try:
        yield s
    except BaseException as exc:
        s.set_error(exc)
        raise
    finally:
        s.end()


@overload
def observe(func: F) -> F: ...
@overload
def observe(func: None = None, *, name: str | None = None, operation: str | None = None,
            capture_args: bool = True) -> Callable[[F], F]: ...


def observe(func: Any = None, *, name: str | None = None, operation: str | None = None,
            capture_args: bool = True) -> Any:
    """Decorator: trace every call of a function (sync or async) as a span.

    ``@pharos.observe`` gives an ``INTERNAL`` span named after the function;
    ``@pharos.observe(operation="execute_tool")`` makes it a GenAI tool span (``gen_ai.tool.name``),
    ``operation="retrieval"`` a retrieval step, ``operation="invoke_agent"`` an agent. With content
    capture on, the arguments and the return value are recorded (tools: ``gen_ai.tool.call.arguments``
    / ``gen_ai.tool.call.result``; retrieval: the returned documents). LLM calls made inside nest under it.
    """

    def decorate(fn: F) -> F:
        span_name = name or fn.__qualname__
        op = operation or "function"

        def start() -> LLMSpan:
            extra: dict[str, Any] = {}
            if op == "execute_tool":
                extra[A.TOOL_NAME] = name or fn.__name__
            elif op in ("invoke_agent", "create_agent"):
                extra[A.AGENT_NAME] = name or fn.__name__
            title = span_name if op == "function" else f"{op} {name or fn.__name__}"
            s = LLMSpan(op, attributes=extra, name=title)
            s.activate()
            return s

        def record(s: LLMSpan, args: tuple, kwargs: dict, result: Any) -> None:
            policy = STATE.content
            if not (policy.capture and capture_args):
                return
            try:
                if op == "retrieval" and isinstance(result, (list, tuple)):
                    s.set_documents(result)
                else:
                    s.span.set_attribute("gen_ai.tool.call.arguments",
                                         policy.text(json.dumps({"args": args, "kwargs": kwargs}, default=str)))
                    s.span.set_attribute("gen_ai.tool.call.result", policy.text(json.dumps(result, default=str)))
            except Exception as exc:
                log_failure("observe.record", exc)

        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                s = start()
                try:
                    result = await fn(*args, **kwargs)
                except BaseException as exc:
                    s.set_error(exc)
                    raise
                else:
                    record(s, args, kwargs, result)
                    return result
                finally:
                    s.end()
            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            s = start()
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                s.set_error(exc)
                raise
            else:
                record(s, args, kwargs, result)
                return result
            finally:
                s.end()
        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate


@contextlib.contextmanager
def session(conversation_id: str | None = None, user_id: str | None = None, **attributes: Any) -> Iterator[None]:
    """Every span started inside carries ``gen_ai.conversation.id``, ``user.id`` and ``attributes``::

        with pharos.session(conversation_id=chat.id, user_id=user.id):
            client.chat.completions.create(...)
    """
    values = dict(SESSION.get() or {})
    if conversation_id is not None:
        values[A.CONVERSATION_ID] = conversation_id
    if user_id is not None:
        values[A.USER_ID] = user_id
    values.update({k: v for k, v in attributes.items() if v is not None})
    token = SESSION.set(values)
    try:
        yield
    finally:
        SESSION.reset(token)
