"""``pharos sandbox serve``: run vLLM, wait until it answers, scrape its Prometheus ``/metrics`` into the
store (as OTLP metrics POSTed to the collector's ``/v1/metrics``), stop cleanly.

Prometheus -> OTLP: counters become monotonic cumulative sums (``_total`` kept in the name, as vLLM
names them), gauges gauges, histograms cumulative explicit-bucket histograms (bucket counts from the
differences of the cumulative ``_bucket`` series; ``+Inf`` is the overflow bucket). Labels become
data-point attributes; the resource has ``service.name = vllm`` and ``pharos.sandbox.base_url``.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shlex
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from pharos.sandbox.settings import SandboxSettings

__all__ = ["VllmServer", "parse_prometheus", "to_otlp", "Scraper"]

log = logging.getLogger(__name__)

_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


@dataclass
class Family:
    name: str
    kind: str = "untyped"
    help: str = ""
    samples: list[tuple[str, dict[str, str], float]] = field(default_factory=list)


def parse_prometheus(text: str) -> dict[str, Family]:
    """Parse the Prometheus text exposition format into metric families."""
    fams: dict[str, Family] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("TYPE", "HELP"):
                fam = fams.setdefault(parts[2], Family(parts[2]))
                if parts[1] == "TYPE":
                    fam.kind = parts[3].strip() if len(parts) > 3 else "untyped"
                else:
                    fam.help = parts[3] if len(parts) > 3 else ""
            continue
        m = _LINE.match(line)
        if not m:
            continue
        name, labels_text, value = m.group(1), m.group(3) or "", m.group(4)
        labels = {k: v.replace('\\"', '"').replace("\\\\", "\\") for k, v in _LABEL.findall(labels_text)}
        try:
            val = float(value)
        except ValueError:
            continue
        base = name
        for suffix in ("_bucket", "_sum", "_count", "_total", "_created"):
            if name.endswith(suffix) and name[: -len(suffix)] in fams:
                base = name[: -len(suffix)]
                break
        fams.setdefault(base, Family(base)).samples.append((name, labels, val))
    return fams


def to_otlp(fams: dict[str, Family], *, start_ns: int, now_ns: int, resource: dict[str, str]) -> bytes:
    """An ExportMetricsServiceRequest (protobuf bytes) of the scraped families."""
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.metrics.v1 import metrics_pb2 as M

    def kvs(d: dict[str, str]) -> list:
        return [KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in d.items()]

    req = ExportMetricsServiceRequest()
    rm = req.resource_metrics.add()
    rm.resource.attributes.extend(kvs(resource))
    sm = rm.scope_metrics.add()
    sm.scope.name = "pharos.sandbox.scraper"
    cumulative = M.AGGREGATION_TEMPORALITY_CUMULATIVE
    for fam in fams.values():
        if not fam.samples or fam.kind in ("info",):
            continue
        if fam.kind == "histogram":
            series: dict[tuple, dict] = {}
            for name, labels, val in fam.samples:
                key_labels = {k: v for k, v in labels.items() if k != "le"}
                key = tuple(sorted(key_labels.items()))
                s = series.setdefault(key, {"labels": key_labels, "buckets": [], "sum": 0.0, "count": 0.0})
                if name.endswith("_bucket"):
                    s["buckets"].append((float(labels.get("le", "inf")), val))
                elif name.endswith("_sum"):
                    s["sum"] = val
                elif name.endswith("_count"):
                    s["count"] = val
            metric = sm.metrics.add(name=fam.name, description=fam.help)
            metric.histogram.aggregation_temporality = cumulative
            for s in series.values():
                buckets = sorted(s["buckets"])
                bounds = [b for b, _ in buckets if not math.isinf(b)]
                counts, prev = [], 0.0
                for _, cum in buckets:
                    counts.append(int(max(cum - prev, 0)))
                    prev = cum
                if not buckets or not math.isinf(buckets[-1][0]):
                    counts.append(int(max(s["count"] - prev, 0)))
                dp = metric.histogram.data_points.add(start_time_unix_nano=start_ns, time_unix_nano=now_ns,
                                                      count=int(s["count"]), sum=s["sum"])
                dp.explicit_bounds.extend(bounds)
                dp.bucket_counts.extend(counts)
                dp.attributes.extend(kvs(s["labels"]))
        elif fam.kind == "counter":
            metric = sm.metrics.add(name=fam.name if fam.name.endswith("_total") else fam.name + "_total",
                                    description=fam.help)
            metric.sum.aggregation_temporality = cumulative
            metric.sum.is_monotonic = True
            for name, labels, val in fam.samples:
                if name.endswith("_created"):
                    continue
                dp = metric.sum.data_points.add(start_time_unix_nano=start_ns, time_unix_nano=now_ns, as_double=val)
                dp.attributes.extend(kvs(labels))
        else:  # gauge, untyped, summary quantiles
            metric = sm.metrics.add(name=fam.name, description=fam.help)
            for name, labels, val in fam.samples:
                if name.endswith("_created"):
                    continue
                dp = metric.gauge.data_points.add(time_unix_nano=now_ns, as_double=val)
                dp.attributes.extend(kvs(labels))
    return req.SerializeToString()


class Scraper(threading.Thread):
    """Scrape ``metrics_url`` every ``interval`` seconds and POST it to ``collector``/v1/metrics."""

    def __init__(self, metrics_url: str, collector: str, interval: float, resource: dict[str, str]):
        super().__init__(daemon=True, name="vllm-scraper")
        self.metrics_url, self.collector, self.interval, self.resource = metrics_url, collector.rstrip("/"), interval, resource
        self.stop_event = threading.Event()
        self.start_ns = time.time_ns()
        self.scrapes = 0
        self.errors = 0

    def scrape_once(self, client: httpx.Client) -> None:
        text = client.get(self.metrics_url, timeout=10).text
        body = to_otlp(parse_prometheus(text), start_ns=self.start_ns, now_ns=time.time_ns(), resource=self.resource)
        r = client.post(self.collector + "/v1/metrics", content=body,
                        headers={"Content-Type": "application/x-protobuf"}, timeout=10)
        r.raise_for_status()
        self.scrapes += 1

    def run(self) -> None:
        with httpx.Client() as client:
            while not self.stop_event.is_set():
                try:
                    self.scrape_once(client)
                except Exception as exc:  # keep scraping; the server or collector may come back
                    self.errors += 1
                    log.warning("scrape failed: %s", exc)
                self.stop_event.wait(self.interval)
            try:
                self.scrape_once(client)  # a last one so the final counters land
            except Exception:
                pass

    def stop(self) -> None:
        self.stop_event.set()
        self.join(timeout=15)


class VllmServer:
    """vLLM's OpenAI server as a child process (its own process group), started from ``model``."""

    def __init__(self, model: str, settings: SandboxSettings | None = None, *, log_path: str | Path | None = None,
                 served_name: str | None = None):
        self.model, self.settings = model, settings or SandboxSettings()
        self.served_name = served_name or (Path(model).name if Path(model).exists() else model)
        self.log_path = Path(log_path) if log_path else None
        self.proc: subprocess.Popen | None = None
        self.scraper: Scraper | None = None

    @property
    def root(self) -> str:
        return f"http://{self.settings.vllm_host}:{self.settings.vllm_port}"

    @property
    def base_url(self) -> str:
        return self.root + "/v1"

    def command(self) -> list[str]:
        from pharos.sandbox.runtime import vllm_command

        s = self.settings
        cmd = [*vllm_command(s), "serve", self.model, "--host", s.vllm_host, "--port", str(s.vllm_port),
               "--served-model-name", self.served_name, "--max-model-len", str(s.max_model_len)]
        gpu = _gpu_present()
        if not gpu:
            cmd += ["--dtype", "float32", "--enforce-eager"]
        cmd += shlex.split(s.vllm_args)
        return cmd

    def start(self) -> "VllmServer":
        from pharos.sandbox.runtime import offline_env

        env = offline_env(VLLM_CPU_KVCACHE_SPACE=str(self.settings.cpu_kvcache_gb))
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            out = open(self.log_path, "ab")
        else:
            out = subprocess.DEVNULL
        cmd = self.command()
        log.info("starting vLLM: %s", shlex.join(cmd))
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        return self

    def wait_ready(self, timeout: float | None = None, progress: bool = True) -> None:
        from tqdm import tqdm

        timeout = timeout or self.settings.vllm_ready_timeout_s
        t0 = time.monotonic()
        with tqdm(desc="waiting for vLLM", unit="s", disable=not progress, bar_format="{desc}: {elapsed}") as bar:
            while time.monotonic() - t0 < timeout:
                if self.proc and self.proc.poll() is not None:
                    raise RuntimeError(f"vLLM exited with {self.proc.returncode}; log: {self.log_tail()}")
                try:
                    if httpx.get(self.base_url + "/models", timeout=2).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                bar.update(1)
                time.sleep(1)
        raise TimeoutError(f"vLLM not ready after {timeout:.0f}s; log: {self.log_tail()}")

    def log_tail(self, n: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-n:] if self.log_path and self.log_path.exists() else ""

    def start_scraper(self, collector: str | None = None) -> Scraper | None:
        s = self.settings
        if s.scrape_interval_s <= 0:
            return None
        self.scraper = Scraper(self.root + "/metrics", collector or s.collector_endpoint, s.scrape_interval_s,
                               {"service.name": "vllm", "pharos.sandbox.base_url": self.base_url,
                                "pharos.sandbox.model": self.served_name})
        self.scraper.start()
        return self.scraper

    def stop(self, timeout: float = 30) -> int | None:
        if self.scraper:
            self.scraper.stop()
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(10)

    def __enter__(self) -> "VllmServer":
        self.start()
        self.wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _gpu_present() -> bool:
    return Path("/dev/nvidia0").exists() or bool(os.environ.get("CUDA_VISIBLE_DEVICES", "").strip())
