"""PII in the input and output: e-mail, phone, credit card (Luhn), IBAN (mod 97), IP address, national ids
(US SSN, UK NINO, ...). Findings are typed with positions; the matched text is never stored."""

from __future__ import annotations

import ipaddress
import re

from pharos.evaluators.base import Finding, FindingsEvaluator

__all__ = ["PiiEvaluator", "find_pii", "luhn_ok", "iban_ok"]

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}(?![\w-])")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}"  # international
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]?\d{4}"  # (555) 123-4567
    r"|\d{3}[.-]\d{3}[.-]\d{4}"  # 555-123-4567
    r"|0\d{1,4}[ ]\d{3,4}[ ]?\d{3,4}"  # national with trunk 0: 020 7946 0958
    r")(?![\w])")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])|(?<![\w:])::(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}(?![\w:])")
_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
_NINO = re.compile(r"\b(?![DFIQUV])[A-CEGHJ-PR-TW-Z](?![DFIOQUV])[A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_IBAN_LEN = {"AL": 28, "AD": 24, "AT": 20, "BE": 16, "BA": 20, "BG": 22, "HR": 21, "CY": 28, "CZ": 24, "DK": 18,
             "EE": 20, "FI": 18, "FR": 27, "DE": 22, "GI": 23, "GR": 27, "HU": 28, "IS": 26, "IE": 22, "IT": 27,
             "LV": 21, "LI": 21, "LT": 20, "LU": 20, "MT": 31, "MC": 27, "NL": 18, "NO": 15, "PL": 28, "PT": 25,
             "RO": 24, "SM": 27, "SK": 24, "SI": 19, "ES": 24, "SE": 24, "CH": 21, "GB": 22, "TR": 26, "SA": 24,
             "AE": 23, "IL": 23, "BR": 29, "UA": 29, "RS": 22, "ME": 22, "MK": 19, "KW": 30, "QA": 29, "JO": 30}
_CONTEXT_IP = re.compile(r"\bversion\b|\bv\d|\bOID\b", re.I)


def luhn_ok(digits: str) -> bool:
    total, alt = 0, False
    for ch in reversed(digits):
        d = ord(ch) - 48
        if alt:
            d *= 2
            if d > 9:
                d -= 9
        total += d
        alt = not alt
    return total % 10 == 0


def iban_ok(raw: str) -> bool:
    s = raw.replace(" ", "").upper()
    if _IBAN_LEN.get(s[:2]) != len(s):
        return False
    moved = s[4:] + s[:4]
    num = "".join(str(int(c, 36)) for c in moved)
    return int(num) % 97 == 1


def find_pii(text: str, where: str = "text") -> list[Finding]:
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, m: re.Match) -> None:
        s, e = m.span()
        if any(s < te and ts < e for ts, te in taken):
            return
        taken.append((s, e))
        found.append(Finding(kind, where, s, e))

    for m in _EMAIL.finditer(text):
        add("EMAIL", m)
    for m in _IBAN.finditer(text):
        if iban_ok(m.group()):
            add("IBAN", m)
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits) and len(set(digits)) > 1:
            add("CREDIT_CARD", m)
    for m in _SSN.finditer(text):
        add("US_SSN", m)
    for m in _NINO.finditer(text):
        add("UK_NINO", m)
    for m in _IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        before = text[max(0, m.start() - 12):m.start()]
        if not _CONTEXT_IP.search(before):
            add("IP_ADDRESS", m)
    for m in _IPV6.finditer(text):
        try:
            ipaddress.IPv6Address(m.group().split("%")[0])
        except ValueError:
            continue
        add("IP_ADDRESS", m)
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 7 <= len(digits) <= 15:
            add("PHONE_NUMBER", m)
    found.sort(key=lambda f: (f.where, f.start))
    return found


class PiiEvaluator(FindingsEvaluator):
    """Value: number of PII findings (0 = clean). Attributes: ``pii.findings`` (JSON: type, where, start, end),
    ``pii.types``. Label ``pii`` or ``clean``."""

    name, version, needs = "pii", "1", ()
    label, noun = "pii", "PII"

    def find(self, text: str, where: str) -> list[Finding]:
        return find_pii(text, where)
