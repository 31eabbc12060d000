"""Slot requests carry household size and registration time.

Revision ID: 0003
Revises: 0002
The allocation run then reads one table instead of joining a million requests to their
registrations. Existing rows are filled from their registration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("slot_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("household_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("registered_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE slot_requests SET "
        "household_size = (SELECT household_size FROM registrations "
        "WHERE registrations.id = slot_requests.registration_id), "
        "registered_at = (SELECT created_at FROM registrations "
        "WHERE registrations.id = slot_requests.registration_id)"
    )
    with op.batch_alter_table("slot_requests", schema=None) as batch_op:
        batch_op.alter_column("household_size", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("registered_at", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("slot_requests", schema=None) as batch_op:
        batch_op.drop_column("registered_at")
        batch_op.drop_column("household_size")
