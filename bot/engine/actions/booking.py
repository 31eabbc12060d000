"""Effect actions that call the booking API. Each maps the API's answers to outcome keys the
flows branch on; no booking error ever reaches a person as a bare error. Writes are kept and
replayed when the API is down (`queue_when_unavailable`); the conversation service turns their
"unavailable" into "queued"."""

from __future__ import annotations

import logging

from bot import household
from bot.booking.client import (
    BookingError,
    BookingNotFound,
    BookingRejected,
    BookingUnavailable,
)
from bot.booking.erase import BOOKING_PENDING_SLOT, erase_contact
from bot.booking.explanation import WORDINGS, not_selected_step, why_values
from bot.booking.models import Appointment, Registration
from bot.engine.actions.base import QUEUED, UNAVAILABLE, EffectContext, Outcome
from bot.engine.actions.household import send_household
from bot.engine.session import Session
from bot.ports import local_moment

log = logging.getLogger(__name__)


class Register:
    name = "register"
    outcomes = frozenset({"ok", "too_young", "too_large", "rejected", QUEUED})
    queue_when_unavailable = True

    async def run(self, session: Session, ctx: EffectContext, key: str) -> Outcome:
        slots = session.slots
        try:
            registration = await _register(session, ctx, key)
        except BookingUnavailable as exc:
            log.warning("register: booking API unavailable: %s", exc)
            return Outcome(UNAVAILABLE)
        except BookingRejected as exc:
            log.warning("register: refused: %s", exc.code)
            if exc.code == "household_too_large":
                limit = exc.details.get("max_household_size")
                return Outcome("too_large", {"max_household": limit})
            return Outcome("too_young" if exc.code == "primary_must_be_adult" else "rejected")
        session.registration_id = registration.id
        slots.pop(household.DIRTY_SLOT, None)
        return Outcome("ok", {"registration_id": registration.id})


#: The booking API's refusals of the time a registration was made (clocks apart, or kept
#: longer than it accepts): registered again as of now rather than not at all.
_REGISTERED_AT_REFUSED = frozenset({"registered_at_too_old", "registered_at_in_future"})


async def _register(session: Session, ctx: EffectContext, key: str) -> Registration:
    """Register with the person's own time (`ctx.requested_at`: when they confirmed, also on
    a replay after an outage), so their waiting time counts from then."""
    slots = session.slots
    people = household.to_household(slots)  # the primary applicant and every member
    port, ref = slots["port"], session.contact_ref or ""
    try:
        return await ctx.booking.register(
            people, port=port, contact_ref=ref, key=key, registered_at=ctx.requested_at
        )
    except BookingRejected as exc:
        if exc.code not in _REGISTERED_AT_REFUSED:
            raise
        log.warning("register: registration time refused (%s): registered as of now", exc.code)
        # A new key: the refusal is the stored answer of the first one.
        return await ctx.booking.register(people, port=port, contact_ref=ref, key=f"{key}:now")


class RequestSlot:
    name = "request_slot"
    outcomes = frozenset(
        {"ok", "already_requested", "outside_window", "not_registered", "rejected", QUEUED}
    )
    queue_when_unavailable = True

    async def run(self, session: Session, ctx: EffectContext, key: str) -> Outcome:
        if not session.registration_id:
            return Outcome("not_registered")
        port = session.slots.get("request_port") or session.slots.get("port", "")
        if session.slots.get(household.DIRTY_SLOT):
            # The household changed and the booking API was not told yet (the change was not
            # confirmed, or its call failed): the request must be for the people named in it.
            sent = await send_household(session, ctx, key)
            if sent == UNAVAILABLE:
                return Outcome(UNAVAILABLE)
            if sent == "not_registered":
                return Outcome("not_registered")
            if sent != "ok":  # refused: never request for a household other than the one named
                return Outcome("rejected")
        try:
            request = await ctx.booking.request_slot(
                session.registration_id, port=port, requested_at=ctx.requested_at, key=key
            )
        except BookingUnavailable as exc:
            log.warning("request_slot: booking API unavailable: %s", exc)
            return Outcome(UNAVAILABLE)
        except BookingNotFound:
            session.registration_id = None
            return Outcome("not_registered")
        except BookingRejected as exc:
            if exc.code == "already_requested":
                earlier = exc.details.get("request") or {}
                return Outcome("already_requested", {"request_port": earlier.get("port", port)})
            if exc.code == "outside_window":
                window = exc.details.get("window") or {}
                return Outcome(
                    "outside_window",
                    {
                        "opens": window.get("opens", ""),
                        "closes": window.get("closes", ""),
                        "timezone": window.get("timezone", ""),
                    },
                )
            log.warning("request_slot: refused: %s", exc.code)
            return Outcome("rejected")
        return Outcome("ok", {"request_date": request.request_date.isoformat()})


class CheckStatus:
    name = "status"
    outcomes = frozenset(
        {
            "none",
            "pending",
            "not_selected",
            *(f"not_selected_{wording}" for wording in WORDINGS),
            "allocated",
            "appointment",
            "not_registered",
            UNAVAILABLE,
        }
    )
    queue_when_unavailable = False

    async def run(self, session: Session, ctx: EffectContext, key: str) -> Outcome:
        if not session.registration_id:
            return Outcome("not_registered")
        try:
            status = await ctx.booking.status(session.registration_id)
        except BookingUnavailable:
            return Outcome(UNAVAILABLE)
        except BookingNotFound:
            session.registration_id = None
            return Outcome("not_registered")
        except BookingRejected:
            return Outcome(UNAVAILABLE)
        if status.appointment is not None and status.appointment.status in {
            "allocated",
            "confirmed",
        }:
            appt = status.appointment
            # Not confirmed yet: say until when, and ask (flows/status.yaml -> confirm).
            return Outcome(
                "allocated" if appt.status == "allocated" else "appointment",
                appointment_values(appt),
            )
        request = status.latest_request
        if request is None:
            return Outcome("none")
        values = {"request_port": request.port, "request_date": request.request_date.isoformat()}
        if request.status == "not_selected":
            values.update(await _why(ctx, request.id))
            return Outcome(not_selected_step(values), values)
        return Outcome("pending", values)


async def _why(ctx: EffectContext, request_id: str) -> dict[str, str]:
    """The figures behind a "not chosen" (none if the API cannot say now: the status is
    still told, without them)."""
    try:
        explanation = await ctx.booking.explanation(request_id)
    except (BookingUnavailable, BookingRejected) as exc:
        log.info("status: no explanation for a request now: %s", type(exc).__name__)
        return {}
    return why_values(explanation.model_dump())


def appointment_values(appt: Appointment) -> dict[str, str]:
    """What messages show of an appointment; the deadline in the port's time, like the
    appointment itself."""
    values = {
        "appointment_port": appt.port,
        "appointment_at": local_moment(appt.starts_at, appt.port).isoformat(),
        "appointment_status": appt.status,
    }
    if appt.confirm_by is not None:
        local = local_moment(appt.starts_at, appt.port).tzinfo
        values["confirm_by"] = appt.confirm_by.astimezone(local).isoformat()
    return values


class ConfirmAppointment:
    """The person's reply to "confirm?" (after an allocation notice or from their status)."""

    name = "confirm_appointment"
    outcomes = frozenset({"ok", "too_late", "no_appointment", "not_registered", QUEUED})
    queue_when_unavailable = True

    async def run(self, session: Session, ctx: EffectContext, key: str) -> Outcome:
        if not session.registration_id:
            return Outcome("not_registered")
        try:
            status = await ctx.booking.confirm_appointment(session.registration_id, key=key)
        except BookingUnavailable:
            return Outcome(UNAVAILABLE)
        except BookingRejected as exc:
            if exc.code == "not_found":
                session.registration_id = None
                return Outcome("not_registered")
            if exc.code == "appointment_not_active" and exc.details.get("appointment_status") in {
                "lapsed",
                "cancelled",
            }:
                return Outcome("too_late")
            log.warning("confirm_appointment: refused: %s", exc.code)
            return Outcome("no_appointment")
        if status.appointment is None:
            return Outcome("no_appointment")
        return Outcome("ok", appointment_values(status.appointment))


class CancelAppointment:
    name = "cancel_appointment"
    outcomes = frozenset({"ok", "no_appointment", "not_registered", QUEUED})
    queue_when_unavailable = True

    async def run(self, session: Session, ctx: EffectContext, key: str) -> Outcome:
        if not session.registration_id:
            return Outcome("not_registered")
        try:
            await ctx.booking.cancel_appointment(session.registration_id, key=key)
        except BookingUnavailable:
            return Outcome(UNAVAILABLE)
        except BookingRejected as exc:
            if exc.code == "not_found":
                session.registration_id = None
                return Outcome("not_registered")
            return Outcome("no_appointment")  # no_appointment, appointment_not_active
        return Outcome("ok")


class DeleteMyData:
    """Erase the household in the booking API (by id, then anything still under the contact's
    reference) and every household shelter staff registered for this phone's person, and mark
    the session so the conversation service erases everything the bot keeps instead of saving
    it. When the booking API cannot do it now, the erasure is "queued": everything here is
    erased at once all the same, and the booking part waits in the erasure outbox
    (bot/erasure.py) with only the ids it needs."""

    name = "delete_my_data"
    outcomes = frozenset({"ok", QUEUED})
    #: Never "unavailable": the erasure outbox keeps the booking part, not the session.
    queue_when_unavailable = False

    async def run(self, session: Session, ctx: EffectContext, key: str) -> Outcome:
        ids = [session.registration_id] if session.registration_id else []
        complete = True  # every registration of this person is known
        if ctx.staff is not None and ctx.contact:
            try:
                ids += await ctx.staff.registrations_of(ctx.contact)
            except Exception as exc:  # the staff part of the erasure finds them (erasure.py)
                log.warning("delete_my_data: staff registrations not read now: %s", exc)
                complete = False
        ids = list(dict.fromkeys(ids))  # in order, once each
        session.erase = True
        # Under its own reference and, if it took a registration staff made (`hh-...`), under
        # the contact key it may have registered with itself before.
        refs = [session.contact_ref or "", ctx.contact]
        try:
            await erase_contact(ctx.booking, refs, ids, key)
        except BookingError as exc:
            log.warning("delete_my_data: booking API part kept for later: %s", exc)
            complete = False
        if not complete:
            # Not "deleted" yet: the erasure outbox finishes it (the households staff
            # registered for this phone come with the staff part) and then tells them.
            session.slots[BOOKING_PENDING_SLOT] = ids
            return Outcome(QUEUED)
        session.slots.pop(BOOKING_PENDING_SLOT, None)
        return Outcome("ok")
