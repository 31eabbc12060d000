"""Async client for the booking API.

Exception tree (callers catch the narrowest that they can act on)::

    BookingError
    ├── BookingUnavailable      connect/read timeout, connection refused, 5xx, circuit open:
    │                           try again later (the bot keeps the call in its outbox)
    └── BookingRejected         4xx with an error code: the API said no (code, details)
        └── BookingNotFound     404: the registration no longer exists

Retries: an unavailable answer is retried with exponential backoff and full jitter, but only
for reads and for writes that carry an Idempotency-Key (every write the bot makes does), so a
retry after a timeout can never register or request twice. All attempts of one call fit in
`budget` seconds, because a person is waiting (Twilio gives a webhook 15 s in all).
A circuit breaker (breaker.py) makes calls fail at once while the API is known to be down.

The transport is injectable (httpx.MockTransport in unit tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import Any

import httpx

from bot import metrics
from bot.booking.breaker import CircuitBreaker
from bot.booking.models import (
    Explanation,
    Household,
    Port,
    Registration,
    SlotRequest,
    Status,
    Window,
)


class BookingError(Exception):
    """Base of all booking API errors."""


class BookingUnavailable(BookingError):
    """The API did not answer usefully (timeout, refused, 5xx)."""


class BookingRejected(BookingError):
    def __init__(self, status: int, code: str, details: dict[str, Any]) -> None:
        super().__init__(f"booking API refused ({status}): {code}")
        self.status = status
        self.code = code
        self.details = details


class BookingNotFound(BookingRejected):
    """The registration (or other resource) does not exist any more."""


_ID_SEGMENT = re.compile(r"^(?!v\d+$).*\d")


def _operation(method: str, path: str) -> str:
    """`POST /v1/registrations/{id}` for a metric label: ids never become label values."""
    parts = ["{id}" if _ID_SEGMENT.match(p) else p for p in path.split("?")[0].split("/")]
    return f"{method} {'/'.join(parts)}"


@contextlib.contextmanager
def _observed(operation: str) -> Iterator[None]:
    """One booking call (all its attempts) in the metrics: outcome by how it ended."""
    started = time.monotonic()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    except BookingUnavailable:
        outcome = "unavailable"
        raise
    except BookingRejected:
        outcome = "rejected"
        raise
    finally:
        metrics.booking_call(operation, outcome, time.monotonic() - started)


class BookingClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 3.0,
        retries: int = 2,
        backoff: float = 0.2,
        budget: float = 8.0,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        self.budget = budget
        self.timeout = timeout
        self.breaker = breaker or CircuitBreaker()
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            transport=transport,
            headers={"User-Agent": "frontdoor-bot"},
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        key: str | None = None,
        params: dict[str, str] | None = None,
        retry: bool = True,
    ) -> Any:
        with _observed(_operation(method, path)):
            retryable = retry and (method == "GET" or key is not None)
            started = time.monotonic()
            attempt = 0
            while True:
                if not self.breaker.allow():
                    raise BookingUnavailable(f"{method} {path}: circuit open (booking API down)")
                try:
                    result = await self._attempt(method, path, json=json, key=key, params=params)
                except BookingUnavailable:
                    self.breaker.record_failure()
                    attempt += 1
                    delay = random.uniform(0, self.backoff * 2 ** (attempt - 1))  # noqa: S311
                    elapsed = time.monotonic() - started
                    if (
                        not retryable
                        or attempt > self.retries
                        or elapsed + delay + self.timeout > self.budget
                    ):
                        raise
                    await self._sleep(delay)
                    continue
                except BookingRejected:
                    self.breaker.record_success()  # the API answered: it is up
                    raise
                self.breaker.record_success()
                return result

    async def _attempt(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        key: str | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        headers = {"Idempotency-Key": key} if key else {}
        try:
            response = await self._http.request(
                method, path, json=json, headers=headers, params=params
            )
        except httpx.TransportError as exc:
            raise BookingUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise BookingUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise _rejection(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise BookingUnavailable(f"{method} {path}: response is not JSON") from exc

    async def ports(self) -> list[Port]:
        data = await self._call("GET", "/v1/ports")
        return [Port.model_validate(item) for item in data["ports"]]

    async def window(self) -> Window:
        return Window.model_validate(await self._call("GET", "/v1/window"))

    async def register(
        self,
        household: Household,
        *,
        port: str,
        contact_ref: str,
        key: str,
        registered_at: datetime | None = None,
    ) -> Registration:
        """``registered_at``: when the person registered (a registration replayed after an
        outage keeps it; the API counts waiting time from it)."""
        body: dict[str, Any] = {
            "contact_ref": contact_ref,
            "port": port,
            "primary": household.primary.model_dump(mode="json", exclude_none=True),
            "members": [m.model_dump(mode="json", exclude_none=True) for m in household.members],
        }
        if registered_at is not None:
            body["registered_at"] = registered_at.isoformat()
        return Registration.model_validate(
            await self._call("POST", "/v1/registrations", json=body, key=key)
        )

    async def find_registration(
        self, contact_ref: str, *, retry: bool = True
    ) -> Registration | None:
        """The active registration of a contact reference (a natural key), or None.
        ``retry=False``: one attempt, for a person waiting for a first answer."""
        data = await self._call(
            "GET", "/v1/registrations", params={"contact_ref": contact_ref}, retry=retry
        )
        found = [Registration.model_validate(item) for item in data["registrations"]]
        return found[0] if found else None

    async def update_registration(
        self, registration_id: str, household: Household, *, port: str, contact_ref: str, key: str
    ) -> Registration:
        """Replace the household (PUT); the registration keeps its waiting time."""
        body = {
            "contact_ref": contact_ref,
            "port": port,
            "primary": household.primary.model_dump(mode="json", exclude_none=True),
            "members": [m.model_dump(mode="json", exclude_none=True) for m in household.members],
        }
        if not contact_ref:
            del body["contact_ref"]  # kept as it was
        path = f"/v1/registrations/{registration_id}"
        return Registration.model_validate(await self._call("PUT", path, json=body, key=key))

    async def request_slot(
        self, registration_id: str, *, port: str, requested_at: datetime, key: str
    ) -> SlotRequest:
        body = {"port": port, "requested_at": requested_at.isoformat()}
        path = f"/v1/registrations/{registration_id}/requests"
        return SlotRequest.model_validate(await self._call("POST", path, json=body, key=key))

    async def delete_registration(self, registration_id: str, *, key: str) -> None:
        try:
            await self._call("DELETE", f"/v1/registrations/{registration_id}", key=key)
        except BookingNotFound:
            return  # already gone: that is what was asked

    async def confirm_appointment(self, registration_id: str, *, key: str) -> Status:
        path = f"/v1/registrations/{registration_id}/appointment/confirm"
        await self._call("POST", path, key=key)
        return await self.status(registration_id)

    async def cancel_appointment(self, registration_id: str, *, key: str) -> Status:
        path = f"/v1/registrations/{registration_id}/appointment/cancel"
        await self._call("POST", path, key=key)
        return await self.status(registration_id)

    async def status(self, registration_id: str) -> Status:
        return Status.model_validate(
            await self._call("GET", f"/v1/registrations/{registration_id}")
        )

    async def explanation(self, request_id: str) -> Explanation:
        """Why a decided request got its outcome (the day's figures and the household's)."""
        return Explanation.model_validate(
            await self._call("GET", f"/v1/slot-requests/{request_id}/explanation")
        )


def _rejection(response: httpx.Response) -> BookingRejected:
    code, details = "http_" + str(response.status_code), {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        details = body["error"]
        code = str(details.get("code", code))
    elif response.status_code == 422:
        code = "invalid_request"
    cls = BookingNotFound if response.status_code == 404 else BookingRejected
    return cls(response.status_code, code, details)
