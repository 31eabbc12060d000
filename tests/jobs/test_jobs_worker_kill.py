"""Killing the worker loses nothing and doubles nothing.

A real `frontdoor worker` process on a real Redis sends a batch of appointment notices (booking
events in the store's log) to Twilio (Prism, behind a counting proxy that also delays each
answer, so that messages are in flight at any moment). It is killed with SIGKILL in the middle
of the batch and started again: every person gets their message exactly once, and the ledger
holds the message id Twilio gave for each.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from support.app import TEST_SECRET
from support.prism import ACCOUNT_SID, AUTH_TOKEN, REPO, SMS_FROM, WHATSAPP_FROM, CountingTwilio
from support.redis import delete_prefix, redis_url_or_skip, unique_prefix

from booking_sandbox.events import encode
from bot.booking.events import EVENTS_STREAM
from bot.contacts import contact_key
from bot.engine.session import Session
from bot.jobs.ledger import RedisLedger
from bot.messages import ChannelKind
from bot.store.keys import KeyBuilder
from bot.store.redis import RedisStore

pytestmark = pytest.mark.redis

PEOPLE = 80
RATE = 50  # WhatsApp messages per second for this sender


def _phone(i: int) -> str:
    return f"+52155{i:08d}"


@pytest.fixture
def world() -> Iterator[tuple[str, str]]:
    url, prefix = redis_url_or_skip(), unique_prefix()
    yield url, prefix
    import asyncio

    asyncio.run(delete_prefix(url, prefix))


async def _prepare(url: str, prefix: str) -> None:
    store = RedisStore.from_url(url, TEST_SECRET, keys=KeyBuilder(prefix))
    now = datetime.now(UTC)
    try:
        for i in range(PEOPLE):
            key = contact_key(TEST_SECRET, _phone(i))
            session = Session(
                phone=_phone(i), channel=ChannelKind.WHATSAPP, lang="es", contact_ref=key.digest,
                registration_id=f"reg_{i}", consented_at=now, flow="menu", step="choose",
                slots={"full_name": f"Persona {i}"}, last_inbound_at=now - timedelta(hours=1),
            )
            await store.save(key, session, timedelta(days=1))
            event = {
                "event_id": f"evt_allocated_{i}", "type": "allocated",
                "registration_id": f"reg_{i}", "contact_ref": key.digest,
                "occurred_at": now.isoformat(),
                "data": {"reason": "drawn", "request": None, "appointment": {
                    "port": "laredo", "starts_at": "2026-03-30T09:00:00-05:00",
                    "confirm_by": "2026-03-16T15:00:00Z", "status": "allocated"}},
            }
            await store.log_append(EVENTS_STREAM, encode(event))
    finally:
        await store.close()


def _start_worker(url: str, prefix: str, twilio_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FRONTDOOR_REDIS_URL": url,
        "FRONTDOOR_REDIS_KEY_PREFIX": prefix,
        "FRONTDOOR_SECRET_KEY": TEST_SECRET,
        "FRONTDOOR_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "FRONTDOOR_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "FRONTDOOR_TWILIO_SMS_FROM": SMS_FROM,
        "FRONTDOOR_TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "FRONTDOOR_TWILIO_API_BASE_URL": twilio_url,
        "FRONTDOOR_WHATSAPP_RATE_PER_SECOND": str(RATE),
        "FRONTDOOR_WORKER_RECLAIM_AFTER_SECONDS": "3",
        "FRONTDOOR_EVENTS_POLL_SECONDS": "0.2",
        "FRONTDOOR_WHATSAPP_TEMPLATES": json.dumps({}),
    }
    log = open(REPO / ".worker-kill-test.log", "ab")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"], env=env, cwd=REPO, stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_a_killed_worker_loses_nothing_and_doubles_nothing(
    world: tuple[str, str], twilio: tuple[CountingTwilio, str]
) -> None:
    import asyncio

    url, prefix = world
    counter, twilio_url = twilio
    counter.answer_delay = 0.1
    asyncio.run(_prepare(url, prefix))

    worker = _start_worker(url, prefix, twilio_url)
    try:
        assert _wait_for(lambda: counter.count() >= PEOPLE // 4, 60), "the worker sent nothing"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    time.sleep(0.3)
    at_kill = counter.count()
    assert 0 < at_kill < PEOPLE, "the kill must land in the middle of the batch"

    worker = _start_worker(url, prefix, twilio_url)
    try:
        assert _wait_for(lambda: counter.count() >= PEOPLE, 90), (
            f"only {counter.count()} of {PEOPLE} sent after the restart"
        )
        time.sleep(4)  # longer than the reclaim delay: any duplicate would show by now
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()

    per_person = {_phone(i): counter.count(f"whatsapp:{_phone(i)}") for i in range(PEOPLE)}
    assert set(per_person.values()) == {1}, {p: n for p, n in per_person.items() if n != 1}
    assert counter.count() == PEOPLE and counter.refused == []
    assert all("Buenas noticias" in s.body and "Persona" in s.body for s in counter.sent)

    async def ledger_sids() -> dict[str, str | None]:
        ledger = RedisLedger.from_url(url, prefix)
        try:
            states = {i: await ledger.send_state(f"evt-evt_allocated_{i}#0") for i in range(PEOPLE)}
        finally:
            await ledger.close()
        return {_phone(i): s.sid if s else None for i, s in states.items()}

    sent_sids = {s.to.removeprefix("whatsapp:"): s.sid for s in counter.sent}
    assert asyncio.run(ledger_sids()) == sent_sids
    print(f"killed after {at_kill} of {PEOPLE}; {counter.lists} 'was it sent?' checks")
