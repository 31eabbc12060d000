"""Entity tables per language: the typed answers the flows depend on, tricky cases first."""

from __future__ import annotations

import datetime as dt

import pytest

from nlu.entities import (
    ImpossibleDate,
    extract_entities,
    parse_country,
    parse_date,
    parse_number,
    parse_yes_no,
)

TODAY = dt.date(2025, 3, 14)  # a Friday

DATES: list[tuple[str, str, str | None, str | None]] = [
    # label, text, lang, expected ISO date (None: no date)
    ("es numeric day-first", "05/11/1987", "es", "1987-11-05"),
    ("es month name", "14 de febrero de 1992", "es", "1992-02-14"),
    ("es month name capitalised", "Naci el 14 De Febrero De 1992", "es", "1992-02-14"),
    ("es misspelt month", "3 de febreo de 1990", "es", "1990-02-03"),
    ("es setiembre", "21 setiembre 1985", "es", "1985-09-21"),
    ("es two-digit year with del", "1ro de enero del 95", "es", "1995-01-01"),
    ("es two-digit year numeric", "5-11-87", "es", "1987-11-05"),
    ("es two-digit year 2000s", "7/3/05", "es", "2005-03-07"),
    ("es dots", "14.02.1992", "es", "1992-02-14"),
    ("es spaces", "14 02 1992", "es", "1992-02-14"),
    ("es compact", "14021992", "es", "1992-02-14"),
    ("es tomorrow with accent", "mañana", "es", "2025-03-15"),
    ("es tomorrow no accent", "manana", "es", "2025-03-15"),
    ("es tomorrow morning", "mañana en la mañana", "es", "2025-03-15"),
    ("es today", "hoy", "es", "2025-03-14"),
    ("es next weekday", "kiero sacar sita pal lunes", "es", "2025-03-17"),
    ("es weekday today means next week", "el viernes", "es", "2025-03-21"),
    ("ht month name", "2 fevriye 1990", "ht", "1990-02-02"),
    ("ht accented month", "12 oktòb 1980", "ht", "1980-10-12"),
    ("ht with le", "le 10 desanm 2000", "ht", "2000-12-10"),
    ("ht tomorrow", "demen", "ht", "2025-03-15"),
    ("ht today", "jodi a", "ht", "2025-03-14"),
    ("ht May with year", "5 me 1999", "ht", "1999-05-05"),
    ("pt month name", "9 de outubro de 1978", "pt", "1978-10-09"),
    ("pt accented month", "3 de Março de 2001", "pt", "2001-03-03"),
    ("pt two-digit year", "3 de setembro de 85", "pt", "1985-09-03"),
    ("pt tomorrow accent", "amanhã", "pt", "2025-03-15"),
    ("pt tomorrow no accent", "amanha", "pt", "2025-03-15"),
    ("pt ordinal", "1º de maio de 1990", "pt", "1990-05-01"),
    ("en month first", "October 9, 1978", "en", "1978-10-09"),
    ("en ordinal", "feb 3rd 2001", "en", "2001-02-03"),
    ("en unambiguous month-first", "12/25/1990", "en", "1990-12-25"),
    ("en tomorrow", "tomorrow", "en", "2025-03-15"),
    ("iso order", "1990-02-14", None, "1990-02-14"),
    ("unknown lang month name", "9 de outubro de 1978", None, "1978-10-09"),
    ("no year, next occurrence", "14 febrero", "es", "2026-02-14"),
    ("not a date: more", "quiero 2 mas", "es", None),
    ("not a date: count", "tengo 3 hijos", "es", None),
    ("not a date: morning", "en la mañana", "es", None),
    ("not a date: ht ye", "kote randevou m ye", "ht", None),
]


@pytest.mark.parametrize(("label", "text", "lang", "expected"), DATES, ids=[d[0] for d in DATES])
def test_parse_date(label: str, text: str, lang: str | None, expected: str | None) -> None:
    got = parse_date(text, lang, today=TODAY)
    assert (got.isoformat() if got else None) == expected, label


IMPOSSIBLE: list[tuple[str, str, str | None]] = [
    ("31 February numeric", "31/02/1990", "es"),
    ("30 febrero words", "30 de febrero de 1990", "es"),
    ("29 Feb not leap", "29/02/1991", None),
    ("31 April", "31 de abril de 1980", "es"),
    ("month 13 both ways", "31/13/1990", None),
    ("day zero", "00/05/1990", None),
    ("ht 30 fevriye", "30 fevriye 2001", "ht"),
    ("compact impossible", "31021990", None),
]


@pytest.mark.parametrize(("label", "text", "lang"), IMPOSSIBLE, ids=[i[0] for i in IMPOSSIBLE])
def test_impossible_date(label: str, text: str, lang: str | None) -> None:
    with pytest.raises(ImpossibleDate):
        parse_date(text, lang, today=TODAY)


def test_leap_day_exists() -> None:
    assert parse_date("29/02/1992", None, today=TODAY) == dt.date(1992, 2, 29)


NUMBERS: list[tuple[str, str, str | None, int | None]] = [
    ("digits in text", "somos 4", "es", 4),
    ("es word", "tres", "es", 3),
    ("es word accent", "dieciséis", "es", 16),
    ("es composed", "treinta y dos", "es", 32),
    ("es una", "una persona", "es", 1),
    ("pt composed", "vinte e dois", "pt", 22),
    ("pt feminine", "duas pessoas", "pt", 2),
    ("en hyphen", "twenty-one", "en", 21),
    ("en word", "five of us", "en", 5),
    ("ht de is two", "nou de", "ht", 2),
    ("ht kat", "nou se kat moun", "ht", 4),
    ("ht accent", "sèt", "ht", 7),
    ("unknown lang: de is not a number", "de", None, None),
    ("es: de is not a number", "la casa de juan", "es", None),
    ("decimal is not a count", "3.5", None, None),
    ("no number", "nadie", "es", None),
]


@pytest.mark.parametrize(
    ("label", "text", "lang", "expected"), NUMBERS, ids=[n[0] for n in NUMBERS]
)
def test_parse_number(label: str, text: str, lang: str | None, expected: int | None) -> None:
    assert parse_number(text, lang) == expected, label


COUNTRIES: list[tuple[str, str, str | None, str | None]] = [
    ("es demonym feminine", "soy colombiana", "es", "CO"),
    ("es demonym masculine", "colombiano", "es", "CO"),
    ("es demonym plural", "somos venezolanos", "es", "VE"),
    ("es demonym peruano", "peruano", "es", "PE"),
    ("es demonym with tilde", "hondureña", "es", "HN"),
    ("es demonym without tilde", "salvadorena", "es", "SV"),
    ("es name with accent", "Perú", "es", "PE"),
    ("es typo by ear", "benezuela", "es", "VE"),
    ("es one-letter typo", "colonbiana", "es", "CO"),
    ("es transposition", "cuabna", "es", "CU"),
    ("es country in sentence", "Soy de Honduras", "es", "HN"),
    ("es abbreviation", "EE.UU.", "es", "US"),
    ("es dominicana", "dominicana", "es", "DO"),
    ("es guatemalteca", "guatemalteca", "es", "GT"),
    ("ht demonym kiben", "kiben", "ht", "CU"),
    ("ht demonym ayisyen", "m se ayisyen", "ht", "HT"),
    ("ht demonym feminine accent", "ayisyèn", "ht", "HT"),
    ("ht name", "m soti Ayiti", "ht", "HT"),
    ("ht Dominican Republic", "Sendomeng", "ht", "DO"),
    ("ht Venezuela", "venezyela", "ht", "VE"),
    ("pt demonym feminine", "sou brasileira", "pt", "BR"),
    ("pt eu is not US", "eu sou venezuelana", "pt", "VE"),
    ("pt equatoriana", "equatoriana", "pt", "EC"),
    ("pt afega", "afegã", "pt", "AF"),
    ("en demonym", "Venezuelan", "en", "VE"),
    ("en name", "I am from Cuba", "en", "CU"),
    ("unknown lang demonym", "nicaragüense", None, "NI"),
    ("unknown lang ht demonym", "kiben", None, "CU"),
    ("no country: pero", "pero no se", "es", None),
    ("no country: request", "quiero una cita", "es", None),
    ("no country: name", "Maria Fernanda Lopez", "es", None),
    ("no country: ht request", "mwen vle yon randevou", "ht", None),
]


@pytest.mark.parametrize(
    ("label", "text", "lang", "expected"), COUNTRIES, ids=[c[0] for c in COUNTRIES]
)
def test_parse_country(label: str, text: str, lang: str | None, expected: str | None) -> None:
    assert parse_country(text, lang) == expected, label


YES_NO: list[tuple[str, str, str | None, bool | None]] = [
    ("es si", "si", "es", True),
    ("es sí accent", "Sí", "es", True),
    ("es sip", "sip", "es", True),
    ("es dale", "dale", "es", True),
    ("es claro que no", "claro que no", "es", False),
    ("es no", "no", "es", False),
    ("es no se is unsure", "no se", "es", None),
    ("es no gracias", "no gracias", "es", False),
    ("ht wi", "wi", "ht", True),
    ("ht dakò", "dakò", "ht", True),
    ("ht non", "non", "ht", False),
    ("ht pa vre", "pa vre", "ht", False),
    ("ht m pa vle", "m pa vle", "ht", False),
    ("ht m pa konnen unsure", "m pa konnen", "ht", None),
    ("ht not yes: ye", "kote l ye", "ht", None),
    ("pt sim", "sim", "pt", True),
    ("pt não", "não", "pt", False),
    ("pt nao", "nao", "pt", False),
    ("pt nao sei unsure", "nao sei", "pt", None),
    ("en yes", "yes", "en", True),
    ("en nope", "nope", "en", False),
    ("one letter s", "s", None, True),
    ("one letter n", "N", None, False),
    ("y inside text is not yes", "juan y maria", "es", None),
    ("ok any lang", "ok", None, True),
    ("thumbs up", "👍", None, True),
    ("thumbs down", "👎", None, False),
    ("greeting is neither", "hola", "es", None),
]


@pytest.mark.parametrize(("label", "text", "lang", "expected"), YES_NO, ids=[y[0] for y in YES_NO])
def test_parse_yes_no(label: str, text: str, lang: str | None, expected: bool | None) -> None:
    assert parse_yes_no(text, lang) == expected, label


def test_extract_entities_spans_point_into_original_text() -> None:
    text = "Nací el 14 de febrero de 1992 en Colombia, somos 3"
    found = extract_entities(text, "es", today=TODAY)
    assert [(f.entity, f.value, text[f.start : f.end]) for f in found] == [
        ("date", "1992-02-14", "14 de febrero de 1992"),
        ("country", "CO", "Colombia"),
        ("number", 3, "3"),
    ]


def test_extract_entities_impossible_date_yields_no_numbers() -> None:
    assert extract_entities("31/02/1990", "es", today=TODAY) == []
