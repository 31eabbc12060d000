"""Chaos: the booking API goes down in the middle of conversations, people keep talking, it
comes back. Every registration and request arrives exactly once (none lost, none doubled),
requests keep the time they were made, and every person is told the outcome.

Real parts throughout: the sandbox over HTTP with its SQLite file (so it survives the restart),
the Redis store, the bot's client with its retries and circuit breaker. One more fault on top:
for some calls the sandbox does the work but the answer is lost on the way back (a timeout
after the fact), which only idempotency keys make safe to retry.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session as DbSession
from support.app import TEST_SECRET, Clock
from support.live import RestartableServer
from support.redis import delete_prefix, redis_url_or_skip, unique_prefix

from booking_sandbox.app import create_app as create_sandbox
from booking_sandbox.models import Registration, SlotRequest
from booking_sandbox.settings import SandboxSettings
from bot.messages import ChannelKind, Inbound
from bot.outbound import RecordingSender
from bot.services import Services, open_services
from bot.settings import Settings

pytestmark = pytest.mark.redis

REGISTER_UP_TO_SUMMARY = (
    "hola", "1", "1", "1", "Persona Prueba", "14/02/1990", "honduras", "3", "2"  # "2": no family
)


class LossyTransport(httpx.AsyncBaseTransport):
    """Real HTTP; while `lose_answers` is on, a write reaches the API but its answer is lost."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.lose_answers = False
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.lose_answers and request.method == "POST":
            await response.aread()
            self.lost += 1
            raise httpx.ReadTimeout("answer lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Person:
    number: str
    services: Services
    clock: Clock
    sent: int = 0
    replies: list[str] = field(default_factory=list)

    async def say(self, *texts: str) -> str:
        for text in texts:
            self.sent += 1
            handled = await self.services.conversations.handle(
                Inbound(
                    message_id=f"SMchaos{self.number[1:]}{self.sent:03d}",
                    sender=self.number,
                    channel=ChannelKind.SMS,
                    text=text,
                    received_at=self.clock(),
                )
            )
            self.replies.append("\n".join(r.text for r in handled.replies))
        return self.replies[-1]


@pytest.fixture
async def world(
    tmp_path: Path, clock: Clock
) -> AsyncIterator[tuple[Services, RestartableServer, LossyTransport, str]]:
    db_url = f"sqlite:///{tmp_path / 'sandbox.sqlite3'}"
    sandbox_settings = SandboxSettings(
        database_url=db_url, window_opens="00:00", window_closes="23:59", scheduler_enabled=False
    )
    sandbox = RestartableServer(lambda: create_sandbox(sandbox_settings, clock=clock))
    sandbox.start()
    redis_url = redis_url_or_skip()
    prefix = unique_prefix()
    settings = Settings(
        redis_url=redis_url,
        redis_key_prefix=prefix,
        secret_key=SecretStr(TEST_SECRET),
        booking_api_url=sandbox.url,
        booking_timeout_seconds=1.0,
        booking_retries=1,
        booking_breaker_threshold=3,
        booking_breaker_reset_seconds=0.2,
    )
    transport = LossyTransport()
    try:
        async with open_services(
            settings,
            clock=clock,
            booking_transport=transport,
            sender=RecordingSender(),
            background=False,
            data_dir=tmp_path,
        ) as services:
            yield services, sandbox, transport, db_url
    finally:
        sandbox.stop()
        await delete_prefix(redis_url, prefix)


async def _replay_until_done(services: Services) -> None:
    for _ in range(100):
        if await services.replay_outbox() == 0:
            return
        await asyncio.sleep(0.1)  # let the circuit breaker half-open
    raise AssertionError("the outbox did not empty after the booking API came back")


async def test_outage_loses_nothing_and_doubles_nothing(
    world: tuple[Services, RestartableServer, LossyTransport, str], clock: Clock
) -> None:
    services, sandbox, transport, db_url = world
    people = [Person(f"+5255500{i:05d}", services, clock) for i in range(9)]
    early, late, lossy = people[:3], people[3:6], people[6:]

    # Before the outage: three people register fully; everyone else gets to the summary.
    for person in people:
        await person.say(*REGISTER_UP_TO_SUMMARY)
    for person in early:
        assert "reg_" in await person.say("1")  # registered: the number is shown

    # The answers of some writes are lost on the way back: the calls are saved, not failed.
    transport.lose_answers = True
    for person in lossy:
        assert "guardado" in await person.say("1")
    transport.lose_answers = False
    assert transport.lost >= len(lossy)

    # The booking API goes down. People keep talking; nothing they do is refused.
    sandbox.stop()
    request_time = clock.now
    for person in late:
        assert "guardado" in await person.say("1")
        # Today's request while the registration still waits: saved behind it.
        await person.say("menu", "2", "4")
        assert "hora de hoy" in await person.say("1")
    for person in early:
        await person.say("menu", "2", "4")  # today's request at Laredo
        assert "hora de hoy" in await person.say("1")
    clock.now += timedelta(minutes=20)
    for person in people:
        await person.say("menu")

    # It comes back; saved calls are replayed and each person is told what happened.
    sandbox.start()
    await _replay_until_done(services)

    engine = create_engine(db_url)
    with DbSession(engine) as db:
        registrations = db.scalars(select(Registration)).all()
        requests = db.scalars(select(SlotRequest)).all()
    engine.dispose()
    refs = [r.contact_ref for r in registrations]
    assert len(refs) == len(people) == len(set(refs)), "a registration was lost or doubled"
    assert len(requests) == len(early + late), "a request was lost or doubled"
    for request in requests:
        assert request.requested_at.replace(tzinfo=None) == request_time.replace(tzinfo=None)
    # Waiting time counts from when they registered, not from the replay 20 minutes later.
    late_refs = {services.conversations.key_for(person.number).digest for person in late}
    for registration in registrations:
        if registration.contact_ref in late_refs:
            registered = registration.registered_at.replace(tzinfo=None)
            assert registered == request_time.replace(tzinfo=None)
            assert registration.created_at > registration.registered_at
    late_ids = {r.id for r in registrations if r.contact_ref in late_refs}
    assert {r.registration_id for r in requests} >= late_ids
    for request in requests:
        if request.registration_id in late_ids:
            assert request.registered_at.replace(tzinfo=None) == request_time.replace(tzinfo=None)

    sender = services.sender
    assert isinstance(sender, RecordingSender)
    for person in lossy:
        told = [m.body for m in sender.take(person.number)]
        assert len(told) == 1 and "Numero: reg_" in told[0], told
    for person in late:  # registered, then requested: told both, in that order
        [both] = [m.body for m in sender.take(person.number)]
        assert both.index("Numero: reg_") < both.index("La solicitud de hoy"), both
    for person in early:
        told = [m.body for m in sender.take(person.number)]
        assert len(told) == 1, told
        assert "La solicitud de hoy para Persona Prueba esta enviada" in told[0], told
    assert await services.store.outbox() == []
