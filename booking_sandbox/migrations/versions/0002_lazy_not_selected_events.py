"""Cheaper allocation runs for a million requests.

Revision ID: 0002
Revises: 0001
The (request_date, port, status) index becomes (request_date, port): the run rewrites every
request's status, and keeping status out of the index makes that a table-only update.
allocation_runs gets a cursor so "not_selected" events are queued in batches after the run.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("slot_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_requests_day_port_status")
        batch_op.create_index("ix_slot_requests_day_port", ["request_date", "port"], unique=False)
    with op.batch_alter_table("allocation_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_selected_cursor", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("not_selected_queued", sa.Boolean(), nullable=False,
                      server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("allocation_runs", schema=None) as batch_op:
        batch_op.drop_column("not_selected_queued")
        batch_op.drop_column("not_selected_cursor")
    with op.batch_alter_table("slot_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_requests_day_port")
        batch_op.create_index(
            "ix_slot_requests_day_port_status", ["request_date", "port", "status"], unique=False
        )
