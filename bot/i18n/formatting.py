"""Dates, times, numbers, countries and time zones as people of each language write them.

Babel (CLDR) with the pack's `formatting_locale`, except where Babel's data would be wrong
for our people: a pack may carry its own month, weekday, country and time zone names (`ht`:
Babel's are French) and its own `number_locale`.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_timezone_name
from babel.numbers import format_decimal

from bot.languages import fallback_chain, get_language

__all__ = [
    "country_name",
    "format_clock",
    "format_day",
    "format_moment",
    "format_number",
    "format_timestamp",
    "format_weekday_day",
    "timezone_name",
]


def format_day(lang: str, value: date) -> str:
    """A date as people of this language write it in full ("14 de febrero de 1992")."""
    language = get_language(lang)
    if language.months:
        return f"{value.day} {language.months[value.month - 1]} {value.year}"
    return _cldr_date(lang, value, "long")


def format_weekday_day(lang: str, value: date) -> str:
    """A date with its weekday ("sábado, 14 de marzo de 2026"): for appointments, where the
    day of the week is what people plan around."""
    language = get_language(lang)
    if language.weekdays:
        return f"{language.weekdays[value.weekday()]} {format_day(lang, value)}"
    return _cldr_date(lang, value, "full")


def _cldr_date(lang: str, value: date, width: Literal["long", "full"]) -> str:
    """A date in CLDR's `width` for the pack's formatting locale (dd/mm/yyyy without one)."""
    locale = get_language(lang).formatting_locale
    if locale is None:
        return value.strftime("%d/%m/%Y")
    return str(format_date(value, format=width, locale=locale))


def format_clock(lang: str, value: datetime) -> str:
    locale = get_language(lang).formatting_locale
    if locale is None:
        return value.strftime("%H:%M")
    return str(format_time(value, format="short", locale=locale))


def format_moment(lang: str, value: datetime, zone: str | None = None) -> str:
    """A moment with its weekday, as a clock in `zone` shows it (an IANA name such as
    "America/Denver"; None: the offset `value` carries). A naive `value` is a wall time.

    Never cached on `value` itself: Python hashes and compares aware datetimes by instant, so
    9:00 in El Paso and 8:00 in Calexico would share one entry. The cache below is keyed on
    what decides the text: the UTC timestamp, the zone (name or fixed offset) and the language.
    """
    if value.tzinfo is None:
        return _format_wall(lang, value)
    if zone is not None:
        return _format_zoned(lang, value.timestamp(), zone)
    offset = value.utcoffset()
    assert offset is not None
    return _format_offset(lang, value.timestamp(), int(offset.total_seconds()))


def _format_wall(lang: str, value: datetime) -> str:
    return f"{format_weekday_day(lang, value.date())}, {format_clock(lang, value)}"


@functools.lru_cache(maxsize=4096)
def _format_zoned(lang: str, timestamp: float, zone: str) -> str:
    """Cached: a notification run formats the same few appointment times for many people."""
    local = datetime.fromtimestamp(timestamp, ZoneInfo(zone))
    return _format_wall(lang, local.replace(tzinfo=None))


@functools.lru_cache(maxsize=4096)
def _format_offset(lang: str, timestamp: float, offset_seconds: int) -> str:
    local = datetime.fromtimestamp(timestamp, timezone(timedelta(seconds=offset_seconds)))
    return _format_wall(lang, local.replace(tzinfo=None))


def format_timestamp(lang: str, value: datetime) -> str:
    locale = get_language(lang).formatting_locale or "es_MX"
    return str(format_datetime(value, format="medium", locale=locale))


def format_number(lang: str, value: float) -> str:
    """A number with the language's grouping and decimal marks (12,345.5 / 12.345,5); a
    narrow no-break space is swapped for a plain one (cheaper on SMS, same look)."""
    language = get_language(lang)
    locale = language.number_locale or language.formatting_locale
    text = str(format_decimal(value, locale=locale or "es_MX"))
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def country_name(code: str, lang: str) -> str:
    """A country's name in `lang`: the pack's own names (Kreyòl: Babel's `ht` is French), else
    Babel's CLDR names, then the language's fallback (Spanish) for countries in neither."""
    for candidate in fallback_chain(lang):
        language = get_language(candidate)
        if code in language.countries:
            return language.countries[code]
        if language.countries:  # a pack with its own names does not borrow CLDR's
            continue
        locale = language.formatting_locale
        if locale is None:
            continue
        name = Locale.parse(locale).territories.get(code)
        if name:
            return str(name)
    return code


def timezone_name(zone: str, lang: str) -> str:
    """A time zone as people of `lang` say it ("hora oriental", "Eastern Time")."""
    language = get_language(lang)
    if zone in language.timezones:
        return language.timezones[zone]
    if language.timezones or language.formatting_locale is None:
        lang = language.fallback or "es"
    locale = get_language(lang).formatting_locale or "es_MX"
    return str(get_timezone_name(zone, locale=locale))
