"""People's names as they answer "what is your full name?": lead-ins dropped, capitalised.

People answer in a sentence ("me llamo maria jose lopez", "mwen rele jean pierre",
"meu nome é ana da silva", "my name is john smith"), often all in lowercase on a phone
keyboard. The name is what follows the lead-in, with every word capitalised except the
particles that stay lowercase inside a name (de, del, la, da, dos, van...). A word the
person capitalised themselves ("McDonald", "DeLeon") is kept as typed.
"""

from __future__ import annotations

import re

from nlu.entities.langs import table_langs
from nlu.normalize import fold

__all__ = ["clean_name", "name_case", "strip_lead_in"]

# Greetings that may open the answer ("hola, me llamo ...").
_GREETINGS = (
    "hola, buenos dias, buenas tardes, buenas noches, buenas, bonjou, bonswa, alo, oi, ola, "
    "bom dia, boa tarde, boa noite, hi, hello, hey, good morning, good afternoon"
)
# Lead-ins, for oneself and for a family member, longest first when matched.
_LEAD_INS: dict[str, str] = {
    "es": "me llamo, yo me llamo, mi nombre es, mi nombre completo es, mi nombre completo, "
    "mi nombre, nombre completo, nombre, soy, yo soy, se llama, el se llama, ella se llama, "
    "su nombre es, su nombre completo es, el nombre es, es",
    "pt": "meu nome e, meu nome completo e, meu nome, me chamo, eu me chamo, eu sou, sou, "
    "se chama, ele se chama, ela se chama, o nome dele e, o nome dela e, o nome e, "
    "nome completo, nome, chamo-me",
    "ht": "mwen rele, m rele, mwen se, m se, non mwen se, non m se, non mwen, non m, "
    "non konple mwen se, li rele, non li se, non li, se, rele m, yo rele m",
    "en": "my name is, my full name is, my name's, my name, full name, name, i am, i'm, "
    "it's, it is, this is, his name is, her name is, their name is, he is, she is, "
    "the name is",
    "fr": "je m'appelle, je m appelle, mon nom est, je suis",
}
# Lowercase inside a name ("María de los Ángeles", "Ana da Silva", "Ludwig van Beethoven").
PARTICLES = frozenset({
    "de", "del", "la", "las", "los", "da", "das", "do", "dos", "di", "du", "der", "den", "van",
    "von", "y", "e",
})
# A whole answer that is clearly not a name (only a greeting, a yes/no or "I don't know").
_NOT_NAMES = frozenset({
    "si", "no", "wi", "non", "sim", "nao", "yes", "ok", "okay", "gracias", "mesi", "obrigado",
    "obrigada", "thanks", "no se", "nao sei", "m pa konnen", "i don't know", "i dont know",
    "idk", "menu", "meni",
})


def _phrases(spec: str) -> list[str]:
    return [fold(p.strip()) for p in spec.split(",") if p.strip()]


def _pattern(langs: tuple[str, ...]) -> re.Pattern[str]:
    leads = {p for lang in langs for p in _phrases(_LEAD_INS.get(lang, ""))}
    greets = set(_phrases(_GREETINGS))

    def alt(words: set[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    return re.compile(
        rf"^(?:(?:{alt(greets)})(?![\w'])[\s,.!:;-]*)*(?:(?:{alt(leads)})(?![\w'])[\s,.:;-]*)?"
    )


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


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
    rest = strip_lead_in(text, lang)
    if not rest or fold(rest) in _NOT_NAMES:
        return None
    return name_case(rest)
