"""The staff database's operations: each method is one transaction, synchronous (the async
service runs them in a worker thread). Personal fields are encrypted and decrypted here, so
nothing above this module sees ciphertext and nothing below it sees plaintext."""

from __future__ import annotations

import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import phonenumbers
from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.staff.crypto import FieldCipher
from bot.staff.models import (
    AuditEntry,
    Handoff,
    HandoffMessage,
    Household,
    HouseholdRequest,
    Shelter,
    ShelterNotice,
    SigninCode,
    StaffInvite,
    StaffMember,
    WebSession,
)


@dataclass(frozen=True, slots=True)
class StaffView:
    id: int
    shelter_id: int
    shelter_name: str
    contact_digest: str
    phone: str
    channel: str
    lang: str


@dataclass(frozen=True, slots=True)
class PersonView:
    full_name: str
    birth_date: str
    nationality: str
    relationship: str | None = None


@dataclass(frozen=True, slots=True)
class HouseholdView:
    id: str
    shelter_id: int
    registration_id: str | None
    primary: PersonView
    members: tuple[PersonView, ...]
    port: str
    lang: str
    applicant_phone: str | None
    applicant_digest: str | None
    contact_ref: str
    consent_at: datetime
    created_at: datetime

    @property
    def size(self) -> int:
        return 1 + len(self.members)

    @property
    def names(self) -> list[str]:
        return [self.primary.full_name, *(m.full_name for m in self.members)]


@dataclass(frozen=True, slots=True)
class RequestView:
    household_id: str
    request_date: date
    port: str
    status: str
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class AuditView:
    at: datetime
    shelter: str | None
    staff_id: int | None
    household_id: str | None
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class MessageView:
    at: datetime
    direction: str
    body: str
    staff_id: int | None


@dataclass(frozen=True, slots=True)
class HandoffView:
    id: str
    contact_digest: str
    phone: str
    channel: str
    lang: str
    interpreter_needed: bool
    shelter_id: int | None
    status: str
    opened_at: datetime
    messages: tuple[MessageView, ...] = field(default=())
    urgent: bool = False

    @property
    def walk_in(self) -> bool:
        """A person no shelter registered (seen by the shelters that take walk-ins)."""
        return self.shelter_id is None

    @property
    def shown_phone(self) -> str:
        """The number as staff see it: a walk-in's masked (its last digits only)."""
        return mask_phone(self.phone) if self.walk_in else self.phone


@dataclass(frozen=True, slots=True)
class ResultTarget:
    """Who hears a staff-registered household's booking results: the family's own phone
    (`to_family`), else the shelter's inbox and the phone of `staff`: the staff member who
    registered it, or (unlinked since) another of the shelter's; None: the inbox only."""

    household: HouseholdView
    staff: StaffView | None

    @property
    def to_family(self) -> bool:
        return bool(self.household.applicant_phone and self.household.applicant_digest)


@dataclass(frozen=True, slots=True)
class NoticeView:
    id: int
    household: HouseholdView
    purpose: str
    values: dict[str, str]
    at: datetime


@dataclass(frozen=True, slots=True)
class WebSessionView:
    staff: StaffView
    csrf_token: str
    lang: str
    expires_at: datetime


class StaffRepository:
    def __init__(self, engine: Engine, cipher: FieldCipher) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._cipher = cipher

    # ---- encryption helpers ----------------------------------------------------------------

    def _seal(self, where: str, value: str) -> bytes:
        return self._cipher.seal(where, value)

    def _open(self, where: str, blob: bytes) -> str:
        return self._cipher.open(where, blob)

    def _staff_view(self, db: Session, row: StaffMember) -> StaffView:
        shelter = db.get(Shelter, row.shelter_id)
        return StaffView(
            id=row.id,
            shelter_id=row.shelter_id,
            shelter_name=shelter.name if shelter else "",
            contact_digest=row.contact_digest,
            phone=self._open(f"staff.phone:{row.contact_digest}", row.phone_enc),
            channel=row.channel,
            lang=row.lang,
        )

    def _household_view(self, row: Household) -> HouseholdView:
        people: dict[str, Any] = json.loads(
            self._open(f"household.people:{row.id}", row.people_enc)
        )
        phone = (
            self._open(f"household.phone:{row.id}", row.applicant_phone_enc)
            if row.applicant_phone_enc is not None
            else None
        )
        return HouseholdView(
            id=row.id,
            shelter_id=row.shelter_id,
            registration_id=row.registration_id,
            primary=PersonView(**people["primary"]),
            members=tuple(PersonView(**m) for m in people.get("members", [])),
            port=row.port,
            lang=row.lang,
            applicant_phone=phone,
            applicant_digest=row.applicant_digest,
            contact_ref=row.contact_ref,
            consent_at=_aware(row.consent_at),
            created_at=_aware(row.created_at),
        )

    def _handoff_view(self, db: Session, row: Handoff, with_messages: bool) -> HandoffView:
        messages: tuple[MessageView, ...] = ()
        if with_messages:
            rows = db.scalars(
                select(HandoffMessage)
                .where(HandoffMessage.handoff_id == row.id)
                .order_by(HandoffMessage.id)
            )
            messages = tuple(
                MessageView(
                    _aware(m.at),
                    m.direction,
                    self._open(f"handoff.msg:{row.id}", m.body_enc),
                    m.staff_id,
                )
                for m in rows
            )
        return HandoffView(
            id=row.id,
            contact_digest=row.contact_digest,
            phone=self._open(f"handoff.phone:{row.id}", row.phone_enc),
            channel=row.channel,
            lang=row.lang,
            interpreter_needed=row.interpreter_needed,
            shelter_id=row.shelter_id,
            status=row.status,
            opened_at=_aware(row.opened_at),
            messages=messages,
            urgent=row.urgent,
        )

    # ---- shelters, invites, staff ----------------------------------------------------------

    def ensure_shelter(self, name: str, now: datetime, takes_walk_ins: bool | None = None) -> int:
        """The shelter's id (created if new); `takes_walk_ins` changes it when given."""
        with self._sessions.begin() as db:
            shelter = db.scalar(select(Shelter).where(Shelter.name == name))
            if shelter is None:
                shelter = Shelter(name=name, created_at=now, takes_walk_ins=bool(takes_walk_ins))
                db.add(shelter)
                db.flush()
            elif takes_walk_ins is not None:
                shelter.takes_walk_ins = takes_walk_ins
            return shelter.id

    def _takes_walk_ins(self, db: Session, shelter_id: int) -> bool:
        shelter = db.get(Shelter, shelter_id)
        return shelter is not None and shelter.takes_walk_ins

    def shelter_names(self) -> dict[int, str]:
        with self._sessions() as db:
            return {s.id: s.name for s in db.scalars(select(Shelter))}

    def create_invite(
        self, shelter_id: int, contact_digest: str, code_hash: str, now: datetime, expires: datetime
    ) -> int:
        with self._sessions.begin() as db:
            invite = StaffInvite(
                shelter_id=shelter_id,
                code_hash=code_hash,
                contact_digest=contact_digest,
                created_at=now,
                expires_at=expires,
            )
            db.add(invite)
            db.flush()
            return invite.id

    def redeem_invite(
        self,
        code_hash: str,
        contact_digest: str,
        phone: str,
        channel: str,
        lang: str,
        now: datetime,
    ) -> StaffView | None:
        """Link the phone as staff of the invite's shelter; None if the code is not valid
        for this phone (unknown, used, expired, or made for another number)."""
        with self._sessions.begin() as db:
            invite = db.scalar(
                select(StaffInvite).where(StaffInvite.code_hash == code_hash).with_for_update()
            )
            if (
                invite is None
                or invite.used_at is not None
                or _aware(invite.expires_at) <= now
                or invite.contact_digest != contact_digest
            ):
                return None
            invite.used_at = now
            member = db.scalar(
                select(StaffMember).where(StaffMember.contact_digest == contact_digest)
            )
            if member is None:
                member = StaffMember(
                    shelter_id=invite.shelter_id,
                    contact_digest=contact_digest,
                    phone_enc=self._seal(f"staff.phone:{contact_digest}", phone),
                    channel=channel,
                    lang=lang,
                    linked_at=now,
                )
                db.add(member)
            else:
                member.shelter_id = invite.shelter_id
                member.channel = channel
                member.linked_at = now
            db.flush()
            return self._staff_view(db, member)

    def staff_by_digest(self, contact_digest: str) -> StaffView | None:
        with self._sessions() as db:
            row = db.scalar(select(StaffMember).where(StaffMember.contact_digest == contact_digest))
            return None if row is None else self._staff_view(db, row)

    def staff_by_id(self, staff_id: int) -> StaffView | None:
        with self._sessions() as db:
            row = db.get(StaffMember, staff_id)
            return None if row is None else self._staff_view(db, row)

    def staff_of(self, shelter_id: int | None) -> list[StaffView]:
        """A shelter's staff; None: the staff of every shelter that takes walk-ins."""
        with self._sessions() as db:
            query = select(StaffMember).order_by(StaffMember.id)
            if shelter_id is not None:
                query = query.where(StaffMember.shelter_id == shelter_id)
            else:
                walk_ins = select(Shelter.id).where(Shelter.takes_walk_ins.is_(True))
                query = query.where(StaffMember.shelter_id.in_(walk_ins))
            return [self._staff_view(db, row) for row in db.scalars(query)]

    def set_staff_lang(self, staff_id: int, lang: str) -> None:
        with self._sessions.begin() as db:
            db.execute(update(StaffMember).where(StaffMember.id == staff_id).values(lang=lang))

    # ---- households and requests -------------------------------------------------------------

    def add_household(
        self,
        *,
        shelter_id: int,
        staff_id: int | None,
        primary: PersonView,
        members: list[PersonView],
        port: str,
        lang: str,
        applicant_phone: str | None,
        applicant_digest: str | None,
        now: datetime,
        name: str | None = None,
    ) -> HouseholdView:
        # Time-ordered ids: lists show households in the order they were registered; `name`
        # (12 hex digits derived from staff mode's idempotency key) ends the id instead of a
        # random part, so a retry finds the same row (`household_named`).
        household_id = f"{time.time_ns():016x}-{name or uuid.uuid4().hex[:12]}"
        people = {
            "primary": _person_dict(primary),
            "members": [_person_dict(m) for m in members],
        }
        with self._sessions.begin() as db:
            row = Household(
                id=household_id,
                shelter_id=shelter_id,
                registered_by=staff_id,
                people_enc=self._seal(f"household.people:{household_id}", json.dumps(people)),
                members_count=1 + len(members),
                port=port,
                lang=lang,
                applicant_phone_enc=(
                    self._seal(f"household.phone:{household_id}", applicant_phone)
                    if applicant_phone
                    else None
                ),
                applicant_digest=applicant_digest,
                consent_at=now,
                consent_staff_id=staff_id,
                created_at=now,
                # The booking API's contact_ref: opaque, per household, never the phone.
                contact_ref="hh-" + household_id.replace("-", "")[:29],
            )
            db.add(row)
            db.flush()
            return self._household_view(row)

    def set_registration(self, household_id: str, registration_id: str) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(Household)
                .where(Household.id == household_id)
                .values(registration_id=registration_id)
            )

    def update_people(
        self, household_id: str, primary: PersonView, members: list[PersonView], port: str
    ) -> None:
        """A family's corrected people and port (after the booking API took them)."""
        people = {
            "primary": _person_dict(primary),
            "members": [_person_dict(m) for m in members],
        }
        with self._sessions.begin() as db:
            db.execute(
                update(Household)
                .where(Household.id == household_id)
                .values(
                    people_enc=self._seal(f"household.people:{household_id}", json.dumps(people)),
                    members_count=1 + len(members),
                    port=port,
                )
            )

    def delete_household(self, household_id: str) -> None:
        with self._sessions.begin() as db:
            db.execute(delete(ShelterNotice).where(ShelterNotice.household_id == household_id))
            db.execute(
                delete(HouseholdRequest).where(HouseholdRequest.household_id == household_id)
            )
            db.execute(delete(Household).where(Household.id == household_id))

    def households(self, shelter_id: int) -> list[HouseholdView]:
        with self._sessions() as db:
            rows = db.scalars(
                select(Household).where(Household.shelter_id == shelter_id).order_by(Household.id)
            )
            return [self._household_view(r) for r in rows]

    def household(self, shelter_id: int, household_id: str) -> HouseholdView | None:
        with self._sessions() as db:
            row = db.get(Household, household_id)
            if row is None or row.shelter_id != shelter_id:
                return None
            return self._household_view(row)

    def household_named(self, shelter_id: int, name: str) -> HouseholdView | None:
        """The household whose id ends with `name` (see `add_household`)."""
        with self._sessions() as db:
            row = db.scalar(
                select(Household).where(
                    Household.shelter_id == shelter_id, Household.id.endswith(f"-{name}")
                )
            )
            return None if row is None else self._household_view(row)

    def household_by_ref(self, contact_ref: str) -> HouseholdView | None:
        with self._sessions() as db:
            row = db.scalar(select(Household).where(Household.contact_ref == contact_ref))
            return None if row is None else self._household_view(row)

    def result_target(self, contact_ref: str) -> ResultTarget | None:
        """Who hears a staff-registered household's results (see `ResultTarget`); None: no
        such household."""
        with self._sessions() as db:
            row = db.scalar(select(Household).where(Household.contact_ref == contact_ref))
            if row is None:
                return None
            target = ResultTarget(self._household_view(row), None)
            if target.to_family:
                return target
            member = db.get(StaffMember, row.registered_by) if row.registered_by else None
            if member is None:  # unlinked since: whoever of the shelter's staff came first
                member = db.scalar(
                    select(StaffMember)
                    .where(StaffMember.shelter_id == row.shelter_id)
                    .order_by(StaffMember.id)
                    .limit(1)
                )
            return ResultTarget(target.household, self._staff_view(db, member) if member else None)

    def household_of_contact(self, contact_digest: str) -> HouseholdView | None:
        """The latest registered household whose applicant writes from this phone."""
        with self._sessions() as db:
            row = db.scalar(
                select(Household)
                .where(
                    Household.applicant_digest == contact_digest,
                    Household.registration_id.is_not(None),
                )
                .order_by(Household.id.desc())
                .limit(1)
            )
            return None if row is None else self._household_view(row)

    def registrations_of_contact(self, contact_digest: str) -> list[str]:
        """Booking registrations of the households this phone is the applicant's number of."""
        with self._sessions() as db:
            return [
                r
                for r in db.scalars(
                    select(Household.registration_id).where(
                        Household.applicant_digest == contact_digest
                    )
                )
                if r
            ]

    def add_notice(
        self,
        household: HouseholdView,
        job_id: str,
        purpose: str,
        values: dict[str, str],
        now: datetime,
    ) -> bool:
        """Record a result in the shelter's inbox; False when this job already did."""
        with self._sessions.begin() as db:
            if db.scalar(select(ShelterNotice.id).where(ShelterNotice.job_id == job_id)):
                return False
            db.add(
                ShelterNotice(
                    shelter_id=household.shelter_id,
                    household_id=household.id,
                    job_id=job_id,
                    purpose=purpose,
                    values_json=json.dumps(values),
                    at=now,
                )
            )
            return True

    def notices(self, shelter_id: int, limit: int = 50) -> list[NoticeView]:
        """The shelter's latest results, newest first."""
        with self._sessions() as db:
            rows = db.execute(
                select(ShelterNotice, Household)
                .join(Household, Household.id == ShelterNotice.household_id)
                .where(ShelterNotice.shelter_id == shelter_id)
                .order_by(ShelterNotice.id.desc())
                .limit(limit)
            ).all()
            return [
                NoticeView(
                    notice.id,
                    self._household_view(household),
                    notice.purpose,
                    json.loads(notice.values_json),
                    _aware(notice.at),
                )
                for notice, household in rows
            ]

    def record_request(
        self,
        household_id: str,
        request_date: date,
        port: str,
        status: str,
        at: datetime,
        staff_id: int | None,
    ) -> None:
        with self._sessions.begin() as db:
            row = db.scalar(
                select(HouseholdRequest).where(
                    HouseholdRequest.household_id == household_id,
                    HouseholdRequest.request_date == request_date,
                )
            )
            if row is None:
                db.add(
                    HouseholdRequest(
                        household_id=household_id,
                        request_date=request_date,
                        port=port,
                        status=status,
                        requested_at=at,
                        staff_id=staff_id,
                    )
                )
            else:
                row.status, row.port = status, port

    def requests_on(self, shelter_id: int, day: date) -> list[RequestView]:
        with self._sessions() as db:
            rows = db.scalars(
                select(HouseholdRequest)
                .join(Household, Household.id == HouseholdRequest.household_id)
                .where(Household.shelter_id == shelter_id, HouseholdRequest.request_date == day)
                .order_by(HouseholdRequest.requested_at)
            )
            return [
                RequestView(r.household_id, r.request_date, r.port, r.status, r.requested_at)
                for r in rows
            ]

    def shelter_of_contact(self, contact_digest: str) -> int | None:
        with self._sessions() as db:
            return db.scalar(
                select(Household.shelter_id)
                .where(Household.applicant_digest == contact_digest)
                .limit(1)
            )

    # ---- audit ---------------------------------------------------------------------------------

    def audit(
        self,
        at: datetime,
        action: str,
        *,
        shelter_id: int | None = None,
        staff_id: int | None = None,
        household_id: str | None = None,
        detail: str = "",
    ) -> None:
        with self._sessions.begin() as db:
            db.add(
                AuditEntry(
                    at=at,
                    shelter_id=shelter_id,
                    staff_id=staff_id,
                    household_id=household_id,
                    action=action,
                    detail=detail,
                )
            )

    def audit_entries(self, shelter_id: int | None = None, limit: int = 200) -> list[AuditView]:
        with self._sessions() as db:
            names = {s.id: s.name for s in db.scalars(select(Shelter))}
            query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            if shelter_id is not None:
                query = query.where(AuditEntry.shelter_id == shelter_id)
            rows = list(db.scalars(query))
            return [
                AuditView(
                    _aware(r.at),
                    names.get(r.shelter_id) if r.shelter_id is not None else None,
                    r.staff_id,
                    r.household_id,
                    r.action,
                    r.detail,
                )
                for r in reversed(rows)
            ]

    # ---- handoffs --------------------------------------------------------------------------

    def open_handoff(
        self,
        *,
        contact_digest: str,
        phone: str,
        channel: str,
        lang: str,
        interpreter_needed: bool,
        now: datetime,
        urgent: bool = False,
    ) -> tuple[HandoffView, bool]:
        """The contact's open handoff, or a new one. Returns (handoff, created)."""
        with self._sessions.begin() as db:
            existing = db.scalar(
                select(Handoff).where(
                    Handoff.contact_digest == contact_digest, Handoff.status == "open"
                )
            )
            if existing is not None:
                existing.lang, existing.channel = lang, channel
                existing.interpreter_needed = existing.interpreter_needed or interpreter_needed
                existing.urgent = existing.urgent or urgent
                return self._handoff_view(db, existing, False), False
            shelter_id = db.scalar(
                select(Household.shelter_id)
                .where(Household.applicant_digest == contact_digest)
                .limit(1)
            )
            handoff_id = str(uuid.uuid4())
            row = Handoff(
                id=handoff_id,
                contact_digest=contact_digest,
                phone_enc=self._seal(f"handoff.phone:{handoff_id}", phone),
                channel=channel,
                lang=lang,
                interpreter_needed=interpreter_needed,
                urgent=urgent,
                shelter_id=shelter_id,
                status="open",
                opened_at=now,
            )
            db.add(row)
            db.flush()
            return self._handoff_view(db, row, False), True

    def add_handoff_message(
        self, handoff_id: str, direction: str, body: str, now: datetime, staff_id: int | None = None
    ) -> bool:
        """Add a message to the thread. True when it starts a wait: the person's first message
        since the handoff opened or since staff last answered."""
        with self._sessions.begin() as db:
            last = db.scalars(
                select(HandoffMessage.direction)
                .where(HandoffMessage.handoff_id == handoff_id)
                .order_by(HandoffMessage.id.desc())
                .limit(1)
            ).first()
            db.add(
                HandoffMessage(
                    handoff_id=handoff_id,
                    at=now,
                    direction=direction,
                    staff_id=staff_id,
                    body_enc=self._seal(f"handoff.msg:{handoff_id}", body),
                )
            )
            return direction == "in" and last != "in"

    def mark_urgent(self, handoff_id: str) -> HandoffView | None:
        """Mark an open handoff urgent; the handoff when this changed it, else None."""
        with self._sessions.begin() as db:
            row = db.get(Handoff, handoff_id)
            if row is None or row.urgent or row.status != "open":
                return None
            row.urgent = True
            db.flush()
            return self._handoff_view(db, row, False)

    def open_handoff_of(self, contact_digest: str) -> str | None:
        with self._sessions() as db:
            return db.scalar(
                select(Handoff.id).where(
                    Handoff.contact_digest == contact_digest, Handoff.status == "open"
                )
            )

    def open_handoff_count(self) -> int:
        """Handoffs open now (people waiting for, or talking with, staff): for the metrics."""
        with self._sessions() as db:
            return int(
                db.scalar(select(func.count()).select_from(Handoff).where(Handoff.status == "open"))
                or 0
            )

    def close_handoff(self, handoff_id: str, now: datetime) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id)
                .values(status="closed", closed_at=now)
            )

    def handoffs(self, shelter_id: int, *, include_closed: bool = False) -> list[HandoffView]:
        """A shelter's inbox: handoffs of people it registered, and the walk-ins (people no
        shelter registered) when it takes walk-ins."""
        with self._sessions() as db:
            mine = Handoff.shelter_id == shelter_id
            visible = (
                or_(mine, Handoff.shelter_id.is_(None))
                if self._takes_walk_ins(db, shelter_id)
                else mine
            )
            query = (
                select(Handoff)
                .where(visible)
                .order_by(Handoff.urgent.desc(), Handoff.opened_at.desc())
            )
            if not include_closed:
                query = query.where(Handoff.status == "open")
            return [self._handoff_view(db, r, True) for r in db.scalars(query)]

    def handoff(self, shelter_id: int, handoff_id: str) -> HandoffView | None:
        with self._sessions() as db:
            row = db.get(Handoff, handoff_id)
            if row is None or row.shelter_id not in (None, shelter_id):
                return None
            if row.shelter_id is None and not self._takes_walk_ins(db, shelter_id):
                return None
            return self._handoff_view(db, row, True)

    # ---- web sign-in -------------------------------------------------------------------------

    def codes_since(
        self, staff_id: int, since: datetime, device_hash: str | None = None
    ) -> int:
        """Codes a staff member was sent since `since`: asked from that known device, or
        (None) from browsers they never signed in from, strangers included."""
        device = (
            SigninCode.device_hash.is_(None)
            if device_hash is None
            else SigninCode.device_hash == device_hash
        )
        with self._sessions() as db:
            return int(
                db.scalar(
                    select(func.count())
                    .select_from(SigninCode)
                    .where(
                        SigninCode.staff_id == staff_id, SigninCode.created_at >= since, device
                    )
                )
                or 0
            )

    def codes_from_client(self, client_hash: str, since: datetime) -> int:
        """Codes asked from one client address since `since`, for any staff member."""
        with self._sessions() as db:
            return int(
                db.scalar(
                    select(func.count())
                    .select_from(SigninCode)
                    .where(SigninCode.client_hash == client_hash, SigninCode.created_at >= since)
                )
                or 0
            )

    def add_signin_code(
        self,
        staff_id: int,
        code_hash: str,
        now: datetime,
        expires: datetime,
        *,
        challenge_hash: str,
        client_hash: str | None = None,
        device_hash: str | None = None,
    ) -> None:
        with self._sessions.begin() as db:
            # A new code replaces the ones this browser asked for before (never another's).
            db.execute(
                update(SigninCode)
                .where(
                    SigninCode.staff_id == staff_id,
                    SigninCode.challenge_hash == challenge_hash,
                    SigninCode.used_at.is_(None),
                )
                .values(used_at=now)
            )
            db.add(
                SigninCode(
                    staff_id=staff_id,
                    code_hash=code_hash,
                    created_at=now,
                    expires_at=expires,
                    challenge_hash=challenge_hash,
                    client_hash=client_hash,
                    device_hash=device_hash,
                )
            )

    def check_signin_code(
        self, staff_id: int, code_hash: str, now: datetime, max_attempts: int, challenge_hash: str
    ) -> str:
        """ "ok", "wrong", "expired" (or none outstanding) or "locked" (too many attempts).
        Only the code this browser asked for counts: a stranger's tries never touch it."""
        with self._sessions.begin() as db:
            row = db.scalar(
                select(SigninCode)
                .where(
                    SigninCode.staff_id == staff_id,
                    SigninCode.challenge_hash == challenge_hash,
                    SigninCode.used_at.is_(None),
                )
                .order_by(SigninCode.id.desc())
                .limit(1)
                .with_for_update()
            )
            if row is None or _aware(row.expires_at) <= now:
                return "expired"
            if row.attempts >= max_attempts:
                return "locked"
            row.attempts += 1
            if not hmac.compare_digest(row.code_hash, code_hash):
                if row.attempts >= max_attempts:
                    row.used_at = now
                    return "locked"
                return "wrong"
            row.used_at = now
            return "ok"

    def add_web_session(
        self, token_hash: str, staff_id: int, csrf: str, lang: str, now: datetime, expires: datetime
    ) -> None:
        with self._sessions.begin() as db:
            db.add(
                WebSession(
                    token_hash=token_hash,
                    staff_id=staff_id,
                    csrf_token=csrf,
                    lang=lang,
                    created_at=now,
                    expires_at=expires,
                )
            )

    def web_session(self, token_hash: str, now: datetime) -> WebSessionView | None:
        with self._sessions.begin() as db:
            row = db.get(WebSession, token_hash)
            if row is None:
                return None
            if _aware(row.expires_at) <= now:
                db.delete(row)
                return None
            member = db.get(StaffMember, row.staff_id)
            if member is None:
                return None
            return WebSessionView(
                self._staff_view(db, member), row.csrf_token, row.lang, _aware(row.expires_at)
            )

    def set_web_lang(self, token_hash: str, lang: str) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(WebSession).where(WebSession.token_hash == token_hash).values(lang=lang)
            )

    def delete_web_session(self, token_hash: str) -> None:
        with self._sessions.begin() as db:
            db.execute(delete(WebSession).where(WebSession.token_hash == token_hash))

    # ---- delete my data ----------------------------------------------------------------------

    def forget_contact(self, contact_digest: str) -> list[str]:
        """Erase everything about one phone number: its handoffs, the households it is the
        applicant's number of, its staff link, sessions and invites. Returns the booking
        registration ids of the erased households (to be erased in the booking API too).
        Audit entries stay: they hold ids and actions, no personal data."""
        with self._sessions.begin() as db:
            handoff_ids = list(
                db.scalars(select(Handoff.id).where(Handoff.contact_digest == contact_digest))
            )
            if handoff_ids:
                db.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(handoff_ids)))
                db.execute(delete(Handoff).where(Handoff.id.in_(handoff_ids)))
            households = list(
                db.scalars(select(Household).where(Household.applicant_digest == contact_digest))
            )
            registrations = [h.registration_id for h in households if h.registration_id]
            for household in households:
                db.execute(
                    delete(HouseholdRequest).where(HouseholdRequest.household_id == household.id)
                )
                db.execute(delete(ShelterNotice).where(ShelterNotice.household_id == household.id))
                db.delete(household)
            member = db.scalar(
                select(StaffMember).where(StaffMember.contact_digest == contact_digest)
            )
            if member is not None:
                db.execute(delete(WebSession).where(WebSession.staff_id == member.id))
                db.execute(delete(SigninCode).where(SigninCode.staff_id == member.id))
                db.execute(
                    update(Household)
                    .where(Household.registered_by == member.id)
                    .values(registered_by=None)
                )
                db.delete(member)
            db.execute(delete(StaffInvite).where(StaffInvite.contact_digest == contact_digest))
            return registrations


    def traces(self, contact_digest: str) -> list[str]:
        """What the staff tables still hold about one phone number (privacy audit): the
        same rows `forget_contact` erases. Audit entries hold ids and actions only."""
        counts = {
            "handoffs": select(func.count()).select_from(Handoff).where(
                Handoff.contact_digest == contact_digest
            ),
            "households of this number": select(func.count()).select_from(Household).where(
                Household.applicant_digest == contact_digest
            ),
            "staff link": select(func.count()).select_from(StaffMember).where(
                StaffMember.contact_digest == contact_digest
            ),
            "staff invites": select(func.count()).select_from(StaffInvite).where(
                StaffInvite.contact_digest == contact_digest
            ),
        }
        with self._sessions() as db:
            found = [(what, db.scalar(query) or 0) for what, query in counts.items()]
        return [f"staff database: {count} {what}" for what, count in found if count]


def mask_phone(phone: str) -> str:
    """"+52 ••• 5678": the country code and the last four digits, enough to tell two people
    apart on the phone, not enough to call or message them."""
    digits = phone.lstrip("+")
    try:
        country = str(phonenumbers.parse(phone, None).country_code or "")
    except phonenumbers.NumberParseException:
        country = ""
    if len(digits) < 8 or not country:
        return "•••"
    return f"+{country} ••• {digits[-4:]}"


def _person_dict(person: PersonView) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "nationality": person.nationality,
    }
    if person.relationship:
        data["relationship"] = person.relationship
    return data


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC): make them comparable."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
