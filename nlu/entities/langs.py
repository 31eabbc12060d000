"""Which word tables to use for a language code.

Mayan-language speakers mostly write dates, numbers and countries in Spanish, so the
Mayan codes borrow the Spanish tables. ``None`` (language unknown) means every table.
"""

from __future__ import annotations

__all__ = ["TABLE_LANGS", "table_langs"]

TABLE_LANGS: tuple[str, ...] = ("es", "ht", "pt", "en", "fr")
_BORROW: dict[str, tuple[str, ...]] = {
    "quc": ("es",),
    "mam": ("es",),
    "kjb": ("es",),
    "fr": ("fr", "ht"),
    "ht": ("ht", "fr"),
}


def table_langs(lang: str | None) -> tuple[str, ...]:
    """Table languages for ``lang``; English is always included (it leaks into every language)."""
    if lang is None:
        return TABLE_LANGS
    base = lang.split("_")[0].split("-")[0].lower()
    chosen = _BORROW.get(base, (base,) if base in TABLE_LANGS else TABLE_LANGS)
    return chosen if "en" in chosen else (*chosen, "en")
