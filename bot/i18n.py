"""Message catalogs (gettext .po files read with Babel) and per-language formatting.

Catalogs are read straight from the .po files at start-up (no compile step a translator could
forget): `translations/<lang>/LC_MESSAGES/frontdoor.po`. A fuzzy (draft) entry is used only if
the language allows drafts (a per-deployment setting, off by default); otherwise the message
falls back along the language's chain, and the caller is told that a fallback happened (so it
can offer an interpreter).

Formatting goes through Babel with the language's `formatting_locale`, except where Babel's
data would be wrong for our people: a pack may carry its own month, weekday, country and time
zone names (`ht`: Babel's are French), and its own `number_locale`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_timezone_name
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.languages import BY_CODE, fallback_chain, get_language, use_packs

DOMAIN = "frontdoor"


@dataclass(frozen=True, slots=True)
class Translation:
    text: str
    lang: str

    def is_fallback_for(self, wanted: str) -> bool:
        return self.lang != wanted


def po_path(translations_dir: Path, lang: str) -> Path:
    return translations_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as fh:
        # Babel cannot parse locales it has no CLDR data for (mam, kjb): read with no
        # locale; the directory name is the language.
        return read_po(fh, locale=None, domain=DOMAIN)


class Catalogs:
    """All languages' catalogs, keyed by catalog code; lookups never raise."""

    def __init__(self, catalogs: dict[str, Catalog], show_drafts: Iterable[str] = ()) -> None:
        self._catalogs = catalogs
        self._show_drafts = frozenset(show_drafts)
        # Catalogs do not change after loading; every reply looks up several messages.
        self._lookups: dict[tuple[str, str], Translation] = {}

    @classmethod
    def load(cls, translations_dir: Path, show_drafts: Iterable[str] = ()) -> Catalogs:
        """`show_drafts`: languages whose fuzzy entries may be shown (besides the packs').
        The language packs of `translations_dir` are read and checked first (PackError)."""
        use_packs(translations_dir)
        catalogs: dict[str, Catalog] = {}
        for po in sorted(translations_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            catalogs[po.parent.parent.name] = read_catalog(po)
        return cls(catalogs, show_drafts)

    @property
    def languages(self) -> list[str]:
        return sorted(self._catalogs)

    def catalog(self, lang: str) -> Catalog | None:
        return self._catalogs.get(lang)

    def shows_drafts(self, lang: str) -> bool:
        return lang in self._show_drafts or (lang in BY_CODE and BY_CODE[lang].show_drafts)

    def has(self, lang: str, msgid: str, *, reviewed_only: bool = True) -> bool:
        catalog = self._catalogs.get(lang)
        if catalog is None:
            return False
        message = catalog.get(msgid)
        if message is None or not message.string:
            return False
        return not (reviewed_only and message.fuzzy)

    def lookup(self, lang: str, msgid: str) -> Translation:
        """The best text for `msgid` in `lang`, following the fallback chain, else English."""
        found = self._lookups.get((lang, msgid))
        if found is None:
            found = self._lookups[(lang, msgid)] = self._find(lang, msgid)
        return found

    def _find(self, lang: str, msgid: str) -> Translation:
        for code in fallback_chain(lang):
            if self.has(code, msgid, reviewed_only=not self.shows_drafts(code)):
                message = self._catalogs[code].get(msgid)
                assert message is not None
                return Translation(str(message.string), code)
        return Translation(msgid, "en")

    def gettext(self, lang: str, msgid: str) -> str:
        return self.lookup(lang, msgid).text


def format_day(lang: str, value: date) -> str:
    """A date as people of this language write it in full ("14 de febrero de 1992")."""
    language = get_language(lang)
    if language.months:
        return f"{value.day} {language.months[value.month - 1]} {value.year}"
    locale = language.formatting_locale
    if locale is None:
        return value.strftime("%d/%m/%Y")
    return str(format_date(value, format="long", locale=locale))


def format_weekday_day(lang: str, value: date) -> str:
    """A date with its weekday ("sábado, 14 de marzo de 2026"): for appointments, where the
    day of the week is what people plan around."""
    language = get_language(lang)
    if language.weekdays:
        return f"{language.weekdays[value.weekday()]} {format_day(lang, value)}"
    locale = language.formatting_locale
    if locale is None:
        return value.strftime("%d/%m/%Y")
    return str(format_date(value, format="full", locale=locale))


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
