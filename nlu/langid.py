"""Which language a message is in: py3langid for sentences, word lists for the rest.

The project's one language identifier: `identify_language` (a code and a confidence, for the
NLU answer) and `guess_language` (a code only when it is clear, for the bot's first message,
which it confirms with the person: "Continue in Kreyòl?").

Why both: py3langid is good on sentences but guesses on one or two words ("si", "wi",
"hola"), which are most of what people send in a chat; frequent chat words settle those.
py3langid knows nothing of K'iche', Mam or Q'anjob'al, so those come only from keyword
lists (a few distinctive words each); Mayan speakers are also offered a language menu.
French is allowed to py3langid only to be mapped to Kreyòl: Kreyòl typed with French
spelling ("je", "bonjour", "merci") is otherwise called French.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from nlu.normalize import fold

__all__ = ["SUPPORTED_LANGUAGES", "guess_language", "identify_language", "use_cache_dir"]

SUPPORTED_LANGUAGES: tuple[str, ...] = ("es", "ht", "pt", "en", "quc", "mam", "kjb")
_LANGID_LANGS = ("es", "pt", "en", "ht", "fr")

_CHAT_WORDS: dict[str, str] = {
    "es": "no hola buenas buenos buen gracias si quiero kiero cita sita necesito tengo ayuda "
    "porfa favor que q como mi mis yo usted hablar persona esta estoy somos soy bien dias "
    "tardes noches donde cuando hijo hija hijos esposo idioma datos borrar agregar claro "
    "dale nel pal para una el los las del manana hoy con pero ya puedo hay se xq pq ke "
    "tambien alguien hablo espanol",
    "pt": "oi oie ola obrigado obrigada sim nao vc voce quero qro tenho preciso ajuda pra "
    "pro meu minha meus eu falar pessoa estou to bom boa dia tarde noite onde quando "
    "filho filha dados apagar adicionar agendamento data tudo td blz beleza isso amanha "
    "hoje com um uma do da vai ja tb mt muito ta fazer posso tem bem falo portugues",
    "ht": "bonjou bonswa mesi wi non mwen m ou nou yo li vle randevou bezwen kijan kouman "
    "koman kote ki sa pa gen ak pou nan lan la yon moun pale ede anile efase pitit fanmi "
    "madanm mari lang kreyol konprann tanpri souple demen jodi se ye fe enskri ajoute "
    "dako sak pase ap te map mw anko poko kounya",
    "en": "no hi hello hey thanks thank yes i want need my me appointment appt help please "
    "pls the to is do how what when where you talk person cancel delete add son wife "
    "language english speak yeah yep nope good morning am im dont can get have",
}
# Distinctive words only; language names ("mam", "kiche") are left out because "hablo mam"
# is a Spanish sentence asking for Mam. These lists are short and need a native review.
_MAYAN_WORDS: dict[str, str] = {
    "quc": "maltyox matyox saqarik xsaqarik xsaqirik utz awach kinwaj nawaj jas k'ut "
    "chab'ej qatat qanan in'",
    "mam": "chjonte chjontey chjonta xjal kyaqil nchin b'a'n ntiya tzaqpe",
    "kjb": "yujdiosal yujwal yuj diosal hayeb' ayin hach tol k'al",
}
_TOKEN = re.compile(r"[a-z']*[a-z][a-z']*")


@cache
def _chat_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for lang, words in (*_CHAT_WORDS.items(), *_MAYAN_WORDS.items()):
        for word in words.split():
            index.setdefault(word, set()).add(lang)
    return {w: frozenset(langs) for w, langs in index.items()}


_cache_dir: Path | None = None


def use_cache_dir(path: Path | None) -> None:
    """Where the unpacked language model is kept (default: the intent model's cache dir).

    Takes effect only before the first identification in the process.
    """
    global _cache_dir
    _cache_dir = path


@cache
def _identifier() -> object:
    from nlu.langid_model import load_identifier
    from nlu.model_cache import default_cache_dir

    return load_identifier(_LANGID_LANGS, _cache_dir or default_cache_dir())


def _langid_probs(text: str) -> dict[str, float]:
    ident = _identifier()
    ranked: list[tuple[str, float]] = ident.rank(text)  # type: ignore[attr-defined]
    probs = {lang: 0.0 for lang in ("es", "pt", "en", "ht")}
    for lang, prob in ranked:
        probs["ht" if lang == "fr" else lang] += float(prob)
    return probs


def identify_language(text: str) -> tuple[str, float]:
    """The most likely language code of ``text`` and a confidence between 0 and 1.

    Returns ``("und", 0.0)`` when there is no word to go on (digits, emoji, empty).
    """
    tokens = _TOKEN.findall(fold(text))
    if not tokens:
        return ("und", 0.0)
    index = _chat_index()
    hits: dict[str, float] = {}
    for token in tokens:
        langs = index.get(token)
        if langs:
            for lang in langs:
                hits[lang] = hits.get(lang, 0.0) + 1.0 / len(langs)
    mayan = max(((hits.get(m, 0.0), m) for m in _MAYAN_WORDS), default=(0.0, ""))
    if mayan[0] >= 1.0:
        return (mayan[1], min(0.95, 0.5 + 0.25 * mayan[0]))
    total_hits = sum(hits.get(lang, 0.0) for lang in _CHAT_WORDS)
    if len(tokens) <= 2 and total_hits:
        best = max(_CHAT_WORDS, key=lambda lang: hits.get(lang, 0.0))
        return (best, round(hits.get(best, 0.0) / total_hits * 0.9, 4))
    probs = _langid_probs(text)
    if total_hits:
        weight = min(0.6, 0.15 * len(tokens)) if len(tokens) <= 4 else 0.3
        for lang in probs:
            probs[lang] = (1 - weight) * probs[lang] + weight * hits.get(lang, 0.0) / total_hits
    best = max(probs, key=probs.__getitem__)
    return (best, round(probs[best], 4))


#: `guess_language` takes py3langid's word only when it is this sure, on this many words.
MIN_PROBABILITY = 0.85
MIN_WORDS = 2


def guess_language(text: str) -> str | None:
    """The language of a first message when it is clear, else None (the bot shows the menu).

    Why stricter than `identify_language`: the bot acts on this guess ("Continue in
    Kreyòl?"), so chat words decide only with a clear majority, a single word only when it
    belongs to one language, and py3langid only when it is sure on two words or more.
    """
    tokens = _TOKEN.findall(fold(text))
    if not tokens:
        return None
    index = _chat_index()
    votes: dict[str, float] = {}
    for token in tokens:
        langs = index.get(token)
        if langs and (len(tokens) > 1 or len(langs) == 1):
            for lang in langs:
                votes[lang] = votes.get(lang, 0.0) + 1.0 / len(langs)
    mayan = [lang for lang in _MAYAN_WORDS if votes.get(lang)]
    if len(mayan) == 1:
        return mayan[0]
    if votes:
        ranked = sorted(votes.items(), key=lambda item: item[1], reverse=True)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            return ranked[0][0]
    if len(tokens) < MIN_WORDS:
        return None
    probs = _langid_probs(text)
    best = max(probs, key=probs.__getitem__)
    return best if probs[best] >= MIN_PROBABILITY else None
