"""initial schema

Revision ID: 0001
Revises:
Times are naive UTC (see models.UTCDateTime); the type is not imported so this file never
changes when the models do.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:

    op.create_table(
        "allocation_runs",
        sa.Column("request_date", sa.Date(), nullable=False),
        sa.Column("port", sa.String(length=40), nullable=False),
        sa.Column("base_date", sa.Date(), nullable=False),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("longest_waiting_budget", sa.Integer(), nullable=False),
        sa.Column("households_requested", sa.Integer(), nullable=False),
        sa.Column("people_requested", sa.Integer(), nullable=False),
        sa.Column("households_waited_longest", sa.Integer(), nullable=False),
        sa.Column("people_waited_longest", sa.Integer(), nullable=False),
        sa.Column("households_drawn", sa.Integer(), nullable=False),
        sa.Column("people_drawn", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("request_date", "port"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("registration_id", sa.String(length=40), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "registrations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("contact_ref", sa.String(length=255), nullable=False),
        sa.Column("port", sa.String(length=40), nullable=False),
        sa.Column("household", sa.JSON(), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registrations_contact_ref"), ["contact_ref"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registrations_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "events",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("registration_id", sa.String(length=40), nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=True),
        sa.Column("appointment_id", sa.String(length=40), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("failed_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_pending", ["delivered_at", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_events_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "slot_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("registration_id", sa.String(length=40), nullable=False),
        sa.Column("port", sa.String(length=40), nullable=False),
        sa.Column("request_date", sa.Date(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("registration_id", "request_date", name="uq_slot_requests_one_a_day"),
    )
    with op.batch_alter_table("slot_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_slot_requests_day_port_status", ["request_date", "port", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_slot_requests_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "appointments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("registration_id", sa.String(length=40), nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("port", sa.String(length=40), nullable=False),
        sa.Column("appointment_date", sa.Date(), nullable=False),
        sa.Column("appointment_time", sa.String(length=5), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("allocated_at", sa.DateTime(), nullable=False),
        sa.Column("confirm_by", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("confirm_reminder_sent_at", sa.DateTime(), nullable=True),
        sa.Column("appointment_reminder_sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["slot_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointments_port_day_status", ["port", "appointment_date", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointments_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointments_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            "ix_appointments_status_confirm_by", ["status", "confirm_by"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_status_confirm_by")
        batch_op.drop_index(batch_op.f("ix_appointments_request_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_registration_id"))
        batch_op.drop_index("ix_appointments_port_day_status")

    op.drop_table("appointments")
    with op.batch_alter_table("slot_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slot_requests_registration_id"))
        batch_op.drop_index("ix_slot_requests_day_port_status")

    op.drop_table("slot_requests")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_registration_id"))
        batch_op.drop_index("ix_events_pending")

    op.drop_table("events")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_created_at"))
        batch_op.drop_index(batch_op.f("ix_registrations_contact_ref"))

    op.drop_table("registrations")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_registration_id"))

    op.drop_table("idempotency_keys")
    op.drop_table("allocation_runs")
