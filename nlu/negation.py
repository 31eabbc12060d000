"""Negated actions: "no quiero borrar mis datos" is not a wish to delete the data.

A bag-of-n-grams classifier sees "borrar mis datos" and answers delete_my_data; the "no" in
front barely moves it. This rule finds a negation that governs an action verb: the negation,
optionally a verb of wanting ("quiero", "vle", "want to") and a pronoun, then a word that
starts with one of the action stems. "No entiendo cómo registrarme" is not matched (the verb
after "no" is not a wish or an action), so a person who cannot register still gets help.
"""

from __future__ import annotations

import re
from functools import cache

from nlu.entities.langs import table_langs
from nlu.normalize import fold
from nlu.packs import PackTable, on_reload

__all__ = ["negated_action"]

#: lang -> (negations, "verbs of wanting | pronouns" that may follow, action stems).
#: A negation directly before an action counts only at the start of the message ("no borren
#: mis datos", "pa efase done m"): inside a sentence it usually says what is not the case
#: ("aún no me registro", "m pa enskri ankò": not registered yet, which is a wish to register).
_TABLES: PackTable = PackTable("negation")
#: Courtesy words that may come before a negation at the start ("please do not delete").
_COURTESY = "please, pls, plz, por favor, porfa, tanpri, souple, por favor, ok, okay, oh, ah, eh"
#: With a verb of wanting in between, these negations count anywhere ("i do not want to").
_WANT_ONLY: PackTable = PackTable("negation_want_only")


def _words(spec: str) -> list[str]:
    return [fold(w.strip()) for w in spec.replace("|", ",").split(",") if w.strip()]


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _column(langs: tuple[str, ...], index: int) -> list[str]:
    return [w for lang in langs for w in _words(_TABLES.get(lang, ("", "", ""))[index])]


@cache
def _patterns(langs: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(negation + wish + action anywhere, negation + action at the start)."""
    neg = _column(langs, 0)
    want_neg = neg + [w for lang in langs for w in _words(_WANT_ONLY.get(lang, ""))]
    verbs, pronouns = [], []
    for lang in langs:
        spec = _TABLES.get(lang, ("", "", ""))[1]
        verb_spec, _, pronoun_spec = spec.partition("|")
        verbs += _words(verb_spec)
        pronouns += _words(pronoun_spec)
    pron = rf"(?:\s+(?:{_alt(pronouns)})(?![\w']))"
    verb = rf"(?:\s+(?:{_alt(verbs)})(?![\w']))"
    action = rf"\s+(?:{_alt(_column(langs, 2))})"
    anywhere = re.compile(
        rf"(?<![\w'])(?:{_alt(want_neg)})(?![\w']){pron}?{verb}(?:{verb}|{pron}){{0,2}}{action}"
    )
    courtesy = rf"(?:(?:{_alt(_words(_COURTESY))})(?![\w'])[\W]*)*"
    start = re.compile(rf"^\W*{courtesy}(?:{_alt(neg)})(?![\w']){pron}{{0,2}}{action}")
    return anywhere, start


def negated_action(text: str, lang: str | None) -> bool:
    """Whether the message negates an action ("no quiero borrar", "m pa vle efase",
    "não quero cancelar", "don't delete"). Portuguese "no" is "in the", so the language
    matters; unknown, every language's words are tried."""
    langs = tuple(code for code in table_langs(lang) if code in _TABLES)
    folded = fold(text)
    return any(p.search(folded) for p in _patterns(langs))


on_reload(_patterns.cache_clear)
