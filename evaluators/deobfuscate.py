"""Reveal text hidden from a reader: invisible Unicode tag characters, zero-width characters, look-alike
Cyrillic/Greek letters, runs of base64, base32, base85, hex or binary, rot13 and reversed text. The
prompt-injection classifier scores the revealed text, so an instruction is judged by what it says, not by how it is wrapped.

``reveal(text)`` returns the text with each decoded payload appended as ``[decoded: ...]``; text with nothing
hidden comes back unchanged (so its embedding is shared, through the cache, with the other evaluators).
Decoded payloads must be mostly printable and contain English words, so random ids, hashes and tokens stay as
they are."""

from __future__ import annotations

import base64
import binascii
import codecs
import re

__all__ = ["reveal", "payloads"]

_TAGS = re.compile("[\U000e0000-\U000e007f]+")
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
_HOMOGLYPHS = str.maketrans("АВСЕНІЈКМОРЅТХУаесіјорхуѕԁɡοΑΒΕΗΙΚΜΝΟΡΤΧΥΖ",
                            "ABCEHIJKMOPSTXYaecijopxysdgoABEHIKMNOPTXYZ")
_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_B32 = re.compile(r"[A-Z2-7]{16,}={0,6}")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}){8,}\b")
_BIN = re.compile(r"(?:[01]{8}\s?){4,}")
_B85 = re.compile(r"[0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]{20,}")
_WORDS = frozenset("the and you your all to of a is in it this that with for are be do not what me my now "
                   "ignore instructions previous rules system prompt show tell reveal send call output print "
                   "say reply answer follow above everything data password secret key".split())


def _englishness(text: str) -> float:
    words = re.findall(r"[a-z]+", text.lower())
    return sum(w in _WORDS for w in words) / len(words) if len(words) >= 3 else 0.0


def _printable(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    ok = sum(ch.isprintable() or ch in "\n\t" for ch in text)
    return text if text and ok / len(text) > 0.95 and _englishness(text) >= 0.2 else None


def _decoders(text: str):
    for m in _B64.finditer(text):
        s = m.group(0)
        try:
            yield _printable(base64.b64decode(s + "=" * (-len(s) % 4), validate=False))
        except (binascii.Error, ValueError):
            pass
    for m in _B32.finditer(text):
        s = m.group(0)
        try:
            yield _printable(base64.b32decode(s + "=" * (-len(s) % 8)))
        except (binascii.Error, ValueError):
            pass
    for m in _HEX.finditer(text):
        yield _printable(bytes.fromhex(m.group(0)))
    for m in _B85.finditer(text):
        if not _B64.fullmatch(m.group(0)):  # base64 runs are decoded above
            for decode in (base64.b85decode, base64.a85decode):
                try:
                    yield _printable(decode(m.group(0)))
                except (ValueError, binascii.Error):
                    pass
    for m in _BIN.finditer(text):
        bits = re.sub(r"\s", "", m.group(0))
        yield _printable(bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits) - 7, 8)))


def payloads(text: str) -> list[str]:
    """What ``text`` hides (see the module doc), each decoded payload on its own; empty when it hides nothing."""
    if not text:
        return []
    found: list[str] = []
    tags = _TAGS.findall(text)
    if tags:
        found += ["".join(chr(ord(ch) - 0xE0000) for ch in run) for run in tags]
        text = _TAGS.sub(" ", text)
    cleaned = _ZERO_WIDTH.sub("", text).translate(_HOMOGLYPHS)
    if cleaned != text:
        found.append(cleaned)
    base = _englishness(cleaned)
    for variant in (codecs.decode(cleaned, "rot13"), cleaned[::-1]):
        if _englishness(variant) >= max(0.25, base + 0.15):
            found.append(variant)
    found += [d for d in _decoders(cleaned) if d]
    return [d.strip()[:600] for d in found]


def reveal(text: str) -> str:
    """``text`` plus what it hides (see the module doc); unchanged when it hides nothing."""
    found = payloads(text)
    if not found:
        return text
    return _TAGS.sub(" ", text) + "".join(f" [decoded: {d}]" for d in found)
