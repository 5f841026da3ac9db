"""Streamed openai responses: the stream's item iterator is swapped for :func:`_traced`, which notes each
item as it passes to the app (nothing is buffered) and ends the span when the stream ends, fails, is
closed (:func:`patch_stream_classes`) or is dropped half-read (``pharos.stream.abandoned``).

The per-item work is the least that gives time to first chunk and per chunk: a few field reads and one
clock read per chunk, kept in the generator's local variables; ids, finish reasons and usage become
attributes once, when the stream ends (:func:`_finish`).
"""

from __future__ import annotations

import time
from typing import Any

from pharos.sdk._responses import _get, _record_response, _record_usage
from pharos.sdk._spans import LLMSpan
from pharos.sdk._state import STATE, log_failure

__all__ = ["wrap_stream", "patch_stream_classes"]

_CHOICE_CHUNKS: tuple[type, ...] = ()


def _chunk_types() -> tuple[type, ...]:
    """openai's streamed chat and text-completion item classes (items with ``choices``), looked up once."""
    global _CHOICE_CHUNKS
    if not _CHOICE_CHUNKS:
        from openai.types import Completion
        from openai.types.chat import ChatCompletionChunk

        _CHOICE_CHUNKS = (ChatCompletionChunk, Completion)
    return _CHOICE_CHUNKS


class _Capture:
    """Text and tool calls of a stream's choices, kept when content capture is on."""

    __slots__ = ("op", "texts", "tools")

    def __init__(self, op: str) -> None:
        self.op = op
        self.texts: dict[int, list[str]] = {}
        self.tools: dict[tuple[int, int], dict[str, Any]] = {}

    def add(self, c: Any) -> None:
        """Keep the text and tool calls of one streamed choice."""
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

    def output(self, finish: dict[int, str]) -> list[dict[str, Any]] | None:
        """The completion messages, one per choice (None when nothing was streamed)."""
        texts, tools = self.texts, self.tools
        if not texts and not tools:
            return None
        out = []
        for i in sorted(set(texts) | {k[0] for k in tools} | set(finish)):
            calls = [{"id": v["id"], "function": {"name": v["name"], "arguments": v["arguments"]}}
                     for (ci, _), v in sorted(tools.items()) if ci == i]
            out.append({"role": "assistant", "content": "".join(texts.get(i, ())),
                        "tool_calls": calls or None, "finish_reason": finish.get(i)})
        return out


def _event(s: LLMSpan, op: str, item: Any) -> bool:
    """A streamed item that is not a chat/completion chunk (Responses API events, errors): True if it is
    output (a ``*.delta`` event), recorded into ``s`` if it completes or fails the response."""
    try:
        kind = _get(item, "type")
        if isinstance(kind, str) and kind.startswith("response."):
            if kind.endswith(".delta"):
                return True
            if kind in ("response.completed", "response.incomplete", "response.failed"):
                _record_response(s, op, _get(item, "response"))
        elif kind == "error":
            s.set_error(str(_get(item, "code") or "stream_error"))
    except Exception as exc:
        log_failure("openai.stream_item", exc)
    return False


def _finish(s: LLMSpan, first: float | None, last: float | None, count: int, head: Any, usage: Any,
            finish: dict[int, str], capture: _Capture | None, abandoned: bool) -> None:
    """End ``s`` with what the stream showed: ``count`` output chunks from ``first`` to ``last``
    (``time.monotonic()``), the first chunk with choices (``head``: response model and id), the last usage,
    finish reasons by choice index."""
    if s._ended:
        return
    try:
        if count:  # (a span of its own: nothing else told it of chunks)
            s._first_chunk, s._last_chunk, s.chunks = first, last, count
        if head is not None and s.response_id is None:
            s.response_model, s.response_id = head.model or s.response_model, head.id or None
        if finish:  # (one choice: no sort, no comprehension; both cost more than the rest of this)
            s.finish_reasons = list(finish.values()) if len(finish) == 1 else [finish[i] for i in sorted(finish)]
        if usage is not None:
            _record_usage(s, usage)
        if capture is not None:
            s.set_output(capture.output(finish))
    except Exception as exc:
        log_failure("openai.finish_stream", exc)
    s.end(abandoned=abandoned)


def _traced(inner: Any, s: LLMSpan, op: str) -> Any:
    """The stream's items as the app sees them, each passed on as it arrives."""
    clock, choice_types = time.monotonic, _CHOICE_CHUNKS or _chunk_types()
    first = last = head = usage = None
    count = 0
    finish: dict[int, str] = {}
    capture = _Capture(op) if STATE.content.capture else None
    done = False
    try:
        for item in inner:
            try:  # (free in CPython 3.11+: no setup cost when nothing is raised)
                if type(item) in choice_types:  # chat and completion chunks: by far the most items
                    if item.usage is not None:
                        usage = item.usage
                    choices = item.choices
                    if choices:
                        last = clock()
                        if first is None:
                            first, head = last, item
                        count += 1
                        for c in choices:
                            if c.finish_reason:
                                finish[c.index] = c.finish_reason
                            if capture is not None:
                                capture.add(c)
                elif _event(s, op, item):
                    last = clock()
                    if first is None:
                        first = last
                    count += 1
            except Exception as exc:  # an item not shaped as expected: the app still gets it
                log_failure("openai.stream_item", exc)
            yield item
        done = True
    except GeneratorExit:  # closed or dropped before its end
        raise
    except BaseException as exc:
        s.set_error(exc)
        done = True
        raise
    finally:
        _finish(s, first, last, count, head, usage, finish, capture, abandoned=not done)


async def _traced_async(inner: Any, s: LLMSpan, op: str) -> Any:
    """:func:`_traced` for an ``AsyncStream``. The loop body is :func:`_traced`'s, repeated on purpose: a
    shared per-item function would add a call per chunk, which costs more than the noting itself."""
    clock, choice_types = time.monotonic, _CHOICE_CHUNKS or _chunk_types()
    first = last = head = usage = None
    count = 0
    finish: dict[int, str] = {}
    capture = _Capture(op) if STATE.content.capture else None
    done = False
    try:
        async for item in inner:
            try:  # (free in CPython 3.11+: no setup cost when nothing is raised)
                if type(item) in choice_types:
                    if item.usage is not None:
                        usage = item.usage
                    choices = item.choices
                    if choices:
                        last = clock()
                        if first is None:
                            first, head = last, item
                        count += 1
                        for c in choices:
                            if c.finish_reason:
                                finish[c.index] = c.finish_reason
                            if capture is not None:
                                capture.add(c)
                elif _event(s, op, item):
                    last = clock()
                    if first is None:
                        first = last
                    count += 1
            except Exception as exc:  # an item not shaped as expected: the app still gets it
                log_failure("openai.stream_item", exc)
            yield item
        done = True
    except GeneratorExit:
        raise
    except BaseException as exc:
        s.set_error(exc)
        done = True
        raise
    finally:
        _finish(s, first, last, count, head, usage, finish, capture, abandoned=not done)


def _open_span(traced: Any, frame_attr: str, code: Any) -> LLMSpan | None:
    """The span of a traced iterator that has not finished, else None. Read from the suspended
    generator's frame: the stream carries no reference to the span, so a span is freed as soon as
    its stream is read to the end, not when the garbage collector frees the stream."""
    frame = getattr(traced, frame_attr, None)
    if frame is None or frame.f_code is not code:  # finished, or not an iterator of ours
        return None
    s = frame.f_locals.get("s")
    return None if s is None or s._ended else s


def _end_abandoned(stream: Any) -> None:
    """After ``stream.close()``: close its traced iterator, whose ``finally`` ends the span with what was
    seen (``pharos.stream.abandoned`` if it was not read to the end), or end the span here if the
    iterator never started."""
    traced = stream.__dict__.get("_iterator")
    s = _open_span(traced, "gi_frame", _traced.__code__)
    if s is None:
        return
    try:
        traced.close()
    except Exception as exc:  # e.g. closed from inside its own iteration
        log_failure("openai.stream_close", exc)
    s.end(abandoned=True)


async def _aend_abandoned(stream: Any) -> None:
    """:func:`_end_abandoned` for an ``AsyncStream``."""
    traced = stream.__dict__.get("_iterator")
    s = _open_span(traced, "ag_frame", _traced_async.__code__)
    if s is None:
        return
    try:
        await traced.aclose()
    except Exception as exc:
        log_failure("openai.stream_close", exc)
    s.end(abandoned=True)


def _sync_close(original: Any) -> Any:
    def close(self: Any) -> Any:
        try:
            return original(self)
        finally:
            _end_abandoned(self)

    close.__pharos_original__ = original  # type: ignore[attr-defined]
    return close


def _async_close(original: Any) -> Any:
    async def close(self: Any) -> Any:
        try:
            return await original(self)
        finally:
            await _aend_abandoned(self)

    close.__pharos_original__ = original  # type: ignore[attr-defined]
    return close


def _sync_iter(original: Any) -> Any:
    code = _traced.__code__

    def __iter__(self: Any) -> Any:
        traced = self.__dict__.get("_iterator")
        if getattr(traced, "gi_code", None) is code:
            return traced  # the traced items themselves: openai's own pass-through layer is not needed
        return original(self)

    __iter__.__pharos_original__ = original  # type: ignore[attr-defined]
    return __iter__


def _async_iter(original: Any) -> Any:
    code = _traced_async.__code__

    def __aiter__(self: Any) -> Any:
        traced = self.__dict__.get("_iterator")
        if getattr(traced, "ag_code", None) is code:
            return traced
        return original(self)

    __aiter__.__pharos_original__ = original  # type: ignore[attr-defined]
    return __aiter__


def patch_stream_classes() -> list[tuple[type, str, Any]]:
    """Patch openai's ``Stream`` / ``AsyncStream`` once, on the classes (nothing per stream):

    * ``close`` also ends a traced stream's span (abandoned if it was not read to the end);
    * ``__iter__`` / ``__aiter__`` of a traced stream return its traced iterator itself. openai's own
      ``__iter__`` is a generator that only passes each item on from that same iterator, so the app
      iterates the same items with one generator layer less per chunk (untraced streams are unchanged).

    Returns ``(class, name, original)`` for each method patched."""
    try:
        from openai import AsyncStream, Stream
    except ImportError:
        return []
    patched = []
    for cls, name, make in ((Stream, "close", _sync_close), (AsyncStream, "close", _async_close),
                            (Stream, "__iter__", _sync_iter), (AsyncStream, "__aiter__", _async_iter)):
        original = cls.__dict__.get(name)
        if original is not None:
            setattr(cls, name, make(original))
            patched.append((cls, name, original))
    return patched


def wrap_stream(stream: Any, s: LLMSpan, op: str, is_async: bool) -> None:
    """Have ``stream`` (an openai ``Stream`` / ``AsyncStream``) note its items and end ``s`` when done;
    ``stream.close()`` before the end ends it as abandoned (see :func:`patch_stream_classes`)."""
    stream._iterator = (_traced_async if is_async else _traced)(stream._iterator, s, op)
