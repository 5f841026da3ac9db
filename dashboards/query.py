"""The ClickHouse query type for ``grafana-clickhouse-datasource``, which the foundation SDK lacks.

A panel target / alert query model the plugin (v4) reads: ``editorType: sql`` with ``rawSql`` and
``format`` (0 time series, 1 table, 3 trace). :func:`register` teaches the SDK's decoder the type, so
``Dashboard.from_json`` turns our targets back into :class:`ClickHouseQuery` objects.
"""

from __future__ import annotations

import typing

from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import runtime as cogruntime
from grafana_foundation_sdk.cog import variants as cogvariants

__all__ = ["PLUGIN_ID", "TIME_SERIES", "TABLE", "TRACE", "ClickHouseQuery", "ClickHouseQueryBuilder", "register"]

PLUGIN_ID = "grafana-clickhouse-datasource"
PLUGIN_VERSION = "4.10.1"  # the plugin version docker-compose installs
TIME_SERIES, TABLE, LOGS, TRACE = 0, 1, 2, 3
_QUERY_TYPES = {TIME_SERIES: "timeseries", TABLE: "table", LOGS: "logs", TRACE: "traces"}


class ClickHouseQuery(cogvariants.Dataquery):
    def __init__(self, raw_sql: str = "", format: int = TABLE, ref_id: str = "A",
                 datasource: dict[str, str] | None = None, hide: bool | None = None) -> None:
        self.raw_sql = raw_sql
        self.format = format
        self.ref_id = ref_id
        self.datasource = datasource
        self.hide = hide

    def to_json(self) -> dict[str, object]:
        payload: dict[str, object] = {}
        if self.datasource is not None:
            payload["datasource"] = self.datasource
        payload.update({"editorType": "sql", "format": self.format, "pluginVersion": PLUGIN_VERSION,
                        "queryType": _QUERY_TYPES[self.format], "rawSql": self.raw_sql, "refId": self.ref_id})
        if self.hide is not None:
            payload["hide"] = self.hide
        return payload

    @classmethod
    def from_json(cls, data: dict[str, typing.Any]) -> typing.Self:
        return cls(raw_sql=data.get("rawSql", ""), format=int(data.get("format", TABLE)),
                   ref_id=data.get("refId", "A"), datasource=data.get("datasource"), hide=data.get("hide"))


class ClickHouseQueryBuilder(cogbuilder.Builder[ClickHouseQuery]):
    def __init__(self, raw_sql: str, format: int = TABLE) -> None:
        self._internal = ClickHouseQuery(raw_sql=raw_sql, format=format)

    def build(self) -> ClickHouseQuery:
        return self._internal

    def ref_id(self, ref_id: str) -> typing.Self:
        self._internal.ref_id = ref_id
        return self

    def datasource(self, uid: str) -> typing.Self:
        self._internal.datasource = {"type": PLUGIN_ID, "uid": uid}
        return self


def register() -> None:
    """Let the SDK decode ClickHouse targets (and the SDK's own panel and query types)."""
    from grafana_foundation_sdk.cog.plugins import register_default_plugins

    register_default_plugins()
    cogruntime.register_dataquery_variant(cogruntime.DataqueryConfig(identifier=PLUGIN_ID,
                                                                     from_json_hook=ClickHouseQuery.from_json))
