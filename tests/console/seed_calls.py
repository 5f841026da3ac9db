"""Send a known set of traced LLM calls, scores and sandbox runs to a running `pharos serve` (run as a
subprocess by the console tests: the SDK's global state stays out of the test process).

Usage: python seed_calls.py OTLP_HTTP_URL shop|search  -> prints JSON with the ids the tests look for.
(One service per process: OpenTelemetry sets its tracer provider, and so the resource, once per process.)
"""

from __future__ import annotations

import json
import sys
import time

import httpx

import pharos
from opentelemetry import trace as ot

XSS = '<script>window.__pharos_xss = 1</script><img src=x onerror="window.__pharos_xss = 2">'


def ids(span) -> tuple[str, str]:
    ctx = span.span.get_span_context()
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"


def call(model: str, prompt: str, answer: str, tokens=(10, 5), *, error: bool = False, stream: bool = False,
         cost: float | None = 0.001, **kw) -> tuple[str, str]:
    attrs = {"pharos.cost.usd": cost} if cost is not None else {}
    try:
        with pharos.llm_span("chat", model=model, provider="openai", attributes=attrs, **kw) as s:
            s.set_input([{"role": "user", "content": prompt}], system_instructions="You are a helpful shop assistant.")
            if stream:
                time.sleep(0.02)
                for _ in range(3):
                    s.chunk()
                    time.sleep(0.005)
            if error:
                raise TimeoutError("upstream timed out")
            s.set_usage(*tokens)
            s.set_output([{"role": "assistant", "content": answer}])
            return ids(s)
    except TimeoutError:
        return ids(s)


def main(endpoint: str, part: str) -> None:
    out: dict = {}
    if part == "search":
        return search(endpoint)
    pharos.init(endpoint=endpoint, service_name="shop-assistant", capture_content=True, metrics=False)
    tracer = ot.get_tracer("seed")
    # an agent with a tool and two LLM calls: the span tree
    with tracer.start_as_current_span("invoke_agent shopper") as agent:
        call("gpt-4o-mini", "Which shoes go with a blue suit?", "Brown leather oxfords.", (40, 12), stream=True)
        with pharos.llm_span("execute_tool", tool_name="search_catalog") as tool:
            time.sleep(0.01)
        tid, sid = call("gpt-4o-mini", "Summarise the catalog hits", "Three brown oxfords in stock.", (120, 30))
        out["agent"] = {"trace_id": tid, "llm_span": sid, "tool_span": ids(tool)[1],
                        "root_span": f"{agent.get_span_context().span_id:016x}"}
    for i in range(5):
        call("gpt-4o-mini", f"Question number {i} about returns", f"Answer {i}: 30 days.", (20 + i, 8))
    for i in range(3):
        call("llama-3-8b", f"Translate item {i}", f"Item {i} translated.", (15, 6), cost=None)
    out["needle"] = call("gpt-4o-mini", "Do you sell needle-kiwi socks?", "Yes, in three sizes.", (12, 7))
    out["xss"] = call("gpt-4o-mini", XSS + " what is this?", "It is " + XSS, (30, 9))
    # sandbox runs, as the sandbox sends them: record spans turned into rows by the store's views
    try:
        from pharos.sandbox.schema import record_attributes
    except ImportError:
        record_attributes = None
    if record_attributes is not None:
        for run_id, tput, ttft in (("load-a", 10.0, 120.0), ("load-b", 12.5, 90.0)):
            with tracer.start_as_current_span("pharos.sandbox.load_run", attributes=record_attributes("load_run", {
                    "RunId": run_id, "Model": "tiny-llama", "Revision": run_id[-1], "RequestRate": 4.0,
                    "Concurrency": 8, "Completed": 100, "Failed": 1, "RequestThroughput": tput,
                    "OutputThroughput": tput * 20, "MeanTtftMs": ttft, "P99TtftMs": ttft * 2, "MeanE2elMs": 800.0,
                    "P99E2elMs": 1500.0})):
                pass
        for run_id, value, base in (("eval-a", 0.60, None), ("eval-b", 0.30, "eval-a")):
            for task in ("qa", "math"):
                with tracer.start_as_current_span("pharos.sandbox.eval_metric", attributes=record_attributes(
                        "eval_metric", {"RunId": run_id, "Model": "tiny-llama", "Revision": run_id[-1],
                                        "Suite": "smoke", "Task": task, "Metric": "exact_match", "Value": value,
                                        "Stderr": 0.05, "N": 100, "BaselineRunId": base or "",
                                        "BaselineValue": 0.60 if base else None,
                                        "Verdict": "regression" if base else ""})):
                    pass
        out["runs"] = True
    pharos.shutdown()

    # scores through the scores API, as evaluators and reviewers send them
    agent_tid, agent_sid = out["agent"]["trace_id"], out["agent"]["llm_span"]
    scores = [
        {"trace_id": out["xss"][0], "span_id": out["xss"][1], "name": "prompt_injection", "value": 0.97,
         "label": "flagged", "explanation": "Looks like markup injection: " + XSS, "source": "evaluator",
         "evaluator_version": "2"},
        {"trace_id": agent_tid, "span_id": agent_sid, "name": "relevance", "value": 0.91, "label": "",
         "explanation": "The answer addresses the catalog hits.", "source": "evaluator", "evaluator_version": "1"},
        {"trace_id": agent_tid, "span_id": agent_sid, "name": "pii", "value": 1.0, "label": "flagged",
         "explanation": "Contains an e-mail address.", "source": "evaluator", "evaluator_version": "1"},
        {"trace_id": out["needle"][0], "span_id": out["needle"][1], "name": "relevance", "value": 0.35,
         "explanation": "Partly on topic.", "source": "evaluator", "evaluator_version": "1"},
    ]
    post_scores(endpoint, scores)
    out["scores"] = len(scores)
    print(json.dumps(out))


def post_scores(endpoint: str, scores: list[dict]) -> None:
    r = httpx.post(endpoint + "/v1/scores", json={"scores": scores}, timeout=30)
    r.raise_for_status()


def search(endpoint: str) -> None:
    pharos.init(endpoint=endpoint, service_name="search-bot", capture_content=True, metrics=False)
    for i in range(4):
        call("llama-3-8b", f"Search query {i}", f"Result {i}", (9, 3), cost=0.0002)
    error = call("llama-3-8b", "This one fails", "", error=True)
    pharos.shutdown()
    print(json.dumps({"error": error}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
