"""Thanks as people write it ("gracias", "mesi anpil", "obrigadão", "thx", 🙏): not yes, not no.

Why a lexicon beside the model's ``thanks`` intent: like yes/no, the model learns "thx" or
"tysm" only from the examples it saw, while a whole message made of thanks words is thanks
whatever the model thinks. The lexicon decides only when nothing else is said ("gracias,
quiero una cita" is a request).
"""

from __future__ import annotations

import re

from nlu.entities.langs import table_langs
from nlu.normalize import fold
from nlu.packs import PackTable, on_reload

__all__ = ["thanks_only"]

_THANKS: PackTable = PackTable("thanks")
# Words that may surround thanks without making it something else.
_FILLER_WORDS = (
    "ok okay muy very so much mucho muito anpil lot a por su la de ayuda help you u pela "
    "sou your for the todo tout senor senora senhor senhora sir maam msye madanm ajuda ed "
    "info informacion informacao enfomasyon information"
)
_FILLER = frozenset(_FILLER_WORDS.split(" "))
_EMOJI = re.compile("[\U0001F64F\u2764\u2665\U0001F60A\U0001F642]")
_WORDS = re.compile(r"[a-z']+")
_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def _pattern(lang: str | None) -> re.Pattern[str]:
    key = table_langs(lang)
    pattern = _CACHE.get(key)
    if pattern is None:
        words = {fold(w.strip()) for code in key for w in _THANKS.get(code, "").split(",")}
        alt = "|".join(re.escape(w) for w in sorted(words - {""}, key=len, reverse=True))
        pattern = _CACHE[key] = re.compile(rf"(?<![\w'])(?:{alt})(?![\w'])")
    return pattern


def thanks_only(text: str, lang: str | None) -> bool:
    """Whether the message says thanks and nothing else ("muchas gracias!", "mesi anpil 🙏")."""
    folded = fold(text)
    pattern = _pattern(lang)
    found = bool(pattern.search(folded))
    if not found and _EMOJI.search(text) and not _WORDS.search(folded):
        return True  # 🙏 alone
    if not found:
        return False
    rest = _WORDS.findall(pattern.sub(" ", folded))
    return all(w in _FILLER for w in rest)


on_reload(_CACHE.clear)
