"""The staff database (SQLAlchemy 2): shelters, staff, invites, households registered by staff,
their requests, the audit log, handoffs and their messages, web sessions and sign-in codes.

Why SQL and not the Redis store: these are relations (a shelter's staff, households, requests),
the audit log must be queried by shelter and household, and the roster is exported as CSV.
Phone numbers appear only as contact-key digests (`*_digest`, the same HMAC as the store) and,
where the bot must write to them, encrypted (`*_enc`, bot/staff/crypto.py); names, dates of
birth and message bodies are encrypted too. One-time codes and session tokens are stored only
as keyed hashes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Shelter(Base):
    __tablename__ = "shelters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Sees the handoffs of people no shelter registered (their numbers masked).
    takes_walk_ins: Mapped[bool] = mapped_column(Boolean, default=False)


class StaffMember(Base):
    __tablename__ = "staff_members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id", ondelete="CASCADE"))
    #: Contact key digest of the linked phone: how an inbound message finds its staff member.
    contact_digest: Mapped[str] = mapped_column(String(64), unique=True)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    channel: Mapped[str] = mapped_column(String(16), default="sms")
    lang: Mapped[str] = mapped_column(String(8), default="es")
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffInvite(Base):
    __tablename__ = "staff_invites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The invite works only from the phone it was made for.
    contact_digest: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Household(Base):
    __tablename__ = "households"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id", ondelete="CASCADE"))
    registered_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), nullable=True
    )
    registration_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: JSON {"primary": {...}, "members": [...]}, encrypted.
    people_enc: Mapped[bytes] = mapped_column(LargeBinary)
    members_count: Mapped[int] = mapped_column(Integer, default=1)
    port: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    #: The applicant's own number (encrypted) and its digest; NULL: results go to the staff.
    applicant_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    applicant_digest: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    consent_staff_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The opaque reference the booking API knows this household by (never a phone number).
    contact_ref: Mapped[str] = mapped_column(String(64))


class HouseholdRequest(Base):
    __tablename__ = "household_requests"
    __table_args__ = (UniqueConstraint("household_id", "request_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    request_date: Mapped[date] = mapped_column(Date)
    port: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    staff_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    shelter_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    staff_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    household_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(64))
    #: Never personal data: ids, ports, outcomes, channels.
    detail: Mapped[str] = mapped_column(Text, default="")


class Handoff(Base):
    __tablename__ = "handoffs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contact_digest: Mapped[str] = mapped_column(String(64), index=True)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    channel: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8))
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The person wrote of danger (extortion, kidnapping, violence, a sick child): first in
    #: the inbox, and staff are told it is urgent. Only the flag; the words are the message.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The shelter that registered this person, else NULL: the shared inbox of every shelter.
    shelter_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: The staff member who took the conversation ("assign to me"), else NULL: anyone's.
    assigned_staff_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: What staff wrote when closing it (encrypted: it may name the person).
    close_note_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class HandoffMessage(Base):
    __tablename__ = "handoff_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handoff_id: Mapped[str] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    staff_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body_enc: Mapped[bytes] = mapped_column(LargeBinary)


class HandoffRead(Base):
    """How far one staff member has read one conversation (the inbox's unread badges)."""

    __tablename__ = "handoff_reads"
    handoff_id: Mapped[str] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), primary_key=True
    )
    #: The last handoff_messages.id this staff member has seen.
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)


class WebSession(Base):
    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SigninCode(Base):
    __tablename__ = "signin_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: Keyed hash of the random challenge cookie of the browser that asked for this code:
    #: only that browser can use the code (or use up its tries).
    challenge_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Keyed hash of the client address that asked (codes per address per hour).
    client_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    #: Keyed hash of the device cookie of a browser this staff member signed in from before;
    #: NULL: an unknown browser (counted against the phone's budget for strangers).
    device_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ShelterNotice(Base):
    """A booking result for a household registered without a phone of its own: shown in the
    shelter's inbox (the portal) besides the message to the staff phone. Holds ids, the
    purpose and display values (ports, times), never names: they are read from the household."""

    __tablename__ = "shelter_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id", ondelete="CASCADE"))
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    #: The notification job's id: a job run twice records one notice.
    job_id: Mapped[str] = mapped_column(String(128), unique=True)
    purpose: Mapped[str] = mapped_column(String(32))
    values_json: Mapped[str] = mapped_column(Text, default="{}")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
