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

__all__ = ["thanks_only"]

_THANKS: dict[str, str] = {
    "es": "gracias, grasias, grax, muchas gracias, muchisimas gracias, mil gracias, "
    "gracias a dios, dios le bendiga, dios lo bendiga, dios te bendiga, que dios le bendiga, "
    "se lo agradezco, le agradezco, te agradezco, muy amable, mil bendiciones, bendiciones",
    "pt": "obrigado, obrigada, obrigadao, obg, brigado, brigada, valeu, muito obrigado, "
    "muito obrigada, agradeco, deus abencoe, gracas a deus",
    "ht": "mesi, mesi anpil, mesi bondye, mesi bokou, mesi anpil anpil, bondye beni w, "
    "bondye beni ou, m remesye w, mwen remesye w, m remesye ou, gras a dye, gras a bondye",
    "en": "thanks, thank you, thx, thnx, ty, tysm, thank u, thanks a lot, thank you so much, "
    "thanks so much, many thanks, appreciate it, i appreciate it, much appreciated, "
    "god bless, god bless you, bless you",
    "fr": "merci, merci beaucoup",
}
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
