"""Async client for the booking API.

Exception tree (callers catch the narrowest that they can act on)::

    BookingError
    ├── BookingUnavailable      connect/read timeout, connection refused, 5xx: try again later
    └── BookingRejected         4xx with an error code: the API said no (code, details)
        └── BookingNotFound     404: the registration no longer exists

The transport is injectable (httpx.MockTransport in unit tests); every write sends an
Idempotency-Key so that retrying after a timeout can never register or request twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from bot.booking.models import Household, Port, Registration, SlotRequest, Status, Window


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


class BookingClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            transport=transport,
            headers={"User-Agent": "frontdoor-bot"},
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def _call(
        self, method: str, path: str, *, json: Any = None, key: str | None = None
    ) -> Any:
        headers = {"Idempotency-Key": key} if key else {}
        try:
            response = await self._http.request(method, path, json=json, headers=headers)
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
        self, household: Household, *, port: str, contact_ref: str, key: str
    ) -> Registration:
        body = {
            "contact_ref": contact_ref,
            "port": port,
            "primary": household.primary.model_dump(mode="json", exclude_none=True),
            "members": [m.model_dump(mode="json", exclude_none=True) for m in household.members],
        }
        return Registration.model_validate(
            await self._call("POST", "/v1/registrations", json=body, key=key)
        )

    async def request_slot(
        self, registration_id: str, *, port: str, requested_at: datetime, key: str
    ) -> SlotRequest:
        body = {"port": port, "requested_at": requested_at.isoformat()}
        path = f"/v1/registrations/{registration_id}/requests"
        return SlotRequest.model_validate(await self._call("POST", path, json=body, key=key))

    async def status(self, registration_id: str) -> Status:
        return Status.model_validate(
            await self._call("GET", f"/v1/registrations/{registration_id}")
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
