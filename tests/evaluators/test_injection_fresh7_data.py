"""The seventh fresh blind held-out prompt-injection file (``injection_test_fresh7.jsonl``), through the shared
fresh-set tests (tests/fresh_set_checks.py ``FreshSetTests``), compared with the six earlier fresh sets; its wheels
are new (no other generator, the licence table or another helper's claim names one of them); and its benign rows mix
requests, instruction-like look-alikes and other languages."""

import fresh_set_checks as checks
from pharos_testing import data_script


class TestFresh7(checks.FreshSetTests):
    gen = data_script("make_injection_fresh7")
    floors = dict(benign=(150, 500), attacks=(250, 500), attack_sources=6, benign_sources=7, benign_only_sources=4)
    compared = ("injection_test_fresh.jsonl", "injection_test_fresh2.jsonl", "injection_test_fresh3.jsonl",
                "injection_test_fresh4.jsonl", "injection_test_fresh5.jsonl", "injection_test_fresh6.jsonl")
    owner, pin = "fresh7", r"wrg-ai-security-toolkit==0\.7\.1"

    def test_benign_rows_mix_requests_instructions_and_languages(self):
        """Benign rows are not only English questions: look-alikes that say ignore / forget are there, and at least
        five other languages."""
        benign = [r for r in checks.rows(self.gen) if r["label"] == 0]
        assert sum(any(w in r["text"].lower() for w in ("ignore", "forget", "instructions")) for r in benign) >= 3
        assert len({r.get("lang") for r in benign} - {None}) >= 5
