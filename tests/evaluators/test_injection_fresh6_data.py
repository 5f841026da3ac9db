"""The sixth fresh blind held-out prompt-injection file (``injection_test_fresh6.jsonl``), through the shared
fresh-set tests (tests/fresh_set_checks.py ``FreshSetTests``), compared with the five earlier fresh sets; its wheels
are new (no other generator, the licence table or another helper's claim names one of them); and its benign rows mix
requests, instruction-like texts and other languages."""

import fresh_set_checks as checks
from pharos_testing import data_script


class TestFresh6(checks.FreshSetTests):
    gen = data_script("make_injection_fresh6")
    floors = dict(benign=(250, 500), attacks=(250, 500), attack_sources=9, benign_sources=6, benign_only_sources=3)
    compared = ("injection_test_fresh.jsonl", "injection_test_fresh2.jsonl", "injection_test_fresh3.jsonl",
                "injection_test_fresh4.jsonl", "injection_test_fresh5.jsonl")
    owner, pin = "fresh6", r"ai-aegis==1\.0\.3"

    def test_benign_rows_mix_requests_instructions_and_languages(self):
        """Benign rows are not only English questions: system prompts and look-alikes that say ignore / forget /
        override are there, and at least five other languages."""
        benign = [r for r in checks.rows(self.gen) if r["label"] == 0]
        assert any(r["source"].startswith("spyv") and r["text"].startswith("You are") for r in benign)
        assert sum(any(w in r["text"].lower() for w in ("ignore", "forget", "override", "disregard"))
                   for r in benign) >= 10
        assert len({r.get("lang") for r in benign} - {None}) >= 5
