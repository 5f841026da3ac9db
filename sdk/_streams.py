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
