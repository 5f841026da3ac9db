"""Captured GenAI messages (``gen_ai.input.messages`` and friends) as the console shows them: a chat of turns,
and a one-line preview for the calls list. Captured content is hostile input: these return plain text that the
templates escape."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["message_parts", "chat", "preview_text"]


def message_parts(message: Any) -> list[dict[str, str]]:
    """One GenAI message's parts as ``{kind, text}`` (text parts as text, anything else as JSON)."""
    if isinstance(message, str):
        return [{"kind": "text", "text": message}]
    if not isinstance(message, dict):
        return [{"kind": "json", "text": json.dumps(message, ensure_ascii=False, indent=1)}]
    parts = message.get("parts")
    if parts is None and "content" in message:
        content = message["content"]
        parts = [{"type": "text", "content": content}] if isinstance(content, str) else content or []
    out = []
    for part in parts or []:
        if isinstance(part, dict) and part.get("type") == "text":
            out.append({"kind": "text", "text": str(part.get("content", ""))})
        elif isinstance(part, dict) and part.get("type") == "tool_call":
            args = part.get("arguments")
            out.append({"kind": "tool_call", "text": f"{part.get('name', '')}("
                        f"{args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)})"})
        else:
            out.append({"kind": "json", "text": json.dumps(part, ensure_ascii=False, indent=1)})
    return out


def chat(attributes: dict[str, str]) -> list[dict[str, Any]]:
    """Captured content of a span as chat turns: system instructions, input messages, output messages."""
    turns: list[dict[str, Any]] = []

    def load(key: str) -> Any:
        raw = attributes.get(key)
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    system = load("gen_ai.system_instructions")
    if system is not None:
        parts = system if isinstance(system, list) else [system]
        turns.append({"role": "system", "side": "input", "finish": "",
                      "parts": [p for x in parts for p in message_parts({"parts": [x]} if isinstance(x, dict)
                                                                        else x)]})
    for key, side in (("gen_ai.input.messages", "input"), ("gen_ai.output.messages", "output")):
        msgs = load(key)
        if msgs is None:
            continue
        for m in msgs if isinstance(msgs, list) else [msgs]:
            role = m.get("role") or ("assistant" if side == "output" else "user") if isinstance(m, dict) else side
            turns.append({"role": str(role), "side": side, "parts": message_parts(m),
                          "finish": m.get("finish_reason", "") if isinstance(m, dict) else ""})
    return turns


def preview_text(raw: str, limit: int = 140) -> str:
    """The last user turn of a captured ``gen_ai.input.messages`` (possibly cut off), as plain text."""
    if not raw:
        return ""
    try:
        msgs = json.loads(raw)
        users = [m for m in msgs if isinstance(m, dict) and m.get("role") == "user"] or msgs
        text = " ".join(p["text"] for p in message_parts(users[-1]) if p.get("text"))
    except Exception:
        text = raw
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")
