"""GPU: utilization, memory, power and temperature per device (``hw.gpu.*`` / ``hw.*`` metrics) beside the
request load they serve."""

from __future__ import annotations

from grafana_foundation_sdk.models import dashboard as dm

from pharos.dashboards.panels import Board
from pharos.dashboards.settings import DashboardSettings
from pharos.dashboards.sql import ROLLUP, gpu_points, per_second, rollup_filter

UID = "pharos-gpu"
BUCKET = "$__timeInterval(TimeUnix) AS time"


def _per_device(metric: str, value: str = "avg(Value)") -> str:
    return (f"SELECT {BUCKET}, device, {value} AS value FROM {gpu_points([metric])} "
            f"GROUP BY time, device ORDER BY time")


def build(settings: DashboardSettings) -> dm.Dashboard:
    b = Board(settings, UID, "Pharos / GPU", "GPU saturation per device (hw.id) next to the LLM request load.",
              variables=("service", "environment", "model"))
    b.timeseries("Requests/s", f"SELECT $__timeInterval(Time) AS time, {per_second('sum(Calls)')} AS rps "
                               f"FROM {ROLLUP} WHERE {rollup_filter()} GROUP BY time ORDER BY time", unit="reqps")
    b.timeseries("Output tokens/s", f"SELECT $__timeInterval(Time) AS time, "
                                    f"{per_second('sum(OutputTokens)')} AS tps FROM {ROLLUP} "
                                    f"WHERE {rollup_filter()} GROUP BY time ORDER BY time", unit="short")
    b.row("Devices")
    b.timeseries("GPU utilization", _per_device("hw.gpu.utilization"), unit="percentunit",
                 description="hw.gpu.utilization (0-1) per device.")
    b.timeseries("GPU memory used",
                 f"SELECT {BUCKET}, device, avgIf(Value, MetricName = 'hw.gpu.memory.usage') / "
                 f"nullIf(avgIf(Value, MetricName = 'hw.gpu.memory.limit'), 0) AS used "
                 f"FROM {gpu_points(['hw.gpu.memory.usage', 'hw.gpu.memory.limit'])} "
                 f"GROUP BY time, device ORDER BY time", unit="percentunit",
                 description="hw.gpu.memory.usage / hw.gpu.memory.limit per device.")
    b.timeseries("GPU memory used (bytes)", _per_device("hw.gpu.memory.usage"), unit="bytes")
    b.timeseries("Power", _per_device("hw.power"), unit="watt", description="hw.power per device.")
    b.timeseries("Temperature", _per_device("hw.temperature"), unit="celsius", description="hw.temperature per device.")
    b.stat("Energy used", f"SELECT sum(joules) / 3.6e6 AS kwh FROM (SELECT device, max(Value) - min(Value) AS joules "
                          f"FROM {gpu_points(['hw.energy'])} GROUP BY device)", unit="kwatth", width=6, height=8,
           decimals=3, description="Increase of the hw.energy counters over the time range, all devices.")
    b.table("Devices now",
            f"SELECT device, argMaxIf(Value, TimeUnix, MetricName = 'hw.gpu.utilization') AS utilization, "
            f"argMaxIf(Value, TimeUnix, MetricName = 'hw.gpu.memory.usage') / "
            f"nullIf(argMaxIf(Value, TimeUnix, MetricName = 'hw.gpu.memory.limit'), 0) AS memory_used, "
            f"argMaxIf(Value, TimeUnix, MetricName = 'hw.power') AS power_w, "
            f"argMaxIf(Value, TimeUnix, MetricName = 'hw.temperature') AS temperature_c "
            f"FROM {gpu_points(['hw.gpu.utilization', 'hw.gpu.memory.usage', 'hw.gpu.memory.limit', 'hw.power', 'hw.temperature'])} "
            f"GROUP BY device ORDER BY device",
            units={"utilization": "percentunit", "memory_used": "percentunit", "power_w": "watt",
                   "temperature_c": "celsius"}, width=18, height=8)
    return b.build()
