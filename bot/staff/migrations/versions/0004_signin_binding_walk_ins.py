"""sign-in codes bound to the browser that asked; shelters that take walk-ins

Revision ID: 0004_signin_walk_ins
Revises: 0003_handoff_urgent
A sign-in code can be used (and its tries used up) only by the browser that asked for it
(`challenge_hash`); codes are counted per client address (`client_hash`) and, for a browser a
staff member signed in from before, per device (`device_hash`), so a stranger who knows a staff
phone cannot use up that staff member's codes. Handoffs of people no shelter registered are
shown only to shelters that take walk-ins; existing shelters keep seeing them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_signin_walk_ins"
down_revision: str | None = "0003_handoff_urgent"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("signin_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("challenge_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("client_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("device_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_signin_codes_client_hash"), ["client_hash"], unique=False
        )
    with op.batch_alter_table("shelters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "takes_walk_ins", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("shelters", schema=None) as batch_op:
        batch_op.drop_column("takes_walk_ins")
    with op.batch_alter_table("signin_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signin_codes_client_hash"))
        batch_op.drop_column("device_hash")
        batch_op.drop_column("client_hash")
        batch_op.drop_column("challenge_hash")
