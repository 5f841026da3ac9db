"""Grafana provisioning files: the ClickHouse data sources (the ClickHouse server, and ``pharos serve``'s
read-only SQL endpoint over the embedded store) and the dashboard provider. Secrets are never written: the
files read them from Grafana's environment (``$PHAROS_CLICKHOUSE_PASSWORD``, ``$PHAROS_SQL_PASSWORD``)."""

from __future__ import annotations

from typing import Any

from pharos.dashboards.query import PLUGIN_ID
from pharos.dashboards.settings import DashboardSettings

__all__ = ["EMBEDDED_UID", "DASHBOARDS_PATH", "datasource", "datasources", "dashboard_provider"]

EMBEDDED_UID = "pharos-embedded"
DASHBOARDS_PATH = "/var/lib/grafana/dashboards/pharos"  # where docker-compose mounts dashboards/json


def _json_data(s: DashboardSettings, host: str, port: int, protocol: str, username: str) -> dict[str, Any]:
    return {
        "host": host, "port": port, "protocol": protocol, "secure": False, "username": username,
        "defaultDatabase": s.database,
        # The OTel exporter's schema: Grafana's trace view and trace search work on it as is.
        "traces": {"defaultDatabase": s.database, "defaultTable": "otel_traces", "otelEnabled": True,
                   "otelVersion": "latest", "durationUnit": "nanoseconds"},
    }


def datasource(s: DashboardSettings, password: str | None = None) -> dict[str, Any]:
    """The server-mode data source as Grafana's HTTP API takes it (``pharos dashboards push``)."""
    body: dict[str, Any] = {
        "name": s.datasource_name, "uid": s.datasource_uid, "type": PLUGIN_ID, "access": "proxy",
        "jsonData": _json_data(s, s.datasource_host, s.datasource_port, s.datasource_protocol, s.datasource_user),
    }
    if password is not None:
        body["secureJsonData"] = {"password": password}
    return body


def datasources(s: DashboardSettings) -> dict[str, Any]:
    server = datasource(s, password="$PHAROS_CLICKHOUSE_PASSWORD")
    server.update(isDefault=True, editable=False)
    embedded = {
        "name": "Pharos embedded store", "uid": EMBEDDED_UID, "type": PLUGIN_ID, "access": "proxy",
        "isDefault": False, "editable": False,
        "jsonData": _json_data(s, s.embedded_sql_host, s.embedded_sql_port, "http", "$PHAROS_SQL_USER"),
        "secureJsonData": {"password": "$PHAROS_SQL_PASSWORD"},
    }
    return {"apiVersion": 1, "datasources": [server, embedded]}


def dashboard_provider(s: DashboardSettings) -> dict[str, Any]:
    return {"apiVersion": 1, "providers": [{
        "name": "pharos", "orgId": 1, "folder": s.grafana_folder, "folderUid": s.grafana_folder_uid, "type": "file",
        "disableDeletion": False, "allowUiUpdates": False, "updateIntervalSeconds": 30,
        "options": {"path": DASHBOARDS_PATH, "foldersFromFilesStructure": False},
    }]}
