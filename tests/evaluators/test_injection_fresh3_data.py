"""The third fresh blind held-out prompt-injection file (``injection_test_fresh3.jsonl``), through the shared
fresh-set checks (tests/fresh_set_checks.py), compared with both earlier fresh sets; and its wheels are new: no other
generator reads one, but for the documented one whose documentation the held-out docs set cut."""

import fresh_set_checks as checks
from pharos_testing import data_script

gen = data_script("make_injection_fresh3")


def test_file_is_well_formed_with_both_labels_sources_and_licences():
    checks.check_well_formed(gen, benign=(250, 500), attacks=(250, 500), attack_sources=3, benign_only_sources=3)


def test_no_row_near_duplicates_a_row_of_another_injection_file():
    checks.check_unseen(gen, compared=("injection_test_fresh.jsonl", "injection_test_fresh2.jsonl"))


def test_no_source_is_used_by_another_generator():
    """The wheels are new: no other generator, nor another row of the licence table, names one of them (but for
    the documented one whose documentation, not this data, the held-out docs set cut)."""
    checks.check_sources_unused(gen, {d: {"make_injection_docs_benign.py"} for d in gen.DOCS_SET_WHEELS})


def test_missing_wheel_stops_with_the_pip_command(tmp_path):
    checks.check_missing_wheel(gen, tmp_path, r"agentprobe-injection==0\.2\.0a1")


@checks.needs_wheels(gen)
def test_committed_file_is_what_the_generator_writes():
    checks.check_reproduced(gen)
