"""Registrations: create, read, replace and really delete a household."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from booking_sandbox.errors import not_found
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


def create_registration(
    db: Session, settings: SandboxSettings, now: datetime, body: RegistrationIn
) -> Registration:
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
    )
    db.add(registration)
    db.flush()
    return registration


def update_registration(
    db: Session,
    settings: SandboxSettings,
    now: datetime,
    registration_id: str,
    body: RegistrationUpdate,
) -> Registration:
    """Replace the household. Waiting time is kept: ``created_at`` does not move."""
    registration = get_registration(db, registration_id)
    check_port(settings, body.port)
    today = Window.from_settings(settings).today(now)
    registration.household = build_household(settings, today, body.primary, body.members)
    registration.household_size = 1 + len(body.members)
    registration.port = body.port
    if body.contact_ref is not None:
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
