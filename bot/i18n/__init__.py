"""Languages at run time: the message catalogs of the language packs, and formatting.

The runtime face of the package; the translator's tooling (`frontdoor i18n extract | update |
compile | report | new`) lives in `bot.i18n.tools` and is never imported by the bot itself.
`bot.i18n.checks` holds the rules every translation must pass (the tools and the portal's
review page both apply them). The packs themselves are read by `nlu.packs` and turned into the
language table by `bot.languages`.
"""

from __future__ import annotations

from bot.i18n.catalogs import DOMAIN, Catalogs, Translation, po_path, read_catalog, write_catalog
from bot.i18n.formatting import (
    country_name,
    format_clock,
    format_day,
    format_moment,
    format_number,
    format_timestamp,
    format_weekday_day,
    timezone_name,
)

__all__ = [
    "DOMAIN",
    "Catalogs",
    "Translation",
    "country_name",
    "format_clock",
    "format_day",
    "format_moment",
    "format_number",
    "format_timestamp",
    "format_weekday_day",
    "po_path",
    "read_catalog",
    "timezone_name",
    "write_catalog",
]
