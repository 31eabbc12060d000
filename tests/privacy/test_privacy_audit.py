"""Deletion complete and provable (issue 13, must-show 5): after "delete my data", also during
a booking-API outage once it is back, `frontdoor privacy audit` finds nothing.

Real parts: a Redis store and ledger, the booking sandbox over HTTP (a uvicorn server that is
stopped and started again on its SQLite file), the staff database (SQLite), and the audit
command itself in its own process.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, func, select
from support.app import TEST_SECRET, Clock
from support.live import RestartableServer
from support.redis import delete_prefix, redis_url_or_skip, unique_prefix

from booking_sandbox.app import create_app as create_sandbox
from booking_sandbox.models import Registration
from booking_sandbox.settings import SandboxSettings
from bot.booking.events import EVENTS_STREAM
from bot.jobs.ledger import Delivery, SendState
from bot.jobs.models import NotifyJob
from bot.messages import ChannelKind, Inbound
from bot.outbound import RecordingSender
from bot.privacy import audit_contact
from bot.services import Services, open_services
from bot.settings import Settings

pytestmark = pytest.mark.redis

#: First contact to registered (Spanish, no family members), as in the resume tests.
REGISTER = ("hola", "1", "1", "1", "Ana Lucía Reyes", "22/08/1990", "honduras", "1", "2", "1")


@dataclass
class World:
    services: Services
    sandbox: RestartableServer
    sender: RecordingSender
    env: dict[str, str]
    db_url: str
    data_dir: Path


class Person:
    def __init__(self, world: World, clock: Clock) -> None:
        self.world, self.clock, self.count = world, clock, 0
        self.number = "+52155" + "".join(random.choice("0123456789") for _ in range(8))

    async def say(self, *texts: str) -> str:
        reply = ""
        for text in texts:
            self.count += 1
            handled = await self.world.services.conversations.handle(
                Inbound(
                    message_id=f"SMprivacy{self.number[1:]}{self.count:04d}",
                    sender=self.number,
                    channel=ChannelKind.SMS,
                    text=text,
                    received_at=self.clock(),
                )
            )
            reply = "\n".join(r.text for r in handled.replies)
        return reply


@pytest.fixture
async def world(tmp_path: Path, clock: Clock) -> AsyncIterator[World]:
    db_url = f"sqlite:///{tmp_path / 'sandbox.sqlite3'}"
    sandbox_settings = SandboxSettings(
        database_url=db_url, window_opens="00:00", window_closes="23:59", scheduler_enabled=False
    )
    sandbox = RestartableServer(lambda: create_sandbox(sandbox_settings, clock=clock))
    sandbox.start()
    redis_url = redis_url_or_skip()
    prefix = unique_prefix()
    data_dir = tmp_path / "data"
    env = {
        "FRONTDOOR_REDIS_URL": redis_url,
        "FRONTDOOR_REDIS_KEY_PREFIX": prefix,
        "FRONTDOOR_SECRET_KEY": TEST_SECRET,
        "FRONTDOOR_BOOKING_API_URL": sandbox.url,
    }
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
    sender = RecordingSender()
    try:
        async with open_services(
            settings, clock=clock, sender=sender, background=False, data_dir=data_dir
        ) as services:
            yield World(services, sandbox, sender, env, db_url, data_dir)
    finally:
        sandbox.stop()
        await delete_prefix(redis_url, prefix)


def _registrations(db_url: str, contact_ref: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as db:
            query = select(func.count()).where(Registration.contact_ref == contact_ref)
            return int(db.scalar(query) or 0)
    finally:
        engine.dispose()


async def _leave_traces_everywhere(world: World, person: Person) -> str:
    """Registered, talked to a person (staff database), asked for the daily reminder, got a
    message (ledger), a booking event (events log) and has a notification waiting (queue)."""
    services = world.services
    assert "registr" in (await person.say(*REGISTER)).lower()
    assert "equipo" in await person.say("PERSONA")
    await person.say("Necesito ayuda con mis papeles")
    await person.say("MENU")
    key = services.conversations.key_for(person.number)
    session = await services.store.load(key)
    assert session is not None and session.registration_id
    ledger = services.outbound.ledger
    await ledger.set_daily_reminder(key.digest, True)
    await ledger.finish_part(
        f"evt-test-{session.registration_id}#0",
        SendState(state="sent", sid="SMprivacytest0001"),
        "SMprivacytest0001",
        Delivery(job_id=f"evt-test-{session.registration_id}", contact=key.digest, channel="sms"),
    )
    event = {
        "event_id": "evt_test_1",
        "type": "not_selected",
        "registration_id": session.registration_id,
        "contact_ref": key.digest,
        "occurred_at": "2026-03-14T18:30:00Z",
        "data": {},
    }
    await services.store.log_append(EVENTS_STREAM, json.dumps(event).encode())
    # A notification waiting in the queue (no worker runs in this test).
    await services.outbound.queue.notify(
        NotifyJob(job_id="daily-test", contact=key.digest, purpose="daily_reminder")
    )
    return session.registration_id


def _run_audit(world: World, number: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "privacy", "audit", "--phone", number,
         "--data-dir", str(world.data_dir)],
        env={**os.environ, **world.env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_audit_lists_every_trace_then_nothing_after_delete_my_data(
    world: World, clock: Clock
) -> None:
    person = Person(world, clock)
    registration_id = await _leave_traces_everywhere(world, person)
    found = await audit_contact(world.services, person.number)
    places = {line.split(":")[0] for line in found.traces}
    assert places == {
        "store", "ledger", "job queue", "booking-events log", "staff database", "booking API"
    }
    assert any(registration_id in line for line in found.traces)
    assert found.exit_code == 1

    command = await asyncio.to_thread(_run_audit, world, person.number)
    assert command.returncode == 1, command.stderr
    assert "trace: booking API" in command.stdout and "trace: staff database" in command.stdout
    assert person.number not in command.stdout + command.stderr

    assert "borrados" in await person.say("MENU", "7", "1")
    found = await audit_contact(world.services, person.number)
    assert found.traces == [] and found.unchecked == []
    digest = world.services.conversations.key_for(person.number).digest
    assert _registrations(world.db_url, digest) == 0
    command = await asyncio.to_thread(_run_audit, world, person.number)
    assert command.returncode == 0, command.stdout + command.stderr
    assert "no trace of this contact" in command.stdout


async def test_deletion_during_a_booking_api_outage_finishes_when_it_is_back(
    world: World, clock: Clock
) -> None:
    person = Person(world, clock)
    await _leave_traces_everywhere(world, person)
    world.sandbox.stop()
    reply = await person.say("MENU", "7", "1")
    assert "no responde ahora" in reply  # the booking part waits; told so
    found = await audit_contact(world.services, person.number)
    # Everything here is gone at once, except the record of what is left to do.
    assert all("erasure" in line for line in found.traces), found.traces
    assert found.traces and found.unchecked  # the booking API cannot be looked at
    assert found.exit_code == 2
    # Still down: the replayer keeps the deletion.
    assert await world.services.replay_outbox() == 1

    world.sandbox.start()
    for _ in range(50):
        if await world.services.replay_outbox() == 0:
            break
        await asyncio.sleep(0.1)  # the circuit breaker half-opens
    told = [m.body for m in world.sender.take(person.number)]
    assert len(told) == 1 and "borrados" in told[0]
    found = await audit_contact(world.services, person.number)
    assert found.traces == [] and found.unchecked == []
    digest = world.services.conversations.key_for(person.number).digest
    assert _registrations(world.db_url, digest) == 0


async def test_staff_database_down_during_deletion_is_retried(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = Person(world, clock)
    await _leave_traces_everywhere(world, person)
    staff = world.services.staff
    assert staff is not None
    forget = staff.forget_contact

    async def database_down(digest: str) -> None:
        raise OSError("staff database does not answer")

    monkeypatch.setattr(staff, "forget_contact", database_down)
    assert "borrados" in await person.say("MENU", "7", "1")  # the booking API did its part
    found = await audit_contact(world.services, person.number)
    assert {line.split(":")[0] for line in found.traces} == {"store", "staff database"}, found
    monkeypatch.setattr(staff, "forget_contact", forget)
    assert await world.services.replay_outbox() == 0
    assert (await audit_contact(world.services, person.number)).clean


async def test_registering_again_after_the_store_was_lost_keeps_one_household(
    world: World, clock: Clock
) -> None:
    """The bug this issue found: Redis lost, the person registered again (two households at
    the booking API) and "delete my data" erased only the new one."""
    person = Person(world, clock)
    await person.say(*REGISTER)
    services = world.services
    key = services.conversations.key_for(person.number)
    await services.store.delete(key)  # the store lost everything
    clock.now += timedelta(days=2)
    reply = await person.say("hola", "1")
    assert "bienvenida de nuevo" in reply
    assert "Ana Lucía Reyes" in reply
    assert "registrado" in await person.say("1")  # Register: already registered
    assert _registrations(world.db_url, key.digest) == 1
    assert "borrados" in await person.say("MENU", "7", "1")
    assert (await audit_contact(services, person.number)).clean
    assert _registrations(world.db_url, key.digest) == 0
