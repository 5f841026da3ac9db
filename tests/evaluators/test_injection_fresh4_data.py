"""The fourth fresh blind held-out prompt-injection file (``injection_test_fresh4.jsonl``), through the shared
fresh-set checks (tests/fresh_set_checks.py), compared with the three earlier fresh sets; and its wheels are new: no
other generator, the licence table or another helper's claim names one of them."""

import fresh_set_checks as checks
from pharos_testing import data_script

gen = data_script("make_injection_fresh4")


def test_file_is_well_formed_with_both_labels_sources_and_licences():
    checks.check_well_formed(gen, benign=(250, 500), attacks=(250, 500), attack_sources=8, benign_only_sources=3)


def test_no_row_near_duplicates_a_row_of_another_injection_file():
    checks.check_unseen(gen, compared=("injection_test_fresh.jsonl", "injection_test_fresh2.jsonl",
                                       "injection_test_fresh3.jsonl"))


def test_no_source_is_used_by_another_generator():
    """The wheels are new: no other generator, nor another row of the licence table, names one of them."""
    checks.check_sources_unused(gen)


def test_no_source_is_claimed_by_another_helper():
    """Where the helpers' claim file is present, each wheel is claimed for this set and by no one else."""
    checks.check_claimed(gen, "fresh4")


def test_missing_wheel_stops_with_the_pip_command(tmp_path):
    checks.check_missing_wheel(gen, tmp_path, r"promptshields==3\.2\.0")


@checks.needs_wheels(gen)
def test_committed_file_is_what_the_generator_writes():
    checks.check_reproduced(gen)
