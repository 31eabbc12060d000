"""Two households at ports in different time zones, with appointments at the same instant: each
reads its own port's clock in "my status" and in the allocation notice (issue 11, must-show 1).

Real sandbox over HTTP (embedded, loopback), registrations and requests typed over SMS, the
daily run on the sandbox's database; the two appointments are then set to one UTC instant
(16:00 UTC on 16 March 2026, after the DST change: 10:00 in El Paso, 9:00 in Calexico) with one
deadline instant (01:03 UTC: 7:03 p.m. in El Paso, 6:03 p.m. in Calexico, the day before).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from support.app import Clock, make_settings

from booking_sandbox.allocator import allocate
from booking_sandbox.app import build_context
from booking_sandbox.models import Appointment
from bot.booking.events import BookingEvent
from bot.conversation import Conversations
from bot.embedded_sandbox import embedded_sandbox_settings
from bot.jobs.models import SendJob
from bot.jobs.notify import NotifyHandler, job_for_event
from bot.jobs.sending import unseal_parcel
from bot.messages import ChannelKind, Inbound
from bot.services import Services, open_services

NEXT_DAY = datetime(2026, 3, 15, 17, 30, tzinfo=UTC)
STARTS = datetime(2026, 3, 16, 16, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 16, 1, 3, tzinfo=UTC)
#: port option, what the person reads, what they must not read (the other zone's clock).
HOUSEHOLDS = {
    "+12125550141": ("5", "El Paso", "10:00 AM", "7:03 PM", "9:00 AM"),
    "+12125550142": ("7", "Calexico", "9:00 AM", "6:03 PM", "10:00 AM"),
}


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


class Phone:
    def __init__(self, conversations: Conversations, clock: Clock, number: str) -> None:
        self.conversations, self.clock, self.number, self.count = conversations, clock, number, 0

    async def send(self, *texts: str) -> str:
        said = ""
        for text in texts:
            self.count += 1
            handled = await self.conversations.handle(
                Inbound(
                    message_id=f"SMzones{self.number[1:]}{self.count:04d}",
                    sender=self.number,
                    channel=ChannelKind.SMS,
                    text=text,
                    received_at=self.clock(),
                )
            )
            said = "\n".join(reply.text for reply in handled.replies)
        return _plain(said)


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    async with open_services(
        make_settings(), clock=clock, data_dir=tmp_path / "data", background=False
    ) as opened:
        yield opened


async def _registration(services: Services, registration_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=services.booking_url) as http:
        response = await http.get(f"/v1/registrations/{registration_id}")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data


async def test_two_households_two_zones_each_read_their_own_clock(
    services: Services, clock: Clock, tmp_path: Path
) -> None:
    phones = {number: Phone(services.conversations, clock, number) for number in HOUSEHOLDS}
    for number, phone in phones.items():
        port = HOUSEHOLDS[number][0]
        await phone.send("hello", "1", "yes", "1", "Daniel Okafor", "21/11/1979", "Nigeria")
        registered = await phone.send(port, "2", "yes")
        assert registered.startswith("Done, registered")
        requested = await phone.send("2", port, "yes")
        assert requested.startswith("Today's request")

    clock.now = NEXT_DAY
    sandbox = build_context(embedded_sandbox_settings(tmp_path / "data"), clock)
    try:
        allocate(sandbox.factory, sandbox.settings, date(2026, 3, 14), sandbox.now(), seed=7)
        with sandbox.factory() as db:
            appointments = db.scalars(select(Appointment)).all()
            assert len(appointments) == 2
            for appointment in appointments:
                appointment.starts_at, appointment.confirm_by = STARTS, DEADLINE
            db.commit()
    finally:
        sandbox.engine.dispose()

    registration_ids = {}
    for number in HOUSEHOLDS:
        key = services.conversations.key_for(number)
        session = await services.store.load(key)
        assert session is not None and session.registration_id
        registration_ids[number] = session.registration_id

    # "My status", El Paso first, then Calexico, then El Paso again.
    for number in [*HOUSEHOLDS, next(iter(HOUSEHOLDS))]:
        _, port, shown, deadline, never = HOUSEHOLDS[number]
        status = await phones[number].send("menu", "3")
        assert status.startswith("Appointment for Daniel Okafor: "), status
        assert port in status and f"March 16, 2026, {shown}" in status, status
        assert f"March 15, 2026, {deadline}" in status, status
        assert never not in status, status

    # The allocation notice, from the booking API's UTC instants and each port's zone.
    sent: list[SendJob] = []

    async def capture(job: SendJob) -> None:
        sent.append(job)

    notify = NotifyHandler(
        services.conversations, services.outbound.codec, services.outbound.ledger, capture
    )
    for number in HOUSEHOLDS:
        given = (await _registration(services, registration_ids[number]))["appointment"]
        assert given is not None
        data = {
            **given,
            "starts_at": STARTS.isoformat().replace("+00:00", "Z"),
            "confirm_by": DEADLINE.isoformat().replace("+00:00", "Z"),
        }
        event = BookingEvent(
            event_id=f"evt_{number[-2:]}",
            type="allocated",
            registration_id=registration_ids[number],
            contact_ref=services.conversations.key_for(number).digest,
            occurred_at=NEXT_DAY.isoformat(),
            data={"appointment": data},
        )
        job = job_for_event(event)
        assert job is not None
        await notify(job)
    assert len(sent) == 2
    for number, send_job in zip(HOUSEHOLDS, sent, strict=True):
        _, port, shown, deadline, never = HOUSEHOLDS[number]
        body = _plain(" ".join(part.body or "" for part in
                               unseal_parcel(services.outbound.codec, send_job.sealed).parts))
        assert body.startswith("Good news: you have an appointment at "), body
        assert port in body and f"March 16, 2026, {shown}" in body, body
        assert f"Confirm before Sunday, March 15, 2026, {deadline}" in body, body
        assert never not in body, body
