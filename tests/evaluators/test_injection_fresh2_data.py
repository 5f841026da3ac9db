"""The second fresh blind held-out prompt-injection file (``injection_test_fresh2.jsonl``), through the shared
fresh-set checks (tests/fresh_set_checks.py): at least 330 attacks since vexscan, canaryprobe, tripwire-eval and
hivetracered were added; JailbreakBench rows recorded under their own source name (``SOURCE_NAME``)."""

import fresh_set_checks as checks
from pharos_testing import data_script

gen = data_script("make_injection_fresh2")


def test_file_is_well_formed_with_both_labels_sources_and_licences():
    # target 250-500 each: 331 attacks once vexscan, canaryprobe, tripwire-eval and hivetracered were added
    checks.check_well_formed(gen, benign=(250, 500), attacks=(330, 500), attack_sources=3, benign_only_sources=3)


def test_no_row_near_duplicates_a_row_of_another_injection_file():
    checks.check_unseen(gen, compared=("injection_test_fresh.jsonl",))  # the first fresh set is among them


def test_missing_wheel_stops_with_the_pip_command(tmp_path):
    checks.check_missing_wheel(gen, tmp_path, r"vigia==0\.6\.2")


@checks.needs_wheels(gen)
def test_committed_file_is_what_the_generator_writes():
    checks.check_reproduced(gen)
