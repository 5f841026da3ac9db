"""Client-side cost of tracing one openai call: Pharos against a plain OTel span and two peers (not a test).

    python tests/bench/bench_sdk_overhead.py [--calls N] [--rounds R]
    python tests/bench/bench_sdk_overhead.py --setup-peers      # make the peers' venv once

The peers, OpenLLMetry's ``opentelemetry-instrumentation-openai`` and ``openlit``, are installed only in
a bench venv, ``~/.cache/pharos/bench-peers`` (never in pyproject's extras that CI installs).
``--setup-peers`` makes it with::

    python -m venv ~/.cache/pharos/bench-peers
    pip install -e '<repo>[openai,gpu]' 'openai<3' opentelemetry-instrumentation-openai requests schedule xmltodict
    pip install --no-deps openlit      # its full pin set does not resolve next to OpenLLMetry's

Run from an interpreter without the peers, the script re-runs itself in that venv when it exists.

Every variant drives the real ``openai`` client (sync chat completions, streamed and not) through the
same in-process fake transport (no network), in one process, interleaved in rounds:

* ``bare``        - no instrumentation;
* ``otel-span``   - a hand-written OTel span with the same attributes around the call (the floor any
                    tracing SDK pays), batch processor and a null exporter;
* ``otel+metrics`` - the same, plus the three ``gen_ai.client.*`` histograms Pharos exports;
* ``pharos``      - ``pharos.init()``: batch processor, null exporter, metrics and GPU sampling on at
                    its default interval (with no NVML GPU here, a fake NVML module at the SDK's
                    boundary, so the sampler thread runs and every span looks up the GPU use seen
                    during the call);
* ``openllmetry`` - ``OpenAIInstrumentor().instrument()``, same providers;
* ``openlit``     - ``openlit.init()`` (only its openai instrumentor; GPU stats on; local price file).

Content capture is off for all. How the added cost is measured: a timing shim sits *under* every
instrumentation, on the openai method itself (and on the stream's item iterator), and adds up the time
spent in the real openai code. Per call, ``added = time of the whole call - time inside openai``: only
the instrumentation's own work is left, so the 1-3 ms the openai client spends per call (and its
noise on a shared machine) cancels out; the median over calls is reported, less ``bare``'s (the shim's
own cost). That is the ``call path`` cost: what the app's call waits for. Pharos records its metrics off
the call path (a tuple on a queue) and aggregates them when the metric reader collects; ``drain`` is that
collection's cost per call (less a collection's fixed cost, which in real use comes once per export
interval), so ``total`` = call path + drain is the CPU a call costs. ``otel+metrics`` is the plain span plus
the same three ``gen_ai.client.*`` histograms recorded by hand.

Streams: openai's ``Stream.__iter__`` is a generator that only passes items on from ``stream._iterator``.
Pharos swaps that iterator for its own (which notes each chunk) and makes ``__iter__`` of a traced stream
return it directly, so the app iterates through as many generator layers as without instrumentation; the
other variants keep openai's layer. That layer is part of every variant's ``added`` (it sits above the
shim) and ``bare`` subtracts it, so Pharos' streamed number is its noting work minus that layer: on the
2-core dev machine, 7-10 us per 6-chunk stream (Pharos with openai's ``__iter__`` kept measured 1.23-1.27x
the plain span's streamed cost where it measured 1.10-1.11x with it). Goals:

    pharos call path <= 1.2 x otel-span's, and pharos total below both peers'.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

PEERS_VENV = Path.home() / ".cache" / "pharos" / "bench-peers"
REPO = Path(__file__).resolve().parents[2]
MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Say hello"}]


# ----------------------------------------------------------------------------- peers' venv
def _peers_python() -> Path:
    return PEERS_VENV / "bin" / "python"


def setup_peers() -> None:
    """Create (or update) the bench-only venv holding Pharos and the two peers."""
    if not _peers_python().exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    pip = [str(PEERS_VENV / "bin" / "pip"), "install", "-q"]
    subprocess.run(pip + ["-e", f"{REPO}[openai,gpu]", "openai<3", "opentelemetry-instrumentation-openai",
                          "requests", "schedule", "xmltodict"], check=True)
    subprocess.run(pip + ["--no-deps", "openlit"], check=True)


def _have_peers() -> bool:
    try:
        import openlit  # noqa: F401
        import opentelemetry.instrumentation.openai  # noqa: F401
        return True
    except ImportError:
        return False


# ------------------------------------------------------------------------ fake transport
def _payloads() -> tuple[bytes, bytes]:
    chat = json.dumps({"id": "c1", "object": "chat.completion", "created": 1, "model": MODEL,
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": "Hello there"}}],
                       "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}}).encode()
    base = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": MODEL}
    chunks = [{**base, "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]}
              for w in ["Hel", "lo", " the", "re"]]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    chunks.append({**base, "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}})
    stream = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
    return chat, stream


def make_client() -> Any:
    import openai

    try:
        import httpx2 as httpx  # the HTTP library of recent openai releases
    except ImportError:
        import httpx  # type: ignore[no-redef]
    chat, stream = _payloads()

    def handler(request: Any) -> Any:
        if b'"stream":true' in request.content.replace(b" ", b""):
            return httpx.Response(200, content=stream, headers={"content-type": "text/event-stream"})
        return httpx.Response(200, content=chat, headers={"content-type": "application/json"})

    return openai.OpenAI(base_url="http://bench.local/v1", api_key="k", max_retries=0,
                         http_client=httpx.Client(transport=httpx.MockTransport(handler)))


def call(client: Any, stream: bool) -> None:
    if stream:
        for _ in client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True,
                                                stream_options={"include_usage": True}):
            pass
    else:
        client.chat.completions.create(model=MODEL, messages=MESSAGES)


def plain_span_call(tracer: Any, client: Any, stream: bool, histograms: Any = None) -> None:
    """What a hand-instrumented app would write: one span with the attributes Pharos records for this call
    (the same names and values: timing per chunk, cost, GPU use), and, with ``histograms``, the same three
    ``gen_ai.client.*`` metrics recorded on the call path."""
    attrs = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "vllm", "gen_ai.request.model": MODEL,
             "server.address": "bench.local", "server.port": 80}
    if stream:
        attrs["gen_ai.request.stream"] = True
    start = time.monotonic()
    with tracer.start_as_current_span(f"chat {MODEL}", kind=_CLIENT, attributes=attrs) as span:
        extra = {}
        if stream:
            usage = chunk = first = last = None
            chunks, finish = 0, ()
            for chunk in client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True,
                                                        stream_options={"include_usage": True}):
                usage = chunk.usage or usage
                if chunk.choices:
                    last = time.monotonic()
                    first = first or last
                    chunks += 1
                    if chunk.choices[0].finish_reason:
                        finish = (chunk.choices[0].finish_reason,)
            r_model, r_id = chunk.model, chunk.id
            extra = {"gen_ai.response.time_to_first_chunk": first - start, "pharos.response.output_chunks": chunks,
                     "pharos.response.time_per_output_chunk": (last - first) / (chunks - 1)}
        else:
            r = client.chat.completions.create(model=MODEL, messages=MESSAGES)
            usage, r_model, r_id, finish = r.usage, r.model, r.id, (r.choices[0].finish_reason,)
        span.set_attributes({"gen_ai.response.model": r_model, "gen_ai.response.id": r_id,
                             "gen_ai.response.finish_reasons": finish,
                             "gen_ai.usage.input_tokens": usage.prompt_tokens,
                             "gen_ai.usage.output_tokens": usage.completion_tokens, **extra,
                             "pharos.cost.usd": (usage.prompt_tokens * 0.15 + usage.completion_tokens * 0.6) / 1e6,
                             "pharos.gpu.utilization": 0.4, "pharos.gpu.memory.used": 30 << 30})
    if histograms is not None:
        duration, ttfc, tokens = histograms
        m_attrs = {**{k: attrs[k] for k in list(attrs)[:5]}, "gen_ai.response.model": r_model}
        duration.record(time.monotonic() - start, m_attrs)
        if stream:
            ttfc.record(extra["gen_ai.response.time_to_first_chunk"], m_attrs)
        tokens.record(usage.prompt_tokens, {**m_attrs, "gen_ai.token.type": "input"})
        tokens.record(usage.completion_tokens, {**m_attrs, "gen_ai.token.type": "output"})


_CLIENT: Any = None
# What is timed: the calling thread's CPU time (default; time the thread spends descheduled on a busy
# machine is not the instrumentation's) or wall time (--clock wall).
CLOCK = [time.thread_time_ns]


# -------------------------------------------------------------------------- timing shim
class Shim:
    """Times the real openai code under every instrumentation: the create method and stream items."""

    def __init__(self) -> None:
        from openai import Stream
        from openai.resources.chat.completions import Completions

        self.inner_ns = 0
        original = Completions.__dict__["create"]
        shim = self

        def timed_items(iterator: Any) -> Any:
            clock = CLOCK[0]
            while True:
                t0 = clock()
                try:
                    item = next(iterator)
                except StopIteration:
                    shim.inner_ns += clock() - t0
                    return
                shim.inner_ns += clock() - t0
                yield item

        def create(self: Any, *args: Any, **kwargs: Any) -> Any:
            clock = CLOCK[0]
            t0 = clock()
            result = original(self, *args, **kwargs)
            if isinstance(result, Stream):
                result._iterator = timed_items(result._iterator)
            shim.inner_ns += clock() - t0
            return result

        Completions.create = create


class Patches:
    """What an instrumentation changed on openai's classes, so variants can be switched in one process."""

    @staticmethod
    def snapshot() -> dict[tuple[type, str], Any]:
        out = {}
        for name, module in list(sys.modules.items()):
            if not name.startswith("openai") or module is None:
                continue
            for cls in list(vars(module).values()):
                if isinstance(cls, type) and cls.__module__ == name:
                    for attr, value in list(vars(cls).items()):
                        out[(cls, attr)] = value
        return out

    def __init__(self, instrument: Callable[[], Any]) -> None:
        before = self.snapshot()
        instrument()
        after = self.snapshot()
        classes = {cls for cls, _ in before}  # classes of modules imported meanwhile are left alone
        self.changed = {k: v for k, v in after.items() if k[0] in classes and before.get(k) is not v}
        self.before = {k: before[k] for k in self.changed if k in before}
        self.off()

    def on(self) -> None:
        for (cls, attr), value in self.changed.items():
            setattr(cls, attr, value)

    def off(self) -> None:
        for (cls, attr) in self.changed:
            if (cls, attr) in self.before:
                setattr(cls, attr, self.before[(cls, attr)])
            else:
                delattr(cls, attr)


class NoPatches:
    changed: dict = {}

    def on(self) -> None: ...
    def off(self) -> None: ...


# --------------------------------------------------------------------------- variants
def fake_nvml() -> Any:
    """One device, for machines without an NVIDIA GPU: the sampler thread then really runs."""
    mem = SimpleNamespace(used=30 << 30, total=80 << 30, free=50 << 30)
    return SimpleNamespace(
        NVML_TEMPERATURE_GPU=0, nvmlInit=lambda: None, nvmlShutdown=lambda: None, nvmlDeviceGetCount=lambda: 1,
        nvmlDeviceGetHandleByIndex=lambda i: i, nvmlDeviceGetUUID=lambda h: b"GPU-fake",
        nvmlDeviceGetName=lambda h: b"fake", nvmlDeviceGetUtilizationRates=lambda h: SimpleNamespace(gpu=40, memory=0),
        nvmlDeviceGetMemoryInfo=lambda h: mem, nvmlDeviceGetPowerUsage=lambda h: 250_000,
        nvmlDeviceGetTotalEnergyConsumption=lambda h: 10_000_000, nvmlDeviceGetTemperature=lambda h, k: 50,
        nvmlDeviceGetComputeRunningProcesses=lambda h: [])


def _providers() -> tuple[Any, Any, Any]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class NullExporter(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(NullExporter()))
    reader = InMemoryMetricReader()
    return tracer_provider, MeterProvider(metric_readers=[reader]), reader


class Variant:
    def __init__(self, name: str, patches: Any, run: Callable[[bool], None], reader: Any = None, note: str = "") -> None:
        self.name, self.patches, self.run, self.reader, self.note = name, patches, run, reader, note
        self.added: dict[bool, list[int]] = {False: [], True: []}
        self.whole: dict[bool, list[int]] = {False: [], True: []}
        self.collect_ns: dict[bool, int] = {False: 0, True: 0}


def build_variants(client: Any, with_peers: bool) -> tuple[list[Variant], Callable[[], None]]:
    global _CLIENT
    from opentelemetry.trace import SpanKind

    import pharos.sdk as sdk
    from pharos.sdk._state import STATE

    _CLIENT = SpanKind.CLIENT
    variants = [Variant("bare", NoPatches(), lambda s: call(client, s))]
    tp, mp, reader = _providers()
    tracer = tp.get_tracer("bench")
    variants.append(Variant("otel-span", NoPatches(), lambda s: plain_span_call(tracer, client, s)))
    meter = mp.get_meter("bench")
    histograms = (meter.create_histogram("gen_ai.client.operation.duration", unit="s"),
                  meter.create_histogram("gen_ai.client.operation.time_to_first_chunk", unit="s"),
                  meter.create_histogram("gen_ai.client.token.usage", unit="{token}"))
    variants.append(Variant("otel+metrics", NoPatches(), lambda s: plain_span_call(tracer, client, s, histograms),
                            reader))

    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    ph_reader = InMemoryMetricReader()

    class Null(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    try:
        import pynvml  # type: ignore[import-not-found]

        pynvml.nvmlInit()
        nvml, gpu_note = None, "real NVML GPU"
    except Exception:
        nvml, gpu_note = fake_nvml(), "fake NVML device (no GPU here)"
    ph = Patches(lambda: sdk.init(span_exporter=Null(), metric_reader=ph_reader, set_global=False,
                                  nvml=nvml, service_name="bench"))  # GPU sampling at its default interval
    note = f"GPU sampling {'on' if STATE.gpu is not None else 'OFF'}: {gpu_note}"
    variants.append(Variant("pharos", ph, lambda s: call(client, s), ph_reader, note))

    if with_peers:
        from opentelemetry import metrics, trace

        peer_tp, peer_mp, peer_reader = _providers()
        trace.set_tracer_provider(peer_tp)
        metrics.set_meter_provider(peer_mp)
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor

        os.environ.setdefault("TRACELOOP_TRACE_CONTENT", "false")
        instrumentor = OpenAIInstrumentor()
        ll = Patches(lambda: instrumentor.instrument(tracer_provider=peer_tp, meter_provider=peer_mp))
        variants.append(Variant("openllmetry", ll, lambda s: call(client, s), peer_reader))

        import openlit
        from openlit._instrumentors import MODULE_NAME_MAP

        prices = Path(tempfile.mkdtemp()) / "openlit-prices.json"
        prices.write_text(json.dumps({"chat": {MODEL: {"promptPrice": 0.00015, "completionPrice": 0.0006}}}))
        others = [n for n in MODULE_NAME_MAP if n != "openai"]
        ol = Patches(lambda: openlit.init(pricing_json=str(prices), capture_message_content=False,
                                          collect_gpu_stats=True, disabled_instrumentors=others,
                                          disable_events=True, service_name="bench"))
        variants.append(Variant("openlit", ol, lambda s: call(client, s), peer_reader))
    return variants, sdk.shutdown


# ------------------------------------------------------------------------------ running
def measure(v: Variant, shim: Shim, stream: bool, n: int) -> None:
    clock = CLOCK[0]
    v.patches.on()
    try:
        for _ in range(n):
            inner0 = shim.inner_ns
            t0 = clock()
            v.run(stream)
            whole = clock() - t0
            v.whole[stream].append(whole)
            v.added[stream].append(whole - (shim.inner_ns - inner0))
        if v.reader is not None:  # the metrics recorded by these n calls, less a collection's fixed cost
            t0 = clock()
            v.reader.get_metrics_data()
            t1 = clock()
            v.reader.get_metrics_data()
            v.collect_ns[stream] += max(0, (t1 - t0) - (clock() - t1))
    finally:
        v.patches.off()


def report(variants: list[Variant], stream: bool, calls: int) -> dict[str, float]:
    print(f"\n{'streaming' if stream else 'non-streaming'} chat call, {calls} calls per variant "
          f"(median per call, microseconds):")
    print(f"  {'variant':12s} {'whole call':>10s} {'call path':>9s} {'drain':>6s} {'total':>7s}"
          f"   call path / otel-span's   total / otel-span's   total / otel+metrics'")
    path, total = {}, {}
    for v in variants:
        added = statistics.median(v.added[stream]) / 1e3
        path[v.name] = added
        total[v.name] = added + v.collect_ns[stream] / len(v.added[stream]) / 1e3
    path = {k: x - path["bare"] for k, x in path.items()}
    total = {k: x - total["bare"] for k, x in total.items()}
    for v in variants:
        whole = statistics.median(v.whole[stream]) / 1e3
        print(f"  {v.name:12s} {whole:10.1f} {path[v.name]:9.1f} {total[v.name] - path[v.name]:6.1f} "
              f"{total[v.name]:7.1f}   {path[v.name] / path['otel-span']:23.2f}   "
              f"{total[v.name] / total['otel-span']:19.2f}   {total[v.name] / total['otel+metrics']:21.2f}")
    return {"path": path["pharos"] / path["otel-span"], **{k: total[k] for k in total}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per variant per round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--setup-peers", action="store_true", help="create the peers' venv and exit")
    parser.add_argument("--no-peers", action="store_true", help="measure bare, otel-span and pharos only")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="time the calling thread's CPU time (default) or wall time")
    args = parser.parse_args()
    if args.setup_peers:
        return setup_peers()
    if not args.no_peers and not _have_peers():
        # (compare the venvs, not the interpreters: both venvs' python link to the same system binary)
        if _peers_python().exists() and Path(sys.prefix).resolve() != _peers_python().parent.parent.resolve():
            os.execv(str(_peers_python()), [str(_peers_python()), *sys.argv])
        print("peers not installed: run with --setup-peers first (or --no-peers)", file=sys.stderr)
        sys.exit(2)

    import openai

    CLOCK[0] = time.thread_time_ns if args.clock == "cpu" else time.perf_counter_ns
    client = make_client()
    shim = Shim()
    variants, shutdown = build_variants(client, not args.no_peers)
    print(f"clock: {args.clock}; python {sys.version.split()[0]}, openai {openai.__version__}, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, cpus {os.cpu_count()}")
    print(next(v.note for v in variants if v.name == "pharos"))
    for v in variants:
        if v.name not in ("bare", "otel-span", "otel+metrics") and not v.patches.changed:
            print(f"warning: {v.name} changed nothing on openai's classes")
    for stream in (False, True):
        for v in variants:  # warm-up, not counted
            measure(v, shim, stream, 30)
            v.added[stream].clear(), v.whole[stream].clear()
            v.collect_ns[stream] = 0
        for r in range(args.rounds):
            order = variants[r % len(variants):] + variants[:r % len(variants)]
            for v in order:
                measure(v, shim, stream, args.calls)
        own = report(variants, stream, args.calls * args.rounds)
        peers = [own[p] for p in ("openllmetry", "openlit") if p in own]
        print(f"  pharos call path / otel-span's = {own['path']:.2f} (goal <= 1.2); pharos total / otel+metrics' "
              f"= {own['pharos'] / own['otel+metrics']:.2f}"
              + (f"; pharos total below both peers': {all(own['pharos'] < p for p in peers)}" if peers else ""))
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    shutdown()


if __name__ == "__main__":
    main()
