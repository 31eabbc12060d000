"""A person registered by shelter staff writes from their own phone: the bot knows their
registration (the usual menu). "Delete my data" while the booking API (or the staff database)
is down is not claimed done: everything here that can be is erased at once (bot/erasure.py)
and the rest waits in the erasure outbox; when the API (the database) answers again the
registrations are erased there and the person is told."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from conftest import Phone, link_staff, random_phone, staff_settings
from support.app import Clock
from support.live import TcpRelay

from bot.booking.client import BookingNotFound
from bot.services import open_services


class SwitchableTransport(httpx.AsyncBaseTransport):
    """Real HTTP to the embedded sandbox, or (while `down`) no answer at all."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("booking API down", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_deleting_a_staff_registered_household_waits_out_an_outage(
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
        applicant = Phone(services, random_phone(), clock)
        await staff_phone.send("EQUIPO")
        for text in ("1", "Ana Lucía Reyes", "22/08/1990", "Honduras", "1", "1"):
            await staff_phone.send(text)
        for text in (applicant.number, "2", "1"):
            await staff_phone.send(text)
        assert "Registrado: Ana Lucía Reyes" in await staff_phone.send("1")
        [household] = services.staff.repo.households(staff.shelter_id)
        assert household.registration_id is not None
        applicant.received()  # the notice that she was registered

        reply = await applicant.send("hola")
        assert "Su registro ya está hecho: Ana Lucía Reyes" in reply, reply
        assert "1. Registrarme" in reply  # the usual menu
        assert "nombre" not in (await applicant.send("3")).lower()  # status, not a new sign-up

        transport.down = True
        await applicant.send("MENU")
        await applicant.send("7")
        reply = await applicant.send("1")
        assert "Su pedido de borrar está guardado y se hará solo" in reply, reply
        assert services.staff.repo.households(staff.shelter_id) == []  # erased here at once
        key = services.conversations.key_for(applicant.number)
        erasure = await services.store.load_erasure(key)  # the booking part waits
        assert erasure is not None and household.registration_id.encode() in erasure
        assert applicant.received() == []  # not told "deleted" before it is

        transport.down = False
        assert await services.replay_outbox() == 0
        assert services.staff.repo.households(staff.shelter_id) == []
        with pytest.raises(BookingNotFound):
            await services.conversations.booking.status(household.registration_id)
        told = applicant.received()
        assert any("datos fueron borrados" in body for body in told), told
        assert await services.store.load(key) is None
        assert await services.store.load_erasure(key) is None


async def test_deletion_waits_for_the_staff_database_to_know_every_household(
    tmp_path: Path, clock: Clock, postgres_schema: str
) -> None:
    """Staff registered two households with the same phone (the person's conversation took
    the latest). When the staff database does not answer at "delete my data", the bot cannot
    know the other one: the person is told it will be done, not that it is; once the database
    answers, both registrations are erased in the booking API and then the person is told."""
    relay = TcpRelay(target_port=5432)
    relay.up()
    url = f"postgresql+psycopg://postgres@127.0.0.1:{relay.port}/test"
    settings = staff_settings(database_url=url, database_schema=postgres_schema)
    async with open_services(settings, clock=clock, data_dir=tmp_path, background=False) as (
        services
    ):
        assert services.staff is not None
        staff_phone = Phone(services, random_phone(), clock)
        staff = link_staff(services, "Casa del Migrante", staff_phone.number)
        applicant = Phone(services, random_phone(), clock)
        await staff_phone.send("EQUIPO")
        for name in ("Ana Lucía Reyes", "Rosa Reyes"):
            for text in ("1", name, "22/08/1990", "Honduras", "1", "1"):
                await staff_phone.send(text)
            for text in (applicant.number, "2", "1"):
                await staff_phone.send(text)
            assert f"Registrado: {name}" in await staff_phone.send("1")
        households = services.staff.repo.households(staff.shelter_id)
        registrations = [h.registration_id for h in households]
        assert len(registrations) == 2 and all(registrations)
        assert "Su registro ya está hecho" in await applicant.send("hola")
        applicant.received()

        relay.down()  # the staff database stops answering
        newcomer = Phone(services, random_phone(), clock)
        assert "Español" in await newcomer.send("hola")  # not recognised, but answered
        await applicant.send("MENU")
        await applicant.send("7")
        reply = await applicant.send("1")
        assert "Su pedido de borrar está guardado y se hará solo" in reply, reply
        assert await services.replay_outbox() == 1  # still waiting for the database
        assert applicant.received() == []

        relay.up()
        assert await services.replay_outbox() == 0
        for registration_id in registrations:
            assert registration_id is not None
            with pytest.raises(BookingNotFound):
                await services.conversations.booking.status(registration_id)
        assert services.staff.repo.households(staff.shelter_id) == []
        told = applicant.received()
        assert any("datos fueron borrados" in body for body in told), told
    relay.down()
