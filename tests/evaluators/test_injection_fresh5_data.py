"""The fifth fresh blind held-out prompt-injection file (``injection_test_fresh5.jsonl``), through the shared
fresh-set checks (tests/fresh_set_checks.py), compared with the four earlier fresh sets; and its wheels are new: no
other generator, the licence table or another helper's claim names one of them."""

import fresh_set_checks as checks
from pharos_testing import data_script

gen = data_script("make_injection_fresh5")


def test_file_is_well_formed_with_both_labels_sources_and_licences():
    checks.check_well_formed(gen, benign=(250, 500), attacks=(250, 500), attack_sources=9, benign_sources=6,
                             benign_only_sources=3)


def test_benign_rows_mix_requests_documents_and_tool_output():
    """Benign rows are not only short questions: FAQ answers, RAG passages and tool results are there too, and some
    benign rows are not English."""
    benign = [r for r in checks.rows(gen) if r["label"] == 0]
    assert sum(len(r["text"].split()) >= 25 for r in benign) >= 30  # paragraphs: answers, passages, long messages
    assert any(r["source"].startswith("trace2train") and r["text"].startswith("{") for r in benign)  # tool output
    assert {r.get("lang") for r in benign} - {None}


def test_no_row_near_duplicates_a_row_of_another_injection_file():
    checks.check_unseen(gen, compared=("injection_test_fresh.jsonl", "injection_test_fresh2.jsonl",
                                       "injection_test_fresh3.jsonl", "injection_test_fresh4.jsonl"))


def test_no_source_is_used_by_another_generator():
    """The wheels are new: no other generator, nor another row of the licence table, names one of them."""
    checks.check_sources_unused(gen)


def test_no_source_is_claimed_by_another_helper():
    """Where the helpers' claim file is present, each wheel is claimed for this set and by no one else."""
    checks.check_claimed(gen, "fresh5")


def test_missing_wheel_stops_with_the_pip_command(tmp_path):
    checks.check_missing_wheel(gen, tmp_path, r"promptwl==0\.3\.2")


@checks.needs_wheels(gen)
def test_committed_file_is_what_the_generator_writes():
    checks.check_reproduced(gen)
