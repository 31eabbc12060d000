"""Character n-gram features, computed the same way at training and at parse time.

Why characters: misspellings ("kiero", "sita", "kancelar"), missing accents and mixed
languages break word features but keep most 3- and 4-letter pieces intact. Words are
padded with spaces (like scikit-learn's ``char_wb``) so word starts and ends count,
and whole words and word pairs are added too: short answers ("si", "non") are one word,
and a pair tells "no se" (I don't know) from "no".
"""

from __future__ import annotations

import itertools
import re

from nlu.normalize import fold

__all__ = ["NGRAM_RANGE", "analyze"]

NGRAM_RANGE = (2, 5)
_WORD = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")
_APOSTROPHE_PREFIX = re.compile(r"\b([mlnkw])'")  # Kreyòl m'ap, l'ap -> m ap


def analyze(text: str) -> list[str]:
    """The feature strings of one message (order irrelevant, repeats counted)."""
    folded = _APOSTROPHE_PREFIX.sub(r"\1 ", fold(text))
    words = _WORD.findall(folded)
    low, high = NGRAM_RANGE
    feats = [f"b:{a} {b}" for a, b in itertools.pairwise(words)]
    for word in words:
        feats.append("w:" + word)
        padded = f" {word} "
        n_chars = len(padded)
        for n in range(low, min(high, n_chars) + 1):
            feats.extend(padded[i : i + n] for i in range(n_chars - n + 1))
    return feats
