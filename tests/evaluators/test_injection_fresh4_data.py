"""The fourth fresh blind held-out prompt-injection file (``injection_test_fresh4.jsonl``), through the shared
fresh-set tests (tests/fresh_set_checks.py ``FreshSetTests``), compared with the three earlier fresh sets; and its
wheels are new: no other generator, the licence table or another helper's claim names one of them."""

import fresh_set_checks as checks
from pharos_testing import data_script


class TestFresh4(checks.FreshSetTests):
    gen = data_script("make_injection_fresh4")
    floors = dict(benign=(250, 500), attacks=(250, 500), attack_sources=8, benign_only_sources=3)
    compared = ("injection_test_fresh.jsonl", "injection_test_fresh2.jsonl", "injection_test_fresh3.jsonl")
    owner, pin = "fresh4", r"promptshields==3\.2\.0"
