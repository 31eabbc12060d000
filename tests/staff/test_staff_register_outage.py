"""Staff mode's writes are effect actions like the applicant's (flows/staff/register.yaml,
bot/staff/actions.py): a registration made while the booking API is down is kept (the household
in the staff database, the action in the outbox), staff are told it waits, and it is registered
once, with the same key, when the API answers; staff are told the result on their phone. So
is confirming a family's appointment (the household is kept with the waiting action)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from conftest import Phone, link_staff, random_phone, staff_settings
from support.app import Clock
from test_staff_household_deletion import SwitchableTransport

from booking_sandbox.allocator import allocate
from booking_sandbox.app import build_context
from bot.embedded_sandbox import embedded_sandbox_settings
from bot.services import open_services


async def test_a_registration_during_an_outage_waits_in_the_outbox_and_is_made_once(
    tmp_path: Path, clock: Clock
) -> None:
    transport = SwitchableTransport()
    settings = staff_settings(booking_breaker_reset_seconds=0.01, booking_retries=0)
    async with open_services(
        settings, clock=clock, data_dir=tmp_path, background=False, booking_transport=transport
    ) as services:
        assert services.staff is not None
        staff_phone = Phone(services, random_phone(), clock)
        staff = link_staff(services, "Casa del Migrante", staff_phone.number)
        await staff_phone.send("EQUIPO")
        for text in ("1", "Pedro Ramírez Soto", "10/10/1985", "Honduras", "1", "1", "0"):
            await staff_phone.send(text)
        await staff_phone.send("2")  # no family member
        await staff_phone.send("1")  # consent
        transport.down = True
        reply = await staff_phone.send("1")  # register
        assert "El registro está guardado y espera al sistema" in reply, reply
        assert "Modo de personal" in reply  # back at staff mode's menu
        [waiting] = services.staff.repo.households(staff.shelter_id)
        assert waiting.registration_id is None  # kept, not registered yet
        key = services.conversations.key_for(staff_phone.number)
        session = await services.store.load(key)
        assert session is not None and [a.name for a in session.queued] == ["staff_register"]

        await services.replay_outbox()  # still down: still waiting, nothing lost
        assert services.staff.repo.households(staff.shelter_id)[0].registration_id is None

        transport.down = False
        assert await services.replay_outbox() == 0
        [registered] = services.staff.repo.households(staff.shelter_id)
        assert registered.id == waiting.id and registered.registration_id is not None
        told = "\n".join(staff_phone.received())
        assert "Registrado: Pedro Ramirez Soto" in told or "Registrado: Pedro Ramírez Soto" in told
        assert registered.registration_id in told
        session = await services.store.load(key)
        assert session is not None and session.queued == []

        # A retry of the same action (the same key) is the same household, registered once.
        await services.replay_outbox()
        assert len(services.staff.repo.households(staff.shelter_id)) == 1


async def test_confirming_for_a_family_during_an_outage_is_done_when_the_api_answers(
    tmp_path: Path, clock: Clock
) -> None:
    transport = SwitchableTransport()
    settings = staff_settings(booking_breaker_reset_seconds=0.01, booking_retries=0)
    async with open_services(
        settings, clock=clock, data_dir=tmp_path, background=False, booking_transport=transport
    ) as services:
        assert services.staff is not None
        staff_phone = Phone(services, random_phone(), clock)
        staff = link_staff(services, "Casa del Migrante", staff_phone.number)
        await staff_phone.send("EQUIPO")
        for text in ("1", "Pedro Ramírez Soto", "10/10/1985", "Honduras", "1", "1", "0", "2"):
            await staff_phone.send(text)
        await staff_phone.send("1")  # consent
        assert "Registrado" in await staff_phone.send("1")
        await staff_phone.send("3")
        assert "enviada" in await staff_phone.send("0")  # today's request
        clock.now = datetime.fromisoformat("2026-03-15T17:30:00+00:00")
        sandbox = build_context(embedded_sandbox_settings(tmp_path), clock)
        try:
            allocate(sandbox.factory, sandbox.settings, date(2026, 3, 14), sandbox.now(), seed=7)
        finally:
            sandbox.engine.dispose()
        [household] = services.staff.repo.households(staff.shelter_id)
        assert household.registration_id is not None
        status = await services.conversations.booking.status(household.registration_id)
        assert status.appointment is not None and status.appointment.status == "allocated"

        assert "Pedro" in await staff_phone.send("6")  # the appointments
        await staff_phone.send("1")
        transport.down = True
        reply = await staff_phone.send("1")  # confirm it
        assert "Quedó guardado y se hará cuando responda" in reply, reply
        await staff_phone.send("MENU")  # staff go on; the answer waits with its household

        transport.down = False
        assert await services.replay_outbox() == 0
        status = await services.conversations.booking.status(household.registration_id)
        assert status.appointment is not None and status.appointment.status == "confirmed"
        told = "\n".join(staff_phone.received())
        assert "Confirmada. El sistema de citas muestra la cita confirmada" in told, told
