"""Registrations: create, read, replace and really delete a household."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from booking_sandbox.client_times import client_time
from booking_sandbox.errors import SandboxError, not_found
from booking_sandbox.household import build_household, check_port
from booking_sandbox.idempotency import tombstone
from booking_sandbox.ids import new_id
from booking_sandbox.models import Appointment, Event, Registration, SlotRequest
from booking_sandbox.schemas import RegistrationIn, RegistrationUpdate
from booking_sandbox.settings import SandboxSettings
from booking_sandbox.window import Window


def get_registration(db: Session, registration_id: str) -> Registration:
    registration = db.get(Registration, registration_id)
    if registration is None:
        raise not_found()
    return registration


def find_by_contact(db: Session, contact_ref: str) -> Registration | None:
    """The active registration of a contact reference (a natural key), if any."""
    return db.scalar(select(Registration).where(Registration.contact_ref == contact_ref))


def create_registration(
    db: Session, settings: SandboxSettings, now: datetime, body: RegistrationIn
) -> tuple[Registration, bool]:
    """Register a household; a contact reference that already has an active registration
    gets that one back unchanged (``False``: not created), so a client that lost its state
    and registers again never makes a second household. Two racing first registrations are
    settled by the unique index (the loser's transaction is retried and finds the winner)."""
    existing = find_by_contact(db, body.contact_ref)
    if existing is not None:
        return existing, False
    check_port(settings, body.port)
    today = Window.from_settings(settings).today(now)
    household = build_household(settings, today, body.primary, body.members)
    registration = Registration(
        id=new_id("reg"),
        contact_ref=body.contact_ref,
        port=body.port,
        household=household,
        household_size=1 + len(body.members),
        created_at=now,
        updated_at=now,
        registered_at=client_time(
            "registered_at",
            body.registered_at,
            now,
            grace=settings.registration_grace,
            skew=settings.future_skew,
        ),
    )
    db.add(registration)
    db.flush()
    return registration, True


def update_registration(
    db: Session,
    settings: SandboxSettings,
    now: datetime,
    registration_id: str,
    body: RegistrationUpdate,
) -> Registration:
    """Replace the household. Waiting time is kept: ``registered_at`` does not move."""
    registration = get_registration(db, registration_id)
    check_port(settings, body.port)
    today = Window.from_settings(settings).today(now)
    registration.household = build_household(settings, today, body.primary, body.members)
    registration.household_size = 1 + len(body.members)
    registration.port = body.port
    if body.contact_ref is not None and body.contact_ref != registration.contact_ref:
        if find_by_contact(db, body.contact_ref) is not None:
            raise SandboxError(
                409, "contact_ref_taken", "Another registration has this contact_ref."
            )
        registration.contact_ref = body.contact_ref
    registration.updated_at = now
    db.execute(
        update(SlotRequest)
        .where(SlotRequest.registration_id == registration_id, SlotRequest.status == "pending")
        .values(household_size=registration.household_size)
    )
    db.flush()
    return registration


def delete_registration(db: Session, registration_id: str) -> None:
    """Delete the household and everything about it (requests, appointments, events)."""
    get_registration(db, registration_id)
    db.execute(delete(Event).where(Event.registration_id == registration_id))
    db.execute(delete(Appointment).where(Appointment.registration_id == registration_id))
    db.execute(delete(SlotRequest).where(SlotRequest.registration_id == registration_id))
    db.execute(delete(Registration).where(Registration.id == registration_id))
    tombstone(db, registration_id)
    db.flush()
