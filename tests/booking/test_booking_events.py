"""`POST /booking/events`: signed events are stored (in order, encrypted at rest on Redis);
anything unsigned or wrongly signed is refused before it is read."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from booking_sandbox.events import sign as sandbox_sign
from bot.booking.events import EVENTS_STREAM

SECRET = "events-secret-for-tests"
EVENT = {
    "event_id": "evt_1",
    "type": "allocated",
    "registration_id": "reg_1",
    "contact_ref": "0" * 32,
    "occurred_at": "2026-03-15T16:00:00Z",
    "data": {"reason": "drawn", "appointment": {"port": "laredo"}},
}


@pytest.mark.parametrize(
    ("label", "body", "signature", "status"),
    [
        ("signed event is stored", EVENT, "right", 204),
        ("unsigned is refused", EVENT, None, 403),
        ("signed with another secret is refused", EVENT, "wrong", 403),
        ("signed but not an event is a 400", {"hello": 1}, "right", 400),
    ],
)
def test_booking_event(
    label: str,
    body: dict[str, Any],
    signature: str | None,
    status: int,
    running_app: Callable[..., Any],
) -> None:
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "right":
        headers["X-Booking-Signature"] = sandbox_sign(SECRET, raw)
    elif signature == "wrong":
        headers["X-Booking-Signature"] = sandbox_sign("another", raw)
    # The embedded worker's feed reads the log once at start-up, then not before the check
    # (it trims what it has queued).
    with running_app(booking_events_secret=SECRET, events_poll_seconds=3600) as client:
        response = client.post("/booking/events", content=raw, headers=headers)
        assert response.status_code == status
        store = client.app.state.services.store
        stored = client.portal.call(store.log_read, EVENTS_STREAM)
    assert stored == ([raw] if status == 204 else [])
