"""the inbox as conversations: assignment, a note on closing, read markers

Revision ID: 0005_inbox_threads
Revises: 0004_signin_walk_ins
A conversation can be taken by one staff member (`assigned_staff_id`), closed with a note
(`close_note_enc`, encrypted like message bodies), and each staff member's read position in it
is kept (`handoff_reads`) for the unread badges. Existing handoffs: unassigned, nothing read.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_inbox_threads"
down_revision: str | None = "0004_signin_walk_ins"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_staff_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("close_note_enc", sa.LargeBinary(), nullable=True))
    op.create_table(
        "handoff_reads",
        sa.Column("handoff_id", sa.String(length=36), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("handoff_id", "staff_id"),
    )


def downgrade() -> None:
    op.drop_table("handoff_reads")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_column("close_note_enc")
        batch_op.drop_column("assigned_staff_id")
