"""Dates, times, numbers, countries and time zones per language: Babel where its data is right,
the project's own Kreyòl names where Babel's `ht` is French, es_GT for the Mayan languages."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.i18n import (
    country_name,
    format_clock,
    format_day,
    format_moment,
    format_number,
    timezone_name,
)
from bot.languages import LANGUAGES, get_language

HT = get_language("ht")
HT_MONTHS, HT_WEEKDAYS, HT_COUNTRIES = HT.months, HT.weekdays, HT.countries

DAY = date(2026, 3, 14)  # a Saturday
MOMENT = datetime(2026, 9, 30, 15, 5)  # a Wednesday afternoon
FRENCH = {"mars", "samedi", "mercredi", "septembre", "Haïti", "heure", "juillet", "août"}


def _plain(text: str) -> str:
    """Babel separates some parts with (narrow) no-break spaces; compare with plain ones."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


DAYS = [
    ("es", "14 de marzo de 2026"),
    ("pt", "14 de março de 2026"),
    ("en", "March 14, 2026"),
    ("ht", "14 mas 2026"),
    ("quc", "14 de marzo de 2026"),
    ("mam", "14 de marzo de 2026"),
    ("kjb", "14 de marzo de 2026"),
]


@pytest.mark.parametrize(("lang", "expected"), DAYS, ids=[d[0] for d in DAYS])
def test_format_day(lang: str, expected: str) -> None:
    assert format_day(lang, DAY) == expected


MOMENTS = [
    ("es", "miércoles, 30 de septiembre de 2026, 3:05 p.m."),
    ("pt", "quarta-feira, 30 de setembro de 2026, 15:05"),
    ("en", "Wednesday, September 30, 2026, 3:05 PM"),
    ("ht", "mèkredi 30 septanm 2026, 15:05"),
    ("mam", "miércoles, 30 de septiembre de 2026, 3:05 p. m."),
]


@pytest.mark.parametrize(("lang", "expected"), MOMENTS, ids=[m[0] for m in MOMENTS])
def test_format_moment_has_the_weekday(lang: str, expected: str) -> None:
    assert _plain(format_moment(lang, MOMENT)) == expected


def test_kreyol_names_are_kreyol_not_french() -> None:
    assert len(HT_MONTHS) == 12 and len(HT_WEEKDAYS) == 7
    texts = [format_day("ht", date(2026, month, 1)) for month in range(1, 13)]
    texts += [format_moment("ht", datetime(2026, 3, day, 9, 0)) for day in range(9, 16)]
    texts += [country_name(code, "ht") for code in ("HT", "CU", "VE", "DO", "SN", "FR")]
    texts += [timezone_name(z, "ht") for z in ("America/New_York", "America/Phoenix")]
    words = {word.strip(",") for text in texts for word in text.split()}
    assert not words & FRENCH
    assert format_day("ht", date(2026, 7, 4)) == "4 jiyè 2026"
    assert format_moment("ht", datetime(2026, 3, 15, 8, 0)).startswith("dimanch 15 mas")


NUMBERS = [("es", "12,345.5"), ("pt", "12.345,5"), ("en", "12,345.5"), ("ht", "12 345,5")]


@pytest.mark.parametrize(("lang", "expected"), NUMBERS, ids=[n[0] for n in NUMBERS])
def test_format_number(lang: str, expected: str) -> None:
    assert format_number(lang, 12345.5) == expected


def test_numbers_are_plain_spaces_for_sms() -> None:
    assert "\u202f" not in format_number("ht", 1234567)


COUNTRIES = [
    ("es", "HT", "Haití"),
    ("pt", "HT", "Haiti"),
    ("en", "DO", "Dominican Republic"),
    ("ht", "DO", "Repiblik Dominikèn"),
    ("ht", "HT", "Ayiti"),
    ("ht", "SN", "Senegal"),  # not in the Kreyòl table: the fallback (Spanish), never French
    ("ht", "CM", "Camerún"),
    ("mam", "GT", "Guatemala"),
    ("quc", "US", "Estados Unidos"),
    ("es", "XX", "XX"),
]


@pytest.mark.parametrize(
    ("lang", "code", "expected"), COUNTRIES, ids=[f"{c[0]}-{c[1]}" for c in COUNTRIES]
)
def test_country_name(lang: str, code: str, expected: str) -> None:
    assert country_name(code, lang) == expected


def test_kreyol_country_table_is_kreyol() -> None:
    assert all(name and name[0].isupper() for name in HT_COUNTRIES.values())
    assert HT_COUNTRIES["CU"] == "Kiba" and HT_COUNTRIES["US"] == "Etazini"


ZONES = [
    ("es", "hora oriental"),
    ("en", "Eastern Time"),
    ("pt", "Horário do Leste"),
    ("ht", "lè New York"),
    ("kjb", "hora oriental"),
]


@pytest.mark.parametrize(("lang", "expected"), ZONES, ids=[z[0] for z in ZONES])
def test_timezone_name(lang: str, expected: str) -> None:
    assert timezone_name("America/New_York", lang) == expected


def test_clock_is_24_hours_in_kreyol_and_portuguese() -> None:
    assert format_clock("ht", MOMENT) == "15:05"
    assert format_clock("pt", MOMENT) == "15:05"


def test_every_language_formats_without_error() -> None:
    for language in LANGUAGES:
        assert format_moment(language.code, MOMENT)
        assert country_name("MX", language.code)
