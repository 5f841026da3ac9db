"""SDK settings: every option of :func:`pharos.init`, readable from ``PHAROS_*`` variables.

``pharos.init(service_name="shop")`` and ``PHAROS_SERVICE_NAME=shop`` mean the same thing;
keyword arguments to ``init`` win over the environment.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pharos._config import PharosSettings

__all__ = ["SdkSettings"]


class SdkSettings(PharosSettings):
    """SDK: how applications send traces.

    Options read by ``pharos.init()`` in the instrumented application (not by the server).
    """

    enabled: bool = Field(default=True, description="Master switch: when false, pharos.init() does nothing and every API is a no-op.")
    endpoint: str = Field(
        default="http://127.0.0.1:4318",
        description="Base URL of the OTLP receiver (the Pharos collector); /v1/traces and /v1/metrics are appended.",
    )
    protocol: Literal["http/protobuf"] = Field(
        default="http/protobuf", description="OTLP transport used to export spans and metrics."
    )
    api_key: str | None = Field(
        default=None, repr=False,
        description="Pharos API key (`pharos keys create`), sent as `Authorization: Bearer <key>` with spans, "
                    "metrics and feedback. Needed when the collector has auth on.")
    headers: str = Field(
        default="", description="Extra export headers as comma-separated key=value pairs."
    )
    service_name: str = Field(default="unknown_service", description="Resource attribute service.name of the application.")
    service_version: str = Field(default="", description="Resource attribute service.version (empty: not set).")
    environment: str = Field(
        default="", description="Resource attribute deployment.environment.name, e.g. prod or staging (empty: not set)."
    )
    sample_ratio: float = Field(
        default=1.0, ge=0.0, le=1.0,
        description="Fraction of new traces kept (parent-based: a child follows its parent's decision).",
    )
    capture_content: bool = Field(
        default=False, description="Record prompts and completions in gen_ai.input.messages / gen_ai.output.messages."
    )
    content_max_length: int = Field(
        default=8192, ge=0, description="Longest text kept per message part when content capture is on; longer is cut."
    )
    mask_pii: bool = Field(
        default=False, description="Mask e-mail addresses, phone, card and key-like numbers in captured content."
    )
    price_file: str = Field(
        default="", description="JSON file of model prices (USD per million tokens) that extends/overrides the shipped table."
    )
    instrument_openai: bool = Field(default=True, description="Trace every call of the openai client automatically.")
    provider: str = Field(
        default="", description="Force gen_ai.provider.name for instrumented clients (empty: inferred from the base URL)."
    )
    metrics: bool = Field(default=True, description="Export the gen_ai.client.* metrics.")
    metric_export_interval_s: float = Field(default=30.0, gt=0, description="Seconds between metric exports.")
    gpu_sampling_interval_s: float = Field(
        default=1.0, ge=0.0, description="Seconds between NVML GPU samples (0 turns GPU sampling off)."
    )
    max_queue_size: int = Field(default=2048, ge=1, description="Spans held for export before new ones are dropped (and counted).")
    export_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of one export request.")
    set_global: bool = Field(
        default=True,
        description="Install Pharos' tracer/meter providers as the global ones when the application has none.",
    )
