"""Webhook events: signature, payload, retries with backoff, and the scheduler's tick."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sandbox_support import FakeClock, household, key
from sqlalchemy import select

from booking_sandbox.app import create_app
from booking_sandbox.context import SandboxContext
from booking_sandbox.events import SIGNATURE_HEADER, deliver_due, sign, verify
from booking_sandbox.models import Event
from booking_sandbox.scheduler import tick

pytestmark = pytest.mark.asyncio

SECRET = "webhook-secret"
WEBHOOK = "http://bot.test/booking/events"
NEXT_NOON = datetime(2026, 3, 11, 16, 5, tzinfo=UTC)


class Receiver:
    """A webhook endpoint for httpx.MockTransport that fails its first ``failures`` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[bytes, dict[str, str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.failures > 0:
            self.failures -= 1
            return httpx.Response(503)
        self.received.append((request.content, dict(request.headers)))
        return httpx.Response(204)

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body, _headers in self.received]


@pytest.mark.parametrize("body", [b'{"event_id":"evt_1"}', "{\"a\":\"ñ\"}".encode()])
async def test_signature_is_hmac_sha256_of_the_raw_body(body: bytes) -> None:
    expected = hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert sign("k", body) == f"sha256={expected}"
    assert verify("k", body, sign("k", body))
    assert not verify("k", body + b" ", sign("k", body))
    assert not verify("other", body, sign("k", body))
    assert not verify("k", body, None)


@pytest.fixture
def events_app(make_settings: Any, clock: FakeClock) -> FastAPI:
    return create_app(
        make_settings(events_webhook_url=WEBHOOK, events_secret=SECRET,
                      events_retry_base_seconds=10, events_max_attempts=3),
        clock=clock,
    )


async def test_tick_allocates_and_delivers_signed_events(
    events_app: FastAPI, clock: FakeClock
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=events_app),
                                 base_url="http://sandbox") as client:
        created = await client.post("/v1/registrations",
                                    json=household(members=1, contact_ref="ref-42"),
                                    headers=key())
        registration_id = created.json()["id"]
        await client.post(f"/v1/registrations/{registration_id}/requests",
                          json={"port": "nogales"}, headers=key())
    context: SandboxContext = events_app.state.sandbox
    receiver = Receiver()
    with httpx.Client(transport=httpx.MockTransport(receiver)) as http:
        clock.set(datetime(2026, 3, 11, 15, 0, tzinfo=UTC))  # 11:00 New York: not yet
        assert tick(context, http).allocations == []
        clock.set(NEXT_NOON)
        report = tick(context, http)
        assert {summary.request_date for summary in report.allocations} == {date(2026, 3, 10)}
        assert report.delivery.delivered == 1
        assert tick(context, http).delivery.delivered == 0  # nothing twice
    [(body, headers)] = receiver.received
    assert verify(SECRET, body, headers[SIGNATURE_HEADER.lower()])
    payload = json.loads(body)
    assert payload["type"] == "allocated"
    assert payload["event_id"] == headers["x-booking-event-id"]
    assert payload["registration_id"] == registration_id
    assert payload["contact_ref"] == "ref-42"
    assert payload["occurred_at"] == "2026-03-11T16:05:00Z"
    data = payload["data"]
    assert data["reason"] == "waited_longest"
    assert data["appointment"]["people"] == 2
    assert data["appointment"]["starts_at"].endswith("-07:00")  # Nogales, no daylight time
    assert data["request"]["status"] == "selected"
    events_app.state.sandbox.engine.dispose()


async def test_failed_delivery_is_retried_with_backoff(
    events_app: FastAPI, clock: FakeClock
) -> None:
    context: SandboxContext = events_app.state.sandbox
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=events_app),
                                 base_url="http://sandbox") as client:
        for name in ("a", "b"):
            created = await client.post("/v1/registrations",
                                        json=household(contact_ref=name), headers=key())
            await client.post(f"/v1/registrations/{created.json()['id']}/requests",
                              json={"port": "calexico"}, headers=key())
    clock.set(NEXT_NOON)
    receiver = Receiver(failures=2)
    with httpx.Client(transport=httpx.MockTransport(receiver)) as http:
        tick(context, http)
        assert receiver.received == []
        with context.factory() as db:
            pending = db.scalars(select(Event)).all()
            assert all(event.attempts == 1 and event.last_error == "HTTP 503"
                       for event in pending)
            assert all(event.next_attempt_at > clock.now for event in pending)
        report = deliver_due(context.factory, context.settings, clock.now, http)
        assert report.delivered == 0  # not due yet
        clock.advance(seconds=11)
        report = deliver_due(context.factory, context.settings, clock.now, http,
                             random.Random(1))
        assert report.delivered == 2
    assert sorted(payload["contact_ref"] for payload in receiver.payloads()) == ["a", "b"]
    events_app.state.sandbox.engine.dispose()


async def test_delivery_gives_up_after_max_attempts(
    events_app: FastAPI, clock: FakeClock
) -> None:
    context: SandboxContext = events_app.state.sandbox
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=events_app),
                                 base_url="http://sandbox") as client:
        created = await client.post("/v1/registrations", json=household(), headers=key())
        await client.post(f"/v1/registrations/{created.json()['id']}/requests",
                          json={"port": "calexico"}, headers=key())
    clock.set(NEXT_NOON)
    with httpx.Client(transport=httpx.MockTransport(Receiver(failures=100))) as http:
        for _ in range(3):
            tick(context, http)
            clock.advance(hours=2)
        with context.factory() as db:
            [event] = db.scalars(select(Event)).all()
            assert event.attempts == 3
            assert event.failed_at is not None
            assert event.delivered_at is None
    events_app.state.sandbox.engine.dispose()


async def test_not_selected_lapsed_and_reminders(
    make_settings: Any, clock: FakeClock
) -> None:
    from booking_sandbox.ports import PortConfig

    tiny = PortConfig(id="tiny", name="Tiny", timezone="America/Chicago", daily_capacity=2,
                      appointment_times=("09:00",))
    app = create_app(make_settings(ports=(tiny,), events_webhook_url=WEBHOOK,
                                   events_secret=SECRET), clock=clock)
    context: SandboxContext = app.state.sandbox
    ids = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox") as client:
        for name in ("a", "b", "c"):
            created = await client.post(
                "/v1/registrations", json=household(contact_ref=name, port="tiny"),
                headers=key())
            ids.append(created.json()["id"])
            await client.post(f"/v1/registrations/{ids[-1]}/requests",
                              json={"port": "tiny"}, headers=key())
        receiver = Receiver()
        with httpx.Client(transport=httpx.MockTransport(receiver)) as http:
            clock.set(NEXT_NOON)
            tick(context, http)
            first = {payload["contact_ref"]: payload for payload in receiver.payloads()}
            assert sorted(payload["type"] for payload in first.values()) == [
                "allocated", "allocated", "not_selected"]
            loser = next(payload for payload in first.values()
                         if payload["type"] == "not_selected")
            assert loser["data"]["reason"] == "not_drawn"
            assert loser["data"]["appointment"] is None
            winners = [ref for ref, payload in first.items() if payload["type"] == "allocated"]
            confirmer = ids["abc".index(winners[0])]
            await client.post(f"/v1/registrations/{confirmer}/appointment/confirm",
                              headers=key())
            clock.advance(hours=18)  # 5 hours before the confirm deadline
            tick(context, http)
            clock.advance(hours=6)  # past the deadline
            tick(context, http)
            appointment = (await client.get(f"/v1/registrations/{confirmer}")).json()[
                "appointment"]
            clock.set(datetime.fromisoformat(appointment["starts_at"]) - timedelta(hours=47))
            tick(context, http)
    later = [(payload["type"], payload["contact_ref"]) for payload in receiver.payloads()[3:]]
    assert later == [("confirm_reminder", winners[1]), ("lapsed", winners[1]),
                     ("appointment_reminder", winners[0])]
    app.state.sandbox.engine.dispose()
