"""`pharos serve` start-up, SIGTERM drain, restart on the same data, and `pharos status`."""

from __future__ import annotations

import subprocess
import sys

import httpx

from pharos_testing import PharosProcess, spans_request


def _spans(n: int, service: str) -> bytes:
    return spans_request(service, n).SerializeToString()


def test_sigterm_writes_everything_acknowledged(tmp_path):
    data = tmp_path / "data"
    # Batches would wait a minute before being written: only the shutdown drain can store them in time.
    server = PharosProcess(data, args=["--batch-max-age-ms", "60000", "--batch-max-spans", "1000000"]).start()
    for _ in range(10):
        r = httpx.post(f"{server.otlp_http}/v1/traces", content=_spans(300, "drain"),
                       headers={"Content-Type": "application/x-protobuf"}, timeout=10)
        assert r.status_code == 200
    assert int(server.sql_client().command("SELECT count() FROM otel_traces")) == 0  # acknowledged, buffered
    assert server.stop() == 0
    assert "writing 3000 accepted item(s)" in server.log()

    restarted = PharosProcess(data).start()
    try:
        assert int(restarted.sql_client().command("SELECT count() FROM otel_traces WHERE ServiceName = 'drain'")) \
            == 3000
        assert "0 migration(s) applied" in restarted.log()  # restart runs migrations, which change nothing
    finally:
        restarted.stop()

    out = subprocess.run([sys.executable, "-m", "pharos", "status", "--data-dir", str(data)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "otel_traces" in out.stdout and "3,000 rows" in out.stdout


def test_status_over_the_sql_endpoint_while_serving(pharos_server):
    out = subprocess.run([sys.executable, "-m", "pharos", "status", "--sql-url", pharos_server.sql_url],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "otel_traces" in out.stdout and "scores" in out.stdout


def test_health_endpoints(pharos_server):
    assert httpx.get(f"{pharos_server.otlp_http}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{pharos_server.otlp_http}/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_second_server_on_the_same_data_dir_fails_clearly(pharos_server):
    out = subprocess.run([sys.executable, "-m", "pharos", "serve", "--data-dir", str(pharos_server.data_dir),
                          "--otlp-http-port", "0", "--otlp-grpc-port", "0", "--sql-port", "0",
                          "--console-port", "0"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "another server instance" in (out.stderr + out.stdout).lower()
