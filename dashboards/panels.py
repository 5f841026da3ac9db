"""One way to make a dashboard: :class:`Board` wraps the foundation SDK's builder with the template variables,
the ClickHouse targets and the panel kinds (time series, stat, table, bar chart, trace view) the Pharos
dashboards use, so each dashboard module is a list of titled queries."""

from __future__ import annotations

import json
from typing import Any

from grafana_foundation_sdk.builders import barchart, common, stat, table, timeseries
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm

from pharos.dashboards import sql
from pharos.dashboards.query import PLUGIN_ID, TABLE, TIME_SERIES, TRACE, ClickHouseQueryBuilder
from pharos.dashboards.settings import DashboardSettings

__all__ = ["Board", "TRACE_DASHBOARD_UID", "trace_link", "to_json"]

TRACE_DASHBOARD_UID = "pharos-trace"
DS_VAR = "${datasource}"


def trace_link(value: str = "${__value.raw}") -> str:
    """URL of the trace view of the trace whose id is ``value``, over the current time range."""
    return f"/d/{TRACE_DASHBOARD_UID}/pharos-trace?var-trace_id={value}&${{__url_time_range}}"


def to_json(obj: Any) -> str:
    """The committed form: sorted keys, two-space indent, trailing newline (stable byte for byte)."""
    return json.dumps(obj, cls=JSONEncoder, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _all() -> dm.VariableOption:
    return dm.VariableOption(selected=True, text="All", value="$__all")


class Board:
    """A dashboard under construction. Panels flow left to right, 24 columns wide, and wrap."""

    def __init__(self, settings: DashboardSettings, uid: str, title: str, description: str,
                 variables: tuple[str, ...] = ("service", "environment", "model")) -> None:
        self.settings = settings
        self.uid = uid
        self._next_id = 1
        self.dashboard = (db.Dashboard(title).uid(uid).description(description)
                          .tags(["pharos", "llm"]).time("now-6h", "now").refresh("1m")
                          .timezone("browser").tooltip(dm.DashboardCursorSync.CROSSHAIR)
                          .link(db.DashboardLink("Pharos").type(dm.DashboardLinkType.DASHBOARDS)
                                .tags(["pharos"]).as_dropdown(True).include_vars(True).keep_time(True)))
        self.dashboard.with_variable(
            db.DatasourceVariable("datasource").label("Data source").type(PLUGIN_ID)
            .current(dm.VariableOption(selected=True, text=settings.datasource_name, value=settings.datasource_uid)))
        for name in variables:
            self.dashboard.with_variable(self._variable(name))

    # -- variables -------------------------------------------------------------------------------------------
    def _variable(self, name: str) -> db.QueryVariable:
        values = {
            "service": ("Service", f"SELECT DISTINCT ServiceName FROM {sql.ROLLUP} WHERE $__timeFilter(Time) "
                                   f"ORDER BY 1"),
            "environment": ("Environment", f"SELECT DISTINCT Environment AS environment FROM {sql.ROLLUP} "
                                           f"WHERE $__timeFilter(Time) ORDER BY 1"),
            "model": ("Model", f"SELECT DISTINCT GenAIRequestModel FROM {sql.ROLLUP} WHERE $__timeFilter(Time) "
                               f"AND {sql.var_in('ServiceName', 'service')} ORDER BY 1"),
            "evaluator": ("Evaluator", f"SELECT DISTINCT Name FROM {sql.SCORES} WHERE $__timeFilter(Timestamp) "
                                       f"ORDER BY 1"),
        }
        label, query = values[name]
        return (db.QueryVariable(name).label(label).datasource(self._ds()).query(self._sql(query))
                .multi(True).include_all(True).current(_all()).refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
                .sort(dm.VariableSort.ALPHABETICAL_ASC))

    def text_variable(self, name: str, label: str) -> Board:
        self.dashboard.with_variable(db.TextBoxVariable(name).label(label))
        return self

    # -- targets ---------------------------------------------------------------------------------------------
    def _ds(self) -> dm.DataSourceRef:
        return dm.DataSourceRef(type_val=PLUGIN_ID, uid=DS_VAR)

    def _sql(self, query: str) -> str:
        return sql.in_db(query, self.settings.database)

    def _target(self, query: str, fmt: int, ref: str = "A") -> ClickHouseQueryBuilder:
        return ClickHouseQueryBuilder(self._sql(query), fmt).ref_id(ref).datasource(DS_VAR)

    def _place(self, panel: Any, title: str, description: str, width: int, height: int) -> Board:
        panel.id(self._next_id).title(title).description(description).datasource(self._ds()).span(width).height(height)
        self._next_id += 1
        self.dashboard.with_panel(panel)
        return self

    # -- panels ----------------------------------------------------------------------------------------------
    def row(self, title: str) -> Board:
        self.dashboard.with_row(db.Row(title).id(self._next_id))
        self._next_id += 1
        return self

    def timeseries(self, title: str, query: str, *, unit: str, description: str = "", width: int = 12,
                   height: int = 8, stack: bool = False, bars: bool = False) -> Board:
        panel = (timeseries.Panel().with_target(self._target(query, TIME_SERIES)).unit(unit)
                 .line_width(1).fill_opacity(20 if stack or bars else 8).show_points(cm.VisibilityMode.NEVER)
                 .span_nulls(True)
                 .legend(common.VizLegendOptions().display_mode(cm.LegendDisplayMode.TABLE)
                         .placement(cm.LegendPlacement.BOTTOM).show_legend(True).calcs(["mean", "max"]))
                 .tooltip(common.VizTooltipOptions().mode(cm.TooltipDisplayMode.MULTI).sort(cm.SortOrder.DESCENDING)))
        if sql.ROLLUP in query or sql.DIGESTS in query:
            panel.interval("1m")  # the rollups hold minutes: no finer buckets
        if stack:
            panel.stacking(common.StackingConfig().mode(cm.StackingMode.NORMAL))
        if bars:
            panel.draw_style(cm.GraphDrawStyle.BARS)
        return self._place(panel, title, description, width, height)

    def stat(self, title: str, query: str, *, unit: str, description: str = "", width: int = 4, height: int = 4,
             thresholds: tuple[float, float] | None = None, decimals: int | None = None) -> Board:
        panel = (stat.Panel().with_target(self._target(query, TABLE)).unit(unit)
                 .graph_mode(cm.BigValueGraphMode.NONE).color_mode(cm.BigValueColorMode.VALUE)
                 .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False)))
        if decimals is not None:
            panel.decimals(decimals)
        steps = [dm.Threshold(color="green", value=None)]
        if thresholds:
            steps += [dm.Threshold(color="orange", value=thresholds[0]), dm.Threshold(color="red", value=thresholds[1])]
        panel.thresholds(db.ThresholdsConfig().mode(dm.ThresholdsMode.ABSOLUTE).steps(steps))
        return self._place(panel, title, description, width, height)

    def table(self, title: str, query: str, *, description: str = "", width: int = 24, height: int = 10,
              units: dict[str, str] | None = None, trace_column: str | None = None) -> Board:
        panel = (table.Panel().with_target(self._target(query, TABLE)).filterable(True)
                 .cell_height(cm.TableCellHeight.SM))
        for column, unit in sorted((units or {}).items()):
            panel.override_by_name(column, [dm.DynamicConfigValue(id_val="unit", value=unit)])
        if trace_column:
            panel.override_by_name(trace_column, [dm.DynamicConfigValue(id_val="links", value=[
                {"title": "Open trace", "url": trace_link()}])])
        return self._place(panel, title, description, width, height)

    def bars(self, title: str, query: str, *, unit: str, x_field: str, description: str = "", width: int = 12,
             height: int = 8) -> Board:
        panel = (barchart.Panel().with_target(self._target(query, TABLE)).unit(unit).x_field(x_field)
                 .orientation(cm.VizOrientation.HORIZONTAL).show_value(cm.VisibilityMode.AUTO)
                 .fill_opacity(80).gradient_mode(cm.GraphGradientMode.NONE).line_width(1)
                 .legend(common.VizLegendOptions().show_legend(False).display_mode(cm.LegendDisplayMode.LIST)
                         .placement(cm.LegendPlacement.BOTTOM)))
        return self._place(panel, title, description, width, height)

    def traces(self, title: str, query: str, *, description: str = "", width: int = 24, height: int = 20) -> Board:
        panel = db.Panel().type("traces").with_target(self._target(query, TRACE))
        return self._place(panel, title, description, width, height)

    def build(self) -> dm.Dashboard:
        return self.dashboard.build()
