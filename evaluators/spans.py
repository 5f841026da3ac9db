"""Reading LLM spans (and their trace's retrieval/tool spans) from the store as :class:`Call` objects."""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

from pharos.evaluators.base import Call, messages_text

__all__ = ["LLM_OPERATIONS", "SPAN_COLUMNS", "calls_from_rows", "attach_context", "fetch_calls"]

LLM_OPERATIONS = ("chat", "text_completion", "generate_content")

SPAN_COLUMNS = """toUnixTimestamp64Nano(Timestamp) AS ts, TraceId, SpanId, ServiceName, GenAIOperationName,
    if(GenAIResponseModel != '', GenAIResponseModel, GenAIRequestModel) AS model,
    SpanAttributes['gen_ai.input.messages'] AS input_messages,
    SpanAttributes['gen_ai.output.messages'] AS output_messages,
    SpanAttributes['gen_ai.system_instructions'] AS system_instructions,
    SpanAttributes['gen_ai.output.type'] AS output_type"""


def _parts_text(raw: str) -> str:
    if not raw:
        return ""
    try:
        doc = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(doc, list):
        return "\n".join(p.get("content", "") if isinstance(p, dict) else str(p) for p in doc)
    return str(doc)


def calls_from_rows(rows: Iterable[Sequence[Any]]) -> list[Call]:
    calls = []
    for ts, trace_id, span_id, service, op, model, inp, out, system, output_type in (r[:10] for r in rows):
        input_text, last_user = messages_text(inp, roles=("user", "tool"))
        output_text, _ = messages_text(out, roles=None)
        c = Call(input=input_text, output=output_text, system=_parts_text(system), trace_id=trace_id,
                 span_id=span_id, timestamp_ns=int(ts), service=service, model=model, operation=op or "chat",
                 output_type=output_type)
        if last_user:
            c.attributes["_last_user"] = last_user
        calls.append(c)
    return calls


def attach_context(client, table: str, calls: list[Call], since_ns: int) -> None:
    """Fill ``context`` (retrieval documents) and ``tool_calls`` (execute_tool spans) from the same traces."""
    traces = sorted({c.trace_id for c in calls})
    if not traces:
        return
    rows = client.query(
        f"""SELECT TraceId, GenAIOperationName, SpanAttributes['gen_ai.retrieval.documents'],
               SpanAttributes['gen_ai.tool.name'], SpanAttributes['gen_ai.tool.call.arguments'],
               SpanAttributes['gen_ai.tool.call.result']
        FROM {table}
        WHERE Timestamp >= fromUnixTimestamp64Nano({{since:Int64}}) AND TraceId IN {{traces:Array(String)}}
          AND GenAIOperationName IN ('retrieval', 'execute_tool')
        ORDER BY Timestamp""",
        parameters={"since": since_ns - 3600 * 10**9, "traces": traces}).result_rows
    docs: dict[str, list[str]] = {}
    tools: dict[str, list[dict[str, Any]]] = {}
    for trace_id, op, documents, tool, args, result in rows:
        if op == "retrieval" and documents:
            try:
                items = json.loads(documents)
            except ValueError:
                items = [documents]
            docs.setdefault(trace_id, []).extend(
                d if isinstance(d, str) else json.dumps(d, ensure_ascii=False) for d in (items if isinstance(items, list) else [items]))
        elif op == "execute_tool":
            tools.setdefault(trace_id, []).append({"name": tool, "arguments": args, "result": result})
    for c in calls:
        c.context = docs.get(c.trace_id, [])
        c.tool_calls = tools.get(c.trace_id, [])


def fetch_calls(client, table: str, keys: list[tuple[int, str, str]]) -> list[Call]:
    """Calls for (timestamp ns, trace id, span id) keys (the retry queue re-reads them)."""
    if not keys:
        return []
    lo = min(k[0] for k in keys)
    hi = max(k[0] for k in keys)
    rows = client.query(
        f"""SELECT {SPAN_COLUMNS} FROM {table}
        WHERE Timestamp BETWEEN fromUnixTimestamp64Nano({{lo:Int64}}) AND fromUnixTimestamp64Nano({{hi:Int64}})
          AND SpanId IN {{spans:Array(String)}} LIMIT 1 BY TraceId, SpanId""",
        parameters={"lo": lo, "hi": hi, "spans": sorted({k[2] for k in keys})}).result_rows
    wanted = {(k[1], k[2]) for k in keys}
    calls = [c for c in calls_from_rows(rows) if (c.trace_id, c.span_id) in wanted]
    attach_context(client, table, calls, lo)
    return calls
