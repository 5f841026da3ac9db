"""Helpers shared by the test suite: run a real `pharos serve` in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["free_port", "PharosProcess", "as_stored", "assert_stored_attributes", "spans_request"]


def data_script(name: str):
    """The generator script ``evaluators/data/<name>.py`` as a module, loaded by path: the scripts run as
    ``python evaluators/data/<name>.py`` and some import their siblings by bare name."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / "evaluators" / "data"
                                                  / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def spans_request(service: str, n: int, trace_id: bytes | None = None, span_id_len: int = 8):
    """An ExportTraceServiceRequest of ``n`` minimal spans (random ids unless given) from ``service``."""
    import os

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    kv = rs.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", service
    spans = rs.scope_spans.add().spans
    for i in range(n):
        s = spans.add()
        s.trace_id = trace_id if trace_id is not None else os.urandom(16)
        s.span_id = os.urandom(span_id_len)
        s.name = f"span-{i}"
        s.start_time_unix_nano = 1_760_000_000_000_000_000 + i
        s.end_time_unix_nano = s.start_time_unix_nano + 1000
    return req


def as_stored(attributes) -> dict[str, str]:
    """OTel attribute values as the exporter schema stores them (pdata AsString). Doubles are compared as
    numbers by :func:`assert_stored_attributes`: ClickHouse writes very small or large ones in exponent
    form (1.4e-7) where the Go exporter writes them positionally."""
    import json

    def one(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (tuple, list)):
            return json.dumps(list(v), separators=(",", ":"))
        return str(v)

    return {k: one(v) for k, v in attributes.items()}


def assert_stored_attributes(stored: dict[str, str], attributes) -> None:
    assert set(stored) == set(attributes), set(stored) ^ set(attributes)
    expected = as_stored(attributes)
    for key, value in attributes.items():
        if isinstance(value, float):
            assert float(stored[key]) == value, (key, stored[key], value)
        else:
            assert stored[key] == expected[key], (key, stored[key], expected[key])


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = (int(x) for x in open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A port free now and outside the kernel's ephemeral range, so that no outgoing connection of another
    test (which takes ephemeral ports) can grab it before the server under test binds it."""
    import random

    low, high = _ephemeral_range()
    candidates = [p for p in range(10000, 30000) if not low <= p <= high] or list(range(10000, 30000))
    for _ in range(200):
        port = random.choice(candidates)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:  # everything tried was taken: let the kernel choose
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PharosProcess:
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    http_port: int = field(default_factory=free_port)
    grpc_port: int = field(default_factory=free_port)
    sql_port: int = field(default_factory=free_port)
    console_port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def otlp_http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def otlp_grpc(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def sql_url(self) -> str:
        return f"http://127.0.0.1:{self.sql_port}"

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.console_port}"

    def start(self, timeout: float = 60) -> "PharosProcess":
        self.log_path = self.data_dir.parent / f"pharos-{self.http_port}.log"
        cmd = [sys.executable, "-m", "pharos", "serve", "--data-dir", str(self.data_dir),
               "--otlp-http-port", str(self.http_port), "--otlp-grpc-port", str(self.grpc_port),
               "--sql-port", str(self.sql_port), "--console-port", str(self.console_port), *self.args]
        env = {**os.environ, **self.env}
        self.proc = subprocess.Popen(cmd, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pharos serve exited {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.otlp_http}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"pharos serve not ready after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def sql_client(self, **kwargs):
        import clickhouse_connect

        return clickhouse_connect.get_client(host="127.0.0.1", port=self.sql_port, **kwargs)

    def wait_for_rows(self, sql: str, expected: int, timeout: float = 30, interval: float = 0.1) -> int:
        client = self.sql_client()
        deadline = time.monotonic() + timeout
        got = -1
        while time.monotonic() < deadline:
            got = int(client.command(sql))
            if got >= expected:
                return got
            time.sleep(interval)
        return got
