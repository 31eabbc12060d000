"""The first message's language: greetings and short chat by keywords, sentences by py3langid
restricted to our languages (French counts as Kreyòl), and no guess when it is not clear."""

from __future__ import annotations

import pytest

from nlu.langid import guess_language

CASES = [
    ("Kreyòl greeting", "Bonjou", "ht"),
    ("Kreyòl greeting, capitals", "BONJOU", "ht"),
    ("Kreyòl sentence", "Bonjou, mwen bezwen yon randevou", "ht"),
    ("Kreyòl with French spelling", "Je voudrais un rendez-vous s'il vous plaît", "ht"),
    ("Spanish greeting", "hola", "es"),
    ("Spanish greeting 2", "Buenos días", "es"),
    ("Spanish sentence", "quiero una cita por favor", "es"),
    ("Portuguese greeting", "oi", "pt"),
    ("Portuguese accents", "Olá, preciso de ajuda", "pt"),
    ("Portuguese greeting 2", "Bom dia", "pt"),
    ("English greeting", "hi", "en"),
    ("English sentence", "hello i need an appointment", "en"),
    ("K'iche' greeting", "Saqarik", "quc"),
    ("K'iche' thanks", "Maltyox", "quc"),
    ("Mam thanks", "Chjonte", "mam"),
    ("Q'anjob'al thanks", "Yujdiosal", "kjb"),
    ("a number is a menu answer", "2", None),
    ("emoji", "🙏", None),
    ("empty", "", None),
    ("a name tells nothing", "Rosa", None),
    ("one unknown word", "ok", None),
    ("a tie", "hola hi", None),
]


@pytest.mark.parametrize(("label", "text", "lang"), CASES, ids=[c[0] for c in CASES])
def test_guess_language(label: str, text: str, lang: str | None) -> None:
    assert guess_language(text) == lang
