"""Turn stored values (ISO dates, country codes, port ids) into text for one language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot import household
from bot.booking.explanation import NUMBER_VALUES
from bot.engine.flowset import RELATIONSHIP_SLOT
from bot.engine.models import Collect
from bot.i18n import (
    Catalogs,
    country_name,
    format_day,
    format_moment,
    format_number,
    timezone_name,
)
from bot.languages import BY_CODE

#: How values that actions produce are shown (slots collected by flows use their answer type).
VALUE_KINDS: dict[str, str] = {
    "request_port": "port",
    "appointment_port": "port",
    "request_date": "date",
    "appointment_at": "moment",
    "confirm_by": "moment",
    "timezone": "timezone",
    # A not-selected household's "why" (bot/booking/explanation.py): 2,310 / 2.310.
    **dict.fromkeys(NUMBER_VALUES, "number"),
}


def _display(kind: str, value: Any, lang: str, ports: Mapping[str, str], catalogs: Catalogs) -> str:
    if value is None:
        return ""
    if kind == "port":
        return ports.get(str(value), str(value))
    if kind == "date":
        return format_day(lang, date.fromisoformat(str(value)))
    if kind == "moment":
        return format_moment(lang, datetime.fromisoformat(str(value)))
    if kind == "country":
        return country_name(str(value), lang)
    if kind == "language":
        return BY_CODE[str(value)].own_name if str(value) in BY_CODE else str(value)
    if kind == "yes_no":
        return catalogs.gettext(lang, "Yes" if value else "No")
    if kind == "timezone":
        return timezone_name(str(value), lang)
    if kind == "number":
        return format_number(lang, int(value))
    return str(value)


def _kind_of(slot: str, spec: Collect | None) -> str:
    if slot in VALUE_KINDS:
        return VALUE_KINDS[slot]
    if spec is None:
        return "text"
    if spec.options_from == "ports":
        return "port"
    return {"date": "date", "country": "country", "language": "language", "yes_no": "yes_no"}.get(
        spec.type, "text"
    )


def display_values(
    slots: Mapping[str, Any],
    slot_specs: Mapping[str, Collect],
    lang: str,
    ports: Mapping[str, str],
    catalogs: Catalogs,
) -> dict[str, str]:
    values = {
        name: _display(_kind_of(name, slot_specs.get(name)), value, lang, ports, catalogs)
        for name, value in slots.items()
        if not name.startswith("_") and name != household.MEMBERS_SLOT
    }
    values.update(household_values(slots, slot_specs, lang, catalogs))
    return values


def household_values(
    slots: Mapping[str, Any], slot_specs: Mapping[str, Collect], lang: str, catalogs: Catalogs
) -> dict[str, str]:
    """`{household}` (everyone's names as one list), `{household_size}` and `{household_list}`
    (numbered, with relationship, date of birth and nationality), usable by any message."""
    spec = slot_specs.get(RELATIONSHIP_SLOT)
    labels = {opt.id: opt.label for opt in spec.options} if spec is not None else {}

    def relationship(option_id: str) -> str:
        label = labels.get(option_id)
        return catalogs.gettext(lang, label) if label else option_id

    return {
        "household": household.format_names(household.names(slots), lang),
        "household_size": str(household.size(slots)),
        "household_list": household.member_lines(
            slots, relationship, lambda code: country_name(code, lang) if code else ""
        ),
    }
