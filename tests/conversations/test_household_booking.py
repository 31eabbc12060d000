"""A household is one unit, end to end: the bot registers the primary applicant with every
member over HTTP (the sandbox served on a loopback port), the daily run gives all of them ONE
appointment time, and the status message names all four (issue 6, must-show 1). Changes after
registration reach the booking API (PUT), also when the person leaves without confirming."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.app import Clock, make_settings

from booking_sandbox.allocator import allocate
from booking_sandbox.app import build_context
from bot.conversation import Conversations
from bot.embedded_sandbox import embedded_sandbox_settings
from bot.messages import ChannelKind, Inbound
from bot.services import Services, open_services

#: The day after the request, after the sandbox's noon run (America/New_York).
NEXT_DAY = datetime(2026, 3, 15, 17, 30, tzinfo=UTC)
FAMILY = [
    # name, date of birth, relationship option (1 spouse, 2 child), nationality
    ("Carlos Alberto Reyes Paz", "03/09/1985", "1", "Honduras"),
    ("Mateo Reyes Martínez", "02/07/2019", "2", "Honduras"),
    ("Isabel Reyes Martínez", "20/01/2014", "2", "México"),
]
NAMES = ["Ana Lucía Martínez Gómez"] + [person[0] for person in FAMILY]


class Phone:
    def __init__(self, conversations: Conversations, clock: Clock, number: str) -> None:
        self.conversations, self.clock, self.number, self.count = conversations, clock, number, 0

    async def send(self, *texts: str) -> str:
        said = ""
        for text in texts:
            self.count += 1
            handled = await self.conversations.handle(
                Inbound(
                    message_id=f"SMhousehold{self.number[1:]}{self.count:04d}",
                    sender=self.number,
                    channel=ChannelKind.SMS,
                    text=text,
                    received_at=self.clock(),
                )
            )
            said = "\n".join(reply.text for reply in handled.replies)
        return said  # what the last message got


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    async with open_services(
        make_settings(), clock=clock, data_dir=tmp_path / "data", background=False
    ) as opened:
        yield opened


async def _register_primary(phone: Phone) -> None:
    await phone.send("hola", "1", "si", "1", NAMES[0], "12/05/1988", "hondureña")
    await phone.send("5")  # El Paso; then: will family members travel with you?


async def _add(phone: Phone, people: list[tuple[str, str, str, str]]) -> str:
    said = ""
    for name, born, relationship, nationality in people:
        said = await phone.send(name, born, relationship, nationality)
        if (name, born, relationship, nationality) != people[-1]:
            await phone.send("1")  # add a person
    return said


async def _registration(services: Services, registration_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=services.booking_url) as http:
        response = await http.get(f"/v1/registrations/{registration_id}")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data


async def _session(services: Services, number: str) -> Any:
    key = services.conversations.key_for(number)
    return await services.store.load(key)


async def test_household_of_four_gets_one_appointment_and_the_status_names_all_four(
    services: Services, clock: Clock, tmp_path: Path
) -> None:
    phone = Phone(services.conversations, clock, "+5216649876543")
    await _register_primary(phone)
    await phone.send("1")  # yes, family members travel with me
    listed = await _add(phone, FAMILY)
    assert all(name.split()[0] in listed for name in NAMES)
    summary = await phone.send("4")  # the list is correct
    assert "Personas: " + ", ".join(NAMES[:-1]) + " e " + NAMES[-1] in summary
    registered = await phone.send("1")
    assert all(name in registered for name in NAMES)
    confirm = await phone.send("2", "5")
    assert all(name in confirm for name in NAMES)
    requested = await phone.send("1")
    assert "La solicitud de hoy para Ana Lucía" in requested

    session = await _session(services, phone.number)
    before = await _registration(services, session.registration_id)
    assert before["household_size"] == 4
    assert [m["full_name"] for m in before["household"]["members"]] == NAMES[1:]
    assert [m["relationship"] for m in before["household"]["members"]] == [
        "spouse",
        "child",
        "child",
    ]

    # The daily run, in-process on the sandbox's own database (as `frontdoor sandbox allocate`).
    clock.now = NEXT_DAY
    sandbox = build_context(embedded_sandbox_settings(tmp_path / "data"), clock)
    try:
        request_day = date.fromisoformat(before["latest_request"]["request_date"])
        allocate(sandbox.factory, sandbox.settings, request_day, sandbox.now(), seed=7)
    finally:
        sandbox.engine.dispose()

    after = await _registration(services, session.registration_id)
    appointment = after["appointment"]
    assert appointment is not None and appointment["status"] == "allocated"
    assert appointment["people"] == 4  # one appointment, one time, for all four
    status = await phone.send("menu", "3")
    assert status.startswith("Cita para " + ", ".join(NAMES[:-1]) + " e " + NAMES[-1] + ":")
    assert "El Paso" in status


async def test_changes_after_registration_reach_the_booking_api(
    services: Services, clock: Clock
) -> None:
    phone = Phone(services.conversations, clock, "+5215512349876")
    await _register_primary(phone)
    await phone.send("1")
    await _add(phone, FAMILY[:2])
    await phone.send("4", "1")  # list correct, summary correct: registered with three
    session = await _session(services, phone.number)
    assert (await _registration(services, session.registration_id))["household_size"] == 3

    # Registered, from the menu: add the fourth person and confirm (PUT).
    said = await phone.send("menu", "1", "1", "1")
    assert "viaja con usted" in said
    await _add(phone, FAMILY[2:])
    saved = await phone.send("4")
    assert saved.startswith("Guardado. Su grupo familiar: ")
    data = await _registration(services, session.registration_id)
    assert data["household_size"] == 4
    assert data["household"]["members"][-1]["full_name"] == "Isabel Reyes Martínez"

    # Remove someone and leave without confirming: today's request still sends the household
    # the person was shown (the change goes first), never a stale one.
    await phone.send("menu", "1", "1", "3", "2")  # remove the second member (Mateo)
    confirm = await phone.send("menu", "2", "5")
    assert "Mateo" not in confirm and "Isabel" in confirm
    await phone.send("1")
    data = await _registration(services, session.registration_id)
    assert data["household_size"] == 3
    assert "Mateo" not in str(data["household"])


async def test_household_limit_comes_from_the_settings(tmp_path: Path, clock: Clock) -> None:
    async with open_services(
        make_settings(max_household_size=2), clock=clock, data_dir=tmp_path, background=False
    ) as limited:
        phone = Phone(limited.conversations, clock, "+5215500000001")
        await _register_primary(phone)
        await phone.send("1")
        await _add(phone, FAMILY[:1])
        full = await phone.send("1")  # add another: the household is full
        assert full.startswith("Su grupo familiar ya tiene 2 personas")
        assert "- Carlos Alberto Reyes Paz" in full  # and the list is shown again


async def test_an_unsent_change_the_booking_api_refuses_stops_the_request(
    tmp_path: Path, clock: Clock
) -> None:
    # The bot is configured for more people than the booking API takes (10): the API refuses.
    async with open_services(
        make_settings(max_household_size=12), clock=clock, data_dir=tmp_path, background=False
    ) as loose:
        phone = Phone(loose.conversations, clock, "+5215500000002")
        await _register_primary(phone)
        await phone.send("2", "1")  # nobody travels with me; the summary is right: registered
        session = await _session(loose, phone.number)
        # Registered: add ten people (eleven in all) and leave without confirming.
        await phone.send("menu", "1", "1", "1")
        cousins = [(f"Primo {name} Paz", "01/01/2001", "5", "Honduras") for name in NAMES_TEN]
        await _add(phone, cousins)
        said = await phone.send("menu", "2", "5", "1")
        assert said.startswith("El sistema de citas no aceptó la solicitud para Ana Lucía")
        data = await _registration(loose, session.registration_id)
        assert data["household_size"] == 1 and data["latest_request"] is None


NAMES_TEN = ["Uno", "Dos", "Tres", "Cuatro", "Cinco", "Seis", "Siete", "Ocho", "Nueve", "Diez"]
