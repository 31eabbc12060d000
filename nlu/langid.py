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
from nlu.packs import enabled_packs, on_reload

__all__ = [
    "SUPPORTED_LANGUAGES",
    "guess_language",
    "identify_language",
    "reads_language",
    "supported_languages",
    "unreadable_language",
    "use_cache_dir",
]



def supported_languages() -> tuple[str, ...]:
    """The enabled packs' codes, in menu order."""
    return tuple(enabled_packs())


#: At import: the codes of the packs enabled then (`supported_languages()` follows reloads).
SUPPORTED_LANGUAGES: tuple[str, ...] = supported_languages()


def _statistical() -> tuple[str, ...]:
    """py3langid's languages: every enabled pack not identified by keywords only (one py3langid
    does not know never wins), plus the codes a pack is also known as (``ht``: ``fr``, Kreyòl
    typed with French spelling), whose share counts for that pack."""
    langs: set[str] = set()
    for code, pack in enabled_packs().items():
        if not pack.keywords_only:
            langs.add(code)
            langs.update(pack.identified_as)
    return tuple(sorted(langs))


def _counts_as() -> dict[str, str]:
    return {alias: code for code, pack in enabled_packs().items() for alias in pack.identified_as}


def _keywords_only() -> tuple[str, ...]:
    return tuple(code for code, pack in enabled_packs().items() if pack.keywords_only)


def _chat_languages() -> tuple[str, ...]:
    return tuple(code for code, pack in enabled_packs().items() if not pack.keywords_only)


_TOKEN = re.compile(r"[a-z']*[a-z][a-z']*")


@cache
def _chat_index() -> dict[str, frozenset[str]]:
    """Folded keyword -> the packs that list it (translations/<code>/pack.yaml `keywords`)."""
    index: dict[str, set[str]] = {}
    for lang, pack in enabled_packs().items():
        for word in pack.keywords:
            index.setdefault(fold(word), set()).add(lang)
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

    return load_identifier(_statistical(), _cache_dir or default_cache_dir())


def _langid_probs(text: str) -> dict[str, float]:
    ident = _identifier()
    ranked: list[tuple[str, float]] = ident.rank(text)  # type: ignore[attr-defined]
    counts_as = _counts_as()
    probs = {lang: 0.0 for lang in _statistical() if lang not in counts_as}
    for lang, prob in ranked:
        probs[counts_as.get(lang, lang)] += float(prob)
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
    mayan = max(((hits.get(m, 0.0), m) for m in _keywords_only()), default=(0.0, ""))
    if mayan[0] >= 1.0:
        return (mayan[1], min(0.95, 0.5 + 0.25 * mayan[0]))
    chat = _chat_languages()
    total_hits = sum(hits.get(lang, 0.0) for lang in chat)
    if len(tokens) <= 2 and total_hits:
        best = max(chat, key=lambda lang: hits.get(lang, 0.0))
        return (best, round(hits.get(best, 0.0) / total_hits * 0.9, 4))
    probs = _langid_probs(text)
    if not probs:  # no pack py3langid knows
        return (max(hits, key=hits.__getitem__), 0.5) if hits else ("und", 0.0)
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
    mayan = [lang for lang in _keywords_only() if votes.get(lang)]
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


on_reload(_chat_index.cache_clear)
on_reload(_identifier.cache_clear)


def reads_language(code: str) -> bool:
    """Whether the NLU can read `code`: its pack has training data (nlu.yml)."""
    pack = enabled_packs().get(code)
    return pack is not None and pack.has_training_data


def unreadable_language(text: str, min_keywords: int = 1) -> str | None:
    """The language of `text` when it is more than a greeting (two words or more) in a
    language the NLU cannot read (a pack without training data, identified by its keywords:
    K'iche', Mam, Q'anjob'al): the bot sends it to an interpreter, never guesses at it.
    `min_keywords`: how many of the text's words must be that pack's keywords (2 where any
    text is an answer, such as a name: "Juan Tol" is a name, "kinwaj jun q'ij" is not)."""
    tokens = _TOKEN.findall(fold(text))
    if len(tokens) < 2:
        return None
    code, confidence = identify_language(text)
    pack = enabled_packs().get(code)
    if confidence <= 0 or pack is None or reads_language(code):
        return None
    keywords = {fold(word) for word in pack.keywords}
    return code if sum(token in keywords for token in tokens) >= min_keywords else None
