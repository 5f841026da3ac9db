"""Pure helpers: provider inference, price table, content shaping and masking, settings."""

from __future__ import annotations

import json

import pytest

from pharos.sdk import mask_pii
from pharos.sdk._content import ContentPolicy
from pharos.sdk._pricing import Price, PriceTable
from pharos.sdk._providers import infer_provider, server_address
from pharos.sdk.settings import SdkSettings


@pytest.mark.parametrize("url, provider", [
    ("https://api.openai.com/v1", "openai"),
    ("https://my-res.openai.azure.com/openai/deployments/x", "azure.ai.openai"),
    ("https://api.groq.com/openai/v1", "groq"),
    ("https://api.deepseek.com", "deepseek"),
    ("https://generativelanguage.googleapis.com/v1beta/openai/", "gcp.gemini"),
    ("http://localhost:11434/v1", "ollama"),
    ("http://127.0.0.1:8000/v1", "vllm"),
    ("http://vllm.internal:8000/v1", "vllm"),
    ("https://notopenai.com/v1", "vllm"),  # suffix match is per label, not per character
])
def test_infer_provider(url, provider):
    assert infer_provider(url) == provider


def test_server_address():
    assert server_address("https://api.openai.com/v1") == ("api.openai.com", 443)
    assert server_address("http://127.0.0.1:8000/v1") == ("127.0.0.1", 8000)


def test_price_lookup_and_snapshots():
    table = PriceTable()
    assert table.price("gpt-4o-2024-08-06") == table.price("gpt-4o")
    assert table.price("gpt-4o-mini") != table.price("gpt-4o")  # "-mini" is not a snapshot suffix
    assert table.price("llama-3-8b") is None
    assert table.cost("llama-3-8b", 10, 10) is None
    assert table.cost("gpt-4o", None, None) is None
    assert table.cost("gpt-4o", 1_000_000, 0) == pytest.approx(2.5)
    assert PriceTable({"m": Price(1.0)}).cost("m", 10, 0, cached_input_tokens=4) == pytest.approx(10 / 1e6)


def test_bad_price_file_keeps_defaults(tmp_path, caplog):
    bad = tmp_path / "p.json"
    bad.write_text("{not json")
    table = PriceTable.load(bad)
    assert table.price("gpt-4o") is not None
    assert "ignoring price file" in caplog.text


def test_mask_pii():
    text = "mail bob.smith@example.org, call +1 415-555-0100, card 4111 1111 1111 1111, key sk-abcdefghijklmnop1234"
    assert mask_pii(text) == "mail <EMAIL>, call <PHONE>, card <CARD>, key <SECRET>"
    assert mask_pii("The year 2024 had 365 days.") == "The year 2024 had 365 days."


def test_message_shapes():
    policy = ContentPolicy(capture=True, max_length=100)
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "x"}}]},
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get", "arguments": "{\"a\":1}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "42"},
    ]
    assert json.loads(policy.messages_json(messages)) == [
        {"role": "user", "parts": [{"type": "text", "content": "look"}, {"type": "image"}]},
        {"role": "assistant", "parts": [{"type": "tool_call", "id": "call_1", "name": "get", "arguments": "{\"a\":1}"}]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": "42"}]},
    ]


def test_settings_fields_are_documented():
    assert SdkSettings.__doc__.strip().splitlines()[0] == "SDK: how applications send traces."
    for name, field in SdkSettings.model_fields.items():
        assert field.description, name
    with pytest.raises(ValueError):
        SdkSettings(sample_ratio=1.5)
