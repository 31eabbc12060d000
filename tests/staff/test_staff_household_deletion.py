"""A person registered by shelter staff writes from their own phone: the bot knows their
registration (the usual menu). "Delete my data" while the booking API is down is not claimed
done: nothing is erased and the deletion waits in the outbox; when the API answers again the
registration is erased there, then every row here, and the person is told."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from conftest import Phone, link_staff, random_phone, staff_settings
from support.app import Clock

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
        assert services.staff.repo.households(staff.shelter_id) != []  # nothing erased yet
        actions = [e.action for e in services.staff.repo.audit_entries()]
        assert "contact_forgotten" not in actions

        transport.down = False
        assert await services.replay_outbox() == 0
        assert services.staff.repo.households(staff.shelter_id) == []
        with pytest.raises(BookingNotFound):
            await services.conversations.booking.status(household.registration_id)
        told = applicant.received()
        assert any("datos fueron borrados" in body for body in told), told
        key = services.conversations.key_for(applicant.number)
        assert await services.store.load(key) is None
