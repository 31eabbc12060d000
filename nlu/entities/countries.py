"""Countries typed as names or demonyms, in any supported language, with typos.

Why a "sound key": people spell by ear ("benezuela", "kolombia", "gwatemala", "aiti"), so
names are compared after folding letters that sound alike (c/k/q, s/z, b/v, i/y, w/u,
silent h, doubled letters). A typed answer (:func:`parse_country`) also accepts one edit
more, found through a precomputed deletion index so it costs a few dict lookups; free text
(:func:`find_countries`) matches only exactly, since "pero" is one letter from "peru".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel import Locale

from nlu.entities.demonyms import DEMONYMS, NAMES, gendered
from nlu.entities.langs import table_langs
from nlu.entities.spans import Found
from nlu.normalize import fold
from nlu.packs import on_reload

__all__ = ["find_countries", "parse_country", "sound_key", "within_one_edit"]

_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})
# Names that are everyday words in free text: Spanish "iran" (they will go), "gana"
# (wants), English "chad", "jordan", "jersey", "turkey", "georgia".
_FREE_TEXT_STOP = frozenset({"iran", "gana", "chad", "jordan", "jersey", "turkey", "georgia",
                             "man", "togo", "mali"})
_TOKEN = re.compile(r"[a-z0-9]+")
#: "America" after these is a continent or a region, not the United States ("south
#: america", "america latina", "centro america"), as sound keys.
_REGION_WORDS = frozenset(
    {"sout", "nort", "sud", "sul", "sur", "norte", "sentral", "sentro", "latin", "latina"}
)
_AMERICA = "amerika"
#: Continents and regions typed as one word: never a country, not even one typo away
#: ("sudamerica" is two edits from "sudafrica"), as sound keys.
_REGIONS = frozenset(
    {"sudamerika", "suramerika", "sulamerika", "latinoamerika", "sentroamerika", "afrika",
     "europa", "asia", "oseania"}
)
_MAX_WORDS = 4
#: Long names ("guatemala", "republica dominicana") are still recognised with two typos.
_TWO_EDITS_FROM = 8

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"ph", "f"),
        (r"ch", "%"),
        (r"sh", "%"),
        (r"qu", "k"),
        (r"q", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"x", "ks"),
        (r"z", "s"),
        (r"v", "b"),
        (r"w", "u"),
        (r"y", "i"),
        (r"h", ""),
        (r"gu(?=[eiy])", "g"),
    )
)
_DOUBLE = re.compile(r"(.)\1+")


@cache
def _word_key(word: str) -> str:
    for pattern, repl in _RULES:
        word = pattern.sub(repl, word)
    return _DOUBLE.sub(r"\1", word) if len(word) > 4 else word


def sound_key(text: str) -> str:
    """The spelling-by-ear key of already folded text ("Benezuela" and "venezuela" agree)."""
    return " ".join(_word_key(w) for w in _TOKEN.findall(fold(text)))


@dataclass(frozen=True, slots=True)
class _Index:
    exact: dict[str, str]
    deletions: dict[str, frozenset[str]]
    #: Keys of at least _TWO_EDITS_FROM letters by their first letter (two-typo answers).
    long_by_first: dict[str, tuple[str, ...]]


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def _names_for(lang: str) -> dict[str, str]:
    """Alias -> code for one language: Babel territory names, then the project's lists."""
    words: dict[str, str] = {}
    babel_lang = "fr" if lang == "ht" else lang
    for code, name in Locale(babel_lang).territories.items():
        if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
            continue
        words[name] = code
        if "(" in name:
            words[name.split("(")[0]] = code
    for code, aliases in NAMES.get(lang, {}).items():
        for alias in aliases.split(","):
            words[alias] = code
    for code, aliases in DEMONYMS.get(lang, {}).items():
        for alias in aliases.split(","):
            for form in gendered(alias.strip(), lang):
                words.setdefault(form, code)
    return words


@cache
def _index(langs: tuple[str, ...]) -> _Index:
    exact: dict[str, str] = {}
    for lang in reversed(langs):  # the first language wins a clash
        for alias, code in _names_for(lang).items():
            key = sound_key(alias)
            if key:
                exact[key] = code
    deletions: dict[str, set[str]] = {}
    for key in exact:
        if len(key) >= 5:
            for d in _deletions(key) | {key}:
                deletions.setdefault(d, set()).add(key)
    long_by_first: dict[str, list[str]] = {}
    for key in exact:
        if len(key) >= _TWO_EDITS_FROM - 1:
            long_by_first.setdefault(key[0], []).append(key)
    return _Index(exact, {d: frozenset(keys) for d, keys in deletions.items()},
                  {first: tuple(keys) for first, keys in long_by_first.items()})


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(_word_key(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(fold(text))]


def find_countries(text: str, lang: str | None, *, answer: bool = False) -> list[Found]:
    """Countries named exactly (up to spelling by ear), longest phrase first.

    In free text a few names that are everyday words ("iran", "chad") are skipped; in a
    typed ``answer`` to "which country?" they count.
    """
    index = _index(table_langs(lang))
    tokens = _tokens(text)
    found: list[Found] = []
    i = 0
    while i < len(tokens):
        for n in range(min(_MAX_WORDS, len(tokens) - i), 0, -1):
            key = " ".join(t[0] for t in tokens[i : i + n])
            code = index.exact.get(key)
            if code is not None and _region_of_america(tokens, i, n):
                code = None
            if code is not None and (answer or n > 1 or key not in _FREE_TEXT_STOP):
                found.append(Found("country", code, tokens[i][1], tokens[i + n - 1][2]))
                i += n
                break
        else:
            i += 1
    return found


def _region_of_america(tokens: list[tuple[str, int, int]], i: int, n: int) -> bool:
    """Tokens i..i+n are a region: "america" with a region word just before or after it
    ("south america", "america del sur"), or a continent ("sudamerica")."""
    if n != 1:
        return False
    if tokens[i][0] in _REGIONS:
        return True
    if tokens[i][0] != _AMERICA:
        return False
    around = {tokens[j][0] for j in (i - 1, i + 1, i + 2) if 0 <= j < len(tokens)}
    return bool(around & _REGION_WORDS)


def _fuzzy(key: str, index: _Index) -> str | None:
    """The one code within one edit of ``key``, or None when there is none or several."""
    if len(key) < 5:
        return None
    candidates: set[str] = set()
    for d in _deletions(key) | {key}:
        candidates |= index.deletions.get(d, frozenset())
    codes = {
        index.exact[c] for c in candidates if within_one_edit(key, c) and not _edits_ch(key, c)
    }
    return codes.pop() if len(codes) == 1 else None


def _edits_ch(a: str, b: str) -> bool:
    """The one edit between two sound keys is the "ch"/"sh" sound ("%"): two letters in
    what was typed, so not one typo ("latin" is not Kreyol "lachin", China)."""
    return a.count("%") != b.count("%") or any(
        x != y and "%" in (x, y) for x, y in zip(a, b, strict=False)
    )


def within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) <= 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), capped at
    ``limit + 1`` once every alignment costs more."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


def _fuzzy_two(key: str, index: _Index) -> str | None:
    """The one code within two edits of a long ``key`` (same first letter), or None."""
    if len(key) < _TWO_EDITS_FROM:
        return None
    codes: set[str] = set()
    for candidate in index.long_by_first.get(key[0], ()):
        if abs(len(candidate) - len(key)) <= 2 and _edit_distance(key, candidate, 2) <= 2:
            codes.add(index.exact[candidate])
    return codes.pop() if len(codes) == 1 else None


def parse_country(text: str, lang: str | None) -> str | None:
    """The country in a typed answer ("soy colombiana" -> "CO"), tolerating one typo."""
    found = find_countries(text, lang, answer=True)
    if found:
        codes = {item.value for item in found}
        if len(codes) > 1:
            return None  # two countries ("honduras y guatemala"): which one is not known
        value = found[0].value
        return value if isinstance(value, str) else None
    index = _index(table_langs(lang))
    typed = _tokens(text)
    tokens = [t[0] for i, t in enumerate(typed) if not _region_of_america(typed, i, 1)]
    for fuzzy in (_fuzzy, _fuzzy_two):
        for n in range(min(_MAX_WORDS, len(tokens)), 0, -1):
            for i in range(len(tokens) - n + 1):
                code = fuzzy(" ".join(tokens[i : i + n]), index)
                if code is not None:
                    return code
    return None


on_reload(_index.cache_clear)
