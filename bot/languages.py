"""The language table: the one place that says which languages exist and how each behaves.

`code` is the gettext catalog directory under translations/. `formatting_locale` is the
Babel locale used for dates and numbers: Babel has no data for the Mayan languages and only
French data under `ht` (see DEPENDENCY_FACTS), so the Mayan languages format like es_GT (where
most of their speakers live and read Spanish dates) and `ht` uses the project's own month and
weekday names (bot/i18n.py). `required` languages must have every message reviewed before the
bot starts; the others may be partial and fall back (then an interpreter is offered).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SmsPolicy(StrEnum):
    #: Transliterate letters that force UCS-2 into GSM-7 look-alikes (á -> a): 2-3x cheaper.
    TRANSLITERATE = "transliterate"
    #: Send as written, even if it costs UCS-2 segments.
    UNICODE = "unicode"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    own_name: str
    fallback: str | None
    formatting_locale: str | None
    direction: str = "ltr"
    sms_policy: SmsPolicy = SmsPolicy.TRANSLITERATE
    #: Whether the catalog's drafts (fuzzy entries) may be shown; off until reviewed.
    show_drafts: bool = False
    #: Every flow message must exist, reviewed, in this catalog (checked at start-up).
    required: bool = False


#: Menu order is the order people see in the language menu (numbered from 1).
LANGUAGES: tuple[Language, ...] = (
    Language("es", "Español", None, "es_MX", required=True),
    Language("ht", "Kreyòl ayisyen", "es", None, required=True),
    Language("pt", "Português", "es", "pt_BR", required=True),
    Language("en", "English", "es", "en_US", required=True),
    Language("quc", "K'iche'", "es", "es_GT"),
    Language("mam", "Mam", "es", "es_GT"),
    Language("kjb", "Q'anjob'al", "es", "es_GT"),
)

BY_CODE: dict[str, Language] = {lang.code: lang for lang in LANGUAGES}

#: The catalogs that must be complete and reviewed (the flow loader refuses to start otherwise),
#: in a stable order so that start-up errors always name the same catalog first.
REQUIRED_LANGUAGES: tuple[str, ...] = tuple(
    sorted(lang.code for lang in LANGUAGES if lang.required)
)


def get_language(code: str | None, default: str = "es") -> Language:
    return BY_CODE.get(code or default, BY_CODE[default])


def parse_codes(text: str) -> frozenset[str]:
    """Language codes from a setting such as ``"quc,mam"``; unknown codes are refused, so a
    typo in the configuration stops start-up instead of silently showing nothing."""
    codes = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = codes - set(BY_CODE)
    if unknown:
        raise ValueError(f"unknown language code(s) {sorted(unknown)}; known: {sorted(BY_CODE)}")
    return codes


def fallback_chain(code: str) -> list[str]:
    """The catalogs to try, in order, for a message in `code` (ends with the source, English)."""
    chain: list[str] = []
    current: str | None = code
    while current is not None and current not in chain:
        chain.append(current)
        current = BY_CODE[current].fallback if current in BY_CODE else None
    return chain
