"""The evaluator interface: a :class:`Call` in, zero or more :class:`Score` out.

A custom evaluator in ten lines::

    from pharos.evaluators import Evaluator, Score

    class Shouting(Evaluator):
        name, version, needs = "shouting", "1", ("output",)

        def evaluate(self, call):
            upper = sum(c.isupper() for c in call.output) / max(1, sum(c.isalpha() for c in call.output))
            return Score(upper, "shouting" if upper > 0.6 else "ok", f"{upper:.0%} capitals")

Load it with ``PHAROS_EVALUATORS=pii,mypkg.checks:Shouting`` or an entry point in group
``pharos.evaluators``. ``needs`` names what the call must carry (``input``, ``output``, ``context``,
``tool_calls``); calls without it are skipped. ``evaluate_batch`` may be overridden for speed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

__all__ = ["Call", "Score", "Evaluator", "FindingsEvaluator", "score_id", "sampled", "messages_text", "Finding"]


@dataclass
class Call:
    """One LLM call as evaluators see it (text already extracted from the GenAI message JSON)."""

    input: str = ""
    output: str = ""
    context: list[str] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    system: str = ""
    trace_id: str = ""
    span_id: str = ""
    timestamp_ns: int = 0
    service: str = ""
    model: str = ""
    operation: str = "chat"
    output_type: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def question(self) -> str:
        """The last user turn (what relevance and language compare against)."""
        return self.attributes.get("_last_user", "") or self.input

    def has(self, need: str) -> bool:
        if need == "input":
            return bool(self.input.strip())
        if need == "output":
            return bool(self.output.strip())
        if need == "context":
            return any(d.strip() for d in self.context)
        if need == "tool_calls":
            return bool(self.tool_calls)
        return True


@dataclass
class Score:
    value: float
    label: str = ""
    explanation: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    name: str | None = None  # set by the engine (the evaluator's name) unless an evaluator emits several


@dataclass(frozen=True)
class Finding:
    """A typed finding at a position (never the matched text itself)."""

    type: str
    where: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "where": self.where, "start": self.start, "end": self.end}


class Evaluator:
    """Base class. Set ``name``, ``version``, ``needs``; implement :meth:`evaluate`.

    Options (from ``PHAROS_EVAL_OPTIONS``) arrive as keyword arguments: ``sample_rate``, ``services``,
    ``models``, ``operations`` are handled here, the rest is the evaluator's own."""

    name: str = "custom"
    version: str = "1"
    needs: Sequence[str] = ("output",)
    remote: bool = False  # True for evaluators that call a network service (they may fail and be retried)

    def __init__(self, sample_rate: float | None = None, services: Iterable[str] = (), models: Iterable[str] = (),
                 operations: Iterable[str] = (), **options: Any) -> None:
        self.sample_rate = 1.0 if sample_rate is None else float(sample_rate)
        self.services = frozenset(services)
        self.models = frozenset(models)
        self.operations = frozenset(operations)
        self.options = options

    # ------------------------------------------------------------------ selection
    def applies(self, call: Call) -> bool:
        """Filter (service, model, operation), needs, and deterministic sampling on the span id."""
        if self.services and call.service not in self.services:
            return False
        if self.models and call.model not in self.models:
            return False
        if self.operations and call.operation not in self.operations:
            return False
        if not all(call.has(n) for n in self.needs):
            return False
        return sampled(self.name, call.span_id, self.sample_rate)

    # ------------------------------------------------------------------ scoring
    def evaluate(self, call: Call) -> Score | list[Score] | None:
        raise NotImplementedError

    def evaluate_batch(self, calls: Sequence[Call]) -> list[Score | list[Score] | None]:
        return [self.evaluate(c) for c in calls]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} v{self.version}>"


class FindingsEvaluator(Evaluator):
    """An evaluator that reports typed findings (never the matched text) in the input and output.
    Subclasses set ``label`` (label when something is found) and ``noun``, and implement :meth:`find`.
    Value: number of findings (0 = clean); attributes ``<name>.findings`` (JSON) and ``<name>.types``."""

    label = "found"
    noun = "findings"

    def find(self, text: str, where: str) -> list[Finding]:
        raise NotImplementedError

    def applies(self, call: Call) -> bool:
        return (call.has("input") or call.has("output")) and super().applies(call)

    def evaluate(self, call: Call) -> Score:
        findings = self.find(call.input, "input") + self.find(call.output, "output")
        types = sorted({f"{f.type}@{f.where}" for f in findings})
        return Score(float(len(findings)), self.label if findings else "clean",
                     ("found " + ", ".join(types)) if findings else f"no {self.noun} found",
                     {f"{self.name}.findings": json.dumps([f.as_dict() for f in findings[:50]]),
                      f"{self.name}.types": ",".join(sorted({f.type for f in findings}))})


def sampled(name: str, span_id: str, rate: float) -> bool:
    """Deterministic sampling: the same span gets the same decision in every worker and every run."""
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    h = int.from_bytes(hashlib.blake2b(f"{name}\0{span_id}".encode(), digest_size=8).digest(), "big")
    return h / 2**64 < rate


def score_id(name: str, version: str, trace_id: str, span_id: str) -> str:
    """Deterministic id of an evaluator's score of a span: re-writing it replaces, never duplicates."""
    return hashlib.blake2b(f"{name}\0{version}\0{trace_id}\0{span_id}".encode(), digest_size=16).hexdigest()


def messages_text(raw: str | None, roles: Iterable[str] | None = None) -> tuple[str, str]:
    """Text of GenAI messages JSON (``[{role, parts:[{type:"text", content}]}]``) -> (all text, last user text).

    Lenient: a plain string, OpenAI-style ``content`` and unknown part types are accepted."""
    if not raw:
        return "", ""
    try:
        msgs = json.loads(raw)
    except (TypeError, ValueError):
        return str(raw), str(raw)
    if isinstance(msgs, dict):
        msgs = [msgs]
    if not isinstance(msgs, list):
        return str(msgs), str(msgs)
    wanted = set(roles) if roles else None
    texts: list[str] = []
    last_user = ""
    for m in msgs:
        if isinstance(m, str):
            texts.append(m)
            continue
        if not isinstance(m, dict):
            continue
        role = m.get("role", "")
        chunk = []
        for p in m.get("parts") or []:
            if isinstance(p, dict):
                if p.get("type") == "text" and isinstance(p.get("content"), str):
                    chunk.append(p["content"])
                elif p.get("type") == "tool_call_response" and isinstance(p.get("response"), str):
                    chunk.append(p["response"])
            elif isinstance(p, str):
                chunk.append(p)
        if isinstance(m.get("content"), str):
            chunk.append(m["content"])
        text = "\n".join(chunk)
        if role == "user":
            last_user = text
        if wanted is None or role in wanted:
            texts.append(text)
    return "\n".join(t for t in texts if t), last_user
