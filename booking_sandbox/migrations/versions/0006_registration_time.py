"""Registrations keep when the person registered, apart from when the row was made.

Revision ID: 0006
Revises: 0005
``registrations.registered_at``: the client's time for the registration (a bot that kept it
during an outage sends it on replay, accepted within ``registered_at_grace_hours``); waiting
time (seniority) counts from it. Existing rows registered when they were created.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE registrations SET registered_at = created_at")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.alter_column("registered_at", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("registered_at")
