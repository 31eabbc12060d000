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

__all__ = ["day_words", "find_numbers", "parse_number"]

_UNITS: dict[str, dict[str, int]] = {
    "es": {
        "cero": 0, "uno": 1, "una": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4,
        "quatro": 4, "cinco": 5, "sinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
        "dies": 10, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
        "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18,
        "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiun": 21, "veintidos": 22,
        "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26,
        "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "cien": 100,
    },
    "pt": {
        "zero": 0, "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4,
        "cinco": 5, "seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11,
        "doze": 12, "treze": 13, "catorze": 14, "quatorze": 14, "quinze": 15,
        "dezesseis": 16, "dezasseis": 16, "dezessete": 17, "dezassete": 17,
        "dezoito": 18, "dezenove": 19, "dezanove": 19, "vinte": 20, "cem": 100,
    },
    "en": {
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
        "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
        "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
        "eighteen": 18, "nineteen": 19, "twenty": 20, "hundred": 100,
    },
    "ht": {
        "zewo": 0, "en": 1, "youn": 1, "yon": 1, "de": 2, "twa": 3, "trwa": 3, "kat": 4, "senk": 5,
        "sis": 6, "set": 7, "uit": 8, "wit": 8, "nef": 9, "dis": 10, "onz": 11,
        "douz": 12, "trez": 13, "katoz": 14, "kenz": 15, "sez": 16, "disset": 17,
        "dizwit": 18, "diznef": 19, "ven": 20, "venteyen": 21, "vennde": 22,
        "venntwa": 23, "vennkat": 24, "vennsenk": 25, "vennsis": 26, "vennset": 27,
        "ventwit": 28, "ventnef": 29, "san": 100,
    },
    "fr": {
        "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
        "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
        "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20,
    },
}
_TENS: dict[str, dict[str, int]] = {
    "es": {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
           "ochenta": 80, "noventa": 90},
    "pt": {"trinta": 30, "quarenta": 40, "cinquenta": 50, "sessenta": 60, "setenta": 70,
           "oitenta": 80, "noventa": 90, "vinte": 20},
    "en": {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
           "seventy": 70, "eighty": 80, "ninety": 90},
    "ht": {"trant": 30, "karant": 40, "senkant": 50, "swasant": 60},
    "fr": {"trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60},
}
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
_DAY_ORDINALS: dict[str, dict[str, int]] = {
    "es": {"primero": 1, "primer": 1},
    "pt": {"primeiro": 1},
    "ht": {"premye": 1, "trannen": 31, "tranteyen": 31},
    "fr": {"premier": 1},
    "en": {
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
        "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
        "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
        "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
        "thirtieth": 30,
    },
}
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
