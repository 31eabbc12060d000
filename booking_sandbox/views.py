"""Rows to API shapes, shared by the routes and the webhook events so both say the same thing."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking_sandbox.models import AllocationRun, Appointment, Registration, SlotRequest
from booking_sandbox.schemas import (
    AppointmentOut,
    Household,
    RegistrationOut,
    RegistrationStatusOut,
    SlotRequestOut,
)
from booking_sandbox.settings import SandboxSettings

ACTIVE_APPOINTMENT = ("allocated", "confirmed")


def registration_out(registration: Registration) -> RegistrationOut:
    return RegistrationOut(
        id=registration.id,
        status="registered",
        contact_ref=registration.contact_ref,
        port=registration.port,
        created_at=registration.created_at,
        updated_at=registration.updated_at,
        registered_at=registration.registered_at,
        household_size=registration.household_size,
        household=Household.model_validate(registration.household),
    )


def request_out(request: SlotRequest, decided: bool = False) -> SlotRequestOut:
    """``decided``: that day's run is done, so a request still pending was not drawn."""
    not_drawn = decided and request.status == "pending"
    return SlotRequestOut.model_validate(
        {
            "id": request.id,
            "registration_id": request.registration_id,
            "port": request.port,
            "request_date": request.request_date,
            "requested_at": request.requested_at,
            "status": "not_selected" if not_drawn else request.status,
            "reason": "not_drawn" if not_drawn else request.reason,
        }
    )


def request_view(db: Session, request: SlotRequest) -> SlotRequestOut:
    """A stored request as the API tells it, with the outcome of its day's run."""
    decided = db.get(AllocationRun, (request.request_date, request.port)) is not None
    return request_out(request, decided)


def appointment_out(appointment: Appointment, settings: SandboxSettings) -> AppointmentOut:
    port = settings.port(appointment.port)
    starts_at = appointment.starts_at.astimezone(port.zone) if port else appointment.starts_at
    return AppointmentOut.model_validate(
        {
            "id": appointment.id,
            "registration_id": appointment.registration_id,
            "port": appointment.port,
            "starts_at": starts_at,
            "people": appointment.people,
            "status": appointment.status,
            "reason": appointment.reason,
            "allocated_at": appointment.allocated_at,
            "confirm_by": appointment.confirm_by,
            "confirmed_at": appointment.confirmed_at,
        }
    )


def latest_request(db: Session, registration_id: str) -> SlotRequest | None:
    return db.scalars(
        select(SlotRequest)
        .where(SlotRequest.registration_id == registration_id)
        .order_by(SlotRequest.request_date.desc())
        .limit(1)
    ).first()


def current_appointment(db: Session, registration_id: str) -> Appointment | None:
    """The active appointment if there is one, else the most recent (to say it lapsed)."""
    rows = db.scalars(
        select(Appointment)
        .where(Appointment.registration_id == registration_id)
        .order_by(Appointment.allocated_at.desc())
    ).all()
    active = [row for row in rows if row.status in ACTIVE_APPOINTMENT]
    if active:
        return active[0]
    return rows[0] if rows else None


def registration_status(
    db: Session, registration: Registration, settings: SandboxSettings
) -> RegistrationStatusOut:
    request = latest_request(db, registration.id)
    appointment = current_appointment(db, registration.id)
    return RegistrationStatusOut(
        **registration_out(registration).model_dump(),
        latest_request=request_view(db, request) if request else None,
        appointment=appointment_out(appointment, settings) if appointment else None,
    )


def dump(model: Any) -> dict[str, Any]:
    """JSON-ready dict (dates as ISO strings) for storing and replaying answers."""
    return cast(dict[str, Any], model.model_dump(mode="json"))
