"""People's names as they answer "what is your full name?": lead-ins dropped, capitalised.

People answer in a sentence ("me llamo maria jose lopez", "mwen rele jean pierre",
"meu nome é ana da silva", "my name is john smith"), often all in lowercase on a phone
keyboard. The name is what follows the lead-in, with every word capitalised except the
particles that stay lowercase inside a name (de, del, la, da, dos, van...). A word the
person capitalised themselves ("McDonald", "DeLeon") is kept as typed.

What follows the name in the same message is cut off at a clause that cannot be part of a
name ("me llamo ana lopez y tengo 30 años", "mwen rele jean, mesi"), and a courtesy title
in front of it is dropped ("soy la señora ana ruiz"). The flow says a reworded name back
for a yes/no, so a wrong cut is caught by the person.
"""

from __future__ import annotations

import re

from nlu.entities.langs import table_langs
from nlu.normalize import fold
from nlu.packs import PackTable, on_reload

__all__ = ["clean_name", "cut_ending", "name_case", "strip_lead_in"]

# Greetings that may open the answer ("hola, me llamo ...").
_GREETINGS = (
    "hola, buenos dias, buenas tardes, buenas noches, buenas, bonjou, bonswa, alo, oi, ola, "
    "bom dia, boa tarde, boa noite, hi, hello, hey, good morning, good afternoon"
)
# Words that may come before a lead-in ("ok, me llamo ...", "bueno mi nombre es ..."); only
# dropped when a lead-in follows: "Bueno" alone may be a surname.
_FILLERS = (
    "ok, okay, oki, si, sí, claro, bueno, pues, eh, ah, ehh, mm, mmm, mira, ya, wi, dakò, sim, "
    "ta, beleza, yes, yeah, well, so, sure"
)
# Lead-ins, for oneself and for a family member, longest first when matched.
_LEAD_INS: PackTable = PackTable("name_lead_ins")
# Courtesy titles in front of a name ("la señora Ana Ruiz", "Mr John Smith"): not part of the
# name on an ID. "Don", "Dona" and "Madanm" are left: they are given names too, or say whose
# wife someone is.
_TITLES = (
    "la senora, el senor, la senorita, senora, senor, senorita, sra, sr, srta, a senhora, "
    "o senhor, senhora, senhor, senhorita, sra., sr., mr, mrs, ms, mr., mrs., ms., miss, mister"
)
# What cannot be part of a name and ends it: thanks, and the start of another clause
# ("... y tengo 30 años", "... e sou do Brasil", "... epi m gen 2 pitit", "... and i am").
_ENDINGS: PackTable = PackTable("name_endings")
# Lowercase inside a name ("María de los Ángeles", "Ana da Silva", "Ludwig van Beethoven").
PARTICLES = frozenset({
    "de", "del", "la", "las", "los", "da", "das", "do", "dos", "di", "du", "der", "den", "van",
    "von", "y", "e",
})
# A whole answer that is clearly not a name (only a greeting, a yes/no or "I don't know").
_NOT_NAMES = frozenset({
    "si", "no", "wi", "non", "sim", "nao", "yes", "ok", "okay", "gracias", "mesi", "obrigado",
    "obrigada", "thanks", "no se", "nao sei", "m pa konnen", "i don't know", "i dont know",
    "idk", "menu", "meni", "thank you", "thanks a lot", "muchas gracias", "mil gracias",
    "mesi anpil", "mesi bondye", "muito obrigado", "muito obrigada", "valeu", "merci",
})


def _phrases(spec: str) -> list[str]:
    return [fold(p.strip()) for p in spec.split(",") if p.strip()]


def _alt(words: set[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _pattern(langs: tuple[str, ...]) -> re.Pattern[str]:
    leads = _alt({p for lang in langs for p in _phrases(_LEAD_INS.get(lang, ""))})
    greets = _alt(set(_phrases(_GREETINGS)))
    fillers = _alt(set(_phrases(_FILLERS)))
    titles = _alt(set(_phrases(_TITLES)))
    gap = r"(?![\w'])[\s,.!:;-]*"
    return re.compile(
        rf"^(?:(?:{greets}){gap})*"
        rf"(?:(?:(?:{fillers}){gap})*(?:{leads})(?![\w'])[\s,.:;-]*)?"
        rf"(?:(?:{titles})(?![\w'])[\s.]*(?=\S))?"
    )


def _ending(langs: tuple[str, ...]) -> re.Pattern[str]:
    ends = _alt({p for lang in langs for p in _phrases(_ENDINGS.get(lang, ""))})
    # Not at a full stop: "Ma. José", "Juan J. Pérez" are names.
    return re.compile(rf"[\s,.;:!?-]+(?:{ends})(?![\w'])|[;!?]|\s-\s")


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}
_ENDING_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def strip_lead_in(text: str, lang: str | None) -> str:
    """``text`` without a greeting and a lead-in in front ("hola, me llamo Ana" -> "Ana").

    Folding keeps one character per character, so the match in the folded text cuts the
    original text (accents kept) at the same place.
    """
    key = table_langs(lang)
    pattern = _PATTERNS.get(key)
    if pattern is None:
        pattern = _PATTERNS[key] = _pattern(key)
    text = " ".join(text.split())
    m = pattern.match(fold(text))
    rest = text[m.end():] if m else text
    return rest.strip(" ,.;:!-")


def cut_ending(name: str, lang: str | None) -> str:
    """``name`` up to what cannot be part of it ("Ana Lopez y tengo 30 años" -> "Ana Lopez")."""
    key = table_langs(lang)
    pattern = _ENDING_PATTERNS.get(key)
    if pattern is None:
        pattern = _ENDING_PATTERNS[key] = _ending(key)
    m = pattern.search(fold(name))
    return (name[: m.start()] if m else name).strip(" ,.;:!-")


def _word_case(word: str, first: bool) -> str:
    if not (word.islower() or word.isupper()):
        return word  # capitalised by the person: "McDonald", "DeLeon"
    low = word.lower()
    if not first and low in PARTICLES:
        return low
    parts = re.split(r"(-)", low)  # Jean-Pierre
    out = []
    for part in parts:
        if len(part) > 2 and part[1] in "'’" and part[0] in "odl":  # O'Brien, D'Angelo
            out.append(part[0].upper() + part[1] + part[2:].capitalize())
        else:
            out.append(part[:1].upper() + part[1:])
    return "".join(out)


def name_case(name: str) -> str:
    """Every word capitalised, particles lowercase except first: "maria DE LA cruz" -> "Maria
    de la Cruz"; "tz'ul" -> "Tz'ul" (an apostrophe inside a Mayan word is a glottal stop)."""
    words = name.split()
    return " ".join(_word_case(w, i == 0) for i, w in enumerate(words))


def clean_name(text: str, lang: str | None) -> str | None:
    """The name in an answer, lead-in dropped and capitalised; None when nothing is left or
    the answer is only a greeting, a yes/no or "I don't know"."""
    whole = fold(" ".join(text.split())).strip(" .!")
    if whole in _NOT_NAMES:
        return None
    rest = cut_ending(strip_lead_in(text, lang), lang)
    if not rest or fold(rest) in _NOT_NAMES:
        return None
    return name_case(rest)


on_reload(_PATTERNS.clear)
on_reload(_ENDING_PATTERNS.clear)
