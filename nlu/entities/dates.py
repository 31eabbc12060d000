"""Dates as people type them: numeric, with month names, and relative days.

Why so many forms: a date of birth is the answer people get wrong most often in the old
app, and they write it every way their language allows ("14 de febrero de 1992",
"2 fevriye 1990", "9 de outubro de 78", "October 9, 1978", "05/11/1987", "mañana").
Numeric dates are day-first unless only month-first can be valid (12/25/1990).
A date that is clearly a date but cannot exist (31/02/1990) raises :class:`ImpossibleDate`
so the flow can say so instead of asking the same question again.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from nlu.entities.langs import table_langs
from nlu.entities.numbers import day_words
from nlu.normalize import fold
from nlu.packs import PackTable, on_reload

__all__ = ["DateMatch", "ImpossibleDate", "find_dates", "parse_date"]


class ImpossibleDate(ValueError):
    """The text is clearly a date, but no such day exists (31/02/1990, 30 de febrero)."""


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in text; ``value`` is None when the date cannot exist."""

    value: dt.date | None
    start: int
    end: int
    text: str
    #: Day and month written with a month word but no year ("el 12 de junio"): the year
    #: was guessed as the next such day, and a typed answer may give it elsewhere.
    day_month: tuple[int, int] | None = None


_MONTHS: PackTable = PackTable("month_words")
# Month words that are also everyday words ("me", "mas", "out", "set"): only a date
# when a year follows, so "quiero 2 mas" is not the 2nd of March.
_NEEDS_YEAR = frozenset(
    {"me", "mas", "out", "mar", "set", "may", "jen", "mai", "ago", "jun", "jul", "sep",
     "sept", "mars", "dez", "avri"}
)

_RELATIVE: PackTable = PackTable("relative_days")

_WEEKDAYS: PackTable = PackTable("weekday_words")

_ORDINAL = r"(?:ro|ero|ra|er|re|st|nd|rd|th|º|ª|°|ye|yem|e)?"
# Between the month and the year: "de 1985", "del año 1985", "en 1985", "of the year 1985",
# "nan lane 1985" (the year may also come first, see parse_date).
# "en"/"in" only before four digits: "el 12 de junio en 20 dias" is not 2020.
_YEAR_WORD = r"(?:(?:el\s+|o\s+|the\s+)?(?:ano|lane|ane|year)\s+(?:de\s+)?)"
_YEAR_LEAD = (
    rf"(?:(?:de|del|do|of)\s+|(?:en|em|in|an|nan)\s+(?={_YEAR_WORD}?\d{{4}}(?!\d)))?"
    rf"{_YEAR_WORD}?"
)
_SEP = r"[\s/.,\-]*"


def _alternation(words: set[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class _Patterns:
    months: dict[str, int]
    days: dict[str, int]
    day_month: re.Pattern[str]
    month_day: re.Pattern[str]
    relative: re.Pattern[str]
    relative_days: dict[str, int]
    weekday: re.Pattern[str]
    weekdays: dict[str, int]


_NUMERIC = re.compile(
    r"(?<![\d/.\-])(?P<a>\d{1,2})\s*[/.\-]\s*(?P<b>\d{1,2})\s*[/.\-]\s*"
    r"(?P<c>\d{4}|\d{2})(?![\d/\-]|\.\d)"
)
_ISO = re.compile(
    r"(?<![\d/.\-])(?P<c>\d{4})\s*[/.\-]\s*(?P<b>\d{1,2})\s*[/.\-]\s*(?P<a>\d{1,2})"
    r"(?![\d/\-]|\.\d)"
)
_SPACED = re.compile(r"(?<![\d/.\-])(?P<a>\d{1,2}) (?P<b>\d{1,2}) (?P<c>\d{4})(?![\d/\-])")
_COMPACT = re.compile(r"\s*(?P<n>\d{8})\s*")


def _build(lang: str | None, langs: tuple[str, ...]) -> _Patterns:
    months: dict[str, int] = {}
    relative: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    for code in langs:
        months.update(_MONTHS.get(code, {}))
        relative.update(_RELATIVE.get(code, {}))
        weekdays.update(_WEEKDAYS.get(code, {}))
    month = rf"(?P<m>{_alternation(set(months))})\.?"
    year = r"(?P<y>\d{4}|'?\d{2})(?!\d)"
    days = day_words(lang)
    # A day as digits (with an ordinal ending: 3rd, 1ro, 1er) or as words ("primero", "trwa").
    day = rf"(?P<d>\d{{1,2}}{_ORDINAL}|(?:{_alternation(set(days))})(?![a-z]))"
    day_month = re.compile(
        rf"(?<![\w/.\-])(?:(?:le|the)\s+)?{day}{_SEP}(?:(?:de|do|of)\s+)?{month}"
        rf"(?![a-z])(?:{_SEP}{_YEAR_LEAD}{year})?"
    )
    month_day = re.compile(
        rf"(?<![a-z]){month}{_SEP}(?:the\s+)?{day}(?!\d)"
        rf"(?:{_SEP}{_YEAR_LEAD}{year})?"
    )
    rel = re.compile(rf"(?<![a-z'])(?<!la )(?:{_alternation(set(relative))})(?![a-z'])")
    week = re.compile(rf"(?<![a-z])(?:{_alternation(set(weekdays))})(?![a-z])")
    return _Patterns(months, days, day_month, month_day, rel, relative, week, weekdays)


_PATTERNS: dict[tuple[str | None, ...], _Patterns] = {}


def _patterns(lang: str | None) -> _Patterns:
    langs = table_langs(lang)
    # The day words depend on the language itself (Kreyol "de" is 2 only when it is Kreyol).
    key = (lang, *langs)
    pats = _PATTERNS.get(key)
    if pats is None:
        pats = _PATTERNS[key] = _build(lang, langs)
    return pats


_ORDINAL_END = re.compile(r"\D+$")


def _day_value(text: str, days: dict[str, int]) -> int:
    if text[:1].isdigit():
        return int(_ORDINAL_END.sub("", text))
    return days[text]


def _expand_year(text: str, today: dt.date) -> int:
    """Two-digit years: the most recent year ending so, up to next year (87 -> 1987)."""
    digits = text.lstrip("'")
    year = int(digits)
    if len(digits) == 4:
        return year
    candidate = 2000 + year
    return candidate if candidate <= today.year + 1 else 1900 + year


def _make(year: int, month: int, day: int) -> dt.date | None:
    if not 1 <= month <= 12 or day < 1 or day > calendar.monthrange(max(year, 1), month)[1]:
        return None
    if not 1 <= year <= 9999:
        return None
    return dt.date(year, month, day)


def _day_first(a: int, b: int, year: int) -> dt.date | None:
    """Day-first (31/12/1990) unless only month-first is possible (12/31/1990)."""
    if a <= 12 < b:
        return _make(year, a, b)
    return _make(year, b, a)


def _upcoming_year(month: int, day: int, today: dt.date) -> int:
    """A day and month without a year: the next time it comes (an appointment, a deadline)."""
    try:
        this_year = dt.date(today.year, month, day)
    except ValueError:
        return today.year  # 30 de febrero: let _make report it impossible
    return today.year if this_year >= today else today.year + 1


def find_dates(text: str, lang: str | None, *, today: dt.date | None = None) -> list[DateMatch]:
    """Every date in ``text``, in order, without overlaps; impossible ones have value None."""
    today = today or dt.date.today()
    folded = fold(text)
    pats = _patterns(lang)
    found: list[DateMatch] = []

    def add(
        value: dt.date | None, start: int, end: int, day_month: tuple[int, int] | None = None
    ) -> None:
        found.append(DateMatch(value, start, end, text[start:end], day_month))

    for m in _ISO.finditer(folded):
        add(_make(int(m.group("c")), int(m.group("b")), int(m.group("a"))), m.start(), m.end())
    for pat in (_NUMERIC, _SPACED):
        for m in pat.finditer(folded):
            year = _expand_year(m.group("c"), today)
            add(_day_first(int(m.group("a")), int(m.group("b")), year), m.start(), m.end())
    for pat in (pats.day_month, pats.month_day):
        for m in pat.finditer(folded):
            word = m.group("m")
            year_text = m.group("y")
            if year_text is None and word in _NEEDS_YEAR:
                continue
            month = pats.months[word]
            day = _day_value(m.group("d"), pats.days)
            if year_text is None:
                if not 1 <= day <= 31:
                    continue
                year = _upcoming_year(month, day, today)
                add(_make(year, month, day), m.start(), m.end(), (day, month))
            else:
                add(_make(_expand_year(year_text, today), month, day), m.start(), m.end())
    for m in pats.relative.finditer(folded):
        add(today + dt.timedelta(days=pats.relative_days[m.group(0)]), m.start(), m.end())
    for m in pats.weekday.finditer(folded):
        ahead = (pats.weekdays[m.group(0)] - today.weekday()) % 7 or 7
        add(today + dt.timedelta(days=ahead), m.start(), m.end())

    kept: list[DateMatch] = []
    for d in sorted(found, key=lambda d: (-(d.end - d.start), d.start)):
        if all(d.end <= k.start or d.start >= k.end for k in kept):
            kept.append(d)
    return sorted(kept, key=lambda d: d.start)


def parse_date(text: str, lang: str | None, *, today: dt.date | None = None) -> dt.date | None:
    """The first date in a typed answer, or None; raises :class:`ImpossibleDate`.

    Accepts a bare 8-digit answer as well (14021992 or 19920214), which people send when
    their keyboard has no slash.
    """
    today = today or dt.date.today()
    compact = _COMPACT.fullmatch(text)
    if compact:
        n = compact.group("n")
        for year, month, day in ((n[4:], n[2:4], n[:2]), (n[:4], n[4:6], n[6:])):
            if 1900 <= int(year) <= today.year + 1:
                value = _make(int(year), int(month), int(day))
                if value is not None:
                    return value
        raise ImpossibleDate(text)
    matches = find_dates(text, lang, today=today)
    first = matches[0] if matches else None
    if first is None or first.day_month is not None:
        # "naci en 1985, el 12 de junio", "1985 junio 12": the year is given, just not after
        # the month; read the answer again with the year where the patterns expect it.
        moved = _year_last(text)
        again = find_dates(moved, lang, today=today) if moved is not None else []
        if again and again[0].day_month is None:
            first = again[0]
    if first is None:
        return None
    if first.value is None:
        raise ImpossibleDate(first.text)
    return first.value


_LONE_YEAR = re.compile(r"(?<![\d/.\-])(?:1[89]|20)\d\d(?![\d/\-])")


def _year_last(text: str) -> str | None:
    """``text`` with its one four-digit year moved to the end, or None without exactly one."""
    years = list(_LONE_YEAR.finditer(text))
    if len(years) != 1:
        return None
    year = years[0]
    return f"{text[: year.start()]} {text[year.end() :]} {year.group(0)}"


on_reload(_PATTERNS.clear)
