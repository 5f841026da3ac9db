"""Options of the Grafana dashboards, alert rules, provisioning files and ``pharos dashboards push``."""

from __future__ import annotations

from pydantic import Field

from pharos.collector.settings import DatabaseOption

__all__ = ["DashboardSettings"]


class DashboardSettings(DatabaseOption):
    """Dashboards: Grafana provisioning and push.

    The alert thresholds are baked into the generated alert-rule file by ``pharos dashboards build``
    (the committed file uses the defaults) and sent by ``pharos dashboards push``.
    """

    grafana_url: str = Field(default="http://localhost:3000",
                             description="Grafana to push to (pharos dashboards push).")
    grafana_token: str | None = Field(default=None, repr=False,
                                      description="Grafana service-account token, or user:password for basic "
                                                  "auth (never logged).")
    grafana_folder: str = Field(default="Pharos", description="Grafana folder holding the dashboards and alerts.")
    grafana_folder_uid: str = Field(default="pharos", description="UID of that folder.")
    datasource_uid: str = Field(default="pharos-clickhouse",
                                description="UID of the ClickHouse data source the dashboards and alerts query.")
    datasource_name: str = Field(default="Pharos ClickHouse", description="Name of that data source.")
    datasource_host: str = Field(default="clickhouse",
                                 description="ClickHouse server host the data source connects to.")
    datasource_port: int = Field(default=9000, description="ClickHouse server port (9000 native, 8123 http).")
    datasource_protocol: str = Field(default="native", description="ClickHouse protocol: native or http.")
    datasource_user: str = Field(default="pharos", description="ClickHouse user of the data source.")
    datasource_password: str | None = Field(
        default=None, repr=False,
        description="ClickHouse password of the data source for push (provisioning files read "
                    "$PHAROS_CLICKHOUSE_PASSWORD in Grafana's environment instead).")
    embedded_sql_host: str = Field(default="pharos",
                                   description="Host of pharos serve's read-only SQL endpoint (the embedded store), "
                                               "provisioned as a second data source.")
    embedded_sql_port: int = Field(default=8123, description="Port of that SQL endpoint.")
    alert_interval: str = Field(default="1m", description="How often the alert rules are evaluated.")
    alert_latency_p95_seconds: float = Field(default=10.0, gt=0,
                                             description="Alert when p95 LLM call latency over 5 minutes exceeds "
                                                         "this (seconds).")
    alert_error_rate: float = Field(default=0.05, gt=0, le=1,
                                    description="Alert when the share of failed LLM calls over 5 minutes exceeds "
                                                "this (0-1).")
    alert_ttft_p95_seconds: float = Field(default=2.0, gt=0,
                                          description="Alert when p95 time to first token over 5 minutes exceeds "
                                                      "this (seconds).")
    alert_flag_rate: float = Field(default=0.02, gt=0, le=1,
                                   description="Alert when the share of scores labelled 'flagged' over 15 minutes "
                                               "exceeds this (0-1).")
    alert_quality_drop: float = Field(default=0.1, gt=0, le=1,
                                      description="Alert when an evaluator's mean score over the last hour falls "
                                                  "this fraction below its trailing 24-hour baseline (0-1).")
    alert_gpu_memory_ratio: float = Field(default=0.95, gt=0, le=1,
                                          description="Alert when a GPU's used/total memory exceeds this (0-1).")
    alert_no_data_minutes: int = Field(default=10, gt=0,
                                       description="Alert when no span at all arrived for this many minutes.")
    runbook_url: str = Field(default="",
                             description="Base URL of your on-call runbook; when set, every alert links to "
                                         "<url>#<rule uid>. Each rule always carries its runbook note as text.")
