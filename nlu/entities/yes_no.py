"""Yes and no as people answer them: "si", "sip", "dale", "wi", "sim", "nao", "pa vre", 👍.

The earliest phrase wins, and longer phrases are tried before their first word, so
"claro que no" is no and "no se" (I don't know) is neither.
"""

from __future__ import annotations

import re

from nlu.entities.langs import table_langs
from nlu.normalize import fold
from nlu.packs import PackTable, on_reload

__all__ = ["parse_yes_no", "yes_no_only"]

_YES: PackTable = PackTable("yes_words")
_NO: PackTable = PackTable("no_words")
# "I don't know" in every language: neither yes nor no.
_UNSURE = (
    "no se, no lo se, nose, no sabria, talvez, tal vez, quizas, quiza, nao sei, sei la, "
    "i don't know, i dont know, idk, dunno, maybe, m pa konnen, mwen pa konnen, pa konnen, "
    "m pa konn, pa konn, petet, jenpa, je ne sais pas, depende, depends"
)
# One-letter answers count only as the whole answer ("y" is Spanish "and").
_LETTERS: dict[str, bool] = {"s": True, "y": True, "k": True, "n": False}
_EMOJI = re.compile(r"(?P<yes>[\U0001F44D\u2705\u2714\U0001F44C])|(?P<no>[\U0001F44E\u274C\u2716])")


def _words(spec: str) -> set[str]:
    return {fold(w.strip()) for w in spec.split(",") if w.strip()}


def _build(langs: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, bool | None]]:
    polarity: dict[str, bool | None] = {}
    for lang in langs:
        for w in _words(_YES.get(lang, "")):
            polarity.setdefault(w, True)
        for w in _words(_NO.get(lang, "")):
            polarity.setdefault(w, False)
    for w in _words(_UNSURE):
        polarity[w] = None
    alternation = "|".join(re.escape(w) for w in sorted(polarity, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{alternation})(?![\w'])"), polarity


_CACHE: dict[tuple[str, ...], tuple[re.Pattern[str], dict[str, bool | None]]] = {}


def _table(lang: str | None) -> tuple[re.Pattern[str], dict[str, bool | None]]:
    key = table_langs(lang)
    built = _CACHE.get(key)
    if built is None:
        built = _CACHE[key] = _build(key)
    return built


def parse_yes_no(text: str, lang: str | None) -> bool | None:
    """True for yes, False for no, None when the answer says neither (or "I don't know")."""
    folded = fold(text)
    letter = _LETTERS.get(folded.strip(" .!"))
    if letter is not None:
        return letter
    pattern, polarity = _table(lang)
    word = pattern.search(folded)
    emoji = _EMOJI.search(text)
    if emoji and (word is None or emoji.start() < word.start()):
        return emoji.group("yes") is not None
    if word is None:
        return None
    return polarity[word.group(0)]


# Words that may surround a bare yes or no without changing it ("si gracias", "non mesi").
_FILLER_WORDS = (
    "gracias muchas mesi anpil obrigado obrigada thanks thank you please pls plz porfa por "
    "favor tanpri souple senor senora senhor senhora sir maam msye madanm ok bueno bom bon "
    "pues e y and o"
)
_FILLER = frozenset(_FILLER_WORDS.split())
_WORDS = re.compile(r"[a-z']+")


def yes_no_only(text: str, lang: str | None) -> bool | None:
    """Yes/no when the message is nothing but yes or no (plus "thanks", "please"...).

    Why: a classifier learns "si", "dale", "wi" only from the examples it saw, while the
    lexicon knows them all; but "no entiendo" is a request for help, not a no, so the
    lexicon decides only when nothing else is said.
    """
    folded = fold(text)
    letter = _LETTERS.get(folded.strip(" .!"))
    if letter is not None:
        return letter
    pattern, polarity = _table(lang)
    found = [polarity[m.group(0)] for m in pattern.finditer(folded)]
    emoji = [m.group("yes") is not None for m in _EMOJI.finditer(text)]
    answers = {p for p in found} | set(emoji)
    if len(answers) != 1 or None in answers:
        return None
    rest = _WORDS.findall(pattern.sub(" ", folded))
    if any(w not in _FILLER for w in rest):
        return None
    return answers.pop()


on_reload(_CACHE.clear)
