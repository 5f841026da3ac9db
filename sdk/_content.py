"""Prompt and completion capture: off unless asked, and then cut, redacted and masked.

Messages are recorded as JSON in the GenAI conventions' shape::

    [{"role": "user", "parts": [{"type": "text", "content": "Hi"}]}]

Every text part goes through, in order: the user's redaction hook, the built-in PII masker
(if on), then truncation to ``max_length`` characters (a cut text ends with ``…``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

__all__ = ["ContentPolicy", "mask_pii", "Redactor"]

Redactor = Callable[[str], str]

_PII_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "<EMAIL>"),
    (re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}\b"), "<SECRET>"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "<CARD>"),
    (re.compile(r"(?<!\w)\+?\d{1,3}?[ .-]?\(?\d{2,4}\)?[ .-]?\d{3,4}[ .-]?\d{3,4}(?!\w)"), "<PHONE>"),
)


def mask_pii(text: str) -> str:
    """Replace e-mail addresses, API-key-like tokens, card-like and phone-like numbers with placeholders."""
    for pattern, placeholder in _PII_PATTERNS:
        text = pattern.sub(placeholder, text)
    return text


@dataclass
class ContentPolicy:
    """Whether and how message content is recorded on spans."""

    capture: bool = False
    max_length: int = 8192
    redact: Redactor | None = None
    mask_pii: bool = False

    def text(self, value: Any) -> str:
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        if self.redact is not None:
            text = self.redact(text)
        if self.mask_pii:
            text = mask_pii(text)
        if len(text) > self.max_length:
            text = text[: self.max_length] + "…"
        return text

    # ------------------------------------------------------------------ shapes
    def _parts(self, content: Any) -> list[dict[str, Any]]:
        if content is None:
            return []
        if isinstance(content, str):
            return [{"type": "text", "content": self.text(content)}]
        parts: list[dict[str, Any]] = []
        if isinstance(content, Iterable) and not isinstance(content, Mapping):
            for item in content:
                item = _as_dict(item)
                kind = item.get("type", "text")
                if kind in ("text", "input_text", "output_text"):
                    parts.append({"type": "text", "content": self.text(item.get("text", ""))})
                elif kind in ("image_url", "input_image"):
                    parts.append({"type": "image"})
                else:
                    parts.append({"type": str(kind)})
            return parts
        return [{"type": "text", "content": self.text(content)}]

    def message(self, msg: Any, default_role: str = "user") -> dict[str, Any]:
        msg = _as_dict(msg)
        role = msg.get("role") or default_role
        out: dict[str, Any] = {"role": role}
        if role == "tool":
            out["parts"] = [{"type": "tool_call_response", "id": msg.get("tool_call_id"),
                             "response": self.text(msg.get("content", ""))}]
        else:
            parts = self._parts(msg.get("content"))
            for call in msg.get("tool_calls") or ():
                call = _as_dict(call)
                fn = _as_dict(call.get("function") or {})
                parts.append({"type": "tool_call", "id": call.get("id"), "name": fn.get("name"),
                              "arguments": self.text(fn.get("arguments", ""))})
            out["parts"] = parts
        if msg.get("finish_reason"):
            out["finish_reason"] = msg["finish_reason"]
        return out

    def messages_json(self, messages: Any, default_role: str = "user") -> str:
        """JSON for gen_ai.input.messages / gen_ai.output.messages from OpenAI-style messages or a string."""
        if isinstance(messages, str) or not isinstance(messages, Iterable) or isinstance(messages, Mapping):
            messages = [{"role": default_role, "content": messages}]
        return json.dumps([self.message(m, default_role) for m in messages], ensure_ascii=False)

    def parts_json(self, content: Any) -> str:
        """JSON list of parts (for gen_ai.system_instructions)."""
        return json.dumps(self._parts(content), ensure_ascii=False)


def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, Mapping):
        return dict(obj)
    dump = getattr(obj, "model_dump", None)
    if dump is not None:
        return dump(exclude_none=True)
    return {"content": obj}
