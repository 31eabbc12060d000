"""Staff over WhatsApp/SMS (issue 6, must-show 2): a staff member linked by invite code
registers two households, one without a phone, and makes their daily requests from one phone;
the applicant with a phone is told in their language; the audit log shows every step."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from datetime import date, timedelta
from pathlib import Path

from conftest import Phone, make_invite, random_phone
from support.app import Clock

from bot.services import Services
from bot.staff import cli as staff_cli


async def test_staff_registers_two_households_and_requests_for_both(
    services: Services, clock: Clock, tmp_path: Path
) -> None:
    staff_phone = Phone(services, random_phone(), clock)
    code = make_invite(services, "Casa del Migrante", staff_phone.number, clock)

    reply = await staff_phone.send(code.lower())  # as typed on a phone
    assert "Casa del Migrante" in reply and "1. Registrar una familia" in reply

    # Household 1: has her own phone, reads Haitian Creole.
    applicant = Phone(services, random_phone("+50937"), clock)
    for text in ("1", "Marie Joseph", "02/05/1991", "Haití", "1", "2", applicant.number):
        reply = await staff_phone.send(text)
    assert "¿Viaja algún familiar" in reply
    for text in ("1", "Jean Joseph", "01/01/2015", "2", "Haití", "2", "1"):  # her son, no one else
        reply = await staff_phone.send(text)
    assert "Por favor revise" in reply and "Familia: Jean Joseph" in reply
    reply = await staff_phone.send("1")
    assert "Registrado: Marie Joseph" in reply
    notice = applicant.received()
    assert len(notice) == 1 and "Casa del Migrante enskri ou" in notice[0]
    assert "Marie Joseph ak Jean Joseph" in notice[0] or "Marie Joseph, Jean Joseph" in notice[0]

    # Household 2: no phone of his own: results go to the staff phone.
    for text in ("1", "Pedro Ramírez Soto", "10/10/1985", "Honduras", "1", "1", "0", "2", "1", "1"):
        reply = await staff_phone.send(text)
    assert "Registrado: Pedro Ramírez Soto" in reply and "llegarán a este teléfono" in reply

    reply = await staff_phone.send("3")  # today's request
    assert "1. Marie Joseph +1" in reply and "2. Pedro Ramírez Soto (sin teléfono)" in reply
    reply = await staff_phone.send("1,2")
    assert "Marie Joseph +1: enviada" in reply and "Pedro Ramírez Soto: enviada" in reply
    assert (
        "Casa del Migrante voye demann randevou jodi a pou Marie Joseph" in applicant.received()[0]
    )

    reply = await staff_phone.send("4")  # statuses
    assert reply.count("esperando el sorteo") == 2

    reply = await staff_phone.send("3")  # asking twice the same day never requests twice
    reply = await staff_phone.send("0")
    assert reply.count("ya enviada hoy") == 2

    reply = await staff_phone.send("7")  # back to their own conversation
    assert "EQUIPO" in reply

    out = io.StringIO()
    with redirect_stdout(out):
        assert (
            staff_cli.run(["--data-dir", str(tmp_path / "data"), "audit"], services.settings) == 0
        )
    log = out.getvalue()
    for action in ("invite_created", "staff_linked", "consent_recorded", "household_registered"):
        assert action in log
    assert log.count("household_registered") == 2
    assert log.count("request_made") == 4
    assert applicant.number not in log and staff_phone.number not in log


async def test_an_invite_works_once_only_from_its_phone_and_not_after_it_expires(
    services: Services, clock: Clock
) -> None:
    staff_number = random_phone()
    code = make_invite(services, "Albergue Juan Diego", staff_number, clock)
    stranger = Phone(services, random_phone(), clock)
    assert "no es válido" in await stranger.send(code)
    staff_phone = Phone(services, staff_number, clock)
    assert "Albergue Juan Diego" in await staff_phone.send(code)
    other = Phone(services, random_phone(), clock)
    late = make_invite(services, "Albergue Juan Diego", other.number, clock)
    clock.now += timedelta(hours=services.settings.staff_invite_hours, minutes=1)
    assert "no es válido" in await other.send(late)
    assert "no es válido" in await staff_phone.send(code)  # used


async def test_staff_word_does_nothing_special_on_other_phones(
    services: Services, clock: Clock
) -> None:
    phone = Phone(services, random_phone(), clock)
    await phone.send("hola")
    reply = await phone.send("EQUIPO")
    assert "Modo de personal" not in reply


def test_only_codes_with_letters_and_digits_are_taken_for_invites() -> None:
    from bot.staff.chat import _looks_like_invite
    from bot.staff.service import new_code

    assert all(_looks_like_invite(new_code()) for _ in range(200))
    for text in ("K7QM-4XPA", "k7qm 4xpa", "K7QM4XPA"):
        assert _looks_like_invite(text), text
    for text in ("1990 0512", "5512 3456", "HOLA AMIGO", "mañana", "31/12/1990"):
        assert not _looks_like_invite(text), text


async def test_staff_see_the_appointment_after_the_daily_run(
    services: Services, clock: Clock, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from booking_sandbox.allocator import allocate
    from booking_sandbox.app import build_context
    from bot.embedded_sandbox import embedded_sandbox_settings

    staff_phone = Phone(services, random_phone(), clock)
    await staff_phone.send(make_invite(services, "Casa del Migrante", staff_phone.number, clock))
    assert services.staff is not None
    staff = services.staff.repo.staff_by_digest(services.staff.digest(staff_phone.number))
    assert staff is not None
    for text in ("1", "Rosa Elena Martínez", "14/02/1992", "Honduras", "1", "1", "0"):
        await staff_phone.send(text)
    for text in ("1", "Daniel Martínez", "03/06/2017", "2", "Honduras", "2", "1", "1"):
        reply = await staff_phone.send(text)
    assert "Registrado: Rosa Elena Martínez" in reply
    await staff_phone.send("3")
    assert "enviada" in await staff_phone.send("0")

    clock.now = datetime(2026, 3, 15, 17, 30, tzinfo=UTC)  # after the next day's noon run
    sandbox = build_context(embedded_sandbox_settings(tmp_path / "data"), clock)
    try:
        allocate(sandbox.factory, sandbox.settings, date(2026, 3, 14), sandbox.now(), seed=7)
    finally:
        sandbox.engine.dispose()
    reply = await staff_phone.send("4")
    assert "Rosa Elena Martínez +1: cita " in reply and "Brownsville" in reply
    assert "todavía sin confirmar: confirme antes de" in reply  # and until when

    # They cannot go: staff give the appointment up for them; the booking API frees it.
    listing = await staff_phone.send("6")
    assert "1. Rosa Elena Martínez +1: cita " in listing
    await staff_phone.send("1")
    assert "Se dejó la cita" in await staff_phone.send("2")
    [household] = await services.staff.households(staff)
    assert household.registration_id is not None
    status = await services.conversations.booking.status(household.registration_id)
    assert status.appointment is not None and status.appointment.status == "cancelled"
    assert "Ninguna familia tiene cita ahora" in await staff_phone.send("6")
