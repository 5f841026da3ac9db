"""The write-ahead log: records read back as written, across segments and restarts; a torn or damaged
record is reported and skipped without losing the records around it; a full log or a full disk refuses
new records cleanly; concurrent writers share fsyncs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from pharos.collector.wal import WalFull, WriteAheadLog


def _payloads(wal: WriteAheadLog, start: int = 0) -> list[bytes]:
    records, _ = wal.read(start, stop=wal.end)
    return [r.payload for r in records]


def test_records_round_trip_across_segments_and_restarts(tmp_path):
    wal = WriteAheadLog(tmp_path, segment_bytes=200)
    sent = [bytes([i]) * (10 + i) for i in range(30)]
    for p in sent:
        wal.append("traces", p, 1)
    assert len(list(tmp_path.glob("*.seg"))) > 3  # rolled
    assert _payloads(wal) == sent
    wal.close()
    again = WriteAheadLog(tmp_path, segment_bytes=200)
    again.append("metrics", b"after restart", 2)
    records, end = again.read(0, stop=again.end)
    assert [r.payload for r in records] == [*sent, b"after restart"] and end == again.end
    assert records[-1].kind == "metrics" and records[-1].items == 2


def test_read_stops_at_max_items_and_commit_drops_old_segments(tmp_path):
    wal = WriteAheadLog(tmp_path, segment_bytes=100)
    for i in range(20):
        wal.append("traces", b"%02d" % i * 10, 5)
    assert wal.read(0) == ([], 0)  # with fsync=always only what is durable (acknowledged) is read
    wal.sync()
    records, end = wal.read(0, max_items=12)
    assert len(records) == 3 and end == records[-1].end
    wal.commit(end)
    rest, _ = wal.read(wal.committed)
    assert [r.payload for r in rest] == [b"%02d" % i * 10 for i in range(3, 20)]
    wal.commit(wal.end)
    wal.close()  # (or the next batch's intent) makes the commit durable and drops what it covers
    assert len(list(tmp_path.glob("*.seg"))) == 1  # only the one being written remains


def test_a_torn_tail_is_reported_and_skipped_keeping_what_came_before(tmp_path):
    wal = WriteAheadLog(tmp_path)
    wal.append("traces", b"first", 1)
    wal.append("traces", b"second", 1)
    wal.close()
    (seg,) = tmp_path.glob("*.seg")
    data = seg.read_bytes()
    seg.write_bytes(data + data[:-3][-(len(data) // 2):])  # a record cut short by a crash
    again = WriteAheadLog(tmp_path)
    again.append("traces", b"third", 1)
    records, end = again.read(0, stop=again.end)
    assert [r.payload for r in records] == [b"first", b"second", b"third"]
    assert again.corrupt_records == 1 and end == again.end


def test_damage_in_the_middle_skips_only_the_damaged_record(tmp_path):
    wal = WriteAheadLog(tmp_path)
    ends = [wal.append("traces", p, 1) for p in (b"a" * 50, b"b" * 50, b"c" * 50)]
    wal.close()
    (seg,) = tmp_path.glob("*.seg")
    data = bytearray(seg.read_bytes())
    data[ends[0] + 30] ^= 0xFF  # flip a byte inside the second record's payload
    seg.write_bytes(bytes(data))
    again = WriteAheadLog(tmp_path)
    assert _payloads(again) == [b"a" * 50, b"c" * 50]
    assert again.corrupt_records == 1 and again.corrupt_bytes == ends[1] - ends[0]


def test_a_full_log_refuses_new_records_until_the_store_catches_up(tmp_path):
    wal = WriteAheadLog(tmp_path, max_bytes=1000)
    while True:
        try:
            wal.append("traces", b"x" * 100, 1)
        except WalFull as exc:
            assert "wait for the store" in str(exc)
            break
    wal.commit(wal.end)
    wal.append("traces", b"x" * 100, 1)  # room again


def test_a_full_disk_refuses_cleanly_and_keeps_earlier_records(tmp_path):
    # RLIMIT_FSIZE stands in for a full disk: writes past it fail with EFBIG (SIGXFSZ ignored)
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pharos.collector.wal import WalFull, WriteAheadLog
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        wal = WriteAheadLog({str(tmp_path)!r})
        wal.append("traces", b"kept" * 100, 1)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        try:
            wal.append("traces", b"y" * 5000, 1)
        except WalFull as exc:
            print("refused:", exc)
        wal.append("traces", b"small", 1)
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "refused: cannot append to the write-ahead log" in out.stdout and "ok" in out.stdout
    assert _payloads(WriteAheadLog(tmp_path)) == [b"kept" * 100, b"small"]


def test_concurrent_writers_share_fsyncs(tmp_path, monkeypatch):
    import os

    wal = WriteAheadLog(tmp_path)
    calls = []
    real = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: (calls.append(fd), real(fd)))
    barrier = threading.Barrier(8)

    def writer():
        barrier.wait()
        for _ in range(25):
            wal.wait_durable(wal.append("traces", b"z" * 200, 1))

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wal.readable_end == wal.end  # everything acknowledged is durable
    assert 1 <= len(calls) <= 200  # never more fsyncs than appends (group commit usually makes it far fewer)


@pytest.mark.parametrize("policy", ["interval", "off"])
def test_other_fsync_policies_acknowledge_at_once(tmp_path, policy):
    wal = WriteAheadLog(tmp_path, fsync=policy, fsync_interval_ms=10)
    end = wal.append("traces", b"x", 1)
    wal.wait_durable(end)
    assert wal.readable_end == end
    wal.close()
