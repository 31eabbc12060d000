"""Which word tables to use for a language code.

A pack without word tables of its own (the Mayan packs: their speakers mostly write dates,
numbers and countries in Spanish) borrows its fallback's; a code a pack is also identified as
(``fr`` for ``ht``) goes with that pack, and the pack with it. ``None`` (language unknown)
means every table.
"""

from __future__ import annotations

from functools import cache

from nlu.packs import enabled_packs, on_reload, table_languages

__all__ = ["table_langs"]


@cache
def table_langs(lang: str | None) -> tuple[str, ...]:
    """Table languages for ``lang``; English is always included (it leaks into every language)."""
    every = table_languages()
    if lang is None:
        return every
    base = lang.split("_")[0].split("-")[0].lower()
    packs = enabled_packs()
    owners = {alias: code for code, pack in packs.items() for alias in pack.understanding_as}
    chosen: tuple[str, ...]
    if base in packs and packs[base].understanding:
        chosen = (base, *packs[base].understanding_as)
    elif base in packs and packs[base].fallback:
        chosen = tuple(c for c in table_langs(packs[base].fallback) if c != "en")
    elif base in owners:
        chosen = (base, owners[base])
    else:
        chosen = every
    return chosen if "en" in chosen else (*chosen, "en")


on_reload(table_langs.cache_clear)
