"""GPU sampler: the NVML-less path for real, the sampling logic through a fake NVML module."""

from __future__ import annotations

import logging
import sys
import time
from types import SimpleNamespace

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

import pharos.sdk as sdk
from pharos.sdk._gpu import GpuSampler
from pharos.sdk._state import STATE


class FakeNVML:
    """Stands in for pynvml at the module boundary: two devices, one without power readings."""

    NVML_TEMPERATURE_GPU = 0

    class NVMLError(Exception):
        pass

    def __init__(self, util=(30, 70), used=(1 << 30, 3 << 30)):
        self.util = list(util)
        self.used = list(used)
        self.calls = 0
        self.shut = False

    def nvmlInit(self):
        pass

    def nvmlShutdown(self):
        self.shut = True

    def nvmlDeviceGetCount(self):
        return 2

    def nvmlDeviceGetHandleByIndex(self, i):
        return i

    def nvmlDeviceGetUUID(self, h):
        return f"GPU-{h}".encode()

    def nvmlDeviceGetName(self, h):
        return "Fake H100"

    def nvmlDeviceGetUtilizationRates(self, h):
        self.calls += 1
        return SimpleNamespace(gpu=self.util[h], memory=0)

    def nvmlDeviceGetMemoryInfo(self, h):
        return SimpleNamespace(used=self.used[h], total=80 << 30, free=0)

    def nvmlDeviceGetPowerUsage(self, h):
        if h == 1:
            raise self.NVMLError("Not Supported")
        return 250_000  # mW

    def nvmlDeviceGetTotalEnergyConsumption(self, h):
        return 5_000_000  # mJ

    def nvmlDeviceGetTemperature(self, h, sensor):
        return 61

    def nvmlDeviceGetComputeRunningProcesses(self, h):
        return [SimpleNamespace(pid=4242, usedGpuMemory=512 << 20)] if h == 0 else []


def test_without_nvml_library_it_says_so_once_at_debug_and_carries_on(caplog):
    # nvidia-ml-py is installed here but there is no driver/GPU: nvmlInit raises.
    caplog.set_level(logging.DEBUG, logger="pharos.sdk")
    sampler = GpuSampler(0.01)
    assert sampler.start() is False and sampler.available is False
    records = [r for r in caplog.records if "GPU sampling off" in r.getMessage()]
    assert len(records) == 1 and records[0].levelno == logging.DEBUG
    assert sampler.window(0, 1e12) is None
    sampler.stop()


def test_broken_nvml_module():
    class Broken:
        def nvmlInit(self):
            raise OSError("libnvidia-ml.so.1: cannot open shared object file")

    assert GpuSampler(0.01, nvml=Broken()).start() is False


def test_init_without_gpu_still_traces(telemetry):
    t = telemetry(gpu_sampling_interval_s=0.05)
    assert STATE.gpu is None
    with sdk.llm_span("chat", model="m"):
        pass
    assert "pharos.gpu.utilization" not in t.spans()[0].attributes


def test_sample_readings_and_metrics():
    nvml = FakeNVML()
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    sampler = GpuSampler(3600, nvml=nvml)  # the thread will not tick again during the test
    assert sampler.start(provider.get_meter("t")) is True
    try:
        d0, d1 = sampler.latest
        assert (d0.uuid, d0.name, d0.utilization, d0.memory_used, d0.memory_total) == (
            "GPU-0", "Fake H100", 0.30, 1 << 30, 80 << 30)
        assert (d0.power_w, d0.energy_j, d0.temperature_c, d0.processes) == (250.0, 5000.0, 61.0, {4242: 512 << 20})
        assert d1.power_w is None  # not supported on that device: just missing
        points = {}
        for rm in reader.get_metrics_data().resource_metrics:
            for sm in rm.scope_metrics:
                for m in sm.metrics:
                    points[m.name] = {(p.attributes.get("hw.id"), p.attributes.get("process.pid")): p.value
                                      for p in m.data.data_points}
        assert points["hw.gpu.utilization"] == {("GPU-0", None): 0.30, ("GPU-1", None): 0.70}
        assert points["hw.gpu.memory.usage"][("GPU-1", None)] == 3 << 30
        assert points["hw.gpu.memory.limit"][("GPU-0", None)] == 80 << 30
        assert points["hw.power"] == {("GPU-0", None): 250.0}
        assert points["hw.energy"][("GPU-0", None)] == 5000.0
        assert points["hw.temperature"][("GPU-1", None)] == 61.0
        assert points["pharos.gpu.process.memory.usage"] == {("GPU-0", 4242): 512 << 20}
    finally:
        sampler.stop()
    assert nvml.shut is True


def test_window_takes_peak_of_samples_during_the_call():
    nvml = FakeNVML()
    sampler = GpuSampler(3600, nvml=nvml)
    sampler._handles = [0, 1]
    sampler._history.clear()
    # synthetic timeline: (time, max util, summed memory)
    sampler._history.extend([(1.0, 0.1, 100), (2.0, 0.5, 300), (3.0, 0.9, 200), (4.0, 0.2, 900)])
    assert sampler.window(2.5, 3.5) == (0.9, 300)  # sample at 3.0 plus the one before the call (2.0)
    assert sampler.window(1.2, 1.4) == (0.1, 100)  # shorter than the interval: last sample before it
    assert sampler.window(0.0, 0.5) is None  # nothing sampled yet


def test_window_while_the_sampler_thread_appends():
    """Calls read the history while the thread appends and trims it: never an error (a 'deque mutated
    during iteration' here used to cost the span all of its end attributes)."""
    sampler = GpuSampler(0, nvml=FakeNVML())  # interval 0: the thread samples without pause
    assert sampler.start() is True
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # hand the GIL over often, in the middle of reading the history
    try:
        for _ in range(2000):
            assert sampler.window(0, time.monotonic()) is not None  # the whole history
    finally:
        sys.setswitchinterval(switch)
        sampler.stop()


def test_span_carries_gpu_use(telemetry):
    nvml = FakeNVML(util=(10, 95), used=(1 << 30, 2 << 30))
    t = telemetry(gpu_sampling_interval_s=3600, nvml=nvml)
    assert STATE.gpu is not None
    with sdk.llm_span("chat", model="m"):
        pass
    a = t.spans()[0].attributes
    assert a["pharos.gpu.utilization"] == pytest.approx(0.95)
    assert a["pharos.gpu.memory.used"] == 3 << 30
    sdk.shutdown()
    assert nvml.shut is True and STATE.gpu is None


def test_sampler_thread_keeps_sampling():
    nvml = FakeNVML()
    sampler = GpuSampler(0.01, nvml=nvml)
    sampler.start()
    try:
        for _ in range(500):
            if nvml.calls >= 10:
                break
            sampler._stop.wait(0.01)
    finally:
        sampler.stop()
    assert nvml.calls >= 10
    calls = nvml.calls
    sampler._stop.wait(0.05)
    assert nvml.calls == calls  # stopped for good
