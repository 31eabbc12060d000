"""Appointment life cycle after allocation: confirm, cancel, lapse, reminders.

An allocated appointment holds its places until it is confirmed or its confirm deadline
passes; a lapsed or cancelled one stops counting against capacity, so its places go back to
the pool for the next allocation that can still reach that date.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking_sandbox.errors import SandboxError
from booking_sandbox.events import record_event
from booking_sandbox.models import Appointment
from booking_sandbox.registry import get_registration
from booking_sandbox.settings import SandboxSettings
from booking_sandbox.views import current_appointment


def _lapse(db: Session, appointment: Appointment, now: datetime) -> None:
    appointment.status = "lapsed"
    appointment.closed_at = now
    record_event(db, "lapsed", appointment.registration_id, now,
                 event_id=f"evt_lapsed_{appointment.id}", appointment_id=appointment.id)


def expire_due(db: Session, now: datetime, registration_id: str | None = None) -> int:
    """Lapse every allocated appointment whose confirm deadline has passed."""
    query = select(Appointment).where(
        Appointment.status == "allocated", Appointment.confirm_by < now
    )
    if registration_id is not None:
        query = query.where(Appointment.registration_id == registration_id)
    overdue = db.scalars(query).all()
    for appointment in overdue:
        _lapse(db, appointment, now)
    db.flush()
    return len(overdue)


def queue_reminders(db: Session, settings: SandboxSettings, now: datetime) -> int:
    """Queue the confirm and appointment reminders that are due, each once."""
    confirm_soon = now + timedelta(hours=settings.confirm_reminder_hours_before)
    visit_soon = now + timedelta(hours=settings.appointment_reminder_hours_before)
    count = 0
    for appointment in db.scalars(
        select(Appointment).where(
            Appointment.status == "allocated",
            Appointment.confirm_reminder_sent_at.is_(None),
            Appointment.confirm_by <= confirm_soon,
            Appointment.confirm_by >= now,
        )
    ):
        appointment.confirm_reminder_sent_at = now
        record_event(db, "confirm_reminder", appointment.registration_id, now,
                     event_id=f"evt_confirm_reminder_{appointment.id}",
                     appointment_id=appointment.id)
        count += 1
    for appointment in db.scalars(
        select(Appointment).where(
            Appointment.status == "confirmed",
            Appointment.appointment_reminder_sent_at.is_(None),
            Appointment.starts_at <= visit_soon,
            Appointment.starts_at >= now,
        )
    ):
        appointment.appointment_reminder_sent_at = now
        record_event(db, "appointment_reminder", appointment.registration_id, now,
                     event_id=f"evt_appointment_reminder_{appointment.id}",
                     appointment_id=appointment.id)
        count += 1
    db.flush()
    return count


def _current(db: Session, registration_id: str) -> Appointment:
    get_registration(db, registration_id)
    appointment = current_appointment(db, registration_id)
    if appointment is None:
        raise SandboxError(404, "no_appointment", "This household has no appointment.")
    return appointment


def confirm(db: Session, now: datetime, registration_id: str) -> Appointment:
    appointment = _current(db, registration_id)
    if appointment.status == "allocated" and appointment.confirm_by < now:
        _lapse(db, appointment, now)
        db.commit()
    if appointment.status == "confirmed":
        return appointment
    if appointment.status != "allocated":
        raise SandboxError(
            409,
            "appointment_not_active",
            f"The appointment is {appointment.status}; it can no longer be confirmed.",
            appointment_status=appointment.status,
        )
    appointment.status = "confirmed"
    appointment.confirmed_at = now
    db.flush()
    return appointment


def cancel(db: Session, now: datetime, registration_id: str) -> Appointment:
    appointment = _current(db, registration_id)
    if appointment.status == "cancelled":
        return appointment
    if appointment.status not in ("allocated", "confirmed"):
        raise SandboxError(
            409,
            "appointment_not_active",
            f"The appointment is {appointment.status}; there is nothing to cancel.",
            appointment_status=appointment.status,
        )
    appointment.status = "cancelled"
    appointment.closed_at = now
    db.flush()
    return appointment
