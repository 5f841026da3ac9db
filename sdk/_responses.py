"""Reading openai response objects into span attributes: fields read once per class without pydantic's
exceptions (:func:`_get`), usage and the response's model, id, finish reasons and (when captured) messages."""

from __future__ import annotations

from typing import Any

from pharos.sdk._spans import LLMSpan
from pharos.sdk._state import STATE

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


_OPENAI_TYPES: tuple[type, type] | None = None


def _openai_types() -> tuple[type, type]:
    """(``CompletionUsage``, ``ChatCompletion``): openai's classes that have a fast path here."""
    global _OPENAI_TYPES
    if _OPENAI_TYPES is None:
        try:
            from openai.types import CompletionUsage
            from openai.types.chat import ChatCompletion

            _OPENAI_TYPES = (CompletionUsage, ChatCompletion)
        except ImportError:
            _OPENAI_TYPES = (type(None), type(None))
    return _OPENAI_TYPES


def _record_usage(s: LLMSpan, usage: Any) -> None:
    if usage is None:
        return
    if type(usage) is (_OPENAI_TYPES or _openai_types())[0]:  # chat and completion usage: read the fields
        inp, out = usage.prompt_tokens, usage.completion_tokens
        if type(inp) is int and type(out) is int and not usage.prompt_tokens_details \
                and not usage.completion_tokens_details:  # the usual: two counts, no details
            s.input_tokens, s.output_tokens = inp, out
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


def _record_chat_completion(s: LLMSpan, r: Any) -> None:
    """An openai ``ChatCompletion`` (content capture off): its fields read directly."""
    _record_usage(s, r.usage)
    if r.model:
        s.response_model = r.model
    if r.id:
        s.response_id = r.id
    choices = r.choices
    if len(choices) == 1:  # (no comprehension: it costs more than the rest of this function)
        reason = choices[0].finish_reason
        s.finish_reasons = [str(reason)] if reason else []
    else:
        s.finish_reasons = [str(c.finish_reason) for c in choices if c.finish_reason]


def _record_response(s: LLMSpan, op: str, response: Any) -> None:
    if response is None:
        return
    if type(response) is (_OPENAI_TYPES or _openai_types())[1] and not STATE.content.capture:
        _record_chat_completion(s, response)
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
