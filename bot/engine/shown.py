"""How a stored value is shown in one language: one function per kind, one registry.

Answer types show the values they collected with these (bot/engine/answers/), and values that
actions produce (appointment times, request dates...) name their kind in `display.VALUE_KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.i18n import (
    Catalogs,
    country_name,
    format_day,
    format_moment,
    format_number,
    timezone_name,
)
from bot.languages import BY_CODE


@dataclass(frozen=True, slots=True)
class DisplayContext:
    lang: str
    #: Port id -> display name.
    ports: Mapping[str, str]
    catalogs: Catalogs

    def translate(self, msgid: str) -> str:
        return self.catalogs.gettext(self.lang, msgid)


Shown = Callable[[Any, DisplayContext], str]


def as_text(value: Any, ctx: DisplayContext) -> str:
    return str(value)


def as_port(value: Any, ctx: DisplayContext) -> str:
    return ctx.ports.get(str(value), str(value))


def as_date(value: Any, ctx: DisplayContext) -> str:
    return format_day(ctx.lang, date.fromisoformat(str(value)))


def as_moment(value: Any, ctx: DisplayContext) -> str:
    return format_moment(ctx.lang, datetime.fromisoformat(str(value)))


def as_country(value: Any, ctx: DisplayContext) -> str:
    return country_name(str(value), ctx.lang)


def as_language(value: Any, ctx: DisplayContext) -> str:
    return BY_CODE[str(value)].own_name if str(value) in BY_CODE else str(value)


def as_yes_no(value: Any, ctx: DisplayContext) -> str:
    return ctx.translate("Yes" if value else "No")


def as_timezone(value: Any, ctx: DisplayContext) -> str:
    return timezone_name(str(value), ctx.lang)


def as_number(value: Any, ctx: DisplayContext) -> str:
    return format_number(ctx.lang, int(value))


def as_names(value: Any, ctx: DisplayContext) -> str:
    """People (dicts with `full_name`) as "Ana, Luis"; nobody: "-"."""
    names = [str(p.get("full_name", "")) for p in value or [] if isinstance(p, dict)]
    return ", ".join(names) or "-"


#: Kinds of values actions produce (`display.VALUE_KINDS` names them).
SHOWN: dict[str, Shown] = {
    "text": as_text,
    "port": as_port,
    "date": as_date,
    "moment": as_moment,
    "country": as_country,
    "language": as_language,
    "yes_no": as_yes_no,
    "timezone": as_timezone,
    "number": as_number,
    "names": as_names,
}
