"""The fifth fresh blind held-out prompt-injection file (``injection_test_fresh5.jsonl``), through the shared
fresh-set tests (tests/fresh_set_checks.py ``FreshSetTests``), compared with the four earlier fresh sets; its wheels
are new (no other generator, the licence table or another helper's claim names one of them); and its benign rows are
not only short questions."""

import fresh_set_checks as checks
from pharos_testing import data_script


class TestFresh5(checks.FreshSetTests):
    gen = data_script("make_injection_fresh5")
    floors = dict(benign=(250, 500), attacks=(250, 500), attack_sources=9, benign_sources=6, benign_only_sources=3)
    compared = ("injection_test_fresh.jsonl", "injection_test_fresh2.jsonl", "injection_test_fresh3.jsonl",
                "injection_test_fresh4.jsonl")
    owner, pin = "fresh5", r"promptwl==0\.3\.2"

    def test_benign_rows_mix_requests_documents_and_tool_output(self):
        """Benign rows are not only short questions: FAQ answers, RAG passages and tool results are there too, and
        some benign rows are not English."""
        benign = [r for r in checks.rows(self.gen) if r["label"] == 0]
        assert sum(len(r["text"].split()) >= 25 for r in benign) >= 30  # paragraphs: answers, passages, long messages
        assert any(r["source"].startswith("trace2train") and r["text"].startswith("{") for r in benign)  # tool output
        assert {r.get("lang") for r in benign} - {None}
