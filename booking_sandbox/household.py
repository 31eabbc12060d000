"""Household rules: size limit, adult primary applicant, plausible birth dates.

They are checked here rather than in the schemas so each refusal gets its own stable error code
that the bot can turn into a sentence in the person's language.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from booking_sandbox.errors import SandboxError
from booking_sandbox.schemas import MemberIn, PersonIn
from booking_sandbox.settings import SandboxSettings

OLDEST_BIRTH_YEAR = 1900


def age_on(birth_date: date, today: date) -> int:
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def check_port(settings: SandboxSettings, port: str) -> None:
    if settings.port(port) is None:
        raise SandboxError(
            422,
            "unknown_port",
            f"Unknown port of entry {port!r}.",
            ports=[known.id for known in settings.ports],
        )


def build_household(
    settings: SandboxSettings, today: date, primary: PersonIn, members: list[MemberIn]
) -> dict[str, Any]:
    """Validate and return the stored form of a household."""
    size = 1 + len(members)
    if size > settings.max_household_size:
        raise SandboxError(
            422,
            "household_too_large",
            f"A household has at most {settings.max_household_size} people; got {size}.",
            max_household_size=settings.max_household_size,
        )
    people: list[tuple[str, PersonIn]] = [("primary", primary)]
    people += [(f"members.{index}", member) for index, member in enumerate(members)]
    for where, person in people:
        if person.birth_date > today or person.birth_date.year < OLDEST_BIRTH_YEAR:
            raise SandboxError(
                422,
                "invalid_birth_date",
                f"Birth date of {where} is not possible.",
                field=f"{where}.birth_date",
            )
    if age_on(primary.birth_date, today) < settings.adult_age:
        raise SandboxError(
            422,
            "primary_must_be_adult",
            f"The primary applicant must be at least {settings.adult_age} years old.",
            adult_age=settings.adult_age,
        )
    return {
        "primary": primary.model_dump(mode="json"),
        "members": [member.model_dump(mode="json") for member in members],
    }
