"""The /v1 HTTP API. Handlers are thin: parse, call one domain function, answer.

Handlers are plain ``def`` so FastAPI runs them in its thread pool: the storage layer is
synchronous SQLAlchemy, which keeps one code path for SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from booking_sandbox import appointments, publication, registry, seeds, slot_requests
from booking_sandbox.context import SandboxContext, get_context
from booking_sandbox.draw import ALGORITHM
from booking_sandbox.errors import SandboxError
from booking_sandbox.explanation import explain_request
from booking_sandbox.idempotency import Outcome, check_key, fingerprint, run_once
from booking_sandbox.schemas import (
    AppointmentOut,
    CommitmentOut,
    ErrorOut,
    ExplanationOut,
    PortOut,
    PortsOut,
    RegistrationIn,
    RegistrationList,
    RegistrationOut,
    RegistrationStatusOut,
    RegistrationUpdate,
    SlotRequestIn,
    SlotRequestOut,
    WindowOut,
)
from booking_sandbox.views import (
    appointment_out,
    dump,
    registration_out,
    registration_status,
    request_out,
)
from booking_sandbox.window import Window

router = APIRouter(prefix="/v1")

Context = Annotated[SandboxContext, Depends(get_context)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="Unique per intended write; retry with the same."),
]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 404, 409, 410, 422)
}
REPLAYED_HEADER = "Idempotent-Replayed"


def _respond(outcome: Outcome) -> Response:
    headers = {REPLAYED_HEADER: "true"} if outcome.replayed else None
    if outcome.body is None:
        return Response(status_code=outcome.status_code, headers=headers)
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


def _write(
    context: SandboxContext,
    request: Request,
    key: str | None,
    payload: Any,
    action: Callable[[Session], Outcome],
    *,
    key_required: bool = True,
) -> Response:
    checked = check_key(key, required=key_required)
    request_hash = fingerprint(request.method, request.url.path, payload)
    return _respond(run_once(context.factory, checked, request_hash, context.now, action))


@router.get("/ports", response_model=PortsOut)
def list_ports(context: Context) -> PortsOut:
    return PortsOut(
        ports=[
            PortOut(
                id=port.id,
                name=port.name,
                timezone=port.timezone,
                daily_capacity=port.daily_capacity,
                appointment_times=list(port.appointment_times),
            )
            for port in context.settings.ports
        ]
    )


@router.get("/window", response_model=WindowOut)
def get_window(context: Context) -> WindowOut:
    window = Window.from_settings(context.settings)
    now = context.now()
    return WindowOut(
        **window.as_json(),
        open_now=window.request_day(now) is not None,
        today=window.today(now),
    )


@router.post(
    "/registrations", status_code=201, response_model=RegistrationOut, responses=ERRORS
)
def create_registration(
    body: RegistrationIn, request: Request, context: Context, idempotency_key: IdempotencyKey = None
) -> Response:
    """201 with the new registration; 200 with the existing one when this contact_ref
    already has an active registration (it is a natural key)."""

    def action(db: Session) -> Outcome:
        found, created = registry.create_registration(db, context.settings, context.now(), body)
        return Outcome(201 if created else 200, dump(registration_out(found)), found.id)

    return _write(context, request, idempotency_key, body.model_dump(mode="json"), action)


@router.get("/registrations", response_model=RegistrationList, responses=ERRORS)
def find_registrations(
    context: Context,
    contact_ref: Annotated[str, Query(min_length=1, max_length=255)],
) -> RegistrationList:
    """The active registration of a contact reference (zero or one), e.g. for a client that
    lost its own state and asks whether it knows this person."""
    with context.factory() as db:
        found = registry.find_by_contact(db, contact_ref)
        return RegistrationList(registrations=[registration_out(found)] if found else [])


@router.get(
    "/registrations/{registration_id}", response_model=RegistrationStatusOut, responses=ERRORS
)
def get_registration(registration_id: str, context: Context) -> RegistrationStatusOut:
    with context.factory() as db:
        registration = registry.get_registration(db, registration_id)
        appointments.expire_due(db, context.now(), registration_id=registration_id)
        db.commit()
        return registration_status(db, registration, context.settings)


@router.put(
    "/registrations/{registration_id}", response_model=RegistrationOut, responses=ERRORS
)
def update_registration(
    registration_id: str,
    body: RegistrationUpdate,
    request: Request,
    context: Context,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Replace the household. Idempotency-Key is honoured but optional: PUT is idempotent."""

    def action(db: Session) -> Outcome:
        updated = registry.update_registration(
            db, context.settings, context.now(), registration_id, body
        )
        return Outcome(200, dump(registration_out(updated)), updated.id)

    return _write(
        context, request, idempotency_key, body.model_dump(mode="json"), action,
        key_required=False,
    )


@router.delete("/registrations/{registration_id}", status_code=204, responses=ERRORS)
def delete_registration(
    registration_id: str, request: Request, context: Context, idempotency_key: IdempotencyKey = None
) -> Response:
    """Really delete the household, its requests, appointments and queued events."""

    def action(db: Session) -> Outcome:
        registry.delete_registration(db, registration_id)
        return Outcome(204, None)

    return _write(context, request, idempotency_key, None, action, key_required=False)


@router.post(
    "/registrations/{registration_id}/requests",
    status_code=201,
    response_model=SlotRequestOut,
    responses=ERRORS,
)
def create_request(
    registration_id: str,
    body: SlotRequestIn,
    request: Request,
    context: Context,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    # The day's seed is committed to before the first request can count for it.
    seeds.ensure_open_day(context.factory, context.settings, context.now())

    def action(db: Session) -> Outcome:
        created = slot_requests.create_request(
            db, context.settings, context.now(), registration_id, body
        )
        return Outcome(201, dump(request_out(created)), registration_id)

    return _write(context, request, idempotency_key, body.model_dump(mode="json"), action)


@router.post(
    "/registrations/{registration_id}/appointment/confirm",
    response_model=AppointmentOut,
    responses=ERRORS,
)
def confirm_appointment(
    registration_id: str, request: Request, context: Context, idempotency_key: IdempotencyKey = None
) -> Response:
    def action(db: Session) -> Outcome:
        confirmed = appointments.confirm(db, context.now(), registration_id)
        return Outcome(200, dump(appointment_out(confirmed, context.settings)), registration_id)

    return _write(context, request, idempotency_key, None, action)


@router.post(
    "/registrations/{registration_id}/appointment/cancel",
    response_model=AppointmentOut,
    responses=ERRORS,
)
def cancel_appointment(
    registration_id: str, request: Request, context: Context, idempotency_key: IdempotencyKey = None
) -> Response:
    def action(db: Session) -> Outcome:
        cancelled = appointments.cancel(db, context.now(), registration_id)
        return Outcome(200, dump(appointment_out(cancelled, context.settings)), registration_id)

    return _write(context, request, idempotency_key, None, action)


@router.get(
    "/allocations/{request_date}/commitment", response_model=CommitmentOut, responses=ERRORS
)
def get_commitment(request_date: date, context: Context) -> CommitmentOut:
    """SHA-256 of the day's secret seed, published before the day's window closes (made on
    first asking while the window has not closed; afterwards only an existing one is shown)."""
    now = context.now()
    found = seeds.find(context.factory, request_date)
    if found is None:
        if now > seeds.window_closes_at(context.settings, request_date):
            raise SandboxError(404, "not_found", "No commitment was made for this day.")
        found = seeds.ensure(context.factory, request_date, now, context.settings.seed)
    return CommitmentOut(
        request_date=request_date,
        commitment=found.commitment,
        committed_at=found.committed_at,
        window_closes_at=seeds.window_closes_at(context.settings, request_date),
        algorithm=ALGORITHM,
    )


@router.get("/allocations/{request_date}/published", responses=ERRORS)
def get_published(request_date: date, context: Context) -> dict[str, Any]:
    """After the run: the seed, the rule, the slots and every request's pseudonymous row
    (booking_sandbox.publication); ``frontdoor sandbox verify`` re-derives it."""
    with context.factory() as db:
        return publication.published(db, context.settings, request_date)


@router.get(
    "/slot-requests/{request_id}/explanation", response_model=ExplanationOut, responses=ERRORS
)
def get_explanation(request_id: str, context: Context) -> ExplanationOut:
    with context.factory() as db:
        return explain_request(db, request_id)
