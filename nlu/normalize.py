"""The one text folding of the project: the bot's word lists and every extractor use it.

People type without accents, with curly apostrophes and in any case. Folding lowercases
and strips accents while keeping exactly one output character per input character, so a
match found in the folded text has the same ``start``/``end`` in the original text (entity
spans in a Rasa answer point into what the person typed). `match_key` is that folding with
punctuation made spaces, for comparing a whole message with a word ("¡Atrás!" -> "atras").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "fold_char", "match_key"]

_APOSTROPHES = "\u2019\u2018\u02bc\u00b4`\u2032"


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """Fold one character to one character (lowercase, no accent)."""
    if ch in _APOSTROPHES:
        return "'"
    if ch == "\u00f1" or ch == "\u00d1":
        return "n"
    base = unicodedata.normalize("NFD", ch)
    stripped = "".join(c for c in base if not unicodedata.combining(c)) or ch
    low = stripped.lower()
    return low if len(low) == 1 else ch


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        ch = chr(code)
        folded = fold_char(ch)
        if folded != ch:
            table[code] = folded
    for ch in _APOSTROPHES:
        table[ord(ch)] = "'"
    return table


_TABLE = _build_table()


def fold(text: str) -> str:
    """Lowercase and strip accents, one character out for each character in."""
    out = text.translate(_TABLE).lower()
    if len(out) == len(text):
        return out
    return "".join(fold_char(c) for c in text)  # rare: a character whose lowercase grows


_PUNCT = re.compile(r"[^\w\s']+")
_SPACES = re.compile(r"\s+")


def match_key(text: str) -> str:
    """`fold`, punctuation as spaces, single spaces, trimmed: how a message is compared with
    a command or a word list ("¡Atrás!" -> "atras", "Yon  moun." -> "yon moun")."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", fold(text))).strip()
