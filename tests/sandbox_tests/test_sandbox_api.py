"""The /v1 contract over the ASGI transport, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sandbox_support import FakeClock, household, key

pytestmark = pytest.mark.asyncio

EIGHT_PORTS = {
    "brownsville", "eagle_pass", "hidalgo", "laredo", "el_paso", "nogales", "calexico",
    "san_ysidro",
}


async def register(client: httpx.AsyncClient, **kwargs: Any) -> dict[str, Any]:
    response = await client.post("/v1/registrations", json=household(**kwargs), headers=key())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_ports_are_the_eight_real_ones(client: httpx.AsyncClient) -> None:
    ports = (await client.get("/v1/ports")).json()["ports"]
    assert {port["id"] for port in ports} == EIGHT_PORTS
    assert sum(port["daily_capacity"] for port in ports) == 1450
    el_paso = next(port for port in ports if port["id"] == "el_paso")
    assert el_paso == {
        "id": "el_paso", "name": "El Paso – Paso del Norte", "timezone": "America/Denver",
        "daily_capacity": el_paso["daily_capacity"], "appointment_times": el_paso[
            "appointment_times"],
    }
    assert all(port["appointment_times"] for port in ports)


@pytest.mark.parametrize(
    ("utc", "open_now", "today"),
    [
        pytest.param(datetime(2026, 3, 10, 18, 0, tzinfo=UTC), True, "2026-03-10", id="14:00"),
        pytest.param(datetime(2026, 3, 10, 15, 59, tzinfo=UTC), False, "2026-03-10",
                     id="11:59 closed"),
        pytest.param(datetime(2026, 3, 11, 3, 59, 30, tzinfo=UTC), True, "2026-03-10",
                     id="23:59:30 still open"),
        pytest.param(datetime(2026, 3, 11, 4, 0, tzinfo=UTC), False, "2026-03-11",
                     id="midnight closed"),
    ],
)
async def test_window(
    client: httpx.AsyncClient, clock: FakeClock, utc: datetime, open_now: bool, today: str
) -> None:
    clock.set(utc)
    assert (await client.get("/v1/window")).json() == {
        "opens": "12:00", "closes": "23:59", "timezone": "America/New_York",
        "open_now": open_now, "today": today,
    }


async def test_create_and_get_registration(client: httpx.AsyncClient) -> None:
    created = await register(client, members=2)
    assert created["id"].startswith("reg_")
    assert created["status"] == "registered"
    assert created["port"] == "brownsville"
    assert created["household"]["primary"]["nationality"] == "CO"
    assert len(created["household"]["members"]) == 2
    fetched = (await client.get(f"/v1/registrations/{created['id']}")).json()
    assert fetched["id"] == created["id"]
    assert fetched["household"] == created["household"]
    assert fetched["latest_request"] is None
    assert fetched["appointment"] is None


async def test_same_key_same_body_same_answer(client: httpx.AsyncClient) -> None:
    headers, body = key(), household()
    first = await client.post("/v1/registrations", json=body, headers=headers)
    again = await client.post("/v1/registrations", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_contact_ref_is_a_natural_key(client: httpx.AsyncClient) -> None:
    """A client that lost its state registers the same contact again with a new key: it gets
    the first registration back (200, unchanged), never a second household."""
    first = await client.post(
        "/v1/registrations", json=household(contact_ref="lost-state"), headers=key()
    )
    again = await client.post(
        "/v1/registrations", json=household(contact_ref="lost-state", members=2), headers=key()
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    found = await client.get("/v1/registrations", params={"contact_ref": "lost-state"})
    assert found.status_code == 200
    assert [r["id"] for r in found.json()["registrations"]] == [first.json()["id"]]
    await client.delete(f"/v1/registrations/{first.json()['id']}")
    gone = await client.get("/v1/registrations", params={"contact_ref": "lost-state"})
    assert gone.json() == {"registrations": []}
    # Deleted: the contact may register anew (a new household).
    anew = await client.post(
        "/v1/registrations", json=household(contact_ref="lost-state"), headers=key()
    )
    assert anew.status_code == 201 and anew.json()["id"] != first.json()["id"]


async def test_concurrent_first_registrations_make_one(client: httpx.AsyncClient) -> None:
    bodies = [household(contact_ref="racing") for _ in range(6)]
    answers = await asyncio.gather(
        *(client.post("/v1/registrations", json=body, headers=key()) for body in bodies)
    )
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["id"] for a in answers}) == 1


async def test_contact_ref_cannot_move_onto_another_registration(
    client: httpx.AsyncClient,
) -> None:
    one = (await client.post("/v1/registrations", json=household(), headers=key())).json()
    other = (await client.post("/v1/registrations", json=household(), headers=key())).json()
    body = household(contact_ref=one["contact_ref"])
    moved = await client.put(f"/v1/registrations/{other['id']}", json=body)
    assert moved.status_code == 409
    assert moved.json()["error"]["code"] == "contact_ref_taken"


async def test_same_key_other_body_conflicts(client: httpx.AsyncClient) -> None:
    headers = key()
    await client.post("/v1/registrations", json=household(), headers=headers)
    other = await client.post(
        "/v1/registrations", json=household(contact_ref="someone-else"), headers=headers
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"


async def test_writes_need_an_idempotency_key(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/registrations", json=household())
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param(household(port="tijuana"), "unknown_port", id="unknown port"),
        pytest.param(household(members=10), "household_too_large", id="eleven people"),
        pytest.param(household(birth_date="2010-01-01"), "primary_must_be_adult", id="minor"),
        pytest.param(household(birth_date="2030-01-01"), "invalid_birth_date", id="future"),
        pytest.param({"contact_ref": "x"}, "invalid_request", id="missing fields"),
        pytest.param({**household(), "primary": {**household()["primary"],
                                                 "nationality": "Colombia"}},
                     "invalid_request", id="bad nationality"),
    ],
)
async def test_invalid_registrations(
    client: httpx.AsyncClient, body: dict[str, Any], code: str
) -> None:
    response = await client.post("/v1/registrations", json=body, headers=key())
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]


async def test_unknown_registration_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/registrations/reg_missing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_slot_request_once_a_day(client: httpx.AsyncClient) -> None:
    registration = await register(client)
    url = f"/v1/registrations/{registration['id']}/requests"
    headers = key()
    first = await client.post(url, json={"port": "hidalgo"}, headers=headers)
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["status"] == "pending"
    assert created["registration_id"] == registration["id"]
    assert created["request_date"] == "2026-03-10"
    assert created["port"] == "hidalgo"
    replay = await client.post(url, json={"port": "hidalgo"}, headers=headers)
    assert replay.status_code == 201
    assert replay.json() == created
    second = await client.post(url, json={"port": "laredo"}, headers=key())
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "already_requested"
    assert error["request"]["id"] == created["id"]
    status = (await client.get(f"/v1/registrations/{registration['id']}")).json()
    assert status["latest_request"]["id"] == created["id"]


async def test_slot_request_outside_window(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    registration = await register(client)
    clock.set(datetime(2026, 3, 10, 14, 0, tzinfo=UTC))  # 10:00 New York
    response = await client.post(
        f"/v1/registrations/{registration['id']}/requests", json={"port": "hidalgo"},
        headers=key(),
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "outside_window"
    assert error["window"] == {"opens": "12:00", "closes": "23:59",
                               "timezone": "America/New_York"}


@pytest.mark.parametrize(
    ("minutes_late", "status", "outcome"),
    [
        pytest.param(30, 201, "2026-03-10", id="within grace counts for its day"),
        pytest.param(61, 422, "requested_at_too_old", id="beyond grace"),
        pytest.param(-10, 422, "requested_at_in_future", id="from the future"),
    ],
)
async def test_requested_at_grace(
    client: httpx.AsyncClient, clock: FakeClock, minutes_late: int, status: int, outcome: str
) -> None:
    registration = await register(client)
    asked = datetime(2026, 3, 11, 3, 50, tzinfo=UTC)  # 23:50 New York, inside the window
    clock.set(asked + timedelta(minutes=minutes_late))
    response = await client.post(
        f"/v1/registrations/{registration['id']}/requests",
        json={"port": "hidalgo", "requested_at": asked.isoformat()},
        headers=key(),
    )
    assert response.status_code == status, response.text
    body = response.json()
    if status == 201:
        assert body["request_date"] == outcome
        assert body["requested_at"].startswith("2026-03-11T03:50")
    else:
        assert body["error"]["code"] == outcome


@pytest.mark.parametrize(
    ("hours_late", "claimed", "status", "outcome"),
    [
        pytest.param(0, False, 201, "now", id="none given: from when it reaches us"),
        pytest.param(26, True, 201, "claimed", id="replayed a day later keeps its time"),
        pytest.param(71.9, True, 201, "claimed", id="just within grace"),
        pytest.param(72.1, True, 422, "registered_at_too_old", id="beyond grace"),
        pytest.param(-0.1, True, 422, "registered_at_in_future", id="from the future"),
        pytest.param(0, "naive", 422, "invalid_registered_at", id="no offset"),
    ],
)
async def test_registered_at_is_where_waiting_time_starts(
    client: httpx.AsyncClient,
    clock: FakeClock,
    hours_late: float,
    claimed: bool | str,
    status: int,
    outcome: str,
) -> None:
    registered = datetime(2026, 3, 10, 17, 5, tzinfo=UTC)
    now = registered + timedelta(hours=hours_late)
    clock.set(now)
    body = household()
    if claimed == "naive":
        body["registered_at"] = registered.replace(tzinfo=None).isoformat()
    elif claimed:
        body["registered_at"] = registered.isoformat()
    response = await client.post("/v1/registrations", json=body, headers=key())
    assert response.status_code == status, response.text
    answer = response.json()
    if status != 201:
        assert answer["error"]["code"] == outcome
        return
    expected = now if outcome == "now" else registered
    assert datetime.fromisoformat(answer["registered_at"]) == expected
    assert datetime.fromisoformat(answer["created_at"]) == now
    # A change of the household does not move it (requests copy it for the allocation:
    # tests/conversations/test_outage_chaos.py, tests/booking/test_outbox_chaining.py).
    changed = household(members=1, contact_ref=body["contact_ref"])
    updated = await client.put(f"/v1/registrations/{answer['id']}", json=changed)
    assert updated.json()["registered_at"] == answer["registered_at"]


async def test_update_keeps_waiting_time(client: httpx.AsyncClient, clock: FakeClock) -> None:
    registration = await register(client)
    clock.advance(days=3)
    body = household(members=3, port="laredo", contact_ref=registration["contact_ref"])
    response = await client.put(f"/v1/registrations/{registration['id']}", json=body)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["created_at"] == registration["created_at"]
    assert updated["registered_at"] == registration["registered_at"]
    assert updated["port"] == "laredo"
    assert updated["household_size"] == 4
    assert updated["contact_ref"] == registration["contact_ref"]
    too_big = await client.put(
        f"/v1/registrations/{registration['id']}", json=household(members=12)
    )
    assert too_big.json()["error"]["code"] == "household_too_large"


async def test_delete_really_deletes(client: httpx.AsyncClient) -> None:
    headers = key()
    created = await client.post("/v1/registrations", json=household(), headers=headers)
    registration_id = created.json()["id"]
    await client.post(f"/v1/registrations/{registration_id}/requests",
                      json={"port": "hidalgo"}, headers=key())
    deleted = await client.delete(f"/v1/registrations/{registration_id}")
    assert deleted.status_code == 204
    assert (await client.get(f"/v1/registrations/{registration_id}")).status_code == 404
    assert (await client.delete(f"/v1/registrations/{registration_id}")).status_code == 404
    # A late retry of the original create must not bring the household back.
    replay = await client.post("/v1/registrations", json=household(), headers=headers)
    assert replay.status_code == 410
    assert replay.json()["error"]["code"] == "registration_deleted"
    assert "Ana" not in replay.text


async def test_appointment_actions_without_appointment(client: httpx.AsyncClient) -> None:
    registration = await register(client)
    response = await client.post(
        f"/v1/registrations/{registration['id']}/appointment/confirm", headers=key()
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_appointment"


async def test_openapi_lists_v1(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert set(paths) >= {
        "/v1/ports", "/v1/window", "/v1/registrations", "/v1/registrations/{registration_id}",
        "/v1/registrations/{registration_id}/requests",
        "/v1/registrations/{registration_id}/appointment/confirm",
        "/v1/registrations/{registration_id}/appointment/cancel",
    }
