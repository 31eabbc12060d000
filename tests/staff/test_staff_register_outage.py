"""Staff mode's writes are effect actions like the applicant's (flows/staff/register.yaml,
bot/staff/actions.py): a registration made while the booking API is down is kept (the household
in the staff database, the action in the outbox), staff are told it waits, and it is registered
once, with the same key, when the API answers; staff are told the result on their phone."""

from __future__ import annotations

from pathlib import Path

from conftest import Phone, link_staff, random_phone, staff_settings
from support.app import Clock
from test_staff_household_deletion import SwitchableTransport

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
