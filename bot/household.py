"""A household as the bot keeps it in a conversation, and how it is shown in every language.

The primary applicant's answers are the slots `full_name`, `birth_date`, `nationality`; the
people who travel with them are `slots["members"]`, a list of dicts with the same keys plus
`relationship` (an option id of the household flow's relationship question). The booking API
books them as one unit: one request, one appointment time for everyone, or nothing.

Every message about a request or a result names who is included through `{household}`: all
names as one list, written the way the language writes lists ("Ana, Luis, Juan y Rosa").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from babel.lists import format_list

from bot.booking.models import Household, Person
from bot.languages import get_language
from nlu.normalize import match_key

MEMBERS_SLOT = "members"
#: Slots the member questions fill before a member is saved into `members`.
MEMBER_FIELDS: dict[str, str] = {
    "member_name": "full_name",
    "member_birth_date": "birth_date",
    "member_relationship": "relationship",
    "member_nationality": "nationality",
}
#: Which member is being changed (index into `members`); absent while adding a new one.
EDITING_SLOT = "_member_index"
#: Set when the household changed after registration and the booking API has not been told.
DIRTY_SLOT = "_household_dirty"

#: Languages whose Babel locale is their own get Babel's list patterns; a pack may give its own
#: conjunction (`list_and`: Kreyòl's Babel data is French, "et"); the Mayan languages have no
#: CLDR data at all and get a plain comma list rather than a word from another language.


def members(slots: Mapping[str, Any]) -> list[dict[str, Any]]:
    value = slots.get(MEMBERS_SLOT) or []
    return [dict(m) for m in value if isinstance(m, Mapping)]


def names(slots: Mapping[str, Any]) -> list[str]:
    """Everyone in the household, the primary applicant first."""
    people = [str(slots["full_name"])] if slots.get("full_name") else []
    return people + [str(m.get("full_name", "")) for m in members(slots) if m.get("full_name")]


def size(slots: Mapping[str, Any]) -> int:
    return (1 if slots.get("full_name") else 0) + len(members(slots))


def format_names(people: Sequence[str], lang: str) -> str:
    """Names as one list in `lang`: "Ana, Luis y Rosa", "Ana, Luis e Rosa", "Ana, Luis ak Rosa"."""
    people = [p for p in people if p]
    if len(people) < 2:
        return people[0] if people else ""
    language = get_language(lang)
    if language.list_and:
        return f"{', '.join(people[:-1])} {language.list_and} {people[-1]}"
    locale = language.formatting_locale
    if locale is None or locale.split("_")[0] != language.code:
        return ", ".join(people)
    text = str(format_list(list(people), locale=locale))
    if language.code == "es" and _spanish_e(people[-1]):
        # Spanish writes "e" before an /i/ sound: "Juan e Isabel", "Rosa e Hilda".
        tail = f" y {people[-1]}"
        if text.endswith(tail):
            text = text[: -len(tail)] + f" e {people[-1]}"
    return text


def _spanish_e(word: str) -> bool:
    folded = match_key(word)
    return folded.startswith("i") or (folded.startswith("hi") and folded[2:3] not in "aeou")


def short_date(value: Any) -> str:
    """dd/mm/yyyy: the way dates are asked for, and short enough for a list on SMS."""
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def member_lines(
    slots: Mapping[str, Any],
    relationship_label: Callable[[str], str],
    country: Callable[[str], str],
) -> str:
    """The list people check, one line per person: the primary applicant first, then each
    member with relationship, date of birth and nationality. Lines start with a dash, not a
    number, because the question's options below it are numbered."""
    lines: list[str] = []
    if slots.get("full_name"):
        born = short_date(slots.get("birth_date", ""))
        lines.append(f"- {slots['full_name']}, {born}, {country(str(slots.get('nationality')))}")
    for member in members(slots):
        relationship = relationship_label(str(member.get("relationship", "")))
        born = short_date(member.get("birth_date", ""))
        nationality = country(str(member.get("nationality", "")))
        lines.append(f"- {member.get('full_name', '')} ({relationship}), {born}, {nationality}")
    return "\n".join(lines)


def to_household(slots: Mapping[str, Any]) -> Household:
    """What the booking API is sent: the primary applicant and every member."""
    primary = Person(
        full_name=slots["full_name"],
        birth_date=date.fromisoformat(slots["birth_date"]),
        nationality=slots["nationality"],
    )
    return Household(
        primary=primary,
        members=[
            Person(
                full_name=m["full_name"],
                birth_date=date.fromisoformat(m["birth_date"]),
                nationality=m["nationality"],
                relationship=m.get("relationship") or "other",
            )
            for m in members(slots)
        ],
    )


def slots_of(household: Household) -> dict[str, Any]:
    """The slots `to_household` reads, from a household the booking API holds (to restore a
    conversation that was lost)."""
    primary = household.primary
    return {
        "full_name": primary.full_name,
        "birth_date": primary.birth_date.isoformat(),
        "nationality": primary.nationality,
        MEMBERS_SLOT: [
            {
                "full_name": m.full_name,
                "birth_date": m.birth_date.isoformat(),
                "nationality": m.nationality,
                "relationship": m.relationship or "other",
            }
            for m in household.members
        ],
    }


def age_on(birth_date: date, today: date) -> int:
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
