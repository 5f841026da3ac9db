"""GPU use from NVML: a background sampler that feeds ``hw.*`` metrics and each LLM span.

Needs ``nvidia-ml-py`` (``pip install 'pharos[gpu]'``) and an NVIDIA driver. Without either the
sampler says so once at debug level and stays off; nothing else changes.

Metrics (per device, attributes ``hw.id``, ``hw.name``, ``hw.type="gpu"``):
``hw.gpu.utilization`` (ratio 0..1), ``hw.gpu.memory.usage`` / ``hw.gpu.memory.limit`` (bytes),
``hw.power`` (W), ``hw.energy`` (J, since driver load), ``hw.temperature`` (Cel), and
``pharos.gpu.process.memory.usage`` (bytes, per ``process.pid``) where NVML reports processes.
Spans get ``pharos.gpu.utilization`` (highest ratio seen during the call) and
``pharos.gpu.memory.used`` (highest bytes in use, all devices together).
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from opentelemetry.metrics import CallbackOptions, Meter, Observation

from pharos.sdk import _attributes as A
from pharos.sdk._state import log, log_failure

__all__ = ["GpuSampler", "DeviceSample"]


@dataclass
class DeviceSample:
    index: int
    uuid: str
    name: str
    utilization: float | None = None  # 0..1
    memory_used: int | None = None
    memory_total: int | None = None
    power_w: float | None = None
    energy_j: float | None = None
    temperature_c: float | None = None
    processes: dict[int, int] = field(default_factory=dict)  # pid -> bytes


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class GpuSampler:
    """Samples every device every ``interval_s`` seconds on a daemon thread.

    ``nvml`` is the ``pynvml`` module (from ``nvidia-ml-py``); it is imported lazily and may be
    replaced (tests pass a fake at this boundary).
    """

    def __init__(self, interval_s: float = 1.0, nvml: Any = None, history: int = 600) -> None:
        self.interval_s = interval_s
        self._nvml = nvml
        self._handles: list[Any] = []
        self.latest: list[DeviceSample] = []
        # (monotonic time, max utilization over devices, memory used summed over devices)
        self._history: collections.deque[tuple[float, float | None, int | None]] = collections.deque(maxlen=history)
        self._history_lock = threading.Lock()  # the sampler appends while calls read (see window)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.available = False

    # ------------------------------------------------------------------ lifecycle
    def start(self, meter: Meter | None = None) -> bool:
        """Open NVML, take a first sample and start the thread. False (and a debug line) if no GPU."""
        try:
            if self._nvml is None:
                import pynvml  # type: ignore[import-not-found]

                self._nvml = pynvml
            self._nvml.nvmlInit()
            count = self._nvml.nvmlDeviceGetCount()
            self._handles = [self._nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        except Exception as exc:  # ImportError, NVMLError_LibraryNotFound, driver errors...
            log.debug("pharos: GPU sampling off (no NVML or no GPU): %r", exc)
            return False
        if not self._handles:
            log.debug("pharos: GPU sampling off: NVML found no device")
            self._shutdown_nvml()
            return False
        self.available = True
        self.sample()
        if meter is not None:
            self._register(meter)
        self._thread = threading.Thread(target=self._run, name="pharos-gpu-sampler", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(1.0, 2 * self.interval_s))
            self._thread = None
        if self.available:
            self._shutdown_nvml()
            self.available = False

    def _shutdown_nvml(self) -> None:
        try:
            self._nvml.nvmlShutdown()
        except Exception:
            pass

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    # -------------------------------------------------------------------- sampling
    def _read(self, fn: str, *args: Any) -> Any:
        try:
            return getattr(self._nvml, fn)(*args)
        except Exception:  # NVMLError_NotSupported and friends: that reading is just missing
            return None

    def sample(self) -> list[DeviceSample]:
        """Read every device once; keeps the result in :attr:`latest` and the span history."""
        try:
            samples = []
            for index, handle in enumerate(self._handles):
                s = DeviceSample(index, _text(self._read("nvmlDeviceGetUUID", handle) or index),
                                 _text(self._read("nvmlDeviceGetName", handle) or "gpu"))
                rates = self._read("nvmlDeviceGetUtilizationRates", handle)
                if rates is not None:
                    s.utilization = rates.gpu / 100.0
                mem = self._read("nvmlDeviceGetMemoryInfo", handle)
                if mem is not None:
                    s.memory_used, s.memory_total = int(mem.used), int(mem.total)
                power = self._read("nvmlDeviceGetPowerUsage", handle)  # milliwatts
                if power is not None:
                    s.power_w = power / 1000.0
                energy = self._read("nvmlDeviceGetTotalEnergyConsumption", handle)  # millijoules
                if energy is not None:
                    s.energy_j = energy / 1000.0
                temp = self._read("nvmlDeviceGetTemperature", handle, getattr(self._nvml, "NVML_TEMPERATURE_GPU", 0))
                if temp is not None:
                    s.temperature_c = float(temp)
                for proc in self._read("nvmlDeviceGetComputeRunningProcesses", handle) or ():
                    used = getattr(proc, "usedGpuMemory", None)
                    if used is not None:
                        s.processes[int(proc.pid)] = int(used)
                samples.append(s)
            self.latest = samples
            utils = [s.utilization for s in samples if s.utilization is not None]
            mems = [s.memory_used for s in samples if s.memory_used is not None]
            point = (time.monotonic(), max(utils) if utils else None, sum(mems) if mems else None)
            with self._history_lock:
                self._history.append(point)
            return samples
        except Exception as exc:
            log_failure("gpu.sample", exc)
            return []

    def window(self, start: float, end: float) -> tuple[float, int] | None:
        """Highest utilization and memory seen from ``start`` to ``end`` (monotonic seconds).

        The samples taken during the call count, and so does the last one taken before it began
        (a call shorter than the interval has no sample of its own). None when nothing was sampled.
        Runs on the app's call path while the sampler thread appends: it reads the history from the
        newest end under a lock the sampler takes only to append, so it costs a few lookups and never
        sees the history shift under it.
        """
        top_util: float | None = None
        top_mem: int | None = None
        with self._history_lock:
            for t, util, mem in reversed(self._history):
                if t > end:
                    continue
                if util is not None and (top_util is None or util > top_util):
                    top_util = util
                if mem is not None and (top_mem is None or mem > top_mem):
                    top_mem = mem
                if t <= start:  # the last sample before the call also counts; older ones do not
                    break
        if top_util is None or top_mem is None:
            return None
        return top_util, top_mem

    # ---------------------------------------------------------------------- metrics
    def _register(self, meter: Meter) -> None:
        def observe(value_of):
            def callback(options: CallbackOptions) -> Iterable[Observation]:
                for s in self.latest:
                    value = value_of(s)
                    if value is not None:
                        yield Observation(value, {"hw.id": s.uuid, "hw.name": s.name, "hw.type": "gpu"})
            return callback

        def processes(options: CallbackOptions) -> Iterable[Observation]:
            for s in self.latest:
                for pid, used in s.processes.items():
                    yield Observation(used, {"hw.id": s.uuid, "process.pid": pid})

        meter.create_observable_gauge(A.METRIC_GPU_UTILIZATION, [observe(lambda s: s.utilization)], unit="1")
        meter.create_observable_up_down_counter(A.METRIC_GPU_MEMORY_USAGE, [observe(lambda s: s.memory_used)], unit="By")
        meter.create_observable_up_down_counter(A.METRIC_GPU_MEMORY_LIMIT, [observe(lambda s: s.memory_total)], unit="By")
        meter.create_observable_gauge(A.METRIC_GPU_POWER, [observe(lambda s: s.power_w)], unit="W")
        meter.create_observable_counter(A.METRIC_GPU_ENERGY, [observe(lambda s: s.energy_j)], unit="J")
        meter.create_observable_gauge(A.METRIC_GPU_TEMPERATURE, [observe(lambda s: s.temperature_c)], unit="Cel")
        meter.create_observable_up_down_counter(A.METRIC_GPU_PROCESS_MEMORY, [processes], unit="By")
