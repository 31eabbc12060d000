"""Daily slot requests: one per household per request day, only inside the window.

A client may say when the person asked (``requested_at``): a request made inside the window
still counts for that day if it reaches us late because of an outage, as long as it is within
the grace period of our clock and that day's allocation has not run yet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking_sandbox.client_times import client_time
from booking_sandbox.errors import SandboxError
from booking_sandbox.household import check_port
from booking_sandbox.ids import new_id
from booking_sandbox.models import AllocationRun, SlotRequest
from booking_sandbox.registry import get_registration
from booking_sandbox.schemas import SlotRequestIn
from booking_sandbox.settings import SandboxSettings
from booking_sandbox.views import dump, request_view
from booking_sandbox.window import Window


def _asked_at(settings: SandboxSettings, now: datetime, requested_at: datetime | None) -> datetime:
    return client_time(
        "requested_at",
        requested_at,
        now,
        grace=settings.grace,
        skew=settings.future_skew,
    )


def create_request(
    db: Session,
    settings: SandboxSettings,
    now: datetime,
    registration_id: str,
    body: SlotRequestIn,
) -> SlotRequest:
    registration = get_registration(db, registration_id)
    check_port(settings, body.port)
    asked = _asked_at(settings, now, body.requested_at)
    window = Window.from_settings(settings)
    day = window.request_day(asked)
    if day is None:
        raise SandboxError(
            422,
            "outside_window",
            "Requests are accepted only inside the daily window.",
            window=window.as_json(),
        )
    earlier = db.scalars(
        select(SlotRequest).where(
            SlotRequest.registration_id == registration_id, SlotRequest.request_date == day
        )
    ).first()
    if earlier is not None:
        raise SandboxError(
            409,
            "already_requested",
            "This household already made its request for this day.",
            request=dump(request_view(db, earlier)),
        )
    if db.get(AllocationRun, (day, body.port)) is not None:
        raise SandboxError(
            409,
            "allocation_closed",
            "The allocation for this request day has already run.",
            request_date=day.isoformat(),
        )
    request = SlotRequest(
        id=new_id("req"),
        registration_id=registration_id,
        port=body.port,
        request_date=day,
        requested_at=asked,
        received_at=now,
        status="pending",
        household_size=registration.household_size,
        registered_at=registration.registered_at,
    )
    db.add(request)
    db.flush()
    return request
