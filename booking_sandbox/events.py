"""Webhook events: an outbox in the database, delivered with an HMAC signature and retries.

An event row is written in the same transaction as the decision it reports (allocation, lapse,
reminder), so no decision is ever made without its event, and a crash never loses one. The
payload is built from the rows it refers to at delivery time; deleting a household deletes its
undelivered events with it.

Wire format (documented in README.md): ``POST events_webhook_url`` with body
``{"event_id", "type", "registration_id", "contact_ref", "occurred_at", "data": {...}}`` and
header ``X-Booking-Signature: sha256=<hex HMAC-SHA256(events_secret, raw body)>``. Any 2xx
answer counts as delivered; anything else (or no answer) is retried with exponential backoff
and jitter up to ``events_max_attempts`` times. Receivers must dedupe on ``event_id``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

import httpx
from sqlalchemy import CursorResult, func, insert, literal, select
from sqlalchemy.orm import Session

from booking_sandbox.db import SessionFactory
from booking_sandbox.explanation import explain
from booking_sandbox.models import (
    AllocationRun,
    Appointment,
    Event,
    Registration,
    SlotRequest,
    UTCDateTime,
)
from booking_sandbox.settings import SandboxSettings
from booking_sandbox.views import appointment_out, dump, request_view

log = logging.getLogger(__name__)

EventType = Literal[
    "allocated", "not_selected", "lapsed", "confirm_reminder", "appointment_reminder"
]
SIGNATURE_HEADER = "X-Booking-Signature"
EVENT_ID_HEADER = "X-Booking-Event-Id"

REASONS: dict[str, str] = {
    "not_selected": "not_drawn",
    "lapsed": "not_confirmed_in_time",
}


def record_event(
    db: Session,
    type_: EventType,
    registration_id: str,
    occurred_at: datetime,
    *,
    event_id: str,
    request_id: str | None = None,
    appointment_id: str | None = None,
) -> None:
    """Queue one event; ``event_id`` is derived from what it reports so it is never doubled."""
    db.add(
        Event(
            id=event_id,
            type=type_,
            registration_id=registration_id,
            request_id=request_id,
            appointment_id=appointment_id,
            occurred_at=occurred_at,
            attempts=0,
            next_attempt_at=occurred_at,
        )
    )


def queue_not_selected(db: Session, now: datetime, batch: int) -> int:
    """Queue up to ``batch`` "not_selected" events per finished run, following its cursor.

    The allocation run writes only the selected requests; the rest stay "pending" in storage,
    which after their day's run means not drawn. Their events follow here in id order and
    set-based, so a million households never make one huge transaction.
    """
    queued = 0
    runs = db.scalars(
        select(AllocationRun).where(AllocationRun.not_selected_queued.is_(False))
    ).all()
    for run in runs:
        conditions = [
            SlotRequest.request_date == run.request_date,
            SlotRequest.port == run.port,
            SlotRequest.status == "pending",  # after its run: not drawn (allocator.py)
            SlotRequest.id > (run.not_selected_cursor or ""),
        ]
        boundary = db.scalar(
            select(SlotRequest.id).where(*conditions).order_by(SlotRequest.id)
            .offset(batch - 1).limit(1)
        )
        if boundary is None:
            boundary = db.scalar(select(func.max(SlotRequest.id)).where(*conditions))
            run.not_selected_queued = True
        if boundary is None:
            continue
        at_now = literal(now, UTCDateTime())
        result = db.execute(
            insert(Event).from_select(
                ["id", "type", "registration_id", "request_id", "occurred_at", "attempts",
                 "next_attempt_at"],
                select(
                    literal("evt_not_selected_") + SlotRequest.id,
                    literal("not_selected"),
                    SlotRequest.registration_id,
                    SlotRequest.id,
                    at_now,
                    literal(0),
                    at_now,
                ).where(*conditions, SlotRequest.id <= boundary),
            )
        )
        queued += cast(CursorResult[Any], result).rowcount or 0
        run.not_selected_cursor = boundary
    db.flush()
    return queued


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does; here for tests and as the reference for the bot side."""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


def build_payload(db: Session, event: Event, settings: SandboxSettings) -> dict[str, Any] | None:
    registration = db.get(Registration, event.registration_id)
    if registration is None:
        return None
    request = db.get(SlotRequest, event.request_id) if event.request_id else None
    appointment = db.get(Appointment, event.appointment_id) if event.appointment_id else None
    if appointment is not None and request is None:
        request = db.get(SlotRequest, appointment.request_id)
    reason = appointment.reason if event.type == "allocated" and appointment else None
    data: dict[str, Any] = {
        "reason": reason or REASONS.get(event.type),
        "request": dump(request_view(db, request)) if request else None,
        "appointment": dump(appointment_out(appointment, settings)) if appointment else None,
    }
    if event.type == "not_selected" and request is not None:
        # Why, in figures the bot words in the person's language (explanation.py).
        data["explanation"] = dump(explain(db, request))
    return {
        "event_id": event.id,
        "type": event.type,
        "registration_id": registration.id,
        "contact_ref": registration.contact_ref,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    given_up: int = 0


def _backoff(settings: SandboxSettings, attempts: int, rng: random.Random) -> timedelta:
    ceiling = min(settings.events_retry_max_seconds,
                  settings.events_retry_base_seconds * 2 ** (attempts - 1))
    return timedelta(seconds=ceiling * (0.5 + rng.random() / 2))


def deliver_due(
    factory: SessionFactory,
    settings: SandboxSettings,
    now: datetime,
    client: httpx.Client,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Send one batch of due events; call repeatedly (the scheduler does) to drain the outbox."""
    url = settings.events_webhook_url
    if not url:
        return DeliveryReport()
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    delivered = retrying = given_up = 0
    with factory() as db:
        due = db.scalars(
            select(Event)
            .where(
                Event.delivered_at.is_(None),
                Event.failed_at.is_(None),
                Event.next_attempt_at <= now,
            )
            .order_by(Event.next_attempt_at, Event.id)
            .limit(settings.events_batch_size)
        ).all()
        for event in due:
            payload = build_payload(db, event, settings)
            if payload is None:
                db.delete(event)
                continue
            body = encode(payload)
            headers = {"Content-Type": "application/json", EVENT_ID_HEADER: event.id}
            if settings.events_secret:
                headers[SIGNATURE_HEADER] = sign(settings.events_secret, body)
            error: str | None = None
            try:
                response = client.post(url, content=body, headers=headers)
                if not response.is_success:
                    error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            event.attempts += 1
            if error is None:
                event.delivered_at = now
                event.last_error = None
                delivered += 1
            elif event.attempts >= settings.events_max_attempts:
                event.failed_at = now
                event.last_error = error
                given_up += 1
                log.error("giving up on event %s after %d attempts: %s",
                          event.id, event.attempts, error)
            else:
                event.next_attempt_at = now + _backoff(settings, event.attempts, rng)
                event.last_error = error
                retrying += 1
            db.commit()
    return DeliveryReport(delivered, retrying, given_up)
