"""TLS for `pharos serve`'s listeners and for the connection to a ClickHouse server.

Listeners: with ``tls_cert_file`` and ``tls_key_file`` set, OTLP/HTTP, the SQL endpoint and the console
serve HTTPS (uvicorn) and OTLP/gRPC serves TLS (``grpc.ssl_server_credentials``). ClickHouse: an
``https://`` ``clickhouse_url`` is verified against ``clickhouse_ca_file`` (or the system CAs) unless
``clickhouse_verify`` is off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["listener_tls", "uvicorn_tls", "grpc_server_credentials", "clickhouse_tls", "http_scheme"]


def listener_tls(settings) -> tuple[Path, Path] | None:
    """(certificate, key) of the listeners, or None without TLS. Checks both files are there."""
    cert, key = settings.tls_cert_file, settings.tls_key_file
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise ValueError("TLS needs both --tls-cert-file and --tls-key-file")
    for what, path in (("certificate", cert), ("key", key)):
        if not Path(path).is_file():
            raise ValueError(f"TLS {what} file {path} does not exist")
    return Path(cert), Path(key)


def http_scheme(settings) -> str:
    return "https" if listener_tls(settings) else "http"


def uvicorn_tls(settings) -> dict[str, Any]:
    """Keyword arguments of ``uvicorn.Config`` for the listeners' TLS (empty without it)."""
    tls = listener_tls(settings)
    return {"ssl_certfile": str(tls[0]), "ssl_keyfile": str(tls[1])} if tls else {}


def grpc_server_credentials(settings):
    """``grpc.ServerCredentials`` for the OTLP/gRPC listener, or None without TLS."""
    tls = listener_tls(settings)
    if tls is None:
        return None
    import grpc

    return grpc.ssl_server_credentials([(tls[1].read_bytes(), tls[0].read_bytes())])


def clickhouse_tls(store_settings) -> dict[str, Any]:
    """Keyword arguments of ``clickhouse_connect.get_client`` for an ``https://`` server URL."""
    url = store_settings.clickhouse_url or ""
    if not url.lower().startswith("https://"):
        return {}
    # clickhouse-connect does not take TLS from a DSN's scheme (only from port 8443/443), so say it.
    kwargs: dict[str, Any] = {"secure": True, "verify": store_settings.clickhouse_verify}
    if store_settings.clickhouse_ca_file is not None:
        if not Path(store_settings.clickhouse_ca_file).is_file():
            raise ValueError(f"ClickHouse CA file {store_settings.clickhouse_ca_file} does not exist")
        kwargs["ca_cert"] = str(store_settings.clickhouse_ca_file)
    return kwargs
