"""Streamed openai responses: the app's stream is wrapped so that each item is noted as it passes
(:class:`_Accumulator`) and the span ends when the stream ends, fails, is closed or is dropped half-read."""

from __future__ import annotations

import time
import weakref
from typing import Any

from pharos.sdk._responses import _get, _record_response, _record_usage
from pharos.sdk._spans import LLMSpan
from pharos.sdk._state import STATE, log_failure

_CHOICE_CHUNKS: tuple[type, ...] = ()


def _choice_chunk_types() -> tuple[type, ...]:
    """openai's streamed chat and text-completion item classes (items with ``choices``), looked up once."""
    global _CHOICE_CHUNKS
    if not _CHOICE_CHUNKS:
        from openai.types import Completion
        from openai.types.chat import ChatCompletionChunk

        _CHOICE_CHUNKS = (ChatCompletionChunk, Completion)
    return _CHOICE_CHUNKS


def _completion_usage() -> type:
    try:
        from openai.types import CompletionUsage

        return CompletionUsage
    except ImportError:
        return type(None)


_COMPLETION_USAGE: type = _completion_usage()


# Items kept before they are folded into the summary: bounds what a long stream holds in memory.
_FOLD_EVERY = 256


class _Accumulator:
    """Notes a stream's items (chunk timing, ids, finish reasons, usage, text if captured) and ends its span.

    While the stream runs, each item costs the app two list appends (the item and its arrival time,
    see :func:`_traced`); :meth:`fold` reads them in one pass every :data:`_FOLD_EVERY` items and when the
    stream ends, so no attribute is parsed between the app's chunks.

    It also stands in for ``stream.close`` (:meth:`__call__`): closes the stream, then ends the span
    (``pharos.stream.abandoned`` if it was not read to the end). It holds the stream weakly: a strong
    reference here, on the stream, would make every stream a reference cycle that only the garbage
    collector frees."""

    __slots__ = ("s", "op", "texts", "finish", "tools", "capture", "choice_types", "first", "last", "count",
                 "usage", "head", "items", "times", "stream", "replaced")

    def __init__(self, s: LLMSpan, op: str, stream: Any = None) -> None:
        self.s = s
        self.op = op
        self.capture = capture = STATE.content.capture
        self.texts: dict[int, list[str]] | None = {} if capture else None
        self.tools: dict[tuple[int, int], dict[str, Any]] | None = {} if capture else None
        self.finish: dict[int, str] = {}
        self.choice_types = _CHOICE_CHUNKS or _choice_chunk_types()
        self.first: float | None = None  # monotonic arrival time of the first output chunk
        self.last: float | None = None
        self.count = 0  # output chunks: chat/completion chunks with choices, Responses API deltas
        self.usage: Any = None  # the usage of the (last) chunk that carried one
        self.head: Any = None  # the first chunk with choices (response model and id)
        self.items: list[Any] = []  # items not folded yet, and their arrival times (time.monotonic())
        self.times: list[float] = []
        if stream is not None:
            self.stream = weakref.ref(stream)
            self.replaced = stream.__dict__.get("close")  # someone else's close on this very object, if any

    def fold(self) -> None:
        """Note the items kept so far, in arrival order, then let them go."""
        items, times = self.items, self.times
        try:
            choice_types = self.choice_types
            for item, now in zip(items, times):
                if type(item) in choice_types:  # chat and completion chunks: by far the most items
                    if item.usage is not None:
                        self.usage = item.usage
                    choices = item.choices
                    if choices:
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
                else:
                    self._event(item, now)
        except Exception as exc:
            log_failure("openai.stream_item", exc)
        finally:
            items.clear()
            times.clear()

    def _event(self, item: Any, now: float) -> None:
        """A streamed item that is not a chat/completion chunk: Responses API events, errors."""
        kind = _get(item, "type")
        if isinstance(kind, str) and kind.startswith("response."):  # Responses API event
            if kind.endswith(".delta"):
                if self.first is None:
                    self.first = now
                self.last = now
                self.count += 1
            elif kind in ("response.completed", "response.incomplete", "response.failed"):
                _record_response(self.s, self.op, _get(item, "response"))
        elif kind == "error":
            self.s.set_error(str(_get(item, "code") or "stream_error"))

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
        if s._ended:
            return
        if self.times:
            self.fold()
        try:
            if self.count:
                s.chunks_seen(self.first, self.last, self.count)
            finish = self.finish
            head = self.head if s.response_id is None else None
            if head is not None:
                s.response_model, s.response_id = head.model or s.response_model, head.id or None
            if finish:
                s.finish_reasons = [finish[i] for i in sorted(finish)]
            usage = self.usage
            if usage is not None:
                if type(usage) is _COMPLETION_USAGE and not usage.prompt_tokens_details \
                        and not usage.completion_tokens_details:  # the usual chunk usage: two counts
                    s.input_tokens, s.output_tokens = usage.prompt_tokens, usage.completion_tokens
                else:
                    _record_usage(s, usage)
            if self.capture and (self.texts or self.tools):
                s.set_output(self._output())
        except Exception as exc:
            log_failure("openai.finish_stream", exc)
        s.end(abandoned=abandoned)

    def _output(self) -> list[dict[str, Any]]:
        """The captured completion messages, one per choice."""
        texts, tools = self.texts or {}, self.tools or {}
        out = []
        for i in sorted(set(texts) | {k[0] for k in tools} | set(self.finish)):
            calls = [{"id": v["id"], "function": {"name": v["name"], "arguments": v["arguments"]}}
                     for (ci, _), v in sorted(tools.items()) if ci == i]
            out.append({"role": "assistant", "content": "".join(texts.get(i, ())),
                        "tool_calls": calls or None, "finish_reason": self.finish.get(i)})
        return out

    # ------------------------------------------------------------------ stream.close
    def _close(self) -> Any:
        if self.replaced is not None:
            return self.replaced()
        stream = self.stream()
        return None if stream is None else type(stream).close(stream)

    def __call__(self) -> None:
        try:
            self._close()
        finally:
            self.finish_span(abandoned=True)


class _AsyncAccumulator(_Accumulator):
    """:class:`_Accumulator` of an ``AsyncStream``: its ``close`` is a coroutine."""

    __slots__ = ()

    async def __call__(self) -> None:  # type: ignore[override]
        try:
            await self._close()
        finally:
            self.finish_span(abandoned=True)


def _traced(inner: Any, acc: _Accumulator) -> Any:
    """The stream's item iterator as the app sees it: each item is passed on as it arrives, kept with its
    arrival time for :meth:`_Accumulator.fold`; the span ends when the items run out, fail or the
    iterator is closed or dropped (``pharos.stream.abandoned``)."""
    times = acc.times
    keep, stamp, clock, fold_every = acc.items.append, times.append, time.monotonic, _FOLD_EVERY
    done = False
    try:
        for item in inner:
            stamp(clock())
            keep(item)
            if len(times) >= fold_every:
                acc.fold()
            yield item
        done = True
    except GeneratorExit:
        raise
    except BaseException as exc:
        acc.s.set_error(exc)
        done = True
        raise
    finally:
        acc.finish_span(abandoned=not done)


async def _traced_async(inner: Any, acc: _Accumulator) -> Any:
    """:func:`_traced` for ``AsyncStream``."""
    times = acc.times
    keep, stamp, clock, fold_every = acc.items.append, times.append, time.monotonic, _FOLD_EVERY
    done = False
    try:
        async for item in inner:
            stamp(clock())
            keep(item)
            if len(times) >= fold_every:
                acc.fold()
            yield item
        done = True
    except GeneratorExit:
        raise
    except BaseException as exc:
        acc.s.set_error(exc)
        done = True
        raise
    finally:
        acc.finish_span(abandoned=not done)


def wrap_stream(stream: Any, s: LLMSpan, op: str, is_async: bool) -> None:
    """Have ``stream`` (an openai ``Stream`` / ``AsyncStream``) note its items and end ``s`` when done."""
    if is_async:
        acc: _Accumulator = _AsyncAccumulator(s, op, stream)
        stream._iterator = _traced_async(stream._iterator, acc)
    else:
        acc = _Accumulator(s, op, stream)
        stream._iterator = _traced(stream._iterator, acc)
    stream.close = acc
