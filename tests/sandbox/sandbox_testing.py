"""Helpers of the sandbox tests (CLI runs, run records)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def pharos_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "pharos", "sandbox", *args]


def run_cli(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run(pharos_cmd(*args), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    return proc


def read_run(results: Path, stdout: str, prefix: str) -> dict:
    ids = [w.rstrip(":") for line in stdout.splitlines() for w in line.split()[:2] if w.startswith(prefix)]
    assert ids, stdout
    return json.loads((results / "runs" / f"{ids[-1].rstrip(':')}.json").read_text())
