"""Give freed model-run buffers back to the operating system (glibc only; elsewhere nothing happens).

glibc serves an allocation of 128 KiB or more with its own memory map, and unmaps it when it is freed, until the
first such block is freed: from then on it raises that limit to the size just freed (up to 32 MiB), so later buffers
of that size come from the heap, and a heap keeps what was freed in its middle. An onnxruntime run allocates and frees
a few hundred KiB per activation, so the process keeps the peak of every run's buffers it has seen: 25-35 MB more
resident after a few hundred texts of mixed length, never returned. :func:`keep_large_buffers_mapped` fixes the limit
at glibc's own default, which turns the raising off: each run's buffers are unmapped after it. The price is CPU: fresh
maps are faulted in again on every run, about 5-10% more CPU per call with the routed prompt-injection model (4-12%
over repeated runs on a 2-core AVX2 machine; a limit of 1 MiB cost as much and kept 9 MB). In the freshness bench with
30% of calls in other languages the routed option then adds 277-292 MB instead of 296-317 (INJECTION_PASSES.md,
thirteenth pass, session 11). Scores do not change."""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

__all__ = ["keep_large_buffers_mapped"]

M_MMAP_THRESHOLD = -3  # malloc.h
THRESHOLD = 128 * 1024  # glibc's default
_done = threading.Event()


def keep_large_buffers_mapped() -> bool:
    """Fix glibc's memory-map threshold at its default, once per process. True where that was done (glibc)."""
    if _done.is_set():
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # glibc only: musl and macOS have no mallopt of this meaning
        ok = bool(libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD))
    except (OSError, AttributeError):
        return False
    if ok:
        _done.set()
    return ok
