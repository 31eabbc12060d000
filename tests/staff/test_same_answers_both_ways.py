"""Must-show (issue 12): staff mode and the applicant's own flow give the same answer for the
same input — one table, each row tried both ways on the same bot (the booking sandbox over
HTTP): an applicant under age, a date that cannot exist, a family member of another
nationality (the booking system keeps each person's own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import Phone, link_staff, random_phone
from sqlalchemy import select
from support.app import Clock

from booking_sandbox.app import build_context
from booking_sandbox.models import Registration
from bot.embedded_sandbox import embedded_sandbox_settings
from bot.services import Services

#: The applicant's own conversation up to the registration menu (language, consent, Register).
APPLICANT_START = ("hola", "1", "si", "1")
#: Staff mode up to "Full name of the adult who registers?".
STAFF_START = ("EQUIPO", "1")


@dataclass(frozen=True)
class Case:
    name: str
    applicant: tuple[str, ...]
    staff: tuple[str, ...]
    #: What both must answer to the last message (its first paragraph), or None.
    same_reply: bool
    #: Nationalities the booking system keeps for the household (primary first), or None.
    nationalities: tuple[str, ...] | None = None


CASES = [
    Case(
        "applicant under age",
        ("Sofía Hernández", "01/01/2012"),
        ("Sofía Hernández", "01/01/2012"),
        same_reply=True,
    ),
    Case(
        "a date that cannot exist",
        ("Ana María López", "31/02/1990"),
        ("Ana María López", "31/02/1990"),
        same_reply=True,
    ),
    Case(
        "family member of another nationality",
        # name, born, nationality, port, family? yes, member, born, son, nationality, done, yes
        ("Ana Lucía Reyes", "22/08/1990", "Honduras", "1", "si", "Luis Reyes", "03/03/2016",
         "2", "Guatemala", "4", "1"),
        # name, born, nationality, port, language, no phone, member? yes, member, born, son,
        # nationality, no one else, consent, register
        ("Ana Lucía Reyes", "22/08/1990", "Honduras", "1", "1", "0", "1", "Luis Reyes",
         "03/03/2016", "2", "Guatemala", "2", "1", "1"),
        same_reply=False,
        nationalities=("HN", "GT"),
    ),
]


def _households(tmp_path: Path, clock: Clock) -> list[dict[str, Any]]:
    sandbox = build_context(embedded_sandbox_settings(tmp_path / "data"), clock)
    try:
        with sandbox.factory() as db:
            return [r.household for r in db.scalars(select(Registration))]
    finally:
        sandbox.engine.dispose()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_staff_mode_and_the_applicant_flow_answer_alike(
    case: Case, services: Services, clock: Clock, tmp_path: Path
) -> None:
    applicant = Phone(services, random_phone(), clock)
    for text in APPLICANT_START + case.applicant:
        applicant_reply = await applicant.send(text)
    staff_phone = Phone(services, random_phone(), clock)
    link_staff(services, "Casa del Migrante", staff_phone.number)
    for text in STAFF_START + case.staff:
        staff_reply = await staff_phone.send(text)
    if case.same_reply:
        first = applicant_reply.split("\n")[0]
        assert staff_reply.split("\n")[0] == first, (applicant_reply, staff_reply)
    if case.nationalities is not None:
        kept = _households(tmp_path, clock)
        assert len(kept) == 2, kept
        for household in kept:
            people = [household["primary"], *household["members"]]
            got = tuple(p["nationality"] for p in people)
            assert got == case.nationalities, household
