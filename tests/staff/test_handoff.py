"""A human when needed (issue 6, must-show 3): "talk to a person" pauses the conversation and
opens a handoff marked with the person's language; the staff reply reaches the person through
the same channel; MENU (in their language) brings the bot back; "delete my data" erases it."""

from __future__ import annotations

from conftest import Phone, make_invite, random_phone
from support.app import Clock

from bot.messages import ChannelKind
from bot.services import Services


async def _kreyol_person(services: Services, clock: Clock) -> Phone:
    person = Phone(services, random_phone("+50937"), clock, ChannelKind.WHATSAPP)
    await person.send("0")  # a number: the language menu
    await person.send("2")  # Kreyòl ayisyen
    reply = await person.send("1")  # accepts the privacy notice
    assert "Kisa ou vle fè" in reply
    return person


async def test_a_handoff_in_kreyol_reaches_staff_and_the_reply_reaches_the_person(
    services: Services, clock: Clock
) -> None:
    person = await _kreyol_person(services, clock)
    reply = await person.send("MOUN")
    assert "Yon moun nan ekip abri a ap reponn ou isit la" in reply
    # Paused: a person answers; the bot only acknowledges the first message of the wait.
    acknowledged = await person.send("Mwen bezwen èd ak papye pitit mwen")
    assert acknowledged == "Nou resevwa l. Yon moun nan ekip abri a ap reponn ou isit la."

    staff = Phone(services, random_phone(), clock)
    await staff.send(make_invite(services, "Casa del Migrante", staff.number, clock))
    reply = await staff.send("5")
    assert "1. Kreyòl ayisyen: Mwen bezwen èd ak papye pitit mwen" in reply
    assert "intérprete" not in reply  # Kreyòl has a reviewed catalog
    await staff.send("1")
    assert "fue enviada" in await staff.send("Wi, vin nan biwo a demen a 10è.")
    received = person.received()
    assert received == ["Casa del Migrante: Wi, vin nan biwo a demen a 10è."]

    reply = await person.send("MENI")  # back to the bot at any time
    assert "Kisa ou vle fè" in reply
    assert services.staff is not None
    assert (
        await services.staff.db(services.staff.repo.open_handoff_of, _digest(services, person))
        is None
    )


async def test_the_help_menu_offers_a_person_and_draft_languages_need_an_interpreter(
    services: Services, clock: Clock
) -> None:
    person = Phone(services, random_phone("+502"), clock)
    await person.send("0")  # a number: the language menu
    await person.send("6")  # Mam: a draft catalog
    await person.send("1")  # yes to the interpreter offer
    await person.send("1")  # accepts the privacy notice
    await person.send("4")  # help
    await person.send("1")  # yes, a person
    await person.send("Necesito saber de mi cita")
    assert services.staff is not None
    staff = Phone(services, random_phone(), clock)
    await staff.send(make_invite(services, "Casa del Migrante", staff.number, clock))
    reply = await staff.send("5")
    assert "Mam (se necesita intérprete): Necesito saber de mi cita" in reply


async def test_delete_my_data_forgets_the_handoff(services: Services, clock: Clock) -> None:
    person = await _kreyol_person(services, clock)
    await person.send("MOUN")
    await person.send("Mesaj prive")
    assert services.staff is not None
    digest = _digest(services, person)
    assert await services.staff.db(services.staff.repo.open_handoff_of, digest) is not None
    await person.send("MENI")
    await person.send("7")  # delete my data
    await person.send("1")
    assert await services.staff.db(services.staff.repo.open_handoff_of, digest) is None
    rows = await services.staff.db(services.staff.repo.handoffs, 0, include_closed=True)
    assert all(h.contact_digest != digest for h in rows)


def _digest(services: Services, phone: Phone) -> str:
    return services.conversations.key_for(phone.number).digest


async def test_staff_phones_are_told_someone_is_waiting(services: Services, clock: Clock) -> None:
    staff = Phone(services, random_phone(), clock)
    await staff.send(make_invite(services, "Casa del Migrante", staff.number, clock))
    person = await _kreyol_person(services, clock)
    await person.send("MOUN")
    assert staff.received() == [
        "Una persona espera respuesta (Kreyòl ayisyen). Escriba EQUIPO y luego 5 para responder."
    ]
    await person.send("Mwen la")  # the same handoff: nobody is told twice
    assert staff.received() == []
