"""Near-duplicate checks shared by the prompt-injection data generators: word 5-gram shingles, an inverted index
answering "is this text within Jaccard ``JACCARD`` of a stored one", and the text keys they sort and compare by."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict

JACCARD = 0.5
WORD = re.compile(r"[a-z0-9']+")  # the default: ASCII words (what every generator's near-duplicate filter used first)
UNICODE_WORD = re.compile(r"\w+")  # words of any script: Cyrillic, Greek, and Latin words with diacritics whole


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def shingles(text: str, words: re.Pattern = WORD) -> frozenset[tuple[str, ...]]:
    """Word 5-grams; for a text with no word (by default: no Latin-alphabet word, as in Chinese or Arabic), character
    5-grams of its non-space characters, so that two such texts are not all equal to one empty shingle."""
    w = words.findall(text.lower()) or list(re.sub(r"\s+", "", text.lower()))
    return frozenset(tuple(w[i:i + 5]) for i in range(max(1, len(w) - 4)))


class NearDup:
    """Word 5-gram Jaccard index: ``hit(text)`` is True when a stored text has Jaccard >= ``JACCARD`` with it.
    ``words`` is what counts as a word (``WORD``, or ``UNICODE_WORD`` for texts in any script)."""

    def __init__(self, words: re.Pattern = WORD) -> None:
        self.words = words
        self.sets: list[frozenset] = []
        self.index: dict[tuple, list[int]] = defaultdict(list)

    def add(self, text: str) -> None:
        s = shingles(text, self.words)
        for g in s:
            self.index[g].append(len(self.sets))
        self.sets.append(s)

    def hit(self, text: str) -> bool:
        s = shingles(text, self.words)
        seen = Counter(i for g in s for i in self.index.get(g, ()))
        return any(n / (len(s) + len(self.sets[i]) - n) >= JACCARD for i, n in seen.items())
