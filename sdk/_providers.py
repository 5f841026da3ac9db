"""Which GenAI provider a client talks to, guessed from its base URL.

The value is what goes into ``gen_ai.provider.name``. A local or unknown host is assumed to be
an OpenAI-compatible server such as vLLM, which is what Pharos' sandbox runs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["infer_provider", "server_address"]

# (host suffix, provider name), first match wins
_HOST_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("api.openai.com", "openai"),
    ("openai.azure.com", "azure.ai.openai"),
    ("services.ai.azure.com", "azure.ai.inference"),
    ("models.inference.ai.azure.com", "azure.ai.inference"),
    ("api.groq.com", "groq"),
    ("api.deepseek.com", "deepseek"),
    ("api.mistral.ai", "mistral_ai"),
    ("api.x.ai", "x_ai"),
    ("generativelanguage.googleapis.com", "gcp.gemini"),
    ("aiplatform.googleapis.com", "gcp.vertex_ai"),
    ("api.anthropic.com", "anthropic"),
    ("api.cohere.com", "cohere"),
    ("api.perplexity.ai", "perplexity"),
    ("bedrock-runtime.amazonaws.com", "aws.bedrock"),
    ("api.together.xyz", "together_ai"),
    ("openrouter.ai", "openrouter"),
)


def server_address(base_url: object) -> tuple[str | None, int | None]:
    """``(host, port)`` of a URL; the port defaults from the scheme."""
    try:
        parts = urlsplit(str(base_url))
        host = parts.hostname
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
        return host, port
    except ValueError:
        return None, None


def infer_provider(base_url: object) -> str:
    """Provider name for ``base_url``: a known cloud by host, else ``"vllm"`` (local/self-hosted)."""
    host, port = server_address(base_url)
    host = (host or "").lower()
    for suffix, name in _HOST_SUFFIXES:
        if host == suffix or host.endswith("." + suffix):
            return name
    if port == 11434:  # Ollama's default port
        return "ollama"
    return "vllm"
