"""Numbers typed as digits or words ("somos 4", "tres", "de moun", "vinte e dois").

Only small counts matter to the flows (household size, menu choices), so number words
cover 0-99 by table and composition (tens + units); larger numbers come as digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.entities.langs import table_langs
from nlu.entities.spans import Found
from nlu.normalize import fold
from nlu.packs import PackTable, on_reload

__all__ = ["day_words", "find_numbers", "parse_number"]

_UNITS: PackTable = PackTable("number_words")
_TENS: PackTable = PackTable("tens")
# Number words that are everyday words in another supported language ("de" is Kreyòl 2
# but Spanish "of"): with the language unknown they are not numbers.
_AMBIGUOUS = frozenset({"de", "en", "un", "set", "san", "ven", "dis", "une", "yon"})
# Words that are mostly articles ("una cita", "yon randevou"): a number only as an answer.
_ARTICLES = frozenset({"un", "una", "um", "uma", "yon", "en", "une"})
_JOINERS = frozenset({"y", "e", "and", "-"})

_DIGITS = re.compile(r"(?<![\d.,])\d{1,9}(?![\d]|[.,]\d)")
_WORD = re.compile(r"[a-z]+|-")


@dataclass(frozen=True, slots=True)
class _Table:
    units: dict[str, int]
    tens: dict[str, int]


_TABLES: dict[tuple[str | None, ...], _Table] = {}


def _table(lang: str | None) -> _Table:
    key = (lang, *table_langs(lang))
    table = _TABLES.get(key)
    if table is None:
        units: dict[str, int] = {}
        tens: dict[str, int] = {}
        for code in table_langs(lang):
            units.update(_UNITS.get(code, {}))
            tens.update(_TENS.get(code, {}))
        # A word that is everyday in another language counts only when the language is known.
        for word in _AMBIGUOUS:
            if lang is None or word not in _UNITS.get(lang, {}):
                units.pop(word, None)
        table = _TABLES[key] = _Table(units, tens)
    return table


def find_numbers(text: str, lang: str | None, *, answer: bool = False) -> list[Found]:
    """Every number in ``text``, digits or words, in order.

    In free text, articles ("una cita") are not numbers; in a typed ``answer`` they are.
    """
    folded = fold(text)
    found = [Found("number", int(m.group(0)), m.start(), m.end()) for m in _DIGITS.finditer(folded)]
    table = _table(lang)
    words = list(_WORD.finditer(folded))
    i = 0
    while i < len(words):
        w = words[i].group(0)
        if w in table.tens:
            start, value, end = words[i].start(), table.tens[w], words[i].end()
            j = i + 1
            if j < len(words) and words[j].group(0) in _JOINERS:
                j += 1
            if j < len(words) and 0 < table.units.get(words[j].group(0), 0) < 10:
                value += table.units[words[j].group(0)]
                end = words[j].end()
                i = j
            found.append(Found("number", value, start, end))
        elif w in table.units and (answer or w not in _ARTICLES):
            found.append(Found("number", table.units[w], words[i].start(), words[i].end()))
        i += 1
    return sorted(found, key=lambda f: f.start)


def parse_number(text: str, lang: str | None) -> int | None:
    """The first number in a typed answer ("somos 4" -> 4, "tres" -> 3), or None."""
    found = find_numbers(text, lang, answer=True)
    if not found:
        return None
    value = found[0].value
    return value if isinstance(value, int) else None


# Ordinal words used for the day of a month ("el primero de junio", "the 3rd", "premye me").
_DAY_ORDINALS: PackTable = PackTable("day_ordinals")
_DAY_JOINERS = (" y ", " e ", " et ", " ", "-")
_DAYS: dict[str | None, dict[str, int]] = {}


def day_words(lang: str | None) -> dict[str, int]:
    """Words for a day of the month (1-31) in ``lang``'s tables: number words, tens and
    units together ("treinta y uno", "twenty-first", "vinte e um") and ordinals.

    Built from the same tables as :func:`find_numbers`, so a number word known there is a
    day here too; words that are everyday words in another language are left out when the
    language is unknown.
    """
    days = _DAYS.get(lang)
    if days is not None:
        return days
    table = _table(lang)
    days = {w: n for w, n in table.units.items() if 1 <= n <= 31 and w not in _ARTICLES}
    ordinals: dict[str, int] = {}
    for code in table_langs(lang):
        ordinals.update(_DAY_ORDINALS.get(code, {}))
    units = {w: n for w, n in [*table.units.items(), *ordinals.items()] if 1 <= n <= 9}
    for tens_word, tens in table.tens.items():
        if tens > 30:
            continue
        days.setdefault(tens_word, tens)
        for unit_word, unit in units.items():
            if tens + unit <= 31:
                for joiner in _DAY_JOINERS:
                    days.setdefault(f"{tens_word}{joiner}{unit_word}", tens + unit)
    days.update(ordinals)
    if lang is None:
        for word in _AMBIGUOUS:
            days.pop(word, None)
    _DAYS[lang] = days
    return days


on_reload(_TABLES.clear)
on_reload(_DAYS.clear)
