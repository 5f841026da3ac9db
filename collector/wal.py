"""Write-ahead log: accepted data is on disk before the client is acknowledged.

Layout under ``DATA_DIR/wal``::

    00000000000000000000.seg   segments, each named by the log position (LSN) of its first byte
    00000000000067108864.seg
    state.json                 {"id": "<uuid>", "committed": LSN, "intent": [start, end] | null}

A record is a 17-byte header ``magic u32 | crc32 u32 | length u32 | kind u8 | items u32`` followed by
``length`` payload bytes; the CRC covers kind, items and payload. LSNs are byte positions in the whole
log, so a record is named by where it ends and a range ``[start, end)`` names a batch.

Durability (``--wal-fsync``): ``always`` (default) acknowledges a request only after its record is
fsynced; concurrent requests share one fsync (group commit). ``interval`` fsyncs every
``--wal-fsync-interval-ms`` and acknowledges at once (a power cut can lose that window); ``off`` leaves
it to the OS (a process crash loses nothing, a power cut can).

The drain (:class:`pharos.collector.batcher.Batcher`) reads records from ``committed``, declares the
batch it is about to insert as the *intent*, inserts it with a deduplication token derived from the
range and the log's random ``id`` (so two collectors, or a log recreated from scratch, never share a
token), then advances ``committed``. After a crash the intent is replayed with the same token, so a
batch the store had already taken is not stored twice.

A record that fails its checks (a torn write at the end of the log after a crash, or damage) is
reported and skipped: reading resumes at the next valid record, so nothing before it is lost. A new
process always starts a new segment, so it never appends after a torn tail.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["WriteAheadLog", "Record", "WalFull", "FsyncPolicy", "KINDS"]

log = logging.getLogger(__name__)

FsyncPolicy = Literal["always", "interval", "off"]
KINDS = {"traces": 1, "metrics": 2, "scores": 3}
_KIND_NAMES = {v: k for k, v in KINDS.items()}
_MAGIC = 0x50574131  # "PWA1"
_HEADER = struct.Struct("<IIIBI")
_MAX_RECORD = 1 << 30
_SEGMENT_SUFFIX = ".seg"


class WalFull(Exception):
    """The log holds as much unwritten data as it may (or the disk is full); retry later."""


@dataclass(frozen=True)
class Record:
    start: int  # LSN of the header's first byte
    end: int  # LSN just past the payload
    kind: str
    items: int
    payload: bytes


def _crc(kind: int, items: int, payload: bytes) -> int:
    return zlib.crc32(payload, zlib.crc32(struct.pack("<BI", kind, items))) & 0xFFFFFFFF


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WriteAheadLog:
    def __init__(self, directory: Path | str, fsync: FsyncPolicy = "always", fsync_interval_ms: int = 100,
                 segment_bytes: int = 64 * 1024 * 1024, max_bytes: int = 1024**3):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.policy: FsyncPolicy = fsync
        self._interval = fsync_interval_ms / 1000
        self._segment_bytes = segment_bytes
        self.max_bytes = max_bytes
        self._lock = threading.Lock()  # appends, segment roll
        self._sync_lock = threading.Lock()  # one fsync at a time
        self.appended = threading.Condition(self._lock)  # notified when more becomes durable
        self.corrupt_records = 0
        self.corrupt_bytes = 0
        state = self._read_state()
        self.id: str = state["id"]
        self.committed: int = state["committed"]
        self.intent: tuple[int, int] | None = tuple(state["intent"]) if state.get("intent") else None
        starts = self._segment_starts()
        # a new segment for this process, starting where the last one ends (never append after a torn tail)
        self._end = (starts[-1] + (self._seg_path(starts[-1]).stat().st_size)) if starts else self.committed
        self._end = max(self._end, self.committed)
        self._seg_start = self._end
        self._fd = os.open(self._seg_path(self._end), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._seg_size = os.fstat(self._fd).st_size
        self._end += self._seg_size  # (a fresh file: 0)
        _fsync_dir(self.dir)
        self._synced = self._end
        self._retired: list[int] = []
        self._closed = False
        self._syncer: threading.Thread | None = None
        if self.policy == "interval":
            self._syncer = threading.Thread(target=self._sync_periodically, name="pharos-wal-fsync", daemon=True)
            self._syncer.start()

    # ---- positions -------------------------------------------------------------------------------
    @property
    def end(self) -> int:
        """LSN after the last appended record."""
        return self._end

    @property
    def readable_end(self) -> int:
        """How far the drain may read: with ``always``, only what is durable (and so acknowledged)."""
        return self._synced if self.policy == "always" else self._end

    def backlog_bytes(self) -> int:
        return self._end - self.committed

    # ---- appending -------------------------------------------------------------------------------
    def append(self, kind: str, payload: bytes, items: int) -> int:
        """Append one record; returns its end LSN (pass it to :meth:`wait_durable`)."""
        code = KINDS[kind]
        if len(payload) > _MAX_RECORD:
            raise ValueError(f"a write-ahead-log record is limited to {_MAX_RECORD} bytes")
        header = _HEADER.pack(_MAGIC, _crc(code, items, payload), len(payload), code, items)
        size = len(header) + len(payload)
        with self._lock:
            if self._closed:
                raise WalFull("the write-ahead log is closed")
            backlog = self._end - self.committed
            if backlog and backlog + size > self.max_bytes:
                raise WalFull(f"{backlog} bytes of accepted data wait for the store (limit {self.max_bytes})")
            if self._seg_size and self._seg_size + size > self._segment_bytes:
                self._roll()
            try:
                written = os.writev(self._fd, (header, payload))  # (no copy of the payload)
                if written != size:
                    raise OSError(f"short write ({written} of {size} bytes)")
            except OSError as exc:
                os.ftruncate(self._fd, self._seg_size)  # leave no partial record behind
                raise WalFull(f"cannot append to the write-ahead log: {exc}") from exc
            self._seg_size += size
            self._end += size
            return self._end

    def _roll(self) -> None:
        """Start a new segment (called with the lock held)."""
        if self.policy != "off":
            os.fsync(self._fd)
        self._retired.append(self._fd)  # closed once no fsync can still be using it
        self._seg_start = self._end
        self._fd = os.open(self._seg_path(self._seg_start), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._seg_size = 0
        _fsync_dir(self.dir)

    def wait_durable(self, lsn: int) -> None:
        """Return once everything up to ``lsn`` is on disk (``always``); at once for other policies."""
        if self.policy == "always":
            self.sync(lsn)

    def sync(self, lsn: int | None = None) -> None:
        """fsync the log up to ``lsn`` (default: everything appended). Concurrent callers share one fsync."""
        with self._sync_lock:
            if lsn is not None and self._synced >= lsn:
                return
            with self._lock:
                target, fd, retired = self._end, self._fd, self._retired
                self._retired = []
            if target > self._synced:
                os.fdatasync(fd)
            for old in retired:
                os.close(old)
            with self._lock:
                self._synced = max(self._synced, target)
                self.appended.notify_all()

    def _sync_periodically(self) -> None:
        stop = threading.Event()
        while not self._closed and not stop.wait(self._interval):
            try:
                self.sync()
            except OSError as exc:  # closed underneath us at shutdown, or a disk error
                if not self._closed:
                    log.error("write-ahead log fsync failed: %s", exc)

    # ---- reading ---------------------------------------------------------------------------------
    def read(self, start: int, stop: int | None = None, max_items: int | None = None) -> tuple[list[Record], int]:
        """Records from ``start`` up to ``stop`` (default: the readable end), stopping once they hold
        ``max_items`` items (at least one record), and the LSN reading stopped at (the next batch's start).
        Damaged records are reported, counted and skipped."""
        stop = self.readable_end if stop is None else stop
        records: list[Record] = []
        pos, items, full = start, 0, False
        starts = self._segment_starts()
        for seg, nxt in zip(starts, [*starts[1:], None]):
            seg_end = stop if nxt is None else min(nxt, stop)
            if seg_end <= pos:
                continue
            pos = max(pos, seg)  # (segments before it were already deleted)
            if pos >= stop:
                break
            pos, items, full = self._read_segment(seg, pos, seg_end, records, max_items, items)
            if full:
                break
        if not full and pos < stop:  # the rest of the range is in no segment file (deleted by hand?)
            self._report_corruption(pos, stop - pos)
            pos = stop
        return records, max(pos, start)

    def _read_segment(self, seg: int, pos: int, seg_end: int, out: list[Record], max_items: int | None,
                      items: int) -> tuple[int, int, bool]:
        # Record by record, so a batch reads what it takes, not the whole backlog behind it.
        with open(self._seg_path(seg), "rb", buffering=1 << 20) as f:
            f.seek(pos - seg)
            while pos < seg_end:
                if max_items is not None and items >= max_items and out:
                    return pos, items, True
                rec = self._read_record(f, pos, seg_end)
                if rec is None:  # damaged or torn: go on at the next record that checks out
                    f.seek(pos - seg)
                    data = f.read(seg_end - pos)
                    nxt = self._resync(data, 1, pos)
                    self._report_corruption(pos, (len(data) if nxt is None else nxt))
                    if nxt is None:
                        break
                    pos += nxt
                    f.seek(pos - seg)
                    continue
                out.append(rec)
                items += rec.items
                pos = rec.end
        return seg_end, items, False

    @staticmethod
    def _read_record(f, pos: int, limit: int) -> Record | None:
        header = f.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return None
        magic, crc, length, code, items = _HEADER.unpack(header)
        end = pos + _HEADER.size + length
        if magic != _MAGIC or code not in _KIND_NAMES or end > limit:
            return None
        payload = f.read(length)
        if len(payload) != length or _crc(code, items, payload) != crc:
            return None
        return Record(pos, end, _KIND_NAMES[code], items, payload)

    @staticmethod
    def _parse(data: bytes, off: int, base: int) -> Record | None:
        if len(data) - off < _HEADER.size:
            return None
        magic, crc, length, code, items = _HEADER.unpack_from(data, off)
        if magic != _MAGIC or code not in _KIND_NAMES or off + _HEADER.size + length > len(data):
            return None
        payload = data[off + _HEADER.size: off + _HEADER.size + length]
        if _crc(code, items, payload) != crc:
            return None
        return Record(base + off, base + off + _HEADER.size + length, _KIND_NAMES[code], items, payload)

    def _resync(self, data: bytes, off: int, base: int) -> int | None:
        magic = struct.pack("<I", _MAGIC)
        while True:
            off = data.find(magic, off)
            if off < 0:
                return None
            if self._parse(data, off, base) is not None:
                return off
            off += 1

    def _report_corruption(self, lsn: int, nbytes: int) -> None:
        self.corrupt_records += 1
        self.corrupt_bytes += nbytes
        log.error("write-ahead log: %d damaged byte(s) at position %d (a torn write or disk damage) skipped; "
                  "the records around them are kept", nbytes, lsn)

    # ---- the drain's bookkeeping -----------------------------------------------------------------
    def declare_intent(self, start: int, end: int) -> None:
        """Record (durably) that the batch ``[start, end)`` is about to be inserted. The same state write
        records the previous batch's commit (``start``), so each batch costs one state write."""
        with self._lock:
            self.committed = start
            self.intent = (start, end)
        self._write_state()
        self._drop_segments_before(start)

    def commit(self, end: int) -> None:
        """Everything before ``end`` is in the store. Kept in memory until the next intent (or close) is
        written: a crash in between replays this batch once more, which its token makes a no-op."""
        with self._lock:
            self.committed = end
            self.intent = None
        if self._closed:
            self._write_state()

    def _drop_segments_before(self, lsn: int) -> None:
        starts = self._segment_starts()
        for seg, nxt in zip(starts, starts[1:]):
            if nxt <= lsn and seg != self._seg_start:
                self._seg_path(seg).unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self.policy != "off":
            self.sync()
        self._write_state()
        self._drop_segments_before(self.committed)
        with self._lock:
            for fd in [self._fd, *self._retired]:
                os.close(fd)
            self._retired = []

    # ---- files -----------------------------------------------------------------------------------
    def _seg_path(self, start: int) -> Path:
        return self.dir / f"{start:020d}{_SEGMENT_SUFFIX}"

    def _segment_starts(self) -> list[int]:
        return sorted(int(p.stem) for p in self.dir.glob(f"*{_SEGMENT_SUFFIX}") if p.stem.isdigit())

    def _read_state(self) -> dict:
        path = self.dir / "state.json"
        if not path.exists():
            import uuid

            self.id, self.committed, self.intent = uuid.uuid4().hex, 0, None
            self._write_state()
        return json.loads(path.read_text())

    def _write_state(self) -> None:
        path, tmp = self.dir / "state.json", self.dir / "state.json.tmp"
        with open(tmp, "w") as f:
            json.dump({"id": self.id, "committed": self.committed,
                       "intent": list(self.intent) if self.intent else None}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(self.dir)
