"""From request to appointment: allocation in the database, confirm, cancel, lapse, pool."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sandbox_support import FakeClock, household, key
from sqlalchemy import func, select

from booking_sandbox.allocator import PortSummary, allocate
from booking_sandbox.app import create_app
from booking_sandbox.context import SandboxContext
from booking_sandbox.models import Event
from booking_sandbox.ports import PortConfig

pytestmark = pytest.mark.asyncio

REQUEST_DAY = date(2026, 3, 10)
NEXT_NOON = datetime(2026, 3, 11, 16, 5, tzinfo=UTC)  # 12:05 New York, allocation time


def context_of(app: FastAPI) -> SandboxContext:
    context = app.state.sandbox
    assert isinstance(context, SandboxContext)
    return context


def run_allocation(app: FastAPI, day: date = REQUEST_DAY, seed: int = 7) -> list[PortSummary]:
    context = context_of(app)
    return allocate(context.factory, context.settings, day, context.now(), seed=seed)


def event_types(app: FastAPI) -> dict[str, int]:
    with context_of(app).factory() as db:
        rows = db.execute(select(Event.type, func.count()).group_by(Event.type)).all()
    return {row[0]: int(row[1]) for row in rows}


async def register_and_request(
    client: httpx.AsyncClient, members: int, port: str = "brownsville", contact: str = "c"
) -> str:
    created = await client.post(
        "/v1/registrations", json=household(members=members, contact_ref=contact, port=port),
        headers=key(),
    )
    registration_id: str = created.json()["id"]
    response = await client.post(
        f"/v1/registrations/{registration_id}/requests", json={"port": port}, headers=key()
    )
    assert response.status_code == 201, response.text
    return registration_id


async def status(client: httpx.AsyncClient, registration_id: str) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get(f"/v1/registrations/{registration_id}")).json()
    return body


async def test_allocation_gives_each_household_one_time(
    client: httpx.AsyncClient, app: FastAPI, clock: FakeClock
) -> None:
    ids = [await register_and_request(client, members, contact=f"c{members}")
           for members in (0, 2, 4)]
    clock.set(NEXT_NOON)
    summaries = {summary.port: summary for summary in run_allocation(app)}
    brownsville = summaries["brownsville"]
    assert brownsville.households_requested == 3
    assert brownsville.people_requested == 1 + 3 + 5
    assert brownsville.capacity == 120  # cold start: one new date opens
    assert brownsville.longest_waiting_budget == 72
    assert brownsville.households_waited_longest == 3
    for registration_id, members in zip(ids, (0, 2, 4), strict=True):
        body = await status(client, registration_id)
        assert body["latest_request"]["status"] == "selected"
        assert body["latest_request"]["reason"] == "waited_longest"
        appointment = body["appointment"]
        assert appointment["status"] == "allocated"
        assert appointment["reason"] == "waited_longest"
        assert appointment["people"] == members + 1
        starts_at = datetime.fromisoformat(appointment["starts_at"])
        assert starts_at.utcoffset() == timedelta(hours=-5)  # Chicago, daylight time
        assert 14 <= (starts_at.date() - date(2026, 3, 11)).days <= 21
        assert datetime.fromisoformat(appointment["confirm_by"]) == NEXT_NOON + timedelta(
            hours=23)
    assert event_types(app) == {"allocated": 3}
    again = {summary.port: summary for summary in run_allocation(app)}
    assert again["brownsville"].already_done
    assert event_types(app) == {"allocated": 3}


async def test_confirm_cancel_and_lapse(
    client: httpx.AsyncClient, app: FastAPI, clock: FakeClock
) -> None:
    confirmer, canceller, sleeper = [
        await register_and_request(client, 1, contact=name) for name in ("a", "b", "c")
    ]
    clock.set(NEXT_NOON)
    run_allocation(app)
    clock.advance(hours=2)
    confirm_url = f"/v1/registrations/{confirmer}/appointment/confirm"
    confirmed = await client.post(confirm_url, headers=key())
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    assert (await client.post(confirm_url, headers=key())).json()["status"] == "confirmed"
    cancelled = await client.post(
        f"/v1/registrations/{canceller}/appointment/cancel", headers=key()
    )
    assert cancelled.json()["status"] == "cancelled"
    refused = await client.post(
        f"/v1/registrations/{canceller}/appointment/confirm", headers=key()
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "appointment_not_active"
    clock.set(NEXT_NOON + timedelta(hours=23, minutes=1))
    late = await client.post(f"/v1/registrations/{sleeper}/appointment/confirm", headers=key())
    assert late.status_code == 409
    assert late.json()["error"]["appointment_status"] == "lapsed"
    assert (await status(client, sleeper))["appointment"]["status"] == "lapsed"
    assert (await status(client, confirmer))["appointment"]["status"] == "confirmed"
    assert event_types(app) == {"allocated": 3, "lapsed": 1}


async def test_lapsed_places_return_to_the_pool(
    make_settings: Any, clock: FakeClock
) -> None:
    tiny = PortConfig(id="tiny", name="Tiny", timezone="America/Chicago", daily_capacity=4,
                      appointment_times=("09:00",))
    app = create_app(make_settings(ports=(tiny,), longest_waiting_share=0.0), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox") as client:
        first, second = [await register_and_request(client, 3, port="tiny", contact=name)
                         for name in ("first", "second")]
        clock.set(NEXT_NOON)
        [summary] = run_allocation(app)
        assert summary.households_drawn == 1
        assert summary.people_drawn == 4
        winner, loser = (first, second) if (await status(client, first))[
            "appointment"] else (second, first)
        lost = await status(client, loser)
        assert lost["appointment"] is None
        assert lost["latest_request"] == {**lost["latest_request"], "status": "not_selected",
                                          "reason": "not_drawn"}
        lapsed_date = (await status(client, winner))["appointment"]["starts_at"][:10]
        # The winner never confirms. Next day the loser asks again and gets that place.
        clock.set(NEXT_NOON + timedelta(hours=4))
        response = await client.post(f"/v1/registrations/{loser}/requests",
                                     json={"port": "tiny"}, headers=key())
        assert response.status_code == 201
        clock.set(NEXT_NOON + timedelta(days=1))
        [summary] = run_allocation(app, REQUEST_DAY + timedelta(days=1))
        assert summary.capacity == 8  # the lapsed date's 4 places + a new date's 4
        appointment = (await status(client, loser))["appointment"]
        assert appointment["starts_at"][:10] == lapsed_date
        assert (await status(client, winner))["appointment"]["status"] == "lapsed"
    app.state.sandbox.engine.dispose()


async def test_requests_after_the_run_are_refused(
    make_settings: Any, clock: FakeClock
) -> None:
    app = create_app(make_settings(window_opens="00:00", window_closes="23:59"), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox") as client:
        run_allocation(app, date(2026, 3, 10))
        created = await client.post("/v1/registrations", json=household(), headers=key())
        response = await client.post(
            f"/v1/registrations/{created.json()['id']}/requests", json={"port": "laredo"},
            headers=key(),
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "allocation_closed"
    app.state.sandbox.engine.dispose()


async def test_delete_removes_appointment_and_events(
    client: httpx.AsyncClient, app: FastAPI, clock: FakeClock
) -> None:
    registration_id = await register_and_request(client, 2)
    clock.set(NEXT_NOON)
    run_allocation(app)
    assert event_types(app) == {"allocated": 1}
    assert (await client.delete(f"/v1/registrations/{registration_id}")).status_code == 204
    assert event_types(app) == {}


async def test_household_update_before_the_run_counts(
    client: httpx.AsyncClient, app: FastAPI, clock: FakeClock
) -> None:
    registration_id = await register_and_request(client, 0)
    await client.put(f"/v1/registrations/{registration_id}", json=household(members=5))
    clock.set(NEXT_NOON)
    run_allocation(app)
    appointment = (await status(client, registration_id))["appointment"]
    assert appointment["people"] == 6
