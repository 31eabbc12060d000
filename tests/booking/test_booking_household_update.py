"""The client's household update (PUT): the whole household replaces the old one, keyed so a
retry after a timeout is the same write, and refusals come back as codes the flows branch on."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest

from bot.booking.client import BookingClient, BookingRejected
from bot.booking.models import Household, Person

REGISTRATION = {"id": "reg_1", "status": "registered", "port": "laredo"}
FAMILY = Household(
    primary=Person(full_name="Ana Gómez", birth_date=date(1988, 5, 12), nationality="HN"),
    members=[
        Person(
            full_name="Isabel Reyes",
            birth_date=date(2014, 1, 20),
            nationality="MX",
            relationship="child",
        )
    ],
)


async def _no_sleep(_: float) -> None:
    return None


async def test_put_sends_the_whole_household_with_its_key() -> None:
    seen: list[httpx.Request] = []
    answers = [httpx.Response(503), httpx.Response(200, json=REGISTRATION)]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    client = BookingClient(
        "http://booking.test", transport=httpx.MockTransport(handler), sleep=_no_sleep
    )
    try:
        updated = await client.update_registration(
            "reg_1", FAMILY, port="laredo", contact_ref="", key="k-1"
        )
    finally:
        await client.close()
    assert updated.id == "reg_1"
    assert [(r.method, r.url.path) for r in seen] == [("PUT", "/v1/registrations/reg_1")] * 2
    assert {r.headers["Idempotency-Key"] for r in seen} == {"k-1"}  # a retry is the same write
    body = json.loads(seen[-1].content)
    assert "contact_ref" not in body  # none given: the API keeps the one it has
    assert body["primary"] == {
        "full_name": "Ana Gómez",
        "birth_date": "1988-05-12",
        "nationality": "HN",
    }
    assert body["members"] == [
        {
            "full_name": "Isabel Reyes",
            "birth_date": "2014-01-20",
            "nationality": "MX",
            "relationship": "child",
        }
    ]


async def test_a_household_too_large_is_refused_with_its_limit() -> None:
    refusal = {"error": {"code": "household_too_large", "message": "...", "max_household_size": 2}}
    client = BookingClient(
        "http://booking.test",
        transport=httpx.MockTransport(lambda _: httpx.Response(422, json=refusal)),
        sleep=_no_sleep,
    )
    try:
        with pytest.raises(BookingRejected) as refused:
            await client.update_registration(
                "reg_1", FAMILY, port="laredo", contact_ref="abc", key="k-2"
            )
    finally:
        await client.close()
    assert refused.value.code == "household_too_large"
    assert refused.value.details["max_household_size"] == 2
