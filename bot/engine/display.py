"""Turn stored values (ISO dates, country codes, port ids) into text for one language.

A collected slot is shown by its answer type (which knows its options and sources); a value an
action produced names its kind here (`VALUE_KINDS`, shown by bot/engine/shown.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import household
from bot.booking.explanation import NUMBER_VALUES
from bot.engine.answers import ANSWER_TYPES
from bot.engine.flowset import RELATIONSHIP_SLOT
from bot.engine.models import Collect
from bot.engine.shown import SHOWN, DisplayContext, as_text
from bot.i18n import Catalogs, country_name

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
    # The family members of staff mode's draft (bot/engine/actions/staff.py).
    "staff_members": "names",
}


def show(slot: str, value: Any, spec: Collect | None, ctx: DisplayContext) -> str:
    if slot in VALUE_KINDS:
        if value is None:
            return ""
        return SHOWN[VALUE_KINDS[slot]](value, ctx)
    if spec is None:
        return "" if value is None else as_text(value, ctx)
    answer_type = ANSWER_TYPES[spec.type]
    return answer_type.empty(spec, ctx) if value is None else answer_type.display(value, spec, ctx)


def display_values(
    slots: Mapping[str, Any],
    slot_specs: Mapping[str, Collect],
    lang: str,
    ports: Mapping[str, str],
    catalogs: Catalogs,
) -> dict[str, str]:
    ctx = DisplayContext(lang, ports, catalogs)
    values = {
        name: show(name, value, slot_specs.get(name), ctx)
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
