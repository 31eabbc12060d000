"""What staff can do, shared by staff mode over WhatsApp/SMS (chat.py) and the portal
(portal.py): register households, make the daily request, read statuses, answer handoffs.
Every action is written to the audit log. Database calls run in a worker thread."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.booking.client import BookingClient, BookingNotFound, BookingRejected, BookingUnavailable
from bot.booking.models import Appointment, Household, Person, Status
from bot.channels.render import rendered
from bot.contacts import contact_key
from bot.engine.display import display_values
from bot.engine.flowset import FlowSet
from bot.household import format_names
from bot.i18n import Catalogs, format_moment
from bot.languages import BY_CODE
from bot.messages import ChannelKind
from bot.outbound import OutboundMessage, Sender
from bot.ports import local_moment
from bot.settings import Settings
from bot.staff.crypto import FieldCipher
from bot.staff.db import default_url, make_engine
from bot.staff.migrations import upgrade
from bot.staff.repository import (
    HandoffView,
    HouseholdView,
    NoticeView,
    PersonView,
    ResultTarget,
    StaffRepository,
    StaffView,
)
from bot.staff.texts import Texts

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Unambiguous characters for codes people type on a phone keypad (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(length: int = 8) -> str:
    """A code with letters and digits both (so no word and no number people write, such as
    a date or a phone number, is ever taken for a code)."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if any(ch.isdigit() for ch in raw) and any(ch.isalpha() for ch in raw):
            return f"{raw[:4]}-{raw[4:]}" if length == 8 else raw


@dataclass(frozen=True, slots=True)
class RequestResult:
    household: HouseholdView
    outcome: (
        str  # ok | already_requested | outside_window | not_registered | rejected | unavailable
    )


@dataclass(frozen=True, slots=True)
class HouseholdStatus:
    household: HouseholdView
    status: Status | None  # None: unknown (not registered, or the booking API did not answer)

    @property
    def appointment(self) -> Appointment | None:
        """The household's appointment while it is valid (allocated or confirmed)."""
        appointment = self.status.appointment if self.status is not None else None
        if appointment is None or appointment.status not in ACTIVE_APPOINTMENT:
            return None
        return appointment


#: Appointment states that still take the family to the port.
ACTIVE_APPOINTMENT = frozenset({"allocated", "confirmed"})


class StaffService:
    def __init__(
        self,
        *,
        settings: Settings,
        repo: StaffRepository,
        booking: BookingClient,
        sender: Sender,
        texts: Texts,
        clock: Callable[[], datetime],
        portal_texts: Texts | None = None,
    ) -> None:
        self.settings = settings
        self.repo = repo
        self.booking = booking
        self.sender = sender
        self.texts = texts
        #: The web portal's own messages (flows/portal.messages.yaml).
        self.portal_texts = portal_texts or texts
        self.clock = clock
        self.cipher = FieldCipher(settings.secret_key.get_secret_value())

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(partial(fn, *args, **kwargs))

    def digest(self, phone: str) -> str:
        return contact_key(self.settings.secret_key.get_secret_value(), phone).digest

    async def audit(
        self,
        action: str,
        staff: StaffView | None = None,
        household_id: str | None = None,
        detail: str = "",
        shelter_id: int | None = None,
    ) -> None:
        await self.db(
            self.repo.audit,
            self.clock(),
            action,
            shelter_id=staff.shelter_id if staff else shelter_id,
            staff_id=staff.id if staff else None,
            household_id=household_id,
            detail=detail,
        )

    # ---- invites (created by the operator: bot/staff/cli.py) ----

    async def redeem_invite(
        self, code: str, phone: str, channel: ChannelKind, lang: str
    ) -> StaffView | None:
        digest = self.digest(phone)
        staff = await self.db(
            self.repo.redeem_invite,
            self.cipher.code_digest("invite", code),
            digest,
            phone,
            channel.value,
            lang,
            self.clock(),
        )
        if staff is None:
            await self.audit("invite_refused", detail=f"contact {digest}")
        else:
            await self.audit("staff_linked", staff, detail=f"contact {digest}")
        return staff

    # ---- households ------------------------------------------------------------------------

    async def register_household(
        self,
        staff: StaffView,
        *,
        primary: PersonView,
        members: list[PersonView],
        port: str,
        lang: str,
        applicant_phone: str | None,
        consented: bool,
        name: str | None = None,
        keep_when_unavailable: bool = False,
    ) -> tuple[HouseholdView | None, str]:
        """Register a household on someone's behalf. Returns (household, outcome): ok,
        no_consent, too_young, too_large, rejected, unavailable. Nothing is kept unless the
        booking API registered it, except with `keep_when_unavailable` (staff mode's outbox):
        then the household waits unregistered and the same call with the same `name` (from its
        fixed idempotency key) registers it later; a call for a household registered
        already answers ok and does nothing."""
        existing = None
        if name is not None:  # (consent was recorded with the household)
            existing = await self.db(self.repo.household_named, staff.shelter_id, name)
        if existing is None and not consented:
            await self.audit("register_refused_no_consent", staff)
            return None, "no_consent"
        if existing is not None and existing.registration_id:
            return existing, "ok"  # a retry of a registration that was done
        if existing is not None:  # saved during an outage: its own answers, as kept
            household = existing
            primary, members, port = existing.primary, list(existing.members), existing.port
            applicant_phone = existing.applicant_phone
        else:
            digest = self.digest(applicant_phone) if applicant_phone else None
            household = await self.db(
                self.repo.add_household,
                shelter_id=staff.shelter_id,
                staff_id=staff.id,
                primary=primary,
                members=members,
                port=port,
                lang=lang,
                applicant_phone=applicant_phone,
                applicant_digest=digest,
                now=self.clock(),
                name=name,
            )
            await self.audit(
                "consent_recorded", staff, household.id, f"people {household.size}, lang {lang}"
            )
        booking_household = Household(
            primary=_person(primary), members=[_person(m) for m in members]
        )
        outcome = "ok"
        try:
            registration = await self.booking.register(
                booking_household,
                port=port,
                contact_ref=household.contact_ref,
                key=f"staff-register-{household.id}",
            )
        except BookingUnavailable:
            outcome = "unavailable"
        except BookingRejected as exc:
            outcome = {
                "primary_must_be_adult": "too_young",
                "household_too_large": "too_large",
            }.get(exc.code, "rejected")
        if outcome == "unavailable" and keep_when_unavailable:
            await self.audit("register_waits", staff, household.id, outcome)
            return None, outcome
        if outcome != "ok":
            await self.db(self.repo.delete_household, household.id)
            await self.audit("register_failed", staff, household.id, outcome)
            return None, outcome
        await self.db(self.repo.set_registration, household.id, registration.id)
        stored = await self.db(self.repo.household, staff.shelter_id, household.id)
        household = stored or household
        await self.audit(
            "household_registered",
            staff,
            household.id,
            f"registration {registration.id}, port {port}, "
            + ("applicant phone" if applicant_phone else "no phone: results to staff"),
        )
        await self._notify(
            household,
            "notice_registered",
            shelter=staff.shelter_name,
            registration_id=registration.id,
            names=", ".join(household.names),
        )
        return household, "ok"

    async def households(self, staff: StaffView) -> list[HouseholdView]:
        return await self.db(self.repo.households, staff.shelter_id)

    async def request_today(
        self, staff: StaffView, household_ids: list[str]
    ) -> list[RequestResult]:
        """The daily request for one or several households, each with its own idempotency
        key for the day (asking twice the same day never requests twice)."""
        now = self.clock()
        done = await self.requests_today(staff)
        results: list[RequestResult] = []
        for household_id in household_ids:
            household = await self.db(self.repo.household, staff.shelter_id, household_id)
            if household is None:
                continue  # not this shelter's: never touched
            if household.id in done:
                outcome = "already_requested"  # known here: no call, no second notice
            else:
                outcome = await self._request_one(household, now)
            if outcome in {"ok", "already_requested"}:
                await self.db(
                    self.repo.record_request,
                    household.id,
                    now.date(),
                    household.port,
                    "requested",
                    now,
                    staff.id,
                )
            await self.audit(
                "request_made", staff, household.id, f"{outcome}, port {household.port}"
            )
            if outcome == "ok":
                await self._notify(
                    household,
                    "notice_requested",
                    shelter=staff.shelter_name,
                    names=", ".join(household.names),
                )
            results.append(RequestResult(household, outcome))
        return results

    async def _request_one(self, household: HouseholdView, now: datetime) -> str:
        if not household.registration_id:
            return "not_registered"
        try:
            await self.booking.request_slot(
                household.registration_id,
                port=household.port,
                requested_at=now,
                key=f"staff-request-{household.id}-{now.date().isoformat()}",
            )
        except BookingUnavailable:
            return "unavailable"
        except BookingNotFound:
            return "not_registered"
        except BookingRejected as exc:
            if exc.code in {"already_requested", "outside_window"}:
                return exc.code
            return "rejected"
        return "ok"

    async def confirm_for(self, staff: StaffView, household_id: str) -> str:
        """Confirm a family's appointment on their behalf: ok, too_late, no_appointment,
        not_registered or unavailable. One idempotency key per appointment."""
        household, appointment, outcome = await self._appointment_of(staff, household_id)
        if household is None or appointment is None or household.registration_id is None:
            return outcome
        if appointment.status == "confirmed":
            outcome = "ok"
        else:
            try:
                await self.booking.confirm_appointment(
                    household.registration_id, key=f"staff-confirm-{appointment.id}"
                )
                outcome = "ok"
                await self._tell_family(household, appointment, "notice_confirmed", staff)
            except BookingUnavailable:
                outcome = "unavailable"
            except BookingRejected as exc:
                lapsed = exc.details.get("appointment_status") in {"lapsed", "cancelled"}
                outcome = "too_late" if lapsed else "no_appointment"
        await self.audit("appointment_confirmed", staff, household.id, outcome)
        return outcome

    async def give_up_for(self, staff: StaffView, household_id: str) -> str:
        """Give up a family's appointment (they cannot go): ok, no_appointment,
        not_registered or unavailable."""
        household, appointment, outcome = await self._appointment_of(staff, household_id)
        if household is None or appointment is None or household.registration_id is None:
            return outcome
        try:
            await self.booking.cancel_appointment(
                household.registration_id, key=f"staff-cancel-{appointment.id}"
            )
            outcome = "ok"
            if appointment.status != "cancelled":
                await self._tell_family(household, appointment, "notice_given_up", staff)
        except BookingUnavailable:
            outcome = "unavailable"
        except BookingRejected:
            outcome = "no_appointment"
        await self.audit("appointment_given_up", staff, household.id, outcome)
        return outcome

    async def update_household_for(
        self,
        staff: StaffView,
        household_id: str,
        *,
        primary: PersonView,
        members: list[PersonView],
        port: str,
    ) -> str:
        """Correct a family's people or port: the booking API first (its rules: an adult
        primary, the largest household), then the row here. ok, not_found, not_registered,
        too_young, too_large, rejected or unavailable (nothing changed)."""
        household = await self.db(self.repo.household, staff.shelter_id, household_id)
        if household is None:
            return "not_found"
        if not household.registration_id:
            return "not_registered"
        booking_household = Household(
            primary=_person(primary), members=[_person(m) for m in members]
        )
        # One key per content (keyed hash: names never leave in clear), so a retry is one edit.
        content = hmac.new(
            self.settings.secret_key.get_secret_value().encode(),
            repr(("staff-edit", primary, members, port)).encode(),
            hashlib.sha256,
        ).hexdigest()
        key = f"staff-edit-{household.id}-{content[:16]}"
        try:
            await self.booking.update_registration(
                household.registration_id, booking_household, port=port, contact_ref="", key=key
            )
        except BookingUnavailable:
            return "unavailable"
        except BookingRejected as exc:
            return {
                "primary_must_be_adult": "too_young",
                "household_too_large": "too_large",
            }.get(exc.code, "rejected")
        await self.db(self.repo.update_people, household.id, primary, members, port)
        await self.audit(
            "household_updated", staff, household.id, f"people {1 + len(members)}, port {port}"
        )
        return "ok"

    async def delete_household_for(self, staff: StaffView, household_id: str) -> str:
        """Delete a family's data at their request: their booking registration first (so
        nothing is left there if this stops halfway), then every row here. ok, not_found or
        unavailable (nothing deleted: try again)."""
        household = await self.db(self.repo.household, staff.shelter_id, household_id)
        if household is None:
            return "not_found"
        if household.registration_id:
            try:
                await self.booking.delete_registration(
                    household.registration_id, key=f"staff-delete-{household.id}"
                )
            except BookingUnavailable:
                await self.audit("household_delete_failed", staff, household.id, "unavailable")
                return "unavailable"
            except (BookingNotFound, BookingRejected):
                pass  # already gone there
        await self.db(self.repo.delete_household, household.id)
        await self.audit("household_deleted", staff, household.id, "at the family's request")
        return "ok"

    async def _appointment_of(
        self, staff: StaffView, household_id: str
    ) -> tuple[HouseholdView | None, Appointment | None, str]:
        household = await self.db(self.repo.household, staff.shelter_id, household_id)
        if household is None or not household.registration_id:
            return None, None, "not_registered"
        try:
            status = await self.booking.status(household.registration_id)
        except BookingUnavailable:
            return household, None, "unavailable"
        except BookingRejected:
            return household, None, "not_registered"
        row = HouseholdStatus(household, status)
        return household, row.appointment, "no_appointment"

    async def notices(self, staff: StaffView) -> list[NoticeView]:
        return await self.db(self.repo.notices, staff.shelter_id)

    async def tell_staff_result(
        self,
        target: ResultTarget,
        job_id: str,
        purpose: str,
        values: dict[str, str],
        ports: Mapping[str, str],
    ) -> str | None:
        """A result for a household without a phone: kept in the shelter's inbox (once per
        job), and the text for the staff phone of the target (in its language, naming the
        family); None when the target has no staff phone (the inbox only)."""
        household = target.household
        added = await self.db(
            self.repo.add_notice, household, job_id, purpose, values, self.clock()
        )
        if added:
            await self.audit(
                "result_to_shelter",
                target.staff,
                household.id,
                f"{purpose}, job {job_id}",
                shelter_id=household.shelter_id,
            )
        if target.staff is None:
            return None
        return self.result_text(target.staff.lang, purpose, household, values, ports)

    def result_text(
        self,
        lang: str,
        purpose: str,
        household: HouseholdView,
        values: Mapping[str, str],
        ports: Mapping[str, str],
    ) -> str:
        shown = display_values(values, {}, lang, ports, self.texts.catalogs)
        shown["household"] = format_names(household.names, lang)
        return self.texts(lang, f"result_{purpose}", **shown)

    async def statuses(self, staff: StaffView) -> list[HouseholdStatus]:
        out: list[HouseholdStatus] = []
        for household in await self.households(staff):
            status: Status | None = None
            if household.registration_id:
                try:
                    status = await self.booking.status(household.registration_id)
                except (BookingUnavailable, BookingRejected):
                    status = None
            out.append(HouseholdStatus(household, status))
        await self.audit("statuses_viewed", staff, detail=f"{len(out)} households")
        return out

    async def requests_today(self, staff: StaffView) -> dict[str, str]:
        rows = await self.db(self.repo.requests_on, staff.shelter_id, self.clock().date())
        return {r.household_id: r.status for r in rows}

    async def send(self, message: OutboundMessage, lang: str | None) -> None:
        """Send a text of staff's or of the bot's on its behalf through the one renderer
        (bot/channels/render.py): on SMS transliterated to GSM-7 and split like replies."""
        for part in rendered(message, lang):
            await self.sender.send(part)

    async def _tell_family(
        self, household: HouseholdView, appointment: Appointment, key: str, staff: StaffView
    ) -> None:
        """What staff did with a family's appointment, on the family's own phone (if any):
        their conversation may still be asking them to confirm."""
        when = local_moment(appointment.starts_at, appointment.port)
        await self._notify(
            household,
            key,
            shelter=staff.shelter_name,
            names=format_names(household.names, household.lang),
            when=format_moment(household.lang, when),
        )

    async def _notify(self, household: HouseholdView, key: str, **values: Any) -> None:
        """Tell the applicant, in their language, what was done for them (own number only)."""
        if not household.applicant_phone or not household.applicant_digest:
            return
        body = self.texts(household.lang, key, **values)
        message = OutboundMessage(
            household.applicant_digest, household.applicant_phone, ChannelKind.SMS, body
        )
        try:
            await self.send(message, household.lang)
        except Exception:  # a failed notice must not undo the staff action
            log.exception("notice to contact %s failed", household.applicant_digest)

    # ---- handoffs ----------------------------------------------------------------------------

    async def open_handoff(
        self,
        digest: str,
        phone: str,
        channel: ChannelKind,
        lang: str,
        interpreter: bool,
        *,
        urgent: bool = False,
    ) -> HandoffView:
        handoff, created = await self.db(
            self.repo.open_handoff,
            contact_digest=digest,
            phone=phone,
            channel=channel.value,
            lang=lang,
            interpreter_needed=interpreter,
            now=self.clock(),
            urgent=urgent,
        )
        if created or urgent:  # an open handoff that became urgent is told again
            await self.audit(
                "handoff_opened" if created else "handoff_urgent",
                shelter_id=handoff.shelter_id,
                detail=f"handoff {handoff.id}, lang {lang}"
                + (", interpreter needed" if handoff.interpreter_needed else "")
                + (", urgent" if handoff.urgent else ""),
            )
            await self._tell_staff(handoff)
        return handoff

    async def _tell_staff(self, handoff: HandoffView) -> None:
        """A person is waiting: tell the staff who can answer (their shelter's, or for a walk-in
        the staff of every shelter that takes walk-ins) on their phones, in their language."""
        staff_members = await self.db(self.repo.staff_of, handoff.shelter_id)
        if not staff_members and handoff.walk_in:
            log.warning(
                "handoff %s: a walk-in waits and no shelter takes walk-ins "
                "(frontdoor staff invite --walk-ins)",
                handoff.id,
            )
        for member in staff_members:
            language = BY_CODE[handoff.lang].own_name if handoff.lang in BY_CODE else handoff.lang
            if handoff.interpreter_needed:
                language += ", " + self.texts(member.lang, "interpreter_needed")
            key = "handoff_waiting_urgent" if handoff.urgent else "handoff_waiting"
            body = self.texts(member.lang, key, language=language)
            message = OutboundMessage(
                member.contact_digest, member.phone, ChannelKind(member.channel), body
            )
            try:
                await self.send(message, member.lang)
            except Exception:  # the handoff stays in the inbox either way
                log.exception("could not tell staff %s about a handoff", member.id)
        await self.audit(
            "handoff_staff_told",
            shelter_id=handoff.shelter_id,
            detail=f"{len(staff_members)} staff",
        )

    async def handoff_message(self, handoff_id: str, text: str) -> bool:
        """Keep what the person wrote for staff. True when it starts a wait (acknowledge it)."""
        started: bool = await self.db(
            self.repo.add_handoff_message, handoff_id, "in", text, self.clock()
        )
        return started

    async def mark_urgent(self, handoff_id: str) -> None:
        """A person already waiting writes of danger: the handoff goes first, staff are told."""
        handoff = await self.db(self.repo.mark_urgent, handoff_id)
        if handoff is not None:
            await self.audit(
                "handoff_urgent", shelter_id=handoff.shelter_id, detail=f"handoff {handoff.id}"
            )
            await self._tell_staff(handoff)

    async def leave_handoff(self, handoff_id: str) -> None:
        await self.db(self.repo.close_handoff, handoff_id, self.clock())
        await self.audit("handoff_closed_by_person", detail=f"handoff {handoff_id}")

    async def inbox(self, staff: StaffView) -> list[HandoffView]:
        return await self.db(self.repo.handoffs, staff.shelter_id)

    async def reply(self, staff: StaffView, handoff_id: str, text: str) -> bool:
        """Send a staff reply to the person through their channel, in the staff's words."""
        handoff = await self.db(self.repo.handoff, staff.shelter_id, handoff_id)
        text = text.strip()
        if handoff is None or not text:
            return False
        body = self.texts(handoff.lang, "handoff_reply", shelter=staff.shelter_name, text=text)
        await self.send(
            OutboundMessage(
                handoff.contact_digest, handoff.phone, ChannelKind(handoff.channel), body
            ),
            handoff.lang,
        )
        await self.db(
            self.repo.add_handoff_message, handoff.id, "out", text, self.clock(), staff.id
        )
        await self.audit("handoff_replied", staff, detail=f"handoff {handoff.id}")
        return True

    async def close_handoff(self, staff: StaffView, handoff_id: str) -> bool:
        handoff = await self.db(self.repo.handoff, staff.shelter_id, handoff_id)
        if handoff is None:
            return False
        await self.db(self.repo.close_handoff, handoff.id, self.clock())
        await self.audit("handoff_closed", staff, detail=f"handoff {handoff.id}")
        return True

    # ---- delete my data ----------------------------------------------------------------------

    async def registrations_of(self, digest: str) -> list[str]:
        """The booking registrations staff made for this phone's person (erased by the
        `delete_my_data` action, which keeps trying through the outbox)."""
        return await self.db(self.repo.registrations_of_contact, digest)

    async def forget_contact(self, digest: str) -> list[str]:
        """Erase the contact from the staff tables; returns the booking registrations of the
        households erased. `delete_my_data` erased them in the booking API before when it
        could read them; the erasure outbox (bot/erasure.py) erases any it could not."""
        registrations: list[str] = await self.db(self.repo.forget_contact, digest)
        await self.audit("contact_forgotten", detail=f"{len(registrations)} registrations")
        return registrations


def _person(view: PersonView) -> Person:
    return Person(
        full_name=view.full_name,
        birth_date=date.fromisoformat(view.birth_date),
        nationality=view.nationality,
        relationship=view.relationship,
    )


@contextlib.asynccontextmanager
async def open_staff(
    settings: Settings,
    data_dir: Path,
    flowset: FlowSet,
    catalogs: Catalogs,
    booking: BookingClient,
    sender: Sender,
    clock: Callable[[], datetime],
) -> AsyncIterator[StaffService]:
    """The staff database (migrated to the latest schema at start-up) and its service."""
    engine = make_engine(settings.database_url or default_url(data_dir), settings.database_schema)
    try:
        await asyncio.to_thread(upgrade, engine)
        repo = StaffRepository(engine, FieldCipher(settings.secret_key.get_secret_value()))
        yield StaffService(
            settings=settings,
            repo=repo,
            booking=booking,
            sender=sender,
            texts=Texts.from_flowset(flowset, catalogs, "staff"),
            clock=clock,
            portal_texts=Texts.from_flowset(flowset, catalogs, "portal"),
        )
    finally:
        engine.dispose()
