"""Message catalogs (gettext .po files read with Babel) and per-language formatting.

Catalogs are read straight from the .po files at start-up (no compile step a translator could
forget): `translations/<lang>/LC_MESSAGES/frontdoor.po`. A fuzzy (draft) entry is used only if
the language allows drafts; otherwise the message falls back along the language's chain, and
the caller is told that a fallback happened (so it can offer an interpreter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date, format_datetime, format_time
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.languages import BY_CODE, fallback_chain, get_language

DOMAIN = "frontdoor"


@dataclass(frozen=True, slots=True)
class Translation:
    text: str
    lang: str

    def is_fallback_for(self, wanted: str) -> bool:
        return self.lang != wanted


class Catalogs:
    """All languages' catalogs, keyed by catalog code; lookups never raise."""

    def __init__(self, catalogs: dict[str, Catalog]) -> None:
        self._catalogs = catalogs

    @classmethod
    def load(cls, translations_dir: Path) -> Catalogs:
        catalogs: dict[str, Catalog] = {}
        for po in sorted(translations_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            code = po.parent.parent.name
            with po.open("rb") as fh:
                # Babel cannot parse locales it has no CLDR data for (mam, kjb): read with no
                # locale; the directory name is the language.
                catalogs[code] = read_po(fh, locale=None, domain=DOMAIN)
        return cls(catalogs)

    @property
    def languages(self) -> list[str]:
        return sorted(self._catalogs)

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
        for code in fallback_chain(lang):
            allow_drafts = BY_CODE[code].show_drafts if code in BY_CODE else False
            if self.has(code, msgid, reviewed_only=not allow_drafts):
                message = self._catalogs[code].get(msgid)
                assert message is not None
                return Translation(str(message.string), code)
        return Translation(msgid, "en")

    def gettext(self, lang: str, msgid: str) -> str:
        return self.lookup(lang, msgid).text


# Haitian Creole month names: Babel's `ht` data is French (DEPENDENCY_FACTS), so they are the
# project's own. Standard Kreyòl orthography.
_HT_MONTHS = (
    "janvye", "fevriye", "mas", "avril", "me", "jen",
    "jiyè", "out", "septanm", "oktòb", "novanm", "desanm",
)  # fmt: skip


def format_day(lang: str, value: date) -> str:
    """A date as people of this language write it in full ("14 de febrero de 1992")."""
    if lang == "ht":
        return f"{value.day} {_HT_MONTHS[value.month - 1]} {value.year}"
    locale = get_language(lang).formatting_locale
    if locale is None:
        return value.strftime("%d/%m/%Y")
    return str(format_date(value, format="long", locale=locale))


def format_clock(lang: str, value: datetime) -> str:
    locale = get_language(lang).formatting_locale
    if locale is None:
        return value.strftime("%H:%M")
    return str(format_time(value, format="short", locale=locale))


def format_moment(lang: str, value: datetime) -> str:
    return f"{format_day(lang, value.date())} {format_clock(lang, value)}"


def format_timestamp(lang: str, value: datetime) -> str:
    locale = get_language(lang).formatting_locale or "es_MX"
    return str(format_datetime(value, format="medium", locale=locale))
