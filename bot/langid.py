"""Guess the language of a person's first message, so the bot can ask "Continue in Kreyòl?".

Why a guess and a confirmation, not a decision: first messages are one or two words ("hola",
"Bonjou"), on which no language identifier is reliable (DEPENDENCY_FACTS), and none knows
K'iche', Mam or Q'anjob'al. So: small keyword lists settle greetings and the Mayan languages;
py3langid, restricted to our languages plus French (Kreyòl typed with French spelling is
otherwise called French, so French counts as Kreyòl), decides longer text only when it is
sure; anything else gets the numbered language menu. A wrong guess costs one answer ("2").

This is deliberately separate from ``nlu`` (issue 5), which may replace it behind
`guess_language` once its identifier is in the tree.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from bot.text import fold

#: py3langid's languages; "fr" is mapped to "ht".
_LANGID_LANGUAGES = ("es", "pt", "en", "ht", "fr")
#: py3langid must be at least this sure, on at least this many words.
MIN_PROBABILITY = 0.85
MIN_WORDS = 2

# Frequent first words of a chat. Each word belongs to one language only. The Mayan lists are
# drafts by non-speakers (greetings and thanks); a native speaker should review and extend them.
_KEYWORDS: dict[str, str] = {
    "es": "hola buenas buenos dias tardes noches gracias quiero necesito cita ayuda favor "
    "porfa usted tengo estoy hablo espanol",
    "pt": "oi ola bom boa dia obrigado obrigada preciso quero ajuda voce tudo bem falo "
    "portugues agendamento",
    "ht": "bonjou bonswa mesi mwen bezwen randevou tanpri souple kijan kouman koman sak "
    "pase ede vle kreyol pale",
    "en": "hi hello hey good morning thanks please need appointment want speak english",
    "quc": "saqarik xsaqarik maltyox matyox awach",
    "mam": "chjonte chjonta chjontey",
    "kjb": "yujdiosal yujwal",
}
_TOKEN = re.compile(r"[a-z']+")


@cache
def _keyword_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang, words in _KEYWORDS.items():
        for word in words.split():
            assert word not in index, f"keyword {word!r} is in two languages"
            index[word] = lang
    return index


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(_LANGID_LANGUAGES))
    return identifier


def guess_language(text: str) -> str | None:
    """The language code `text` is most likely written in, or None when it is not clear."""
    words = _TOKEN.findall(fold(text))
    if not words:
        return None
    index = _keyword_index()
    votes: dict[str, int] = {}
    for word in words:
        if word in index:
            votes[index[word]] = votes.get(index[word], 0) + 1
    mayan = [lang for lang in ("quc", "mam", "kjb") if votes.get(lang)]
    if len(mayan) == 1:
        return mayan[0]
    if votes:
        ranked = sorted(votes.items(), key=lambda item: item[1], reverse=True)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            return ranked[0][0]
    if len(words) < MIN_WORDS:
        return None
    lang, probability = _identifier().classify(text)
    if float(probability) < MIN_PROBABILITY:
        return None
    return "ht" if lang == "fr" else str(lang)
