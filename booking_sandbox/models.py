"""Storage schema (SQLAlchemy 2). The Alembic migrations in ``migrations/`` create it.

Times are stored as naive UTC and handed back aware, so SQLite and PostgreSQL behave the same.
A household is one row: the primary applicant and members are kept together as JSON because
they are only ever read, written and deleted together.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID_LENGTH = 40


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every dialect."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


def _created_at(context: DefaultExecutionContext) -> Any:
    """A row inserted without registered_at (bulk loads, older clients) registered when it
    was created."""
    parameters: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return parameters["created_at"]


class Registration(Base):
    __tablename__ = "registrations"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    #: The client's opaque reference: a natural key (one active registration per contact).
    contact_ref: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    port: Mapped[str] = mapped_column(String(40))
    household: Mapped[dict[str, Any]] = mapped_column(JSON)
    household_size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the person registered (the client's time, within a grace period; else
    #: created_at): waiting time counts from it (migration 0006).
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_created_at)


class SlotRequest(Base):
    __tablename__ = "slot_requests"
    __table_args__ = (
        UniqueConstraint("registration_id", "request_date", name="uq_slot_requests_one_a_day"),
        # No status in this index: the allocation run rewrites every request's status, and an
        # indexed status would make that a million index updates (see migration 0002).
        Index("ix_slot_requests_day_port", "request_date", "port"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    registration_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    port: Mapped[str] = mapped_column(String(40))
    request_date: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # Copied from the registration so the allocation run reads one table (see migration 0003);
    # a household update rewrites household_size on its pending requests.
    household_size: Mapped[int] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_port_day_status", "port", "appointment_date", "status"),
        Index("ix_appointments_status_confirm_by", "status", "confirm_by"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    registration_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("slot_requests.id", ondelete="CASCADE"), index=True
    )
    port: Mapped[str] = mapped_column(String(40))
    appointment_date: Mapped[date] = mapped_column(Date)
    appointment_time: Mapped[str] = mapped_column(String(5))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    people: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(20))
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirm_by: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    confirm_reminder_sent_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True
    )
    appointment_reminder_sent_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True
    )


class AllocationRun(Base):
    """One row per (request day, port): the audit record, and the guard against running twice."""

    __tablename__ = "allocation_runs"

    request_date: Mapped[date] = mapped_column(Date, primary_key=True)
    port: Mapped[str] = mapped_column(String(40), primary_key=True)
    base_date: Mapped[date] = mapped_column(Date)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seed: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int] = mapped_column(Integer)
    longest_waiting_budget: Mapped[int] = mapped_column(Integer)
    households_requested: Mapped[int] = mapped_column(Integer)
    people_requested: Mapped[int] = mapped_column(Integer)
    households_waited_longest: Mapped[int] = mapped_column(Integer)
    people_waited_longest: Mapped[int] = mapped_column(Integer)
    households_drawn: Mapped[int] = mapped_column(Integer)
    people_drawn: Mapped[int] = mapped_column(Integer)
    # "not_selected" events are queued from the requests in batches after the run (events.py),
    # so the run itself does not insert a row per household that was not drawn.
    not_selected_cursor: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    not_selected_queued: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the run used and decided, kept as it was so the publication (publication.py) can be
    # re-derived even after households were deleted: the rule, the offered slots, the latest
    # registration day that got a longest-waiting place, and every request's row (packed).
    algorithm: Mapped[str | None] = mapped_column(String(120), nullable=True)
    longest_waiting_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    longest_waiting_cutoff: Mapped[date | None] = mapped_column(Date, nullable=True)
    slots: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    entries: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class AllocationSeed(Base):
    """A request day's secret seed; its SHA-256 is published before the window closes."""

    __tablename__ = "allocation_seeds"

    request_date: Mapped[date] = mapped_column(Date, primary_key=True)
    seed: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Event(Base):
    """Outbox of webhook events; the payload is built from the referenced rows when sent."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_pending", "delivered_at", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    registration_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    appointment_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class IdempotencyRecord(Base):
    """The first answer given for an Idempotency-Key, replayed for retries of the same write."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    registration_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), nullable=True, index=True
    )
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
