"""Which entry of a small word table a typed answer names ("mi señora" -> spouse,
"tijuana" -> san_ysidro): the same spelling-by-ear key and one-typo tolerance as countries.

A phrase counts when its words appear together in the answer (whole words, any order of the
other words around it), or when the answer without spaces is the phrase without spaces
("elpaso"). An answer that names entries of two different values is ambiguous: None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from nlu.entities.countries import sound_key, within_one_edit

__all__ = ["Lexicon"]

#: Words this long or longer may carry one typo ("espossa", "tijuna").
_FUZZY_FROM = 5


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]
    value: str


class Lexicon:
    """Phrases (any language, any case or accents) mapped to values."""

    def __init__(self, table: Mapping[str, Iterable[str]]) -> None:
        phrases: list[_Phrase] = []
        for value, words in table.items():
            for phrase in words:
                key = tuple(sound_key(phrase).split())
                if key:
                    phrases.append(_Phrase(key, value))
        self._phrases = tuple(phrases)
        self._joined = {"".join(p.words): p.value for p in phrases}

    def match(self, text: str) -> str | None:
        """The one value the answer names, or None (nothing, or two different values)."""
        words = sound_key(text).split()
        if not words:
            return None
        exact = self._values(words, fuzzy=False)
        if exact:
            return exact.pop() if len(exact) == 1 else None
        joined = "".join(words)
        if joined in self._joined:
            return self._joined[joined]
        fuzzy = self._values(words, fuzzy=True)
        return fuzzy.pop() if len(fuzzy) == 1 else None

    def _values(self, words: list[str], *, fuzzy: bool) -> set[str]:
        """Values of the phrases found; a phrase inside a longer one found at the same place
        does not count ("brother" in "brother in law")."""
        spans: list[tuple[int, int, str]] = []
        for phrase in self._phrases:
            n = len(phrase.words)
            for i in range(len(words) - n + 1):
                if all(
                    _same(w, p, fuzzy) for w, p in zip(words[i : i + n], phrase.words, strict=True)
                ):
                    spans.append((i, i + n, phrase.value))
        return {
            value for start, end, value in spans
            if not any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)
        }

def _same(word: str, expected: str, fuzzy: bool) -> bool:
    if word == expected:
        return True
    return fuzzy and len(expected) >= _FUZZY_FROM and within_one_edit(word, expected)
