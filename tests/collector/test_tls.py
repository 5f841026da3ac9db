"""TLS on every listener of a real `pharos serve` (a self-signed certificate made here), with real OTel
exporters (HTTP and gRPC) trusting it through ``certificate_file``, `pharos keys` reaching the server's
admin API over HTTPS, and the ClickHouse client settings Pharos uses for an ``https://`` ClickHouse
server (exercised against the SQL endpoint, which speaks ClickHouse's HTTP protocol)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import subprocess
import sys
import time
from pathlib import Path

import clickhouse_connect
import grpc
import httpx
import pytest

from pharos.collector.settings import StoreSettings
from pharos.collector.tls import clickhouse_tls
from pharos_testing import PharosProcess

SQL = {"username": "reader", "password": "tls-sql-pass"}
SQL_PASSWORD = SQL["password"]


def make_self_signed(folder) -> tuple[str, str]:
    """A self-signed certificate for localhost / 127.0.0.1 and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


class TlsPharos(PharosProcess):
    """`pharos serve` whose listeners speak TLS (readiness is polled over HTTPS)."""

    @property
    def otlp_http(self) -> str:
        return f"https://localhost:{self.http_port}"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = make_self_signed(folder)
    server = TlsPharos(folder / "data", args=["--tls-cert-file", cert, "--tls-key-file", key, "--auth", "on",
                                              "--batch-max-age-ms", "100", "--sql-user", "reader"],
                       env={"PHAROS_SQL_PASSWORD": SQL_PASSWORD})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SSL_CERT_FILE", cert)  # httpx (readiness polling) trusts the certificate
        server.start()
    done = subprocess.run([sys.executable, "-m", "pharos", "keys", "create", "--project", "tls",
                           "--data-dir", str(server.data_dir)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # through the admin API, over HTTPS
    server.cert, server.key = cert, done.stdout.splitlines()[0]
    yield server
    server.stop()


def test_every_listener_speaks_tls(tls_server):
    s = tls_server
    for url in (f"https://localhost:{s.http_port}/readyz", f"https://localhost:{s.console_port}/healthz",
                f"https://localhost:{s.sql_port}/ping"):
        assert httpx.get(url, verify=ssl.create_default_context(cafile=s.cert), timeout=30).status_code == 200
        with pytest.raises(httpx.HTTPError):  # the certificate is not trusted by default
            httpx.get(url, timeout=30)
    with pytest.raises(httpx.HTTPError):  # plain HTTP is not served
        httpx.get(f"http://127.0.0.1:{s.http_port}/readyz", timeout=30)
    assert "listening on https://" in s.log()


def test_real_exporters_over_tls(tls_server, monkeypatch):
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    s = tls_server
    # requests (under the HTTP exporter) lets these variables override the exporter's certificate_file
    # (it sets it as the session default): psf/requests#3829.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    headers = {"authorization": f"Bearer {s.key}"}
    exporters = {"http": HttpExporter(endpoint=f"https://localhost:{s.http_port}/v1/traces",
                                      certificate_file=s.cert, headers=headers),
                 "grpc": GrpcExporter(endpoint=f"localhost:{s.grpc_port}", insecure=False, headers=headers,
                                      credentials=grpc.ssl_channel_credentials(Path(s.cert).read_bytes()))}
    for kind, exporter in exporters.items():
        provider = TracerProvider(resource=Resource.create({"service.name": f"tls-{kind}"}))
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        with provider.get_tracer("t").start_as_current_span(f"over-{kind}"):
            pass
        provider.shutdown()
    client = clickhouse_connect.get_client(dsn=f"https://localhost:{s.sql_port}", **SQL,
                                           **clickhouse_tls(StoreSettings(clickhouse_url=f"https://localhost:{s.sql_port}",
                                                                          clickhouse_ca_file=s.cert)))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = client.query("SELECT SpanName, ResourceAttributes['pharos.project'] FROM otel_traces "
                            "WHERE SpanName LIKE 'over-%' ORDER BY SpanName").result_rows
        if len(rows) == 2:
            break
        time.sleep(0.1)
    assert rows == [("over-grpc", "tls"), ("over-http", "tls")]


@pytest.mark.filterwarnings("ignore::Warning:urllib3")  # the unverified case warns, as it should
def test_clickhouse_client_tls_settings(tls_server, tmp_path):
    url = f"https://localhost:{tls_server.sql_port}"
    verified = clickhouse_tls(StoreSettings(clickhouse_url=url, clickhouse_ca_file=tls_server.cert))
    assert verified == {"secure": True, "verify": True, "ca_cert": tls_server.cert}
    assert clickhouse_connect.get_client(dsn=url, **SQL, **verified).command("SELECT 1") == 1
    with pytest.raises(Exception, match="(?i)certificate|ssl"):  # system CAs do not know this certificate
        clickhouse_connect.get_client(dsn=url, **SQL, **clickhouse_tls(StoreSettings(clickhouse_url=url)))
    unverified = clickhouse_tls(StoreSettings(clickhouse_url=url, clickhouse_verify=False))
    assert clickhouse_connect.get_client(dsn=url, **SQL, **unverified).command("SELECT 2") == 2
    assert clickhouse_tls(StoreSettings(clickhouse_url="http://h:8123", clickhouse_ca_file=tls_server.cert)) == {}
    with pytest.raises(ValueError, match="does not exist"):
        clickhouse_tls(StoreSettings(clickhouse_url=url, clickhouse_ca_file=tmp_path / "missing.pem"))
