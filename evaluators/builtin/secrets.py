"""Secrets and credentials in the input and output: cloud keys, tokens, private keys, ``sk-`` style keys,
JWTs, connection strings with passwords, ``password: ...`` in text. Typed findings with positions only."""

from __future__ import annotations

import math
import re

from pharos.evaluators.base import Finding, FindingsEvaluator

__all__ = ["SecretsEvaluator", "find_secrets"]

_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("PRIVATE_KEY", re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----")),
    ("AWS_ACCESS_KEY_ID", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    ("AWS_SECRET_ACCESS_KEY", re.compile(
        r"(?i)aws.{0,20}?(?:secret|private).{0,20}?['\"=: ]\s*['\"]?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])")),
    ("GITHUB_TOKEN", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b")),
    ("GITLAB_TOKEN", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b")),
    ("SLACK_TOKEN", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
    ("SLACK_WEBHOOK", re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+")),
    ("GOOGLE_API_KEY", re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")),
    ("STRIPE_KEY", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}\b")),
    ("ANTHROPIC_KEY", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}")),
    ("OPENAI_KEY", re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("HUGGINGFACE_TOKEN", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    ("NPM_TOKEN", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("SENDGRID_KEY", re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b")),
    ("TWILIO_KEY", re.compile(r"\bSK[0-9a-f]{32}\b")),
    ("AZURE_STORAGE_KEY", re.compile(r"AccountKey=[A-Za-z0-9+/=]{40,}")),
    ("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("CONNECTION_STRING", re.compile(r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@]{1,64}:[^\s@/]{3,128}@[\w.-]+")),
    ("BEARER_TOKEN", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{20,}=*")),
]
# password/secret/token assignments in prose or config: `password: hunter2!`, `my password is Tr0ub4dor&3`
_ASSIGN = re.compile(
    r"(?i)\b(pass(?:word|wd|phrase)?|pwd|secret|api[_ -]?key|access[_ -]?token|auth[_ -]?token|token|credentials?)"
    r"(?:\s+(?:is|was|=|:)|\s*[:=])\s*['\"]?([^\s'\",;]{6,128})")
_PLACEHOLDER = re.compile(r"(?i)^(?:x+|\*+|\.+|<[^>]*>|\{[^}]*\}|\$\{?\w+\}?|%\w+%|none|null|changeme|password|"
                          r"example\w*|your[_-]?\w+|redacted|hidden|secret|required|optional|reset|here|"
                          r"incorrect|wrong|invalid|correct|strong|weak|expired|missing|stored|set|empty)$")


def _entropy(s: str) -> float:
    counts = {c: s.count(c) for c in set(s)}
    return -sum(n / len(s) * math.log2(n / len(s)) for n in counts.values())


def find_secrets(text: str, where: str = "text") -> list[Finding]:
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in _RULES:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            found.append(Finding(kind, where, s, e))
    for m in _ASSIGN.finditer(text):
        value = m.group(2)
        s, e = m.span(2)
        if any(s < te and ts < e for ts, te in taken) or _PLACEHOLDER.match(value):
            continue
        if re.match(r"(?:os\.|process\.env|getenv|env\[|ENV\[|\$\{|\$\w)", value):
            continue  # read from the environment, not a literal
        if value.isalpha() and value.islower() and _entropy(value) < 3.0:
            continue  # an ordinary word ("password is required"), not a credential
        taken.append((s, e))
        found.append(Finding("PASSWORD" if m.group(1).lower().startswith(("pass", "pwd")) else "GENERIC_SECRET",
                             where, s, e))
    found.sort(key=lambda f: (f.where, f.start))
    return found


class SecretsEvaluator(FindingsEvaluator):
    """Value: number of secret findings (0 = clean). Attributes ``secrets.findings`` (type, where, positions)."""

    name, version, needs = "secrets", "1", ()
    label, noun = "secret", "secrets"

    def find(self, text: str, where: str) -> list[Finding]:
        return find_secrets(text, where)
