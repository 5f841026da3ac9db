"""``pharos.init`` and ``pharos.shutdown``: wiring OpenTelemetry for the application.

``init`` reads :class:`~pharos.sdk.settings.SdkSettings` (keyword arguments override ``PHAROS_*``
variables), then:

* traces: if the application already has an SDK ``TracerProvider`` (or passes one), Pharos adds its
  export processor to it and keeps the app's sampler and resource; otherwise it creates one with a
  parent-based ratio sampler and the service resource, and makes it global (``set_global``);
* metrics: its own ``MeterProvider`` with a periodic OTLP reader (global too if the app has none);
* export: a bounded ``BatchSpanProcessor`` over OTLP/HTTP; when the queue is full, spans are dropped
  and counted by the OTel SDK's ``otel.sdk.processor.span.processed{error.type=queue_full}``;
* feedback: :class:`~pharos.sdk._feedback_http.ScoresApiTransport`, which POSTs ``pharos.feedback``
  scores to ``<endpoint>/v1/scores`` from a background thread with the same headers;
* the openai instrumentation, the GPU sampler, content capture and the price table.

Test and power-user hooks (keyword-only, not settings): ``span_exporter``, ``span_processor``,
``metric_reader``, ``tracer_provider``, ``redact``, ``feedback_transport``, ``nvml``.
"""

from __future__ import annotations

import atexit
from typing import Any

from opentelemetry import metrics, trace

from pharos.sdk._content import ContentPolicy
from pharos.sdk._pricing import PriceTable
from pharos.sdk._state import STATE, Instruments, log
from pharos.sdk.settings import SdkSettings

__all__ = ["init", "shutdown", "force_flush", "uninstrument"]

_HOOKS = ("span_exporter", "span_processor", "metric_reader", "tracer_provider", "redact",
          "feedback_transport", "nvml")
_atexit_registered = False


def _parse_headers(text: str) -> dict[str, str]:
    headers = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = pair.partition("=")
        headers[key.strip()] = value.strip()
    return headers


def init(**options: Any) -> SdkSettings:
    """Start tracing this application. Takes every :class:`SdkSettings` field as a keyword.

    Calling it again replaces the previous setup. Returns the settings in force.
    """
    unknown = set(options) - set(SdkSettings.model_fields) - set(_HOOKS)
    if unknown:
        raise TypeError(f"pharos.init() got unknown option(s): {', '.join(sorted(unknown))}")
    hooks = {k: options.pop(k) for k in _HOOKS if k in options}
    settings = SdkSettings(**options)
    if STATE.initialized:
        shutdown()
    if not settings.enabled:
        return settings

    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased, TraceIdRatioBased

    resource_attrs = {"service.name": settings.service_name}
    if settings.service_version:
        resource_attrs["service.version"] = settings.service_version
    if settings.environment:
        resource_attrs["deployment.environment.name"] = settings.environment
    resource = Resource.create(resource_attrs)
    endpoint = settings.endpoint.rstrip("/")
    headers = _parse_headers(settings.headers)
    if settings.api_key:
        headers.setdefault("authorization", f"Bearer {settings.api_key}")

    # ---- metrics
    if settings.metrics:
        reader = hooks.get("metric_reader")
        if reader is None:
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
            from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

            reader = PeriodicExportingMetricReader(
                OTLPMetricExporter(endpoint=endpoint + "/v1/metrics", headers=headers,
                                   timeout=settings.export_timeout_s),
                export_interval_millis=settings.metric_export_interval_s * 1000)
        meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
        STATE.own_meter_provider = meter_provider
        if settings.set_global and type(metrics.get_meter_provider()).__name__.startswith(("_Proxy", "Proxy")):
            metrics.set_meter_provider(meter_provider)
        meter = meter_provider.get_meter("pharos.sdk")
        STATE.instruments = Instruments(meter, deferred=True)
    else:
        meter_provider, meter = None, None
    STATE.metrics_on = settings.metrics

    # ---- traces
    processor = hooks.get("span_processor")
    if processor is None:
        exporter = hooks.get("span_exporter")
        if exporter is None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter(endpoint=endpoint + "/v1/traces", headers=headers,
                                        timeout=settings.export_timeout_s)
        try:
            processor = BatchSpanProcessor(exporter, max_queue_size=settings.max_queue_size,
                                           max_export_batch_size=min(512, settings.max_queue_size),
                                           meter_provider=meter_provider)
        except TypeError:  # older SDK without processor metrics
            processor = BatchSpanProcessor(exporter, max_queue_size=settings.max_queue_size,
                                           max_export_batch_size=min(512, settings.max_queue_size))
    provider = hooks.get("tracer_provider")
    if provider is None and isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = trace.get_tracer_provider()
    if provider is not None:  # the application's: add to it, keep its sampler and resource
        provider.add_span_processor(processor)
        STATE.added_processor = processor
        log.debug("pharos: exporting through the application's TracerProvider")
    else:
        root = ALWAYS_ON if settings.sample_ratio >= 1.0 else TraceIdRatioBased(settings.sample_ratio)
        provider = TracerProvider(resource=resource, sampler=ParentBased(root))
        provider.add_span_processor(processor)
        STATE.own_tracer_provider = provider
        if settings.set_global:
            trace.set_tracer_provider(provider)
    from pharos import __version__

    STATE.tracer = provider.get_tracer("pharos.sdk", __version__)

    # ---- content, prices, feedback, provider
    STATE.content = ContentPolicy(capture=settings.capture_content, max_length=settings.content_max_length,
                                  redact=hooks.get("redact"), mask_pii=settings.mask_pii)
    STATE.prices = PriceTable.load(settings.price_file)
    STATE.provider_override = settings.provider
    STATE.feedback_transport = hooks.get("feedback_transport")
    if STATE.feedback_transport is None:
        from pharos.sdk._feedback_http import ScoresApiTransport

        STATE.feedback_transport = ScoresApiTransport(endpoint, headers, service_name=settings.service_name,
                                                      timeout_s=settings.export_timeout_s)
    STATE.settings = settings

    # ---- GPU
    if settings.gpu_sampling_interval_s > 0:
        from pharos.sdk._gpu import GpuSampler

        sampler = GpuSampler(settings.gpu_sampling_interval_s, nvml=hooks.get("nvml"))
        if sampler.start(meter):
            STATE.gpu = sampler

    # ---- openai
    if settings.instrument_openai:
        from pharos.sdk._openai import instrument_openai

        instrument_openai()

    STATE.initialized = True
    global _atexit_registered
    if not _atexit_registered:
        atexit.register(shutdown)
        _atexit_registered = True
    return settings


def force_flush(timeout_millis: int = 10_000) -> bool:
    """Export everything recorded so far (spans, metrics, feedback). True if it all went out in time."""
    ok = _flush_feedback("flush", timeout_millis / 1000)
    for target in (STATE.own_tracer_provider or STATE.added_processor, STATE.own_meter_provider):
        if target is not None:
            try:
                ok = bool(target.force_flush(timeout_millis)) and ok
            except Exception as exc:
                log.warning("pharos: flush failed: %r", exc)
                ok = False
    return ok


def _flush_feedback(how: str, timeout_s: float) -> bool:
    """Flush (or shut down) the feedback transport if it has such a method (custom ones may not)."""
    method = getattr(STATE.feedback_transport, how, None)
    if method is None:
        return True
    try:
        return bool(method(timeout_s))
    except Exception as exc:
        log.warning("pharos: feedback %s failed: %r", how, exc)
        return False


def uninstrument() -> None:
    """Restore the openai client's methods exactly as they were."""
    from pharos.sdk._openai import uninstrument_openai

    uninstrument_openai()


def shutdown() -> None:
    """Flush and stop: uninstrument, stop the GPU sampler, shut down what ``init`` created.

    The application's own TracerProvider (if Pharos joined one) keeps running; only Pharos'
    processor on it is shut down. Afterwards every API is a no-op again until ``init``.
    """
    if not STATE.initialized:
        return
    uninstrument()
    if STATE.gpu is not None:
        STATE.gpu.stop()
    _flush_feedback("shutdown", STATE.settings.export_timeout_s if STATE.settings else 10.0)
    for target in (STATE.own_tracer_provider or STATE.added_processor, STATE.own_meter_provider):
        if target is not None:
            try:
                target.shutdown()
            except Exception as exc:
                log.warning("pharos: shutdown failed: %r", exc)
    STATE.__init__()  # back to the no-op defaults
