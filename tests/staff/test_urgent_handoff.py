"""Danger words open a handoff marked urgent, at any question (issue 11): staff are told it is
urgent, the inbox lists it first with what the person wrote, and a person already waiting who
writes of danger makes their handoff urgent."""

from __future__ import annotations

from conftest import Phone, make_invite, random_phone
from support.app import Clock

from bot.messages import ChannelKind
from bot.services import Services


async def _spanish_person(services: Services, clock: Clock) -> Phone:
    person = Phone(services, random_phone("+52"), clock, ChannelKind.WHATSAPP)
    await person.send("0")  # the language menu
    await person.send("1")  # Español
    reply = await person.send("1")  # accepts the privacy notice
    assert "Qué quiere hacer" in reply
    return person


async def test_extortion_in_the_middle_of_registration_opens_an_urgent_handoff(
    services: Services, clock: Clock
) -> None:
    staff = Phone(services, random_phone(), clock)
    await staff.send(make_invite(services, "Casa del Migrante", staff.number, clock))
    calm = await _spanish_person(services, clock)
    await calm.send("PERSONA")  # an ordinary handoff, opened first
    person = await _spanish_person(services, clock)
    assert "nombre completo" in await person.send("1")  # register: the name question
    reply = await person.send("nos están extorsionando, tenemos miedo")
    assert "lo antes posible" in reply and "911" in reply
    assert staff.received() == [
        "Una persona espera respuesta (Español). Escriba EQUIPO y luego 5 para responder.",
        "Urgente: alguien escribe que esta en peligro (Español). Escriba EQUIPO, luego 5, "
        "para responder ya.",
    ]
    inbox = await staff.send("5")
    lines = inbox.splitlines()
    assert lines[1] == "1. Urgente Español: nos están extorsionando, tenemos miedo", inbox
    assert lines[2].startswith("2. Español")


async def test_a_sick_child_while_waiting_makes_the_handoff_urgent(
    services: Services, clock: Clock
) -> None:
    staff = Phone(services, random_phone(), clock)
    await staff.send(make_invite(services, "Casa del Migrante", staff.number, clock))
    person = await _spanish_person(services, clock)
    await person.send("PERSONA")
    assert staff.received() != []
    # Acknowledged once (a person will answer), never silence.
    received = "Recibido. Una persona del equipo del albergue le responderá aquí."
    assert await person.send("mi hijo está muy enfermo, tiene fiebre") == received
    assert staff.received() == [
        "Urgente: alguien escribe que esta en peligro (Español). Escriba EQUIPO, luego 5, "
        "para responder ya."
    ]
    # Already urgent: staff are not told again; already acknowledged: no second "received".
    assert await person.send("sigue con fiebre") == ""
    assert staff.received() == []
    assert services.staff is not None
    member = services.staff.repo.staff_by_digest(services.staff.digest(staff.number))
    assert member is not None  # a shelter that takes walk-ins sees this person's handoff
    rows = await services.staff.db(services.staff.repo.handoffs, member.shelter_id)
    digest = services.conversations.key_for(person.number).digest
    mine = [h for h in rows if h.contact_digest == digest]
    assert len(mine) == 1 and mine[0].urgent


async def test_an_ordinary_name_is_not_danger(services: Services, clock: Clock) -> None:
    person = await _spanish_person(services, clock)
    await person.send("1")  # register
    reply = await person.send("Socorro Dolores Hernández")
    assert "fecha de nacimiento" in reply
