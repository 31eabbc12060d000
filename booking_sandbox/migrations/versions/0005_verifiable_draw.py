"""A verifiable draw: per-day seeds with their commitments, and what each run used.

Revision ID: 0005
Revises: 0004
``allocation_seeds`` holds each request day's secret seed and its published SHA-256;
``allocation_runs`` keeps the rule, the offered slots, the longest-waiting cut-off and every
request's packed row, so the run can be published and re-derived (booking_sandbox.publication).
Runs made before this migration have none of it and are not published.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "allocation_seeds",
        sa.Column("request_date", sa.Date(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("committed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("request_date"),
    )
    with op.batch_alter_table("allocation_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("algorithm", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("longest_waiting_share", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longest_waiting_cutoff", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("slots", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("entries", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("allocation_runs", schema=None) as batch_op:
        batch_op.drop_column("entries")
        batch_op.drop_column("slots")
        batch_op.drop_column("longest_waiting_cutoff")
        batch_op.drop_column("longest_waiting_share")
        batch_op.drop_column("algorithm")
    op.drop_table("allocation_seeds")
