"""Text folding for matching what people type against words we expect."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s']+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: "¡Atrás!" -> "atras"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("ʼ", "'").replace("’", "'")
    return _SPACES.sub(" ", _PUNCT.sub(" ", stripped)).strip()
