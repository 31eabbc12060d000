"""The booking client's retry, budget and circuit-breaker rules, against httpx.MockTransport
(integration with the real sandbox over HTTP is in tests/conversations and tests/booking)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from bot.booking.breaker import BreakerState, CircuitBreaker
from bot.booking.client import (
    BookingClient,
    BookingNotFound,
    BookingRejected,
    BookingUnavailable,
)
from bot.engine.actions.base import EffectContext
from bot.engine.actions.booking import Register
from bot.engine.session import Session

PORTS = {"ports": [{"id": "laredo", "name": "Laredo", "timezone": "America/Chicago"}]}
REQUEST = {
    "id": "req_1",
    "registration_id": "reg_1",
    "port": "laredo",
    "request_date": "2026-03-14",
    "requested_at": "2026-03-14T18:00:00+00:00",
    "status": "pending",
}
NOW = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)


class Script:
    """Answers requests from a list of responses (or exceptions), recording what was sent."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


async def _no_sleep(_: float) -> None:
    return None


def client(script: Script, **options: object) -> BookingClient:
    return BookingClient(
        "http://booking.test",
        transport=httpx.MockTransport(script),
        sleep=_no_sleep,
        **options,  # type: ignore[arg-type]
    )


def refused() -> Exception:
    return httpx.ConnectError("connection refused")


async def test_get_is_retried_after_5xx_then_succeeds() -> None:
    script = Script(httpx.Response(503), httpx.Response(200, json=PORTS))
    ports = await client(script).ports()
    assert [p.id for p in ports] == ["laredo"]
    assert len(script.requests) == 2


async def test_keyed_write_is_retried_with_the_same_key() -> None:
    script = Script(refused(), httpx.Response(201, json=REQUEST))
    await client(script).request_slot("reg_1", port="laredo", requested_at=NOW, key="k-1")
    assert [r.headers["Idempotency-Key"] for r in script.requests] == ["k-1", "k-1"]


async def test_rejection_is_not_retried_and_carries_the_code() -> None:
    body = {"error": {"code": "already_requested", "request": REQUEST}}
    script = Script(httpx.Response(409, json=body))
    with pytest.raises(BookingRejected) as excinfo:
        await client(script).request_slot("reg_1", port="laredo", requested_at=NOW, key="k")
    assert excinfo.value.code == "already_requested"
    assert excinfo.value.details["request"]["port"] == "laredo"
    assert len(script.requests) == 1


async def test_404_is_not_found() -> None:
    script = Script(httpx.Response(404, json={"error": {"code": "not_found"}}))
    with pytest.raises(BookingNotFound):
        await client(script).status("reg_gone")


async def test_gives_up_after_the_retries_with_unavailable() -> None:
    script = Script(refused())
    with pytest.raises(BookingUnavailable):
        await client(script, retries=2).ports()
    assert len(script.requests) == 3


async def test_no_retry_beyond_the_time_budget() -> None:
    script = Script(httpx.Response(502))
    with pytest.raises(BookingUnavailable):
        await client(script, retries=5, timeout=3.0, budget=2.0).ports()
    assert len(script.requests) == 1


async def test_non_json_answer_is_unavailable_not_a_crash() -> None:
    script = Script(httpx.Response(200, text="<html>proxy error</html>"))
    with pytest.raises(BookingUnavailable, match="not JSON"):
        await client(script, retries=0).ports()


class Monotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_breaker_opens_then_fails_fast_then_recovers_half_open() -> None:
    clock = Monotonic()
    breaker = CircuitBreaker(threshold=3, reset_after=30.0, monotonic=clock)
    script = Script(refused())
    api = client(script, retries=0, breaker=breaker)
    for _ in range(3):
        with pytest.raises(BookingUnavailable):
            await api.ports()
    assert breaker.state is BreakerState.OPEN
    sent = len(script.requests)
    with pytest.raises(BookingUnavailable, match="circuit open"):
        await api.ports()
    assert len(script.requests) == sent  # failed fast, nothing sent
    clock.now += 31
    assert breaker.state == BreakerState.HALF_OPEN  # type: ignore[comparison-overlap]
    script.answers = [httpx.Response(200, json=PORTS)]
    assert await api.ports()
    assert breaker.state is BreakerState.CLOSED


@pytest.mark.parametrize(
    ("label", "trial", "expected"),
    [
        ("trial fails: open again", lambda b: b.record_failure(), BreakerState.OPEN),
        ("trial succeeds: closed", lambda b: b.record_success(), BreakerState.CLOSED),
    ],
)
def test_half_open_lets_one_trial_through(
    label: str, trial: Callable[[CircuitBreaker], None], expected: BreakerState
) -> None:
    clock = Monotonic()
    breaker = CircuitBreaker(threshold=1, reset_after=10.0, monotonic=clock)
    breaker.record_failure()
    clock.now += 10
    assert breaker.allow()
    assert not breaker.allow()  # only one trial at a time
    trial(breaker)
    assert breaker.state is expected


REGISTRATION = {"id": "reg_1", "status": "registered", "port": "laredo"}


def _register_action_world(
    *answers: httpx.Response,
) -> tuple[Script, Session, EffectContext]:
    script = Script(*answers)
    session = Session(phone="+5215550003333", contact_ref="ref-1")
    session.slots.update(
        {"full_name": "Ana Perez", "birth_date": "1990-02-14", "nationality": "HN",
         "port": "laredo"}
    )
    asked = datetime(2026, 3, 13, 17, 5, tzinfo=UTC)  # registered in an outage, a day ago
    ctx = EffectContext(booking=client(script, retries=0), now=NOW, requested_at=asked)
    return script, session, ctx


@pytest.mark.parametrize(
    ("first", "bodies", "keys"),
    [
        # Accepted: the registration keeps the time the person registered.
        (httpx.Response(201, json=REGISTRATION), ["2026-03-13T17:05:00+00:00"], ["k-1"]),
        # Kept longer than the API accepts (or clocks apart): registered as of now, new key.
        (
            httpx.Response(422, json={"error": {"code": "registered_at_too_old"}}),
            ["2026-03-13T17:05:00+00:00", None],
            ["k-1", "k-1:now"],
        ),
        (
            httpx.Response(422, json={"error": {"code": "registered_at_in_future"}}),
            ["2026-03-13T17:05:00+00:00", None],
            ["k-1", "k-1:now"],
        ),
    ],
    ids=["kept", "too-old", "clock-ahead"],
)
async def test_register_sends_when_the_person_registered(
    first: httpx.Response, bodies: list[str | None], keys: list[str]
) -> None:
    script, session, ctx = _register_action_world(first, httpx.Response(201, json=REGISTRATION))
    outcome = await Register().run(session, ctx, "k-1")
    assert outcome.key == "ok"
    sent = [json.loads(r.content) for r in script.requests]
    assert [body.get("registered_at") for body in sent] == bodies
    assert [r.headers["Idempotency-Key"] for r in script.requests] == keys


async def test_register_refused_for_another_reason_is_not_sent_again() -> None:
    refusal = httpx.Response(422, json={"error": {"code": "unknown_port"}})
    script, session, ctx = _register_action_world(refusal)
    outcome = await Register().run(session, ctx, "k-1")
    assert outcome.key == "rejected"
    assert len(script.requests) == 1
